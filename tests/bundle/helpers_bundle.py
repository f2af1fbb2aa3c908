"""A small world for bundle tests: a did:web issuer served over HTTPS on 127.0.0.1, its
Bitstring Status List served over HTTP, and an operator key that signs bundles."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from helpers_http import LocalServer, make_server, tls_ca

from vcverifier.bundle.sign import signer_of
from vcverifier.config import Settings
from vcverifier.keys import KeyType, PrivateKey
from vcverifier.status.bitstring import make_status_list
from vcverifier.testing import V2, Issuer, credential, seed_bytes
from vcverifier.types import JsonObject

__all__ = ["World", "make_server", "tls_ca", "world"]

STATUS_PATH = "/status/1"


@dataclass
class World:
    issuer: Issuer
    did: str
    vm: str
    web: LocalServer
    status_server: LocalServer
    operator_key: PrivateKey
    tmp: Path

    @property
    def status_url(self) -> str:
        return self.status_server.url(STATUS_PATH)

    @property
    def operator_did(self) -> str:
        return signer_of(self.operator_key).split("#", 1)[0]

    @property
    def bundle_path(self) -> Path:
        return self.tmp / "evidence.bundle.json"

    def did_document(self) -> JsonObject:
        return {
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
            "id": self.did,
            "verificationMethod": [
                {
                    "id": self.vm,
                    "type": "Multikey",
                    "controller": self.did,
                    "publicKeyMultibase": self.issuer.key.public_key().to_multikey(),
                }
            ],
            "assertionMethod": [self.vm],
        }

    def publish_status(self, revoked: set[int] = frozenset()) -> None:  # type: ignore[assignment]
        doc: JsonObject = {
            "@context": [V2],
            "id": self.status_url,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": self.did,
            "validFrom": "2025-01-01T00:00:00Z",
            "credentialSubject": {
                "id": f"{self.status_url}#list",
                "type": "BitstringStatusList",
                "statusPurpose": "revocation",
                "encodedList": make_status_list(dict.fromkeys(revoked, 1)),
            },
        }
        self.status_server.json(STATUS_PATH, self.issuer.sign(doc, verification_method=self.vm))

    def credential(self, index: int = 7) -> JsonObject:
        status = {
            "id": f"{self.status_url}#{index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(index),
            "statusListCredential": self.status_url,
        }
        return self.issuer.sign(credential(self.did, status=status), verification_method=self.vm)

    def online(self, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "allow_private_network": "1",
            "fetch_timeout_seconds": 3.0,
            "trust_dir": self.tmp / "trust",
            "bundle_trusted_signers": [self.operator_did],
        }
        values.update(overrides)
        return Settings(**values)

    def offline(self, **overrides: Any) -> Settings:
        return self.online(offline=True, bundle=self.bundle_path, **overrides)


@pytest.fixture
def world(make_server: Callable[..., LocalServer], tls_ca: Any, tmp_path: Path) -> World:
    web = make_server(ssl_context=tls_ca.server_context(), host="localhost")
    status_server = make_server()
    issuer = Issuer("bundle-web-issuer")
    did = f"did:web:localhost%3A{web.port}"
    (tmp_path / "trust").mkdir()
    w = World(
        issuer=issuer,
        did=did,
        vm=f"{did}#key-1",
        web=web,
        status_server=status_server,
        operator_key=PrivateKey.from_seed(KeyType.ED25519, seed_bytes("bundle-operator")),
        tmp=tmp_path,
    )
    web.json("/.well-known/did.json", w.did_document())
    w.publish_status()
    return w


def now() -> datetime:
    return datetime.now(UTC)


def write_trust_list(world: World, *, status: str = "active") -> None:
    """A trust list `partners` in the world's trust directory naming the did:web issuer."""
    from vcverifier.trust.model import EntryStatus, TrustList, new_entry

    at = datetime(2026, 1, 1, tzinfo=UTC)
    entry = new_entry(
        world.did, ["ExampleDegreeCredential"], now=at, status=EntryStatus(status), name="Web U"
    )
    trust_list = TrustList(id="partners", version=1, issuers=(entry,), name="Partners", updated=at)
    (world.tmp / "trust" / "partners.json").write_text(trust_list.dumps())
