"""EnvelopedVerifiableCredential ids are RFC 2397 data: URLs: the plain form, a media type
parameter and the `;base64` form are read; other media types, bad base64 and non-data URLs make
the contained credential unreadable (found with hostile inputs against `vcverifier serve`: the
base64 form was refused as "needs a data: URL id")."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest

from vcverifier import problem_types as pt
from vcverifier.cache import StateStore
from vcverifier.config import Settings
from vcverifier.jose.sign import sign_vc_jwt
from vcverifier.result import Outcome, VerificationResult
from vcverifier.testing import FIXED_TIME, V2, Issuer, credential, presentation
from vcverifier.verifier import Verifier, VerifyOptions

NOW = FIXED_TIME + timedelta(days=30)
ISSUER = Issuer("conformance-envelope")
HOLDER = Issuer("conformance-envelope-holder")
TOKEN = sign_vc_jwt(credential(ISSUER.did, HOLDER.did), ISSUER.key, ISSUER.vm)
B64 = base64.b64encode(TOKEN.encode()).decode()


@pytest.fixture
def verifier(store: StateStore) -> Verifier:
    return Verifier.from_settings(Settings(trust_dir="/nonexistent-trust-dir"), store=store)


def envelope(entry_id: str) -> dict[str, object]:
    return {"@context": V2, "type": "EnvelopedVerifiableCredential", "id": entry_id}


async def verify(verifier: Verifier, entry_id: str) -> VerificationResult:
    vp = presentation(HOLDER.did, [envelope(entry_id)])
    options = VerifyOptions(allow_unsigned_presentation=True)
    return await verifier.verify_presentation(vp, options=options, now=NOW)


@pytest.mark.parametrize(
    "entry_id",
    [
        f"data:application/vc+jwt,{TOKEN}",
        f"data:application/vc+jwt;charset=utf-8,{TOKEN}",
        f"data:application/vc+jwt;base64,{B64}",
        f"data:APPLICATION/VC+JWT;base64,{B64}",
    ],
    ids=["plain", "parameter", "base64", "media-type-case"],
)
async def test_readable_envelopes_verify(verifier: Verifier, entry_id: str) -> None:
    result = await verify(verifier, entry_id)
    assert len(result.credentials) == 1
    assert result.credentials[0].verified, result.credentials[0].to_json()


@pytest.mark.parametrize(
    "entry_id",
    [
        f"data:application/vc+cose;base64,{B64}",
        "data:application/vc+jwt;base64,%%%not-base64",
        f"https://example.org/credentials/1#{TOKEN}",
        "data:application/vc+jwt",
    ],
    ids=["unsupported-media-type", "bad-base64", "not-a-data-url", "no-comma"],
)
async def test_unreadable_envelopes_fail_format(verifier: Verifier, entry_id: str) -> None:
    result = await verify(verifier, entry_id)
    assert not result.verified
    inner = result.credentials[0]
    check = inner.check("format")
    assert check is not None
    assert check.outcome is Outcome.FAILED
    assert {p.type for p in check.problems} == {pt.PARSING_ERROR}
