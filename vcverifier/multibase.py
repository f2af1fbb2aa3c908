"""Multibase and multicodec helpers (base58btc `z`, base64url-no-pad `u`; unsigned varints)."""

from __future__ import annotations

import base64
import binascii
from typing import NoReturn

import base58

from vcverifier.errors import InputError

_BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_DIGITS = {c: i for i, c in enumerate(_BASE58_ALPHABET)}
# bytes.rstrip() whitespace: the `base58` package ignores it at the end, and so does this.
_ASCII_WHITESPACE = " \t\n\r\x0b\x0c"


_INVALID = 0xFF
# bytes.translate table: an ASCII character to its base58 digit value, anything else to _INVALID.
_BASE58_TABLE = bytes(_BASE58_DIGITS.get(chr(b), _INVALID) for b in range(256))
_BASE58_POW5 = 58**5  # five digits fit one 30-bit int digit: the inner sums stay small ints


def b58decode(text: str) -> bytes:
    """Decode base58btc (Bitcoin alphabet) exactly as `base58.b58decode` does, without its
    per-digit divmod loop: the digits accumulate into one int, converted with int.to_bytes.
    Leading '1's are zero bytes; trailing ASCII whitespace is ignored. Raises ValueError."""
    text = text.rstrip(_ASCII_WHITESPACE)
    body = text.lstrip("1")
    try:
        values = body.encode("ascii").translate(_BASE58_TABLE)
    except UnicodeEncodeError:
        values = bytes([_INVALID])
    if _INVALID in values:
        _raise_invalid_character(body)
    # Horner's rule, five digits at a time: one big-int step per five digits.
    head = len(values) % 5
    number = 0
    for digit in values[:head]:
        number = number * 58 + digit
    rest = iter(values[head:])
    for d0, d1, d2, d3, d4 in zip(rest, rest, rest, rest, rest, strict=True):
        number = number * _BASE58_POW5 + ((((d0 * 58 + d1) * 58 + d2) * 58 + d3) * 58 + d4)
    return b"\0" * (len(text) - len(body)) + number.to_bytes((number.bit_length() + 7) // 8, "big")


def _raise_invalid_character(body: str) -> NoReturn:
    for char in body:
        if char not in _BASE58_DIGITS:
            raise ValueError(f"Invalid character {char!r}")
    raise AssertionError("unreachable: no invalid character")  # pragma: no cover


def b64url_decode(text: str) -> bytes:
    """Decode base64url without padding; rejects padding and characters outside the alphabet."""
    if "=" in text or not all(c.isalnum() or c in "-_" for c in text):
        raise InputError("not base64url without padding")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise InputError(f"invalid base64url: {exc}") from exc


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def decode(value: str) -> bytes:
    """Decode a multibase string: `z` (base58btc) or `u` (base64url, no padding)."""
    if not value:
        raise InputError("empty multibase value")
    prefix, body = value[0], value[1:]
    if prefix == "z":
        try:
            return b58decode(body)
        except ValueError as exc:
            raise InputError(f"invalid base58btc multibase value: {exc}") from exc
    if prefix == "u":
        return b64url_decode(body)
    raise InputError(f"unsupported multibase prefix {prefix!r} (supported: 'z', 'u')")


def encode_base58btc(data: bytes) -> str:
    return "z" + base58.b58encode(data).decode("ascii")


def encode_base64url(data: bytes) -> str:
    return "u" + b64url_encode(data)


def read_varint(data: bytes) -> tuple[int, int]:
    """Read an unsigned LEB128 varint; returns (value, bytes consumed)."""
    value = 0
    for i, byte in enumerate(data[:9]):
        value |= (byte & 0x7F) << (7 * i)
        if not byte & 0x80:
            if i > 0 and byte == 0:
                raise InputError("non-minimal varint")
            return value, i + 1
    raise InputError("truncated or overlong varint")


def write_varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)
