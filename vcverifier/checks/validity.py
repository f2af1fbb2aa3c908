"""The `validity` check: is the credential valid at `now` (within the clock skew)?

VCDM 2.0 `validFrom`/`validUntil`; VCDM 1.1 `issuanceDate`/`expirationDate`. Malformed dates are
the `format` check's business; here they make the check fail too, since no answer is possible.
Proof `created`/`expires` are checked with the proof.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from vcverifier import problem_types as pt
from vcverifier.checks.dates import format_datetime, parse_datetime
from vcverifier.result import VALIDITY, CheckResult, Outcome
from vcverifier.types import JsonObject

_START = ("validFrom", "issuanceDate")
_END = ("validUntil", "expirationDate")
_NAMES = _START + _END  # read in this order: the first unreadable one is reported


def check_validity(document: JsonObject, *, now: datetime, skew: timedelta) -> CheckResult:
    starts: list[tuple[str, datetime]] = []
    ends: list[tuple[str, datetime]] = []
    for name in _NAMES:
        if name not in document:
            continue
        parsed = parse_datetime(document[name], require_offset=False)
        if parsed is None:
            return CheckResult.failed(
                VALIDITY,
                f"{name} is not a date-time, so validity cannot be established",
                problem_type=pt.MALFORMED_VALUE_ERROR,
                title="Invalid date",
            )
        (starts if name in _START else ends).append((name, parsed))
    evidence = {"now": format_datetime(now), "skewSeconds": str(int(skew.total_seconds()))}
    latest_start = now + skew if starts else now  # (only computed when needed: it can overflow)
    for name, start in starts:
        if start > latest_start:
            return CheckResult.failed(
                VALIDITY,
                f"not yet valid: {name} is {format_datetime(start)}",
                problem_type=pt.NOT_YET_VALID,
                title="Credential not yet valid",
                evidence=evidence,
            )
    earliest_end = now - skew if ends else now
    for name, end in ends:
        if end < earliest_end:
            return CheckResult.failed(
                VALIDITY,
                f"expired: {name} was {format_datetime(end)}",
                problem_type=pt.EXPIRED,
                title="Credential expired",
                evidence=evidence,
            )
    if starts and ends and min(e for _, e in ends) < max(s for _, s in starts):
        return CheckResult.failed(
            VALIDITY,
            "the validity period ends before it starts",
            problem_type=pt.RANGE_ERROR,
            title="Invalid validity period",
            evidence=evidence,
        )
    if not starts and not ends:
        return CheckResult.skipped(VALIDITY, "no validity period stated", **evidence)
    return CheckResult(VALIDITY, Outcome.PASSED, "within its validity period", (), evidence)
