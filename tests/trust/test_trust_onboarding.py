"""Partner onboarding: valid proof of control, forged, replayed and stale requests; the
approval flow from request to a passing `trust` check."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import pytest

from vcverifier import problem_types as pt
from vcverifier.cache import MemoryStore, StateStore
from vcverifier.did.defaults import build_default_resolvers
from vcverifier.errors import InputError, ProofError
from vcverifier.keys import KeyType
from vcverifier.proofs import default_suites
from vcverifier.result import Outcome
from vcverifier.testing import Issuer
from vcverifier.trust.admin import TrustAdmin
from vcverifier.trust.evaluate import TrustEvaluator
from vcverifier.trust.model import Action, EntryStatus, TrustConflictError, TrustNotFoundError
from vcverifier.trust.onboarding import (
    OnboardingRefusedError,
    make_request,
    submit,
    verify_request,
)
from vcverifier.trust.store import TrustStore

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
PARTNER = Issuer("onboarding-partner")
TYPES = ["VerifiableCredential", "EmployeeCredential"]


def _request(
    partner: Issuer = PARTNER,
    *,
    nonce: str = "nonce-0123456789abcdef",
    now: datetime = NOW,
    purpose: str = "authentication",
    list_id: str = "partners",
) -> dict[str, object]:
    return make_request(
        issuer=partner.did,
        key=partner.key,
        verification_method=partner.vm,
        list_id=list_id,
        types=["EmployeeCredential"],
        nonce=nonce,
        now=now,
        suites=default_suites(),
        name="Example Corp",
        purpose=purpose,
    )


async def _verify(body: object, state: StateStore, now: datetime = NOW):  # type: ignore[no-untyped-def]
    return await verify_request(
        body, resolvers=build_default_resolvers(), suites=default_suites(), state=state, now=now
    )


@pytest.mark.parametrize("purpose", ["authentication", "assertionMethod"])
async def test_valid_request(purpose: str, store: StateStore) -> None:
    verified = await _verify(_request(purpose=purpose), store)
    assert verified.issuer == PARTNER.did
    assert verified.types == ("EmployeeCredential",)
    assert verified.verification_method == PARTNER.vm


async def test_p256_partner() -> None:
    partner = Issuer("onboarding-partner-p256", KeyType.P256)
    assert (await _verify(_request(partner), MemoryStore())).issuer == partner.did


async def test_forged_request_is_refused() -> None:
    mallory = Issuer("mallory")
    # Signed by mallory, claiming to be the partner.
    forged = make_request(
        issuer=PARTNER.did,
        key=mallory.key,
        verification_method=PARTNER.vm,
        list_id="partners",
        types=["EmployeeCredential"],
        nonce="nonce-0123456789abcdef",
        now=NOW,
        suites=default_suites(),
    )
    state = MemoryStore()
    with pytest.raises(ProofError) as info:
        await _verify(forged, state)
    assert info.value.problem_type == pt.PROOF_VERIFICATION_ERROR
    # Mallory's own key, with the partner as issuer.
    forged2 = _request(mallory)
    forged2["issuer"] = PARTNER.did
    with pytest.raises(ProofError):
        await _verify(forged2, state)
    # A signed request changed after signing (more types).
    tampered = copy.deepcopy(_request())
    tampered["types"] = ["EmployeeCredential", "ClearanceCredential"]
    with pytest.raises(ProofError):
        await _verify(tampered, state)
    # The forged attempts did not use up the partner's nonce.
    assert (await _verify(_request(), state)).issuer == PARTNER.did


async def test_replayed_request_is_refused(store: StateStore) -> None:
    body = _request()
    await _verify(body, store)
    with pytest.raises(OnboardingRefusedError) as info:
        await _verify(body, store)
    assert info.value.problem_type == pt.CHALLENGE_REPLAYED


async def test_stale_or_future_request_is_refused() -> None:
    with pytest.raises(OnboardingRefusedError) as info:
        await _verify(_request(now=NOW - timedelta(minutes=6)), MemoryStore())
    assert info.value.problem_type == pt.EXPIRED
    with pytest.raises(OnboardingRefusedError):
        await _verify(_request(now=NOW + timedelta(minutes=6)), MemoryStore())


async def test_malformed_requests() -> None:
    for body in ({}, [], "x", {**_request(), "extra": 1}, {**_request(), "nonce": "short"}):
        with pytest.raises(InputError):
            await _verify(body, MemoryStore())
    no_proof = {k: v for k, v in _request().items() if k != "proof"}
    with pytest.raises(InputError):
        await _verify(no_proof, MemoryStore())


async def test_approval_flow(trust_store: TrustStore) -> None:
    admin = TrustAdmin(trust_store)
    evaluator = TrustEvaluator(trust_store)
    state = MemoryStore()
    with pytest.raises(TrustNotFoundError):  # the list must exist
        await submit(
            await _verify(_request(list_id="nope", nonce="nonce-nope-0123456789"), state),
            admin=admin,
            now=NOW,
        )
    await admin.create_list("partners", actor="op", now=NOW)
    after = await submit(await _verify(_request(), state), admin=admin, now=NOW)
    assert after.require_entry(PARTNER.did).status is EntryStatus.PENDING
    result, _ = await evaluator.check(issuer=PARTNER.did, types=TYPES, now=NOW)
    assert result.outcome is Outcome.FAILED and result.evidence["failure"] == "pending"

    approved = await admin.act(
        "partners",
        PARTNER.did,
        Action.APPROVE,
        reason=None,
        expected_version=after.version,
        actor="op",
        now=NOW,
    )
    result, _ = await evaluator.check(issuer=PARTNER.did, types=TYPES, now=NOW)
    assert result.outcome is Outcome.PASSED

    # Once approved, the partner cannot re-request (e.g. to change its types).
    again = _request(nonce="nonce-again-0123456789")
    with pytest.raises(TrustConflictError):
        await submit(await _verify(again, state), admin=admin, now=NOW)

    await admin.act(
        "partners",
        PARTNER.did,
        Action.SUSPEND,
        reason="audit",
        expected_version=approved.version,
        actor="op",
        now=NOW,
    )
    result, _ = await evaluator.check(issuer=PARTNER.did, types=TYPES, now=NOW)
    assert result.evidence["failure"] == "suspended"
    await admin.act(
        "partners",
        PARTNER.did,
        Action.REVOKE,
        reason="contract ended",
        expected_version=None,
        actor="op",
        now=NOW,
    )
    result, _ = await evaluator.check(issuer=PARTNER.did, types=TYPES, now=NOW)
    assert result.evidence["failure"] == "revoked"
    actions = [j.action for j in await trust_store.journal("partners")]
    assert actions == ["create-list", "onboarding-request", "approve", "suspend", "revoke"]
    journal = await trust_store.journal("partners")
    assert journal[1].actor == f"partner:{PARTNER.did}"


async def test_rejected_partner_may_ask_again(trust_store: TrustStore) -> None:
    admin = TrustAdmin(trust_store)
    state = MemoryStore()
    await admin.create_list("partners", actor="op", now=NOW)
    await submit(await _verify(_request(), state), admin=admin, now=NOW)
    await admin.act(
        "partners",
        PARTNER.did,
        Action.REJECT,
        reason="incomplete",
        expected_version=None,
        actor="op",
        now=NOW,
    )
    again = await submit(
        await _verify(_request(nonce="nonce-second-0123456789"), state), admin=admin, now=NOW
    )
    assert again.require_entry(PARTNER.did).status is EntryStatus.PENDING
