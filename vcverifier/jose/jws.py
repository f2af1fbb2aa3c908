"""Compact JWS through joserfc, with this project's algorithm, header and key rules.

What is checked here, for every JWS the JOSE formats carry (issuer JWTs, presentations, KB-JWTs):

- parsing is joserfc's (`extract_compact`); the payload must be a JSON object with no duplicate
  member names and bounded nesting;
- `alg` is one of EdDSA (Ed25519), Ed25519 (RFC 9864), ES256, ES384. `none`, every HMAC and RSA
  algorithm, and anything else is refused before a key is looked at;
- `alg` must match the key type (EdDSA/Ed25519 ↔ Ed25519, ES256 ↔ P-256, ES384 ↔ P-384), so a
  public key can never be used as an HMAC secret;
- `jku`, `x5u`, `x5c` and `jwk` header parameters are refused: keys come from the issuer's DID,
  its JWT VC Issuer Metadata, or (for a KB-JWT) the credential's `cnf`, never from the token;
- any `crit` header is refused (no extension is understood), and so is RFC 7797 `b64`.

Errors are `ProofError` with a problem type from the specs; nothing here resolves keys.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, OKPKey
from joserfc.jws import CompactSignature as _Compact
from joserfc.jws import JWSRegistry, extract_compact, validate_compact
from joserfc.jws import serialize_compact as _serialize_compact

from vcverifier import problem_types as pt
from vcverifier.errors import InputError, ProofError
from vcverifier.jsonutil import check_depth
from vcverifier.keys import KeyType, PrivateKey, PublicKey
from vcverifier.types import JsonObject

# alg -> the only key type it may be used with.
ALGORITHMS: dict[str, KeyType] = {
    "EdDSA": KeyType.ED25519,
    "Ed25519": KeyType.ED25519,
    "ES256": KeyType.P256,
    "ES384": KeyType.P384,
}
# The alg a signer uses for each key type.
DEFAULT_ALG: dict[KeyType, str] = {
    KeyType.ED25519: "EdDSA",
    KeyType.P256: "ES256",
    KeyType.P384: "ES384",
}
# Header parameters that would let the token choose its own key (RFC 7515 4.1.2-4.1.6).
UNTRUSTED_KEY_HEADERS = ("jku", "jwk", "x5u", "x5c")
MAX_TOKEN_BYTES = 1_048_576
MAX_JSON_DEPTH = 64


class _Registry(JWSRegistry):
    """joserfc's registry restricted to our algorithms. `get_alg` is overridden only so that
    joserfc's deprecation warning for the name "EdDSA" (RFC 9864) is not raised per call: the
    algorithm itself is joserfc's."""

    max_header_length = 8192
    max_payload_length = MAX_TOKEN_BYTES
    max_signature_length = 256

    def __init__(self) -> None:
        super().__init__(algorithms=tuple(ALGORITHMS), strict_check_header=False)

    def get_alg(self, name: str) -> Any:
        if name not in ALGORITHMS or name not in self.algorithms:
            raise ProofError(f"JWS algorithm {name!r} is not accepted", problem_type=_CRYPTO)
        return self.algorithms[name]


_CRYPTO = pt.CRYPTOGRAPHIC_SECURITY_ERROR
REGISTRY = _Registry()


@dataclass(frozen=True, slots=True)
class ParsedJws:
    """A compact JWS split by joserfc, header rules applied, signature not yet verified."""

    token: str
    header: JsonObject
    payload: JsonObject
    _obj: _Compact

    @property
    def alg(self) -> str:
        return str(self.header["alg"])

    @property
    def kid(self) -> str | None:
        kid = self.header.get("kid")
        return kid if isinstance(kid, str) else None

    @property
    def typ(self) -> str | None:
        typ = self.header.get("typ")
        return typ if isinstance(typ, str) else None


def _no_duplicates(pairs: list[tuple[str, Any]]) -> JsonObject:
    out: JsonObject = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate member name {key!r}")
        out[key] = value
    return out


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid JSON number {name}")


def parse_json(data: bytes, what: str) -> Any:
    """Parse JSON strictly (UTF-8, no duplicate names, no NaN, bounded depth). Raises ProofError."""
    try:
        value = json.loads(
            data.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_constant=_reject_constant
        )
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ProofError(
            f"the {what} is not valid JSON: {exc}", problem_type=pt.PARSING_ERROR
        ) from exc
    try:
        check_depth(value, MAX_JSON_DEPTH)
    except InputError as exc:
        raise ProofError(str(exc), problem_type=pt.PARSING_ERROR) from exc
    return value


def parse_json_object(data: bytes, what: str) -> JsonObject:
    """`parse_json`, and the value must be an object."""
    value = parse_json(data, what)
    if not isinstance(value, dict):
        raise ProofError(f"the {what} is not a JSON object", problem_type=pt.PARSING_ERROR)
    return value


def normalize_typ(typ: str) -> str:
    """RFC 7515 4.1.9: media types compare case-insensitively; `application/` may be omitted."""
    lowered = typ.lower()
    return lowered[len("application/") :] if lowered.startswith("application/") else lowered


@functools.lru_cache(maxsize=64)
def _accepted_typs(typ: tuple[str | None, ...]) -> frozenset[str | None]:
    return frozenset(normalize_typ(t) if t is not None else None for t in typ)


