"""jcs.canonicalize's json.dumps fast path (issue 10) gives exactly what the general RFC 8785
serializer gives, and fails the same way, for any JSON value."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vcverifier import jcs
from vcverifier.errors import InputError

_text = st.text(st.characters(codec=None, categories=None), max_size=12) | st.sampled_from(
    ["", "\ud800", "a\udfff", "\ue000", "\U0001f600", "\uffff", "\x00\x1f\x7f\u2028", 'q"\\']
)
_numbers = (
    st.integers(min_value=-(2**60), max_value=2**60)
    | st.sampled_from([2**53, 2**53 + 1, -(2**53) - 1, 10**21, 0, -0.0, 1e16, 1e-4, 9.9e-5])
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.floats(min_value=1e-5, max_value=1e17)
)
_json: Any = st.recursive(
    st.none() | st.booleans() | _numbers | _text,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(_text, inner, max_size=5),
    max_leaves=25,
)


def _general(value: Any) -> bytes:
    out: list[str] = []
    jcs._serialize(value, out, 0)
    return "".join(out).encode("utf-8")


def _outcome(fn: Any, value: Any) -> Any:
    try:
        return fn(value)
    except InputError:
        return InputError
    except UnicodeEncodeError:
        return UnicodeEncodeError


@settings(max_examples=400)
@given(_json)
def test_fast_path_equals_general_serializer(value: Any) -> None:
    assert _outcome(jcs.canonicalize, value) == _outcome(_general, value)


@pytest.mark.parametrize(
    "value",
    [
        {"b": 1, "a": [1.5, "x", None, True]},
        {"\U0001f600": 1, "\ue000": 2},  # UTF-16 order differs from code point order
        {"n": 2**53 + 1},
        {"n": 1e21, "m": 0.000001, "k": 1.0, "z": -0.0},
        {1: "non-string key"},
    ],
)
def test_examples(value: Any) -> None:
    assert _outcome(jcs.canonicalize, value) == _outcome(_general, value)


def test_deep_nesting_is_still_rejected() -> None:
    value: Any = "x"
    for _ in range(jcs.MAX_DEPTH + 2):
        value = [value]
    with pytest.raises(InputError):
        jcs.canonicalize(value)
