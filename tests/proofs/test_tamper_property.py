"""Hypothesis: any change to a string value of a signed document fails the `proof` check."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.proofs.conftest import NOW, SKEW, Signer, credential
from vcverifier.contexts.loader import DocumentLoader
from vcverifier.did.defaults import build_default_resolvers
from vcverifier.proofs import default_suites
from vcverifier.proofs.data_integrity import verify_data_integrity
from vcverifier.result import Outcome

SIGNER = Signer("hypothesis")
LOADER = DocumentLoader()
SUITES = default_suites()
SIGNED = {
    suite: SIGNER.sign(credential(SIGNER.did), suite)
    for suite in ("eddsa-jcs-2022", "eddsa-rdfc-2022")
}


def _string_paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, str):
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _string_paths(v, (*path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _string_paths(v, (*path, i))]
    return []


def _set(document: Any, path: tuple[Any, ...], new: str) -> None:
    for step in path[:-1]:
        document = document[step]
    document[path[-1]] = new


def _get(document: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        document = document[step]
    return document


def _verify(document: Any) -> Outcome:
    outcome = asyncio.run(
        verify_data_integrity(
            document,
            purpose="assertionMethod",
            resolver=build_default_resolvers(),
            suites=SUITES,
            loader=LOADER,
            now=NOW,
            skew=SKEW,
            expected_controller=None,
        )
    )
    return outcome.proof.outcome


def test_unmodified_documents_verify() -> None:
    for signed in SIGNED.values():
        assert _verify(signed) is Outcome.PASSED


@st.composite
def _changes(draw: st.DrawFn) -> tuple[str, tuple[Any, ...], str]:
    suite = draw(st.sampled_from(sorted(SIGNED)))
    # Every string of the document, and the proof's own strings except `proofValue` (changing
    # that is covered by the tampered-signature tests, and a malformed value also fails).
    paths = _string_paths(SIGNED[suite])
    path = draw(st.sampled_from(paths))
    original = _get(SIGNED[suite], path)
    new = draw(st.text(max_size=40).filter(lambda text: text != original))
    return suite, path, new


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_changes())
def test_any_string_change_fails_the_proof(change: tuple[str, tuple[Any, ...], str]) -> None:
    suite, path, new = change
    document = copy.deepcopy(SIGNED[suite])
    _set(document, path, new)
    # A changed proof `type`/`verificationMethod`/... can fail another check (did) first, which
    # leaves `proof` skipped; it must never pass.
    assert _verify(document) is not Outcome.PASSED