def parse(token: str, *, typ: Collection[str | None]) -> ParsedJws:
    """Split `token` with joserfc and apply the header rules. `typ` lists the accepted `typ`
    values (compared per RFC 7515); `None` in it accepts an absent `typ`. Raises ProofError."""
    if len(token) > MAX_TOKEN_BYTES:
        raise ProofError("the JWT is too large", problem_type=pt.PARSING_ERROR)
    try:
        obj = extract_compact(token.encode("ascii"), registry=REGISTRY)
    except (JoseError, UnicodeEncodeError, ValueError) as exc:
        raise ProofError(f"not a compact JWS: {exc}", problem_type=pt.PARSING_ERROR) from exc
    header = obj.headers()
    if not isinstance(header, dict):
        raise ProofError("the JWS header is not a JSON object", problem_type=pt.PARSING_ERROR)
    alg = header.get("alg")
    # RFC 8725 3.1: the algorithm is checked against an allowlist before anything else.
    if not isinstance(alg, str) or alg not in ALGORITHMS:
        raise ProofError(f"JWS algorithm {alg!r} is not accepted", problem_type=_CRYPTO)
    if "crit" in header:
        raise ProofError(
            f"unsupported critical header parameters {header['crit']!r}",
            problem_type=pt.MALFORMED_PROOF_ERROR,
        )
    if "b64" in header:
        raise ProofError(
            "unencoded payloads (b64) are not accepted", problem_type=pt.MALFORMED_PROOF_ERROR
        )
    untrusted = [name for name in UNTRUSTED_KEY_HEADERS if name in header]
    if untrusted:
        raise ProofError(
            f"header parameters {', '.join(untrusted)} are not trusted for keys",
            problem_type=_CRYPTO,
        )
    if "kid" in header and not isinstance(header["kid"], str):
        raise ProofError("the JWS 'kid' must be a string", problem_type=pt.MALFORMED_PROOF_ERROR)
    raw_typ = header.get("typ")
    if raw_typ is not None and not isinstance(raw_typ, str):
        raise ProofError("the JWS 'typ' must be a string", problem_type=pt.MALFORMED_PROOF_ERROR)
    accepted = _accepted_typs(tuple(typ))
    if (normalize_typ(raw_typ) if raw_typ is not None else None) not in accepted:
        wanted = ", ".join(sorted(t if t is not None else "(absent)" for t in accepted))
        raise ProofError(
            f"JWS typ {raw_typ!r} is not accepted here (expected {wanted})",
            problem_type=pt.MALFORMED_PROOF_ERROR,
        )
    payload = parse_json_object(obj.payload, "JWS payload")
    return ParsedJws(token, header, payload, obj)


def joserfc_key(key: PublicKey) -> OKPKey | ECKey:
    """The joserfc key for an imported (already validated) public key. Cached per key: joserfc
    recomputes a key's JWK form on first use, which costs about a fifth of an Ed25519 verify."""
    return _joserfc_key(key.key_type, key.raw)


@functools.lru_cache(maxsize=4096)
def _joserfc_key(key_type: KeyType, raw: bytes) -> OKPKey | ECKey:
    impl = PublicKey.from_raw(key_type, raw).impl
    jkey: OKPKey | ECKey
    if isinstance(impl, ed25519.Ed25519PublicKey):
        jkey = OKPKey.import_key(impl)
    else:
        jkey = ECKey.import_key(impl)
    jkey.dict_value  # noqa: B018 - computed once here, not on every verification
    return jkey


def verify(parsed: ParsedJws, key: PublicKey) -> None:
    """Verify the signature of `parsed` with `key`. Raises ProofError."""
    expected = ALGORITHMS[parsed.alg]
    if key.key_type is not expected:
        raise ProofError(
            f"JWS algorithm {parsed.alg} does not match the {key.key_type} key",
            problem_type=_CRYPTO,
        )
    try:
        ok = validate_compact(parsed._obj, joserfc_key(key), registry=REGISTRY)
    except JoseError as exc:
        raise ProofError(f"the JWS could not be verified: {exc}", problem_type=_CRYPTO) from exc
    if not ok:
        raise ProofError("the JWS signature does not verify", problem_type=_CRYPTO)


def sign(header: JsonObject, payload: JsonObject | bytes, key: PrivateKey) -> str:
    """Sign a compact JWS with joserfc (for fixtures and tests). `alg` defaults to the key's."""
    header = {"alg": DEFAULT_ALG[key.key_type], **header}
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    impl = key.impl
    if isinstance(impl, ed25519.Ed25519PrivateKey):
        jkey: OKPKey | ECKey = OKPKey.import_key(impl)
    else:
        jkey = ECKey.import_key(impl)
    return _serialize_compact(header, body, jkey, registry=REGISTRY)


def numeric_date(payload: JsonObject, claim: str) -> datetime | None:
    """A JWT NumericDate claim (RFC 7519 2) as an aware UTC datetime, or None when absent."""
    if claim not in payload:
        return None
    value = payload[claim]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ProofError(
            f"JWT claim {claim!r} is not a NumericDate", problem_type=pt.MALFORMED_PROOF_ERROR
        )
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise ProofError(
            f"JWT claim {claim!r} is out of range", problem_type=pt.MALFORMED_PROOF_ERROR
        ) from exc


def rfc3339(moment: datetime) -> str:
    """An aware datetime as an RFC 3339 UTC string with second precision (`...Z`)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
