"""`ecdsa-rdfc-2019` (W3C vc-di-ecdsa): ECDSA over the RDFC-1.0 canonical proof configuration
(with the document's @context) and document. P-256 keys use SHA-256 throughout; P-384 keys use
SHA-384, both for the hashes and inside RDFC-1.0; signatures are `r || s`."""

from __future__ import annotations

from typing import ClassVar

from vcverifier.keys import KeyType
from vcverifier.proofs.base import RdfcSuite

__all__ = ["EcdsaRdfc2019"]


class EcdsaRdfc2019(RdfcSuite):
    name: ClassVar[str] = "ecdsa-rdfc-2019"
    key_types: ClassVar[frozenset[KeyType]] = frozenset({KeyType.P256, KeyType.P384})
