"""IBKR Activity Statements in layouts seen in public projects' tests, with invented figures
(reference only, nothing copied):

- samples/ibkr-activity-multi-account.csv: a consolidated statement whose Trades header has an
  `Account` column after `Currency` (a tax tool's IBKR test statement on GitHub);
- samples/ibkr-activity-execution-rows.csv: each order followed by its fills as `Execution`
  rows, a `TradeID` column, `SubTotal` and `Total` rows and an `Open Positions` section (an
  activity-statement parser's test on GitHub).
"""

from __future__ import annotations

from decimal import Decimal

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
