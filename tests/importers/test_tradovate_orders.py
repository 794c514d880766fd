"""Tradovate Orders report (CSV).

No real Orders export is in the shared samples, so samples/tradovate-orders.csv is written by
hand. Its header row is, verbatim, the one of a real (anonymised) Tradovate Orders export
published as a test fixture by an open-source journal; the importer relies on these columns:
`orderId` (broker id), `Account`, `B/S` (` Buy`/` Sell`, with a leading space), `Contract`,
`Product`, `avgPrice`, `filledQty`, `Fill Time` (`MM/DD/YYYY HH:MM:SS`), `Status` (` Filled`,
` Canceled`), with `Filled Qty`, `Avg Fill Price` and `Timestamp` as fallbacks and `Currency`
when present. The rows are invented in the same shape: canceled brackets, a stop exit, and an
order partly filled before it was cancelled.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from journal_desktop.domain.imported import ImportFileError, InstrumentSpec
from journal_desktop.domain.records import AssetClass, Side
from tests.importers.support import fixture_text, parse_text, utc

FMT = "tradovate-orders"
#: The first 26 columns: the layout of older exports.
OLD_HEADER = (
    "orderId,Account,Order ID,B/S,Contract,Product,Product Description,avgPrice,filledQty,"
    "Fill Time,lastCommandId,Status,_priceFormat,_priceFormatType,_tickSize,"
    "spreadDefinitionId,Version ID,Timestamp,Date,Quantity,Text,Type,Limit Price,Stop Price,"
    "decimalLimit,decimalStop"
)


def old_row(
    side: str = " Buy",
    price: str = "5401.25",
    quantity: str = "2",
    when: str = "03/10/2026 14:31:02",
    status: str = " Filled",
) -> str:
    return (
        f"1,ACC,1,{side},MESM6,MES,Micro E-mini S&P 500,{price},{quantity},{when},1,{status},"
        "-2,0,0.25,,1,03/10/2026 14:31:01,3/10/26,2,Chart, Market,,,,"
    )


def test_the_fixture() -> None:
    parsed = parse_text(fixture_text("tradovate-orders.csv"), "orders.csv")
    assert parsed.format_name == FMT
    executions = parsed.executions
    mes = InstrumentSpec("MESM6", AssetClass.FUTURE, "USD", None, underlying="MES")
    mnq = InstrumentSpec("MNQM6", AssetClass.FUTURE, "USD", None, underlying="MNQ")
    expected = [
        (mes, Side.BUY, "2", "5401.25", utc(2026, 3, 10, 14, 31, 2), "900000000101", 2),
        (mes, Side.SELL, "2", "5396.5", utc(2026, 3, 10, 14, 40, 17), "900000000106", 4),
        (mnq, Side.SELL, "3", "19250.75", utc(2026, 3, 11, 9, 2, 45), "900000000120", 5),
        (mnq, Side.BUY, "1", "19230.5", utc(2026, 3, 11, 9, 10, 3), "900000000125", 6),
        (mnq, Side.BUY, "2", "19262", utc(2026, 3, 11, 9, 15, 40), "900000000127", 7),
    ]
    assert len(executions) == len(expected)
    for position, (execution, want) in enumerate(zip(executions, expected, strict=True)):
        instrument, side, quantity, price, when, order_id, line = want
        assert execution.account == "DEMO0000000001"
        assert execution.instrument == instrument
        assert execution.side is side
        assert execution.quantity == Decimal(quantity)
        assert execution.price == Decimal(price)
        assert execution.executed_at == when  # read as UTC, the default
        assert (execution.commission, execution.fees) == (0, 0)  # the report has none
        assert execution.broker_execution_id == order_id
        assert (execution.line, execution.position_in_file) == (line, position)
    zone, partial = parsed.warnings
    assert "UTC" in zone and "--timezone" in zone
    assert "line 6" in partial and "Canceled" in partial


def test_a_time_zone_given_for_the_import_is_used() -> None:
    parsed = parse_text(fixture_text("tradovate-orders.csv"), "o.csv", timezone="America/Chicago")
    assert parsed.executions[0].executed_at == utc(2026, 3, 10, 19, 31, 2)  # CDT, UTC-5
    assert not any("UTC" in warning for warning in parsed.warnings)


def test_the_older_26_column_layout() -> None:
    text = "\n".join([OLD_HEADER, old_row(), old_row(" Sell", "5396.5")])
    buy, sell = parse_text(text, "old.csv").executions
    assert (buy.side, sell.side, sell.price) == (Side.BUY, Side.SELL, Decimal("5396.5"))


def test_fallback_columns_when_the_main_ones_are_blank() -> None:
    header = "orderId,B/S,Contract,avgPrice,filledQty,Fill Time,Status,Filled Qty,Avg Fill Price"
    text = "\n".join([header, "7,Sell,NQM6,,,03/10/2026 10:00:00,Filled,1,18000.25"])
    (execution,) = parse_text(text, "t.csv", FMT, account="Prop 1").executions
    assert (execution.quantity, execution.price) == (1, Decimal("18000.25"))
    assert (execution.account, execution.broker_execution_id) == ("Prop 1", "7")


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_and_tab_exports_with_decimal_commas(delimiter: str) -> None:
    text = "\n".join(
        [
            OLD_HEADER.replace(",", delimiter),
            old_row(price="PRICE").replace(",", delimiter).replace("PRICE", "5401,25"),
        ]
    )
    (execution,) = parse_text(text, "eu.csv", FMT).executions
    assert execution.price == Decimal("5401.25")


def error_of(text: str, filename: str = "bad.csv") -> ImportFileError:
    with pytest.raises(ImportFileError) as caught:
        parse_text(text, filename, FMT)
    assert caught.value.file == filename
    return caught.value


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        (old_row(side=" Hold"), "B/S", "not a side"),
        (old_row(quantity="-2"), "filledQty", "negative"),
        (old_row(price="54O1.25"), "avgPrice", "not a number"),
        (old_row(quantity=""), "filledQty", "no filled quantity"),
        (old_row(when="10/03/2026 25:61:00"), "Fill Time", "not a date"),
    ],
)
def test_bad_values_name_line_and_column(row: str, column: str, words: str) -> None:
    error = error_of("\n".join([OLD_HEADER, old_row(), row]))
    assert (error.line, error.column) == (3, column)
    assert words in error.reason


def test_a_missing_column_is_named() -> None:
    error = error_of(OLD_HEADER.replace("Contract,", "") + "\n")
    assert (error.line, error.column) == (1, "Contract")
    no_price = OLD_HEADER.replace("avgPrice,", "")
    assert error_of(no_price + "\n").column == "avgPrice"


def test_empty_files_and_files_without_fills() -> None:
    assert "empty" in error_of("").reason
    canceled = old_row(quantity="", price="", status=" Canceled")
    assert "no filled orders" in error_of(f"{OLD_HEADER}\n{canceled}\n").reason
