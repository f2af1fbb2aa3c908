"""JWT VC Issuer Metadata (IETF SD-JWT VC, "JWT VC Issuer Metadata"): the keys of an issuer whose
identifier is an https URL.

For `iss` = `https://host/path`, the metadata lives at `https://host/.well-known/jwt-vc-issuer/path`
(the well-known segment goes between host and path). It is a JSON object whose `issuer` must
equal `iss`, with exactly one of `jwks` (a JWK Set) or `jwks_uri` (an https URL of one). Every
fetch goes through `vcverifier.fetch.Fetcher` (https only, address guard, size caps); a verifier
without a fetcher cannot use https issuers. Keys are imported with `PublicKey.from_jwk`, so only
Ed25519, P-256 and P-384 public keys are usable; a key whose `use` is not `sig` is skipped.

`CachedMetadataFetcher` wraps the fetcher with the shared state store (Redis or in-process):
metadata and JWK Sets are kept for their `Cache-Control` max-age, bounded by `max_ttl`. A `kid`
missing from a cached set triggers one refetch per URL per `refresh_interval` (key rotation
without letting unknown kids force a fetch per request).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Protocol
from urllib.parse import urlsplit

from vcverifier.cache import StateStore
from vcverifier.errors import FetchError, InputError, ResolutionError, UnsupportedError
from vcverifier.keys import PublicKey
from vcverifier.types import JsonObject

WELL_KNOWN = "/.well-known/jwt-vc-issuer"


class MetadataFetcher(Protocol):
    """What this module needs of `vcverifier.fetch.Fetcher`."""

    async def fetch_json(
        self, url: str, *, https_only: bool = ..., accept: str = ...
    ) -> tuple[Any, JsonObject]: ...


def metadata_url(issuer: str) -> str:
    """The metadata URL of an https issuer identifier; ResolutionError if it has none."""
    parts = urlsplit(issuer)
    if parts.scheme != "https" or not parts.netloc or parts.query or parts.fragment:
        raise ResolutionError(
            f"issuer {issuer[:200]!r} is not an https URL without query or fragment"
        )
    path = parts.path.rstrip("/")
    return f"https://{parts.netloc}{WELL_KNOWN}{path}"


async def issuer_jwks(issuer: str, *, fetcher: MetadataFetcher) -> tuple[list[Any], dict[str, str]]:
    """The `keys` of the issuer's JWK Set, and evidence saying where they came from."""
    url = metadata_url(issuer)
    result, metadata = await fetcher.fetch_json(url, https_only=True)
    # SD-JWT VC, JWT VC Issuer Metadata: `issuer` MUST be identical to the `iss` value.
    if metadata.get("issuer") != issuer:
        raise ResolutionError(
            f"the metadata at {url} names issuer {str(metadata.get('issuer'))[:200]!r}, "
            f"not {issuer[:200]}"
        )
    has_jwks, has_uri = "jwks" in metadata, "jwks_uri" in metadata
    if has_jwks == has_uri:
        raise ResolutionError(f"the metadata at {url} must have exactly one of jwks, jwks_uri")
    # CachedMetadataFetcher answers from its cache without a fetch result.
    evidence = {"source": "fetched" if result is not None else "cache", "metadata": url}
    if has_jwks:
        jwks = metadata["jwks"]
    else:
        jwks_uri = metadata["jwks_uri"]
        if not isinstance(jwks_uri, str):
            raise ResolutionError(f"jwks_uri in {url} is not a string")
        _, jwks = await fetcher.fetch_json(jwks_uri, https_only=True)
        evidence["jwks_uri"] = jwks_uri
    keys = jwks.get("keys") if isinstance(jwks, dict) else None
    if not isinstance(keys, list):
        raise ResolutionError(f"the JWK Set of {issuer[:200]} has no 'keys' array")
    return keys, evidence


def _signing_keys(keys: list[Any]) -> list[dict[str, Any]]:
    return [k for k in keys if isinstance(k, dict) and k.get("use", "sig") == "sig"]


