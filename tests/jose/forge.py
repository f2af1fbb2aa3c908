"""Building malformed or hostile tokens for negative tests (what a JOSE library would refuse to
sign): raw segments, swapped headers, HMAC signatures."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def segments(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    header, payload, signature = token.split(".")
    return json.loads(unb64(header)), json.loads(unb64(payload)), signature


def compact(header: dict[str, Any], payload: dict[str, Any], signature: str = "") -> str:
    return ".".join(
        [b64(json.dumps(header).encode()), b64(json.dumps(payload).encode()), signature]
    )


def with_payload(token: str, payload: dict[str, Any]) -> str:
    """The token's header and signature around another payload (a tampered payload)."""
    header, _, signature = token.split(".")
    return ".".join([header, b64(json.dumps(payload).encode()), signature])


def with_header(token: str, header: dict[str, Any]) -> str:
    _, payload, signature = token.split(".")
    return ".".join([b64(json.dumps(header).encode()), payload, signature])


def flip_signature(token: str) -> str:
    head, payload, signature = token.split(".")
    raw = bytearray(unb64(signature))
    raw[len(raw) // 2] ^= 0x01
    return ".".join([head, payload, b64(bytes(raw))])


def hs256(header: dict[str, Any], payload: dict[str, Any], secret: bytes) -> str:
    signing_input = ".".join([b64(json.dumps(header).encode()), b64(json.dumps(payload).encode())])
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64(mac)


def sign_raw(header: dict[str, Any], payload: dict[str, Any], key: Any) -> str:
    """Sign without a JOSE library's header checks (`key` is a vcverifier PrivateKey; ECDSA
    signatures are raw r || s, as JWS uses them)."""
    signing_input = ".".join([b64(json.dumps(header).encode()), b64(json.dumps(payload).encode())])
    return signing_input + "." + b64(key.sign(signing_input.encode()))
