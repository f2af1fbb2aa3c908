"""The authorization endpoints over HTTP (httpx ASGI transport, both state back ends):
/authorize with DPoP and mTLS-bound tokens, the JWKS, introspection and operator revocation,
and the AuthZEN evaluation shape."""

from __future__ import annotations

import base64
import json
import ssl
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import trustme

from tests.policy.world import (
    ALICE,
    API,
    PARTNER_POLICY,
    ROGUE,
    employee,
    partner_entry,
    present,
    trust_list,
)
from vcverifier import problem_types as pt
from vcverifier.api.app import create_app
from vcverifier.api.routes import authorize as authorize_routes
from vcverifier.cache import MemoryStore, StateStore
from vcverifier.config import Settings
from vcverifier.policy.dpop import certificate_thumbprint, create_proof, verify_dpop_request
from vcverifier.policy.keys import SigningKeys, public_keyset
from vcverifier.testing import FIXED_TIME

ADMIN = "admin-key-for-tests"
RS_KEY = "resource-server-key"
FAR = FIXED_TIME + timedelta(days=3650)
ORDERS = "https://api.example.com/orders/42"


def settings_for(tmp_path: Path, **overrides: Any) -> Settings:
    trust_dir = tmp_path / "trust"
    trust_dir.mkdir(exist_ok=True)
    (trust_dir / "partners.json").write_text(json.dumps(trust_list(partner_entry())))
    keys_file = tmp_path / "token-keys.json"
    SigningKeys.generate().save(keys_file)
    values: dict[str, Any] = {
        "redis_url": None,
        "trust_dir": trust_dir,
        "policy_file": PARTNER_POLICY,
        "token_signing_keys_file": keys_file,
        "token_issuer": "https://verifier.example.com",
        "admin_api_keys": ADMIN,
        "introspection_api_keys": RS_KEY,
    }
    values.update(overrides)
    return Settings(**values)


async def client_for(settings: Settings, store: StateStore) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, store=store)
    if not any(getattr(r, "path", "") == "/authorize" for r in app.routes):
        app.include_router(authorize_routes.build_router())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c


@pytest.fixture
async def client(tmp_path: Path, store: StateStore) -> AsyncIterator[httpx.AsyncClient]:
    async for c in client_for(settings_for(tmp_path), store):
        yield c


def body(role: str = "employee", *, action: str = "read", **extra: Any) -> dict[str, Any]:
    vp, opts = present(employee(role, valid_until=FAR))
    out: dict[str, Any] = {
        "verifiablePresentation": vp,
        "options": {"challenge": opts.challenge, "domain": opts.domain},
        "audience": API,
        "action": action,
        "resource": "orders/42",
    }
    out.update(extra)
    return out


async def test_authorize_mints_a_dpop_token_that_the_api_can_check(
    client: httpx.AsyncClient,
) -> None:
    r = await client.post("/authorize", json=body("employee", scopes=["orders:read", "x:y"]))
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["decision"] == "permit"
    assert answer["scopes"] == ["orders:read"]
    assert answer["token_type"] == "DPoP"
    assert answer["verification"]["verified"] is True
    assert r.headers["cache-control"] == "no-store"
    token = answer["access_token"]

    jwks = (await client.get("/.well-known/jwks.json")).json()
    now = datetime.now(UTC)
    proof = create_proof(ALICE.key, method="GET", url=ORDERS, now=now, access_token=token)
    claims = await verify_dpop_request(
        token,
        proof,
        method="GET",
        url=ORDERS,
        keys=public_keyset(jwks),
        audience=API,
        store=MemoryStore(),
        now=now,
        issuer="https://verifier.example.com",
    )
    assert claims["sub"] == ALICE.did

    auth = {"Authorization": f"Bearer {RS_KEY}"}
    active = await client.post("/introspect", data={"token": token}, headers=auth)
    assert active.status_code == 200 and active.json()["active"] is True
    revoke = await client.post(
        "/tokens/revoke", json={"jti": claims["jti"]}, headers={"Authorization": f"Bearer {ADMIN}"}
    )
    assert revoke.status_code == 200, revoke.text
    inactive = await client.post("/introspect", data={"token": token}, headers=auth)
    assert inactive.json() == {"active": False}


async def test_deny_is_an_answer_with_reasons(client: httpx.AsyncClient) -> None:
    r = await client.post("/authorize", json=body("employee", action="write"))
    assert r.status_code == 200
    answer = r.json()
    assert answer["decision"] == "deny" and answer["permit"] is False
    assert "access_token" not in answer
    assert any(reason["code"] == "no-matching-rule" for reason in answer["reasons"])


async def test_untrusted_issuer_names_the_trust_check(client: httpx.AsyncClient) -> None:
    vp, opts = present(employee("manager", issuer=ROGUE, valid_until=FAR))
    r = await client.post(
        "/authorize",
        json={
            "verifiablePresentation": vp,
            "options": {"challenge": opts.challenge, "domain": opts.domain},
            "audience": API,
            "action": "read",
        },
    )
    assert r.json()["decision"] == "deny"
    assert "trust" in r.json()["failedChecks"]


