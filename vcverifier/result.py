"""The result model shared by the library, the CLI (`--json`) and the HTTP API.

A "no" is data: every check yields a `CheckResult` (passed, failed or skipped, with one human
sentence and the problems found). `VerificationResult.verified` is true only when there is at
least one check and none failed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from vcverifier.errors import VcVerifierError

# Stable check names (DESIGN.md). The API, metrics, policies and logs use them.
FORMAT = "format"
CONTEXT = "context"
DID = "did"
PROOF = "proof"
VALIDITY = "validity"
CHALLENGE = "challenge"
DOMAIN = "domain"
HOLDER = "holder"
TRUST = "trust"
STATUS = "status"
POLICY = "policy"
CHECK_NAMES = (FORMAT, CONTEXT, DID, PROOF, VALIDITY, CHALLENGE, DOMAIN, HOLDER, TRUST, STATUS)


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class Problem:
    """An RFC 9457-shaped problem: `type` URL, short `title`, specific `detail`."""

    type: str
    title: str
    detail: str
    check: str | None = None

    @classmethod
    def from_error(cls, error: VcVerifierError, *, check: str | None = None) -> Problem:
        return cls(type=error.problem_type, title=error.title, detail=error.detail, check=check)

    def to_json(self) -> dict[str, str]:
        out = {"type": self.type, "title": self.title, "detail": self.detail}
        if self.check is not None:
            out["check"] = self.check
        return out


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    outcome: Outcome
    reason: str
    problems: tuple[Problem, ...] = ()
    evidence: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def passed(cls, name: str, reason: str, **evidence: str) -> CheckResult:
        return cls(name, Outcome.PASSED, reason, (), evidence)  # `evidence` is a new dict

    @classmethod
    def skipped(cls, name: str, reason: str, **evidence: str) -> CheckResult:
        return cls(name, Outcome.SKIPPED, reason, (), evidence)  # `evidence` is a new dict

    @classmethod
    def failed(
        cls,
        name: str,
        reason: str,
        *,
        problem_type: str,
        title: str,
        detail: str | None = None,
        evidence: Mapping[str, str] | None = None,
    ) -> CheckResult:
        problem = Problem(type=problem_type, title=title, detail=detail or reason, check=name)
        return cls(name, Outcome.FAILED, reason, (problem,), dict(evidence or {}))

    @classmethod
    def from_error(
        cls, name: str, error: VcVerifierError, *, evidence: Mapping[str, str] | None = None
    ) -> CheckResult:
        problem = Problem.from_error(error, check=name)
        return cls(name, Outcome.FAILED, error.detail, (problem,), dict(evidence or {}))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "outcome": str(self.outcome),
            "reason": self.reason,
        }
        if self.problems:
            out["problems"] = [p.to_json() for p in self.problems]
        if self.evidence:
            out["evidence"] = dict(self.evidence)
        return out


def skipped_after(name: str, failed_check: str) -> CheckResult:
    """A check that cannot run because `failed_check` failed first."""
    return CheckResult.skipped(name, f"not checked: the {failed_check} check failed")


@dataclass(frozen=True, slots=True)
class VerificationResult:
    """What a verification found, check by check.

    `kind` is "credential" or "presentation"; `mechanism` names how the document was secured
    ("data-integrity", "vc+jwt", "dc+sd-jwt", ...). For presentations, `credentials` holds the
    result of each contained credential, in order. `document` is the verified document (for a JWT,
    its decoded payload in credential form) and is summarised, not echoed, in JSON output.
    """

    checks: tuple[CheckResult, ...]
    warnings: tuple[Problem, ...] = ()
    kind: str = "credential"
    mechanism: str | None = None
    credentials: tuple[VerificationResult, ...] = ()
    document: Mapping[str, Any] | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def verified(self) -> bool:
        own = bool(self.checks) and all(c.outcome is not Outcome.FAILED for c in self.checks)
        return own and all(c.verified for c in self.credentials)

    def __bool__(self) -> bool:
        raise TypeError("use result.verified")

    def check(self, name: str) -> CheckResult | None:
        """The check named `name`, or None when it was not run at all."""
        for c in self.checks:
            if c.name == name:
                return c
        return None

    @property
    def errors(self) -> tuple[Problem, ...]:
        own = tuple(p for c in self.checks if c.outcome is Outcome.FAILED for p in c.problems)
        return own + tuple(p for cred in self.credentials for p in cred.errors)

    @property
    def failed_checks(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.checks if c.outcome is Outcome.FAILED)

    def with_checks(self, extra: Iterable[CheckResult]) -> VerificationResult:
        return replace(self, checks=self.checks + tuple(extra))

    def with_warnings(self, extra: Iterable[Problem]) -> VerificationResult:
        return replace(self, warnings=self.warnings + tuple(extra))

    def summary(self) -> dict[str, Any]:
        """A short description of the verified document: id, type, issuer, subject ids."""
        doc = self.document or {}
        out: dict[str, Any] = {}
        for key in ("id", "type", "issuer", "holder", "validFrom", "validUntil"):
            if key in doc:
                value = doc[key]
                if key in ("issuer", "holder") and isinstance(value, Mapping):
                    value = value.get("id")
                out[key] = value
        subject = doc.get("credentialSubject")
        subjects = subject if isinstance(subject, list) else [subject] if subject else []
        ids = [s.get("id") for s in subjects if isinstance(s, Mapping) and "id" in s]
        if ids:
            out["credentialSubject"] = ids
        return out

    def to_json(self) -> dict[str, Any]:
        """The VC API response body: `verified`, `checks` (names that passed), `warnings`,
        `errors`, plus `checkResults` per check and, for presentations, `credentialResults`."""
        out: dict[str, Any] = {
            "verified": self.verified,
            "checks": [c.name for c in self.checks if c.outcome is Outcome.PASSED],
            "warnings": [w.to_json() for w in self.warnings],
            "errors": [e.to_json() for e in self.errors],
            "kind": self.kind,
            "checkResults": [c.to_json() for c in self.checks],
        }
        if self.mechanism is not None:
            out["mechanism"] = self.mechanism
        if self.document is not None:
            out["document"] = self.summary()
        if self.kind == "presentation":
            out["credentialResults"] = [c.to_json() for c in self.credentials]
        if self.details:
            out["details"] = dict(self.details)
        return out
