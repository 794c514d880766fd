"""IBKR Activity Statement CSV (the multi-section statement, Trades section).

No public sample statement is kept, so samples/ibkr-activity-statement.csv is written by hand
from IBKR's documented layout: every row is `Section,Header|Data|SubTotal|Total,...`; the
Trades header is `DataDiscriminator,Asset Category,Currency,Symbol,Date/Time,Quantity,T. Price,
C. Price,Proceeds,Comm/Fee,Basis,Realized P/L,MTM P/L,Code`, restated with `Comm in USD` for
Forex; `Order` rows are fills, `Trade` rows the executions of an order, `ClosedLot` rows the
lots a sale closed; Date/Time is `"2026-03-02, 09:31:05"` and quantities use thousands
separators. Account Information and Financial Instrument Information are documented sections.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from journal_desktop.domain.imported import ImportFileError, InstrumentSpec
from journal_desktop.domain.records import AssetClass, Side
from tests.importers.support import fixture_text, parse_text, utc

FMT = "ibkr-activity-csv"
HEADER = (
    "Trades,Header,DataDiscriminator,Asset Category,Currency,Symbol,Date/Time,Quantity,"
    "T. Price,Comm/Fee,Code"
)


def order(
    quantity: str = "100",
    price: str = "10",
    commission: str = "-1",
    *,
    kind: str = "Order",
    category: str = "Stocks",
    symbol: str = "XYZ",
    when: str = "2026-03-02, 10:00:00",
) -> str:
    return (
        f'Trades,Data,{kind},{category},USD,{symbol},"{when}","{quantity}",{price},{commission},O'
    )


def test_the_fixture_statement() -> None:
    parsed = parse_text(fixture_text("ibkr-activity-statement.csv"), "activity.csv")
    assert parsed.format_name == FMT
    assert parsed.warnings == ()
    buy, sell, option, future, forex = parsed.executions
    # Order rows only: the Trade rows (600 + 400) restate the first order; ClosedLot, SubTotal
    # and Total rows are summaries.
    assert [e.line for e in parsed.executions] == [10, 13, 17, 19, 22]
    assert [e.position_in_file for e in parsed.executions] == [0, 1, 2, 3, 4]
    for execution in parsed.executions:
        assert execution.account == "U7654321"  # from Account Information
        assert execution.fees == 0 and execution.broker_execution_id == ""
    assert buy.instrument == InstrumentSpec("AAPL", AssetClass.STOCK, "USD")
    assert (buy.side, buy.quantity, buy.price, buy.commission) == (
        Side.BUY,
        Decimal(1000),
        Decimal("175.5"),
        Decimal(5),
    )
    assert buy.executed_at == utc(2026, 3, 2, 14, 31, 5)  # Eastern, EST
    assert (sell.side, sell.quantity, sell.price, sell.commission) == (
        Side.SELL,
        Decimal(1000),
        Decimal("176.25"),
        Decimal("5.12"),
    )
    assert sell.executed_at == utc(2026, 3, 2, 20, 45, 10)
    assert option.instrument == InstrumentSpec(
        "AAPL  260320C00200000",  # the OCC symbol, as every format stores options
        AssetClass.OPTION,
        "USD",
        Decimal(100),
        underlying="AAPL",
        expiry=date(2026, 3, 20),
        strike=Decimal(200),
        option_right="C",
    )
    assert future.instrument == InstrumentSpec(
        "MESM6", AssetClass.FUTURE, "USD", Decimal(5), underlying="MES"
    )
    assert (future.side, future.quantity, future.price) == (Side.SELL, 3, Decimal("5410.25"))
    assert forex.instrument == InstrumentSpec("EUR.USD", AssetClass.FOREX, "USD")
    assert (forex.quantity, forex.price, forex.commission) == (20000, Decimal("1.0825"), 2)


def test_execution_rows_are_read_when_there_are_no_order_rows() -> None:
    text = "\n".join(
        [
            HEADER,
            order("60", kind="Trade"),
            order("40", kind="Trade", when="2026-03-02, 10:00:01"),
            "Trades,SubTotal,,Stocks,USD,XYZ,,100,,-2,",
        ]
    )
    parsed = parse_text(text, "old.csv", FMT, account="Mine")
    assert [(e.quantity, e.line) for e in parsed.executions] == [(60, 2), (40, 3)]
    assert parsed.executions[0].account == "Mine"


def test_option_details_come_from_the_symbol_without_the_instrument_section() -> None:
    text = "\n".join(
        [
            HEADER,
            order("-1", "2.13", category="Equity and Index Options", symbol="IWM 20JAN17 135.0 C"),
        ]
    )
    (execution,) = parse_text(text, "t.csv", FMT).executions
    assert execution.instrument == InstrumentSpec(
        "IWM   170120C00135000",
        AssetClass.OPTION,
        "USD",
        None,  # 100, the equity option default, applies
        underlying="IWM",
        expiry=date(2017, 1, 20),
        strike=Decimal("135.0"),
        option_right="C",
    )


def test_forex_commission_in_usd_on_another_currency_is_flagged() -> None:
    header = HEADER.replace("Comm/Fee", "Comm in USD")
    line = 'Trades,Data,Order,Forex,HKD,USD.HKD,"2026-01-03, 12:00:00",100,7.8,-0.35,O'
    parsed = parse_text(f"{header}\n{line}\n", "fx.csv", FMT)
    assert parsed.executions[0].commission == Decimal("0.35")
    assert "line 2" in parsed.warnings[0] and "USD" in parsed.warnings[0]


def test_unsupported_categories_are_skipped_with_a_warning() -> None:
    text = "\n".join([HEADER, order(category="Bonds", symbol="T 4 05/15/38"), order()])
    parsed = parse_text(text, "t.csv", FMT)
    assert len(parsed.executions) == 1
    assert "line 2" in parsed.warnings[0] and "Bonds" in parsed.warnings[0]


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_or_tab_statements_with_decimal_commas(delimiter: str) -> None:
    text = "\n".join(
        [
            HEADER.replace(",", delimiter),
            f"Trades{delimiter}Data{delimiter}Order{delimiter}Stocks{delimiter}EUR{delimiter}SAP"
            f'{delimiter}"2026-03-02, 10:00:00"{delimiter}"1.500"{delimiter}180,5{delimiter}'
            f"-3,25{delimiter}O",
        ]
    )
    (execution,) = parse_text(text, "eu.csv", FMT, timezone="Europe/Berlin").executions
    assert (execution.quantity, execution.price) == (1500, Decimal("180.5"))
    assert execution.commission == Decimal("3.25")
    assert execution.instrument.currency == "EUR"
    assert execution.executed_at == utc(2026, 3, 2, 9, 0)


def error_of(text: str, filename: str = "bad.csv") -> ImportFileError:
    with pytest.raises(ImportFileError) as caught:
        parse_text(text, filename, FMT)
    assert caught.value.file == filename
    return caught.value


@pytest.mark.parametrize(
    ("line", "column", "words"),
    [
        (order(price="1O.5"), "T. Price", "not a number"),
        (order(quantity="0"), "Quantity", "zero"),
        (order(quantity=""), "Quantity", "required"),
        (order(when="2026-03-02 10h00"), "Date/Time", "not a date"),
        (order(category="Options On Futures", symbol="ES 20MAR26 5000 C"), "Symbol", "multiplier"),
    ],
)
def test_bad_values_name_line_and_column(line: str, column: str, words: str) -> None:
    error = error_of("\n".join([HEADER, order(), line]))
    assert (error.line, error.column) == (3, column)
    assert words in error.reason


def test_a_missing_column_is_named() -> None:
    header = HEADER.replace("T. Price,", "")
    error = error_of("\n".join([header, order().replace(",10,", ",")]))
    assert (error.line, error.column) == (2, "T. Price")


def test_empty_files_and_statements_without_trades() -> None:
    assert "empty" in error_of("").reason
    no_trades = "Statement,Header,Field Name,Field Value\nStatement,Data,Title,Activity Statement\n"
    assert "no trades" in error_of(no_trades).reason
