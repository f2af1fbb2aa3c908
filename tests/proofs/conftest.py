"""Shared pieces for the proof tests: the default registries, a signer, a verify shortcut."""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from vcverifier.contexts.loader import DocumentLoader
from vcverifier.did.defaults import build_default_resolvers
from vcverifier.did.key import did_key_from_public_key
from vcverifier.did.registry import ResolverRegistry
from vcverifier.keys import KeyType, PrivateKey
from vcverifier.proofs import default_suites
from vcverifier.proofs.data_integrity import ProofOutcome, verify_data_integrity
from vcverifier.proofs.registry import DATA_INTEGRITY_PROOF, SuiteRegistry
from vcverifier.types import JsonObject

NOW = datetime(2026, 6, 1, tzinfo=UTC)
SKEW = timedelta(minutes=5)

SUITE_KEY_TYPES = {
    "eddsa-rdfc-2022": (KeyType.ED25519,),
    "eddsa-jcs-2022": (KeyType.ED25519,),
    "Ed25519Signature2020": (KeyType.ED25519,),
    "ecdsa-rdfc-2019": (KeyType.P256, KeyType.P384),
    "ecdsa-jcs-2019": (KeyType.P256, KeyType.P384),
}
SUITE_CASES = [(s, k) for s, types in SUITE_KEY_TYPES.items() for k in types]

V2 = "https://www.w3.org/ns/credentials/v2"
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"
ED25519_2020 = "https://w3id.org/security/suites/ed25519-2020/v1"


class Signer:
    """A did:key identity from a fixed seed."""

    def __init__(self, name: str, key_type: KeyType = KeyType.ED25519) -> None:
        seed = name.encode().ljust(32, b".")[:32]
        self.key = PrivateKey.from_seed(key_type, seed)
        self.did = did_key_from_public_key(self.key.public_key())
        self.vm = f"{self.did}#{self.did.removeprefix('did:key:')}"

    def proof(
        self,
        document: JsonObject,
        suite: str,
        *,
        purpose: str = "assertionMethod",
        created: str | None = "2026-01-01T00:00:00Z",
        previous: JsonObject | list[JsonObject] | None = None,
        **extra: Any,
    ) -> JsonObject:
        """A proof over `document` (its `proof` removed, or set to `previous` for a chain)."""
        impl = default_suites().get(suite)
        options: JsonObject = {"type": impl.proof_type}
        if impl.proof_type == DATA_INTEGRITY_PROOF:
            options["cryptosuite"] = suite
        if created is not None:
            options["created"] = created
        options.update(verificationMethod=self.vm, proofPurpose=purpose, **extra)
        unsecured = {k: v for k, v in copy.deepcopy(document).items() if k != "proof"}
        if previous is not None:
            unsecured["proof"] = previous if isinstance(previous, list) else [previous]
        return impl.create_proof(unsecured, options, self.key, loader=DocumentLoader())

    def sign(self, document: JsonObject, suite: str, **kwargs: Any) -> JsonObject:
        signed = copy.deepcopy(document)
        signed["proof"] = self.proof(document, suite, **kwargs)
        return signed


def credential(issuer: str, *, legacy_suite: bool = False) -> JsonObject:
    context = [V2, EXAMPLES_V2, *([ED25519_2020] if legacy_suite else [])]
    return {
        "@context": context,
        "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
        "type": ["VerifiableCredential", "AlumniCredential"],
        "name": "Alumni Credential",
        "issuer": issuer,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
    }


Verify = Callable[..., Awaitable[ProofOutcome]]


@pytest.fixture(scope="session")
def loader() -> DocumentLoader:
    return DocumentLoader()


@pytest.fixture(scope="session")
def suites() -> SuiteRegistry:
    return default_suites()


@pytest.fixture
def resolvers() -> ResolverRegistry:
    return build_default_resolvers()


@pytest.fixture
def verify(resolvers: ResolverRegistry, suites: SuiteRegistry, loader: DocumentLoader) -> Verify:
    """verify(document, purpose=..., expected_controller=..., now=...) with the defaults."""

    async def run(document: Any, **kwargs: Any) -> ProofOutcome:
        options: dict[str, Any] = {
            "purpose": "assertionMethod",
            "resolver": resolvers,
            "suites": suites,
            "loader": loader,
            "now": NOW,
            "skew": SKEW,
            "expected_controller": None,
        }
        options.update(kwargs)
        return await verify_data_integrity(document, **options)

    return run
