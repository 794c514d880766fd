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


class LocalTimeReader:
    """`parse_local` for a whole file: the format that read the last value is tried first.

    Brokers write one format per file, so after the first row every value is read on the first
    try, however long the list of formats a broker's settings allow.
    """

    def __init__(self, formats: Sequence[str], tz: tzinfo) -> None:
        self._formats = list(formats)
        self._tz = tz

    def __call__(self, text: str) -> datetime:
        return to_utc(self.naive(text), self._tz)

    def naive(self, text: str) -> datetime:
        """The wall-clock time `text` names, with no zone attached."""
        value = text.strip()
        for index, pattern in enumerate(self._formats):
            try:
                parsed = datetime.strptime(value, pattern)
            except ValueError:
                continue
            if index:
                self._formats.insert(0, self._formats.pop(index))
            return parsed
        raise BadTime(f"{value!r} is not a date and time in a format this file uses")
