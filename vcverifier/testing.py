"""An issuing helper for tests, fixtures and the demo: fixed-seed keys that sign credentials
and presentations with any registered cryptosuite, and make deliberately broken ones.

Not for production issuance: keys derived from public seeds are public.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from vcverifier.checks.dates import format_datetime
from vcverifier.contexts.loader import DocumentLoader
from vcverifier.keys import KeyType, PrivateKey
from vcverifier.types import JsonObject

V2 = "https://www.w3.org/ns/credentials/v2"
V1 = "https://www.w3.org/2018/credentials/v1"
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"
ED25519_2020 = "https://w3id.org/security/suites/ed25519-2020/v1"
FIXED_TIME = datetime(2026, 1, 1, tzinfo=UTC)

_SUITE_KEYS = {
    "eddsa-rdfc-2022": KeyType.ED25519,
    "eddsa-jcs-2022": KeyType.ED25519,
    "Ed25519Signature2020": KeyType.ED25519,
    "ecdsa-rdfc-2019": KeyType.P256,
    "ecdsa-jcs-2019": KeyType.P256,
}


def seed_bytes(name: str) -> bytes:
    """A 32-byte seed derived from a name (so fixtures are reproducible)."""
    return hashlib.sha256(b"vcverifier-fixture:" + name.encode()).digest()


@dataclass
class Issuer:
    """A did:key identity from a fixed seed; signs with the given cryptosuites."""

    name: str
    key_type: KeyType = KeyType.ED25519
    key: PrivateKey = field(init=False)
    did: str = field(init=False)
    vm: str = field(init=False)

    def __post_init__(self) -> None:
        self.key = PrivateKey.from_seed(self.key_type, seed_bytes(self.name))
        multikey = self.key.public_key().to_multikey()
        self.did = f"did:key:{multikey}"
        self.vm = f"{self.did}#{multikey}"

    @classmethod
    def for_suite(cls, name: str, suite: str) -> Issuer:
        return cls(name, _SUITE_KEYS.get(suite, KeyType.ED25519))

    def sign(
        self,
        document: JsonObject,
        *,
        suite: str = "eddsa-rdfc-2022",
        purpose: str = "assertionMethod",
        created: datetime = FIXED_TIME,
        challenge: str | None = None,
        domain: str | None = None,
        expires: datetime | None = None,
        verification_method: str | None = None,
        extra: JsonObject | None = None,
        loader: DocumentLoader | None = None,
    ) -> JsonObject:
        """Return a copy of `document` with one more proof (a proof set if one exists)."""
        from vcverifier.proofs import default_suites
        from vcverifier.proofs.registry import DATA_INTEGRITY_PROOF

        registry = default_suites()
        impl = registry.get(suite)
        options: JsonObject = {
            "type": impl.proof_type,
            "created": format_datetime(created),
            "verificationMethod": verification_method or self.vm,
            "proofPurpose": purpose,
        }
        if impl.proof_type == DATA_INTEGRITY_PROOF:
            options["cryptosuite"] = suite
        if challenge is not None:
            options["challenge"] = challenge
        if domain is not None:
            options["domain"] = domain
        if expires is not None:
            options["expires"] = format_datetime(expires)
        options.update(extra or {})
        unsecured = {k: v for k, v in copy.deepcopy(document).items() if k != "proof"}
        proof = impl.create_proof(unsecured, options, self.key, loader=loader or DocumentLoader())
        signed = copy.deepcopy(document)
        existing = signed.get("proof")
        if existing is None:
            signed["proof"] = proof
        else:
            signed["proof"] = [*(existing if isinstance(existing, list) else [existing]), proof]
        return signed


def credential(
    issuer: str,
    subject: str | None = "did:example:subject",
    *,
    types: tuple[str, ...] | None = None,
    claims: JsonObject | None = None,
    valid_from: datetime | None = FIXED_TIME - timedelta(days=1),
    valid_until: datetime | None = FIXED_TIME + timedelta(days=3650),
    version: str = "2.0",
    credential_id: str | None = "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
    status: JsonObject | list[JsonObject] | None = None,
    extra_contexts: tuple[str, ...] = (),
) -> JsonObject:
    """An unsigned VCDM credential using the bundled examples context (plus `extra_contexts`,
    e.g. `ED25519_2020` for Ed25519Signature2020 proofs)."""
    if version == "2.0":
        doc: JsonObject = {"@context": [V2, EXAMPLES_V2, *extra_contexts]}
    else:
        doc = {"@context": [V1, "https://www.w3.org/2018/credentials/examples/v1", *extra_contexts]}
    if credential_id is not None:
        doc["id"] = credential_id
    if types is None:
        types = (
            ("ExampleDegreeCredential",) if version == "2.0" else ("UniversityDegreeCredential",)
        )
    doc["type"] = ["VerifiableCredential", *types]
    doc["issuer"] = issuer
    if version == "2.0":
        if valid_from is not None:
            doc["validFrom"] = format_datetime(valid_from)
        if valid_until is not None:
            doc["validUntil"] = format_datetime(valid_until)
    else:
        doc["issuanceDate"] = format_datetime(valid_from or FIXED_TIME)
        if valid_until is not None:
            doc["expirationDate"] = format_datetime(valid_until)
    subject_doc: JsonObject = {}
    if subject is not None:
        subject_doc["id"] = subject
    degree_type = "ExampleBachelorDegree" if version == "2.0" else "BachelorDegree"
    subject_doc.update(
        claims or {"degree": {"type": degree_type, "name": "Bachelor of Science and Arts"}}
    )
    doc["credentialSubject"] = subject_doc
    if status is not None:
        doc["credentialStatus"] = status
    return doc


def presentation(holder: str | None, credentials: list[Any], *, version: str = "2.0") -> JsonObject:
    """An unsigned presentation of `credentials` (objects or enveloped JWTs)."""
    doc: JsonObject = {
        "@context": [V2, EXAMPLES_V2] if version == "2.0" else [V1],
        "type": ["VerifiablePresentation"],
    }
    if holder is not None:
        doc["holder"] = holder
    doc["verifiableCredential"] = credentials
    return doc


def tamper(document: JsonObject, path: str, value: Any) -> JsonObject:
    """A copy of `document` with the dotted `path` set to `value` (after signing: breaks it)."""
    out = copy.deepcopy(document)
    target: Any = out
    parts = path.split(".")
    for part in parts[:-1]:
        target = target[int(part)] if isinstance(target, list) else target[part]
    last = parts[-1]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return out
