from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import vcverifier
from vcverifier.result import CHECK_NAMES, CheckResult, Outcome, VerificationResult


def test_public_api_is_exported() -> None:
    for name in vcverifier.__all__:
        assert hasattr(vcverifier, name), name


def test_empty_result_is_not_verified() -> None:
    assert VerificationResult(checks=()).verified is False


def test_bool_is_refused() -> None:
    with pytest.raises(TypeError):
        bool(VerificationResult(checks=()))


outcomes = st.sampled_from(list(Outcome))
checks = st.builds(
    lambda name, outcome: CheckResult(name, outcome, "reason"),
    st.sampled_from(CHECK_NAMES),
    outcomes,
)


@given(st.lists(checks, min_size=1), st.lists(st.lists(checks, min_size=1), max_size=3))
def test_verified_iff_no_check_failed_anywhere(
    own: list[CheckResult], nested: list[list[CheckResult]]
) -> None:
    creds = tuple(VerificationResult(checks=tuple(c)) for c in nested)
    result = VerificationResult(checks=tuple(own), kind="presentation", credentials=creds)
    all_checks = own + [c for group in nested for c in group]
    assert result.verified == all(c.outcome is not Outcome.FAILED for c in all_checks)
    body = result.to_json()
    assert body["verified"] == result.verified
    assert set(body["checks"]) <= {c.name for c in own if c.outcome is Outcome.PASSED}
    assert len(body["errors"]) == sum(len(c.problems) for c in all_checks)
