"""`verify_jose` never raises for bad input, and any change to a signed token fails `proof`
(Hypothesis)."""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.jose.conftest import NOW, SKEW, seeded_key
from tests.jose.conftest import credential as make_credential
from vcverifier.did.defaults import build_default_resolvers
from vcverifier.did.key import did_key_from_public_key
from vcverifier.jose import verify_jose
from vcverifier.jose.sign import SD, issue_sd_jwt, present_sd_jwt, sign_vc_jwt
from vcverifier.keys import KeyType
from vcverifier.result import Outcome

KEY = seeded_key(KeyType.ED25519, "never-raises")
DID = did_key_from_public_key(KEY.public_key())
KID = f"{DID}#{DID.removeprefix('did:key:')}"
HOLDER = seeded_key(KeyType.ED25519, "never-raises-holder")
VC_JWT = sign_vc_jwt(make_credential(DID), KEY, KID)
SD_JWT = present_sd_jwt(
    issue_sd_jwt(
        {"iss": DID, "vct": "x", "a": SD(1), "b": [SD(2), 3]}, KEY, KID, holder=HOLDER.public_key()
    ),
    holder_key=HOLDER,
    nonce="n",
    aud="a",
    iat=NOW,
)
RESOLVER = build_default_resolvers()
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~="


def _run(token: str) -> object:
    return asyncio.run(
        verify_jose(
            token,
            purpose_hint=None,
            resolver=RESOLVER,
            now=NOW,
            skew=SKEW,
            nonce=None,
            audience=None,
        )
    )


def test_originals_verify() -> None:
    for token in (VC_JWT, SD_JWT):
        out = _run(token)
        assert out.proof.outcome is Outcome.PASSED  # type: ignore[attr-defined]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=ALPHABET, max_size=300))
def test_arbitrary_strings_never_raise(text: str) -> None:
    out = _run(text)
    assert out.proof.outcome is not Outcome.PASSED  # type: ignore[attr-defined]


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from([VC_JWT, SD_JWT]),
    st.integers(min_value=0),
    st.sampled_from(list(ALPHABET)),
)
def test_any_change_fails_proof(token: str, position: int, char: str) -> None:
    index = position % len(token)
    if token[index] == char:
        return
    changed = token[:index] + char + token[index + 1 :]
    out = _run(changed)
    # Either the change is rejected, or it was in a part no signature covers and that the
    # verifier ignores (base64url padding bits at the end of a signature segment).
    if out.proof.outcome is Outcome.PASSED:  # type: ignore[attr-defined]
        assert out.document == _run(token).document  # type: ignore[attr-defined]


SD_ISSUED = issue_sd_jwt(
    {
        "iss": DID,
        "vct": "x",
        "a": SD(1),
        "b": [SD(2), 3, SD({"c": SD("deep")})],
        "d": SD({"e": SD([SD("f")])}),
    },
    KEY,
    KID,
)


def _parents() -> dict[str, str | None]:
    """Each disclosure's enclosing disclosure (None at the top level)."""
    from vcverifier.jose.sdjwt import digest
    from vcverifier.multibase import b64url_decode

    texts = {d: b64url_decode(d).decode() for d in SD_ISSUED.disclosures}
    out: dict[str, str | None] = {}
    for child in SD_ISSUED.disclosures:
        tag = digest(child, "sha-256")
        out[child] = next((p for p, text in texts.items() if tag in text), None)
    return out


PARENTS = _parents()


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_selective_disclosure_of_any_closed_subset(data: st.DataObject) -> None:
    # A subset verifies exactly when every chosen disclosure's enclosing one is chosen too (a
    # disclosure nested in a withheld one is referenced by no digest), in any order.
    chosen = data.draw(st.lists(st.sampled_from(SD_ISSUED.disclosures), unique=True))
    order = data.draw(st.permutations(chosen))
    closed = all(PARENTS[d] is None or PARENTS[d] in chosen for d in chosen)
    out = _run(SD_ISSUED.serialize(order))
    expected = Outcome.PASSED if closed else Outcome.FAILED
    assert out.proof.outcome is expected  # type: ignore[attr-defined]
