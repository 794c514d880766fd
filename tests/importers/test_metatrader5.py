"""MetaTrader 5 trade history report: the Deals section, as HTML and as CSV.

No real MT5 report is in the shared samples. samples/metatrader5-report.html is written by hand
with invented deals, in the layout that open-source MT5 report parsers document and test
against: one table with `Positions`, `Orders` and `Deals` banner rows, the English Deals header
`Time, Deal, Symbol, Type, Direction, Volume, Price, Order, Commission, Fee, Swap, Profit,
Balance, Comment` with a hidden `Cost` cell, `class="hidden" colspan="8"` drill-down cells in
Positions rows, `1 002.16`-style thousands, balance/credit rows, and the account line
`12345678 (USD, Server, demo, Hedge)`. samples/metatrader5-deals.csv is the same Deals table as
comma-separated text. No real sample; the deals' Profit column was worked out by hand and the
test below checks the importer's figures against it.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest

from journal_desktop.domain.imported import ImportedExecution, ImportFileError
from journal_desktop.domain.records import AssetClass, Side
from journal_desktop.importers import parse_file
from tests.importers.support import fixture_text, parse_text, utc, utf16_le_with_bom

FMT = "metatrader5"
REPORT = "metatrader5-report.html"
DEALS = "metatrader5-deals.csv"
HEADER = (
    "Time,Deal,Symbol,Type,Direction,Volume,Price,Order,Commission,Fee,Swap,Profit,Balance,Comment"
)
ROW = "2026.03.02 09:31:05,70002,EURUSD,buy,in,0.50,1.08452,80002,-1.75,0.00,0.00,0.00,9998.25,"
D = Decimal
# deal, symbol, side, lots, price, time (server time read as UTC), commission, fees
EXPECTED = [
    (
        "70002",
        "EURUSD",
        Side.BUY,
        D("0.50"),
        D("1.08452"),
        utc(2026, 3, 2, 9, 31, 5),
        D("1.75"),
        D(0),
    ),
    (
        "70003",
        "EURUSD",
        Side.SELL,
        D("0.30"),
        D("1.08610"),
        utc(2026, 3, 2, 11, 2, 40),
        D("1.05"),
        D(0),
    ),
    (
        "70004",
        "XAUUSD",
        Side.SELL,
        D("0.10"),
        D("2912.40"),
        utc(2026, 3, 2, 14, 0, 0),
        D("0.50"),
        D(0),
    ),
    (
        "70005",
        "XAUUSD",
        Side.BUY,
        D("0.10"),
        D("2905.15"),
        utc(2026, 3, 2, 16, 30, 0),
        D("0.50"),
        D(0),
    ),
    (
        "70006",
        "GBPUSD",
        Side.BUY,
        D("0.10"),
        D("1.26500"),
        utc(2026, 3, 2, 17, 0, 0),
        D("0.35"),
        D(0),
    ),
    (
        "70007",
        "GBPUSD",
        Side.SELL,
        D("0.20"),
        D("1.26420"),
        utc(2026, 3, 2, 18, 10, 0),
        D("0.70"),
        D(0),
    ),
    (
        "70008",
        "EURUSD",
        Side.SELL,
        D("0.20"),
        D("1.08390"),
        utc(2026, 3, 3, 8, 15, 0),
        D("0.70"),
        D("0.84"),
    ),
    (
        "70009",
        "GBPUSD",
        Side.BUY,
        D("0.10"),
        D("1.26300"),
        utc(2026, 3, 3, 9, 0, 0),
        D("0.35"),
        D("-0.36"),
    ),
    (
        "70010",
        "USDJPY",
        Side.BUY,
        D("1.00"),
        D("149.850"),
        utc(2026, 3, 3, 10, 0, 0),
        D("3.50"),
        D(0),
    ),
]


def check_deals(executions: tuple[ImportedExecution, ...], account: str) -> None:
    assert len(executions) == len(EXPECTED)
    for position, (execution, want) in enumerate(zip(executions, EXPECTED, strict=True)):
        deal, symbol, side, lots, price, when, commission, fees = want
        assert execution.broker_execution_id == deal
        assert execution.account == account
        assert execution.instrument.symbol == symbol
        assert (execution.side, execution.quantity, execution.price) == (side, lots, price)
        assert execution.executed_at == when
        assert (execution.commission, execution.fees) == (commission, fees)
        assert execution.position_in_file == position


def test_the_html_report() -> None:
    parsed = parse_text(fixture_text(REPORT), REPORT)
    assert parsed.format_name == FMT
    check_deals(parsed.executions, "12345678")
    assert [e.line for e in parsed.executions] == list(range(30, 39))
    assert len(parsed.warnings) == 1 and "UTC" in parsed.warnings[0]


def test_the_csv_export() -> None:
    parsed = parse_text(fixture_text(DEALS), DEALS)
    assert parsed.format_name == FMT
    check_deals(parsed.executions, "Default")
    assert [e.line for e in parsed.executions] == list(range(3, 12))


def test_lots_and_contract_sizes() -> None:
    executions = parse_text(fixture_text(REPORT), REPORT).executions
    eurusd, gold, usdjpy = (
        executions[0].instrument,
        executions[2].instrument,
        executions[8].instrument,
    )
    assert (eurusd.asset_class, eurusd.multiplier, eurusd.currency) == (
        AssetClass.FOREX,
        D(100000),
        "USD",
    )
    assert (gold.multiplier, gold.currency) == (D(100), "USD")
    assert (usdjpy.multiplier, usdjpy.currency) == (D(100000), "JPY")


def test_cash_flow_of_the_closed_positions_is_the_reports_profit() -> None:
    """EURUSD, XAUUSD and GBPUSD end flat; what their deals move must be the Profit column's
    47.40 + 72.50 - 8.00 - 12.40 + 12.00, and net of costs the report's net figure."""
    executions = parse_text(fixture_text(REPORT), REPORT).executions
    flat = [e for e in executions if e.instrument.symbol != "USDJPY"]
    gross = sum(
        (
            (e.price if e.side is Side.SELL else -e.price) * e.quantity * e.instrument.multiplier
            for e in flat
            if e.instrument.multiplier is not None
        ),
        D(0),
    )
    assert gross == D("111.50")
    costs = sum((e.commission + e.fees for e in flat), D(0))
    assert gross - costs == D("111.50") - D("5.90") - D("0.48")  # commissions, swaps


