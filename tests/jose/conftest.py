"""Issuers and holders with real keys from fixed seeds, and DID documents served by a static DID
method (`did:test:<name>`), so the JOSE tests do not depend on the did:key/did:web modules."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import pytest

from vcverifier.did.document import DidDocument
from vcverifier.did.registry import ResolvedDid, ResolverRegistry
from vcverifier.errors import ResolutionError
from vcverifier.jose import JoseOutcome, verify_jose
from vcverifier.keys import KeyType, PrivateKey

NOW = datetime(2026, 6, 1, 12, 0, 0, tzinfo=UTC)
SKEW = timedelta(minutes=5)
ALGS = {"EdDSA": KeyType.ED25519, "ES256": KeyType.P256, "ES384": KeyType.P384}


def seeded_key(key_type: KeyType, label: str) -> PrivateKey:
    return PrivateKey.from_seed(key_type, hashlib.sha256(label.encode()).digest())


@dataclass(frozen=True)
class Party:
    did: str
    key: PrivateKey
    kid: str


class StaticDids:
    """A DID method serving fixed documents (`did:test:...`)."""

    name: ClassVar[str] = "test"

    def __init__(self) -> None:
        self.documents: dict[str, dict[str, Any]] = {}

    async def resolve(self, did: str) -> ResolvedDid:
        data = self.documents.get(did)
        if data is None:
            raise ResolutionError(f"{did} not found")
        return ResolvedDid(DidDocument(did, data), {"source": "computed"})

    def add(
        self,
        name: str,
        key: PrivateKey,
        *,
        relationships: tuple[str, ...] = ("assertionMethod", "authentication"),
    ) -> Party:
        did = f"did:test:{name}"
        kid = f"{did}#key-1"
        self.documents[did] = {
            "@context": ["https://www.w3.org/ns/did/v1"],
            "id": did,
            "verificationMethod": [
                {
                    "id": kid,
                    "type": "JsonWebKey",
                    "controller": did,
                    "publicKeyJwk": key.public_key().to_jwk(),
                }
            ],
            **{rel: [kid] for rel in relationships},
        }
        return Party(did, key, kid)


@pytest.fixture
def dids() -> StaticDids:
    return StaticDids()


@pytest.fixture
def resolver(dids: StaticDids) -> ResolverRegistry:
    return ResolverRegistry([dids])


@pytest.fixture(params=list(ALGS))
def alg(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def issuer(dids: StaticDids, alg: str) -> Party:
    return dids.add(f"issuer-{alg.lower()}", seeded_key(ALGS[alg], f"issuer-{alg}"))


@pytest.fixture
def holder(dids: StaticDids, alg: str) -> Party:
    return dids.add(f"holder-{alg.lower()}", seeded_key(ALGS[alg], f"holder-{alg}"))


@pytest.fixture
def other(dids: StaticDids) -> Party:
    return dids.add("other", seeded_key(KeyType.ED25519, "other"))


Verify = Callable[..., Awaitable[JoseOutcome]]


@pytest.fixture
def verify(resolver: ResolverRegistry) -> Verify:
    async def run(token: str, **kwargs: Any) -> JoseOutcome:
        options: dict[str, Any] = {
            "purpose_hint": None,
            "resolver": resolver,
            "now": NOW,
            "skew": SKEW,
            "nonce": None,
            "audience": None,
        }
        options.update(kwargs)
        return await verify_jose(token, **options)

    return run


def credential(issuer: str, subject: str = "did:example:alice", **extra: Any) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:uuid:0b1c4a5e-1d7f-4f0a-9b6e-3c1c0d2a7e11",
        "type": ["VerifiableCredential", "ExampleDegreeCredential"],
        "issuer": issuer,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": subject, "degree": {"name": "Bachelor of Science"}},
        **extra,
    }


def credential_11(issuer: str, subject: str = "did:example:alice", **extra: Any) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "id": "urn:uuid:5f0e3f8e-7c52-4d0e-8d5c-1f2a3b4c5d6e",
        "type": ["VerifiableCredential", "UniversityDegreeCredential"],
        "issuer": issuer,
        "issuanceDate": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": subject, "degree": {"name": "Bachelor of Science"}},
        **extra,
    }
