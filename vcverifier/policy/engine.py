"""The policy engine: a verified presentation and a request in, a decision out. Deny by default.

Order of evaluation:

1. A presentation that did not verify (any failed check, its own or a credential's) is denied,
   each failed check named. Nothing else is looked at.
2. Only rules for the request's audience are considered; none → deny.
3. For each rule, the credentials it applies to are those having all of its credential types
   whose `trust` check passed; the trust layer then says, for the rule's trust lists, whether
   the issuer is trusted there and which claims it is authoritative for. Only those claims, and
   only about the holder (the subject whose `id` is the holder DID), are visible to the
   condition. No such credential → the rule does not apply.
4. A permit rule matches when its condition is true. A deny rule matches when its condition is
   true OR cannot be evaluated (fail closed: a deny rule that reads a missing claim denies).
5. Any matched deny rule → deny (deny overrides permit). Else any matched permit → permit with
   the union of the granted roles and scopes and the shortest of their lifetimes. Else deny.
6. Requested scopes are narrowed to the granted ones: asking for more gets only what was
   granted (reason `scopes-narrowed`); asking only for scopes none of which was granted is a
   deny (`no-requested-scope-granted`). Asking for none gets every granted scope.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from vcverifier.policy.cel import CelError
from vcverifier.policy.claims import AuthoritySource, claims_from_authority, nest
from vcverifier.policy.decision import (
    CONFLICTING_CLAIMS,
    NO_MATCH,
    NO_REQUESTED_SCOPE_GRANTED,
    NO_RULE_FOR_AUDIENCE,
    RULE_CONDITION_ERROR,
    RULE_CONDITION_FALSE,
    RULE_DENIED,
    RULE_MATCHED,
    RULE_NO_CREDENTIAL,
    SCOPES_NARROWED,
    UNTRUSTED_CREDENTIAL,
    VERIFICATION_FAILED,
    AuthorizationRequest,
    Decision,
    Reason,
)
from vcverifier.policy.model import Effect, Policy, Rule
from vcverifier.result import HOLDER, PROOF, TRUST, Outcome, VerificationResult

_BASE_TYPE = "VerifiableCredential"


@dataclass(frozen=True, slots=True)
class _Credential:
    index: int
    document: Mapping[str, Any]
    issuer: str | None
    types: frozenset[str]
    trusted: bool
    verification_methods: tuple[str, ...]


def holder_of(result: VerificationResult) -> str | None:
    """The presentation's `holder` DID. An SD-JWT presentation has none (its `iss` is the
    credential's issuer), so policies see no holder and no claims for it."""
    doc = result.document or {}
    holder = doc.get("holder")
    if isinstance(holder, Mapping):
        holder = holder.get("id")
    return holder if isinstance(holder, str) else None


def _issuer(doc: Mapping[str, Any]) -> str | None:
    issuer = doc.get("issuer", doc.get("iss"))
    if isinstance(issuer, Mapping):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def _types(doc: Mapping[str, Any]) -> frozenset[str]:
    value = doc.get("type", doc.get("vct"))
    items = value if isinstance(value, list) else [value]
    return frozenset(t for t in items if isinstance(t, str))


def _credentials(result: VerificationResult) -> list[_Credential]:
    out = []
    for index, cred in enumerate(result.credentials):
        if cred.document is None:
            continue
        trust = cred.check(TRUST)
        proof = cred.check(PROOF)
        vms = proof.evidence.get("verificationMethods", "") if proof is not None else ""
        out.append(
            _Credential(
                index=index,
                document=cred.document,
                issuer=_issuer(cred.document),
                types=_types(cred.document),
                trusted=trust is not None and trust.outcome is Outcome.PASSED,
                verification_methods=tuple(v for v in vms.split(" ") if v),
            )
        )
    return out


def _failures(result: VerificationResult) -> tuple[list[Reason], list[str]]:
    reasons, names = [], []
    for check in result.checks:
        if check.outcome is Outcome.FAILED:
            reasons.append(
                Reason(VERIFICATION_FAILED, f"presentation: {check.reason}", check=check.name)
            )
            names.append(check.name)
    for i, cred in enumerate(result.credentials):
        for check in cred.checks:
            if check.outcome is Outcome.FAILED:
                detail = f"credential #{i}: {check.reason}"
                reasons.append(Reason(VERIFICATION_FAILED, detail, check=check.name))
                names.append(check.name)
    return reasons, list(dict.fromkeys(names))


