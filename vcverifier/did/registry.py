"""The DID method registry. A method is one module with a class that has `name` and `resolve`.

A registry is an instance (passed to `Verifier`), never a class-level dict. An unknown method
fails with its name and the supported set.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import ClassVar, Protocol

from vcverifier.did.document import DidDocument, VerificationMethod
from vcverifier.errors import ResolutionError, UnsupportedError

MAX_DID_LENGTH = 4096
_DID_RE = re.compile(r"^did:([a-z0-9]+):([A-Za-z0-9._:%-]*[A-Za-z0-9._-])$")


def parse_did(did: str) -> tuple[str, str]:
    """Split a DID into (method, method-specific id); raises ResolutionError if malformed."""
    if not isinstance(did, str) or len(did) > MAX_DID_LENGTH:
        raise ResolutionError("invalid DID: not a string or too long")
    m = _DID_RE.match(did)
    if m is None:
        raise ResolutionError(f"invalid DID syntax: {did[:200]!r}")
    return m.group(1), m.group(2)


@dataclass(frozen=True, slots=True)
class ResolvedDid:
    """A resolved document and where it came from (`source`: computed, fetched, cache,
    stale-cache, bundle; `age_seconds` for evidence that was fetched at some time)."""

    document: DidDocument
    evidence: Mapping[str, str] = field(default_factory=dict)


class DidMethod(Protocol):
    name: ClassVar[str]  # the method name as in the DID: "key", "jwk", "web"

    async def resolve(self, did: str) -> ResolvedDid:
        """Resolve `did` (already known to be of this method). Raises ResolutionError,
        FetchError or UnsupportedError."""
        ...


class ResolverRegistry:
    def __init__(self, methods: Iterable[DidMethod]) -> None:
        self._methods: dict[str, DidMethod] = {}
        for method in methods:
            if method.name in self._methods:
                raise ValueError(f"DID method {method.name!r} registered twice")
            self._methods[method.name] = method

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(sorted(self._methods))

    def method(self, name: str) -> DidMethod:
        found = self._methods.get(name)
        if found is None:
            raise UnsupportedError(
                f"unsupported DID method {name!r} (supported: {', '.join(self.names)})"
            )
        return found

    async def resolve(self, did: str) -> ResolvedDid:
        method, _ = parse_did(did)
        return await self.method(method).resolve(did)

    async def verification_method(
        self, url: str, *, relationship: str
    ) -> tuple[VerificationMethod, ResolvedDid]:
        """Dereference a verification method URL (`did:...#fragment`) and check that it is
        authorized for `relationship` (assertionMethod, authentication, ...)."""
        if not isinstance(url, str) or not url.startswith("did:"):
            raise ResolutionError(f"verification method {str(url)[:200]!r} is not a DID URL")
        did = url.split("#", 1)[0].split("?", 1)[0].split("/", 1)[0] if "#" in url else url
        if "#" not in url:
            raise ResolutionError(f"verification method {url[:200]} has no fragment")
        method, _ = parse_did(did)  # what `resolve` does, one coroutine fewer
        resolved = await self.method(method).resolve(did)
        return resolved.document.verification_method(url, relationship), resolved
