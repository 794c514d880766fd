"""Webull orders exports laid out as real ones are, with invented figures.

Layouts seen in public material (reference only, nothing copied):

- samples/webull-options-named.csv: an options export whose Name is the contract in words
  (`"SPY 09/03/2026 766.00 Call"`, quoted) beside the OCC Symbol, limit Price without `@`, a
  `Partial Filled` status, and Failed and Pending orders (tests of public journals' Webull
  parsers on GitHub);
- samples/webull-cancelled-after-part-fill.csv: an order cancelled after 60 of 100 shares
  filled. Exporters that keep only `Filled` orders lose such fills; the same defect is reported
  against Robinhood exporters (jmfernandes/robin_stocks issues 225 and 275,
  joshfraser/robinhood-to-csv issue 25);
- samples/webull-unquoted-name-comma.csv: a company name with a comma written unquoted
  (`Tesla, Inc.`), which TradeTally had to relax its Webull parser for (GeneBO98/tradetally
  pull request 245: "handle Name fields with commas");
- quantities with eight decimals (`10.00000000`) and the average price written with the `@` of
  the limit price (`@150.50`), as a public journal's Webull upload test (PHP) writes them.
"""

from __future__ import annotations

from decimal import Decimal

from journal_desktop.domain.records import Side
from tests.importers.support import fixture_text, parse_text, utc

FMT = "webull"
D = Decimal


def test_a_cancelled_order_keeps_what_it_filled() -> None:
    name = "webull-cancelled-after-part-fill.csv"
    parsed = parse_text(fixture_text(name), name)
    assert parsed.format_name == FMT
    got = [(e.side, e.quantity, e.price, e.executed_at, e.line) for e in parsed.executions]
    assert got == [
        (Side.BUY, D(100), D("3.0000"), utc(2026, 3, 17, 13, 31, 4), 2),
        (Side.SELL, D(60), D("3.4000"), utc(2026, 3, 17, 14, 2, 30), 3),
        (Side.SELL, D(40), D("3.2500"), utc(2026, 3, 17, 19, 59, 1), 4),
    ]
    # Flat again: 60 x 0.40 + 40 x 0.25 = $34.00 realized.
    assert sum(
        (e.price - D(3)) * e.quantity for e in parsed.executions if e.side is Side.SELL
    ) == D("34")
    assert any("filled in part" in w for w in parsed.warnings)


def test_named_options_and_statuses_that_are_not_fills() -> None:
    name = "webull-options-named.csv"
    parsed = parse_text(fixture_text(name), name)
    got = [(e.instrument.symbol, e.side, e.quantity, e.price) for e in parsed.executions]
    assert got == [
        ("SPY   260903C00766000", Side.BUY, D(7), D("1.649")),
        ("SPY   260903C00766000", Side.SELL, D(7), D("2.88")),
    ]
    assert parsed.executions[1].executed_at == utc(2026, 9, 3, 13, 30, 51)
    assert any("partly filled" in w for w in parsed.warnings)


def test_an_unquoted_name_with_a_comma_does_not_shift_the_row() -> None:
    name = "webull-unquoted-name-comma.csv"
    parsed = parse_text(fixture_text(name), name)
    got = [(e.instrument.symbol, e.side, e.quantity, e.price) for e in parsed.executions]
    assert got == [
        ("TSLA", Side.BUY, D(10), D("249.9000")),
        ("TSLA", Side.SELL, D(10), D("252.1000")),
        ("AAPL", Side.BUY, D(5), D("199.5000")),
    ]
    assert parsed.executions[1].executed_at == utc(2026, 3, 2, 15, 15, 41)


def test_an_order_status_webull_does_not_print_is_reported() -> None:
    text = (
        "Name,Symbol,Side,Status,Filled,Total Qty,Price,Avg Price,Time-in-Force,Placed Time,"
        "Filled Time\n"
        "Acme,ACME,Buy,Filled,1,1,@1,1.00,DAY,03/02/2026 09:30:00 EST,03/02/2026 09:30:01 EST\n"
        "Acme,ACME,Sell,Buy,1,1,@1,1.00,DAY,03/02/2026 09:30:00 EST,03/02/2026 09:30:01 EST\n"
    )
    parsed = parse_text(text, "orders.csv", "webull")
    assert len(parsed.executions) == 1
    assert any("'Buy'" in w and "shifted" in w for w in parsed.warnings)


def test_eight_decimal_quantities_and_an_average_price_with_its_at_sign() -> None:
    text = (
        "Name,Symbol,Side,Status,Filled,Total Qty,Price,Avg Price,Time-in-Force,Placed Time,"
        "Filled Time\n"
        "Apple Inc,AAPL,Buy,Filled,10.00000000,10.00000000,@150.00,@150.50,Day,"
        "12/04/2025 10:00:00 EST,12/04/2025 10:00:15 EST\n"
        "Apple Inc,AAPL,Sell,Filled,10.00000000,10.00000000,@155.00,@155.25,Day,"
        "12/04/2025 11:00:00 EST,12/04/2025 11:00:15 EST\n"
    )
    parsed = parse_text(text, "Webull_Orders_Records.csv")
    assert parsed.format_name == FMT
    got = [(e.side, e.quantity, e.price, e.executed_at) for e in parsed.executions]
    assert got == [
        (Side.BUY, D(10), D("150.50"), utc(2025, 12, 4, 15, 0, 15)),
        (Side.SELL, D(10), D("155.25"), utc(2025, 12, 4, 16, 0, 15)),
    ]
    # 10 x 4.75 = $47.50 realized; Webull's export has no commission column.
    assert (got[1][2] - got[0][2]) * 10 == D("47.50")
