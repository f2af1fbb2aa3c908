"""`Ed25519Signature2020` (the legacy suite documented in W3C vc-di-eddsa): proof type
`Ed25519Signature2020`, no `cryptosuite`; otherwise as eddsa-rdfc-2022 (RDFC-1.0, SHA-256,
Ed25519). The spec expects an Ed25519VerificationKey2020 method; any verification method holding
an Ed25519 key is accepted (did:key serves a Multikey), and its type is reported in evidence."""

from __future__ import annotations

from typing import ClassVar

from vcverifier.keys import KeyType
from vcverifier.proofs.base import RdfcSuite

__all__ = ["Ed25519Signature2020"]


class Ed25519Signature2020(RdfcSuite):
    name: ClassVar[str] = "Ed25519Signature2020"
    proof_type: ClassVar[str] = "Ed25519Signature2020"
    key_types: ClassVar[frozenset[KeyType]] = frozenset({KeyType.ED25519})
