"""Authorization requests and decisions (frozen dataclasses; JSON at the edges).

A decision is `permit` or `deny`, never anything else: "could not decide" is a deny whose reasons
say why. Every decision lists its reasons (each with a code; the matched rule ids, or why no rule
matched, or the failing verification check), the claims the matched rules' conditions read, and,
for a permit, the granted roles and scopes (already narrowed to what was asked for) and the token
lifetime the rules allow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from vcverifier.policy.model import Effect

# Reason codes (stable API output).
RULE_MATCHED = "rule-matched"  # a rule's condition held (rule id given)
RULE_DENIED = "rule-denied"  # a deny rule matched and overrides every permit
RULE_CONDITION_FALSE = "condition-false"
RULE_CONDITION_ERROR = "condition-error"  # e.g. a claim the issuer is not authoritative for
RULE_NO_CREDENTIAL = "no-applicable-credential"  # no trusted credential of the rule's types/lists
NO_RULE_FOR_AUDIENCE = "no-rule-for-audience"
NO_MATCH = "no-matching-rule"
VERIFICATION_FAILED = "verification-failed"  # a check failed (check named)
UNTRUSTED_CREDENTIAL = "untrusted-credential"  # trust check not passed: claims not visible
SCOPES_NARROWED = "scopes-narrowed"
NO_REQUESTED_SCOPE_GRANTED = "no-requested-scope-granted"
CONFLICTING_CLAIMS = "conflicting-claims"
TOKEN_BINDING_UNAVAILABLE = "token-binding-unavailable"  # noqa: S105 - a reason code


@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    audience: str
    action: str
    resource: str = ""
    purpose: str = ""
    scopes: tuple[str, ...] | None = None  # None: whatever the rules grant

    def to_cel(self) -> dict[str, Any]:
        return {
            "audience": self.audience,
            "action": self.action,
            "resource": self.resource,
            "purpose": self.purpose,
            "scopes": list(self.scopes or ()),
        }


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    detail: str
    rule: str | None = None
    check: str | None = None

    def to_json(self) -> dict[str, str]:
        out = {"code": self.code, "detail": self.detail}
        if self.rule is not None:
            out["rule"] = self.rule
        if self.check is not None:
            out["check"] = self.check
        return out


@dataclass(frozen=True, slots=True)
class Decision:
    effect: Effect
    reasons: tuple[Reason, ...]
    matched_rules: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ()
    max_lifetime_minutes: int | None = None
    claims_used: tuple[str, ...] = ()
    holder: str | None = None
    failed_checks: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def permit(self) -> bool:
        return self.effect is Effect.PERMIT

    def __bool__(self) -> bool:
        raise TypeError("use decision.permit")

    @classmethod
    def deny(
        cls,
        reasons: Sequence[Reason],
        *,
        matched: Sequence[str] = (),
        claims_used: Sequence[str] = (),
        holder: str | None = None,
        failed_checks: Sequence[str] = (),
    ) -> Decision:
        return cls(
            Effect.DENY,
            tuple(reasons),
            matched_rules=tuple(matched),
            claims_used=tuple(claims_used),
            holder=holder,
            failed_checks=tuple(failed_checks),
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "decision": str(self.effect),
            "permit": self.permit,
            "reasons": [r.to_json() for r in self.reasons],
            "matchedRules": list(self.matched_rules),
            "claimsUsed": list(self.claims_used),
        }
        if self.permit:
            out["roles"] = list(self.roles)
            out["scopes"] = list(self.scopes)
            out["maxLifetimeMinutes"] = self.max_lifetime_minutes
        if self.holder is not None:
            out["holder"] = self.holder
        if self.failed_checks:
            out["failedChecks"] = list(self.failed_checks)
        return out
