"""Bitstring encoding and decoding, and parsing of credentialStatus entries."""

from __future__ import annotations

import gzip

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vcverifier import multibase
from vcverifier import problem_types as pt
from vcverifier.errors import UnsupportedError
from vcverifier.status import (
    MIN_BITS,
    BitstringCache,
    StatusListError,
    decode_bitstring,
    default_status_methods,
    make_bitstring,
    make_status_list,
    read_status,
)


def test_index_zero_is_the_leftmost_bit() -> None:
    bits = make_bitstring({0: 1, 9: 1}, length=16)
    assert bits == bytes([0b1000_0000, 0b0100_0000])
    assert read_status(bits, 0) == 1
    assert read_status(bits, 1) == 0
    assert read_status(bits, 9) == 1


def test_multi_bit_entries_read_left_to_right() -> None:
    bits = make_bitstring({0: 0b10, 1: 0b01, 3: 0b11}, length=8, size=2)
    assert bits == bytes([0b1001_0011])
    assert [read_status(bits, i, 2) for i in range(4)] == [2, 1, 0, 3]


@given(
    st.dictionaries(st.integers(0, 4095), st.integers(0, 3), max_size=50),
    st.sampled_from([1, 2]),
)
def test_round_trip(values: dict[int, int], size: int) -> None:
    values = {i: v & ((1 << size) - 1) for i, v in values.items()}
    encoded = make_status_list(values, length=4096 * size, size=size)
    bits = decode_bitstring(encoded, multibase_prefix=True, max_bytes=1 << 20)
    for index in range(0, 4096, 37):
        assert read_status(bits, index, size) == values.get(index, 0)
    for index, value in values.items():
        assert read_status(bits, index, size) == value


def test_default_length_is_the_minimum() -> None:
    encoded = make_status_list({})
    bits = decode_bitstring(encoded, multibase_prefix=True, max_bytes=1 << 20)
    assert len(bits) * 8 == MIN_BITS


def test_status_list_2021_encoding_has_no_prefix() -> None:
    encoded = make_status_list({5: 1}, multibase_prefix=False)
    assert not encoded.startswith("u") or encoded[1:] != encoded
    bits = decode_bitstring(encoded + "==", multibase_prefix=False, max_bytes=1 << 20)
    assert read_status(bits, 5) == 1


def test_out_of_range() -> None:
    bits = make_bitstring({}, length=16)
    with pytest.raises(StatusListError) as info:
        read_status(bits, 16)
    assert info.value.problem_type == pt.RANGE_ERROR
    with pytest.raises(StatusListError):
        read_status(bits, 8, 2)


def test_gzip_bomb_is_capped() -> None:
    bomb = "u" + multibase.b64url_encode(gzip.compress(b"\0" * 5_000_000))
    with pytest.raises(StatusListError) as info:
        decode_bitstring(bomb, multibase_prefix=True, max_bytes=1_000_000)
    assert info.value.problem_type == pt.MALFORMED_VALUE_ERROR


@pytest.mark.parametrize(
    "encoded",
    [
        "",
        "zabc",
        "u!!!",
        "u" + multibase.b64url_encode(b"not gzip"),
        "u" + multibase.b64url_encode(gzip.compress(b"x" * 100)[:-10]),
    ],
)
def test_malformed_encoded_lists(encoded: str) -> None:
    with pytest.raises(StatusListError):
        decode_bitstring(encoded, multibase_prefix=True, max_bytes=1 << 20)


def test_lru_is_bounded_by_bytes() -> None:
    cache = BitstringCache(max_total_bytes=100)
    cache.put("a", b"x" * 60)
    cache.put("b", b"x" * 30)
    assert cache.get("a") is not None
    cache.put("c", b"x" * 30)  # evicts b, the least recently used
    assert cache.get("b") is None
    assert cache.get("a") is not None and cache.get("c") is not None
    cache.put("huge", b"x" * 1000)
    assert cache.get("huge") is None


ENTRY = {
    "id": "https://example.com/credentials/status/3#94567",
    "type": "BitstringStatusListEntry",
    "statusPurpose": "revocation",
    "statusListIndex": "94567",
    "statusListCredential": "https://example.com/credentials/status/3",
}


def test_parse_entry() -> None:
    entry = default_status_methods().parse_entry(ENTRY)
    assert (entry.purpose, entry.index, entry.size) == ("revocation", 94567, 1)
    assert entry.method.entry_type == "BitstringStatusListEntry"


def test_parse_message_entry() -> None:
    raw = {
        **ENTRY,
        "statusPurpose": "message",
        "statusSize": 2,
        "statusMessage": [
            {"status": "0x0", "message": "pending"},
            {"status": "0x1", "message": "accepted"},
            {"status": "0x2", "message": "rejected"},
            {"status": "0x3", "message": "undefined"},
        ],
    }
    entry = default_status_methods().parse_entry(raw)
    assert entry.size == 2
    assert entry.message_for(2) == "rejected"


def test_unknown_type_names_the_supported_ones() -> None:
    with pytest.raises(UnsupportedError, match="StatusList2021Entry"):
        default_status_methods().parse_entry({**ENTRY, "type": "RevocationList2020Status"})


@pytest.mark.parametrize(
    "change",
    [
        {"statusListIndex": "-1"},
        {"statusListIndex": "1e3"},
        {"statusListIndex": True},
        {"statusPurpose": 7},
        {"statusListCredential": None},
        {"statusSize": 2},  # no statusMessage
        {"statusSize": 0},
        {"statusSize": 99},
        {"statusPurpose": "message"},  # no statusMessage
        {"statusSize": 1, "statusMessage": [{"status": "0x5", "message": "too big"}]},
    ],
)
def test_malformed_entries(change: dict[str, object]) -> None:
    with pytest.raises(StatusListError) as info:
        default_status_methods().parse_entry({**ENTRY, **change})
    assert info.value.problem_type == pt.MALFORMED_VALUE_ERROR
