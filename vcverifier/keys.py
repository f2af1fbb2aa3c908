"""Public and private keys: import from Multikey, JWK and base58, verify and sign.

Supported key types: Ed25519, P-256, P-384. Importing an Ed25519 public key rejects
non-canonical encodings and small-order points: `cryptography` would otherwise accept, for
example, the identity point with a signature that verifies for every message. ECDSA signatures
are IEEE P1363 (`r || s`), as both Data Integrity and JOSE use them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from vcverifier import multibase
from vcverifier.errors import InputError, UnsupportedError


class KeyType(StrEnum):
    ED25519 = "Ed25519"
    P256 = "P-256"
    P384 = "P-384"


# Multicodec codes of public keys (multicodec table: ed25519-pub, p256-pub, p384-pub).
MULTICODEC_PUBLIC = {0xED: KeyType.ED25519, 0x1200: KeyType.P256, 0x1201: KeyType.P384}
MULTICODEC_PUBLIC_BY_TYPE = {v: k for k, v in MULTICODEC_PUBLIC.items()}
# ...and of secret keys (ed25519-priv, p256-priv, p384-priv).
MULTICODEC_SECRET = {0x1300: KeyType.ED25519, 0x1306: KeyType.P256, 0x1307: KeyType.P384}

_CURVES: dict[KeyType, ec.EllipticCurve] = {
    KeyType.P256: ec.SECP256R1(),
    KeyType.P384: ec.SECP384R1(),
}
_HASHES: dict[KeyType, hashes.HashAlgorithm] = {
    KeyType.P256: hashes.SHA256(),
    KeyType.P384: hashes.SHA384(),
}
_COORD_BYTES = {KeyType.P256: 32, KeyType.P384: 48}
_JWK_CRV = {"Ed25519": KeyType.ED25519, "P-256": KeyType.P256, "P-384": KeyType.P384}

# --- Ed25519 point checks (RFC 8032, section 5.1.3) -------------------------------------------
_P = 2**255 - 19
_D = (-121665 * pow(121666, _P - 2, _P)) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)


def _ed25519_decompress(raw: bytes) -> tuple[int, int]:
    y = int.from_bytes(raw, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    if y >= _P:
        raise InputError("non-canonical Ed25519 public key (y >= p)")
    u = (y * y - 1) % _P
    v = (_D * y * y + 1) % _P
    x = (u * pow(v, 3, _P) * pow(u * pow(v, 7, _P), (_P - 5) // 8, _P)) % _P
    if (v * x * x - u) % _P != 0:
        x = (x * _SQRT_M1) % _P
        if (v * x * x - u) % _P != 0:
            raise InputError("invalid Ed25519 public key (not a curve point)")
    if x == 0 and sign:
        raise InputError("non-canonical Ed25519 public key (x = 0 with sign bit set)")
    if x & 1 != sign:
        x = _P - x
    return x, y


def _ed25519_double(x: int, y: int) -> tuple[int, int]:
    # Affine doubling on the twisted Edwards curve -x^2 + y^2 = 1 + d x^2 y^2.
    xy = x * y % _P
    x2, y2 = x * x % _P, y * y % _P
    dxy = _D * x2 * y2 % _P
    nx = 2 * xy * pow(1 + dxy, _P - 2, _P) % _P
    ny = (y2 + x2) * pow(1 - dxy, _P - 2, _P) % _P
    return nx, ny


def check_ed25519_public_key(raw: bytes) -> None:
    """Raise InputError unless `raw` is a canonical Ed25519 point of large order."""
    if len(raw) != 32:
        raise InputError(f"Ed25519 public key must be 32 bytes, got {len(raw)}")
    x, y = _ed25519_decompress(raw)
    for _ in range(3):  # [8]P is the identity exactly when P has small order.
        x, y = _ed25519_double(x, y)
    if x == 0 and y == 1:
        raise InputError("Ed25519 public key is a small-order point")


@dataclass(frozen=True, slots=True)
class PublicKey:
    """An imported public key. Build with the `from_*` constructors, which validate."""

    key_type: KeyType
    raw: bytes  # Ed25519: 32 bytes; EC: compressed SEC1 point
    _impl: ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey = field(repr=False, compare=False)

    @classmethod
    def from_raw(cls, key_type: KeyType, raw: bytes) -> PublicKey:
        if key_type is KeyType.ED25519:
            check_ed25519_public_key(raw)
            return cls(key_type, raw, ed25519.Ed25519PublicKey.from_public_bytes(raw))
        try:
            impl = ec.EllipticCurvePublicKey.from_encoded_point(_CURVES[key_type], raw)
        except ValueError as exc:
            raise InputError(f"invalid {key_type} public key: {exc}") from exc
        compressed = impl.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
        )
        return cls(key_type, compressed, impl)

    @classmethod
    def from_multikey(cls, value: str) -> PublicKey:
        """Import a Multikey `publicKeyMultibase` (base58btc, multicodec-prefixed)."""
        if not isinstance(value, str) or not value.startswith("z"):
            raise InputError("publicKeyMultibase must be a base58btc ('z') multibase string")
        data = multibase.decode(value)
        code, used = multibase.read_varint(data)
        key_type = MULTICODEC_PUBLIC.get(code)
        if key_type is None:
            raise UnsupportedError(
                f"unsupported Multikey codec 0x{code:x} "
                f"(supported: {', '.join(str(t) for t in MULTICODEC_PUBLIC.values())})"
            )
        return cls.from_raw(key_type, data[used:])

    @classmethod
    def from_base58_ed25519(cls, value: str) -> PublicKey:
        """Import an Ed25519VerificationKey2018 `publicKeyBase58`."""
        return cls.from_raw(KeyType.ED25519, multibase.decode("z" + value))

    @classmethod
    def from_jwk(cls, jwk: Any) -> PublicKey:
        """Import a public JWK (OKP Ed25519, EC P-256/P-384); refuses one with private parts."""
        if not isinstance(jwk, dict):
            raise InputError("a JWK must be a JSON object")
        if "d" in jwk:
            raise InputError("a public JWK must not contain the private key ('d')")
        kty, crv = jwk.get("kty"), jwk.get("crv")
        key_type = _JWK_CRV.get(crv) if isinstance(crv, str) else None
        if key_type is None:
            raise UnsupportedError(
                f"unsupported JWK curve {crv!r} (supported: Ed25519, P-256, P-384)"
            )
        x = jwk.get("x")
        if not isinstance(x, str):
            raise InputError("JWK is missing 'x'")
        if key_type is KeyType.ED25519:
            if kty != "OKP":
                raise InputError(f"JWK with crv Ed25519 must have kty OKP, not {kty!r}")
            return cls.from_raw(key_type, multibase.b64url_decode(x))
        if kty != "EC":
            raise InputError(f"JWK with crv {crv} must have kty EC, not {kty!r}")
        y = jwk.get("y")
        if not isinstance(y, str):
            raise InputError("EC JWK is missing 'y'")
        xb, yb = multibase.b64url_decode(x), multibase.b64url_decode(y)
        size = _COORD_BYTES[key_type]
        if len(xb) != size or len(yb) != size:
            raise InputError(f"{crv} JWK coordinates must be {size} bytes each")
        return cls.from_raw(key_type, b"\x04" + xb + yb)

    def to_multikey(self) -> str:
        code = MULTICODEC_PUBLIC_BY_TYPE[self.key_type]
        return multibase.encode_base58btc(multibase.write_varint(code) + self.raw)

    def to_jwk(self) -> dict[str, str]:
        if self.key_type is KeyType.ED25519:
            return {"kty": "OKP", "crv": "Ed25519", "x": multibase.b64url_encode(self.raw)}
        assert isinstance(self._impl, ec.EllipticCurvePublicKey)  # noqa: S101 - by construction
        numbers = self._impl.public_numbers()
        size = _COORD_BYTES[self.key_type]
        return {
            "kty": "EC",
            "crv": str(self.key_type),
            "x": multibase.b64url_encode(numbers.x.to_bytes(size, "big")),
            "y": multibase.b64url_encode(numbers.y.to_bytes(size, "big")),
        }

    def jwk_thumbprint(self) -> str:
        """RFC 7638 JWK thumbprint (SHA-256, base64url)."""
        jwk = self.to_jwk()
        members = (
            ("crv", "kty", "x") if self.key_type is KeyType.ED25519 else ("crv", "kty", "x", "y")
        )
        canonical = json.dumps({k: jwk[k] for k in members}, separators=(",", ":"), sort_keys=True)
        return multibase.b64url_encode(hashlib.sha256(canonical.encode()).digest())

    @property
    def impl(self) -> ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey:
        """The `cryptography` key object (for JOSE libraries)."""
        return self._impl

    def verify(self, signature: bytes, data: bytes) -> bool:
        """True when `signature` is valid over `data`. ECDSA hashes with the curve's hash
        (SHA-256 for P-256, SHA-384 for P-384) and takes a raw `r || s` signature."""
        try:
            if isinstance(self._impl, ed25519.Ed25519PublicKey):
                self._impl.verify(signature, data)
                return True
            size = _COORD_BYTES[self.key_type]
            if len(signature) != 2 * size:
                return False
            r = int.from_bytes(signature[:size], "big")
            s = int.from_bytes(signature[size:], "big")
            self._impl.verify(encode_dss_signature(r, s), data, ec.ECDSA(_HASHES[self.key_type]))
            return True
        except InvalidSignature:
            return False


@dataclass(frozen=True, slots=True)
class PrivateKey:
    """A signing key, for fixtures, signed trust lists, bundles and access tokens."""

    key_type: KeyType
    _impl: ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey = field(repr=False)

    @classmethod
    def generate(cls, key_type: KeyType) -> PrivateKey:
        if key_type is KeyType.ED25519:
            return cls(key_type, ed25519.Ed25519PrivateKey.generate())
        return cls(key_type, ec.generate_private_key(_CURVES[key_type]))

    @classmethod
    def from_seed(cls, key_type: KeyType, seed: bytes) -> PrivateKey:
        """Deterministic key from a seed (tests and fixtures): Ed25519 uses the 32-byte seed
        directly; EC keys derive the scalar from SHA-512(seed) reduced into the group."""
        if key_type is KeyType.ED25519:
            if len(seed) != 32:
                raise InputError("an Ed25519 seed must be 32 bytes")
            return cls(key_type, ed25519.Ed25519PrivateKey.from_private_bytes(seed))
        order = {
            KeyType.P256: 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
            KeyType.P384: int(
                "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF"
                "581A0DB248B0A77AECEC196ACCC52973",
                16,
            ),
        }[key_type]
        scalar = int.from_bytes(hashlib.sha512(seed).digest(), "big") % (order - 1) + 1
        return cls(key_type, ec.derive_private_key(scalar, _CURVES[key_type]))

    @classmethod
    def from_raw_secret(cls, key_type: KeyType, secret: bytes) -> PrivateKey:
        """Import raw secret bytes (Ed25519 seed, or EC big-endian scalar)."""
        if key_type is KeyType.ED25519:
            return cls(key_type, ed25519.Ed25519PrivateKey.from_private_bytes(secret))
        return cls(
            key_type, ec.derive_private_key(int.from_bytes(secret, "big"), _CURVES[key_type])
        )

    @classmethod
    def from_jwk(cls, jwk: dict[str, Any]) -> PrivateKey:
        public = PublicKey.from_jwk({k: v for k, v in jwk.items() if k != "d"})
        d = jwk.get("d")
        if not isinstance(d, str):
            raise InputError("private JWK is missing 'd'")
        key = cls.from_raw_secret(public.key_type, multibase.b64url_decode(d))
        if key.public_key().raw != public.raw:
            raise InputError("private JWK 'd' does not match its public part")
        return key

    def public_key(self) -> PublicKey:
        pub = self._impl.public_key()
        if isinstance(pub, ed25519.Ed25519PublicKey):
            raw = pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        else:
            raw = pub.public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
            )
        return PublicKey.from_raw(self.key_type, raw)

    def secret_bytes(self) -> bytes:
        if isinstance(self._impl, ed25519.Ed25519PrivateKey):
            return self._impl.private_bytes(
                serialization.Encoding.Raw,
                serialization.PrivateFormat.Raw,
                serialization.NoEncryption(),
            )
        return self._impl.private_numbers().private_value.to_bytes(
            _COORD_BYTES[self.key_type], "big"
        )

    def to_jwk(self) -> dict[str, str]:
        return {**self.public_key().to_jwk(), "d": multibase.b64url_encode(self.secret_bytes())}

    @property
    def impl(self) -> ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey:
        return self._impl

    def sign(self, data: bytes) -> bytes:
        """Sign: Ed25519, or ECDSA with the curve's hash returning raw `r || s`."""
        if isinstance(self._impl, ed25519.Ed25519PrivateKey):
            return self._impl.sign(data)
        der = self._impl.sign(data, ec.ECDSA(_HASHES[self.key_type]))
        r, s = decode_dss_signature(der)
        size = _COORD_BYTES[self.key_type]
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")
