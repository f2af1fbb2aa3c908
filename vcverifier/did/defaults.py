"""The default DID methods: `build_default_resolvers()` returns a fresh ResolverRegistry.

A registry is an instance, built on demand (importing this module registers nothing). Methods
that need configuration (did:web: an HTTP client, a cache) are passed in through `extra`.
"""

from __future__ import annotations

from collections.abc import Iterable

from vcverifier.did.jwk import DidJwk
from vcverifier.did.key import DidKey
from vcverifier.did.registry import DidMethod, ResolverRegistry

__all__ = ["build_default_resolvers"]


def build_default_resolvers(extra: Iterable[DidMethod] = ()) -> ResolverRegistry:
    """A registry with did:key and did:jwk, plus the methods in `extra`. Raises ValueError if
    two methods share a name."""
    return ResolverRegistry([DidKey(), DidJwk(), *extra])
