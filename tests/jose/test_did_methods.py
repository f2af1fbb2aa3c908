"""Issuer keys through the real DID methods: did:key, did:jwk, and did:web over HTTPS on
127.0.0.1 (test CA), with relative and absolute kids."""

from __future__ import annotations

from typing import Any

from helpers_http import LocalServer, https_server, make_server, tls_ca

from tests.jose.conftest import NOW, SKEW, credential, seeded_key
from vcverifier import problem_types as pt
from vcverifier.cache import MemoryStore
from vcverifier.config import Settings
from vcverifier.did.defaults import build_default_resolvers
from vcverifier.did.jwk import did_jwk_from_public_key
from vcverifier.did.key import did_key_from_public_key
from vcverifier.did.registry import ResolverRegistry
from vcverifier.did.web import DidWeb, did_web_url
from vcverifier.fetch import Fetcher
from vcverifier.jose import JoseOutcome, verify_jose
from vcverifier.jose.sign import SD, issue_sd_jwt, sign_vc_jwt
from vcverifier.keys import KeyType
from vcverifier.result import Outcome

__all__ = ["https_server", "make_server", "tls_ca"]  # fixtures used here


async def _verify(token: str, resolver: ResolverRegistry) -> JoseOutcome:
    return await verify_jose(
        token,
        purpose_hint=None,
        resolver=resolver,
        now=NOW,
        skew=SKEW,
        nonce=None,
        audience=None,
    )


async def test_did_key_issuer() -> None:
    key = seeded_key(KeyType.P384, "did-key-issuer")
    did = did_key_from_public_key(key.public_key())
    kid = f"{did}#{did.removeprefix('did:key:')}"
    resolver = build_default_resolvers()
    for token in (
        sign_vc_jwt(credential(did), key, kid),
        sign_vc_jwt(credential(did), key, "#" + did.removeprefix("did:key:")),
        issue_sd_jwt({"iss": did, "vct": "x", "a": SD(1)}, key, kid).serialize(),
    ):
        out = await _verify(token, resolver)
        assert out.proof.outcome is Outcome.PASSED, (out.did, out.proof)


async def test_did_jwk_issuer_without_kid() -> None:
    key = seeded_key(KeyType.ED25519, "did-jwk-issuer")
    did = did_jwk_from_public_key(key.public_key())
    out = await _verify(sign_vc_jwt(credential(did), key, None), build_default_resolvers())
    assert out.proof.outcome is Outcome.PASSED, out.did
    out = await _verify(sign_vc_jwt(credential(did), key, f"{did}#1"), build_default_resolvers())
    assert out.did.outcome is Outcome.FAILED


async def test_did_web_issuer(https_server: LocalServer) -> None:
    key = seeded_key(KeyType.P256, "did-web-issuer")
    did = f"did:web:localhost%3A{https_server.port}:issuers:1"
    doc: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": did,
        "verificationMethod": [
            {
                "id": f"{did}#key-1",
                "type": "JsonWebKey",
                "controller": did,
                "publicKeyJwk": key.public_key().to_jwk(),
            }
        ],
        "assertionMethod": [f"{did}#key-1"],
    }
    https_server.json(did_web_url(did).split(str(https_server.port), 1)[1], doc)
    settings = Settings(allow_private_network=https_server.origin, fetch_timeout_seconds=2)  # type: ignore[call-arg]
    async with Fetcher(settings) as fetcher:
        resolver = build_default_resolvers([DidWeb(fetcher, MemoryStore(), settings)])
        out = await _verify(sign_vc_jwt(credential(did), key, "#key-1"), resolver)
        assert out.did.outcome is Outcome.PASSED, out.did
        assert out.proof.outcome is Outcome.PASSED, out.proof
        forger = seeded_key(KeyType.P256, "forger")
        out = await _verify(sign_vc_jwt(credential(did), forger, "#key-1"), resolver)
        assert out.proof.problems[0].type == pt.CRYPTOGRAPHIC_SECURITY_ERROR
        out = await _verify(sign_vc_jwt(credential(did), key, "#key-2"), resolver)
        assert out.did.outcome is Outcome.FAILED
