"""End-to-end verification through `Verifier.from_settings`, on both state back ends."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from vcverifier import problem_types as pt
from vcverifier.cache import StateStore
from vcverifier.config import Settings
from vcverifier.errors import InputError
from vcverifier.result import Outcome, VerificationResult
from vcverifier.testing import ED25519_2020, FIXED_TIME, Issuer, credential, presentation, tamper
from vcverifier.verifier import Verifier, VerifyOptions

NOW = FIXED_TIME + timedelta(days=30)
SUITES = ["eddsa-rdfc-2022", "eddsa-jcs-2022", "ecdsa-rdfc-2019", "ecdsa-jcs-2019"]
HOLDER = Issuer("holder-alice")


def outcome(result: VerificationResult, name: str) -> Outcome:
    check = result.check(name)
    assert check is not None, f"no {name} check in {[c.name for c in result.checks]}"
    return check.outcome


def problem_types(result: VerificationResult, name: str) -> set[str]:
    check = result.check(name)
    assert check is not None
    return {p.type for p in check.problems}


@pytest.fixture
def verifier(store: StateStore) -> Verifier:
    return Verifier.from_settings(Settings(trust_dir="/nonexistent-trust-dir"), store=store)


def signed(suite: str = "eddsa-rdfc-2022", **kwargs: Any) -> dict[str, Any]:
    issuer = Issuer.for_suite("issuer-" + suite, suite)
    return issuer.sign(credential(issuer.did, HOLDER.did, **kwargs), suite=suite)


@pytest.mark.parametrize("suite", [*SUITES, "Ed25519Signature2020"])
async def test_valid_credential_verifies(verifier: Verifier, suite: str) -> None:
    doc = signed(suite)
    if suite == "Ed25519Signature2020":
        legacy = Issuer("issuer-2020")
        unsigned = credential(legacy.did, HOLDER.did, extra_contexts=(ED25519_2020,))
        doc = legacy.sign(unsigned, suite=suite)
    result = await verifier.verify_credential(doc, now=NOW)
    assert result.verified, result.to_json()
    for name in ("format", "context", "did", "proof", "validity"):
        assert outcome(result, name) is Outcome.PASSED
    assert outcome(result, "status") is Outcome.SKIPPED
    assert outcome(result, "trust") is Outcome.SKIPPED


@pytest.mark.parametrize("suite", SUITES)
async def test_tampered_subject_fails_proof(verifier: Verifier, suite: str) -> None:
    doc = tamper(signed(suite), "credentialSubject.degree.name", "Doctor of Everything")
    result = await verifier.verify_credential(doc, now=NOW)
    assert not result.verified
    assert outcome(result, "proof") is Outcome.FAILED


async def test_issuer_is_not_the_signer(verifier: Verifier) -> None:
    mallory = Issuer("mallory")
    doc = mallory.sign(credential(Issuer("issuer-x").did, HOLDER.did))
    result = await verifier.verify_credential(doc, now=NOW)
    assert outcome(result, "proof") is Outcome.FAILED
    assert pt.INVALID_VERIFICATION_METHOD in problem_types(result, "proof")


async def test_conformance_profile_reports_controller_mismatch_as_warning(
    store: StateStore,
) -> None:
    settings = Settings(profile="conformance", trust_dir="/nonexistent-trust-dir")
    verifier = Verifier.from_settings(settings, store=store)
    doc = Issuer("mallory").sign(credential(Issuer("issuer-x").did, HOLDER.did))
    result = await verifier.verify_credential(doc, now=NOW)
    assert result.verified
    assert result.warnings


async def test_wrong_purpose_fails(verifier: Verifier) -> None:
    issuer = Issuer("issuer-purpose")
    doc = issuer.sign(credential(issuer.did, HOLDER.did), purpose="authentication")
    result = await verifier.verify_credential(doc, now=NOW)
    assert outcome(result, "proof") is Outcome.FAILED


async def test_expired_and_not_yet_valid(verifier: Verifier) -> None:
    doc = signed(valid_until=FIXED_TIME + timedelta(days=1))
    result = await verifier.verify_credential(doc, now=NOW)
    assert outcome(result, "validity") is Outcome.FAILED
    assert problem_types(result, "validity") == {pt.EXPIRED}
    assert outcome(result, "proof") is Outcome.PASSED
    doc = signed(valid_from=NOW + timedelta(days=2))
    result = await verifier.verify_credential(doc, now=NOW)
    assert problem_types(result, "validity") == {pt.NOT_YET_VALID}


async def test_unsigned_credential_fails_proof_never_skips(verifier: Verifier) -> None:
    result = await verifier.verify_credential(credential("did:example:x"), now=NOW)
    assert outcome(result, "proof") is Outcome.FAILED
    assert not result.verified


async def test_unknown_cryptosuite(verifier: Verifier) -> None:
    doc = signed()
    doc["proof"]["cryptosuite"] = "eddsa-rdfc-2099"
    result = await verifier.verify_credential(doc, now=NOW)
    assert outcome(result, "proof") is Outcome.FAILED
    assert pt.UNSUPPORTED_ERROR in problem_types(result, "proof")


async def test_unknown_context(verifier: Verifier) -> None:
    issuer = Issuer("issuer-ctx")
    doc = credential(issuer.did, HOLDER.did)
    doc["@context"].append("https://evil.example/context.jsonld")
    result = await verifier.verify_credential(doc, now=NOW)
    assert outcome(result, "context") is Outcome.FAILED
    assert problem_types(result, "context") == {pt.UNKNOWN_CONTEXT}


async def test_proof_set_all_must_verify(verifier: Verifier) -> None:
    first = Issuer("issuer-set")
    doc = first.sign(credential(first.did, HOLDER.did), suite="eddsa-rdfc-2022")
    doc = first.sign(doc, suite="eddsa-jcs-2022")
    assert isinstance(doc["proof"], list)
    assert (await verifier.verify_credential(doc, now=NOW)).verified
    doc["proof"][1]["proofValue"] = doc["proof"][0]["proofValue"]
    assert outcome(await verifier.verify_credential(doc, now=NOW), "proof") is Outcome.FAILED


async def test_non_jwt_string_is_input_error(verifier: Verifier) -> None:
    with pytest.raises(InputError):
        await verifier.verify_credential("this is not a JWT", now=NOW)
    with pytest.raises(InputError):
        await verifier.verify_credential(42, now=NOW)  # type: ignore[arg-type]


# --- presentations ---------------------------------------------------------------------------


def signed_presentation(
    holder: Issuer = HOLDER, *, challenge: str | None = "c-1", domain: str | None = "api.example"
) -> dict[str, Any]:
    vp = presentation(holder.did, [signed()])
    return holder.sign(vp, purpose="authentication", challenge=challenge, domain=domain)


async def test_presentation_verifies_once(verifier: Verifier) -> None:
    vp = signed_presentation(challenge="once-only")
    options = VerifyOptions(challenge="once-only", domain="api.example")
    first = await verifier.verify_presentation(vp, options=options, now=NOW)
    assert first.verified, first.to_json()
    assert outcome(first, "holder") is Outcome.PASSED
    assert len(first.credentials) == 1 and first.credentials[0].verified
    replay = await verifier.verify_presentation(vp, options=options, now=NOW)
    assert not replay.verified
    assert problem_types(replay, "challenge") == {pt.CHALLENGE_REPLAYED}


async def test_concurrent_uses_of_one_challenge(verifier: Verifier) -> None:
    vp = signed_presentation(challenge="race")
    options = VerifyOptions(challenge="race", domain="api.example")
    results = await asyncio.gather(
        *(verifier.verify_presentation(vp, options=options, now=NOW) for _ in range(20))
    )
    assert sum(r.verified for r in results) == 1


async def test_wrong_challenge_and_domain(verifier: Verifier) -> None:
    vp = signed_presentation()
    result = await verifier.verify_presentation(
        vp, options=VerifyOptions(challenge="other", domain="api.example"), now=NOW
    )
    assert problem_types(result, "challenge") == {pt.INVALID_CHALLENGE_ERROR}
    result = await verifier.verify_presentation(
        vp, options=VerifyOptions(challenge="c-1", domain="evil.example"), now=NOW
    )
    assert problem_types(result, "domain") == {pt.INVALID_DOMAIN_ERROR}
    # A failed attempt does not use the challenge up.
    ok = await verifier.verify_presentation(
        vp, options=VerifyOptions(challenge="c-1", domain="api.example"), now=NOW
    )
    assert ok.verified


async def test_missing_challenge_option_fails(verifier: Verifier) -> None:
    result = await verifier.verify_presentation(signed_presentation(), now=NOW)
    assert outcome(result, "challenge") is Outcome.FAILED


async def test_holder_mismatch(verifier: Verifier) -> None:
    bob = Issuer("holder-bob")
    vp = bob.sign(presentation(bob.did, [signed()]), purpose="authentication", challenge="c-2")
    result = await verifier.verify_presentation(vp, options=VerifyOptions(challenge="c-2"), now=NOW)
    assert problem_types(result, "holder") == {pt.HOLDER_MISMATCH}
    relaxed = await verifier.verify_presentation(
        vp, options=VerifyOptions(challenge="c-2", relax_holder_binding=True), now=NOW
    )
    assert relaxed.verified
    assert relaxed.warnings


async def test_unsigned_presentation(verifier: Verifier) -> None:
    vp = presentation(HOLDER.did, [signed()])
    result = await verifier.verify_presentation(vp, options=VerifyOptions(challenge="x"), now=NOW)
    assert outcome(result, "proof") is Outcome.FAILED
    allowed = await verifier.verify_presentation(
        vp, options=VerifyOptions(allow_unsigned_presentation=True), now=NOW
    )
    assert outcome(allowed, "proof") is Outcome.SKIPPED
    assert problem_types(allowed, "holder") == {pt.HOLDER_MISMATCH}


async def test_presentation_with_bad_credential_is_not_verified(verifier: Verifier) -> None:
    bad = tamper(signed(), "credentialSubject.degree.name", "forged")
    vp = HOLDER.sign(presentation(HOLDER.did, [bad]), purpose="authentication", challenge="c-3")
    result = await verifier.verify_presentation(vp, options=VerifyOptions(challenge="c-3"), now=NOW)
    assert not result.verified
    assert outcome(result.credentials[0], "proof") is Outcome.FAILED
    assert outcome(result, "proof") is Outcome.PASSED
    # ...and the challenge was not consumed by the failure.
    good = HOLDER.sign(
        presentation(HOLDER.did, [signed()]), purpose="authentication", challenge="c-3"
    )
    ok = await verifier.verify_presentation(good, options=VerifyOptions(challenge="c-3"), now=NOW)
    assert ok.verified


async def test_presentation_proof_for_assertion_fails(verifier: Verifier) -> None:
    vp = HOLDER.sign(presentation(HOLDER.did, [signed()]), challenge="c-4")
    result = await verifier.verify_presentation(vp, options=VerifyOptions(challenge="c-4"), now=NOW)
    assert outcome(result, "proof") is Outcome.FAILED


@pytest.mark.parametrize("suite", [*SUITES, "Ed25519Signature2020"])
@pytest.mark.parametrize("value", ["\ud800 lone surrogate", 10**400])
async def test_unrepresentable_values_fail_proof_cleanly(
    verifier: Verifier, suite: str, value: object
) -> None:
    doc = signed(suite) if suite != "Ed25519Signature2020" else None
    if doc is None:
        legacy = Issuer("issuer-2020")
        doc = legacy.sign(
            credential(legacy.did, HOLDER.did, extra_contexts=(ED25519_2020,)), suite=suite
        )
    doc = tamper(doc, "credentialSubject.degree.name", value)
    result = await verifier.verify_credential(doc, now=NOW)
    assert outcome(result, "proof") is Outcome.FAILED
