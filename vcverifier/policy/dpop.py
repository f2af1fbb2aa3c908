"""What an API calls to accept one of our access tokens: token plus proof of possession.

`verify_dpop_request` (RFC 9449, section 4.3 and 7.1): the `Authorization: DPoP <token>` token
and the `DPoP` proof header of the same HTTP request. It checks the access token
(`tokens.verify_access_token`), then the proof: a compact JWS with `typ` `dpop+jwt`, an
asymmetric `alg` (EdDSA/Ed25519, ES256, ES384) that fits the public `jwk` in its header, a valid
signature by that key, `htm` equal to the request method, `htu` equal to the request URL
without query and fragment, `iat` within `max_age_seconds` (plus clock skew) of now, a `jti`
never seen before (recorded with `StateStore.set_nx`, so a replay fails across workers), `ath`
equal to the base64url SHA-256 of the access token, and finally the RFC 7638 thumbprint of the
proof's key equal to the token's `cnf.jkt`. Server-provided DPoP nonces are not used.

`verify_mtls_request` (RFC 8705, section 3): the token's `cnf["x5t#S256"]` must equal the
base64url SHA-256 of the DER client certificate of the TLS connection the request came on.

Both raise `TokenError` (token) or `DPoPError` (proof) and return the token's claims. Neither
checks revocation: call the introspection endpoint (or `TokenRegistry.introspect`) for that.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from joserfc.jwk import KeySet

from vcverifier import problem_types as pt
from vcverifier.cache import StateStore
from vcverifier.errors import InputError
from vcverifier.keys import KeyType, PrivateKey, PublicKey
from vcverifier.multibase import b64url_decode, b64url_encode
from vcverifier.policy.tokens import TokenError, verify_access_token

PROOF_TYPE = "dpop+jwt"
_ALG_KEYS = {
    "EdDSA": KeyType.ED25519,
    "Ed25519": KeyType.ED25519,
    "ES256": KeyType.P256,
    "ES384": KeyType.P384,
}
_DEFAULT_PORTS = {"http": 80, "https": 443}
_JWS_ALG = {KeyType.P256: "ES256", KeyType.P384: "ES384"}


class DPoPError(TokenError):
    """A DPoP proof is missing, malformed, replayed or does not match the request or token."""

    problem_type = pt.INVALID_DPOP_PROOF
    title = "Invalid DPoP proof"


def access_token_hash(token: str) -> str:
    """`ath`: base64url(SHA-256(ASCII(access token)))."""
    return b64url_encode(hashlib.sha256(token.encode("ascii")).digest())


def certificate_thumbprint(der: bytes) -> str:
    """RFC 8705 `x5t#S256`: base64url(SHA-256(DER certificate))."""
    return b64url_encode(hashlib.sha256(der).digest())


def normalize_htu(url: str) -> str:
    """Scheme and host lower-cased, default port dropped, query and fragment removed
    (RFC 9449, section 4.3, step 9, with RFC 3986 section 6.2.2/6.2.3 normalization)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    netloc = host if port is None or port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", "", ""))


def _decode_segment(segment: str, what: str) -> Any:
    try:
        return json.loads(b64url_decode(segment))
    except (InputError, ValueError) as exc:
        raise DPoPError(f"the proof's {what} is not base64url JSON") from exc


def parse_proof(proof: str) -> tuple[dict[str, Any], dict[str, Any], PublicKey]:
    """Header, claims and key of a DPoP proof whose signature verifies with its own `jwk`."""
    if not isinstance(proof, str) or proof.count(".") != 2 or len(proof) > 8192:
        raise DPoPError("the DPoP proof is not a compact JWS")
    h64, p64, s64 = proof.split(".")
    header, claims = _decode_segment(h64, "header"), _decode_segment(p64, "payload")
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise DPoPError("the proof's header and payload must be JSON objects")
    if header.get("typ") != PROOF_TYPE:
        raise DPoPError(f"the proof's typ must be {PROOF_TYPE}")
    alg = header.get("alg")
    key_type = _ALG_KEYS.get(alg) if isinstance(alg, str) else None
    if key_type is None:
        raise DPoPError(f"alg {alg!r} is not an accepted asymmetric algorithm")
    if "crit" in header:
        raise DPoPError("critical header parameters are not supported")
    try:
        key = PublicKey.from_jwk(header.get("jwk"))  # refuses private keys, small-order points
    except InputError as exc:
        raise DPoPError(f"the proof's jwk is not a usable public key: {exc.detail}") from exc
    if key.key_type is not key_type:
        raise DPoPError(f"alg {alg} does not fit a {key.key_type} key")
    try:
        signature = b64url_decode(s64)
    except InputError as exc:
        raise DPoPError("the proof's signature is not base64url") from exc
    if not key.verify(signature, f"{h64}.{p64}".encode("ascii")):
        raise DPoPError("the proof's signature does not verify with its jwk")
    return header, claims, key


