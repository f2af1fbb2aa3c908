from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from vcverifier import problem_types as pt
from vcverifier.checks.dates import parse_datetime
from vcverifier.checks.validity import check_validity
from vcverifier.result import Outcome

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SKEW = timedelta(minutes=5)


def test_within_period() -> None:
    doc = {"validFrom": "2026-01-01T00:00:00Z", "validUntil": "2027-01-01T00:00:00Z"}
    assert check_validity(doc, now=NOW, skew=SKEW).outcome is Outcome.PASSED


def test_expired_and_not_yet_valid() -> None:
    expired = check_validity({"validUntil": "2026-06-01T11:00:00Z"}, now=NOW, skew=SKEW)
    assert expired.outcome is Outcome.FAILED
    assert expired.problems[0].type == pt.EXPIRED
    early = check_validity({"validFrom": "2026-06-01T13:00:00Z"}, now=NOW, skew=SKEW)
    assert early.outcome is Outcome.FAILED
    assert early.problems[0].type == pt.NOT_YET_VALID


def test_v1_dates() -> None:
    old = {"issuanceDate": "2020-01-01T00:00:00Z", "expirationDate": "2021-01-01T00:00:00Z"}
    assert check_validity(old, now=NOW, skew=SKEW).problems[0].type == pt.EXPIRED


def test_skew_is_honoured_both_ways() -> None:
    just_expired = {"validUntil": (NOW - timedelta(minutes=4)).isoformat()}
    assert check_validity(just_expired, now=NOW, skew=SKEW).outcome is Outcome.PASSED
    assert check_validity(just_expired, now=NOW, skew=timedelta(0)).outcome is Outcome.FAILED
    almost = {"validFrom": (NOW + timedelta(minutes=4)).isoformat()}
    assert check_validity(almost, now=NOW, skew=SKEW).outcome is Outcome.PASSED


def test_no_dates_is_skipped_not_passed() -> None:
    assert check_validity({}, now=NOW, skew=SKEW).outcome is Outcome.SKIPPED


def test_inverted_period_fails() -> None:
    doc = {"validFrom": "2026-05-01T00:00:00Z", "validUntil": "2026-04-01T00:00:00Z"}
    result = check_validity(doc, now=datetime(2026, 4, 15, tzinfo=UTC), skew=SKEW)
    assert result.outcome is Outcome.FAILED


def test_malformed_date_fails() -> None:
    result = check_validity({"validUntil": "tomorrow"}, now=NOW, skew=SKEW)
    assert result.problems[0].type == pt.MALFORMED_VALUE_ERROR


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-01T00:00:00Z", datetime(2026, 1, 1, tzinfo=UTC)),
        ("2026-01-01T02:00:00+02:00", datetime(2026, 1, 1, tzinfo=UTC)),
        ("2026-01-01T00:00:00.123456789Z", datetime(2026, 1, 1, 0, 0, 0, 123456, tzinfo=UTC)),
        ("2026-02-30T00:00:00Z", None),
        ("2026-01-01 00:00:00Z", None),
        ("2026-01-01T00:00:00+25:00", None),
        (20260101, None),
    ],
)
def test_parse_datetime(text: object, expected: datetime | None) -> None:
    assert parse_datetime(text) == expected


def test_parse_datetime_out_of_range_offsets_are_not_dates() -> None:
    assert parse_datetime("0001-01-01T00:00:00+01:00") is None
    assert parse_datetime("9999-12-31T23:59:59-01:00") is None


def test_first_unreadable_date_is_reported_starts_before_ends() -> None:
    doc = {"validUntil": "nope", "validFrom": "also nope"}
    result = check_validity(doc, now=NOW, skew=SKEW)
    assert result.outcome is Outcome.FAILED
    assert result.reason.startswith("validFrom ")


def test_end_of_time_without_dates_is_skipped_not_an_overflow() -> None:
    # `now + skew` is only computed when a start date needs it (it overflows here).
    end_of_time = datetime.max.replace(tzinfo=UTC)
    assert check_validity({}, now=end_of_time, skew=SKEW).outcome is Outcome.SKIPPED
    passed = check_validity({"validFrom": "2020-01-01T00:00:00Z"}, now=NOW, skew=SKEW)
    assert passed.outcome is Outcome.PASSED
    assert dict(passed.evidence) == {"now": "2026-06-01T12:00:00Z", "skewSeconds": "300"}
