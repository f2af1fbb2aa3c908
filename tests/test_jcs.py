"""RFC 8785 (JCS): the RFC's examples, ECMAScript number serialization, Hypothesis round trips."""

from __future__ import annotations

import json
import math
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vcverifier.errors import InputError
from vcverifier.jcs import canonicalize, format_number

# RFC 8785, Appendix B: IEEE 754 bit patterns and their ECMAScript serialization (checked
# against Node's Number.prototype.toString).
NUMBERS = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]


@pytest.mark.parametrize(("bits", "expected"), NUMBERS, ids=[n[0] for n in NUMBERS])
def test_rfc_number_serialization(bits: str, expected: str) -> None:
    value = struct.unpack(">d", bytes.fromhex(bits))[0]
    assert format_number(value) == expected


@pytest.mark.parametrize("bits", ["7fffffffffffffff", "7ff0000000000000", "fff0000000000000"])
def test_non_finite_numbers_are_rejected(bits: str) -> None:
    value = struct.unpack(">d", bytes.fromhex(bits))[0]
    with pytest.raises(InputError):
        canonicalize({"n": value})


def test_rfc_section_3_2_2_example() -> None:
    text = (
        '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],'
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",'
        ' "literals": [null, true, false]}'
    )
    expected = (
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    )
    assert canonicalize(json.loads(text)) == expected.encode("utf-8")


def test_rfc_sorting_example() -> None:
    # RFC 8785, 3.2.3: sorted by UTF-16 code units, so the emoji (a surrogate pair) sorts
    # before U+FB33 even though its code point is larger.
    text = (
        '{"\\u20ac": "Euro Sign", "\\r": "Carriage Return", "\\ufb33": "Hebrew Letter Dalet",'
        ' "1": "One", "\\ud83d\\ude00": "Emoji", "\\u0080": "Control", "\\u00f6": "O umlaut"}'
    )
    names = list(json.loads(canonicalize(json.loads(text))))
    assert names == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]


def test_integers_follow_doubles() -> None:
    assert canonicalize([1, -0, 10**21, 2**53 + 1]) == b"[1,0,1e+21,9007199254740992]"
    with pytest.raises(InputError):
        canonicalize(10**400)


@pytest.mark.parametrize("bad", [{1: "x"}, {"a": b"x"}, {"a": {1, 2}}, "\ud800"])
def test_non_json_values_are_rejected(bad: object) -> None:
    with pytest.raises(InputError):
        canonicalize(bad)


def test_control_characters_are_escaped() -> None:
    assert canonicalize("\x00\x1f\x7f\b\t\n\f\r") == b'"\\u0000\\u001f\x7f\\b\\t\\n\\f\\r"'


_text = st.text(st.characters(exclude_categories=("Cs",)))
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(exclude_categories=("Cs",))),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.text(st.characters(exclude_categories=("Cs",)), max_size=8), children, max_size=5
        )
    ),
    max_leaves=30,
)


def _as_doubles(value: object) -> object:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, list):
        return [_as_doubles(v) for v in value]
    assert isinstance(value, dict)
    return {k: _as_doubles(v) for k, v in value.items()}


@given(json_values)
def test_round_trip_preserves_the_value(value: object) -> None:
    text = canonicalize(value)
    assert _as_doubles(json.loads(text)) == _as_doubles(value)


@given(json_values)
def test_canonical_form_is_a_fixed_point(value: object) -> None:
    once = canonicalize(value)
    assert canonicalize(json.loads(once)) == once


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_numbers_round_trip_exactly(value: float) -> None:
    text = format_number(value)
    assert float(text) == value or (value == 0 and float(text) == 0)
    assert not math.isnan(float(text))


@given(st.dictionaries(st.text(), st.integers(), max_size=10))
def test_member_order_does_not_matter(value: dict[str, int]) -> None:
    reordered = dict(reversed(list(value.items())))
    try:
        assert canonicalize(value) == canonicalize(reordered)
    except InputError:
        pass  # lone surrogates in generated text are rejected either way


def test_deep_nesting_is_rejected() -> None:
    value: object = "leaf"
    for _ in range(300):
        value = [value]
    with pytest.raises(InputError):
        canonicalize(value)
