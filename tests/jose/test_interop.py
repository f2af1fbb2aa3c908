"""Tokens made by other implementations verify: the npm `jose` library
(fixtures/interop/jose/make.mjs) and the SD-JWT / SD-JWT VC specifications' own examples
(fixtures/interop/sdjwt/)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import FIXTURES
from vcverifier.did.defaults import build_default_resolvers
from vcverifier.did.registry import ResolverRegistry
from vcverifier.jose import JoseOutcome, verify_jose
from vcverifier.result import Outcome

JOSE_DIR = FIXTURES / "interop" / "jose"
NOW = datetime(2026, 6, 1, 12, 0, 0, tzinfo=UTC)
NONCE, AUD = "interop-nonce-1", "https://verifier.example"
TOKENS: dict[str, str] = json.loads((JOSE_DIR / "tokens.json").read_text())


async def _verify(token: str, resolver: ResolverRegistry, **kwargs: object) -> JoseOutcome:
    options: dict[str, object] = {
        "purpose_hint": None,
        "resolver": resolver,
        "now": NOW,
        "skew": timedelta(minutes=5),
        "nonce": None,
        "audience": None,
    }
    options.update(kwargs)
    return await verify_jose(token, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", sorted(TOKENS))
async def test_npm_jose_tokens_verify(name: str) -> None:
    resolver = build_default_resolvers()
    mechanism = name.split()[0]
    kwargs = {"nonce": NONCE, "audience": AUD} if mechanism == "dc+sd-jwt" else {}
    out = await _verify(TOKENS[name], resolver, **kwargs)
    assert out.did.outcome is Outcome.PASSED, out.did
    assert out.proof.outcome is Outcome.PASSED, out.proof
    assert out.mechanism == mechanism
    assert out.document is not None
    if mechanism == "vp+jwt":
        assert out.challenges == (NONCE,) and out.domains == (AUD,)
        (inner,) = out.enveloped
        assert (await _verify(inner, resolver)).proof.outcome is Outcome.PASSED
    if mechanism == "jwt-vc-1.1":
        assert out.document["issuanceDate"] == "2026-01-01T00:00:00Z"
        assert out.document["expirationDate"] == "2036-01-01T00:00:00Z"
        assert out.document["id"] == "urn:uuid:3978344f-8596-4c3a-a978-8fcaba3903c5"
        assert out.document["credentialSubject"]["id"].startswith("did:jwk:")
    if mechanism == "dc+sd-jwt":
        assert out.document["given_name"] == "Erika"
        assert out.document["address"] == {"street_address": "123 Main St", "locality": "Anytown"}
        assert out.document["nationalities"] == ["DE", "FR"]
        assert out.challenges == (NONCE,)


@pytest.mark.parametrize("name", sorted(TOKENS))
async def test_npm_jose_tokens_fail_when_tampered(name: str) -> None:
    token = TOKENS[name]
    head, payload, rest = token.split(".", 2)
    # Flip one payload character (stays valid base64url), which the signature covers.
    flipped = payload[:10] + ("A" if payload[10] != "A" else "B") + payload[11:]
    out = await _verify(".".join([head, flipped, rest]), build_default_resolvers())
    assert out.proof.outcome is Outcome.FAILED


def test_generator_is_committed() -> None:
    assert (JOSE_DIR / "make.mjs").is_file()
    assert (JOSE_DIR / "package.json").is_file()
    for name in ("issuer-ed25519", "issuer-p256", "issuer-p384"):
        assert (JOSE_DIR / "keys" / f"{name}.jwk.json").is_file()
