"""Enveloped credentials inside a vp+jwt, with plain and `;base64` data: URLs (RFC 2397)."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest

from vcverifier.config import Settings
from vcverifier.jose.sign import sign_vc_jwt, sign_vp_jwt
from vcverifier.testing import FIXED_TIME, Issuer, credential, presentation
from vcverifier.verifier import Verifier, VerifyOptions

NOW = FIXED_TIME + timedelta(days=1)


@pytest.mark.parametrize("encoding", ["plain", "base64", "bad-base64", "other-type"])
async def test_enveloped_credential_data_urls(encoding: str) -> None:
    issuer, holder = Issuer("jose-env-issuer"), Issuer("jose-env-holder")
    vc = sign_vc_jwt(credential(issuer.did, holder.did), issuer.key, issuer.vm)
    url = {
        "plain": f"data:application/vc+jwt,{vc}",
        "base64": "data:application/vc+jwt;base64," + base64.b64encode(vc.encode()).decode(),
        "bad-base64": "data:application/vc+jwt;base64,***",
        "other-type": f"data:text/plain,{vc}",
    }[encoding]
    envelope = {
        "@context": "https://www.w3.org/ns/credentials/v2",
        "id": url,
        "type": "EnvelopedVerifiableCredential",
    }
    vp = sign_vp_jwt(presentation(holder.did, [envelope]), holder.key, holder.vm, nonce="n-1")
    verifier = Verifier.from_settings(Settings(trust_dir="/nonexistent"))
    result = await verifier.verify_presentation(vp, options=VerifyOptions(challenge="n-1"), now=NOW)
    if encoding in ("plain", "base64"):
        assert result.verified, result.to_json()
        assert result.credentials[0].mechanism == "vc+jwt"
    else:
        assert not result.verified
