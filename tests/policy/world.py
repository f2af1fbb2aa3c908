"""Policy test world: a partner issuer on a trust list, an employee holder, signed presentations,
a `Verifier` from settings on both state back ends, and the partner-api example policy."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from vcverifier.cache import StateStore
from vcverifier.config import Settings
from vcverifier.policy.decision import AuthorizationRequest
from vcverifier.policy.introspection import TokenRegistry
from vcverifier.policy.keys import SigningKeys
from vcverifier.policy.model import Policy
from vcverifier.policy.service import Authorizer
from vcverifier.testing import FIXED_TIME, Issuer, credential, presentation
from vcverifier.types import JsonObject
from vcverifier.verifier import Verifier, VerifyOptions

REPO = Path(__file__).resolve().parents[2]
PARTNER_POLICY = REPO / "fixtures" / "policies" / "partner-api.json"
NOW = FIXED_TIME + timedelta(days=30)
API = "https://api.example.com/orders"
ISSUER_URL = "https://verifier.example.com"
PARTNER = Issuer("partner-acme")
ROGUE = Issuer("rogue-issuer")
ALICE = Issuer("holder-alice")


def trust_list(*entries: JsonObject, list_id: str = "partners") -> JsonObject:
    return {"schemaVersion": 1, "id": list_id, "version": 1, "issuers": list(entries)}


def partner_entry(
    did: str = PARTNER.did, *, claims: list[str] | None = None, status: str = "active"
) -> JsonObject:
    entry: JsonObject = {"did": did, "types": ["EmployeeCredential"], "status": status}
    entry["authoritativeClaims"] = (
        claims
        if claims is not None
        else ["credentialSubject.role", "credentialSubject.employer", "credentialSubject.name"]
    )
    return entry


def employee(
    role: str = "employee",
    *,
    issuer: Issuer = PARTNER,
    holder: Issuer = ALICE,
    extra: JsonObject | None = None,
    valid_until: datetime | None = FIXED_TIME + timedelta(days=365),
    status: JsonObject | None = None,
    credential_id: str = "urn:uuid:0c07c1ce-57cb-41af-bef2-1b932b986873",
) -> JsonObject:
    claims: JsonObject = {"name": "Alice", "employer": "ACME Corp", "role": role}
    claims.update(extra or {})
    doc = credential(
        issuer.did,
        holder.did,
        types=("EmployeeCredential",),
        claims=claims,
        valid_until=valid_until,
        status=status,
        credential_id=credential_id,
    )
    return issuer.sign(doc)


def present(
    *credentials: JsonObject, holder: Issuer = ALICE, domain: str = API
) -> tuple[JsonObject, VerifyOptions]:
    """A presentation signed by `holder` for a fresh challenge, and the options to verify it."""
    challenge = f"challenge-{uuid.uuid4().hex}"
    vp = presentation(holder.did, list(credentials))
    signed = holder.sign(vp, purpose="authentication", challenge=challenge, domain=domain)
    return signed, VerifyOptions(challenge=challenge, domain=API)


@dataclass
class World:
    settings: Settings
    verifier: Verifier
    store: StateStore
    keys: SigningKeys
    trust_dir: Path

    def authorizer(self, policy: Policy | JsonObject | None = None) -> Authorizer:
        if policy is None:
            policy = Policy.load(PARTNER_POLICY)
        elif not isinstance(policy, Policy):
            policy = Policy.from_json(policy)
        registry = TokenRegistry(
            self.store, self.keys, status=self.verifier.status, issuer=ISSUER_URL
        )
        return Authorizer(self.verifier, policy, keys=self.keys, registry=registry)

    def write_trust(self, data: JsonObject) -> None:
        (self.trust_dir / f"{data['id']}.json").write_text(json.dumps(data))


@pytest.fixture
def make_world(store: StateStore, tmp_path: Path) -> Callable[..., World]:
    def make(*lists: JsonObject, **settings: Any) -> World:
        trust_dir = tmp_path / "trust"
        trust_dir.mkdir(exist_ok=True)
        for data in lists or (trust_list(partner_entry()),):
            (trust_dir / f"{data['id']}.json").write_text(json.dumps(data))
        config = Settings(trust_dir=trust_dir, **settings)
        verifier = Verifier.from_settings(config, store=store)
        return World(config, verifier, store, SigningKeys.generate(), trust_dir)

    return make


@pytest.fixture
def world(make_world: Callable[..., World]) -> World:
    return make_world()


def request(
    action: str = "read",
    *,
    scopes: tuple[str, ...] | None = None,
    audience: str = API,
    purpose: str = "",
) -> AuthorizationRequest:
    return AuthorizationRequest(
        audience=audience, action=action, resource="orders/42", purpose=purpose, scopes=scopes
    )
