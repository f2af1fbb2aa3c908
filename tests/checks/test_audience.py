from __future__ import annotations

from vcverifier import problem_types as pt
from vcverifier.checks.audience import check_challenge, check_domain
from vcverifier.checks.holder import check_holder
from vcverifier.result import Outcome


def test_challenge() -> None:
    assert check_challenge("abc", ["abc"], required=True).outcome is Outcome.PASSED
    wrong = check_challenge("abc", ["abd"], required=True)
    assert wrong.outcome is Outcome.FAILED
    assert wrong.problems[0].type == pt.INVALID_CHALLENGE_ERROR
    assert check_challenge("abc", [], required=True).outcome is Outcome.FAILED
    assert check_challenge(None, ["abc"], required=True).outcome is Outcome.FAILED
    assert check_challenge(None, [], required=False).outcome is Outcome.SKIPPED
    # Every verified proof must carry it: one proof with another challenge fails.
    assert check_challenge("abc", ["abc", "zzz"], required=True).outcome is Outcome.FAILED


def test_domain() -> None:
    assert check_domain("api.example", ["api.example"]).outcome is Outcome.PASSED
    wrong = check_domain("api.example", ["evil.example"])
    assert wrong.outcome is Outcome.FAILED
    assert wrong.problems[0].type == pt.INVALID_DOMAIN_ERROR
    assert check_domain("api.example", []).outcome is Outcome.FAILED
    assert check_domain(None, []).outcome is Outcome.SKIPPED
    allowed = ("api.example",)
    assert check_domain(None, ["api.example"], allowed=allowed).outcome is Outcome.PASSED
    assert check_domain(None, ["evil.example"], allowed=allowed).outcome is Outcome.FAILED
    assert check_domain("other.example", ["other.example"], allowed=allowed).outcome is (
        Outcome.FAILED
    )


def test_holder_binding() -> None:
    ok, _ = check_holder(["did:example:alice"], [["did:example:alice"]], relax=False)
    assert ok.outcome is Outcome.PASSED
    bad, warnings = check_holder(["did:example:mallory"], [["did:example:alice"]], relax=False)
    assert bad.outcome is Outcome.FAILED
    assert bad.problems[0].type == pt.HOLDER_MISMATCH
    assert warnings == ()
    relaxed, warnings = check_holder(["did:example:mallory"], [["did:example:alice"]], relax=True)
    assert relaxed.outcome is Outcome.PASSED
    assert warnings[0].type == pt.HOLDER_MISMATCH
    unsigned, _ = check_holder([], [["did:example:alice"]], relax=False)
    assert unsigned.outcome is Outcome.FAILED
    none, _ = check_holder(["did:example:alice"], [["https://example.com/x"]], relax=False)
    assert none.outcome is Outcome.SKIPPED
    empty, _ = check_holder(["did:example:alice"], [], relax=False)
    assert empty.outcome is Outcome.SKIPPED
    bound, _ = check_holder([], [["did:example:alice"]], relax=False, bound_by_key=[True])
    assert bound.outcome is Outcome.PASSED
