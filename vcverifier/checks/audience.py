"""The `challenge` and `domain` checks: was the proof made for this request and this verifier?

The one-time use of a challenge is enforced separately, after every other check passed
(`vcverifier.challenges`); here the proof's values are compared with what the caller expects.
"""

from __future__ import annotations

from collections.abc import Sequence

from vcverifier import problem_types as pt
from vcverifier.result import CHALLENGE, DOMAIN, CheckResult


def check_challenge(expected: str | None, found: Sequence[str], *, required: bool) -> CheckResult:
    """`found` holds the challenges of the verified proofs (or the JWT nonce)."""
    if expected is None:
        if required:
            return CheckResult.failed(
                CHALLENGE,
                "the caller named no challenge: a presentation is only accepted against a "
                "one-time challenge (options.challenge)",
                problem_type=pt.INVALID_CHALLENGE_ERROR,
                title="Challenge required",
            )
        if found:
            return CheckResult.skipped(
                CHALLENGE, "the proof carries a challenge, none was expected"
            )
        return CheckResult.skipped(CHALLENGE, "no challenge expected")
    if not found:
        return CheckResult.failed(
            CHALLENGE,
            "the proof carries no challenge",
            problem_type=pt.INVALID_CHALLENGE_ERROR,
            title="Invalid challenge",
        )
    if any(value != expected for value in found):
        return CheckResult.failed(
            CHALLENGE,
            "the proof's challenge is not the expected one",
            problem_type=pt.INVALID_CHALLENGE_ERROR,
            title="Invalid challenge",
        )
    return CheckResult.passed(CHALLENGE, "the proof carries the expected challenge")


def check_domain(
    expected: str | None, found: Sequence[str], *, allowed: Sequence[str] = ()
) -> CheckResult:
    """`found` holds the proof's `domain` values (or the JWT `aud`). With no expected domain,
    a configured allowlist (`VCVERIFIER_ALLOWED_DOMAINS`) still constrains them."""
    if expected is not None and allowed and expected not in allowed:
        return CheckResult.failed(
            DOMAIN,
            f"the requested domain {expected!r} is not one this verifier serves",
            problem_type=pt.INVALID_DOMAIN_ERROR,
            title="Invalid domain",
        )
    if expected is None:
        if not found:
            return CheckResult.skipped(DOMAIN, "no domain expected")
        if allowed:
            if any(value in allowed for value in found):
                return CheckResult.passed(DOMAIN, "the proof's domain is an allowed domain")
            return CheckResult.failed(
                DOMAIN,
                "the proof's domain is not one this verifier serves",
                problem_type=pt.INVALID_DOMAIN_ERROR,
                title="Invalid domain",
            )
        return CheckResult.skipped(DOMAIN, "the proof names a domain, none was expected")
    if expected not in found:
        reason = "the proof names no domain" if not found else "the proof's domain is not ours"
        return CheckResult.failed(
            DOMAIN, reason, problem_type=pt.INVALID_DOMAIN_ERROR, title="Invalid domain"
        )
    return CheckResult.passed(DOMAIN, "the proof is bound to the expected domain")
