"""`eddsa-rdfc-2022` (W3C vc-di-eddsa): Ed25519 over SHA-256 hashes of the RDFC-1.0 canonical
proof configuration (with the document's @context) and document."""

from __future__ import annotations

from typing import ClassVar

from vcverifier.keys import KeyType
from vcverifier.proofs.base import RdfcSuite

__all__ = ["EddsaRdfc2022"]


class EddsaRdfc2022(RdfcSuite):
    name: ClassVar[str] = "eddsa-rdfc-2022"
    key_types: ClassVar[frozenset[KeyType]] = frozenset({KeyType.ED25519})
