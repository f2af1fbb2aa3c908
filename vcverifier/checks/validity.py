"""The `validity` check: is the credential valid at `now` (within the clock skew)?

VCDM 2.0 `validFrom`/`validUntil`; VCDM 1.1 `issuanceDate`/`expirationDate`. Malformed dates are
the `format` check's business; here they make the check fail too, since no answer is possible.
Proof `created`/`expires` are checked with the proof.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from vcverifier import problem_types as pt
from vcverifier.checks.dates import format_datetime, parse_datetime
from vcverifier.result import VALIDITY, CheckResult
from vcverifier.types import JsonObject

_START = ("validFrom", "issuanceDate")
_END = ("validUntil", "expirationDate")


def check_validity(document: JsonObject, *, now: datetime, skew: timedelta) -> CheckResult:
    starts: list[tuple[str, datetime]] = []
    ends: list[tuple[str, datetime]] = []
    for names, bucket in ((_START, starts), (_END, ends)):
        for name in names:
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
            bucket.append((name, parsed))
    evidence = {"now": format_datetime(now), "skewSeconds": str(int(skew.total_seconds()))}
    for name, start in starts:
        if start > now + skew:
            return CheckResult.failed(
                VALIDITY,
                f"not yet valid: {name} is {format_datetime(start)}",
                problem_type=pt.NOT_YET_VALID,
                title="Credential not yet valid",
                evidence=evidence,
            )
    for name, end in ends:
        if end < now - skew:
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
    return CheckResult.passed(VALIDITY, "within its validity period", **evidence)
