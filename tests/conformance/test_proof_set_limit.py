"""A proof set larger than `max_proofs_per_document` fails `proof` before any proof is checked
(found with hostile inputs against `vcverifier serve`: 2,500 copies of one proof in a 900 KB body
cost 4 s of CPU). Proof sets within the limit still verify."""

from __future__ import annotations

from datetime import timedelta

import pytest

from vcverifier import problem_types as pt
from vcverifier.cache import StateStore
from vcverifier.config import Settings
from vcverifier.result import Outcome
from vcverifier.testing import FIXED_TIME, Issuer, credential, presentation
from vcverifier.verifier import Verifier, VerifyOptions

NOW = FIXED_TIME + timedelta(days=30)
ISSUER = Issuer("conformance-proof-set")
HOLDER = Issuer("conformance-proof-set-holder")


def make_verifier(store: StateStore, limit: int) -> Verifier:
    settings = Settings(trust_dir="/nonexistent-trust-dir", max_proofs_per_document=limit)
    return Verifier.from_settings(settings, store=store)


def proof_set(copies: int) -> dict[str, object]:
    signed = ISSUER.sign(credential(ISSUER.did, HOLDER.did))
    return {**signed, "proof": [signed["proof"]] * copies}


async def test_default_limit_is_sixteen(store: StateStore) -> None:
    assert Settings().max_proofs_per_document == 16


@pytest.mark.parametrize("copies", [1, 2, 3])
async def test_proof_set_within_limit_verifies(store: StateStore, copies: int) -> None:
    result = await make_verifier(store, 3).verify_credential(proof_set(copies), now=NOW)
    assert result.verified, result.to_json()


async def test_proof_set_over_limit_fails_proof(store: StateStore) -> None:
    result = await make_verifier(store, 3).verify_credential(proof_set(4), now=NOW)
    assert not result.verified
    proof = result.check("proof")
    did = result.check("did")
    assert proof is not None and did is not None
    assert proof.outcome is Outcome.FAILED
    assert {p.type for p in proof.problems} == {pt.MALFORMED_PROOF_ERROR}
    assert did.outcome is Outcome.SKIPPED


async def test_presentation_proof_set_over_limit_fails_proof(store: StateStore) -> None:
    vc = ISSUER.sign(credential(ISSUER.did, HOLDER.did))
    vp = HOLDER.sign(presentation(HOLDER.did, [vc]), purpose="authentication", challenge="c-1")
    vp["proof"] = [vp["proof"]] * 3
    verifier = make_verifier(store, 2)
    result = await verifier.verify_presentation(vp, options=VerifyOptions(challenge="c-1"), now=NOW)
    proof = result.check("proof")
    assert proof is not None
    assert proof.outcome is Outcome.FAILED
    assert {p.type for p in proof.problems} == {pt.MALFORMED_PROOF_ERROR}
