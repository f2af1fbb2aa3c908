"""The simple-document path of `vcverifier.rdf` (issue 10: no pyld node map for documents made
of node and value objects) gives the same RDF dataset as pyld's node map and toRdf.

Differential: every JSON-LD toRdf suite input and every vc-di-eddsa / vc-di-ecdsa test vector
runs through `_to_quads` (pyld's expansion: the fast path of `vcverifier.rdf_fast` is off
here, tests/rdf/test_rdf_fast.py covers it) with the simple path and without it; where the
simple path applies, the canonical datasets must be equal, safe mode's checks of the expanded
form must pass (the simple path makes them redundant), and it must apply to a good share of the
suite.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.rdf.test_jsonld_to_rdf_suite import SuiteLoader, suite_inputs
from vcverifier import rdf
from vcverifier.contexts.loader import DocumentLoader, UnknownContextError
from vcverifier.errors import ProofError
from vcverifier.rdfc10 import canonicalize


def _canonical(quads: Any) -> str:
    return canonicalize(quads, max_work=1_000_000)[0]


def _both(document: Any, loader: DocumentLoader, **kwargs: Any) -> tuple[str, str] | None:
    try:
        fast = rdf._to_quads(document, loader=loader, fast_path=False, **kwargs)
    except (ProofError, UnknownContextError):
        fast = None
    try:
        slow = rdf._to_quads(document, loader=loader, simple_path=False, fast_path=False, **kwargs)
    except (ProofError, UnknownContextError):
        assert fast is None, "the simple path accepted what pyld rejects"
        return None
    assert fast is not None, "the simple path rejected what pyld accepts"
    return _canonical(fast), _canonical(slow)


@pytest.mark.filterwarnings("ignore::SyntaxWarning")
def test_to_rdf_suite_simple_path_equals_pyld(
    spec_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    applied: list[bool] = []
    original = rdf._simple_quads

    def counting(expanded: Any) -> Any:
        result = original(expanded)
        applied.append(result is not None)
        if result is not None:
            # Safe mode skips its expanded-form checks for a simple document: they must pass.
            rdf._check_expanded(expanded)
        return result

    monkeypatch.setattr(rdf, "_simple_quads", counting)
    loader = SuiteLoader(spec_data / "json-ld-api" / "tests")
    compared = 0
    for test_id, document, options in suite_inputs(spec_data):
        pair = _both(document, loader, safe=False, options=options)
        if pair is None:
            continue
        assert pair[0] == pair[1], test_id
        compared += 1
    assert compared > 300
    assert sum(applied) > 100, f"the simple path applied to only {sum(applied)} suite inputs"


def test_spec_vectors_simple_path_equals_pyld(spec_data: Path) -> None:
    loader = DocumentLoader()
    paths = sorted(spec_data.glob("vc-di-e*/TestVectors/**/*.json"))
    checked = 0
    for path in paths:
        document = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(document, dict) or "@context" not in document:
            continue
        pair = _both(document, loader)
        if pair is not None:
            assert pair[0] == pair[1], path.name
            checked += 1
    assert checked > 5


_OLD_IRI_CHAR = r"(?:[^\x00-\x20<>\"{}|^`\\%#]|%[0-9A-Fa-f]{2})"
_OLD_ABSOLUTE_IRI = re.compile(rf"[A-Za-z][A-Za-z0-9+.\-]*:{_OLD_IRI_CHAR}*(?:#{_OLD_IRI_CHAR}*)?")


@given(
    st.sampled_from(["", "http:", "urn:x:", "a:", "did:key:z6M", "_:b0", "9a:", "https://e.org/"]),
    st.text(st.sampled_from('aZ09:+.-#%/?@ \x00<>"{}|^`\\é_fF~'), max_size=16),
)
def test_possessive_iri_pattern_matches_the_backtracking_one(prefix: str, rest: str) -> None:
    text = prefix + rest
    assert bool(rdf._ABSOLUTE_IRI.fullmatch(text)) == bool(_OLD_ABSOLUTE_IRI.fullmatch(text))
