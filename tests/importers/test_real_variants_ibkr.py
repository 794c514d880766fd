"""IBKR Activity Statements in layouts seen in public projects' tests, with invented figures
(reference only, nothing copied):

- samples/ibkr-activity-multi-account.csv: a consolidated statement whose Trades header has an
  `Account` column after `Currency` (a tax tool's IBKR test statement on GitHub);
- samples/ibkr-activity-execution-rows.csv: each order followed by its fills as `Execution`
  rows, a `TradeID` column, `SubTotal` and `Total` rows and an `Open Positions` section (an
  activity-statement parser's test on GitHub).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from journal_desktop.domain.imported import ImportFileError
from journal_desktop.domain.records import Side
from tests.importers.support import fixture_text, parse_text, utc

FMT = "ibkr-activity-csv"
D = Decimal


def test_each_fill_keeps_the_account_its_row_names() -> None:
    name = "ibkr-activity-multi-account.csv"
    parsed = parse_text(fixture_text(name), name)
    assert parsed.format_name == FMT
    got = [(e.account, e.side, e.quantity, e.price, e.commission) for e in parsed.executions]
    assert got == [
        ("U1111111", Side.BUY, D(10), D(10), D(1)),
        ("U2222222", Side.BUY, D(5), D("10.5"), D(1)),
        ("U1111111", Side.SELL, D(10), D(12), D(1)),
    ]
    assert parsed.executions[0].executed_at == utc(2026, 1, 2, 17, 0)


def test_execution_rows_restate_their_order_and_are_not_counted_twice() -> None:
    name = "ibkr-activity-execution-rows.csv"
    parsed = parse_text(fixture_text(name), name)
    got = [(e.side, e.quantity, e.price, e.executed_at) for e in parsed.executions]
    assert got == [
        (Side.BUY, D(100), D("182.45"), utc(2025, 4, 15, 13, 30)),
        (Side.SELL, D(100), D("184.10"), utc(2025, 4, 15, 18, 0, 1)),
    ]
    # 100 x 1.65 - 2.00 commission = 163.00.
    buy, sell = parsed.executions
    assert (sell.price - buy.price) * 100 - buy.commission - sell.commission == D("163.00")


FOREX_IN_BASE = """Statement,Header,Field Name,Field Value
Account Information,Header,Field Name,Field Value
Account Information,Data,Account,U7654321
Account Information,Data,Base Currency,{base}
Trades,Header,DataDiscriminator,Asset Category,Currency,Symbol,Date/Time,Quantity,T. Price,,\
Proceeds,Comm in {base},,,,MTM in {base},Code
Trades,Data,Order,Forex,{currency},USD.{currency},"2025-01-15, 14:33:56","-20,000",0.90358,,\
18071.6,-1.93502,,,,-11,
Trades,SubTotal,,Forex,{currency},USD.{currency},,-20000,,,18071.6,-1.93502,,,,-11,
Trades,Total,,Forex,{currency},,,,,,18071.6,-1.93502,,,,-11,
"""


@pytest.mark.parametrize(
    ("base", "currency", "warned"), [("CHF", "CHF", False), ("EUR", "CHF", True)]
)
def test_forex_commission_in_the_base_currency_is_read(
    base: str, currency: str, warned: bool
) -> None:
    text = FOREX_IN_BASE.format(base=base, currency=currency)
    parsed = parse_text(text, "U7654321.csv")
    assert parsed.format_name == FMT
    (fill,) = parsed.executions
    assert (fill.account, fill.side, fill.quantity, fill.price) == (
        "U7654321",
        Side.SELL,
        D(20000),
        D("0.90358"),
    )
    assert fill.commission == D("1.93502")
    assert fill.instrument.currency == currency
    assert any(base in w and "line 6" in w for w in parsed.warnings) is warned


PADDED = """Statement,Header,Field Name,Field Value;;;;;;;;;;;;;
Statement,Data,BrokerName,Interactive Brokers (U.K.) Limited;;;;;;;;;;;;;
Account Information,Header,Field Name,Field Value;;;;;;;;;;;;;
Account Information,Data,Account,U9876543;;;;;;;;;;;;;
Account Information,Data,Base Currency,CHF;;;;;;;;;;;;;
Total P/L for Statement Period,,,,,,,,,,,,78.355887,;;;;;;;;;;;;;
Codes,Header,Code,Meaning;;;;;;;;;;;;;
Codes,Data,IM,A portion of the order was executed; IB acted as agent.;;;;;;;;;;;;
Trades,Header,DataDiscriminator,Asset Category,Currency,Symbol,Date/Time,Quantity,T. Price,\
C. Price,Notional Value,Comm/Fee,Basis,Realized P/L,Realized P/L %,MTM P/L,Code;;;;;;;;;;;;;
"Trades,Data,Order,Futures,USD,MESU6,""2026-08-04, 07:01:59"",1,7644,7765.5,-38220,-0.62,\
38220.62,0,0,607.5,O";;;;;;;;;;;;;
"Trades,Data,Order,Futures,USD,MESU6,""2026-08-04, 07:27:50"",-1,7647,7765.5,38235,-0.62,\
-38220.62,13.76,0.036,-592.5,C";;;;;;;;;;;;;
Trades,SubTotal,,Futures,USD,MESU6,,0,,,15,-1.24,0,13.76,,15,;;;;;;;;;;;;;
Fees,Header,Subtitle,Currency,Date,Description,Amount;;;;;;;;;;;;;
Fees,Data,Other Fees,CHF,2026-08-03,CME Level I,-1.25;;;;;;;;;;;;;
"""


def test_a_statement_padded_by_a_semicolon_spreadsheet_reads_as_the_original() -> None:
    text = PADDED
    parsed = parse_text(text, "stmt.csv")
    assert parsed.format_name == FMT
    got = [
        (e.account, e.instrument.symbol, e.side, e.quantity, e.price, e.commission, e.line)
        for e in parsed.executions
    ]
    assert got == [
        ("U9876543", "MESU6", Side.BUY, D(1), D(7644), D("0.62"), 10),
        ("U9876543", "MESU6", Side.SELL, D(1), D(7647), D("0.62"), 11),
    ]
    # EDT (UTC-4) in August.
    assert parsed.executions[0].executed_at == utc(2026, 8, 4, 11, 1, 59)
    # MES at $5 a point: 3 points = $15.00 gross, less $1.24 = $13.76, the row's Realized P/L.
    buy, sell = parsed.executions
    assert (sell.price - buy.price) * 5 - buy.commission - sell.commission == D("13.76")


def test_the_trade_confirmation_flex_csv_is_read() -> None:
    name = "ibkr-flex-trade-confirmation.csv"
    parsed = parse_text(fixture_text(name), name)
    assert parsed.format_name == "ibkr-flex-csv"
    got = [
        (e.account, e.instrument.symbol, e.instrument.currency, e.side, e.quantity, e.price)
        for e in parsed.executions
    ]
    assert got == [
        ("U1234567", "EXSA", "EUR", Side.BUY, D(70), D("50.04")),
        ("U1234567", "EXSA", "EUR", Side.SELL, D(70), D("51.11")),
    ]
    buy, sell = parsed.executions
    # Eastern (EST, UTC-5) by default, as for every Flex query.
    assert (buy.executed_at, sell.executed_at) == (
        utc(2026, 3, 3, 15, 32, 45),
        utc(2026, 3, 4, 12, 15, 50),
    )
    assert (buy.commission, sell.commission) == (D("1.7514"), D("1.78885"))
    assert buy.broker_execution_id == "0000aaaa.11111111.01.01"
    # 70 x 1.07 = EUR 74.90 gross, 3.54025 of commissions: EUR 71.35975 net.
    gross = (sell.price - buy.price) * 70
    assert (gross, gross - buy.commission - sell.commission) == (D("74.90"), D("71.35975"))


def test_trade_confirmation_commission_currency_and_tax_are_read() -> None:
    name = "ibkr-flex-trade-confirmation.csv"
    text = fixture_text(name).replace('"EUR","0","O"', '"USD","-0.25","O"')
    buy, _ = parse_text(text, name).executions
    assert buy.fees == D("0.25")
    parsed = parse_text(text, name)
    assert any("line 2" in w and "USD" in w for w in parsed.warnings)


def test_a_corrected_trade_counts_once_at_its_corrected_price() -> None:
    name = "ibkr-flex-trade-confirmation-corrected.csv"
    parsed = parse_text(fixture_text(name), name)
    got = [(e.side, e.quantity, e.price, e.commission, e.line) for e in parsed.executions]
    assert got == [
        (Side.BUY, D(70), D("50.14"), D("1.7549"), 4),
        (Side.SELL, D(70), D("51.11"), D("1.78885"), 5),
    ]
    assert [e.position_in_file for e in parsed.executions] == [0, 1]
    assert any("line 3" in w and "line 2" in w for w in parsed.warnings)
    # 70 x (51.11 - 50.14) = EUR 67.90 gross; 3.54375 of commissions.
    buy, sell = parsed.executions
    assert (sell.price - buy.price) * 70 == D("67.90")
    assert buy.commission + sell.commission == D("3.54375")


def test_a_cancellation_of_a_trade_not_in_the_file_fails_naming_it() -> None:
    name = "ibkr-flex-trade-confirmation-corrected.csv"
    lines = fixture_text(name).split("\n")
    text = "\n".join([lines[0], *lines[2:]])
    with pytest.raises(ImportFileError) as caught:
        parse_text(text, name)
    assert (caught.value.line, caught.value.column) == (2, "Buy/Sell")
    assert "not in this file" in caught.value.reason


TRANSACTION_HISTORY = """Statement,Header,Field Name,Field Value
Statement,Data,Title,Transaction History
Statement,Data,Period,"July 7, 2026 - August 7, 2026"
Summary,Header,Field Name,Field Value
Summary,Data,Base Currency,CHF
Transaction History,Header,Date,Account,Description,Transaction Type,Symbol,Quantity,Price,\
Price Currency,Gross Amount ,Commission,Net Amount
Transaction History,Data,2026-08-07,U***1234,MNQ 18SEP26,Buy,MNQU6,1.0,29717.0,USD,\
-48022.672(1),-0.49288,189.79112
Transaction History,Notes,"1. Values shown are in notional terms."
"""


def test_the_transaction_history_report_is_refused_naming_what_to_export() -> None:
    with pytest.raises(ImportFileError) as caught:
        parse_text(TRANSACTION_HISTORY, "TransactionHistory.csv")
    reason = caught.value.reason
    assert "Transaction History" in reason and "time" in reason
    assert "Activity Statement" in reason and "Flex" in reason


OPTION_HEADER = (
    "Trades,Header,DataDiscriminator,Asset Category,Currency,Symbol,Date/Time,Quantity,T. Price,"
    "C. Price,Proceeds,Comm/Fee,Basis,Realized P/L,MTM P/L,Code"
)


@pytest.mark.parametrize(
    "symbol", ["AAPL 18SEP26 200 C", "AAPL 18SEP26 200 CALL", "AAPL  260918C00200000"]
)
def test_an_option_is_one_contract_however_the_statement_writes_it(symbol: str) -> None:
    text = "\n".join(
        [
            "Statement,Header,Field Name,Field Value",
            "Statement,Data,Title,Activity Statement",
            OPTION_HEADER,
            f"Trades,Data,Order,Equity and Index Options,USD,{symbol},"
            '"2026-09-16, 09:30:00",2,5,5,-1000,-1,1001,0,0,O',
            f"Trades,Data,Order,Equity and Index Options,USD,{symbol},"
            '"2026-09-17, 10:00:00",-2,7,7,1400,-1,-1001,398,0,C',
        ]
    )
    opened, closed = parse_text(text, "U1234567.csv").executions
    assert opened.instrument == closed.instrument
    spec = opened.instrument
    assert (spec.symbol, spec.underlying, spec.expiry, spec.strike, spec.option_right) == (
        "AAPL  260918C00200000",
        "AAPL",
        date(2026, 9, 18),
        D(200),
        "C",
    )
    # 2 contracts x 100 x (7 - 5) = $400 gross, $2 of commissions: the statement's 398.
    assert (closed.price - opened.price) * 2 * 100 - opened.commission - closed.commission == 398


def test_the_statement_and_a_flex_query_name_an_option_alike() -> None:
    flex = (
        '<FlexQueryResponse><FlexStatements><FlexStatement accountId="U1234567"><Trades>\n'
        '<Trade accountId="U1234567" currency="USD" assetCategory="OPT" '
        'symbol="AAPL  260918C00200000" underlyingSymbol="AAPL" multiplier="100" strike="200" '
        'expiry="20260918" putCall="C" dateTime="20260917;100000" quantity="-2" '
        'tradePrice="7" ibCommission="-1" buySell="SELL" ibExecID="X1" '
        'levelOfDetail="EXECUTION" />\n'
        "</Trades></FlexStatement></FlexStatements></FlexQueryResponse>\n"
    )
    (from_flex,) = parse_text(flex, "flex.xml").executions
    statement = "\n".join(
        [
            OPTION_HEADER,
            "Trades,Data,Order,Equity and Index Options,USD,AAPL 18SEP26 200 C,"
            '"2026-09-16, 09:30:00",2,5,5,-1000,-1,1001,0,0,O',
        ]
    )
    (from_statement,) = parse_text(statement, "s.csv").executions
    assert from_statement.instrument.symbol == from_flex.instrument.symbol
