"""verifier._object_count_over (the resource bound checked before any proof work) counts exactly
the JSON objects of a value, nested in objects and arrays, including dict and list subclasses."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from vcverifier.verifier import _object_count_over

_json: Any = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=3),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=3), inner, max_size=4)
        | st.tuples(inner)
    ),  # not JSON: never looked into
    max_leaves=30,
)


def _count(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + sum(_count(v) for v in value.values())
    if isinstance(value, list):
        return sum(_count(v) for v in value)
    return 0


@given(_json)
def test_counts_exactly(value: Any) -> None:
    total = _count(value)
    for limit in range(total + 2):
        assert _object_count_over(value, limit) is (total > limit)


class _Dict(OrderedDict[str, Any]):
    pass


class _List(list[Any]):
    pass


def test_subclasses_count_too() -> None:
    value = {"a": _List([_Dict(b={}), "x", _List([{}])]), "c": ({"not": "counted"},)}
    assert _count(value) == 4
    assert _object_count_over(value, 3)
    assert not _object_count_over(value, 4)
