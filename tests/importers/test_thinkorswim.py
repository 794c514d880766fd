"""thinkorswim account statement: Account Trade History, with fees from the Cash Balance.

No real thinkorswim export is in the shared samples, so samples/thinkorswim-statement.csv is
written by hand with invented figures. Its layout is the one documented by open-source
journals' importers and their tests, not copied from any of them: the section titles; the
Trade History header `,Exec Time,Spread,Side,Qty,Pos Effect,Symbol,Exp,Strike,Type,Price,
Net Price,Order Type` with its leading empty column, signed `Qty` (`+1,200`, `-700`) and the
blank-time second leg of a spread (Net Price `CREDIT`); Exp as `20 MAR 26`; the Cash Balance
header `DATE,TIME,TYPE,REF #,DESCRIPTION,Misc Fees,Commissions & Fees,AMOUNT,BALANCE` with TRD
rows described `BOT +100 TMDE @4.52`; the Futures Statements header with `/ESH26:XCME`
descriptions. No real sample.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from journal_desktop.domain.imported import ImportFileError
from journal_desktop.domain.records import AssetClass, Side
from tests.importers.support import fixture_text, parse_text, utc

FMT = "thinkorswim"
FIXTURE = "thinkorswim-statement.csv"
HEADER = ",Exec Time,Spread,Side,Qty,Pos Effect,Symbol,Exp,Strike,Type,Price,Net Price,Order Type"
GOOD = ",3/2/26 09:31:05,STOCK,BUY,+100,TO OPEN,AMD,,,STOCK,167.15,167.15,LMT"


def statement(*rows: str, header: str = HEADER) -> str:
    """A minimal statement: its first trade row is on line 5."""
    title = "Account Statement for 99999SCHW (cash) since 3/2/26 through 3/2/26"
    return "\n".join([title, "", "Account Trade History", header, *rows, ""])


def test_the_fixture_fill_by_fill() -> None:
    parsed = parse_text(fixture_text(FIXTURE), FIXTURE)
    assert parsed.format_name == FMT
    d = Decimal
    # symbol, side, quantity, price, time (EST is UTC-5), commission, fees, line
    expected = [
        ("AMD", Side.BUY, d(1200), d("167.15"), utc(2026, 3, 2, 14, 31, 5), d(0), d(0), 35),
        ("AMD", Side.SELL, d(700), d("168.0214"), utc(2026, 3, 2, 15, 2, 41), d(0), d("0.12"), 36),
        ("AMD", Side.SELL, d(500), d("167.90"), utc(2026, 3, 2, 15, 45, 12), d(0), d("0.09"), 37),
        (
            "SPY   260320C00600000",
            Side.SELL,
            d(2),
            d("4.10"),
            utc(2026, 3, 2, 16, 15, 30),
            d("1.30"),
            d("0.06"),
            38,
        ),
        (
            "SPY   260320C00605000",
            Side.BUY,
            d(2),
            d("2.75"),
            utc(2026, 3, 2, 16, 15, 30),
            d("1.30"),
            d("0.04"),
            39,
        ),
        (
            "AAPL  260417P00187500",
            Side.BUY,
            d(3),
            d("2.45"),
            utc(2026, 3, 2, 18, 20, 0),
            d("1.95"),
            d("0.05"),
            40,
        ),
        (
            "/MESH26",
            Side.BUY,
            d(2),
            d("5012.25"),
            utc(2026, 3, 2, 19, 5, 9),
            d("2.50"),
            d("0.70"),
            41,
        ),
        (
            "/MESH26",
            Side.SELL,
            d(2),
            d("5020.50"),
            utc(2026, 3, 2, 20, 40, 51),
            d("2.50"),
            d("0.70"),
            42,
        ),
        ("NVDA", Side.BUY, d(50), d("120.10"), utc(2026, 3, 3, 14, 45, 0), d(0), d(0), 43),
    ]
    assert len(parsed.executions) == len(expected)
    for position, (execution, want) in enumerate(zip(parsed.executions, expected, strict=True)):
        symbol, side, quantity, price, when, commission, fees, line = want
        assert execution.account == "12345678SCHW"
        assert execution.instrument.symbol == symbol
        assert (execution.side, execution.quantity, execution.price) == (side, quantity, price)
        assert execution.executed_at == when
        assert (execution.commission, execution.fees) == (commission, fees)
        assert (execution.line, execution.position_in_file) == (line, position)
        assert execution.broker_execution_id == ""


def test_instruments_of_the_fixture() -> None:
    executions = parse_text(fixture_text(FIXTURE), FIXTURE).executions
    stock, call, put, future = (executions[i].instrument for i in (0, 3, 5, 6))
    assert (stock.asset_class, stock.multiplier, stock.currency) == (AssetClass.STOCK, None, "USD")
    assert call.asset_class is AssetClass.OPTION
    assert (call.underlying, call.expiry, call.strike, call.option_right) == (
        "SPY",
        date(2026, 3, 20),
        Decimal(600),
        "C",
    )
    assert (put.expiry, put.strike, put.option_right) == (date(2026, 4, 17), Decimal("187.5"), "P")
    assert call.multiplier is None  # the default of 100 applies
    assert (future.asset_class, future.multiplier) == (AssetClass.FUTURE, None)


def test_the_fixture_warns_about_the_zone_and_the_fill_without_a_ledger_row() -> None:
    zone, unmatched = parse_text(fixture_text(FIXTURE), FIXTURE).warnings
    assert "America/New_York" in zone and "--timezone" in zone
    assert unmatched.startswith("1 of 9 fills")


def test_a_given_time_zone_is_used_and_silences_the_reminder() -> None:
    parsed = parse_text(fixture_text(FIXTURE), FIXTURE, timezone="America/Los_Angeles")
    assert parsed.executions[0].executed_at == utc(2026, 3, 2, 17, 31, 5)  # PST, UTC-8
    assert not any("--timezone" in warning for warning in parsed.warnings)


def test_ledger_charges_in_parentheses_are_costs_too() -> None:
    text = fixture_text(FIXTURE).replace("@168.0214,-0.12,", "@168.0214,(0.12),")
    assert "(0.12)" in text
    assert parse_text(text, FIXTURE).executions[1].fees == Decimal("0.12")


def test_a_ledger_row_is_matched_on_time_as_well_as_symbol_and_quantity() -> None:
    text = fixture_text(FIXTURE).replace("3/2/26,10:02:41,TRD", "3/2/26,10:02:42,TRD")
    parsed = parse_text(text, FIXTURE)
    assert parsed.executions[1].fees == 0
    assert parsed.warnings[-1].startswith("2 of 9 fills")


def test_a_statement_without_cash_balance_has_zero_fees_and_says_so() -> None:
    (execution,) = parse_text(statement(GOOD), "trades.csv").executions
    assert (execution.commission, execution.fees) == (0, 0)
    warnings = parse_text(statement(GOOD), "trades.csv").warnings
    assert any("no Cash Balance section" in warning for warning in warnings)


def test_statements_without_the_exp_and_strike_columns() -> None:
    header = ",Exec Time,Spread,Side,Qty,Pos Effect,Symbol,Type,Price,Net Price,Order Type"
    row = ",5/15/26 07:16:49,STOCK,SELL,-5,TO CLOSE,HCWB,STOCK,1.19,1.1901,LMT"
    (execution,) = parse_text(statement(row, header=header), "s.csv").executions
    assert (execution.side, execution.quantity, execution.price) == (
        Side.SELL,
        5,
        Decimal("1.1901"),
    )


def test_an_expiry_given_as_a_month_is_its_third_friday() -> None:
    row = ",1/29/15 15:43:06,SINGLE,SELL,-2,TO OPEN,EBAY,MAR 15,55,CALL,1.33,1.33,LMT"
    (execution,) = parse_text(statement(row), "old.csv").executions
    assert execution.instrument.expiry == date(2015, 3, 20)
    assert execution.instrument.symbol == "EBAY  150320C00055000"


def test_a_leg_uses_its_own_price_not_the_spread_net() -> None:
    anchor = ",3/2/26 11:15:30,VERTICAL,SELL,-1,TO OPEN,SPY,20 MAR 26,600,CALL,4.10,1.35,LMT"
    leg = ",,,BUY,+1,TO OPEN,SPY,20 MAR 26,605,CALL,2.75,CREDIT,"
    sold, bought = parse_text(statement(anchor, leg), "v.csv").executions
    assert (sold.price, bought.price) == (Decimal("4.10"), Decimal("2.75"))
    assert sold.executed_at == bought.executed_at == utc(2026, 3, 2, 16, 15, 30)


def error_of(text: str, filename: str = "statement.csv") -> ImportFileError:
    with pytest.raises(ImportFileError) as caught:
        parse_text(text, filename, FMT)
    assert caught.value.file == filename
    assert filename in str(caught.value)
    return caught.value


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        (GOOD.replace("BUY", "HOLD"), "Side", "not a side"),
        (GOOD.replace("167.15,LMT", "167.1S,LMT"), "Net Price", "not a number"),
        (GOOD.replace("+100", "-100"), "Qty", "contradicts"),
        (GOOD.replace("+100", "0"), "Qty", "zero"),
        (GOOD.replace("3/2/26 09:31:05", "3/32/26 09:31:05"), "Exec Time", "not a date"),
        (
            ",3/2/26 09:31:05,SINGLE,BUY,+1,TO OPEN,AMD,SOMEDAY,150,CALL,2.00,2.00,LMT",
            "Exp",
            "not an expiry",
        ),
        (
            ",3/2/26 09:31:05,SINGLE,BUY,+1,TO OPEN,AMD,20 MAR 26,150,CALL,~,~,LMT",
            "Price",
            "cannot be priced",
        ),
        (
            ",3/2/26 09:31:05,SINGLE,BUY,+1,TO OPEN,AMD,20 MAR 26,0,CALL,2.00,2.00,LMT",
            "Strike",
            "must be positive",
        ),
        (
            ",3/2/26 09:31:05,SINGLE,BUY,+1,TO OPEN,/ESH26,20 MAR 26,5000,CALL,9.00,9.00,LMT",
            "Symbol",
            "options on futures",
        ),
    ],
)
def test_bad_values_name_line_and_column(row: str, column: str, words: str) -> None:
    error = error_of(statement(GOOD, row))
    assert (error.line, error.column) == (6, column)
    assert words in error.reason


def test_a_leg_before_any_order_is_an_error() -> None:
    error = error_of(statement(",,,BUY,+1,TO OPEN,SPY,20 MAR 26,605,CALL,2.75,CREDIT,"))
    assert (error.line, error.column) == (5, "Exec Time")
    assert "follows no order" in error.reason


def test_a_missing_column_is_named() -> None:
    error = error_of(statement(GOOD, header=HEADER.replace(",Side", "")))
    assert (error.line, error.column) == (4, "Side")


def test_a_file_without_trade_history_or_fills() -> None:
    assert "no Account Trade History" in error_of("").reason
    assert (
        "no Account Trade History" in error_of("Account Statement for 1\n\nCash Balance\n").reason
    )
    assert "lists no fills" in error_of(statement()).reason
