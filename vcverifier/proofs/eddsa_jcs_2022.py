"""`eddsa-jcs-2022` (W3C vc-di-eddsa): Ed25519 over SHA-256 hashes of the JCS canonical proof
configuration and document. The proof carries the document's @context; when verifying, the
document's @context must start with it (see `JcsSuite`)."""

from __future__ import annotations

from typing import ClassVar

from vcverifier.keys import KeyType
from vcverifier.proofs.base import JcsSuite

__all__ = ["EddsaJcs2022"]


class EddsaJcs2022(JcsSuite):
    name: ClassVar[str] = "eddsa-jcs-2022"
    key_types: ClassVar[frozenset[KeyType]] = frozenset({KeyType.ED25519})
