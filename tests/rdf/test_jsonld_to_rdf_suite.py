"""The W3C JSON-LD 1.1 toRdf test suite, through the expansion path `vcverifier.rdf` uses.

Every case runs through `vcverifier.rdf._to_quads` (the verifier's pyld set-up: the caching
context resolver, the per-loader caches, the dataset conversion) with safe mode off, because
the suite deliberately drops terms and uses relative IRIs, and with the suite's own base IRI.
A test-only loader maps the suite's `https://w3c.github.io/json-ld-api/tests/` URLs to the
local files. Outputs are compared as RDF datasets: both sides are canonicalized with RDFC-1.0.

Skipped cases are listed in SKIPS with the reason; nothing else is skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from vcverifier.contexts.loader import DocumentLoader, UnknownContextError
from vcverifier.errors import ProofError
from vcverifier.rdf import _to_quads
from vcverifier.rdfc10 import canonicalize, parse_nquads

SUITE_BASE = "https://w3c.github.io/json-ld-api/tests/"
MANIFEST = "json-ld-api/tests/toRdf-manifest.jsonld"

SKIPS: Mapping[str, str] = {
    "te122": "pyld bug: ignoring a keyword-like IRI leaves None in a list it then sorts "
    "(TypeError, also with stock pyld.jsonld.to_rdf); safe mode rejects keyword-like IRIs",
    "ter56": "its input lives in the suite's expand/ folder, which the spec-data snapshot "
    "(toRdf only) does not include",
}
"""Test id -> why it is skipped."""

SPEC_VERSION_SKIP = "json-ld-1.0 only: superseded by JSON-LD 1.1, which the verifier implements"
GENERALIZED_SKIP = (
    "produceGeneralizedRdf: blank-node predicates are outside RDF 1.1, so this project's "
    "N-Quads model (and the verifier, which rejects them) does not represent them"
)


class SuiteLoader(DocumentLoader):
    """Serves the suite's files by URL, as the suite's remote documents; nothing else."""

    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = root

    def document(self, url: str) -> dict[str, Any]:
        if not url.startswith(SUITE_BASE):
            raise UnknownContextError(url)
        path = self.root / url[len(SUITE_BASE) :]
        if not path.is_file():
            raise UnknownContextError(url)
        document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return document


def suite_inputs(spec_data: Path) -> Iterator[tuple[str, Any, dict[str, Any]]]:
    """(test id, input document, `_to_quads` options) of every suite case the differential
    tests compare on: JSON-LD 1.1, no generalized RDF, no expand context, not skipped."""
    root = spec_data / "json-ld-api" / "tests"
    manifest = json.loads((spec_data / MANIFEST).read_text(encoding="utf-8"))
    for entry in manifest["sequence"]:
        option = entry.get("option", {})
        test_id = entry["@id"].lstrip("#")
        if test_id in SKIPS or option.get("specVersion") == "json-ld-1.0":
            continue
        if option.get("produceGeneralizedRdf") or "expandContext" in option:
            continue
        document = json.loads((root / entry["input"]).read_text(encoding="utf-8"))
        options: dict[str, Any] = {"base": option.get("base", SUITE_BASE + entry["input"])}
        for key in ("processingMode", "rdfDirection"):
            if key in option:
                options[key] = option[key]
        yield test_id, document, options


def _cases() -> list[Any]:
    from tests.conftest import SPEC_DATA

    if SPEC_DATA is None:
        return [pytest.param(None, id="no-spec-data")]
    manifest = json.loads((SPEC_DATA / MANIFEST).read_text(encoding="utf-8"))
    return [pytest.param(entry, id=entry["@id"].lstrip("#")) for entry in manifest["sequence"]]


@pytest.fixture(scope="module")
def suite_loader(spec_data: Path) -> SuiteLoader:
    return SuiteLoader(spec_data / "json-ld-api" / "tests")


def _canonical(quads: Any) -> str:
    return canonicalize(quads, max_work=1_000_000)[0]


# pyld warns (SyntaxWarning) where the suite uses reserved "@..." terms; the suite expects
# them ignored, and safe mode (tests/test_rdf.py) rejects them.
@pytest.mark.filterwarnings("ignore::SyntaxWarning")
@pytest.mark.parametrize("entry", _cases())
def test_to_rdf(entry: dict[str, Any] | None, suite_loader: SuiteLoader) -> None:
    if entry is None:
        pytest.skip("W3C spec data not found")
    test_id = entry["@id"].lstrip("#")
    option = entry.get("option", {})
    if test_id in SKIPS:
        pytest.skip(SKIPS[test_id])
    if option.get("specVersion") == "json-ld-1.0":
        pytest.skip(SPEC_VERSION_SKIP)
    if option.get("produceGeneralizedRdf"):
        pytest.skip(GENERALIZED_SKIP)

    root = suite_loader.root
    url = SUITE_BASE + entry["input"]
    document = json.loads((root / entry["input"]).read_text(encoding="utf-8"))
    options: dict[str, Any] = {"base": option.get("base", url)}
    if "processingMode" in option:
        options["processingMode"] = option["processingMode"]
    if "rdfDirection" in option:
        options["rdfDirection"] = option["rdfDirection"]
    if "expandContext" in option:
        context = json.loads((root / option["expandContext"]).read_text(encoding="utf-8"))
        options["expandContext"] = context

    types = entry["@type"]
    if "jld:NegativeEvaluationTest" in types:
        with pytest.raises((ProofError, UnknownContextError)) as caught:
            _to_quads(document, loader=suite_loader, safe=False, options=options)
        code = getattr(caught.value.__cause__, "code", None)
        assert code == entry["expectErrorCode"]
        return

    quads = _to_quads(document, loader=suite_loader, safe=False, options=options)
    if "jld:PositiveSyntaxTest" in types:
        return
    expected = parse_nquads((root / entry["expect"]).read_text(encoding="utf-8"))
    assert _canonical(quads) == _canonical(expected)