async def check_proof(
    proof: str,
    *,
    method: str,
    url: str,
    store: StateStore,
    now: datetime,
    access_token: str | None = None,
    max_age_seconds: int = 300,
    skew_seconds: int = 60,
) -> PublicKey:
    """Check one DPoP proof for one request (RFC 9449, 4.3); returns the proof's key. The jti is
    recorded only after every other check passed, so a bad proof does not burn it."""
    _, claims, key = parse_proof(proof)
    for name in ("jti", "htm", "htu", "iat"):
        if name not in claims:
            raise DPoPError(f"the proof has no {name} claim")
    jti, htm, htu, iat = claims["jti"], claims["htm"], claims["htu"], claims["iat"]
    if not isinstance(jti, str) or not 8 <= len(jti) <= 256:
        raise DPoPError("jti must be a string of 8 to 256 characters")
    if htm != method.upper():
        raise DPoPError("htm does not match the request method")
    if not isinstance(htu, str) or normalize_htu(htu) != normalize_htu(url):
        raise DPoPError("htu does not match the request URL")
    if not isinstance(iat, int | float) or isinstance(iat, bool):
        raise DPoPError("iat must be a NumericDate")
    age = now.timestamp() - iat
    if age > max_age_seconds + skew_seconds or age < -skew_seconds:
        raise DPoPError("the proof's iat is outside the accepted window")
    if access_token is not None:
        ath = claims.get("ath")
        if not isinstance(ath, str) or not hmac.compare_digest(
            ath, access_token_hash(access_token)
        ):
            raise DPoPError("ath does not match the access token")
    # jti: unique per key within the window (RFC 9449, 11.1). Keyed by thumbprint and jti hash.
    digest = hashlib.sha256(f"{key.jwk_thumbprint()}\n{jti}".encode()).hexdigest()
    ttl = float(max_age_seconds + 2 * skew_seconds)
    if not await store.set_nx(f"dpop:jti:{digest}", b"1", ttl=ttl):
        raise DPoPError("the DPoP proof was already used (jti replay)")
    return key


async def verify_dpop_request(
    access_token: str,
    dpop_proof: str | None,
    *,
    method: str,
    url: str,
    keys: KeySet,
    audience: str,
    store: StateStore,
    now: datetime,
    issuer: str | None = None,
    max_age_seconds: int = 300,
    skew_seconds: int = 60,
) -> dict[str, Any]:
    """Check a DPoP-bound access token with the DPoP proof of the same request; returns the
    token's claims. `keys` is the verifier's published JWK set (`keys.public_keyset(jwks)`)."""
    claims = verify_access_token(
        access_token,
        keys,
        audience=audience,
        now=now,
        issuer=issuer,
        leeway_seconds=skew_seconds,
    )
    jkt = claims["cnf"].get("jkt")
    if not isinstance(jkt, str):
        raise TokenError("the token is not bound to a DPoP key (no cnf.jkt)")
    if not dpop_proof:
        raise DPoPError("a DPoP-bound token needs a DPoP proof")
    key = await check_proof(
        dpop_proof,
        method=method,
        url=url,
        store=store,
        now=now,
        access_token=access_token,
        max_age_seconds=max_age_seconds,
        skew_seconds=skew_seconds,
    )
    if not hmac.compare_digest(key.jwk_thumbprint(), jkt):
        raise DPoPError("the DPoP proof was signed by another key than the token is bound to")
    return claims


def verify_mtls_request(
    access_token: str,
    client_certificate_der: bytes | None,
    *,
    keys: KeySet,
    audience: str,
    now: datetime,
    issuer: str | None = None,
    skew_seconds: int = 60,
) -> dict[str, Any]:
    """Check a certificate-bound access token against the request's TLS client certificate
    (DER); returns the token's claims."""
    claims = verify_access_token(
        access_token, keys, audience=audience, now=now, issuer=issuer, leeway_seconds=skew_seconds
    )
    expected = claims["cnf"].get("x5t#S256")
    if not isinstance(expected, str):
        raise TokenError("the token is not bound to a client certificate (no cnf x5t#S256)")
    if not client_certificate_der:
        raise TokenError("a certificate-bound token needs a TLS client certificate")
    if not hmac.compare_digest(certificate_thumbprint(client_certificate_der), expected):
        raise TokenError("the client certificate is not the one the token is bound to")
    return claims


def create_proof(
    key: PrivateKey,
    *,
    method: str,
    url: str,
    now: datetime,
    access_token: str | None = None,
    jti: str | None = None,
) -> str:
    """A DPoP proof (client side, RFC 9449 section 4.2) signed by `key`: what a holder sends in
    the `DPoP` header with each request. For tests, demos and Python clients."""
    public = key.public_key()
    alg = "Ed25519" if public.key_type is KeyType.ED25519 else _JWS_ALG[public.key_type]
    header = {"typ": PROOF_TYPE, "alg": alg, "jwk": public.to_jwk()}
    claims: dict[str, Any] = {
        "jti": jti or secrets.token_urlsafe(16),
        "htm": method.upper(),
        "htu": url,
        "iat": int(now.timestamp()),
    }
    if access_token is not None:
        claims["ath"] = access_token_hash(access_token)
    h64 = b64url_encode(json.dumps(header, separators=(",", ":")).encode())
    p64 = b64url_encode(json.dumps(claims, separators=(",", ":")).encode())
    signature = key.sign(f"{h64}.{p64}".encode("ascii"))
    return f"{h64}.{p64}.{b64url_encode(signature)}"
