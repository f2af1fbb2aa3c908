"""JWT VC Issuer Metadata (IETF SD-JWT VC, "JWT VC Issuer Metadata"): the keys of an issuer whose
identifier is an https URL.

For `iss` = `https://host/path`, the metadata lives at `https://host/.well-known/jwt-vc-issuer/path`
(the well-known segment goes between host and path). It is a JSON object whose `issuer` must
equal `iss`, with exactly one of `jwks` (a JWK Set) or `jwks_uri` (an https URL of one). Every
fetch goes through `vcverifier.fetch.Fetcher` (https only, address guard, size caps); a verifier
without a fetcher cannot use https issuers. Keys are imported with `PublicKey.from_jwk`, so only
Ed25519, P-256 and P-384 public keys are usable; a key whose `use` is not `sig` is skipped.
"""

from __future__ import annotations

from typing import Any, Protocol
from urllib.parse import urlsplit

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
    _, metadata = await fetcher.fetch_json(url, https_only=True)
    # SD-JWT VC, JWT VC Issuer Metadata: `issuer` MUST be identical to the `iss` value.
    if metadata.get("issuer") != issuer:
        raise ResolutionError(
            f"the metadata at {url} names issuer {str(metadata.get('issuer'))[:200]!r}, "
            f"not {issuer[:200]}"
        )
    has_jwks, has_uri = "jwks" in metadata, "jwks_uri" in metadata
    if has_jwks == has_uri:
        raise ResolutionError(f"the metadata at {url} must have exactly one of jwks, jwks_uri")
    evidence = {"source": "fetched", "metadata": url}
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


async def issuer_key(
    issuer: str, kid: str | None, *, fetcher: MetadataFetcher | None
) -> tuple[PublicKey, str, dict[str, str]]:
    """The public key `kid` selects from the issuer's metadata (the only signing key when there
    is no kid), its key id, and evidence. Raises ResolutionError, FetchError, UnsupportedError."""
    if fetcher is None:
        raise FetchError(f"issuer {issuer[:200]} needs its metadata fetched, and no fetcher is set")
    keys, evidence = await issuer_jwks(issuer, fetcher=fetcher)
    signing = [k for k in keys if isinstance(k, dict) and k.get("use", "sig") == "sig"]
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
