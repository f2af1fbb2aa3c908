"""Combining, as properties: deny overrides permit, no match denies, granted scopes are the
union of the matched permits narrowed to the request, the lifetime is the shortest."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.policy.world import API, NOW
from vcverifier.policy.decision import AuthorizationRequest
from vcverifier.policy.engine import PolicyEngine
from vcverifier.policy.model import Policy
from vcverifier.result import CheckResult, VerificationResult
from vcverifier.trust.evaluate import Claim, ClaimAuthority
from vcverifier.types import JsonObject

HOLDER = "did:example:holder"
SCOPES = ["a", "b", "c", "d"]


class Everyone:
    """Trust layer stand-in: every issuer is trusted and authoritative for every claim."""

    async def authoritative_claims(
        self,
        *,
        issuer: str,
        credential: JsonObject,
        now: datetime,
        lists: Sequence[str] = (),
        verification_methods: Sequence[str] = (),
    ) -> ClaimAuthority:
        claim = Claim(HOLDER, "credentialSubject.role", "staff", True)
        return ClaimAuthority(issuer, True, "partners", None, (claim,))


def verified() -> VerificationResult:
    passed = CheckResult.passed
    cred = VerificationResult(
        checks=(passed("proof", "ok"), passed("trust", "ok")),
        document={
            "type": ["VerifiableCredential", "EmployeeCredential"],
            "issuer": "did:example:issuer",
            "credentialSubject": {"id": HOLDER, "role": "staff"},
        },
    )
    return VerificationResult(
        checks=(passed("proof", "ok"), passed("holder", "ok")),
        kind="presentation",
        credentials=(cred,),
        document={"holder": HOLDER},
    )


rule_st = st.fixed_dictionaries(
    {
        "effect": st.sampled_from(["permit", "deny"]),
        "holds": st.booleans(),
        "scopes": st.lists(st.sampled_from(SCOPES), unique=True, max_size=3),
        "minutes": st.integers(1, 60),
    }
)


@settings(max_examples=150, deadline=None)
@given(
    rules=st.lists(rule_st, min_size=1, max_size=5),
    requested=st.none() | st.lists(st.sampled_from(SCOPES), unique=True, min_size=1),
)
async def test_combining(rules: list[dict[str, Any]], requested: list[str] | None) -> None:
    data = {
        "schemaVersion": 1,
        "id": "prop",
        "rules": [
            {
                "id": f"r{i}",
                "audience": [API],
                "credentialTypes": ["EmployeeCredential"],
                "condition": "claims.credentialSubject.role == 'staff'"
                if r["holds"]
                else "request.action == 'never'",
                "effect": r["effect"],
                **(
                    {"grants": {"scopes": r["scopes"], "maxLifetimeMinutes": r["minutes"]}}
                    if r["effect"] == "permit"
                    else {}
                ),
            }
            for i, r in enumerate(rules)
        ],
    }
    engine = PolicyEngine(Policy.from_json(data), Everyone())
    request = AuthorizationRequest(
        audience=API, action="read", scopes=tuple(requested) if requested else None
    )
    decision = await engine.decide(verified(), request, now=NOW)

    denies = [f"r{i}" for i, r in enumerate(rules) if r["effect"] == "deny" and r["holds"]]
    permits = [r for r in rules if r["effect"] == "permit" and r["holds"]]
    granted = {s for r in permits for s in r["scopes"]}
    if denies:
        assert not decision.permit
        assert set(decision.matched_rules) == set(denies)
        return
    if not permits or (requested and not granted & set(requested)):
        assert not decision.permit
        return
    assert decision.permit
    assert set(decision.scopes) == (granted & set(requested) if requested else granted)
    assert decision.max_lifetime_minutes == min(r["minutes"] for r in permits)


async def test_no_holder_is_denied() -> None:
    data = {
        "schemaVersion": 1,
        "id": "p",
        "rules": [
            {
                "id": "any",
                "audience": [API],
                "credentialTypes": ["EmployeeCredential"],
                "effect": "permit",
                "grants": {"scopes": ["a"], "maxLifetimeMinutes": 5},
            }
        ],
    }
    result = verified()
    anonymous = VerificationResult(
        checks=result.checks, kind="presentation", credentials=result.credentials, document={}
    )
    engine = PolicyEngine(Policy.from_json(data), Everyone())
    decision = await engine.decide(anonymous, AuthorizationRequest(API, "read"), now=NOW)
    assert not decision.permit
    assert decision.failed_checks == ("holder",)
    assert (await engine.decide(result, AuthorizationRequest(API, "read"), now=NOW)).permit
