"""The `trust` check: is the issuer trusted, on the lists in force, for this kind of credential?

Which lists: those the caller names; else the configured defaults (`VCVERIFIER_TRUST_LISTS`);
else every list in the store. With no list at all the check is `skipped` and a warning says
so: it is never silently passed. A named list that does not exist fails the check.

The check passes only when one entry for the issuer, on one of those lists, is `active`, allows
every type of the credential (the base `VerifiableCredential` type aside; a credential with no
other type needs `VerifiableCredential` itself allowed), has a validity window covering `now`,
and, when it pins verification methods, pins the one the credential was verified with. An
issuer `revoked` or `suspended` on any of the lists fails, even if another list has it active:
an operator who stopped an issuer is not overruled by an older list. Every failure has the
problem type UNTRUSTED_ISSUER and `evidence["failure"]` names the reason (one of `FAILURES`).

`authoritative_claims` tells, for a trusted issuer, which claims of a credential fall within its
entry's `authoritativeClaims`; `detect_conflicts` reports authoritative claims about the same
subject that disagree across the credentials of a presentation.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from vcverifier import problem_types as pt
from vcverifier.config import Settings
from vcverifier.result import TRUST, CheckResult, Outcome, Problem
from vcverifier.trust.model import BASE_TYPE, EntryStatus, IssuerEntry, TrustList
from vcverifier.trust.store import TrustStore, is_trust_store, open_trust_store
from vcverifier.types import JsonObject

FAILURES = (
    "list-not-found",
    "untrusted",
    "revoked",
    "suspended",
    "pending",
    "rejected",
    "type-not-allowed",
    "not-yet-valid",
    "expired",
    "verification-method-not-pinned",
)
_TITLE = "Untrusted issuer"
# The warning when no list is in force (immutable, so one instance serves every evaluation).
_NOT_CONFIGURED = (
    Problem(
        type=pt.TRUST_NOT_CONFIGURED,
        title="Issuer trust not checked",
        detail="no trust list is configured, so the issuer's trust was not checked",
        check=TRUST,
    ),
)


@dataclass(frozen=True, slots=True)
class TrustEvaluation:
    """The `trust` check result, the warnings that go with it, and the matching entry."""

    result: CheckResult
    warnings: tuple[Problem, ...] = ()
    trust_list: TrustList | None = None
    entry: IssuerEntry | None = None


@dataclass(frozen=True, slots=True)
class Claim:
    subject: str | None  # credentialSubject.id, if any
    path: str  # "credentialSubject.role"
    value: Any  # the JSON value
    authoritative: bool


@dataclass(frozen=True, slots=True)
class ClaimAuthority:
    """Which claims of one credential its issuer is authoritative for. Claims of an untrusted
    issuer, or outside its entry's `authoritativeClaims`, are marked non-authoritative."""

    issuer: str
    trusted: bool
    list_id: str | None
    scope: tuple[str, ...] | None  # the entry's authoritativeClaims (None: all its claims)
    claims: tuple[Claim, ...]

    @property
    def authoritative(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.path for c in self.claims if c.authoritative))

    @property
    def non_authoritative(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.path for c in self.claims if not c.authoritative))

    def to_json(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "trusted": self.trusted,
            "list": self.list_id,
            "authoritative": list(self.authoritative),
            "nonAuthoritative": list(self.non_authoritative),
        }


def _fail(reason: str, failure: str, **evidence: str) -> CheckResult:
    return CheckResult.failed(
        TRUST,
        reason,
        problem_type=pt.UNTRUSTED_ISSUER,
        title=_TITLE,
        evidence={"failure": failure, **evidence},
    )


def _entry_evidence(trust_list: TrustList, entry: IssuerEntry) -> dict[str, str]:
    return {
        "list": trust_list.id,
        "listVersion": str(trust_list.version),
        "entry": entry.did,
        "entryStatus": str(entry.status),
    }


