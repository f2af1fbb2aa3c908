"""Hypothesis: whatever a proof contains, the driver answers with checks and never raises."""

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
from vcverifier.proofs.data_integrity import ProofOutcome, verify_data_integrity
from vcverifier.result import Outcome

SIGNER = Signer("robust")
LOADER = DocumentLoader()
SUITES = default_suites()
SIGNED_WITH = {
    suite: SIGNER.sign(credential(SIGNER.did), suite)
    for suite in ("eddsa-jcs-2022", "eddsa-rdfc-2022")
}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
PROOF_KEYS = [
    "type",
    "cryptosuite",
    "verificationMethod",
    "proofPurpose",
    "proofValue",
    "created",
    "expires",
    "previousProof",
    "id",
    "challenge",
    "domain",
    "@context",
]


def _run(document: Any) -> ProofOutcome:
    return asyncio.run(
        verify_data_integrity(
            document,
            purpose="assertionMethod",
            resolver=build_default_resolvers(),
            suites=SUITES,
            loader=LOADER,
            now=NOW,
            skew=SKEW,
            expected_controller=SIGNER.did,
        )
    )


def _rdf_equivalent(key: str, value: Any, original: Any) -> bool:
    """Values JSON-LD maps to the same RDF as the signed one (RDFC signs the graph, not the
    JSON): null and [] produce no triple, a one-element array is its element, and the proof's
    own @context is replaced by the document's (Proof Configuration, step 4)."""
    if key == "@context" or value is None or value == []:
        return original is None or key == "@context" or original == []
    return value == original or value == [original] or [value] == original


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(SIGNED_WITH)), st.sampled_from(PROOF_KEYS), json_values)
def test_any_proof_property_value(suite: str, key: str, value: Any) -> None:
    signed = SIGNED_WITH[suite]
    document = copy.deepcopy(signed)
    document["proof"][key] = value
    outcome = _run(document)
    assert outcome.proof.name == "proof" and outcome.did.name == "did"
    if outcome.proof.outcome is Outcome.PASSED:
        original = signed["proof"].get(key)
        if suite == "eddsa-jcs-2022":
            assert value == original  # JCS signs the exact JSON
        else:
            assert _rdf_equivalent(key, value, original)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_any_proof_value(proof: Any) -> None:
    document = copy.deepcopy(SIGNED_WITH["eddsa-rdfc-2022"])
    document["proof"] = proof
    outcome = _run(document)
    assert outcome.proof.outcome is not Outcome.PASSED


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(json_values, max_size=3))
def test_proof_sets_with_junk(junk: list[Any]) -> None:
    signed = SIGNED_WITH["eddsa-rdfc-2022"]
    document = copy.deepcopy(signed)
    document["proof"] = [signed["proof"], *junk]
    outcome = _run(document)
    if junk:
        assert outcome.proof.outcome is not Outcome.PASSED
