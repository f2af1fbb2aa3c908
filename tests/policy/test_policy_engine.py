"""Decisions on real signed presentations: permit, deny by condition / no match / deny rule,
untrusted or expired credentials, scope narrowing, non-authoritative claims."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from tests.policy.world import (
    ALICE,
    API,
    ISSUER_URL,
    NOW,
    PARTNER,
    ROGUE,
    World,
    employee,
    partner_entry,
    present,
    request,
    trust_list,
)
from vcverifier.policy import decision as d
from vcverifier.policy.decision import AuthorizationRequest
from vcverifier.policy.service import AuthorizeOutcome
from vcverifier.result import Outcome
from vcverifier.testing import FIXED_TIME, credential


async def authorize(
    world: World, vp_and_options: Any, req: AuthorizationRequest, *, policy: Any = None
) -> AuthorizeOutcome:
    vp, opts = vp_and_options
    return await world.authorizer(policy).authorize(
        vp, req, options=opts, now=NOW, issuer=ISSUER_URL, want_token=False
    )


def codes(outcome: AuthorizeOutcome) -> set[str]:
    return {r.code for r in outcome.decision.reasons}


async def test_employee_may_read(world: World) -> None:
    out = await authorize(world, present(employee("employee")), request("read"))
    assert out.verification.verified, out.verification.to_json()
    assert out.decision.permit
    assert out.decision.matched_rules == ("partner-employee-read",)
    assert out.decision.scopes == ("orders:read",)
    assert out.decision.roles == ("partner-reader",)
    assert out.decision.max_lifetime_minutes == 15
    assert out.decision.claims_used == ("credentialSubject.role",)
    assert d.RULE_MATCHED in codes(out)


async def test_manager_may_write_with_the_shortest_lifetime(world: World) -> None:
    out = await authorize(world, present(employee("manager")), request("read"))
    assert out.decision.permit
    assert set(out.decision.matched_rules) == {"partner-employee-read", "partner-manager-write"}
    assert out.decision.scopes == ("orders:read", "orders:write")
    assert out.decision.max_lifetime_minutes == 10
    write = await authorize(world, present(employee("manager")), request("write"))
    assert write.decision.permit
    assert write.decision.matched_rules == ("partner-manager-write",)


async def test_deny_by_condition(world: World) -> None:
    out = await authorize(world, present(employee("employee")), request("write"))
    assert not out.decision.permit
    assert d.NO_MATCH in codes(out)
    false_rules = {r.rule for r in out.decision.reasons if r.code == d.RULE_CONDITION_FALSE}
    assert "partner-manager-write" in false_rules


async def test_deny_by_no_matching_rule(world: World) -> None:
    out = await authorize(
        world, present(employee("employee")), request("read", audience="https://other.example")
    )
    assert not out.decision.permit
    assert codes(out) == {d.NO_RULE_FOR_AUDIENCE}


async def test_deny_overrides_permit(world: World) -> None:
    out = await authorize(world, present(employee("manager")), request("read", purpose="marketing"))
    assert not out.decision.permit
    assert out.decision.matched_rules == ("no-marketing-use",)
    assert d.RULE_DENIED in codes(out)
    assert out.decision.scopes == ()
    assert out.decision.claims_used == ()  # the deny rule reads only the request


async def test_untrusted_issuer_denied_even_when_claims_match(world: World) -> None:
    rogue = employee("manager", issuer=ROGUE)
    out = await authorize(world, present(rogue), request("read"))
    assert not out.decision.permit
    trust = out.verification.credentials[0].check("trust")
    assert trust is not None and trust.outcome is Outcome.FAILED
    assert "trust" in out.decision.failed_checks
    assert d.VERIFICATION_FAILED in codes(out)


async def test_issuer_trusted_only_on_another_list_gets_nothing(
    make_world: Callable[..., World],
) -> None:
    world = make_world(trust_list(partner_entry(), list_id="suppliers"))
    out = await authorize(world, present(employee("manager")), request("read"))
    assert out.verification.verified
    assert not out.decision.permit
    assert d.UNTRUSTED_CREDENTIAL in codes(out)


async def test_expired_credential_denied(world: World) -> None:
    expired = employee("manager", valid_until=FIXED_TIME + timedelta(days=1))
    out = await authorize(world, present(expired), request("read"))
    assert not out.decision.permit
    assert "validity" in out.decision.failed_checks
    assert {r.check for r in out.decision.reasons} >= {"validity"}


async def test_tampered_claim_denied_with_proof_named(world: World) -> None:
    cred = employee("employee")
    cred["credentialSubject"]["role"] = "manager"
    out = await authorize(world, present(cred), request("write"))
    assert not out.decision.permit
    assert "proof" in out.decision.failed_checks


async def test_scope_narrowing(world: World) -> None:
    asked = ("orders:read", "orders:write", "admin")
    out = await authorize(world, present(employee("employee")), request("read", scopes=asked))
    assert out.decision.permit
    assert out.decision.scopes == ("orders:read",)
    assert d.SCOPES_NARROWED in codes(out)
    none = await authorize(
        world, present(employee("employee")), request("read", scopes=("orders:write",))
    )
    assert not none.decision.permit
    assert d.NO_REQUESTED_SCOPE_GRANTED in codes(none)


NON_AUTHORITATIVE_POLICY = {
    "schemaVersion": 1,
    "id": "clearance",
    "rules": [
        {
            "id": "cleared-staff",
            "audience": [API],
            "credentialTypes": ["EmployeeCredential"],
            "condition": "claims.credentialSubject.clearance == 'top-secret'",
            "effect": "permit",
            "grants": {"scopes": ["secrets:read"], "maxLifetimeMinutes": 5},
        }
    ],
}


async def test_non_authoritative_claim_never_grants(world: World) -> None:
    # The partner signs `clearance`, but its trust entry does not make it authoritative for it.
    cred = employee("employee", extra={"clearance": "top-secret"})
    out = await authorize(world, present(cred), request("read"), policy=NON_AUTHORITATIVE_POLICY)
    assert out.verification.verified
    assert not out.decision.permit
    assert d.RULE_CONDITION_ERROR in codes(out)
    assert out.decision.claims_used == ()


async def test_same_claim_granted_when_the_entry_is_authoritative(
    make_world: Callable[..., World],
) -> None:
    claims = ["credentialSubject.role", "credentialSubject.clearance"]
    world = make_world(trust_list(partner_entry(claims=claims)))
    cred = employee("employee", extra={"clearance": "top-secret"})
    out = await authorize(world, present(cred), request("read"), policy=NON_AUTHORITATIVE_POLICY)
    assert out.decision.permit
    assert out.decision.claims_used == ("credentialSubject.clearance",)


async def test_deny_rule_reading_a_missing_claim_fails_closed(world: World) -> None:
    policy = {
        "schemaVersion": 1,
        "id": "fail-closed",
        "rules": [
            {
                "id": "all-staff",
                "audience": [API],
                "credentialTypes": ["EmployeeCredential"],
                "effect": "permit",
                "grants": {"scopes": ["orders:read"], "maxLifetimeMinutes": 5},
            },
            {
                "id": "not-suspended",
                "audience": [API],
                "credentialTypes": ["EmployeeCredential"],
                "condition": "claims.credentialSubject.suspended == true",
                "effect": "deny",
            },
        ],
    }
    out = await authorize(world, present(employee("employee")), request("read"), policy=policy)
    assert not out.decision.permit
    assert out.decision.matched_rules == ("not-suspended",)


async def test_unsigned_or_foreign_holder_presentation_is_denied(world: World) -> None:
    vp, opts = present(employee("manager", holder=PARTNER))  # Alice presents Partner's credential
    out = await authorize(world, (vp, opts), request("read"))
    assert not out.decision.permit
    assert "holder" in out.decision.failed_checks


async def test_claims_about_another_subject_are_not_visible(world: World) -> None:
    # One credential about Alice (employee) and Bob (manager), presented by Alice: only
    # Alice's claims count, so she may read but not write.
    bob = "did:example:bob"
    doc = credential(
        PARTNER.did,
        ALICE.did,
        types=("EmployeeCredential",),
        claims={"role": "employee"},
        valid_until=FIXED_TIME + timedelta(days=365),
    )
    doc["credentialSubject"] = [doc["credentialSubject"], {"id": bob, "role": "manager"}]
    signed = PARTNER.sign(doc)
    read = await authorize(world, present(signed), request("read"))
    assert read.verification.verified, read.verification.to_json()
    assert read.decision.permit
    assert read.decision.matched_rules == ("partner-employee-read",)
    write = await authorize(world, present(signed), request("write"))
    assert not write.decision.permit