def _entry_failure(
    trust_list: TrustList,
    entry: IssuerEntry,
    required: Sequence[str],
    now: datetime,
    verification_methods: Sequence[str],
) -> tuple[str, str] | None:
    """(failure code, reason) why `entry` does not make the issuer trusted, or None."""
    where = f"on trust list {trust_list.id} (version {trust_list.version})"
    if entry.status is not EntryStatus.ACTIVE:
        why = f": {entry.status_reason}" if entry.status_reason else ""
        return str(entry.status), f"issuer {entry.did} is {entry.status} {where}{why}"
    missing = [t for t in required if t not in entry.types]
    if missing:
        return (
            "type-not-allowed",
            f"issuer {entry.did} is not trusted for {', '.join(missing)} {where}",
        )
    if entry.valid_from is not None and now < entry.valid_from:
        return (
            "not-yet-valid",
            f"issuer {entry.did} is trusted only from {entry.valid_from} {where}",
        )
    if entry.valid_until is not None and now >= entry.valid_until:
        return "expired", f"issuer {entry.did} was trusted only until {entry.valid_until} {where}"
    if entry.verification_methods and not any(
        vm in entry.verification_methods for vm in verification_methods
    ):
        used = ", ".join(verification_methods) or "no verification method given"
        return (
            "verification-method-not-pinned",
            f"issuer {entry.did} must sign with a pinned verification method {where} ({used})",
        )
    return None


class TrustEvaluator:
    """Runs the `trust` check against a `TrustStore`."""

    def __init__(self, store: TrustStore, *, default_lists: Sequence[str] = ()) -> None:
        self.store = store
        self.default_lists = tuple(default_lists)

    @classmethod
    def from_settings(cls, settings: Settings, *, store: object = None) -> TrustEvaluator:
        """The evaluator on the configured trust store (`open_trust_store`) with the configured
        default lists. `store` may be a `TrustStore` to use instead; anything else (such as the
        shared `StateStore` the default wiring passes) is not a trust store and is ignored."""
        trust_store = store if is_trust_store(store) else open_trust_store(settings)
        return cls(trust_store, default_lists=settings.trust_lists)

    async def _lists(self, lists: Sequence[str]) -> tuple[list[TrustList], list[str], bool]:
        """(lists found, ids named but missing, whether any list was named or configured)."""
        named = tuple(lists) or self.default_lists
        ids = named or await self.store.list_ids()
        found, missing = [], []
        for list_id in ids:
            trust_list = await self.store.get(list_id)
            if trust_list is None:
                missing.append(list_id)
            else:
                found.append(trust_list)
        return found, missing, bool(named)

    async def evaluate(
        self,
        *,
        issuer: str,
        types: Sequence[str],
        now: datetime,
        lists: Sequence[str] = (),
        verification_methods: Sequence[str] = (),
    ) -> TrustEvaluation:
        """The `trust` check with its warnings. Raises only StateUnavailableError (Redis store
        down) and ConfigError (an unreadable list file)."""
        found, missing, named = await self._lists(lists)
        if not found and not named:
            result = CheckResult.skipped(TRUST, "no trust list is configured", lists="none")
            return TrustEvaluation(result, _NOT_CONFIGURED)
        if missing:
            reason = f"trust list {', '.join(missing)} does not exist"
            return TrustEvaluation(_fail(reason, "list-not-found", list=", ".join(missing)))

        required = [t for t in types if t != BASE_TYPE] or [BASE_TYPE]
        candidates = [(tl, e) for tl in found for e in tl.issuers if e.did == issuer]
        if not candidates:
            names = ", ".join(tl.id for tl in found)
            reason = f"issuer {issuer} is not on trust list {names}"
            return TrustEvaluation(_fail(reason, "untrusted", list=names))

        # An issuer the operator stopped on any list in force is not trusted (revoked first).
        for stopped in (EntryStatus.REVOKED, EntryStatus.SUSPENDED):
            for tl, entry in candidates:
                if entry.status is stopped:
                    failure = _entry_failure(tl, entry, required, now, verification_methods)
                    assert failure is not None  # noqa: S101 - a stopped entry always fails
                    result = _fail(failure[1], failure[0], **_entry_evidence(tl, entry))
                    return TrustEvaluation(result, trust_list=tl, entry=entry)

        first_failure: CheckResult | None = None
        for tl, entry in candidates:
            failure = _entry_failure(tl, entry, required, now, verification_methods)
            if failure is None:
                reason = (
                    f"issuer {issuer} is active on trust list {tl.id} (version {tl.version}) "
                    f"for {', '.join(required)}"
                )
                result = CheckResult.passed(TRUST, reason, **_entry_evidence(tl, entry))
                return TrustEvaluation(result, trust_list=tl, entry=entry)
            if first_failure is None:
                first_failure = _fail(failure[1], failure[0], **_entry_evidence(tl, entry))
        assert first_failure is not None  # noqa: S101 - candidates is not empty
        return TrustEvaluation(first_failure)

    async def check(
        self,
        *,
        issuer: str,
        types: Sequence[str],
        now: datetime,
        lists: Sequence[str] = (),
        verification_methods: Sequence[str] = (),
    ) -> tuple[CheckResult, tuple[Problem, ...]]:
        """The `trust` check and its warnings (the verifier's `TrustCheck` interface)."""
        evaluation = await self.evaluate(
            issuer=issuer,
            types=types,
            now=now,
            lists=lists,
            verification_methods=verification_methods,
        )
        return evaluation.result, evaluation.warnings

    async def authoritative_claims(
        self,
        *,
        issuer: str,
        credential: JsonObject,
        now: datetime,
        lists: Sequence[str] = (),
        verification_methods: Sequence[str] = (),
    ) -> ClaimAuthority:
        """Mark each `credentialSubject` claim authoritative or not. A claim is authoritative
        only when the issuer passes the `trust` check for this credential and the claim's path
        is within the entry's `authoritativeClaims` (every claim when the entry names none)."""
        types = credential.get("type", [])
        types = [types] if isinstance(types, str) else [t for t in types if isinstance(t, str)]
        evaluation = await self.evaluate(
            issuer=issuer,
            types=types,
            now=now,
            lists=lists,
            verification_methods=verification_methods,
        )
        trusted = evaluation.result.outcome is Outcome.PASSED and evaluation.entry is not None
        scope = evaluation.entry.authoritative_claims if evaluation.entry is not None else None
        claims = tuple(
            Claim(subject, path, value, trusted and _in_scope(path, scope))
            for subject, path, value in subject_claims(credential)
        )
        list_id = evaluation.trust_list.id if trusted and evaluation.trust_list else None
        return ClaimAuthority(issuer, trusted, list_id, scope if trusted else None, claims)

    async def conflicts(
        self,
        credentials: Sequence[JsonObject],
        *,
        now: datetime,
        lists: Sequence[str] = (),
    ) -> tuple[tuple[ClaimAuthority, ...], tuple[Problem, ...]]:
        """For the credentials of one presentation: each one's `ClaimAuthority` (in order)
        and the conflicts between their authoritative claims (`detect_conflicts`)."""
        authorities = []
        for credential in credentials:
            issuer = credential.get("issuer")
            issuer = issuer.get("id") if isinstance(issuer, dict) else issuer
            if not isinstance(issuer, str):
                continue
            authorities.append(
                await self.authoritative_claims(
                    issuer=issuer, credential=credential, now=now, lists=lists
                )
            )
        return tuple(authorities), detect_conflicts(authorities)


