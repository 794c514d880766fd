"""NinjaTrader 8 executions export.

No real NinjaTrader export is in the shared samples. samples/ninjatrader-executions.csv is
written by hand with invented fills, from the header that open-source journals and NinjaScript
exporters document for the Executions grid, verbatim with its trailing comma:
`Instrument,Action,Quantity,Price,Time,ID,E/X,Position,Order ID,Name,Commission,Rate,Account,
Connection,`, with rows such as `MNQ 12-26,Buy,3,...,1/15/2025 9:00:00 AM,...,$0.00,1,Sim101`.
samples/ninjatrader-executions-de.csv is the same fills as a German Windows locale would write
them (`;`, decimal commas, `5.012,25`, `02.03.2026 09:31:05`, `1,24 $`); that locale form is
inferred from how Windows formats those values, not seen in a published sample.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from journal_desktop.domain.imported import ImportFileError
from journal_desktop.domain.records import AssetClass, Side
from tests.importers.support import fixture_text, parse_text, utc

FMT = "ninjatrader"
FIXTURE = "ninjatrader-executions.csv"
HEADER = (
    "Instrument,Action,Quantity,Price,Time,ID,E/X,Position,Order ID,Name,Commission,Rate,"
    "Account,Connection,"
)
ROW = "MES 03-26,Buy,1,5012.25,3/2/2026 9:31:05 AM,e1,Entry,1 L,o1,Entry,$0.62,1,Sim101,Sim,"


def test_the_fixture_fill_by_fill() -> None:
    parsed = parse_text(fixture_text(FIXTURE), FIXTURE)
    assert parsed.format_name == FMT
    d = Decimal
    # instrument, side, quantity, price, time (EST, UTC-5), commission
    expected = [
        ("MES 03-26", Side.BUY, d(2), d("5012.25"), utc(2026, 3, 2, 14, 31, 5), d("1.24")),
        ("MES 03-26", Side.SELL, d(1), d("5018.50"), utc(2026, 3, 2, 14, 47, 12), d("0.62")),
        ("MES 03-26", Side.SELL, d(1), d("5009.75"), utc(2026, 3, 2, 15, 3, 40), d("0.62")),
        ("NQ 03-26", Side.SELL, d(1), d("18250.50"), utc(2026, 3, 2, 18, 15, 0), d("2.09")),
        ("NQ 03-26", Side.BUY, d(1), d("18241.25"), utc(2026, 3, 2, 18, 42, 30), d("2.09")),
        ("EURUSD", Side.BUY, d(10000), d("1.08452"), utc(2026, 3, 2, 19, 0, 0), d(0)),
    ]
    assert len(parsed.executions) == len(expected)
    for position, (execution, want) in enumerate(zip(parsed.executions, expected, strict=True)):
        symbol, side, quantity, price, when, commission = want
        assert execution.account == "Sim101"
        assert execution.instrument.symbol == symbol
        assert (execution.side, execution.quantity, execution.price) == (side, quantity, price)
        assert execution.executed_at == when
        assert (execution.commission, execution.fees) == (commission, 0)
        assert execution.broker_execution_id == f"4f0c2a9e1b7d4c21a6e3f5b8d9c01a1{position + 1}"
        assert (execution.line, execution.position_in_file) == (position + 2, position)
    future, fx = parsed.executions[0].instrument, parsed.executions[5].instrument
    assert (future.asset_class, future.multiplier) == (AssetClass.FUTURE, None)
    assert (fx.asset_class, fx.currency, fx.multiplier) == (AssetClass.FOREX, "USD", 1)
    assert "America/New_York" in parsed.warnings[0]


def test_the_german_locale_export_reads_the_same() -> None:
    english = parse_text(fixture_text(FIXTURE), FIXTURE).executions
    german = parse_text(fixture_text("ninjatrader-executions-de.csv"), "de.csv").executions
    assert german == english


def test_a_given_time_zone() -> None:
    text = f"{HEADER}\n{ROW}\n"
    (execution,) = parse_text(text, "t.csv", timezone="America/Chicago").executions
    assert execution.executed_at == utc(2026, 3, 2, 15, 31, 5)  # CST, UTC-6
    assert parse_text(text, "t.csv", timezone="America/Chicago").warnings == ()


@pytest.mark.parametrize(
    ("time", "expected"),
    [
        ("13/03/2026 09:31:05", utc(2026, 3, 13, 13, 31, 5)),  # day above 12: day first
        ("03/13/2026 09:31:05", utc(2026, 3, 13, 13, 31, 5)),  # month first
        ("2026-03-13 09:31:05", utc(2026, 3, 13, 13, 31, 5)),  # ISO
    ],
)
def test_the_date_order_is_judged_from_the_file(time: str, expected: object) -> None:
    row = ROW.replace("3/2/2026 9:31:05 AM", time)
    (execution,) = parse_text(f"{HEADER}\n{row}\n", "t.csv").executions
    assert execution.executed_at == expected


def test_an_ambiguous_slash_date_is_day_first_in_a_semicolon_file() -> None:
    row = ROW.replace("3/2/2026 9:31:05 AM", "02/03/2026 09:31:05").replace("5012.25", "5012,25")
    text = f"{HEADER.replace(',', ';')}\n{row.replace(',', ';').replace('5012;25', '5012,25')}\n"
    (execution,) = parse_text(text, "fr.csv").executions
    assert execution.executed_at == utc(2026, 3, 2, 14, 31, 5)
    assert execution.price == Decimal("5012.25")


def error_of(text: str, filename: str = "nt.csv") -> ImportFileError:
    with pytest.raises(ImportFileError) as caught:
        parse_text(text, filename, FMT)
    assert caught.value.file == filename
    return caught.value


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        (ROW.replace(",Buy,", ",Hold,"), "Action", "not an action"),
        (ROW.replace(",Buy,1,", ",Buy,-1,"), "Quantity", "negative"),
        (ROW.replace(",Buy,1,", ",Buy,0,"), "Quantity", "zero"),
        (ROW.replace("5012.25", "5O12.25"), "Price", "not a number"),
        (ROW.replace("$0.62", "$0.6.2"), "Commission", "not a number"),
        (ROW.replace("3/2/2026 9:31:05 AM", "3/2/2026 25:31:05"), "Time", "not a date"),
    ],
)
def test_bad_values_name_line_and_column(row: str, column: str, words: str) -> None:
    error = error_of(f"{HEADER}\n{ROW}\n{row}\n")
    assert (error.line, error.column) == (3, column)
    assert words in error.reason


def test_a_missing_column_and_empty_files() -> None:
    error = error_of(HEADER.replace("Price,", "") + "\n")
    assert (error.line, error.column) == (1, "Price")
    assert error_of("").line == 1
    assert "no executions" in error_of(HEADER + "\n").reason
