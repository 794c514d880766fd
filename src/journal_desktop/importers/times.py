"""Reading broker timestamps in the file's own format and zone, and storing them in UTC.

Each import has a time zone (the format's default or the trader's choice). A wall-clock time
that a DST change makes ambiguous takes the first occurrence (fold 0); one that never existed
(the skipped spring hour) is an error rather than a silent shift.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any
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
    return to_utc(parse_naive(text, formats), tz)


def parse_naive(text: str, formats: Sequence[str]) -> datetime:
    """The wall-clock time `text` names, by the first strptime format that fits, no zone."""
    value = text.strip()
    for pattern in formats:
        try:
            return datetime.strptime(value, pattern)
        except ValueError:
            continue
    raise BadTime(f"{value!r} is not a date and time in a format this file uses")


def _hours(value: float) -> timedelta:
    return timedelta(hours=value)


#: Zone abbreviations brokers print after a time (`03/02/2026 09:31:05 EST`), as the fixed UTC
#: offset each one names. The abbreviation is the broker's own statement of the offset in force
#: (EDT is UTC-4 whatever the date), so it is honoured as printed rather than re-derived from a
#: zone's rules. CST is US Central (the US brokers' meaning), not China Standard Time.
ZONE_ABBREVIATIONS: dict[str, timedelta] = {
    "UTC": _hours(0),
    "GMT": _hours(0),
    "Z": _hours(0),
    "EST": _hours(-5),
    "EDT": _hours(-4),
    "CST": _hours(-6),
    "CDT": _hours(-5),
    "MST": _hours(-7),
    "MDT": _hours(-6),
    "PST": _hours(-8),
    "PDT": _hours(-7),
    "AKST": _hours(-9),
    "AKDT": _hours(-8),
    "HST": _hours(-10),
    "WET": _hours(0),
    "WEST": _hours(1),
    "BST": _hours(1),
    "CET": _hours(1),
    "CEST": _hours(2),
    "EET": _hours(2),
    "EEST": _hours(3),
    "MSK": _hours(3),
    "IST": _hours(5.5),
    "SGT": _hours(8),
    "HKT": _hours(8),
    "JST": _hours(9),
    "AEST": _hours(10),
    "AEDT": _hours(11),
}

_OFFSET = re.compile(r"(?:UTC|GMT)?([+-])(\d{1,2}):?(\d{2})?")
_WORD = re.compile(r"[A-Za-z]{2,5}")
_MERIDIEMS = frozenset({"AM", "PM"})


def parse_with_zone(text: str, formats: Sequence[str], tz: tzinfo) -> datetime:
    """Like `parse_local`, but a zone the broker printed after the time wins over `tz`.

    `03/02/2026 09:31:05 EST` and `2026-03-02 09:31:05 -05:00` carry their own offset; a time
    without one is read in `tz`. An abbreviation this module does not know is an error rather
    than a guess, because a wrong offset moves every fill by hours.
    """
    value = text.strip()
    head, _, last = value.rpartition(" ")
    if head and last.upper() not in _MERIDIEMS:
        offset = _printed_offset(last)
        if offset is not None:
            naive = parse_naive(head, formats)
            return naive.replace(tzinfo=timezone(offset)).astimezone(UTC)
        if _WORD.fullmatch(last):
            try:
                return parse_local(value, formats, tz)
            except BadTime:
                raise BadTime(
                    f"{last!r} in {value!r} is not a time zone abbreviation this importer knows"
                ) from None
    return parse_local(value, formats, tz)


def _printed_offset(token: str) -> timedelta | None:
    """The UTC offset a trailing token names (`EDT`, `UTC+2`, `-05:00`), or None."""
    known = ZONE_ABBREVIATIONS.get(token.upper())
    if known is not None:
        return known
    match = _OFFSET.fullmatch(token.upper())
    if match is None:
        return None
    sign = -1 if match.group(1) == "-" else 1
    hours, minutes = int(match.group(2)), int(match.group(3) or 0)
    if hours > 14 or minutes > 59:
        return None
    return sign * timedelta(hours=hours, minutes=minutes)


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


def zone_reminder(tz: tzinfo, default: str, clock: str) -> tuple[str, ...]:
    """The warning an import gives when it read its times in the format's default zone, for
    files that do not say which zone their times are in (`clock` names whose clock it is).
    An explicit `--timezone` naming another zone silences it."""
    if _zone_name(tz) != _zone_name(zone(default)):
        return ()
    return (
        f"times were read as {default} ({clock}; the file does not say which zone); "
        "if yours is another, import again with --timezone",
    )


def _zone_name(tz: tzinfo) -> str:
    return "UTC" if tz is UTC else str(getattr(tz, "key", tz))


_UNKNOWN: Any = object()
_CLOCK = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])(?::([0-5][0-9])(?:\.([0-9]{1,6}))?)?")


class DateTimeCellReader:
    """`parse_local` for files that give the date and the time of day in two cells.

    Reading 100,000 rows, `strptime` on each joined text is most of the work, so this reads
    the common shapes directly: the date cell is parsed once per distinct text (by the
    formats' date parts, cached), the time cell `HH:MM`, `HH:MM:SS` or `HH:MM:SS.ffffff` by
    slicing, and the zone's offset is worked out once per local date and hour. Each value
    gets exactly what `parse_local(f"{date} {time}", formats, tz)` gives: the first format
    (in the given order) whose date and time parts both fit wins, and anything this reader
    does not recognise for certain (spaces inside a cell, a one-digit hour, an hour the zone
    changes its offset in) is handed to `parse_local` itself, errors included.
    """

    def __init__(self, formats: Sequence[str], tz: tzinfo) -> None:
        self._formats = tuple(formats)
        self._tz = tz
        split = [pattern.partition(" ") for pattern in self._formats]
        #: (date part, time-part kind) of every format whose two parts this reader can split.
        self._parts: list[tuple[str, str | None]] = [
            (date_part, _TIME_KINDS.get(time_part)) if sep else ("", None)
            for date_part, sep, time_part in split
        ]
        self._hours: dict[tuple[str, str, str], datetime | None] = {}
        self._offsets: dict[tuple[datetime, int], timedelta | None] = {}

    def __call__(self, date_text: str, time_text: str) -> datetime:
        """The UTC time of a date cell and a time cell (both already stripped)."""
        clock = _CLOCK.fullmatch(time_text)
        if clock is None:
            return self._slow(date_text, time_text)
        hour, minute, second, fraction = clock.groups()
        kind = "m" if second is None else ("s" if fraction is None else "f")
        key = (date_text, hour, kind)
        start = self._hours.get(key, _UNKNOWN)
        if start is _UNKNOWN:
            start = self._hours[key] = self._hour_start(date_text, int(hour), kind)
        if start is None:
            return self._slow(date_text, time_text)
        micro = 0 if fraction is None else int(fraction.ljust(6, "0"))
        if start.minute == 0 == start.second:  # a whole-hour offset: wall minutes carry over
            return start.replace(minute=int(minute), second=int(second or 0), microsecond=micro)
        return start + timedelta(minutes=int(minute), seconds=int(second or 0), microseconds=micro)

    def _hour_start(self, date_text: str, hour: int, kind: str) -> datetime | None:
        """The UTC instant at which this local hour starts, when every time in the hour reads
        the way `parse_local` would read it with this reader's arithmetic; else None."""
        if not date_text or " " in date_text or "\t" in date_text:
            return None
        for date_part, time_kind in self._parts:
            if time_kind is None:
                # A format this reader cannot split comes first: it might be the one that fits.
                return None
            if time_kind == kind:
                day = self._date(date_text, date_part)
                if day is not None:
                    break
        else:
            return None
        offset = self._offset(day, hour)
        if offset is None:
            return None
        return (day.replace(hour=hour) - offset).replace(tzinfo=UTC)

    @staticmethod
    def _date(text: str, pattern: str) -> datetime | None:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            return None

    def _offset(self, day: datetime, hour: int) -> timedelta | None:
        """The zone's UTC offset throughout this local hour, or None where it changes in it
        (or part of it does not exist): those times take the full `to_utc`."""
        key = (day, hour)
        if key in self._offsets:
            return self._offsets[key]
        start = day.replace(hour=hour)
        end = start.replace(minute=59, second=59, microsecond=999_999)
        try:
            first = start - to_utc(start, self._tz).replace(tzinfo=None)
            last = end - to_utc(end, self._tz).replace(tzinfo=None)
        except BadTime:
            first, last = timedelta(0), None
        offset = first if first == last else None
        self._offsets[key] = offset
        return offset

    def _slow(self, date_text: str, time_text: str) -> datetime:
        return parse_local(f"{date_text} {time_text}", self._formats, self._tz)


#: The time-of-day parts of formats this reader slices itself, by the shape they accept.
_TIME_KINDS = {"%H:%M:%S": "s", "%H:%M:%S.%f": "f", "%H:%M": "m"}
