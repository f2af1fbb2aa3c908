"""Onboarding a did:web partner whose DID document is served over real HTTPS on 127.0.0.1,
through the HTTP endpoint and the operator's approval (DID in the path percent-encoded)."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from helpers_http import LocalServer, https_server, make_server, tls_ca

from vcverifier import problem_types as pt
from vcverifier.api.app import create_app
from vcverifier.api.routes.trust import build_router
from vcverifier.cache import MemoryStore
from vcverifier.config import Settings
from vcverifier.contexts.loader import DocumentLoader
from vcverifier.did.defaults import build_default_resolvers
from vcverifier.did.web import DidWeb, did_web_url
from vcverifier.fetch import Fetcher
from vcverifier.keys import KeyType
from vcverifier.multibase import b64url_encode
from vcverifier.proofs import default_suites
from vcverifier.result import Outcome
from vcverifier.testing import Issuer
from vcverifier.trust.domain_linkage import CONFIG_PATH
from vcverifier.trust.evaluate import TrustEvaluator
from vcverifier.trust.onboarding import make_request
from vcverifier.trust.service import TrustService
from vcverifier.trust.store_file import FileTrustStore
from vcverifier.verifier import Verifier

__all__ = ["https_server", "make_server", "tls_ca"]  # fixtures used here

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ADMIN = {"Authorization": "Bearer admin-key-0123456789"}
AUTH_KEY = Issuer("web-partner-auth")
ASSERT_KEY = Issuer("web-partner-assert", KeyType.P256)
STRANGER = Issuer("web-partner-stranger")


def _document(did: str) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [
            {
                "id": f"{did}#auth",
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": AUTH_KEY.key.public_key().to_multikey(),
            },
            {
                "id": f"{did}#assert",
                "type": "JsonWebKey",
                "controller": did,
                "publicKeyJwk": ASSERT_KEY.key.public_key().to_jwk(),
            },
        ],
        "authentication": [f"{did}#auth"],
        "assertionMethod": [f"{did}#assert"],
    }


@contextlib.asynccontextmanager
async def _deployment(tmp_path: Path, server: LocalServer, *, linkage: bool) -> Any:
    did = f"did:web:localhost%3A{server.port}:partners:acme"
    path = did_web_url(did).split(str(server.port), 1)[1]
    server.json(path, _document(did))
    settings = Settings(
        trust_dir=tmp_path / "trust",
        admin_api_keys=["admin-key-0123456789"],
        allow_private_network=server.origin,
        trust_require_domain_linkage=linkage,
    )
    state = MemoryStore()
    fetcher = Fetcher(settings)
    resolvers = build_default_resolvers(extra=[DidWeb(fetcher, state, settings)])
    store = FileTrustStore(settings.trust_dir)
    verifier = Verifier(
        settings,
        loader=DocumentLoader(),
        resolvers=resolvers,
        suites=default_suites(),
        trust=TrustEvaluator(store),
    )
    app = create_app(settings, verifier=verifier, store=state)
    if not any(getattr(r, "path", "").startswith("/trust") for r in app.routes):
        app.include_router(build_router())
    app.state.trust_service = TrustService(
        settings=settings,
        store=store,
        resolvers=resolvers,
        suites=default_suites(),
        state=state,
        clock=lambda: NOW,
        fetcher=fetcher,
    )
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://test"
        ) as client:
            r = await client.post("/trust/lists", json={"id": "partners"}, headers=ADMIN)
            assert r.status_code == 201
            yield did, client, store
    finally:
        await fetcher.aclose()


@pytest.fixture
async def setup(tmp_path: Path, https_server: LocalServer) -> Any:
    async with _deployment(tmp_path, https_server, linkage=False) as parts:
        yield parts


def _request(did: str, key: Issuer, fragment: str, purpose: str, nonce: str) -> Any:
    return make_request(
        issuer=did,
        key=key.key,
        verification_method=f"{did}#{fragment}",
        list_id="partners",
        types=["EmployeeCredential"],
        nonce=nonce,
        now=NOW,
        suites=default_suites(),
        name="Acme",
        purpose=purpose,
    )


async def test_did_web_partner_onboarding(setup: Any) -> None:
    did, client, store = setup
    # A key the DID document lists under assertionMethod only cannot authenticate...
    wrong = _request(did, ASSERT_KEY, "assert", "authentication", "nonce-wrong-purpose-01")
    r = await client.post("/trust/onboarding", json=wrong)
    assert r.status_code == 401
    assert r.json()["type"] == pt.INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD
    # ...a key that is not in the document at all fails too...
    stranger = _request(did, STRANGER, "stranger", "authentication", "nonce-stranger-000001")
    assert (await client.post("/trust/onboarding", json=stranger)).status_code == 401
    # ...and a key not matching the listed one (the #auth id, another key) fails the proof.
    forged = _request(did, STRANGER, "auth", "authentication", "nonce-forged-00000001")
    r = await client.post("/trust/onboarding", json=forged)
    assert r.status_code == 401 and r.json()["type"] == pt.PROOF_VERIFICATION_ERROR
    # Either relationship works with its own key.
    ok = _request(did, ASSERT_KEY, "assert", "assertionMethod", "nonce-assertion-000001")
    r = await client.post("/trust/onboarding", json=ok)
    assert r.status_code == 202, r.text
    ok2 = _request(did, AUTH_KEY, "auth", "authentication", "nonce-authentication-1")
    r = await client.post("/trust/onboarding", json=ok2)
    assert r.status_code == 202, r.text
    version = r.json()["version"]

    # The operator approves; the DID's '%' is percent-encoded in the path.
    encoded = did.replace("%", "%25")
    r = await client.post(
        f"/trust/lists/partners/issuers/{encoded}/approve",
        headers={**ADMIN, "If-Match": f'"{version}"'},
    )
    assert r.status_code == 200, r.text
    result, _ = await TrustEvaluator(store).check(
        issuer=did, types=["VerifiableCredential", "EmployeeCredential"], now=NOW
    )
    assert result.outcome is Outcome.PASSED


def _linkage_jwt(
    did: str,
    origin: str,
    *,
    key: Issuer = ASSERT_KEY,
    kid: str = "assert",
    subject_origin: str | None = None,
    exp: datetime | None = None,
) -> str:
    header = {
        "alg": "ES256" if key.key_type is KeyType.P256 else "EdDSA",
        "kid": f"{did}#{kid}",
        "typ": "JWT",
    }
    payload = {
        "iss": did,
        "sub": did,
        "nbf": int((NOW - timedelta(days=1)).timestamp()),
        "exp": int((exp or NOW + timedelta(days=365)).timestamp()),
        "vc": {
            "@context": [
                "https://www.w3.org/2018/credentials/v1",
                "https://identity.foundation/.well-known/did-configuration/v1",
            ],
            "issuer": did,
            "type": ["VerifiableCredential", "DomainLinkageCredential"],
            "credentialSubject": {"id": did, "origin": subject_origin or origin},
        },
    }
    signing_input = ".".join(b64url_encode(json.dumps(part).encode()) for part in (header, payload))
    return signing_input + "." + b64url_encode(key.key.sign(signing_input.encode()))


@pytest.mark.parametrize(
    ("case", "status"),
    [
        ("linked", 202),
        ("no-configuration", 401),
        ("other-origin", 401),
        ("expired", 401),
        ("authentication-key", 401),  # kid not under assertionMethod
        ("forged", 401),  # signed by a key that is not the DID's
    ],
)
async def test_domain_linkage_required(
    tmp_path: Path, https_server: LocalServer, case: str, status: int
) -> None:
    async with _deployment(tmp_path, https_server, linkage=True) as (did, client, _):
        origin = https_server.origin.replace("127.0.0.1", "localhost")
        tokens = {
            "linked": [_linkage_jwt(did, origin)],
            "other-origin": [_linkage_jwt(did, origin, subject_origin="https://evil.example")],
            "expired": [_linkage_jwt(did, origin, exp=NOW - timedelta(days=1))],
            "authentication-key": [_linkage_jwt(did, origin, key=AUTH_KEY, kid="auth")],
            "forged": [_linkage_jwt(did, origin, key=Issuer("x", KeyType.P256))],
        }
        if case != "no-configuration":
            https_server.json(
                CONFIG_PATH,
                {
                    "@context": "https://identity.foundation/.well-known/did-configuration/v1",
                    "linked_dids": [{"not": "a JWT"}, *tokens[case]],
                },
            )
        body = _request(did, AUTH_KEY, "auth", "authentication", f"nonce-linkage-{case}-0001")
        r = await client.post("/trust/onboarding", json=body)
        assert r.status_code == status, r.text
        if status == 401:
            assert r.json()["type"] == pt.UNTRUSTED_ISSUER


async def test_domain_linkage_ignores_other_methods() -> None:
    from vcverifier.trust.domain_linkage import verify_domain_linkage

    fetcher = Fetcher(Settings())
    try:
        found = await verify_domain_linkage(
            AUTH_KEY.did, fetcher=fetcher, resolvers=build_default_resolvers(), now=NOW
        )
    finally:
        await fetcher.aclose()
    assert found is None