def test_the_report_as_mt5_saves_it_utf16() -> None:
    data = utf16_le_with_bom(fixture_text(REPORT))
    parsed = parse_file(data, REPORT)
    check_deals(parsed.executions, "12345678")


def test_a_semicolon_csv_with_decimal_commas() -> None:
    source = list(csv.reader(io.StringIO(fixture_text(DEALS))))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    for row in source:
        writer.writerow([re.sub(r"^(-?\d+)\.(\d+)$", r"\1,\2", cell) for cell in row])
    assert "1,08452" in out.getvalue() and "2026.03.02" in out.getvalue()
    check_deals(parse_text(out.getvalue(), "deals.csv").executions, "Default")


def test_a_given_server_zone_moves_every_deal() -> None:
    parsed = parse_text(fixture_text(DEALS), DEALS, timezone="Europe/Athens")
    assert parsed.executions[0].executed_at == utc(2026, 3, 2, 7, 31, 5)  # EET, UTC+2
    assert parsed.warnings == ()


def test_index_cfds_are_one_unit_per_lot_with_a_warning() -> None:
    row = ROW.replace("EURUSD", "US30").replace("1.08452", "43012.5")
    parsed = parse_text(f"{HEADER}\n{row}\n", "d.csv")
    (execution,) = parsed.executions
    assert (execution.instrument.asset_class, execution.instrument.multiplier) == (
        AssetClass.STOCK,
        D(1),
    )
    assert any("US30" in warning for warning in parsed.warnings)


def error_of(text: str, filename: str = "deals.csv") -> ImportFileError:
    with pytest.raises(ImportFileError) as caught:
        parse_text(text, filename, FMT)
    assert caught.value.file == filename
    return caught.value


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        (ROW.replace(",buy,", ",purchase,"), "Type", "not a deal type"),
        (ROW.replace(",in,", ",sideways,"), "Direction", "not a deal direction"),
        (ROW.replace(",0.50,", ",-0.50,"), "Volume", "positive"),
        (ROW.replace("1.08452", "1.O8452"), "Price", "not a number"),
        (ROW.replace("-1.75", "-1.7.5"), "Commission", "not a number"),
        (ROW.replace("2026.03.02 09:31:05", "02.03.2026 09:31"), "Time", "not a date"),
    ],
)
def test_bad_values_name_line_and_column(row: str, column: str, words: str) -> None:
    error = error_of(f"{HEADER}\n{ROW}\n{row}\n")
    assert (error.line, error.column) == (3, column)
    assert words in error.reason


def test_bad_values_in_the_html_report_name_its_line() -> None:
    text = fixture_text(REPORT).replace("<td nowrap>2912.40</td>", "<td nowrap>2912,4O</td>")
    error = error_of(text, REPORT)
    assert (error.line, error.column) == (32, "Price")


def test_missing_columns_and_empty_files() -> None:
    without_volume = HEADER.replace("Volume,", "")
    assert "no Deals header" in error_of(f"{without_volume}\n{ROW}\n").reason
    without_price = fixture_text(REPORT).replace(
        "<td nowrap><b>Price</b></td><td nowrap><b>Order", "<td nowrap><b>Order"
    )
    assert "no Deals table" in error_of(without_price, REPORT).reason
    assert error_of("").line == 1