def _in_scope(path: str, scope: tuple[str, ...] | None) -> bool:
    if scope is None:
        return True
    return any(path == s or path.startswith(s + ".") for s in scope)


def subject_claims(credential: JsonObject) -> Iterator[tuple[str | None, str, Any]]:
    """(subject id, path, value) for every leaf claim of `credentialSubject` (arrays are
    leaves; the subject's `id` is its name, not a claim)."""
    subjects = credential.get("credentialSubject")
    items = subjects if isinstance(subjects, list) else [subjects]
    for subject in items:
        if not isinstance(subject, dict):
            continue
        subject_id = subject.get("id") if isinstance(subject.get("id"), str) else None
        stack: list[tuple[str, Any]] = [
            (f"credentialSubject.{k}", v) for k, v in subject.items() if k != "id"
        ]
        stack.reverse()
        while stack:
            path, value = stack.pop()
            if isinstance(value, dict) and value:
                children = [(f"{path}.{k}", v) for k, v in value.items()]
                stack.extend(reversed(children))
            else:
                yield subject_id, path, value


def detect_conflicts(authorities: Sequence[ClaimAuthority]) -> tuple[Problem, ...]:
    """Authoritative claims about the same subject (by `credentialSubject.id`) and path whose
    values differ, across the credentials of one presentation: one problem per (subject,
    path), naming the issuers. The caller reports them; nothing is picked."""
    seen: dict[tuple[str, str], dict[str, list[str]]] = {}
    for authority in authorities:
        for claim in authority.claims:
            if not claim.authoritative or claim.subject is None:
                continue
            canonical = json.dumps(claim.value, sort_keys=True, separators=(",", ":"))
            by_value = seen.setdefault((claim.subject, claim.path), {})
            issuers = by_value.setdefault(canonical, [])
            if authority.issuer not in issuers:
                issuers.append(authority.issuer)
    problems = []
    for (subject, path), by_value in seen.items():
        if len(by_value) < 2:
            continue
        parts = [f"{', '.join(issuers)} say {value}" for value, issuers in by_value.items()]
        problems.append(
            Problem(
                type=pt.CONFLICTING_CLAIMS,
                title="Conflicting authoritative claims",
                detail=f"{path} of {subject}: " + "; ".join(parts),
                check=TRUST,
            )
        )
    return tuple(problems)
