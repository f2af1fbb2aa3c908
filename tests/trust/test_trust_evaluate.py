"""The `trust` check: trusted, untrusted, suspended, revoked, type-not-allowed, not-yet-valid,
expired, pinned verification methods, list selection, no lists; authoritative claims and
conflicts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from vcverifier import problem_types as pt
from vcverifier.result import TRUST, CheckResult, Outcome
from vcverifier.trust.admin import TrustAdmin
from vcverifier.trust.evaluate import TrustEvaluator, detect_conflicts
from vcverifier.trust.model import EntryStatus, IssuerEntry, new_entry
from vcverifier.trust.store import TrustStore

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
GOOD = "did:example:good"
TYPES = ["VerifiableCredential", "EmployeeCredential"]


async def _store_with(store: TrustStore, *entries: IssuerEntry, list_id: str = "partners") -> None:
    admin = TrustAdmin(store)
    await admin.create_list(list_id, actor="t", now=NOW)
    for entry in entries:
        await admin.add_issuer(list_id, entry, expected_version=None, actor="t", now=NOW)


async def _check(evaluator: TrustEvaluator, **kw: Any) -> CheckResult:
    result, warnings = await evaluator.check(**kw)
    assert warnings == ()
    return result


def _entry(did: str = GOOD, **kw: object) -> IssuerEntry:
    status = kw.pop("status", EntryStatus.ACTIVE)
    types = kw.pop("types", ["EmployeeCredential"])
    return new_entry(did, types, now=NOW, status=status, **kw)  # type: ignore[arg-type]


async def test_trusted_issuer_passes_with_evidence(trust_store: TrustStore) -> None:
    await _store_with(trust_store, _entry())
    result = await _check(TrustEvaluator(trust_store), issuer=GOOD, types=TYPES, now=NOW)
    assert result.name == TRUST and result.outcome is Outcome.PASSED
    assert result.evidence["list"] == "partners"
    assert result.evidence["listVersion"] == "2"
    assert result.evidence["entry"] == GOOD


@pytest.mark.parametrize(
    ("entry", "failure"),
    [
        (_entry("did:example:other"), "untrusted"),
        (_entry(status=EntryStatus.SUSPENDED), "suspended"),
        (_entry(status=EntryStatus.REVOKED), "revoked"),
        (_entry(status=EntryStatus.PENDING), "pending"),
        (_entry(status=EntryStatus.REJECTED), "rejected"),
        (_entry(types=["OtherCredential"]), "type-not-allowed"),
        (_entry(valid_from=NOW + timedelta(days=1)), "not-yet-valid"),
        (_entry(valid_until=NOW), "expired"),
        (_entry(verification_methods=[GOOD + "#pinned"]), "verification-method-not-pinned"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
async def test_failures(trust_store: TrustStore, entry: IssuerEntry, failure: str) -> None:
    await _store_with(trust_store, entry)
    result = await _check(
        TrustEvaluator(trust_store),
        issuer=GOOD,
        types=TYPES,
        now=NOW,
        verification_methods=[GOOD + "#other"],
    )
    assert result.name == TRUST and result.outcome is Outcome.FAILED
    assert [p.type for p in result.problems] == [pt.UNTRUSTED_ISSUER]
    assert result.evidence["failure"] == failure


async def test_revoked_reason_is_reported(trust_store: TrustStore) -> None:
    await _store_with(trust_store, _entry(status=EntryStatus.REVOKED))
    admin = TrustAdmin(trust_store)
    current = await admin.require("partners")
    entry = current.require_entry(GOOD)
    from dataclasses import replace

    await admin.add_issuer(
        "partners",
        replace(entry, status_reason="key compromised"),
        expected_version=None,
        actor="t",
        now=NOW,
        replace_existing=True,
    )
    result = await _check(TrustEvaluator(trust_store), issuer=GOOD, types=TYPES, now=NOW)
    assert result.outcome is Outcome.FAILED
    assert "key compromised" in result.problems[0].detail


async def test_pinned_method_passes_when_used(trust_store: TrustStore) -> None:
    await _store_with(trust_store, _entry(verification_methods=[GOOD + "#pinned"]))
    evaluator = TrustEvaluator(trust_store)
    ok = await _check(
        evaluator, issuer=GOOD, types=TYPES, now=NOW, verification_methods=[GOOD + "#pinned"]
    )
    assert ok.outcome is Outcome.PASSED
    missing = await _check(evaluator, issuer=GOOD, types=TYPES, now=NOW)
    assert missing.outcome is Outcome.FAILED


async def test_every_type_must_be_allowed(trust_store: TrustStore) -> None:
    await _store_with(trust_store, _entry(types=["EmployeeCredential"]))
    evaluator = TrustEvaluator(trust_store)
    two = await _check(evaluator, issuer=GOOD, types=[*TYPES, "ClearanceCredential"], now=NOW)
    assert two.outcome is Outcome.FAILED and two.evidence["failure"] == "type-not-allowed"
    base_only = await _check(evaluator, issuer=GOOD, types=["VerifiableCredential"], now=NOW)
    assert base_only.outcome is Outcome.FAILED


async def test_validity_window_boundaries(trust_store: TrustStore) -> None:
    start, end = NOW - timedelta(days=1), NOW + timedelta(days=1)
    await _store_with(trust_store, _entry(valid_from=start, valid_until=end))
    evaluator = TrustEvaluator(trust_store)
    assert (await _check(evaluator, issuer=GOOD, types=TYPES, now=start)).outcome is Outcome.PASSED
    before = await _check(evaluator, issuer=GOOD, types=TYPES, now=start - timedelta(seconds=1))
    assert before.evidence["failure"] == "not-yet-valid"
    after = await _check(evaluator, issuer=GOOD, types=TYPES, now=end)
    assert after.evidence["failure"] == "expired"


async def test_no_list_is_skipped_with_warning(trust_store: TrustStore) -> None:
    evaluation = await TrustEvaluator(trust_store).evaluate(issuer=GOOD, types=TYPES, now=NOW)
    assert evaluation.result.name == TRUST
    assert evaluation.result.outcome is Outcome.SKIPPED
    assert [w.type for w in evaluation.warnings] == [pt.TRUST_NOT_CONFIGURED]


async def test_list_selection(trust_store: TrustStore) -> None:
    await _store_with(trust_store, _entry(), list_id="partners")
    await _store_with(trust_store, list_id="empty")
    evaluator = TrustEvaluator(trust_store)
    # every list in the store when none is named: the issuer is on one of them
    assert (await _check(evaluator, issuer=GOOD, types=TYPES, now=NOW)).outcome is Outcome.PASSED
    only_empty = await _check(evaluator, issuer=GOOD, types=TYPES, now=NOW, lists=["empty"])
    assert only_empty.evidence["failure"] == "untrusted"
    missing = await _check(evaluator, issuer=GOOD, types=TYPES, now=NOW, lists=["nope"])
    assert missing.outcome is Outcome.FAILED and missing.evidence["failure"] == "list-not-found"
    configured = TrustEvaluator(trust_store, default_lists=["empty"])
    assert (await _check(configured, issuer=GOOD, types=TYPES, now=NOW)).outcome is Outcome.FAILED
    asked = await _check(configured, issuer=GOOD, types=TYPES, now=NOW, lists=["partners"])
    assert asked.outcome is Outcome.PASSED


async def test_configured_but_missing_lists_fail_not_skip(trust_store: TrustStore) -> None:
    evaluator = TrustEvaluator(trust_store, default_lists=["partners"])
    result = await _check(evaluator, issuer=GOOD, types=TYPES, now=NOW)
    assert result.outcome is Outcome.FAILED


async def test_revoked_anywhere_wins(trust_store: TrustStore) -> None:
    await _store_with(trust_store, _entry(), list_id="a")
    await _store_with(trust_store, _entry(status=EntryStatus.REVOKED), list_id="b")
    result = await _check(TrustEvaluator(trust_store), issuer=GOOD, types=TYPES, now=NOW)
    assert result.outcome is Outcome.FAILED and result.evidence["failure"] == "revoked"
    assert result.evidence["list"] == "b"


def _credential(issuer: str, subject: dict[str, object]) -> dict[str, object]:
    return {"type": TYPES, "issuer": issuer, "credentialSubject": subject}


async def test_authoritative_claims_and_conflicts(trust_store: TrustStore) -> None:
    hr, payroll, stranger = "did:example:hr", "did:example:payroll", "did:example:x"
    await _store_with(
        trust_store,
        _entry(hr, authoritative_claims=["credentialSubject.role"]),
        _entry(payroll),  # no scope: authoritative for all its claims
    )
    evaluator = TrustEvaluator(trust_store)
    subject = {"id": "did:example:alice", "role": "admin", "clearance": {"level": "top"}}
    a = await evaluator.authoritative_claims(
        issuer=hr, credential=_credential(hr, subject), now=NOW
    )
    assert a.trusted and a.authoritative == ("credentialSubject.role",)
    assert a.non_authoritative == ("credentialSubject.clearance.level",)
    b = await evaluator.authoritative_claims(
        issuer=payroll,
        credential=_credential(payroll, {"id": "did:example:alice", "role": "user"}),
        now=NOW,
    )
    assert b.authoritative == ("credentialSubject.role",)
    c = await evaluator.authoritative_claims(
        issuer=stranger,
        credential=_credential(stranger, {"id": "did:example:alice", "role": "root"}),
        now=NOW,
    )
    assert not c.trusted and c.authoritative == ()
    conflicts = detect_conflicts([a, b, c])
    assert [p.type for p in conflicts] == [pt.CONFLICTING_CLAIMS]
    assert conflicts[0].check == TRUST
    assert detect_conflicts([a, c]) == ()


async def test_conflicts_over_a_presentations_credentials(trust_store: TrustStore) -> None:
    hr, payroll = "did:example:hr", "did:example:payroll"
    await _store_with(trust_store, _entry(hr), _entry(payroll))
    alice = "did:example:alice"
    creds = [
        _credential(hr, {"id": alice, "role": "admin"}),
        _credential(payroll, {"id": alice, "role": "user"}),
        _credential({"id": payroll}, {"id": "did:example:bob", "role": "user"}),  # type: ignore[arg-type]
    ]
    authorities, problems = await TrustEvaluator(trust_store).conflicts(creds, now=NOW)
    assert [a.issuer for a in authorities] == [hr, payroll, payroll]
    assert [p.type for p in problems] == [pt.CONFLICTING_CLAIMS]
    assert "credentialSubject.role" in problems[0].detail
