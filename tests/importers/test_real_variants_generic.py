"""Generic (Tradervue) files in the forms Tradervue's own description of the format allows.

tradervue.com/help/generic (reference only, nothing copied) says: dates may be mm/dd/yyyy,
mm-dd-yyyy, yyyy/mm/dd, yyyy-mm-dd or yyyymmdd; futures may be written ESZ1, ESZ11, ES DEC 11,
ES Dec11, ES 12-11 or ES 12.11; Side is optional (a negative quantity is then a sell) and, when
given, any word starting with B or S (BOT, SLD, Buy, Sell, Short); for TransFee and ECNFee "a
positive number is a charge, and a negative number is a credit". Files written for Tradervue
use all of these, so samples/generic-tradervue-forms.csv and samples/generic-no-side.csv do,
with invented figures.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from journal_desktop.domain.contracts import default_multiplier
from journal_desktop.domain.imported import ImportFileError
from journal_desktop.domain.records import AssetClass, Side
from tests.importers.support import both_readings, fixture_text, parse_text, utc

FMT = "generic"
D = Decimal


def test_futures_spellings_date_forms_side_words_and_rebates() -> None:
    name = "generic-tradervue-forms.csv"
    parsed = parse_text(fixture_text(name), name)
    assert parsed.format_name == FMT
    got = [
        (e.instrument.symbol, e.instrument.asset_class, e.side, e.quantity, e.executed_at)
        for e in parsed.executions
    ]
    future = AssetClass.FUTURE
    assert got == [
        ("ES DEC 26", future, Side.BUY, D(1), utc(2026, 3, 2, 14, 31, 5)),
        ("ES DEC26", future, Side.SELL, D(1), utc(2026, 3, 2, 14, 45)),
        ("ES 12.26", future, Side.BUY, D(2), utc(2026, 3, 2, 15, 0)),
        ("ESZ26", future, Side.SELL, D(2), utc(2026, 3, 2, 15, 30)),
        ("SPY", AssetClass.STOCK, Side.BUY, D(100), utc(2026, 3, 2, 16, 0)),
        ("SPY", AssetClass.STOCK, Side.SELL, D(100), utc(2026, 3, 2, 16, 5)),
    ]
    assert {default_multiplier(e.instrument) for e in parsed.executions[:4]} == {D(50)}
    # TransFee 0.01 and an ECN rebate of 0.20: the fees are a credit of 0.19.
    spy_buy, spy_sell = parsed.executions[4:]
    assert (spy_buy.commission, spy_buy.fees) == (D("1.00"), D("-0.19"))
    assert spy_sell.fees == D("-0.18")


def test_without_a_side_column_the_quantity_sign_is_the_side() -> None:
    name = "generic-no-side.csv"
    parsed = parse_text(fixture_text(name), name)
    assert parsed.format_name == FMT
    got = [(e.side, e.quantity, e.price) for e in parsed.executions]
    assert got == [(Side.BUY, D(100), D("200.10")), (Side.SELL, D(100), D("200.50"))]


def test_an_option_symbol_is_an_option_without_a_type_column() -> None:
    text = "Date,Time,Symbol,Quantity,Price,Side\n03/02/2026,10:00:00,SPY260320C00600000,2,4.10,B\n"
    (execution,) = parse_text(text, "options.csv").executions
    assert execution.instrument.asset_class is AssetClass.OPTION
    assert execution.instrument.symbol == "SPY   260320C00600000"
    assert default_multiplier(execution.instrument) == D(100)


def test_an_empty_side_cell_is_still_an_error() -> None:
    text = "Date,Time,Symbol,Quantity,Price,Side\n03/02/2026,10:00:00,AAPL,-5,4.10,\n"
    with pytest.raises(ImportFileError) as caught:
        parse_text(text, "bad.csv")
    assert (caught.value.line, caught.value.column) == (2, "Side")


def test_a_spreadsheet_s_am_pm_times() -> None:
    text = (
        "Date,Time,Symbol,Quantity,Price,Side\n"
        "03/02/2026,9:31:05 AM,AAPL,10,200,Buy\n"
        "03/02/2026,1:05:00 PM,AAPL,10,201,Sell\n"
    )
    buy, sell = parse_text(text, "sheet.csv").executions
    assert (buy.executed_at, sell.executed_at) == (
        utc(2026, 3, 2, 14, 31, 5),
        utc(2026, 3, 2, 18, 5),
    )


@pytest.mark.parametrize(
    "row",
    [
        "03/02/2026,10:00:00,AAPL,-100,200.5,1,0.02,-0.01",
        "03/02/2026,10:00:00,ESZ26,2,6010.25,2.25,,",
        "03/02/2026,10:00:00,AAPL,0,200.5,1,,",
        "2026/03/02,10:00:00,SPY260320C00600000,1,4.10,0.65,,",
    ],
)
def test_side_less_rows_read_the_same_on_the_fast_and_the_row_by_row_paths(row: str) -> None:
    text = f"Date,Time,Symbol,Quantity,Price,Commission,TransFee,ECNFee\n{row}\n"
    got, expected = both_readings(text)
    assert got == expected
