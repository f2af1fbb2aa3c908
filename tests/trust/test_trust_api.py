"""The trust HTTP endpoints: admin authentication (401/403), If-Match versions (409/428),
onboarding (valid, forged, replayed), approval, signed export/import, concurrent edits."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from vcverifier import problem_types as pt
from vcverifier.api.app import create_app
from vcverifier.api.routes.trust import build_router
from vcverifier.cache import MemoryStore
from vcverifier.config import Settings
from vcverifier.contexts.loader import DocumentLoader
from vcverifier.did.defaults import build_default_resolvers
from vcverifier.proofs import default_suites
from vcverifier.result import Outcome
from vcverifier.testing import Issuer
from vcverifier.trust.evaluate import TrustEvaluator
from vcverifier.trust.onboarding import make_request
from vcverifier.trust.service import TrustService
from vcverifier.trust.store import TrustStore
from vcverifier.trust.store_file import FileTrustStore
from vcverifier.verifier import Verifier

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
KEY = "admin-key-0123456789"
ADMIN = {"Authorization": f"Bearer {KEY}"}
OPERATOR = Issuer("trust-operator")
PARTNER = Issuer("onboarding-partner")


def _settings(tmp_path: Path, **kw: object) -> Settings:
    key_file = tmp_path / "operator.jwk"
    key_file.write_text(json.dumps(OPERATOR.key.to_jwk()))
    values: dict[str, object] = {
        "trust_dir": tmp_path / "trust",
        "admin_api_keys": [KEY, "second-key-0123456789"],
        "trust_operators": [OPERATOR.did],
        "trust_signing_key_file": key_file,
        **kw,
    }
    return Settings(**values)  # type: ignore[arg-type]


def _app(settings: Settings, store: TrustStore) -> FastAPI:
    verifier = Verifier(
        settings,
        loader=DocumentLoader(),
        resolvers=build_default_resolvers(),
        suites=default_suites(),
        trust=TrustEvaluator(store),
    )
    app = create_app(settings, verifier=verifier, store=MemoryStore())
    if not any(getattr(r, "path", "").startswith("/trust") for r in app.routes):
        app.include_router(build_router())
    app.state.trust_service = TrustService(
        settings=settings,
        store=store,
        resolvers=verifier.resolvers,
        suites=verifier.suites,
        state=MemoryStore(),
        clock=lambda: NOW,
    )
    return app


@pytest.fixture
async def client(tmp_path: Path, trust_store: TrustStore) -> AsyncIterator[httpx.AsyncClient]:
    app = _app(_settings(tmp_path), trust_store)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


def _onboarding(nonce: str = "nonce-0123456789abcdef", partner: Issuer = PARTNER) -> object:
    return make_request(
        issuer=partner.did,
        key=partner.key,
        verification_method=partner.vm,
        list_id="partners",
        types=["EmployeeCredential"],
        nonce=nonce,
        now=NOW,
        suites=default_suites(),
        name="Example Corp",
    )


async def _create(client: httpx.AsyncClient, list_id: str = "partners") -> httpx.Response:
    r = await client.post("/trust/lists", json={"id": list_id, "name": "Partners"}, headers=ADMIN)
    assert r.status_code == 201, r.text
    return r


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/trust/lists"),
        ("POST", "/trust/lists"),
        ("GET", "/trust/lists/partners"),
        ("POST", "/trust/lists/partners/issuers"),
        ("POST", "/trust/lists/partners/issuers/did:example:x/approve"),
        ("GET", "/trust/lists/partners/export"),
        ("POST", "/trust/import"),
        ("GET", "/trust/journal"),
    ],
)
async def test_admin_calls_need_the_right_key(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    for headers in ({}, {"Authorization": "Basic " + KEY}, {"Authorization": "Bearer "}):
        r = await client.request(method, path, headers=headers, json={})
        assert r.status_code == 401, (headers, r.text)
        assert r.json()["type"] == pt.UNAUTHORIZED
        assert r.headers["WWW-Authenticate"].startswith("Bearer")
    r = await client.request(method, path, headers={"Authorization": "Bearer wrong"}, json={})
    assert r.status_code == 403
    assert r.json()["type"] == pt.FORBIDDEN
    assert r.headers["content-type"].startswith("application/problem+json")


async def test_no_admin_keys_configured_means_forbidden(tmp_path: Path) -> None:
    app = _app(_settings(tmp_path, admin_api_keys=[]), FileTrustStore(tmp_path / "t"))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as c:
        r = await c.get("/trust/lists", headers=ADMIN)
    assert r.status_code == 403


async def test_list_lifecycle_with_versions(client: httpx.AsyncClient) -> None:
    created = await _create(client)
    assert created.headers["ETag"] == '"1"'
    again = await client.post("/trust/lists", json={"id": "partners"}, headers=ADMIN)
    assert again.status_code == 409 and again.json()["type"] == pt.CONFLICT
    entry = {
        "did": "did:example:acme",
        "types": ["EmployeeCredential"],
        "status": "active",
        "authoritativeClaims": ["credentialSubject.role"],
    }
    no_version = await client.post("/trust/lists/partners/issuers", json=entry, headers=ADMIN)
    assert no_version.status_code == 428
    added = await client.post(
        "/trust/lists/partners/issuers", json=entry, headers={**ADMIN, "If-Match": '"1"'}
    )
    assert added.status_code == 200 and added.headers["ETag"] == '"2"'
    stale = await client.post(
        "/trust/lists/partners/issuers/did:example:acme/suspend",
        json={"reason": "audit"},
        headers={**ADMIN, "If-Match": '"1"'},
    )
    assert stale.status_code == 409 and stale.json()["type"] == pt.CONFLICT
    suspended = await client.post(
        "/trust/lists/partners/issuers/did:example:acme/suspend",
        json={"reason": "audit"},
        headers={**ADMIN, "If-Match": '"2"'},
    )
    assert suspended.status_code == 200
    assert suspended.json()["issuers"][0]["status"] == "suspended"
    # A transition the status does not allow is a conflict too.
    rejected = await client.post(
        "/trust/lists/partners/issuers/did:example:acme/reject",
        headers={**ADMIN, "If-Match": '"3"'},
    )
    assert rejected.status_code == 409
    missing = await client.post(
        "/trust/lists/partners/issuers/did:example:nobody/approve",
        params={"version": 3},
        headers=ADMIN,
    )
    assert missing.status_code == 404
    assert (await client.get("/trust/lists/nope", headers=ADMIN)).status_code == 404
    bad = await client.post(
        "/trust/lists/partners/issuers",
        json={"did": "not-a-did"},
        headers={**ADMIN, "If-Match": '"3"'},
    )
    assert bad.status_code == 422
    listing = await client.get("/trust/lists", headers=ADMIN)
    assert listing.json()["lists"] == [
        {
            "id": "partners",
            "name": "Partners",
            "operator": None,
            "version": 3,
            "issuers": {"suspended": 1},
        }
    ]
    journal = (
        await client.get("/trust/journal", params={"list": "partners"}, headers=ADMIN)
    ).json()["entries"]
    assert [e["action"] for e in journal] == ["create-list", "add-issuer", "suspend"]
    assert all(e["actor"].startswith("admin:") and KEY not in e["actor"] for e in journal)
    assert journal[2]["previousVersion"] == 2 and journal[2]["detail"] == "audit"


async def test_onboarding_and_approval(client: httpx.AsyncClient, trust_store: TrustStore) -> None:
    unknown = await client.post("/trust/onboarding", json=_onboarding("nonce-unknown-list-000"))
    assert unknown.status_code == 404
    await _create(client)
    r = await client.post("/trust/onboarding", json=_onboarding())
    assert r.status_code == 202, r.text
    assert r.json() == {
        "list": "partners",
        "issuer": PARTNER.did,
        "status": "pending",
        "version": 2,
    }
    replayed = await client.post("/trust/onboarding", json=_onboarding())
    assert replayed.status_code == 401 and replayed.json()["type"] == pt.CHALLENGE_REPLAYED
    forged = _onboarding("nonce-forged-0123456789")
    assert isinstance(forged, dict)
    forged["types"] = ["ClearanceCredential"]
    r = await client.post("/trust/onboarding", json=forged)
    assert r.status_code == 401 and r.json()["type"] == pt.PROOF_VERIFICATION_ERROR
    malformed = await client.post("/trust/onboarding", json={"issuer": PARTNER.did})
    assert malformed.status_code == 400

    evaluator = TrustEvaluator(trust_store)
    types = ["VerifiableCredential", "EmployeeCredential"]
    result, _ = await evaluator.check(issuer=PARTNER.did, types=types, now=NOW)
    assert result.outcome is Outcome.FAILED
    approved = await client.post(
        f"/trust/lists/partners/issuers/{PARTNER.did}/approve",
        headers={**ADMIN, "If-Match": r.headers.get("ETag", '"2"')},
    )
    assert approved.status_code == 200, approved.text
    result, _ = await evaluator.check(issuer=PARTNER.did, types=types, now=NOW)
    assert result.outcome is Outcome.PASSED
    assert result.evidence["listVersion"] == "3"


async def test_export_and_import(client: httpx.AsyncClient, tmp_path: Path) -> None:
    await _create(client)
    entry = {"did": "did:example:acme", "types": ["EmployeeCredential"], "status": "active"}
    await client.post(
        "/trust/lists/partners/issuers", json=entry, headers={**ADMIN, "If-Match": '"1"'}
    )
    exported = await client.get("/trust/lists/partners/export", headers=ADMIN)
    assert exported.status_code == 200, exported.text
    signed = exported.json()
    assert signed["issuer"] == OPERATOR.did

    # A second deployment that trusts the operator imports it.
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    other = _app(_settings(other_dir), FileTrustStore(other_dir / "trust"))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=other), base_url="http://other"
    ) as c2:
        tampered = json.loads(json.dumps(signed))
        tampered["credentialSubject"]["trustList"]["issuers"][0]["types"].append("Clearance")
        r = await c2.post("/trust/import", json=tampered, headers=ADMIN)
        assert r.status_code == 422 and r.json()["type"] == pt.PROOF_VERIFICATION_ERROR
        r = await c2.post("/trust/import", json=signed, headers=ADMIN)
        assert r.status_code == 200, r.text
        assert r.headers["ETag"] == '"2"'
        assert r.json()["issuers"][0]["did"] == "did:example:acme"
        again = await c2.post("/trust/import", json=signed, headers=ADMIN)
        assert again.status_code == 409
    # A deployment that does not trust the operator refuses it.
    third_dir = tmp_path / "third"
    third_dir.mkdir()
    third = _app(_settings(third_dir, trust_operators=[]), FileTrustStore(third_dir / "trust"))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=third), base_url="http://third"
    ) as c3:
        r = await c3.post("/trust/import", json=signed, headers=ADMIN)
        assert r.status_code == 422 and r.json()["type"] == pt.UNTRUSTED_ISSUER


async def test_export_without_key_is_not_implemented(tmp_path: Path) -> None:
    app = _app(_settings(tmp_path, trust_signing_key_file=None), FileTrustStore(tmp_path / "t"))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as c:
        await _create(c)
        r = await c.get("/trust/lists/partners/export", headers=ADMIN)
    assert r.status_code == 501


async def test_fifty_concurrent_http_edits(client: httpx.AsyncClient) -> None:
    """50 edits with the same If-Match: exactly one applies, 49 get 409; none is lost."""
    await _create(client)

    async def add(i: int) -> int:
        entry = {"did": f"did:example:issuer{i}", "types": ["T"]}
        r = await client.post(
            "/trust/lists/partners/issuers", json=entry, headers={**ADMIN, "If-Match": '"1"'}
        )
        return r.status_code

    statuses = await asyncio.gather(*(add(i) for i in range(50)))
    assert sorted(set(statuses)) == [200, 409]
    assert statuses.count(200) == 1
    final = (await client.get("/trust/lists/partners", headers=ADMIN)).json()
    assert final["version"] == 2 and len(final["issuers"]) == 1


async def test_router_in_the_real_app(tmp_path: Path) -> None:
    """Through create_app's lifespan: the trust service is built from the app's services."""
    settings = _settings(tmp_path)
    store = FileTrustStore(settings.trust_dir)
    verifier = Verifier(
        settings,
        loader=DocumentLoader(),
        resolvers=build_default_resolvers(),
        suites=default_suites(),
        trust=TrustEvaluator(store),
    )
    app = create_app(settings, verifier=verifier, store=MemoryStore())
    if not any(getattr(r, "path", "").startswith("/trust") for r in app.routes):
        app.include_router(build_router())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            r = await c.post("/trust/lists", json={"id": "partners"}, headers=ADMIN)
            assert r.status_code == 201
            now = datetime.now(UTC)  # the real app's clock
            body = make_request(
                issuer=PARTNER.did,
                key=PARTNER.key,
                verification_method=PARTNER.vm,
                list_id="partners",
                types=["EmployeeCredential"],
                nonce="nonce-real-app-0123456",
                now=now,
                suites=default_suites(),
            )
            r = await c.post("/trust/onboarding", json=body)
            assert r.status_code == 202, r.text
            r = await c.get("/trust/lists/partners", headers=ADMIN)
            assert r.json()["issuers"][0]["status"] == "pending"
    assert (settings.trust_dir / "partners.json").is_file()