async def test_mtls_binding_from_a_trusted_gateway_header(
    tmp_path: Path, store: StateStore
) -> None:
    leaf = trustme.CA().issue_cert("client.partner.example")
    der = ssl.PEM_cert_to_DER_cert(leaf.cert_chain_pems[0].bytes().decode())
    settings = settings_for(
        tmp_path,
        unsafe_trust_client_cert_header="Client-Cert",
        client_cert_header_gateways="127.0.0.1",
    )
    async for client in client_for(settings, store):
        header = {"Client-Cert": ":" + base64.b64encode(der).decode() + ":"}
        r = await client.post("/authorize", json=body(tokenBinding="mtls"), headers=header)
        answer = r.json()
        assert answer["decision"] == "permit", answer
        assert answer["token_type"] == "Bearer"
        auth = {"Authorization": f"Bearer {RS_KEY}"}
        intro = await client.post(
            "/introspect", data={"token": answer["access_token"]}, headers=auth
        )
        assert intro.json()["cnf"] == {"x5t#S256": certificate_thumbprint(der)}
        # Without the header there is no certificate to bind to: deny.
        r = await client.post("/authorize", json=body(tokenBinding="mtls"))
        assert r.json()["decision"] == "deny"
        assert r.json()["reasons"][0]["code"] == "token-binding-unavailable"


async def test_authzen_evaluation(client: httpx.AsyncClient) -> None:
    def evaluation(role: str, action: str, subject: str | None = None) -> dict[str, Any]:
        b = body(role)
        return {
            "subject": {"type": "did", "id": subject or ALICE.did},
            "action": {"name": action},
            "resource": {"type": "order", "id": "42", "properties": {"audience": API}},
            "context": {
                "verifiablePresentation": b["verifiablePresentation"],
                "challenge": b["options"]["challenge"],
                "domain": b["options"]["domain"],
            },
        }

    meta = (await client.get("/.well-known/authzen-configuration")).json()
    assert meta["access_evaluation_endpoint"].endswith("/access/v1/evaluation")
    r = await client.post("/access/v1/evaluation", json=evaluation("manager", "write"))
    assert r.status_code == 200, r.text
    assert r.json()["decision"] is True
    assert r.json()["context"]["subject"] == {"type": "did", "id": ALICE.did}
    r = await client.post("/access/v1/evaluation", json=evaluation("employee", "write"))
    assert r.json()["decision"] is False
    assert r.json()["context"]["reason_admin"]["en"]
    r = await client.post(
        "/access/v1/evaluation", json=evaluation("manager", "read", subject="did:example:bob")
    )
    assert r.json()["decision"] is False


async def test_introspection_and_revocation_need_keys(client: httpx.AsyncClient) -> None:
    r = await client.post("/introspect", data={"token": "x"})
    assert r.status_code == 401 and r.json()["type"] == pt.UNAUTHORIZED
    r = await client.post(
        "/introspect", data={"token": "x"}, headers={"Authorization": "Bearer no"}
    )
    assert r.status_code == 403
    r = await client.post(
        "/tokens/revoke", json={"holder": ALICE.did}, headers={"Authorization": f"Bearer {RS_KEY}"}
    )
    assert r.status_code == 403
    r = await client.post(
        "/tokens/revoke", json={"holder": ALICE.did}, headers={"Authorization": f"Bearer {ADMIN}"}
    )
    assert r.status_code == 200


async def test_jwks_publishes_current_and_previous(tmp_path: Path, store: StateStore) -> None:
    settings = settings_for(tmp_path)
    assert settings.token_signing_keys_file is not None
    old = SigningKeys.load(settings.token_signing_keys_file)
    rotated = old.rotate(keep=1)
    rotated.save(settings.token_signing_keys_file)
    async for client in client_for(settings, store):
        jwks = (await client.get("/.well-known/jwks.json")).json()
        assert [k["kid"] for k in jwks["keys"]] == [rotated.kid, old.kid]
        assert all("d" not in k for k in jwks["keys"])


async def test_no_policy_is_a_configuration_problem(tmp_path: Path, store: StateStore) -> None:
    async for client in client_for(settings_for(tmp_path, policy_file=None), store):
        r = await client.post("/authorize", json=body())
        assert r.status_code == 503
        assert r.json()["type"] == pt.CONFIG_ERROR


async def test_prepare_refuses_a_broken_policy(tmp_path: Path, store: StateStore) -> None:
    from vcverifier.api.deps import Services
    from vcverifier.challenges import ChallengeStore
    from vcverifier.errors import ConfigError
    from vcverifier.metrics import default_metrics
    from vcverifier.verifier import Verifier

    def services(settings: Settings) -> Services:
        return Services(
            settings=settings,
            verifier=Verifier.from_settings(settings, store=store),
            store=store,
            challenges=ChallengeStore(store, ttl_seconds=60),
            metrics=default_metrics(),
            state_backend="memory",
        )

    broken = tmp_path / "broken-policy.json"
    broken.write_text(PARTNER_POLICY.read_text().replace('"effect": "deny"', '"effect": "no"'))
    app = create_app(settings_for(tmp_path), store=store)
    with pytest.raises(ConfigError, match=r"rules\[2\] \(id 'no-marketing-use'\): effect"):
        authorize_routes.prepare(app, services(settings_for(tmp_path, policy_file=broken)))
    authorize_routes.prepare(app, services(settings_for(tmp_path)))
    assert isinstance(app.state.authz, authorize_routes.AuthzServices)
