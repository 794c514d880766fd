"""Charles Schwab web Transactions CSV.

No real Schwab export is in the shared samples, so samples/schwab-transactions-history.csv is
written by hand with invented figures, from the layout that beancount importers, portfolio
trackers and journals document for this export: the quoted header `"Date","Action","Symbol",
"Description","Quantity","Price","Fees & Comm","Amount"`, the older title line above it and
`"Transactions Total"` below, newest rows first, `$` amounts with thousands separators, dates
`03/02/2026 as of 02/27/2026`, option symbols `AAPL 02/27/2026 230.00 C`, and Expired rows
whose quantity is negative for a long option. No real sample.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from journal_desktop.domain.imported import ImportFileError
from journal_desktop.domain.records import AssetClass, Side
from tests.importers.support import fixture_text, parse_text, utc

FMT = "schwab-transactions"
FIXTURE = "schwab-transactions-history.csv"
HEADER = '"Date","Action","Symbol","Description","Quantity","Price","Fees & Comm","Amount"'
BUY = '"03/02/2026","Buy","AMD","ADVANCED MICRO DEVICES","100","$167.15","","-$16,715.00"'


def test_the_fixture_in_trade_order() -> None:
    parsed = parse_text(fixture_text(FIXTURE), FIXTURE)
    assert parsed.format_name == FMT
    d = Decimal
    close = 21  # 16:00 in New York is 21:00 UTC before the March change to daylight time
    # symbol, side, quantity, price, trade date, commission, line (newest-first file, reversed)
    expected = [
        ("F", Side.BUY, d(1000), d("11.85"), (2, 26), d(0), 12),
        ("AAPL  260227C00230000", Side.BUY, d(1), d("1.25"), (2, 26), d("0.66"), 11),
        ("AAPL  260227C00230000", Side.SELL, d(1), d(0), (2, 27), d(0), 10),
        ("SPY   260320P00600000", Side.BUY, d(2), d("5.10"), (3, 2), d("1.32"), 8),
        ("GME", Side.SELL, d(200), d("24.75"), (3, 2), d("0.02"), 7),
        ("GME", Side.BUY, d(200), d("23.10"), (3, 2), d(0), 6),
        ("TSLA", Side.BUY, d(100), d("258.40"), (3, 3), d(0), 5),
        ("TSLA", Side.SELL, d(100), d("262.10"), (3, 3), d("0.05"), 4),
    ]
    assert len(parsed.executions) == len(expected)
    for position, (execution, want) in enumerate(zip(parsed.executions, expected, strict=True)):
        symbol, side, quantity, price, (month, day), commission, line = want
        assert execution.account == "Default"
        assert execution.instrument.symbol == symbol
        assert (execution.side, execution.quantity, execution.price) == (side, quantity, price)
        assert execution.executed_at == utc(2026, month, day, close, 0)
        assert (execution.commission, execution.fees) == (commission, 0)
        assert (execution.line, execution.position_in_file) == (line, position)
    assert parsed.warnings == ("not trades, skipped: MoneyLink Transfer, Qualified Dividend",)


def test_option_instruments_of_the_fixture() -> None:
    executions = parse_text(fixture_text(FIXTURE), FIXTURE).executions
    call, put = executions[1].instrument, executions[3].instrument
    assert call.asset_class is AssetClass.OPTION and call.multiplier is None
    assert (call.underlying, call.expiry, call.strike, call.option_right) == (
        "AAPL",
        date(2026, 2, 27),
        Decimal(230),
        "C",
    )
    assert (put.underlying, put.expiry, put.strike, put.option_right) == (
        "SPY",
        date(2026, 3, 20),
        Decimal(600),
        "P",
    )
    assert executions[0].instrument.asset_class is AssetClass.STOCK


def test_one_days_newest_first_file_is_read_bottom_up() -> None:
    sell = BUY.replace('"Buy"', '"Sell"').replace("$167.15", "$168.00")
    bought, sold = parse_text(f"{HEADER}\n{sell}\n{BUY}\n", "t.csv").executions
    assert (bought.side, sold.side) == (Side.BUY, Side.SELL)
    assert (bought.line, sold.line, sold.position_in_file) == (3, 2, 1)


def test_a_file_sorted_oldest_first_keeps_its_order() -> None:
    first_sell = BUY.replace('"Buy"', '"Sell"')
    later_buy = BUY.replace("03/02/2026", "03/03/2026")
    buy_again = BUY.replace("03/02/2026", "03/04/2026").replace("$167.15", "$170.00")
    text = f"{HEADER}\n{first_sell}\n{BUY}\n{later_buy}\n{buy_again}\n"
    executions = parse_text(text, "t.csv").executions
    assert [e.line for e in executions] == [2, 3, 4, 5]
    assert [e.side for e in executions] == [Side.SELL, Side.BUY, Side.BUY, Side.BUY]


def test_the_account_option_and_another_zone_for_the_close() -> None:
    parsed = parse_text(f"{HEADER}\n{BUY}\n", "t.csv", account="Roth", timezone="UTC")
    (execution,) = parsed.executions
    assert execution.account == "Roth"
    assert execution.executed_at == utc(2026, 3, 2, 16, 0)


def test_assigned_short_put_is_bought_back_at_zero() -> None:
    row = '"03/16/2026 as of 03/13/2026","Assigned","RKLB 03/13/2026 27.00 P","PUT","10","","",""'
    (execution,) = parse_text(f"{HEADER}\n{row}\n", "t.csv").executions
    assert (execution.side, execution.quantity, execution.price) == (Side.BUY, 10, 0)
    assert execution.executed_at == utc(2026, 3, 13, 20, 0)  # the "as of" date, in EDT


def test_a_file_of_dividends_only_has_no_executions() -> None:
    row = '"03/04/2026","Qualified Dividend","KO","COCA COLA CO","","","","$12.00"'
    parsed = parse_text(f"{HEADER}\n{row}\n", "t.csv")
    assert parsed.executions == ()
    assert "Qualified Dividend" in parsed.warnings[0]


def error_of(text: str, filename: str = "schwab.csv") -> ImportFileError:
    with pytest.raises(ImportFileError) as caught:
        parse_text(text, filename, FMT)
    assert caught.value.file == filename
    return caught.value


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        (BUY.replace('"Buy"', '"Buy Something"'), "Action", "not a trade action"),
        (BUY.replace('"100"', '"-100"'), "Quantity", "must be positive"),
        (BUY.replace("$167.15", "$167.1S"), "Price", "not a number"),
        (BUY.replace("03/02/2026", "2026-03-02"), "Date", "not a date"),
        (BUY.replace('"AMD"', '"AMD 02/30/2026 200.00 C"'), "Symbol", "not an option"),
        (BUY.replace('"Buy","AMD"', '"Expired","AMD"'), "Symbol", "names no option"),
    ],
)
def test_bad_values_name_line_and_column(row: str, column: str, words: str) -> None:
    error = error_of(f"{HEADER}\n{BUY}\n{row}\n")
    assert (error.line, error.column) == (3, column)
    assert words in error.reason


def test_a_missing_column_and_an_empty_file() -> None:
    error = error_of(HEADER.replace(',"Price"', "") + "\n" + BUY + "\n")
    assert (error.line, error.column) == (1, "Price")
    assert error_of("").line == 1
    assert "no transactions" in error_of(HEADER + "\n").reason
