"""SD-JWT VC: issuer signature, disclosures (forged, duplicated, unreferenced, overwriting,
recursive, array elements), and Key Binding JWTs."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from tests.jose.conftest import NOW, Party, Verify, seeded_key
from tests.jose.forge import b64, flip_signature
from vcverifier import problem_types as pt
from vcverifier.jose.sdjwt import digest
from vcverifier.jose.sign import SD, IssuedSdJwt, issue_sd_jwt, kb_jwt, present_sd_jwt
from vcverifier.keys import PrivateKey
from vcverifier.result import CheckResult, Outcome

NONCE, AUD = "n-0S6_WzA2Mj", "https://verifier.example"


def _failed(check: CheckResult, problem_type: str) -> None:
    assert check.outcome is Outcome.FAILED, check
    assert check.problems[0].type == problem_type, check


def _claims(issuer: str, **extra: Any) -> dict[str, Any]:
    return {
        "iss": issuer,
        "iat": int((NOW - timedelta(days=30)).timestamp()),
        "exp": int((NOW + timedelta(days=30)).timestamp()),
        "vct": "https://credentials.example.com/identity_credential",
        "given_name": SD("John"),
        "family_name": SD("Doe"),
        "address": SD({"street_address": SD("123 Main St"), "locality": "Anytown"}),
        "nationalities": [SD("US"), SD("DE"), "FR"],
        **extra,
    }


@pytest.fixture
def holder_key(alg: str) -> PrivateKey:
    from tests.jose.conftest import ALGS

    return seeded_key(ALGS[alg], f"wallet-{alg}")


def _issue(issuer: Party, holder_key: PrivateKey, **kwargs: Any) -> IssuedSdJwt:
    return issue_sd_jwt(
        _claims(issuer.did), issuer.key, issuer.kid, holder=holder_key.public_key(), **kwargs
    )


def _present(issued: IssuedSdJwt, holder_key: PrivateKey, **kwargs: Any) -> str:
    options: dict[str, Any] = {"holder_key": holder_key, "nonce": NONCE, "aud": AUD, "iat": NOW}
    options.update(kwargs)
    return present_sd_jwt(issued, **options)


async def test_valid_with_key_binding(
    verify: Verify, issuer: Party, holder_key: PrivateKey
) -> None:
    issued = _issue(issuer, holder_key)
    out = await verify(_present(issued, holder_key), nonce=NONCE, audience=AUD)
    assert out.proof.outcome is Outcome.PASSED, out.proof
    assert out.did.outcome is Outcome.PASSED
    assert out.mechanism == "dc+sd-jwt" and out.kind == "credential"
    doc = out.document
    assert doc is not None
    assert doc["given_name"] == "John" and doc["family_name"] == "Doe"
    assert doc["address"] == {"street_address": "123 Main St", "locality": "Anytown"}
    assert doc["nationalities"] == ["US", "DE", "FR"]
    assert "_sd" not in doc and "_sd_alg" not in doc
    assert doc["exp"] == int((NOW + timedelta(days=30)).timestamp())
    assert out.challenges == (NONCE,) and out.domains == (AUD,)
    assert out.holder_keys == (holder_key.public_key().jwk_thumbprint(),)
    assert out.controllers == (issuer.did,)


async def test_partial_disclosure_and_decoys(
    verify: Verify, issuer: Party, holder_key: PrivateKey
) -> None:
    issued = _issue(issuer, holder_key)
    # Keep only given_name (disclosures[0]) and "DE" (the array element at index 4).
    values = [json.loads(_unb64(d)) for d in issued.disclosures]
    keep = [d for d, v in zip(issued.disclosures, values, strict=True) if "John" in v or "DE" in v]
    out = await verify(_present(issued, holder_key, disclosures=keep), nonce=NONCE, audience=AUD)
    assert out.proof.outcome is Outcome.PASSED, out.proof
    assert out.document is not None
    assert out.document["given_name"] == "John"
    assert "family_name" not in out.document and "address" not in out.document
    assert out.document["nationalities"] == ["DE", "FR"]


def _unb64(text: str) -> bytes:
    from vcverifier.multibase import b64url_decode

    return b64url_decode(text)


@pytest.mark.parametrize("hash_alg", ["sha-256", "sha-384", "sha-512"])
async def test_hash_algorithms(
    verify: Verify, issuer: Party, holder_key: PrivateKey, hash_alg: str
) -> None:
    issued = _issue(issuer, holder_key, hash_alg=hash_alg)
    token = _present(issued, holder_key, hash_alg=hash_alg)
    out = await verify(token, nonce=NONCE, audience=AUD)
    assert out.proof.outcome is Outcome.PASSED, out.proof


async def test_unsupported_sd_alg(verify: Verify, issuer: Party, holder_key: PrivateKey) -> None:
    issued = issue_sd_jwt(
        {**_claims(issuer.did), "_sd_alg": "md5"}, issuer.key, issuer.kid, sd_alg_claim=False
    )
    _failed((await verify(issued.serialize())).proof, pt.CRYPTOGRAPHIC_SECURITY_ERROR)


async def test_without_key_binding(verify: Verify, issuer: Party, holder_key: PrivateKey) -> None:
    issued = _issue(issuer, holder_key)
    out = await verify(issued.serialize())
    assert out.proof.outcome is Outcome.PASSED  # nothing asked for key binding
    assert out.challenges == ()
    assert [w.title for w in out.warnings] == ["Key binding not presented"]
    for kwargs in ({"require_key_binding": True}, {"nonce": NONCE}, {"audience": AUD}):
        _failed((await verify(issued.serialize(), **kwargs)).proof, pt.CRYPTOGRAPHIC_SECURITY_ERROR)


async def test_forged_disclosure(verify: Verify, issuer: Party, holder_key: PrivateKey) -> None:
    issued = _issue(issuer, holder_key)
    forged = b64(json.dumps(["salt-of-my-own", "given_name", "Mallory"]).encode())
    out = await verify(
        _present(issued, holder_key, disclosures=[forged]), nonce=NONCE, audience=AUD
    )
    _failed(out.proof, pt.MALFORMED_PROOF_ERROR)  # unreferenced by any digest


async def test_altered_disclosure_value(
    verify: Verify, issuer: Party, holder_key: PrivateKey
) -> None:
    issued = _issue(issuer, holder_key)
    salt, name, _ = json.loads(_unb64(issued.disclosures[0]))
    altered = b64(json.dumps([salt, name, "Mallory"]).encode())
    token = _present(issued, holder_key, disclosures=[altered, *issued.disclosures[1:]])
    _failed((await verify(token, nonce=NONCE, audience=AUD)).proof, pt.MALFORMED_PROOF_ERROR)


async def test_duplicated_disclosure(verify: Verify, issuer: Party, holder_key: PrivateKey) -> None:
    issued = _issue(issuer, holder_key)
    token = _present(issued, holder_key, disclosures=[*issued.disclosures, issued.disclosures[0]])
    _failed((await verify(token, nonce=NONCE, audience=AUD)).proof, pt.MALFORMED_PROOF_ERROR)


async def test_duplicate_digest_in_payload(verify: Verify, issuer: Party) -> None:
    disclosure = b64(json.dumps(["s1", "given_name", "John"]).encode())
    d = digest(disclosure, "sha-256")
    claims = {"iss": issuer.did, "vct": "x", "_sd": [d], "nested": {"_sd": [d]}}
    issued = issue_sd_jwt(claims, issuer.key, issuer.kid)
    token = "~".join([issued.issuer_jwt, disclosure]) + "~"
    _failed((await verify(token)).proof, pt.MALFORMED_PROOF_ERROR)


async def test_disclosure_overwriting_a_claim(verify: Verify, issuer: Party) -> None:
    disclosure = b64(json.dumps(["s1", "vct", "https://attacker.example/other"]).encode())
    claims = {"iss": issuer.did, "vct": "x", "_sd": [digest(disclosure, "sha-256")]}
    issued = issue_sd_jwt(claims, issuer.key, issuer.kid)
    token = issued.issuer_jwt + "~" + disclosure + "~"
    _failed((await verify(token)).proof, pt.MALFORMED_PROOF_ERROR)


@pytest.mark.parametrize("name", ["_sd", "..."])
async def test_reserved_claim_names_in_disclosures(
    verify: Verify, issuer: Party, name: str
) -> None:
    disclosure = b64(json.dumps(["s1", name, ["x"]]).encode())
    claims = {"iss": issuer.did, "vct": "x", "_sd": [digest(disclosure, "sha-256")]}
    issued = issue_sd_jwt(claims, issuer.key, issuer.kid)
    _failed(
        (await verify(issued.issuer_jwt + "~" + disclosure + "~")).proof, pt.MALFORMED_PROOF_ERROR
    )


async def test_array_disclosure_used_as_property(verify: Verify, issuer: Party) -> None:
    element = b64(json.dumps(["s1", "US"]).encode())
    claims = {"iss": issuer.did, "vct": "x", "_sd": [digest(element, "sha-256")]}
    issued = issue_sd_jwt(claims, issuer.key, issuer.kid)
    _failed((await verify(issued.issuer_jwt + "~" + element + "~")).proof, pt.MALFORMED_PROOF_ERROR)
    prop = b64(json.dumps(["s2", "n", "US"]).encode())
    claims = {"iss": issuer.did, "vct": "x", "list": [{"...": digest(prop, "sha-256")}]}
    issued = issue_sd_jwt(claims, issuer.key, issuer.kid)
    _failed((await verify(issued.issuer_jwt + "~" + prop + "~")).proof, pt.MALFORMED_PROOF_ERROR)


async def test_never_disclosed_claims(verify: Verify, issuer: Party) -> None:
    issued = issue_sd_jwt(
        {"iss": issuer.did, "vct": "x", "exp": SD(int(NOW.timestamp()) + 10)},
        issuer.key,
        issuer.kid,
    )
    _failed((await verify(issued.serialize())).proof, pt.MALFORMED_PROOF_ERROR)


async def test_missing_vct(verify: Verify, issuer: Party) -> None:
    issued = issue_sd_jwt({"iss": issuer.did, "name": SD("x")}, issuer.key, issuer.kid)
    _failed((await verify(issued.serialize())).proof, pt.MALFORMED_PROOF_ERROR)


async def test_expired_and_not_yet_valid_are_left_for_validity(
    verify: Verify, issuer: Party
) -> None:
    past = int((NOW - timedelta(days=1)).timestamp())
    future = int((NOW + timedelta(days=1)).timestamp())
    issued = issue_sd_jwt(
        {"iss": issuer.did, "vct": "x", "exp": past, "nbf": future}, issuer.key, issuer.kid
    )
    out = await verify(issued.serialize())
    assert out.proof.outcome is Outcome.PASSED
    assert out.document is not None
    # The claims, unchanged: the caller's validity check reads nbf/exp of an SD-JWT VC.
    assert out.document["exp"] == past and out.document["nbf"] == future
    bad = issue_sd_jwt({"iss": issuer.did, "vct": "x", "exp": "soon"}, issuer.key, issuer.kid)
    _failed((await verify(bad.serialize())).proof, pt.MALFORMED_PROOF_ERROR)


async def test_vcdm_payload_exp_is_the_jwt_lifetime(verify: Verify, issuer: Party) -> None:
    claims = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": issuer.did,
        "credentialSubject": {"name": SD("Erika")},
        "exp": int((NOW - timedelta(days=1)).timestamp()),
    }
    issued = issue_sd_jwt(claims, issuer.key, issuer.kid, typ="vc+sd-jwt")
    _failed((await verify(issued.serialize())).proof, pt.EXPIRED)


async def test_sd_jwt_accepted_as_a_presentation(
    verify: Verify, issuer: Party, holder_key: PrivateKey
) -> None:
    # An SD-JWT+KB is how an SD-JWT VC is presented: accepted where a presentation is expected.
    token = _present(_issue(issuer, holder_key), holder_key)
    out = await verify(token, purpose_hint="presentation", require_key_binding=True)
    assert out.proof.outcome is Outcome.PASSED, out.proof
    assert out.kind == "credential"


async def test_issuer_signature_tampered(
    verify: Verify, issuer: Party, holder_key: PrivateKey
) -> None:
    issued = _issue(issuer, holder_key)
    tampered = IssuedSdJwt(flip_signature(issued.issuer_jwt), issued.disclosures)
    _failed((await verify(tampered.serialize())).proof, pt.CRYPTOGRAPHIC_SECURITY_ERROR)


async def test_wrong_typ_and_old_typ(verify: Verify, issuer: Party) -> None:
    claims = {"iss": issuer.did, "vct": "x"}
    old = issue_sd_jwt(claims, issuer.key, issuer.kid, typ="vc+sd-jwt")
    out = await verify(old.serialize())
    assert out.proof.outcome is Outcome.PASSED and out.mechanism == "vc+sd-jwt"
    wrong = issue_sd_jwt(claims, issuer.key, issuer.kid, typ="vc+jwt")
    assert (await verify(wrong.serialize())).proof.outcome is Outcome.FAILED


async def test_issuer_kid_of_another_did(verify: Verify, issuer: Party, other: Party) -> None:
    issued = issue_sd_jwt({"iss": issuer.did, "vct": "x"}, other.key, other.kid)
    _failed((await verify(issued.serialize())).did, pt.INVALID_VERIFICATION_METHOD)


# --- Key Binding JWT -----------------------------------------------------------------------


async def test_kb_wrong_nonce(verify: Verify, issuer: Party, holder_key: PrivateKey) -> None:
    token = _present(_issue(issuer, holder_key), holder_key, nonce="replayed")
    _failed((await verify(token, nonce=NONCE, audience=AUD)).proof, pt.INVALID_CHALLENGE_ERROR)


async def test_kb_wrong_aud(verify: Verify, issuer: Party, holder_key: PrivateKey) -> None:
    token = _present(_issue(issuer, holder_key), holder_key, aud="https://other.example")
    _failed((await verify(token, nonce=NONCE, audience=AUD)).proof, pt.INVALID_DOMAIN_ERROR)


async def test_kb_wrong_sd_hash(verify: Verify, issuer: Party, holder_key: PrivateKey) -> None:
    issued = _issue(issuer, holder_key)
    # A KB-JWT made for a presentation with all disclosures, attached to one with fewer.
    full = issued.serialize()
    kb = kb_jwt(full, holder_key, nonce=NONCE, aud=AUD, iat=NOW)
    fewer = issued.serialize(issued.disclosures[:1])
    _failed(
        (await verify(fewer + kb, nonce=NONCE, audience=AUD)).proof, pt.CRYPTOGRAPHIC_SECURITY_ERROR
    )


async def test_kb_signed_by_other_key(
    verify: Verify, issuer: Party, holder_key: PrivateKey
) -> None:
    thief = seeded_key(holder_key.key_type, "thief")
    token = _present(_issue(issuer, holder_key), thief)
    _failed((await verify(token, nonce=NONCE, audience=AUD)).proof, pt.CRYPTOGRAPHIC_SECURITY_ERROR)


async def test_kb_iat_outside_skew(verify: Verify, issuer: Party, holder_key: PrivateKey) -> None:
    issued = _issue(issuer, holder_key)
    for iat in (NOW - timedelta(hours=1), NOW + timedelta(hours=1)):
        token = _present(issued, holder_key, iat=iat)
        _failed((await verify(token, nonce=NONCE, audience=AUD)).proof, pt.RANGE_ERROR)


async def test_kb_wrong_typ_and_missing_claims(
    verify: Verify, issuer: Party, holder_key: PrivateKey
) -> None:
    issued = _issue(issuer, holder_key)
    presented = issued.serialize()
    wrong_typ = kb_jwt(presented, holder_key, nonce=NONCE, aud=AUD, iat=NOW, typ="JWT")
    assert (await verify(presented + wrong_typ)).proof.outcome is Outcome.FAILED
    no_nonce = kb_jwt(presented, holder_key, nonce=NONCE, aud=AUD, iat=NOW, claims={"nonce": None})
    _failed((await verify(presented + no_nonce)).proof, pt.MALFORMED_PROOF_ERROR)


async def test_kb_without_cnf(verify: Verify, issuer: Party, holder_key: PrivateKey) -> None:
    issued = issue_sd_jwt({"iss": issuer.did, "vct": "x"}, issuer.key, issuer.kid)
    token = present_sd_jwt(issued, holder_key=holder_key, nonce=NONCE, aud=AUD, iat=NOW)
    _failed((await verify(token)).proof, pt.MALFORMED_PROOF_ERROR)


async def test_kb_jwk_header_not_trusted(
    verify: Verify, issuer: Party, holder_key: PrivateKey
) -> None:
    issued = _issue(issuer, holder_key)
    thief = seeded_key(holder_key.key_type, "thief")
    presented = issued.serialize()
    kb = kb_jwt(
        presented, thief, nonce=NONCE, aud=AUD, iat=NOW, header={"jwk": thief.public_key().to_jwk()}
    )
    _failed((await verify(presented + kb)).proof, pt.CRYPTOGRAPHIC_SECURITY_ERROR)


@pytest.mark.parametrize("token", ["abc~", "~~", "e30.e30.e30~~", "e30.e30.e30~WyJ4Il0~"])
async def test_malformed_sd_jwt(verify: Verify, token: str) -> None:
    out = await verify(token)
    assert out.proof.outcome is Outcome.FAILED
    assert out.proof.problems[0].type in (
        pt.PARSING_ERROR,
        pt.MALFORMED_PROOF_ERROR,
        pt.CRYPTOGRAPHIC_SECURITY_ERROR,
    )
