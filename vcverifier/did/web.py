"""`did:web` (did:web method specification, "Read (Resolve)"): a DID document served over HTTPS.

`did:web:example.com` → `https://example.com/.well-known/did.json`;
`did:web:example.com%3A8443:users:alice` → `https://example.com:8443/users/alice/did.json`.
Only https is used, through the safe fetcher (address guard, caps, timeouts, every redirect
checked). The document's `id` must be the DID; Multikey and JsonWebKey/JsonWebKey2020
verification methods are read by `DidDocument`. Documents are cached in the state store for
the smaller of `did_cache_ttl_seconds` and the response's HTTP max-age, with a last-known-good
copy used (no older than `did_max_staleness_seconds`) when the server cannot be reached, and
the offline bundle after that. `ResolvedDid.evidence` says which: `source` is fetched, cache,
stale-cache or bundle, with `age_seconds`.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import ClassVar

from vcverifier.bundle.format import Bundle, Kind
from vcverifier.bundle.source import BundleSource, as_source
from vcverifier.cache import StateStore
from vcverifier.config import Settings
from vcverifier.did.document import DidDocument
from vcverifier.did.registry import ResolvedDid, parse_did
from vcverifier.errors import FetchError, ResolutionError
from vcverifier.evidence import EvidenceCache, Fetched, min_ttl
from vcverifier.fetch import Fetcher, parse_json_object

__all__ = ["DidWeb", "did_web_url"]

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*$")
_SEGMENT = re.compile(r"^(?:[A-Za-z0-9._~-]|%[0-9A-Fa-f]{2})+$")
_ACCEPT = "application/did+json, application/did+ld+json;q=0.9, application/json;q=0.8"


def did_web_url(did: str) -> str:
    """The https URL of `did`'s document. Raises ResolutionError if it is not a valid did:web."""
    method, msid = parse_did(did)
    if method != "web":
        raise ResolutionError(f"{did[:200]} is not a did:web")
    domain, *path = msid.split(":")
    # Step 2: a port is given percent-encoded (%3A); nothing else may be encoded in the domain.
    host, sep, port = domain.replace("%3a", "%3A").partition("%3A")
    if not _HOST.match(host) or "%" in host:
        raise ResolutionError(f"invalid did:web {did[:200]}: bad domain {host[:100]!r}")
    if sep and (not port.isdigit() or not 0 < int(port) < 65536 or port.startswith("0")):
        raise ResolutionError(f"invalid did:web {did[:200]}: bad port {port[:10]!r}")
    for segment in path:
        if not _SEGMENT.match(segment) or segment in (".", ".."):
            raise ResolutionError(f"invalid did:web {did[:200]}: bad path segment")
    authority = f"{host.lower()}:{port}" if sep else host.lower()
    # Steps 3-5: colons become path separators; no path means /.well-known.
    suffix = "/".join(path) if path else ".well-known"
    return f"https://{authority}/{suffix}/did.json"


class DidWeb:
    """The did:web method (registry name "web")."""

    name: ClassVar[str] = "web"

    def __init__(
        self,
        fetcher: Fetcher,
        store: StateStore,
        settings: Settings,
        *,
        bundle: Bundle | BundleSource | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.fetcher = fetcher
        self.settings = settings
        self.bundle = as_source(bundle, settings)  # with the bundle freshness policy
        self._clock = clock or (lambda: datetime.now(UTC))
        self.cache = EvidenceCache(
            store,
            namespace="did-web",
            max_staleness_seconds=settings.did_max_staleness_seconds,
            offline=settings.offline,
            lock_ttl_seconds=settings.fetch_timeout_seconds + 5,
        )
        # Parsed documents by content digest: a warm resolve does not re-parse keys.
        self._documents: OrderedDict[str, DidDocument] = OrderedDict()

    def _document(self, did: str, body: bytes) -> DidDocument:
        key = hashlib.sha256(did.encode() + b"\0" + body).hexdigest()
        found = self._documents.get(key)
        if found is not None:
            self._documents.move_to_end(key)
            return found
        try:
            data = parse_json_object(body, url=did, max_depth=self.settings.max_json_depth)
        except FetchError as exc:
            raise ResolutionError(f"the DID document of {did} is not JSON: {exc.detail}") from exc
        document = DidDocument(did, data)  # checks that its id is the DID
        self._documents[key] = document
        if len(self._documents) > 256:
            self._documents.popitem(last=False)
        return document

    async def resolve(self, did: str) -> ResolvedDid:
        """Resolve `did`. Raises ResolutionError (invalid DID, document or id mismatch) or
        FetchError (unreachable, refused, too large, and no usable cached copy)."""
        url = did_web_url(did)
        now = self._clock()

        async def fetch() -> Fetched:
            result = await self.fetcher.fetch(url, https_only=True, accept=_ACCEPT)
            self._document(did, result.body)  # never cache a document that does not validate
            ttl = min_ttl(float(self.settings.did_cache_ttl_seconds), result.max_age)
            return Fetched(result.body, ttl)

        async def from_bundle() -> tuple[bytes, datetime] | None:
            if self.bundle is None:
                return None
            # Missing, or older than the bundle freshness policy: FetchError saying which.
            entry, _ = self.bundle.require(Kind.DID_DOCUMENT, did, now=now)
            self._document(did, entry.body)
            return entry.body, entry.obtained_at

        evidence = await self.cache.get(did, fetch, now=now, bundle=from_bundle)
        document = self._document(did, evidence.value)
        return ResolvedDid(document, {**evidence.describe(now), "url": url})
