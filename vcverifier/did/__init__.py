"""DID resolution: a registry of DID methods (`DEFAULT_RESOLVERS` is built by `build_resolvers`)."""

from __future__ import annotations

from vcverifier.did.document import DidDocument, VerificationMethod
from vcverifier.did.registry import DidMethod, ResolvedDid, ResolverRegistry, parse_did

__all__ = [
    "DidDocument",
    "DidMethod",
    "ResolvedDid",
    "ResolverRegistry",
    "VerificationMethod",
    "parse_did",
]
