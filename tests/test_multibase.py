"""multibase.b58decode decodes exactly as the `base58` package does (it replaced it on the
verification path for speed, issue 10)."""

from __future__ import annotations

import base58
import pytest
from hypothesis import given
from hypothesis import strategies as st

from vcverifier import multibase
from vcverifier.errors import InputError


@given(st.binary(max_size=80), st.sampled_from(["", "1", "11", " ", "\n\t"]))
def test_b58decode_matches_base58_package(data: bytes, affix: str) -> None:
    text = base58.b58encode(data).decode("ascii")
    text = (affix.strip() + text + affix) if affix.strip() else text + affix
    assert multibase.b58decode(text) == base58.b58decode(text.encode("ascii"))


@pytest.mark.parametrize("bad", ["0abc", "zzI", "abO", "ab c", "é", "l"])
def test_b58decode_rejects_characters_outside_the_alphabet(bad: str) -> None:
    with pytest.raises(ValueError, match="Invalid character"):
        multibase.b58decode(bad)
    with pytest.raises(InputError):
        multibase.decode("z" + bad)
