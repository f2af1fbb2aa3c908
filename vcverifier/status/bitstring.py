"""Status bitstrings: decode an `encodedList`, read an entry, and build one (for fixtures).

Bitstring Status List v1.0, section 3.2 ("Bitstring Encoding") and 3.4 ("Validate
Algorithm"): the bitstring is GZIP-compressed, then base64url-encoded with the multibase
prefix `u`; index 0 is the left-most (most significant) bit of the first byte, and an entry of
`statusSize` bits is read left to right as an unsigned binary number. StatusList2021 uses the
same bitstring with plain base64url (no multibase prefix). Decompression is capped, so a gzip
bomb fails with `StatusListError` instead of exhausting memory.
"""

from __future__ import annotations

import gzip
from collections import OrderedDict
from collections.abc import Mapping

from vcverifier import multibase
from vcverifier import problem_types as pt
from vcverifier.errors import InputError, VcVerifierError
from vcverifier.fetch import decompress_capped

MIN_BITS = 131_072  # 16KB: Bitstring Status List v1.0, "minimum bitstring length"


class StatusListError(VcVerifierError):
    """A status list or entry is malformed, too short, or an index is out of range."""

    problem_type = pt.MALFORMED_VALUE_ERROR
    title = "Invalid status list"


def decode_bitstring(encoded: str, *, multibase_prefix: bool, max_bytes: int) -> bytes:
    """The uncompressed bitstring of an `encodedList`. With `multibase_prefix` the value must be
    multibase base64url (`u...`, Bitstring Status List); without, plain base64url (padding
    tolerated, StatusList2021). Raises StatusListError."""
    if not isinstance(encoded, str) or not encoded:
        raise StatusListError("encodedList must be a non-empty string")
    if multibase_prefix:
        if not encoded.startswith("u"):
            raise StatusListError("encodedList must be multibase base64url (prefix 'u')")
        body = encoded[1:]
    else:
        body = encoded.rstrip("=")
    try:
        compressed = multibase.b64url_decode(body)
    except InputError as exc:
        raise StatusListError(f"encodedList is not base64url: {exc}") from exc
    try:
        return decompress_capped(compressed, max_bytes=max_bytes)
    except ValueError as exc:
        raise StatusListError(f"encodedList could not be decompressed: {exc}") from exc


def read_status(bits: bytes, index: int, size: int = 1) -> int:
    """The `size`-bit entry at `index` (bits `index*size` .. `index*size+size-1`, MSB first).
    Raises StatusListError (RANGE_ERROR) when it lies outside the bitstring."""
    if index < 0 or size < 1:
        raise StatusListError("invalid status index or size", problem_type=pt.RANGE_ERROR)
    start = index * size
    if start + size > len(bits) * 8:
        raise StatusListError(
            f"status index {index} (size {size}) is beyond the list's {len(bits) * 8} bits",
            problem_type=pt.RANGE_ERROR,
        )
    if size == 1:
        return (bits[start >> 3] >> (7 - (start & 7))) & 1
    value = 0
    for position in range(start, start + size):
        byte = bits[position >> 3]
        value = (value << 1) | ((byte >> (7 - (position & 7))) & 1)
    return value


def make_bitstring(values: Mapping[int, int], *, length: int = MIN_BITS, size: int = 1) -> bytes:
    """An uncompressed bitstring of `length` bits (rounded up to whole bytes) with entry `i` set
    to `values[i]`."""
    data = bytearray((length + 7) // 8)
    for index, value in values.items():
        if not 0 <= value < (1 << size):
            raise ValueError(f"status value {value} does not fit in {size} bits")
        start = index * size
        if start + size > length:
            raise ValueError(f"index {index} does not fit in {length} bits")
        for offset in range(size):
            if (value >> (size - 1 - offset)) & 1:
                position = start + offset
                data[position >> 3] |= 0x80 >> (position & 7)
    return bytes(data)


def make_status_list(
    bits: Mapping[int, int], *, length: int = MIN_BITS, size: int = 1, multibase_prefix: bool = True
) -> str:
    """An `encodedList`: entries `bits` (index → value), gzip, base64url with the `u` prefix
    (Bitstring Status List), or without it (`multibase_prefix=False`, StatusList2021)."""
    compressed = gzip.compress(make_bitstring(bits, length=length, size=size), mtime=0)
    encoded = multibase.b64url_encode(compressed)
    return "u" + encoded if multibase_prefix else encoded


class BitstringCache:
    """A small in-process LRU of decoded bitstrings, keyed by their encoded form and bounded
    by total bytes, so warm status checks do not decompress again."""

    def __init__(self, *, max_total_bytes: int = 64 * 1024 * 1024) -> None:
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._total = 0
        self.max_total_bytes = max_total_bytes

    def get(self, key: str) -> bytes | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: str, value: bytes) -> None:
        if len(value) > self.max_total_bytes:
            return
        old = self._items.pop(key, None)
        if old is not None:
            self._total -= len(old)
        self._items[key] = value
        self._total += len(value)
        while self._total > self.max_total_bytes:
            _, evicted = self._items.popitem(last=False)
            self._total -= len(evicted)

    def __len__(self) -> int:
        return len(self._items)
