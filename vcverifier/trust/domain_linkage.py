"""DIF Well-Known DID Configuration: does a did:web partner's domain link back to its DID?

With `VCVERIFIER_TRUST_REQUIRE_DOMAIN_LINKAGE=1`, a did:web onboarding request is accepted only
when `https://<origin of the DID>/.well-known/did-configuration.json` holds, in `linked_dids`, a
Domain Linkage Credential in JWT form that:

- has a JWS header `alg` of EdDSA / ES256 / ES384 and a `kid` that is a verification method of
  the DID, listed under `assertionMethod` in its (resolved) DID document, of the matching key type;
- verifies with that key;
- has `iss` and `sub` equal to the DID, `vc.type` containing `DomainLinkageCredential`,
  `vc.credentialSubject.id` equal to the DID and `vc.credentialSubject.origin` equal to the origin;
- has `nbf` not in the future and `exp`, when present, not in the past (with clock skew).

The JSON-LD form of Domain Linkage Credentials is not supported (it needs the DIF context and a
Linked Data proof suite); such entries are ignored. The fetch goes through the safe fetcher
(https only, address guard, size and time caps). Other DID methods have no domain to check.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from vcverifier import problem_types as pt
from vcverifier.did.registry import ResolverRegistry, parse_did
from vcverifier.did.web import did_web_url
from vcverifier.errors import (
    FetchError,
    InputError,
    ProofError,
    ResolutionError,
    UnsupportedError,
    VcVerifierError,
)
from vcverifier.fetch import Fetcher
from vcverifier.keys import KeyType
from vcverifier.multibase import b64url_decode

CONFIG_PATH = "/.well-known/did-configuration.json"
LINKAGE_TYPE = "DomainLinkageCredential"
_ALGS = {"EdDSA": KeyType.ED25519, "Ed25519": KeyType.ED25519, "ES256": KeyType.P256,
         "ES384": KeyType.P384}  # fmt: skip
_MAX_ENTRIES = 20


class DomainLinkageError(VcVerifierError):
    """The did:web partner's domain does not link to its DID (HTTP 401 at onboarding)."""

    problem_type = pt.UNTRUSTED_ISSUER
    title = "Domain linkage not verified"


def origin_of(did: str) -> str:
    """`https://host[:port]` of a did:web (ResolutionError if `did` is not one)."""
    url = httpx.URL(did_web_url(did))
    port = f":{url.port}" if url.port else ""
    return f"https://{url.host}{port}"


def _b64_json(part: str, what: str) -> Any:
    try:
        return json.loads(b64url_decode(part))
    except (InputError, ValueError) as exc:
        raise ProofError(f"the domain linkage JWT {what} is not base64url JSON") from exc


def _time(value: Any, what: str) -> datetime:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise ProofError(f"the domain linkage JWT has no numeric '{what}'")
    return datetime.fromtimestamp(value, UTC)


async def _verify_jwt(
    token: str,
    *,
    did: str,
    origin: str,
    resolvers: ResolverRegistry,
    now: datetime,
    skew: timedelta,
) -> None:
    parts = token.split(".")
    if len(parts) != 3:
        raise ProofError("a domain linkage JWT must be a compact JWS (three parts)")
    header = _b64_json(parts[0], "header")
    payload = _b64_json(parts[1], "payload")
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise ProofError("the domain linkage JWT header and payload must be objects")
    alg, kid = header.get("alg"), header.get("kid")
    key_type = _ALGS.get(alg) if isinstance(alg, str) else None
    if key_type is None:
        raise UnsupportedError(f"unsupported JWS alg {alg!r} (supported: {', '.join(_ALGS)})")
    if not isinstance(kid, str) or kid.split("#", 1)[0] != did:
        raise ProofError(f"the domain linkage JWT's kid must be a verification method of {did}")
    method, _ = await resolvers.verification_method(kid, relationship="assertionMethod")
    if method.public_key.key_type is not key_type:
        raise ProofError(f"alg {alg} does not fit the {method.public_key.key_type} key {kid}")
    try:
        signature = b64url_decode(parts[2])
    except InputError as exc:
        raise ProofError("the domain linkage JWT signature is not base64url") from exc
    if not method.public_key.verify(signature, f"{parts[0]}.{parts[1]}".encode("ascii")):
        raise ProofError("the domain linkage JWT signature does not verify")
    # Only signed content from here on.
    if payload.get("iss") != did or payload.get("sub") != did:
        raise ProofError("the domain linkage JWT's iss and sub must be the DID")
    vc = payload.get("vc")
    subject = vc.get("credentialSubject") if isinstance(vc, dict) else None
    types = vc.get("type") if isinstance(vc, dict) else None
    if not isinstance(types, list) or LINKAGE_TYPE not in types:
        raise ProofError(f"the domain linkage JWT is not a {LINKAGE_TYPE}")
    if not isinstance(subject, dict) or subject.get("id") != did:
        raise ProofError("the domain linkage credential's subject is not the DID")
    if subject.get("origin") != origin:
        raise ProofError(f"the domain linkage credential names another origin than {origin}")
    if _time(payload.get("nbf"), "nbf") > now + skew:
        raise ProofError("the domain linkage credential is not valid yet")
    if "exp" in payload and _time(payload.get("exp"), "exp") <= now - skew:
        raise ProofError("the domain linkage credential has expired")


async def verify_domain_linkage(
    did: str,
    *,
    fetcher: Fetcher,
    resolvers: ResolverRegistry,
    now: datetime,
    skew: timedelta = timedelta(minutes=5),
) -> str | None:
    """The verified origin of a did:web, None for other DID methods. Raises
    DomainLinkageError (no valid linkage) or StateUnavailableError."""
    method, _ = parse_did(did)
    if method != "web":
        return None
    origin = origin_of(did)
    url = origin + CONFIG_PATH
    try:
        _, config = await fetcher.fetch_json(url, https_only=True)
    except FetchError as exc:
        raise DomainLinkageError(f"no DID configuration for {origin}: {exc.detail}") from exc
    linked = config.get("linked_dids")
    if not isinstance(linked, list):
        raise DomainLinkageError(f"{url} has no 'linked_dids' array")
    reasons: list[str] = []
    for item in linked[:_MAX_ENTRIES]:
        if not isinstance(item, str):
            continue  # the JSON-LD form is not supported
        try:
            await _verify_jwt(item, did=did, origin=origin, resolvers=resolvers, now=now, skew=skew)
        except (ProofError, ResolutionError, UnsupportedError, FetchError) as exc:
            reasons.append(exc.detail)
            continue
        return origin
    why = "; ".join(reasons[:3]) or "no JWT domain linkage credential"
    raise DomainLinkageError(f"{origin} does not link to {did}: {why}")
