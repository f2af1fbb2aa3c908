"""`ecdsa-jcs-2019` (W3C vc-di-ecdsa): ECDSA over the JCS canonical proof configuration and
document, hashed with SHA-256 for P-256 keys and SHA-384 for P-384 keys; signatures are
`r || s` (64 or 96 bytes). @context handling as in `JcsSuite`."""

from __future__ import annotations

from typing import ClassVar

from vcverifier.keys import KeyType
from vcverifier.proofs.base import JcsSuite

__all__ = ["EcdsaJcs2019"]


class EcdsaJcs2019(JcsSuite):
    name: ClassVar[str] = "ecdsa-jcs-2019"
    key_types: ClassVar[frozenset[KeyType]] = frozenset({KeyType.P256, KeyType.P384})
