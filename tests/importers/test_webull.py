"""Webull orders CSV.

No real Webull export is in the shared samples, so samples/webull-orders.csv is written by hand
with invented orders. Its header `Name,Symbol,Side,Status,Filled,Total Qty,Price,Avg Price,
Time-in-Force,Placed Time,Filled Time` is the one open-source journals (tradetally among them)
document and test for Webull's export, with the shapes they show: `@167.20` / `@MKT` limit
prices, fill times such as `03/02/2026 09:31:05 EST`, compact OCC option symbols, and a
multi-leg order printed as a summary row with a name and no symbol followed by its legs. No
real sample.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from journal_desktop.domain.imported import ImportFileError
from journal_desktop.domain.records import AssetClass, Side
from tests.importers.support import fixture_text, parse_text, utc

FMT = "webull"
FIXTURE = "webull-orders.csv"
HEADER = (
    "Name,Symbol,Side,Status,Filled,Total Qty,Price,Avg Price,Time-in-Force,Placed Time,Filled Time"
)
ROW = (
    "AMD,AMD,Buy,Filled,100,100,@167.20,167.1850,DAY,03/02/2026 09:31:00 EST,"
    "03/02/2026 09:31:05 EST"
)


def test_the_fixture_fill_by_fill() -> None:
    parsed = parse_text(fixture_text(FIXTURE), FIXTURE)
    assert parsed.format_name == FMT
    d = Decimal
    # symbol, side, quantity, average price, fill time as printed (EST UTC-5, EDT UTC-4), line
    expected = [
        ("AMD", Side.BUY, d(100), d("167.1850"), utc(2026, 3, 2, 14, 31, 5), 2),
        ("AMD", Side.SELL, d(100), d("168.0200"), utc(2026, 3, 2, 15, 15, 41), 3),
        ("GME", Side.SELL, d(200), d("24.7500"), utc(2026, 3, 2, 16, 20, 2), 5),
        ("GME", Side.BUY, d(200), d("23.1000"), utc(2026, 3, 2, 19, 5, 33), 6),
        ("SPXW  260320C06540000", Side.SELL, d(2), d("12.97"), utc(2026, 3, 3, 20, 1, 46), 8),
        ("SPXW  260320C06545000", Side.BUY, d(2), d("11.72"), utc(2026, 3, 3, 20, 1, 46), 9),
        ("AAPL", Side.BUY, d(1000), d("227.5000"), utc(2026, 3, 10, 13, 45, 2), 11),
    ]
    assert len(parsed.executions) == len(expected)
    for position, (execution, want) in enumerate(zip(parsed.executions, expected, strict=True)):
        symbol, side, quantity, price, when, line = want
        assert execution.account == "Default"
        assert execution.instrument.symbol == symbol
        assert (execution.side, execution.quantity, execution.price) == (side, quantity, price)
        assert execution.executed_at == when
        assert (execution.commission, execution.fees) == (0, 0)
        assert (execution.line, execution.position_in_file) == (line, position)
        assert execution.broker_execution_id == ""
    assert parsed.warnings == (
        "1 partly filled orders were skipped; export again once they are done",
    )
    option = parsed.executions[4].instrument
    assert (option.asset_class, option.underlying, option.strike, option.option_right) == (
        AssetClass.OPTION,
        "SPXW",
        d(6540),
        "C",
    )


def test_the_printed_zone_wins_over_the_import_zone() -> None:
    (execution,) = parse_text(f"{HEADER}\n{ROW}\n", "w.csv", timezone="Asia/Tokyo").executions
    assert execution.executed_at == utc(2026, 3, 2, 14, 31, 5)
    unzoned = ROW.replace(" EST", "")
    (execution,) = parse_text(f"{HEADER}\n{unzoned}\n", "w.csv", timezone="Asia/Tokyo").executions
    assert execution.executed_at == utc(2026, 3, 2, 0, 31, 5)  # read in the import's zone


def test_the_account_option() -> None:
    (execution,) = parse_text(f"{HEADER}\n{ROW}\n", "w.csv", account="Webull Cash").executions
    assert execution.account == "Webull Cash"


def error_of(text: str, filename: str = "webull.csv") -> ImportFileError:
    with pytest.raises(ImportFileError) as caught:
        parse_text(text, filename, FMT)
    assert caught.value.file == filename
    return caught.value


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        (ROW.replace(",Buy,", ",Hold,"), "Side", "not a side"),
        (ROW.replace(",100,100,", ",-100,100,"), "Filled", "negative"),
        (ROW.replace("167.1850", "167.18S0"), "Avg Price", "not a number"),
        (ROW.replace("09:31:05 EST", "09:31:05 XST"), "Filled Time", "time zone abbreviation"),
        (ROW.replace("03/02/2026 09:31:05", "2026/03/02 09:31:05"), "Filled Time", "not a date"),
        (ROW.replace("AMD,AMD,", ",,"), "Symbol", "required"),
    ],
)
def test_bad_values_name_line_and_column(row: str, column: str, words: str) -> None:
    error = error_of(f"{HEADER}\n{ROW}\n{row}\n")
    assert (error.line, error.column) == (3, column)
    assert words in error.reason


def test_missing_columns_and_empty_files() -> None:
    error = error_of(HEADER.replace(",Avg Price", "") + "\n" + ROW + "\n")
    assert (error.line, error.column) == (1, "Avg Price")
    assert error_of("").line == 1
    assert "no orders" in error_of(HEADER + "\n").reason
