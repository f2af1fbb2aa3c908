"""A Data Integrity document with more than `max_json_objects` JSON objects fails `proof` before
JSON-LD processing, and a presentation over it is refused as input (found with hostile inputs
against `vcverifier serve`: pyld's node map is quadratic in the node objects of one property, so
4,000 blank nodes cost seconds and a 1 MiB body of them far more)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from vcverifier import problem_types as pt
from vcverifier.cache import StateStore
from vcverifier.config import Settings
from vcverifier.errors import InputError
from vcverifier.result import Outcome
from vcverifier.testing import FIXED_TIME, Issuer, credential, presentation
from vcverifier.verifier import Verifier, VerifyOptions

NOW = FIXED_TIME + timedelta(days=30)
ISSUER = Issuer("conformance-object-limit")
HOLDER = Issuer("conformance-object-limit-holder")


def make_verifier(store: StateStore, limit: int | None = None) -> Verifier:
    extra: dict[str, Any] = {} if limit is None else {"max_json_objects": limit}
    return Verifier.from_settings(
        Settings(trust_dir="/nonexistent-trust-dir", **extra), store=store
    )


def with_nodes(count: int, suite: str = "eddsa-rdfc-2022") -> dict[str, Any]:
    unsigned = credential(ISSUER.did, HOLDER.did)
    unsigned["credentialSubject"]["knows"] = [{"rank": i} for i in range(count)]
    return Issuer.for_suite("conformance-object-limit", suite).sign(unsigned, suite=suite)


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
async def test_within_limit_verifies(store: StateStore, suite: str) -> None:
    result = await make_verifier(store, 40).verify_credential(with_nodes(20, suite), now=NOW)
    assert result.verified, result.to_json()


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
async def test_over_limit_fails_proof(store: StateStore, suite: str) -> None:
    result = await make_verifier(store, 40).verify_credential(with_nodes(60, suite), now=NOW)
    assert not result.verified
    proof, did = result.check("proof"), result.check("did")
    assert proof is not None and did is not None
    assert proof.outcome is Outcome.FAILED
    assert {p.type for p in proof.problems} == {pt.MALFORMED_PROOF_ERROR}
    assert did.outcome is Outcome.SKIPPED


async def test_default_limit_refuses_thousands_of_blank_nodes(store: StateStore) -> None:
    doc = with_nodes(10)
    doc["credentialSubject"]["knows"] = [{"rank": i} for i in range(10_000)]
    result = await make_verifier(store).verify_credential(doc, now=NOW)
    proof = result.check("proof")
    assert proof is not None
    assert proof.outcome is Outcome.FAILED
    assert {p.type for p in proof.problems} == {pt.MALFORMED_PROOF_ERROR}


@pytest.mark.parametrize("signed", [True, False], ids=["signed", "unsigned"])
async def test_presentation_over_limit_is_input_error(store: StateStore, signed: bool) -> None:
    vcs = [with_nodes(15) for _ in range(3)]  # each credential is within the limit of 40
    vp = presentation(HOLDER.did, vcs)
    if signed:
        vp = HOLDER.sign(vp, purpose="authentication", challenge="c-1")
    options = VerifyOptions(challenge="c-1", allow_unsigned_presentation=not signed)
    with pytest.raises(InputError):
        await make_verifier(store, 40).verify_presentation(vp, options=options, now=NOW)