async def issuer_key(
    issuer: str, kid: str | None, *, fetcher: MetadataFetcher | None
) -> tuple[PublicKey, str, dict[str, str]]:
    """The public key `kid` selects from the issuer's metadata (the only signing key when there
    is no kid), its key id, and evidence. Raises ResolutionError, FetchError, UnsupportedError."""
    if fetcher is None:
        raise FetchError(f"issuer {issuer[:200]} needs its metadata fetched, and no fetcher is set")
    keys, evidence = await issuer_jwks(issuer, fetcher=fetcher)
    signing = _signing_keys(keys)
    if kid is not None and not any(k.get("kid") == kid for k in signing):
        # Perhaps a rotated key the cached set does not have yet: refetch, at most so often.
        if isinstance(fetcher, CachedMetadataFetcher) and await fetcher.refresh(evidence):
            keys, evidence = await issuer_jwks(issuer, fetcher=fetcher)
            signing = _signing_keys(keys)
    if kid is not None:
        chosen = [k for k in signing if k.get("kid") == kid]
        if len(chosen) != 1:
            raise ResolutionError(
                f"the JWK Set of {issuer[:200]} has {len(chosen)} signing keys "
                f"with kid {kid[:100]!r}"
            )
    else:
        chosen = signing
        if len(chosen) != 1:
            raise ResolutionError(
                f"the JWT has no kid and the JWK Set of {issuer[:200]} has "
                f"{len(chosen)} signing keys"
            )
    jwk = {k: v for k, v in chosen[0].items() if k in ("kty", "crv", "x", "y", "d")}
    try:
        key = PublicKey.from_jwk(jwk)
    except (InputError, UnsupportedError) as exc:
        raise ResolutionError(
            f"the issuer key {kid or ''} of {issuer[:200]} is unusable: {exc}"
        ) from exc
    key_id = kid if kid is not None else key.jwk_thumbprint()
    return key, key_id, {**evidence, "kid": key_id}


class CachedMetadataFetcher:
    """A `MetadataFetcher` that keeps issuer metadata and JWK Sets in a `StateStore`.

    `fetcher` is a `vcverifier.fetch.Fetcher` (anything with `fetch_json` returning a result with
    `max_age`). A response is kept for its Cache-Control max-age, at most `max_ttl` seconds, and
    for `default_ttl` when it says nothing; `no-store`/`no-cache`/`max-age=0` are not kept."""

    def __init__(
        self,
        fetcher: MetadataFetcher,
        store: StateStore,
        *,
        default_ttl: float = 300.0,
        max_ttl: float = 3600.0,
        refresh_interval: float = 60.0,
        prefix: str = "jwt-vc-issuer:",
    ) -> None:
        self.fetcher = fetcher
        self.store = store
        self.default_ttl = default_ttl
        self.max_ttl = max_ttl
        self.refresh_interval = refresh_interval
        self.prefix = prefix

    def _key(self, kind: str, url: str) -> str:
        return f"{self.prefix}{kind}:{hashlib.sha256(url.encode()).hexdigest()}"

    async def fetch_json(
        self, url: str, *, https_only: bool = True, accept: str = "application/json"
    ) -> tuple[Any, JsonObject]:
        cached = await self.store.get(self._key("doc", url))
        if cached is not None:
            value = json.loads(cached)
            if isinstance(value, dict):
                return None, value
        result, data = await self.fetcher.fetch_json(url, https_only=https_only, accept=accept)
        max_age = getattr(result, "max_age", None)
        ttl = self.default_ttl if max_age is None else min(float(max_age), self.max_ttl)
        if ttl > 0:
            await self.store.set(self._key("doc", url), json.dumps(data).encode(), ttl=ttl)
        return result, data

    async def refresh(self, evidence: dict[str, str]) -> bool:
        """Drop the cached metadata (and JWK Set) named in `evidence`, at most once per
        `refresh_interval` per URL. True when dropped (the caller may fetch again)."""
        url = evidence.get("metadata", "")
        if not await self.store.set_nx(self._key("refresh", url), b"1", ttl=self.refresh_interval):
            return False
        await self.store.delete(self._key("doc", url))
        if "jwks_uri" in evidence:
            await self.store.delete(self._key("doc", evidence["jwks_uri"]))
        return True
