"""Times printed with their own zone, and the reminder for files that print none
(importers/times.py: parse_with_zone, zone_reminder)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from journal_desktop.importers.times import BadTime, parse_with_zone, zone, zone_reminder

FORMATS = ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %I:%M:%S %p")
NEW_YORK = zone("America/New_York")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("03/02/2026 09:31:05 EST", datetime(2026, 3, 2, 14, 31, 5, tzinfo=UTC)),
        ("03/10/2026 09:31:05 EDT", datetime(2026, 3, 10, 13, 31, 5, tzinfo=UTC)),
        ("03/02/2026 09:31:05 edt", datetime(2026, 3, 2, 13, 31, 5, tzinfo=UTC)),  # as printed
        ("03/02/2026 09:31:05 CET", datetime(2026, 3, 2, 8, 31, 5, tzinfo=UTC)),
        ("03/02/2026 09:31:05 -05:00", datetime(2026, 3, 2, 14, 31, 5, tzinfo=UTC)),
        ("03/02/2026 09:31:05 +0530", datetime(2026, 3, 2, 4, 1, 5, tzinfo=UTC)),
        ("03/02/2026 09:31:05 UTC+2", datetime(2026, 3, 2, 7, 31, 5, tzinfo=UTC)),
        ("03/02/2026 09:31:05", datetime(2026, 3, 2, 14, 31, 5, tzinfo=UTC)),  # the given zone
        ("03/02/2026 09:31:05 AM", datetime(2026, 3, 2, 14, 31, 5, tzinfo=UTC)),
    ],
)
def test_a_printed_zone_wins(text: str, expected: datetime) -> None:
    assert parse_with_zone(text, FORMATS, NEW_YORK) == expected


@pytest.mark.parametrize("text", ["03/02/2026 09:31:05 XST", "03/02/2026 09:31:05 +25:00"])
def test_unknown_zones_are_errors_not_guesses(text: str) -> None:
    with pytest.raises(BadTime):
        parse_with_zone(text, FORMATS, NEW_YORK)


def test_the_reminder_names_the_default_zone_only_when_it_was_used() -> None:
    (reminder,) = zone_reminder(NEW_YORK, "America/New_York", "the PC's clock")
    assert "America/New_York" in reminder and "the PC's clock" in reminder
    assert "--timezone" in reminder
    assert zone_reminder(zone("Europe/Berlin"), "America/New_York", "x") == ()
    assert zone_reminder(UTC, "UTC", "the server's clock")
    assert zone_reminder(NEW_YORK, "UTC", "the server's clock") == ()