class PolicyEngine:
    """Evaluates one loaded `Policy`. `authority` is the trust layer (a `TrustEvaluator`)."""

    def __init__(self, policy: Policy, authority: AuthoritySource) -> None:
        self.policy = policy
        self.authority = authority

    async def decide(
        self, result: VerificationResult, request: AuthorizationRequest, *, now: datetime
    ) -> Decision:
        """The decision for `request` by the holder of the verified presentation `result`.
        Raises only what the trust store raises when it cannot answer (StateUnavailableError)."""
        holder = holder_of(result)
        if result.kind != "presentation":
            reason = Reason(VERIFICATION_FAILED, "a presentation is required", check="format")
            return Decision.deny([reason], holder=holder, failed_checks=("format",))
        if not result.verified:
            reasons, names = _failures(result)
            return Decision.deny(reasons, holder=holder, failed_checks=names)
        if holder is None:
            reason = Reason(VERIFICATION_FAILED, "the presentation names no holder", check=HOLDER)
            return Decision.deny([reason], failed_checks=(HOLDER,))
        rules = self.policy.rules_for(request.audience)
        if not rules:
            detail = f"policy {self.policy.id} has no rule for audience {request.audience!r}"
            return Decision.deny([Reason(NO_RULE_FOR_AUDIENCE, detail)], holder=holder)

        credentials = _credentials(result)
        cel_request = request.to_cel()
        notes: list[Reason] = []
        permits: list[Rule] = []
        denies: list[Rule] = []
        used: dict[str, tuple[str, ...]] = {}  # rule id -> the claims its condition read
        for rule in rules:
            claims, why_not, conflicts = await self._claims_for(
                rule, credentials, holder=holder, now=now
            )
            if why_not is not None:
                notes.append(why_not)
                continue
            for path in conflicts:
                detail = f"authoritative claims disagree on {path}; it is hidden from conditions"
                notes.append(Reason(CONFLICTING_CLAIMS, detail, rule=rule.id))
            try:
                holds = rule.condition.evaluate(claims=claims, request=cel_request, holder=holder)
            except CelError as exc:
                notes.append(Reason(RULE_CONDITION_ERROR, str(exc), rule=rule.id))
                if rule.effect is Effect.DENY:
                    denies.append(rule)  # fail closed
                    used[rule.id] = _present(rule.condition.claim_paths, claims)
                continue
            if not holds:
                notes.append(Reason(RULE_CONDITION_FALSE, "the condition is false", rule=rule.id))
                continue
            (denies if rule.effect is Effect.DENY else permits).append(rule)
            used[rule.id] = _present(rule.condition.claim_paths, claims)

        def claims_of(matched: Sequence[Rule]) -> tuple[str, ...]:
            return tuple(dict.fromkeys(p for r in matched for p in used[r.id]))

        if denies:
            reasons = [Reason(RULE_DENIED, "a deny rule matched", rule=r.id) for r in denies]
            return Decision.deny(
                reasons + notes,
                matched=[r.id for r in denies],
                claims_used=claims_of(denies),
                holder=holder,
            )
        if not permits:
            detail = "no rule permits this request"
            return Decision.deny([Reason(NO_MATCH, detail), *notes], holder=holder)
        return _permit(permits, request, notes, claims_used=claims_of(permits), holder=holder)

    async def _claims_for(
        self, rule: Rule, credentials: Sequence[_Credential], *, holder: str, now: datetime
    ) -> tuple[dict[str, Any], Reason | None, tuple[str, ...]]:
        """The claims about `holder` visible to `rule`, or why the rule does not apply."""
        wanted = frozenset(t for t in rule.credential_types if t != _BASE_TYPE)
        typed = [c for c in credentials if wanted <= c.types]
        if not typed:
            detail = f"no credential of type {', '.join(rule.credential_types)}"
            return {}, Reason(RULE_NO_CREDENTIAL, detail, rule=rule.id), ()
        trusted = [c for c in typed if c.trusted and c.issuer is not None]
        if not trusted:
            detail = "the issuer of each credential of the rule's types is not trusted"
            return {}, Reason(UNTRUSTED_CREDENTIAL, detail, rule=rule.id, check=TRUST), ()
        pairs: list[tuple[str, Any]] = []
        any_trusted = False
        for cred in trusted:
            assert cred.issuer is not None  # noqa: S101 - filtered above
            authority = await self.authority.authoritative_claims(
                issuer=cred.issuer,
                credential=dict(cred.document),
                now=now,
                lists=rule.trust_lists,
                verification_methods=cred.verification_methods,
            )
            if authority.trusted:
                any_trusted = True
                pairs.extend(claims_from_authority(authority, subject=holder))
        if not any_trusted:
            lists = ", ".join(rule.trust_lists) or "the default lists"
            detail = f"no credential of the rule's types has an issuer trusted on {lists}"
            return {}, Reason(UNTRUSTED_CREDENTIAL, detail, rule=rule.id, check=TRUST), ()
        claims, conflicts = nest(pairs)
        return claims, None, conflicts


def _present(paths: Sequence[str], claims: Mapping[str, Any]) -> tuple[str, ...]:
    out = []
    for path in paths:
        node: Any = claims
        for part in path.split("."):
            if not isinstance(node, Mapping) or part not in node:
                break
            node = node[part]
        else:
            out.append(path)
    return tuple(out)


def _permit(
    permits: Sequence[Rule],
    request: AuthorizationRequest,
    notes: Sequence[Reason],
    *,
    claims_used: tuple[str, ...],
    holder: str | None,
) -> Decision:
    roles: dict[str, None] = {}
    granted: dict[str, None] = {}
    lifetime: int | None = None
    for rule in permits:
        assert rule.grants is not None  # noqa: S101 - a permit rule always grants (model)
        roles.update(dict.fromkeys(rule.grants.roles))
        granted.update(dict.fromkeys(rule.grants.scopes))
        lifetime = min(
            lifetime or rule.grants.max_lifetime_minutes, rule.grants.max_lifetime_minutes
        )
    reasons = [Reason(RULE_MATCHED, "the rule's condition holds", rule=r.id) for r in permits]
    scopes = tuple(granted)
    matched = [r.id for r in permits]
    if request.scopes:
        scopes = tuple(s for s in request.scopes if s in granted)
        dropped = [s for s in request.scopes if s not in granted]
        if not scopes:
            detail = f"none of the requested scopes ({' '.join(request.scopes)}) is granted"
            return Decision.deny(
                [Reason(NO_REQUESTED_SCOPE_GRANTED, detail), *reasons, *notes],
                matched=matched,
                claims_used=claims_used,
                holder=holder,
            )
        if dropped:
            detail = f"not granted, left out: {' '.join(dropped)}"
            reasons.append(Reason(SCOPES_NARROWED, detail))
    return Decision(
        Effect.PERMIT,
        tuple(reasons) + tuple(notes),
        matched_rules=tuple(matched),
        roles=tuple(roles),
        scopes=scopes,
        max_lifetime_minutes=lifetime,
        claims_used=claims_used,
        holder=holder,
    )
