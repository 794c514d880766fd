"""What every format written from documented layouts shares: detection picks it for its own
fixture and no other, its CSV fixtures read the same from an Excel UTF-16 save, `--format`
knows it with the default zone its docstring promises, and an empty file is refused by name.

The fixtures' provenance is given in each format's own test module.
"""

from __future__ import annotations

import pytest

from journal_desktop.domain.imported import ImportFileError
from journal_desktop.importers import detect_format, get_format, parse_file
from tests.importers.support import (
    FIXTURES,
    IBKR_FLEX_XML,
    TRADOVATE_PAIRS,
    fixture_text,
    parse_text,
    utf16_le_with_bom,
)

#: Each fixture and the format that must be detected for it.
FIXTURE_FORMATS = {
    "thinkorswim-statement.csv": "thinkorswim",
    "thinkorswim-spread-orders.csv": "thinkorswim",
    "thinkorswim-papermoney-filled.csv": "thinkorswim",
    "thinkorswim-no-expiry-columns.csv": "thinkorswim",
    "thinkorswim-futures-options-expired.csv": "thinkorswim",
    "thinkorswim-newest-first.csv": "thinkorswim",
    "thinkorswim-future-exchange-suffix.csv": "thinkorswim",
    "schwab-transactions-history.csv": "schwab-transactions",
    "schwab-transactions-2020.csv": "schwab-transactions",
    "schwab-transactions-options-as-of.csv": "schwab-transactions",
    "ninjatrader-executions.csv": "ninjatrader",
    "ninjatrader-executions-de.csv": "ninjatrader",
    "ninjatrader-account-display-name.csv": "ninjatrader",
    "ninjatrader-addon-month-names.csv": "ninjatrader",
    "ninjatrader-iso-times.csv": "ninjatrader",
    "metatrader5-report.html": "metatrader5",
    "metatrader5-deals.csv": "metatrader5",
    "metatrader5-whole-report.csv": "metatrader5",
    "metatrader4-statement.htm": "metatrader4",
    "tradestation-orders.txt": "tradestation",
    "webull-orders.csv": "webull",
    "webull-cancelled-after-part-fill.csv": "webull",
    "webull-options-named.csv": "webull",
    "webull-unquoted-name-comma.csv": "webull",
}
DEFAULT_ZONES = {
    "thinkorswim": "America/New_York",
    "schwab-transactions": "America/New_York",
    "ninjatrader": "America/New_York",
    "metatrader5": "UTC",
    "metatrader4": "UTC",
    "tradestation": "America/New_York",
    "webull": "America/New_York",
}
DELIMITED = [name for name in FIXTURE_FORMATS if not name.endswith((".html", ".htm"))]


@pytest.mark.parametrize(("fixture", "format_name"), FIXTURE_FORMATS.items())
def test_detection_picks_the_fixtures_format(fixture: str, format_name: str) -> None:
    assert detect_format(fixture_text(fixture), fixture).name == format_name


@pytest.mark.parametrize("fixture", sorted(FIXTURE_FORMATS))
def test_no_other_of_these_formats_claims_a_fixture(fixture: str) -> None:
    text = fixture_text(fixture)
    claims = {
        name
        for name in DEFAULT_ZONES
        if name != FIXTURE_FORMATS[fixture] and get_format(name).detect(text, fixture) > 0
    }
    assert claims == set()


def test_these_formats_leave_the_other_fixtures_alone() -> None:
    others = [p for p in FIXTURES.iterdir() if p.name not in FIXTURE_FORMATS and p.is_file()]
    others += [IBKR_FLEX_XML, TRADOVATE_PAIRS]  # the real samples
    for path in others:
        text = path.read_text(encoding="utf-8", errors="replace")
        for name in DEFAULT_ZONES:
            assert get_format(name).detect(text, path.name) == 0, (name, path.name)


@pytest.mark.parametrize("fixture", DELIMITED)
def test_an_excel_utf16_save_reads_the_same(fixture: str) -> None:
    text = fixture_text(fixture)
    plain = parse_text(text, fixture)
    converted = parse_file(utf16_le_with_bom(text), fixture)
    assert converted.format_name == plain.format_name
    assert converted.executions == plain.executions
    assert converted.executions


@pytest.mark.parametrize(("format_name", "zone"), DEFAULT_ZONES.items())
def test_formats_are_registered_with_their_default_zone(format_name: str, zone: str) -> None:
    fmt = get_format(format_name)
    assert fmt.default_timezone == zone
    assert fmt.description


@pytest.mark.parametrize("format_name", sorted(DEFAULT_ZONES))
@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\n\n"])
def test_an_empty_file_is_refused_naming_the_file(format_name: str, data: bytes) -> None:
    with pytest.raises(ImportFileError) as caught:
        parse_file(data, "empty.csv", format_name=format_name)
    assert caught.value.file == "empty.csv"
    assert caught.value.line == 1
    assert str(caught.value).startswith("empty.csv, line 1")
