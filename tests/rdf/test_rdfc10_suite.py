"""The W3C RDF Dataset Canonicalization (RDFC-1.0) test suite, every case.

Eval tests compare the canonical N-Quads byte for byte (through the public
`vcverifier.rdf.canonize_nquads`); map tests compare the issued identifier map; the negative
("poison graph") test must fail with ProofError within the default work bound, quickly.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from vcverifier import problem_types as pt
from vcverifier.errors import ProofError
from vcverifier.rdf import DEFAULT_MAX_WORK, canonize_nquads
from vcverifier.rdfc10 import canonicalize, parse_nquads

MANIFEST = "rdf-canon/tests/manifest.jsonld"


def _cases() -> list[Any]:
    from tests.conftest import SPEC_DATA

    if SPEC_DATA is None:
        return [pytest.param(None, id="no-spec-data")]
    manifest = json.loads((SPEC_DATA / MANIFEST).read_text(encoding="utf-8"))
    return [pytest.param(entry, id=entry["id"].lstrip("#")) for entry in manifest["entries"]]


@pytest.mark.parametrize("entry", _cases())
def test_rdfc10(entry: dict[str, Any] | None, spec_data: Path) -> None:
    if entry is None:
        pytest.skip("W3C spec data not found")
    folder = spec_data / "rdf-canon" / "tests"
    text = (folder / entry["action"]).read_text(encoding="utf-8")
    algorithm = entry.get("hashAlgorithm", "SHA256").lower()

    if entry["type"] == "rdfc:RDFC10EvalTest":
        expected = (folder / entry["result"]).read_text(encoding="utf-8")
        assert canonize_nquads(text, hash_algorithm=algorithm) == expected
    elif entry["type"] == "rdfc:RDFC10MapTest":
        expected_map = json.loads((folder / entry["result"]).read_text(encoding="utf-8"))
        _, issued = canonicalize(parse_nquads(text), hash_algorithm=algorithm)
        assert issued == expected_map
    elif entry["type"] == "rdfc:RDFC10NegativeEvalTest":
        started = time.monotonic()
        with pytest.raises(ProofError) as caught:
            canonize_nquads(text, hash_algorithm=algorithm, max_work=DEFAULT_MAX_WORK)
        assert caught.value.problem_type == pt.PROOF_TRANSFORMATION_ERROR
        assert time.monotonic() - started < 10
    else:
        pytest.fail(f"unknown test type {entry['type']}")
