"""RFC 8785 JSON Canonicalization Scheme (JCS).

`canonicalize(value)` returns the canonical UTF-8 bytes of a parsed JSON value:

- object members sorted by their names as UTF-16 code unit sequences (RFC 8785, 3.2.3);
- numbers serialized as ECMAScript's `Number.prototype.toString` does (3.2.2.3): every number
  is an IEEE 754 double, so integers beyond 2**53 lose precision exactly as in JavaScript;
- strings with only the escapes RFC 8785 3.2.2.2 requires, everything else as UTF-8;
- no whitespace.

Rejected with `InputError`: NaN and the infinities, integers too large for a double, strings
with lone surrogates (not valid I-JSON), and values that are not JSON (sets, bytes, ...).
"""

from __future__ import annotations

import json
import json.encoder
import math
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from vcverifier.errors import InputError

__all__ = ["canonicalize", "format_number"]

MAX_DEPTH = 256
"""Deepest nesting accepted (well inside Python's recursion limit)."""

_SHORT_ESCAPES = {
    0x08: "\\b",
    0x09: "\\t",
    0x0A: "\\n",
    0x0C: "\\f",
    0x0D: "\\r",
    0x22: '\\"',
    0x5C: "\\\\",
}


# Control characters, '"', a backslash, and (to reject them) lone surrogates.
_NEEDS_ESCAPE = re.compile('[\x00-\x1f"\\\\\ud800-\udfff]')


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xD800 <= code <= 0xDFFF:
        raise InputError("JCS: a string contains a lone UTF-16 surrogate")
    return _SHORT_ESCAPES.get(code) or f"\\u{code:04x}"


def _escape_string(text: str) -> str:
    # RFC 8785 3.2.2.2: escape only '"', '\\' and control characters (the short forms where
    # JSON has them, else \u00xx lowercase); everything else is written as itself.
    return '"' + _NEEDS_ESCAPE.sub(_escape_char, text) + '"'


def format_number(value: float | int) -> str:
    """Serialize a number as ECMAScript's Number.prototype.toString (RFC 8785, 3.2.2.3)."""
    if isinstance(value, bool):
        raise InputError("JCS: a boolean is not a number")
    try:
        number = float(value)
    except OverflowError as exc:
        raise InputError("JCS: integer too large for an IEEE 754 double") from exc
    if not math.isfinite(number):
        raise InputError("JCS: NaN and Infinity are not valid JSON numbers")
    if number == 0:
        return "0"  # both +0 and -0
    sign = "-" if number < 0 else ""
    # repr() gives the shortest digit string that round-trips, as ECMAScript requires;
    # Decimal splits it into digits and exponent without any further rounding.
    parsed = Decimal(repr(abs(number))).normalize().as_tuple()
    digits = "".join(str(d) for d in parsed.digits)
    assert isinstance(parsed.exponent, int)  # noqa: S101 - finite by the check above
    # n: the position of the decimal point relative to the start of `digits` (ECMA-262).
    n = len(digits) + parsed.exponent
    k = len(digits)
    if k <= n <= 21:
        out = digits + "0" * (n - k)
    elif 0 < n <= 21:
        out = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        out = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        exp = f"e+{e}" if e >= 0 else f"e-{-e}"
        out = digits[0] + ("." + digits[1:] if k > 1 else "") + exp
    return sign + out


def _serialize(value: Any, out: list[str], depth: int) -> None:
    if depth > MAX_DEPTH:
        raise InputError("JCS: nesting too deep")
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(_escape_string(value))
    elif isinstance(value, int | float):
        out.append(format_number(value))
    elif isinstance(value, Mapping):
        names = list(value)
        if not all(isinstance(name, str) for name in names):
            raise InputError("JCS: object member names must be strings")
        # RFC 8785 3.2.3: sort by UTF-16 code units; big-endian UTF-16 bytes compare the same.
        names.sort(key=lambda name: name.encode("utf-16-be", "surrogatepass"))
        out.append("{")
        for i, name in enumerate(names):
            if i:
                out.append(",")
            out.append(_escape_string(name))
            out.append(":")
            _serialize(value[name], out, depth + 1)
        out.append("}")
    elif isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _serialize(item, out, depth + 1)
        out.append("]")
    else:
        raise InputError(f"JCS: {type(value).__name__} is not a JSON value")


_MAX_SAFE_INTEGER = 2**53


def _json_dumps_is_canonical(value: Any, depth: int = 0) -> bool:
    """Whether `json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))`
    writes exactly the RFC 8785 form (issue 10: the C encoder is ~5x faster than `_serialize`).

    True only for plain dicts with string keys free of characters at or above U+E000 (below
    that, code point order is UTF-16 code unit order), lists, strings (json escapes exactly
    what 3.2.2.2 requires, `\\u00xx` lowercase; a lone surrogate makes the UTF-8 encoding fail,
    and the caller then falls back), None, bools, integers within +-2**53 (exact as doubles)
    and floats whose repr() is ECMAScript's form (not integral, 1e-4 <= |x| < 1e16: repr()
    uses positional notation there, with the same shortest round-trip digits). Everything
    else, and anything nested near MAX_DEPTH, takes the general path (so a cyclic value,
    which can only be built in Python, never reaches the encoder, which does not look for
    cycles).
    """
    kind = type(value)
    if kind is dict:
        if depth >= MAX_DEPTH - 2:
            return False
        for key in value:
            if type(key) is not str or not (key.isascii() or max(key) < "\ue000"):
                return False
        members: Any = value.values()
    elif kind is list:
        if depth >= MAX_DEPTH - 2:
            return False
        members = value
    else:
        return _plain_scalar(value)
    # Recursion is bounded by the depth check (the general serializer recurses as deep).
    for member in members:
        kind = type(member)
        if kind is str:
            continue
        if kind is dict or kind is list:
            if not _json_dumps_is_canonical(member, depth + 1):
                return False
        elif not _plain_scalar(member):
            return False
    return True


def _plain_scalar(value: Any) -> bool:
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return True
    if kind is int:
        return bool(-_MAX_SAFE_INTEGER <= value <= _MAX_SAFE_INTEGER)
    if kind is float:
        return not value.is_integer() and 1e-4 <= abs(value) < 1e16
    return False


def _dumps_python(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _c_dumps(encoder: Any) -> Callable[[Any], str]:
    def dumps(value: Any) -> str:
        return "".join(encoder(value, 0))

    return dumps


# What `_dumps_python` does, without building a JSONEncoder and a C encoder on every call:
# one C encoder with the same settings (no circular-reference markers: `_json_dumps_is_canonical`
# admits no value nested deeper than MAX_DEPTH, so no cyclic one).
_C_MAKE_ENCODER: Any = getattr(json.encoder, "c_make_encoder", None)
_dumps: Callable[[Any], str] = (
    _dumps_python
    if _C_MAKE_ENCODER is None
    else _c_dumps(
        _C_MAKE_ENCODER(
            None, None, json.encoder.encode_basestring, None, ":", ",", True, False, False
        )
    )
)


def canonicalize(value: Any) -> bytes:
    """The RFC 8785 canonical form of `value` (a parsed JSON value) as UTF-8 bytes.

    Raises InputError for values JCS cannot represent (see the module docstring)."""
    if _json_dumps_is_canonical(value):
        text = _dumps(value)
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:
            pass  # a lone surrogate: the general path rejects it with its InputError
    out: list[str] = []
    _serialize(value, out, 0)
    return "".join(out).encode("utf-8")
