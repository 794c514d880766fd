"""IBKR Flex Query CSV.

No public Flex CSV export was found, so the fixtures are written by hand from IBKR's documented
Flex field names (the CSV headers are the field names as the Flex query's column list prints
them: ClientAccountID, AccountAlias, CurrencyPrimary, AssetClass, Symbol, Date/Time, Quantity,
TradePrice, IBCommission, IBCommissionCurrency, Buy/Sell, IBExecID, LevelOfDetail, ...):
- samples/ibkr-flex-trades.csv: an Open Positions table, then a Trades table holding the real
  XML sample's four executions plus ORDER and CLOSED_LOT summaries, an option, a future and
  a forex fill;
- samples/ibkr-flex-coded.csv: the same fields with "Include header and trailer records" and
  "Include section code and line descriptor" (BOF/BOA/BOS, HEADER/DATA rows, EOS/EOA/EOF).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from journal_desktop.domain.imported import ImportFileError, InstrumentSpec
from journal_desktop.domain.records import AssetClass, Side
from journal_desktop.importers import parse_file
from tests.importers.support import IBKR_FLEX_XML, fixture_text, parse_text, utc

FMT = "ibkr-flex-csv"

HEADER = (
    '"ClientAccountID","CurrencyPrimary","AssetClass","Symbol","Multiplier","Date/Time",'
    '"Quantity","TradePrice","IBCommission","Buy/Sell","IBExecID","LevelOfDetail"'
)


def row(
    quantity: str = "10",
    price: str = "400",
    commission: str = "-1",
    side: str = "BUY",
    when: str = "20260302;093000",
    category: str = "STK",
) -> str:
    return (
        f'"U1","USD","{category}","MSFT","1","{when}","{quantity}","{price}","{commission}",'
        f'"{side}","E{quantity}","EXECUTION"'
    )


def test_the_fixture_holds_the_xml_samples_fills_and_more() -> None:
    parsed = parse_text(fixture_text("ibkr-flex-trades.csv"), "flex.csv")
    assert parsed.format_name == FMT
    assert parsed.warnings == ()
    xml = parse_file(IBKR_FLEX_XML.read_bytes(), "flex.xml").executions
    # The same four fills as the real XML, once line numbers (file-specific) are set aside.
    assert [replace(e, line=0) for e in parsed.executions[:4]] == [replace(e, line=0) for e in xml]
    assert [e.line for e in parsed.executions] == [4, 5, 8, 9, 10, 11, 12]
    option, future, forex = parsed.executions[4:]
    assert option.instrument == InstrumentSpec(
        "AAPL  260320C00200000",
        AssetClass.OPTION,
        "USD",
        Decimal(100),
        underlying="AAPL",
        expiry=date(2026, 3, 20),
        strike=Decimal(200),
        option_right="C",
    )
    assert (option.side, option.quantity, option.price) == (Side.BUY, 2, Decimal("5.25"))
    assert option.executed_at == utc(2026, 3, 2, 15, 15)
    assert option.commission == Decimal("1.3")
    assert future.instrument == InstrumentSpec(
        "MESM6", AssetClass.FUTURE, "USD", Decimal(5), underlying="MES"
    )
    assert (future.side, future.quantity, future.price) == (Side.SELL, 3, Decimal("5410.25"))
    assert future.broker_execution_id == "EXEC00006"
    assert forex.instrument.asset_class is AssetClass.FOREX
    assert (forex.quantity, forex.price, forex.commission) == (20000, Decimal("1.0825"), 2)


def test_the_coded_layout_with_trailer_records() -> None:
    parsed = parse_text(fixture_text("ibkr-flex-coded.csv"), "coded.csv")
    assert parsed.format_name == FMT
    buy, sell = parsed.executions
    assert (buy.account, buy.instrument.symbol, buy.side, buy.quantity) == (
        "U7654321",
        "MSFT",
        Side.BUY,
        50,
    )
    assert buy.executed_at == utc(2026, 3, 9, 14, 5)  # yyyy-MM-dd;HH:mm:ss, Eastern
    assert sell.executed_at == utc(2026, 3, 9, 19, 55, 30)
    assert (sell.side, sell.price, sell.commission) == (
        Side.SELL,
        Decimal("405.75"),
        Decimal("0.36"),
    )
    assert sell.broker_execution_id == "0000e0d5.6a1b2c3e.01.01"
    assert (buy.line, sell.line) == (5, 6)


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolons_tabs_and_decimal_commas(delimiter: str) -> None:
    lines = [
        HEADER,
        row(quantity="1.000", price="400,5", commission="-1,25"),
        row("-1.000", side="SELL"),
    ]
    text = "\n".join(line.replace('","', f'"{delimiter}"') for line in lines) + "\n"
    buy, sell = parse_text(text, "eu.csv", FMT).executions
    assert (buy.quantity, buy.price, buy.commission) == (1000, Decimal("400.5"), Decimal("1.25"))
    assert (sell.side, sell.quantity) == (Side.SELL, 1000)


def test_thousands_separators_and_parenthesised_negatives() -> None:
    text = "\n".join([HEADER, row(quantity="1,500", price="1,234.50", commission="(2.10)")])
    (execution,) = parse_text(text, "t.csv", FMT).executions
    assert (execution.quantity, execution.price) == (1500, Decimal("1234.50"))
    assert execution.commission == Decimal("2.10")


def test_a_later_non_trades_table_ends_the_trades_table() -> None:
    positions = '"ClientAccountID","CurrencyPrimary","AssetClass","Symbol","Quantity"'
    text = "\n".join([HEADER, row(), positions, '"U1","USD","STK","AAPL","5"', ""])
    assert len(parse_text(text, "t.csv", FMT).executions) == 1


def error_of(text: str, filename: str = "bad.csv") -> ImportFileError:
    with pytest.raises(ImportFileError) as caught:
        parse_text(text, filename, FMT)
    assert caught.value.file == filename
    return caught.value


def test_bad_values_name_line_and_column() -> None:
    price = error_of("\n".join([HEADER, row(), row(price="4OO")]))
    assert (price.line, price.column) == (3, "TradePrice")
    side = error_of("\n".join([HEADER, row(quantity="-5", side="BUY")]))
    assert (side.line, side.column) == (2, "Buy/Sell")
    when = error_of("\n".join([HEADER, row(when="yesterday")]))
    assert (when.line, when.column) == (2, "Date/Time")


def test_a_missing_column_is_named() -> None:
    no_category = HEADER.replace('"AssetClass",', "")
    text = "\n".join([no_category, row().replace('"STK",', "")])
    error = error_of(text)
    assert (error.line, error.column) == (2, "AssetClass")
    assert "missing" in error.reason


def test_files_without_a_trades_table_or_fills() -> None:
    assert "empty" in error_of("").reason
    no_table = error_of('"ClientAccountID","AccountAlias","Symbol"\n"U1","","AAPL"\n')
    assert "no Trades table" in no_table.reason
    only_lots = "\n".join([HEADER, row().replace("EXECUTION", "CLOSED_LOT")])
    assert "no executions" in error_of(only_lots).reason


def test_a_table_of_orders_without_executions_gives_one_fill_per_order() -> None:
    text = "\n".join([HEADER, row().replace("EXECUTION", "ORDER").replace('"E10"', '""')])
    parsed = parse_text(text, "orders.csv", FMT)
    (fill,) = parsed.executions
    assert (fill.side, fill.quantity, fill.price) == (Side.BUY, 10, Decimal(400))
    assert "orders, not executions" in parsed.warnings[0]
    extra = error_of("\n".join([HEADER, row() + ',"surplus"']))
    assert extra.line == 2 and "13 values" in extra.reason
