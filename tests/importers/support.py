"""Where the importer tests find their files, and small helpers they share.

The real broker exports live in the shared samples folder beside the repository (CI checks
out shared/ next to it); the fixtures written for formats with no public sample are in
`samples/` here, each test saying what its fixture is based on.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from journal_desktop.domain.imported import ImportFileError, ParsedFile
from journal_desktop.importers import parse_file
from journal_desktop.importers.formats import generic
from journal_desktop.importers.table import read_table
from journal_desktop.importers.times import zone

SHARED_SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "samples"
FIXTURES = Path(__file__).resolve().parent / "samples"

IBKR_FLEX_XML = SHARED_SAMPLES / "ibkr" / "flex-trades.xml"
TRADOVATE_PAIRS = SHARED_SAMPLES / "tradovate" / "performance-paired-trades.csv"


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def parse_text(
    text: str,
    filename: str,
    format_name: str | None = None,
    *,
    timezone: str | None = None,
    account: str = "",
) -> ParsedFile:
    """Parse text through the public entry point, as the CLI would a UTF-8 file."""
    return parse_file(
        text.encode("utf-8"),
        filename,
        format_name=format_name,
        timezone=timezone,
        account=account,
    )


def utc(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def utf16_le_with_bom(text: str) -> bytes:
    """What Excel's "Unicode text" save writes: UTF-16 little-endian after a BOM, CRLF lines."""
    return b"\xff\xfe" + text.replace("\n", "\r\n").encode("utf-16-le")


def both_readings(text: str) -> tuple[object, object]:
    """The first execution of a one-row generic file (or its error text) as the whole-file
    fast path reads it, and as the row-by-row reader does."""
    tz = zone("America/New_York")
    table = read_table(text, "f.csv")
    try:
        expected: object = generic._execution(table.rows[0], tz, "", 0, None)
    except ImportFileError as error:
        expected = str(error)
    try:
        got: object = generic.parse(text, "f.csv", tz, "").executions[0]
    except ImportFileError as error:
        got = str(error)
    return got, expected
