"""Reading broker timestamps in the file's own format and zone, and storing them in UTC.

Each import has a time zone (the format's default or the trader's choice). A wall-clock time
that a DST change makes ambiguous takes the first occurrence (fold 0); one that never existed
(the skipped spring hour) is an error rather than a silent shift.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class BadTime(ValueError):
    pass


def zone(name: str) -> tzinfo:
    """A time zone by IANA name (`America/New_York`) or `UTC`."""
    if name.upper() in ("UTC", "Z", "GMT"):
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadTime(
            f"{name!r} is not a known time zone (use a name like America/New_York)"
        ) from None


def to_utc(local: datetime, tz: tzinfo) -> datetime:
    """A naive wall-clock time in `tz` as an aware UTC time; aware input is just converted."""
    if local.tzinfo is not None:
        return local.astimezone(UTC)
    aware = local.replace(tzinfo=tz, fold=0)
    round_trip = aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    if round_trip != local:
        raise BadTime(f"{local.isoformat(sep=' ')} does not exist in {tz} (a daylight-saving gap)")
    return aware.astimezone(UTC)


def parse_local(text: str, formats: Sequence[str], tz: tzinfo) -> datetime:
    """Try each strptime format in turn; the first that fits wins."""
    value = text.strip()
    for pattern in formats:
        try:
            parsed = datetime.strptime(value, pattern)
        except ValueError:
            continue
        return to_utc(parsed, tz)
    raise BadTime(f"{value!r} is not a date and time in a format this file uses")
