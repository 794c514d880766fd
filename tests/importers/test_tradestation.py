"""TradeStation TradeManager orders export.

No real TradeStation export is in the shared samples, and no published sample of this grid was
found. samples/tradestation-orders.txt is written by hand with invented orders. Its column
captions follow TradeStation's documented order fields (the Web API's Order Detail: `Type` Buy /
Sell / Sell Short / Buy To Cover / Buy to Open ..., `QuantityLeft`, `FilledPriceText`,
`FilledCanceled`, `CommissionFee`, status texts such as Partial Fill), laid out in the
tab-separated column order of TradeManager exports that a public parser reads by position
(Entered, Filled, Symbol, Type, Qty, Qty Filled, Qty Left, Stop, Limit, Filled Price, Status,
..., Commission). The exact captions are reconstructed, so the importer accepts each column
under its known alternatives; this is the least certain of the layouts.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from journal_desktop.domain.imported import ImportFileError
from journal_desktop.domain.records import AssetClass, Side
from tests.importers.support import fixture_text, parse_text, utc

FMT = "tradestation"
FIXTURE = "tradestation-orders.txt"
HEADER = (
    "Order #,Entered,Filled/Canceled,Symbol,Type,Qty,Qty Filled,Qty Left,Filled Price,Status,"
    "Commission"
)
ROW = "1001,3/2/2026 9:30:58 AM,3/2/2026 9:31:05 AM,MSFT,Buy,300,300,0,412.47,Filled,$1.50"


def test_the_fixture_order_by_order() -> None:
    parsed = parse_text(fixture_text(FIXTURE), FIXTURE)
    assert parsed.format_name == FMT
    d = Decimal
    # order, account, symbol, side, filled, price, fill time (EST, UTC-5), commission, line
    expected = [
        (
            "1083452210",
            "11223344",
            "MSFT",
            Side.BUY,
            d(300),
            d("412.47"),
            utc(2026, 3, 2, 14, 31, 5),
            d("1.50"),
            2,
        ),
        (
            "1083452297",
            "11223344",
            "MSFT",
            Side.SELL,
            d(300),
            d("415.02"),
            utc(2026, 3, 2, 15, 20, 44),
            d("1.50"),
            3,
        ),
        (
            "1083452301",
            "22334455",
            "ESH26",
            Side.BUY,
            d(1),
            d("5012.25"),
            utc(2026, 3, 2, 15, 30, 1),
            d("2.25"),
            4,
        ),
        (
            "1083452377",
            "22334455",
            "ESH26",
            Side.SELL,
            d(1),
            d("5020.75"),
            utc(2026, 3, 2, 16, 5, 12),
            d("2.25"),
            5,
        ),
        (
            "1083452402",
            "11223344",
            "AAPL  260320C00200000",
            Side.BUY,
            d(2),
            d("3.45"),
            utc(2026, 3, 2, 16, 45, 3),
            d("1.30"),
            6,
        ),
        (
            "1083452450",
            "11223344",
            "AMD",
            Side.SELL,
            d(60),
            d("168.30"),
            utc(2026, 3, 2, 17, 11, 0),
            d("1.00"),
            7,
        ),
        (
            "1083452499",
            "11223344",
            "AMD",
            Side.BUY,
            d(60),
            d("167.80"),
            utc(2026, 3, 2, 19, 40, 7),
            d("1.00"),
            10,
        ),
    ]
    assert len(parsed.executions) == len(expected)
    for position, (execution, want) in enumerate(zip(parsed.executions, expected, strict=True)):
        order, account, symbol, side, quantity, price, when, commission, line = want
        assert execution.broker_execution_id == order
        assert execution.account == account
        assert execution.instrument.symbol == symbol
        assert (execution.side, execution.quantity, execution.price) == (side, quantity, price)
        assert execution.executed_at == when
        assert (execution.commission, execution.fees) == (commission, 0)
        assert (execution.line, execution.position_in_file) == (line, position)
    zone, working = parsed.warnings
    assert "America/New_York" in zone
    assert working.startswith("1 partly filled orders still working")


def test_instruments_of_the_fixture() -> None:
    executions = parse_text(fixture_text(FIXTURE), FIXTURE).executions
    stock, future, option = (executions[i].instrument for i in (0, 2, 4))
    assert stock.asset_class is AssetClass.STOCK
    assert (future.asset_class, future.multiplier) == (AssetClass.FUTURE, None)
    assert (option.asset_class, option.underlying, option.strike, option.option_right) == (
        AssetClass.OPTION,
        "AAPL",
        Decimal(200),
        "C",
    )


def test_other_captions_a_continuous_symbol_and_the_account_option() -> None:
    header = "Order ID,Symbol,Side,Filled Qty,Avg Fill Price,Filled Time,Status,Entered"
    row = "77,@ESH26,Sell Short,2,5001.50,03/02/2026 14:00:00,Filled,03/02/2026 13:59:59"
    parsed = parse_text(f"{header}\n{row}\n", "orders.csv", account="TS Futures")
    (execution,) = parsed.executions
    assert (execution.instrument.symbol, execution.side, execution.quantity) == (
        "ESH26",
        Side.SELL,
        2,
    )
    assert (execution.account, execution.commission) == ("TS Futures", 0)
    assert execution.executed_at == utc(2026, 3, 2, 19, 0)


def test_unfilled_orders_are_skipped() -> None:
    canceled = ROW.replace("300,300,0", "300,0,300").replace("Filled,", "Canceled,")
    (execution,) = parse_text(f"{HEADER}\n{canceled}\n{ROW}\n", "t.csv").executions
    assert execution.line == 3


def error_of(text: str, filename: str = "orders.txt") -> ImportFileError:
    with pytest.raises(ImportFileError) as caught:
        parse_text(text, filename, FMT)
    assert caught.value.file == filename
    return caught.value


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        (ROW.replace(",Buy,", ",Hold,"), "Type", "not a side"),
        (ROW.replace("300,300,0", "300,-300,0"), "Qty Filled", "negative"),
        (ROW.replace("412.47", "412.4.7"), "Filled Price", "not a number"),
        (
            ROW.replace("3/2/2026 9:31:05 AM", "3/2/2026 9:61:05 AM"),
            "Filled/Canceled",
            "not a date",
        ),
        (ROW.replace("$1.50", "one fifty"), "Commission", "not a number"),
    ],
)
def test_bad_values_name_line_and_column(row: str, column: str, words: str) -> None:
    error = error_of(f"{HEADER}\n{ROW}\n{row}\n")
    assert (error.line, error.column) == (3, column)
    assert words in error.reason


def test_missing_columns_and_empty_files() -> None:
    error = error_of(HEADER.replace(",Filled Price", "") + "\n" + ROW + "\n")
    assert error.line == 1
    assert error.column == "Filled Price or Avg Fill Price or Average Fill Price or Fill Price"
    assert error_of(HEADER.replace(",Status", "") + "\n" + ROW + "\n").column == "Status"
    assert error_of("").line == 1
    assert "no orders" in error_of(HEADER + "\n").reason
