"""IBKR Flex Query XML: the real sample field by field, the rules for other records, errors."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from journal_desktop.domain.imported import ImportFileError, InstrumentSpec
from journal_desktop.domain.records import AssetClass, Side
from journal_desktop.importers import parse_file
from tests.importers.support import IBKR_FLEX_XML, parse_text, utc, utf16_le_with_bom

FMT = "ibkr-flex-xml"


def flex(*trades: str, statement_account: str = "U1234567") -> str:
    """A Flex statement around the given <Trade .../> elements, one per line from line 4."""
    body = "\n".join(trades)
    return (
        '<FlexQueryResponse queryName="t" type="AF">\n<FlexStatements count="1">\n'
        f'<FlexStatement accountId="{statement_account}"><Trades>\n{body}\n'
        "</Trades></FlexStatement>\n</FlexStatements>\n</FlexQueryResponse>\n"
    )


def trade(**attributes: str) -> str:
    base = {
        "accountId": "U1234567",
        "currency": "USD",
        "assetCategory": "STK",
        "symbol": "MSFT",
        "multiplier": "1",
        "dateTime": "20260302;093000",
        "quantity": "10",
        "tradePrice": "400",
        "ibCommission": "-1",
        "ibCommissionCurrency": "USD",
        "buySell": "BUY",
        "ibExecID": "E1",
        "levelOfDetail": "EXECUTION",
    }
    base.update(attributes)
    return "<Trade " + " ".join(f'{k}="{v}"' for k, v in base.items() if v != "-") + " />"


def test_the_real_sample_parses_exactly() -> None:
    # Checked by hand against flex-trades.xml: the four <Trade> lines 8-11, at EXECUTION level;
    # the OpenPositions AAPL 340 is not a fill. dateTime is US Eastern: EST (UTC-5) on 26 Jan,
    # EDT (UTC-4) in May and June. ibCommission is negative in the file; commission positive.
    parsed = parse_file(IBKR_FLEX_XML.read_bytes(), IBKR_FLEX_XML.name)
    assert parsed.format_name == FMT
    assert parsed.warnings == ()
    assert parsed.reported_trades == ()
    stock = AssetClass.STOCK
    expected = [
        ("GOLD", Side.BUY, "691", "43.1", utc(2026, 1, 26, 16, 57, 15), "3.455", "EXEC00001", 8),
        (
            "GOLD",
            Side.SELL,
            "100",
            "44.19",
            utc(2026, 6, 15, 17, 2, 7),
            "1.1108314",
            "EXEC00002",
            9,
        ),
        ("AAPL", Side.BUY, "103", "300", utc(2026, 5, 18, 13, 30, 4), "1.000309", "EXEC00003", 10),
        ("AAPL", Side.BUY, "137", "300", utc(2026, 5, 18, 13, 30, 4), "0.200411", "EXEC00004", 11),
    ]
    assert len(parsed.executions) == len(expected)
    for position, (execution, row) in enumerate(zip(parsed.executions, expected, strict=True)):
        symbol, side, quantity, price, when, commission, exec_id, line = row
        assert execution.account == "U1234567"
        assert execution.instrument == InstrumentSpec(symbol, stock, "USD", Decimal(1))
        assert execution.side is side
        assert execution.quantity == Decimal(quantity)
        assert execution.price == Decimal(price)
        assert execution.executed_at == when
        assert execution.commission == Decimal(commission)
        assert execution.fees == Decimal(0)
        assert execution.broker_execution_id == exec_id
        assert execution.line == line
        assert execution.position_in_file == position


def test_the_real_sample_in_utf16_parses_the_same() -> None:
    text = IBKR_FLEX_XML.read_text(encoding="utf-8")
    parsed = parse_file(utf16_le_with_bom(text), "flex.xml")
    assert parsed.executions == parse_file(IBKR_FLEX_XML.read_bytes(), "flex.xml").executions


def test_summary_levels_and_other_sections_are_not_fills() -> None:
    text = flex(
        trade(levelOfDetail="ORDER", ibExecID=""),
        trade(levelOfDetail="CLOSED_LOT", quantity="-10"),
        trade(levelOfDetail="SYMBOL_SUMMARY"),
        '<Lot symbol="MSFT" quantity="10" levelOfDetail="CLOSED_LOT" />',
        '<Order symbol="MSFT" quantity="10" levelOfDetail="ORDER" />',
        trade(ibExecID="KEEP"),
    )
    parsed = parse_text(text, "t.xml", FMT)
    assert [e.broker_execution_id for e in parsed.executions] == ["KEEP"]
    assert parsed.executions[0].line == 9


def test_date_time_layouts_and_zones() -> None:
    layouts = ["20260302;093000", "20260302 093000", "2026-03-02;09:30:00", "2026-03-02 09:30:00"]
    for layout in layouts:
        parsed = parse_text(flex(trade(dateTime=layout)), "t.xml", FMT)
        assert parsed.executions[0].executed_at == utc(2026, 3, 2, 14, 30), layout
    chicago = parse_text(flex(trade()), "t.xml", FMT, timezone="America/Chicago")
    assert chicago.executions[0].executed_at == utc(2026, 3, 2, 15, 30)
    # "HH:mm:ss TimeZone" in the query settings: the printed zone wins over the import's.
    printed = parse_text(flex(trade(dateTime="2026-03-02;09:30:00 EST")), "t.xml", FMT)
    assert printed.executions[0].executed_at == utc(2026, 3, 2, 14, 30)
    iana = parse_text(
        flex(trade(dateTime="2026-03-02;09:30:00 US/Central")), "t.xml", FMT, timezone="UTC"
    )
    assert iana.executions[0].executed_at == utc(2026, 3, 2, 15, 30)
    # Older queries split date and time.
    split = parse_text(
        flex(trade(dateTime="-", tradeDate="20260302", tradeTime="093000")), "t.xml", FMT
    )
    assert split.executions[0].executed_at == utc(2026, 3, 2, 14, 30)


def test_asset_categories_multipliers_and_option_details() -> None:
    text = flex(
        trade(
            assetCategory="OPT",
            symbol="AAPL  260320C00200000",
            underlyingSymbol="AAPL",
            multiplier="100",
            strike="200",
            expiry="20260320",
            putCall="C",
            ibExecID="O1",
        ),
        trade(
            assetCategory="FOP",
            symbol="ESM6 P5000",
            underlyingSymbol="ESM6",
            multiplier="50",
            strike="5000",
            expiry="2026-06-18",
            putCall="P",
            ibExecID="O2",
        ),
        trade(assetCategory="FUT", symbol="MESM6", underlyingSymbol="MES", multiplier="5"),
        trade(assetCategory="FUT", symbol="NQM6", underlyingSymbol="NQ", multiplier="-"),
        trade(
            assetCategory="CASH",
            symbol="EUR.USD",
            quantity="-20000",
            tradePrice="1.0825",
            buySell="SELL",
        ),
        trade(assetCategory="CRYPTO", symbol="BTC.USD", quantity="0.015", tradePrice="64000"),
        trade(assetCategory="WAR", symbol="XYZ WT", multiplier="1"),
    )
    executions = parse_text(text, "t.xml", FMT).executions
    option, fop, mes, nq, fx, crypto, warrant = (e.instrument for e in executions)
    assert option == InstrumentSpec(
        "AAPL  260320C00200000",
        AssetClass.OPTION,
        "USD",
        Decimal(100),
        underlying="AAPL",
        expiry=date(2026, 3, 20),
        strike=Decimal(200),
        option_right="C",
    )
    assert (fop.asset_class, fop.multiplier, fop.option_right) == (AssetClass.OPTION, 50, "P")
    assert fop.expiry == date(2026, 6, 18)
    assert (mes.asset_class, mes.multiplier, mes.underlying) == (AssetClass.FUTURE, 5, "MES")
    assert nq.multiplier is None  # the contract table decides
    assert fx.asset_class is AssetClass.FOREX
    assert executions[4].side is Side.SELL and executions[4].quantity == Decimal(20000)
    assert crypto.asset_class is AssetClass.CRYPTO
    assert executions[5].quantity == Decimal("0.015")
    assert warrant.asset_class is AssetClass.OPTION and warrant.multiplier == 1


def test_commission_rebates_and_taxes() -> None:
    text = flex(trade(ibCommission="0.12", taxes="-0.40", ibExecID="R"))
    execution = parse_text(text, "t.xml", FMT).executions[0]
    assert execution.commission == Decimal("-0.12")  # a rebate stays a credit
    assert execution.fees == Decimal("0.40")


def test_account_comes_from_the_trade_then_the_statement_then_the_caller() -> None:
    own = parse_text(flex(trade(accountId="U999")), "t.xml", FMT, account="Mine")
    assert own.executions[0].account == "U999"
    statement = parse_text(flex(trade(accountId="-"), statement_account="U555"), "t.xml", FMT)
    assert statement.executions[0].account == "U555"
    caller = parse_text(
        flex(trade(accountId="-"), statement_account=""), "t.xml", FMT, account="Mine"
    )
    assert caller.executions[0].account == "Mine"


def test_an_asset_category_the_journal_cannot_hold_is_skipped_with_a_warning() -> None:
    text = flex(trade(assetCategory="BOND", symbol="T 4 1/2 05/15/38"), trade(ibExecID="S"))
    parsed = parse_text(text, "t.xml", FMT)
    assert [e.broker_execution_id for e in parsed.executions] == ["S"]
    assert len(parsed.warnings) == 1
    assert "line 4" in parsed.warnings[0] and "BOND" in parsed.warnings[0]


def test_a_cancelled_trade_and_its_cancellation_are_both_left_out() -> None:
    # With "Include Canceled Trades", IBKR lists the trade, then a record reversing it
    # (buySell "BUY (Ca.)", quantity negated): by tradeID when the query has it, else by
    # account, symbol, time, side, quantity and price.
    by_id = flex(
        trade(ibExecID="A", tradeID="7001"),
        trade(ibExecID="B", tradeID="7002", quantity="10", dateTime="20260302;093500"),
        trade(ibExecID="", tradeID="7003", origTradeID="7001", buySell="BUY (Ca.)", quantity="-10"),
    )
    parsed = parse_text(by_id, "t.xml", FMT)
    assert [(e.broker_execution_id, e.position_in_file) for e in parsed.executions] == [("B", 0)]
    assert "line 6" in parsed.warnings[0] and "line 4" in parsed.warnings[0]
    without_ids = flex(
        trade(ibExecID="A", tradePrice="400"),
        trade(ibExecID="B", tradePrice="400.5"),
        trade(ibExecID="C", buySell="BUY (Ca.)", quantity="-10", tradePrice="400"),
    )
    parsed = parse_text(without_ids, "t.xml", FMT)
    assert [e.broker_execution_id for e in parsed.executions] == ["B"]
    bond = {"assetCategory": "BOND", "symbol": "T 4 05/15/38"}
    skipped_bond = flex(
        trade(ibExecID="B1", **bond),
        trade(ibExecID="B2", buySell="BUY (Ca.)", quantity="-10", **bond),
        trade(ibExecID="S"),
    )
    parsed = parse_text(skipped_bond, "t.xml", FMT)
    assert [e.broker_execution_id for e in parsed.executions] == ["S"]


def test_a_query_of_orders_without_executions_gives_one_fill_per_order() -> None:
    # Trades > Orders selected and Executions not: IBKR writes <Order> rows (no execution id;
    # the price is the order's average), and the closed lots beside them are not fills.
    order = trade(levelOfDetail="ORDER", ibExecID="", ibOrderID="O1", quantity="30")
    order = order.replace("<Trade ", "<Order ")
    sale = trade(
        levelOfDetail="ORDER",
        ibExecID="",
        ibOrderID="O2",
        quantity="-30",
        buySell="SELL",
        tradePrice="402.125",
        dateTime="20260302;101500",
    ).replace("<Trade ", "<Order ")
    lot = trade(levelOfDetail="CLOSED_LOT", quantity="30").replace("<Trade ", "<Lot ")
    working = '<Order symbol="MSFT" quantity="5" tradePrice="399" assetCategory="STK" />'
    parsed = parse_text(flex(order, sale, lot, working), "orders.xml", FMT)
    got = [(e.broker_execution_id, e.side, e.quantity, e.price) for e in parsed.executions]
    assert got == [
        ("order O1", Side.BUY, Decimal(30), Decimal(400)),
        ("order O2", Side.SELL, Decimal(30), Decimal("402.125")),
    ]
    assert "orders, not executions" in parsed.warnings[0]
    # 30 x 2.125 = $63.75 gross, $1 of commission each way.
    assert (got[1][3] - got[0][3]) * 30 == Decimal("63.75")


def error_of(text: str, filename: str = "bad.xml") -> ImportFileError:
    with pytest.raises(ImportFileError) as caught:
        parse_text(text, filename, FMT)
    assert caught.value.file == filename
    return caught.value


@pytest.mark.parametrize(
    ("attributes", "column", "words"),
    [
        ({"tradePrice": "4o0"}, "tradePrice", "not a number"),
        ({"tradePrice": "-"}, "tradePrice", "missing"),
        ({"quantity": ""}, "quantity", "required"),
        ({"quantity": "0"}, "quantity", "zero"),
        ({"buySell": "SELL"}, "buySell", "disagrees"),
        ({"buySell": "BUY (Ca.)", "tradePrice": "401"}, "buySell", "not in this file"),
        ({"dateTime": "02.03.2026 09:30"}, "dateTime", "not a date"),
        ({"dateTime": "20260308;023000"}, "dateTime", "daylight-saving gap"),
        ({"assetCategory": "-"}, "assetCategory", "missing"),
        ({"assetCategory": "FOP", "multiplier": "-"}, "multiplier", "multiplier"),
        ({"multiplier": "0"}, "multiplier", "positive"),
        ({"assetCategory": "OPT", "putCall": "X"}, "putCall", "neither"),
        ({"assetCategory": "OPT", "expiry": "2026-13-01"}, "expiry", "not a date"),
    ],
)
def test_bad_values_name_the_line_and_attribute(
    attributes: dict[str, str], column: str, words: str
) -> None:
    error = error_of(flex(trade(ibExecID="A"), trade(**attributes)))
    assert (error.line, error.column) == (5, column)
    assert words in error.reason


def test_a_dtd_is_refused_before_parsing() -> None:
    laughs = (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
        ' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n]>\n'
        "<FlexQueryResponse>&lol2;</FlexQueryResponse>\n"
    )
    error = error_of(laughs)
    assert error.line == 2 and "DTD" in error.reason
    external = '<!doctype x SYSTEM "file:///etc/passwd"><FlexQueryResponse/>'
    assert "DTD" in error_of(external).reason
    entity_only = flex(trade()).replace("<Trades>", '<Trades><!ENTITY x "y">')
    assert "entities" in error_of(entity_only).reason


def test_malformed_xml_names_the_line() -> None:
    text = flex(trade(), trade()).replace("</Trades>", "</Trade>")
    error = error_of(text)
    assert error.line == 6 and "not well-formed XML" in error.reason


def test_other_xml_empty_files_and_statements_without_fills() -> None:
    assert "not an IBKR Flex statement" in error_of("<html><body/></html>").reason
    assert "empty" in error_of("").reason
    assert "empty" in error_of("  \n").reason
    no_fills = flex(trade(levelOfDetail="CLOSED_LOT"))
    assert "no executions" in error_of(no_fills).reason
