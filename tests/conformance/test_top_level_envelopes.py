"""A VC API verify body may carry an EnvelopedVerifiableCredential / EnvelopedVerifiablePresentation
object instead of the token (VCDM 2.0 suite, 4.13.2): it is unwrapped and its token verified; an
envelope without the base context, with other types or without a data: URL is an input error."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import pytest

from vcverifier.cache import StateStore
from vcverifier.config import Settings
from vcverifier.errors import InputError
from vcverifier.jose.sign import enveloped, sign_jwt_vp_11, sign_vc_jwt, sign_vp_jwt
from vcverifier.testing import EXAMPLES_V2, FIXED_TIME, V2, Issuer, credential, presentation
from vcverifier.verifier import Verifier, VerifyOptions

NOW = FIXED_TIME + timedelta(days=30)
ISSUER = Issuer("conformance-top-envelope")
HOLDER = Issuer("conformance-top-envelope-holder")
TOKEN = sign_vc_jwt(credential(ISSUER.did, HOLDER.did), ISSUER.key, ISSUER.vm)
VC_ENV = enveloped(TOKEN)


@pytest.fixture
def verifier(store: StateStore) -> Verifier:
    return Verifier.from_settings(Settings(trust_dir="/nonexistent-trust-dir"), store=store)


def vp_envelope(token: str, media_type: str = "application/vp+jwt") -> dict[str, Any]:
    return {
        "@context": V2,
        "type": "EnvelopedVerifiablePresentation",
        "id": f"data:{media_type},{token}",
    }


@pytest.mark.parametrize(
    "envelope",
    [
        VC_ENV,
        {**VC_ENV, "@context": [V2, EXAMPLES_V2]},
        {
            **VC_ENV,
            "id": "data:application/vc+jwt;base64," + base64.b64encode(TOKEN.encode()).decode(),
        },
    ],
    ids=["plain", "context-list", "base64"],
)
async def test_enveloped_credential_verifies(verifier: Verifier, envelope: dict[str, Any]) -> None:
    result = await verifier.verify_credential(envelope, now=NOW)
    assert result.verified, result.to_json()
    assert result.mechanism == "vc+jwt"


@pytest.mark.parametrize(
    "envelope",
    [
        {**VC_ENV, "@context": []},
        {**VC_ENV, "@context": EXAMPLES_V2},
        {k: v for k, v in VC_ENV.items() if k != "@context"},
        {**VC_ENV, "type": ["EnvelopedVerifiableCredential", "VerifiableCredential"]},
        {**VC_ENV, "id": TOKEN},
        {**VC_ENV, "id": "data:application/vc+cose," + TOKEN},
    ],
    ids=["empty-context", "wrong-context", "no-context", "extra-type", "not-data-url", "cose"],
)
async def test_malformed_credential_envelope_is_input_error(
    verifier: Verifier, envelope: dict[str, Any]
) -> None:
    with pytest.raises(InputError):
        await verifier.verify_credential(envelope, now=NOW)


async def test_envelope_without_its_type_is_not_unwrapped(verifier: Verifier) -> None:
    result = await verifier.verify_credential({**VC_ENV, "type": "VerifiableCredential"}, now=NOW)
    assert not result.verified


@pytest.mark.parametrize("media_type", ["application/vp+jwt", "application/jwt"])
async def test_enveloped_presentation_verifies(verifier: Verifier, media_type: str) -> None:
    vp = presentation(HOLDER.did, [VC_ENV])
    if media_type == "application/jwt":  # a VCDM 1.1 style JWT-VP, typ JWT with a vp claim
        token = sign_jwt_vp_11(vp, HOLDER.key, HOLDER.vm, nonce="c-1")
    else:
        token = sign_vp_jwt(vp, HOLDER.key, HOLDER.vm, nonce="c-1")
    result = await verifier.verify_presentation(
        vp_envelope(token, media_type), options=VerifyOptions(challenge="c-1"), now=NOW
    )
    assert result.verified, result.to_json()
    assert all(c.verified for c in result.credentials)


async def test_malformed_presentation_envelope_is_input_error(verifier: Verifier) -> None:
    token = sign_vp_jwt(presentation(HOLDER.did, [VC_ENV]), HOLDER.key, HOLDER.vm, nonce="c-2")
    with pytest.raises(InputError):
        await verifier.verify_presentation(
            {**vp_envelope(token), "@context": []}, options=VerifyOptions(challenge="c-2"), now=NOW
        )
