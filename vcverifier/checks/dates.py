"""RFC 3339 date-time parsing for credential dates (VCDM 2.0 uses xsd:dateTimeStamp)."""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime, timedelta, timezone

_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?$"
)


def parse_datetime(value: object, *, require_offset: bool = True) -> datetime | None:
    """Parse an RFC 3339 date-time into an aware UTC datetime; None if not one.

    VCDM 1.1 examples sometimes omit the offset; `require_offset=False` reads those as UTC."""
    if not isinstance(value, str):
        return None
    # One verification reads the same dates up to three times (format, validity, proof).
    return _parse(str(value), require_offset)


@functools.lru_cache(maxsize=512)
def _parse(value: str, require_offset: bool) -> datetime | None:
    m = _RFC3339.match(value)
    if m is None:
        return None
    year, month, day, hour, minute, second, frac, offset = m.groups()
    if offset is None and require_offset:
        return None
    micro = int((frac[1:] + "000000")[:6]) if frac else 0
    if offset is None or offset in ("Z", "z"):
        tz = UTC
    else:
        sign = 1 if offset[0] == "+" else -1
        hours, minutes = int(offset[1:3]), int(offset[4:6])
        if hours > 23 or minutes > 59:
            return None
        tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
    try:
        # Leap seconds (60) are legal in RFC 3339; read them as the last second of the minute.
        parsed = datetime(
            int(year), int(month), int(day), int(hour), int(minute), min(int(second), 59), micro, tz
        )
        return parsed if tz is UTC else parsed.astimezone(UTC)
    except (ValueError, OverflowError):  # e.g. year 1 with a positive offset
        return None


def format_datetime(value: datetime) -> str:
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    if value.year < 1000:  # strftime's %Y does not pad: keep its output for these
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return "%04d-%02d-%02dT%02d:%02d:%02dZ" % (  # noqa: UP031 - faster than strftime
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
    )


def age_text(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    if seconds < 172_800:
        return f"{seconds // 3600} h"
    return f"{seconds // 86_400} days"
