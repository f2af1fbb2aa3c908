from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vcverifier.errors import InputError
from vcverifier.jsonutil import check_depth, loads


def test_depth_cap() -> None:
    deep = "[" * 100 + "]" * 100
    with pytest.raises(InputError):
        loads(deep, max_bytes=10_000, max_depth=64)
    assert loads("[" * 10 + "]" * 10, max_bytes=10_000, max_depth=64) == [[[[[[[[[[]]]]]]]]]]
    # Brackets inside strings do not count.
    assert loads('{"a": "[[[[[[[[[["}', max_bytes=100, max_depth=2) == {"a": "[[[[[[[[[["}


def test_very_deep_input_does_not_recurse() -> None:
    with pytest.raises(InputError):
        loads("[" * 1_000_000, max_bytes=2_000_000, max_depth=64)


@pytest.mark.parametrize("text", ["NaN", "[Infinity]", '{"a": -Infinity}', "{", b"\xff\xfe"])
def test_rejected(text: str | bytes) -> None:
    with pytest.raises(InputError):
        loads(text, max_bytes=100, max_depth=10)


def test_size_cap() -> None:
    with pytest.raises(InputError):
        loads(b"[" + b"1," * 100 + b"1]", max_bytes=50, max_depth=10)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@given(json_values)
def test_check_depth_agrees_with_prescan(value: object) -> None:
    import json

    text = json.dumps(value)
    try:
        loads(text, max_bytes=1_000_000, max_depth=4)
        prescan_ok = True
    except InputError:
        prescan_ok = False
    try:
        check_depth(value, 4)
        walk_ok = True
    except InputError:
        walk_ok = False
    assert prescan_ok == walk_ok
