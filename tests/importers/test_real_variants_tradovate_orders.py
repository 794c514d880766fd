"""Tradovate Orders in the newest layout, as quoted in public journals' tests (reference
only): `Venue`, `Notional Value` (quoted, `"214,122.00"`) and `Currency` after
`decimalFillAvg`, a leading space in `B/S`, `Status` and `Type` (` Buy`, ` Filled`,
` Market`), and a cancelled stop with blank fill columns. Invented figures, in
samples/tradovate-orders-venue-notional.csv.
"""

from __future__ import annotations

from decimal import Decimal

from journal_desktop.domain.contracts import default_multiplier
from journal_desktop.domain.records import Side
from tests.importers.support import fixture_text, parse_text, utc

FMT = "tradovate-orders"
NAME = "tradovate-orders-venue-notional.csv"
D = Decimal


def test_leading_spaces_quoted_notional_and_a_cancelled_stop() -> None:
    parsed = parse_text(fixture_text(NAME), NAME)
    assert parsed.format_name == FMT
    got = [
        (e.account, e.side, e.quantity, e.price, e.executed_at, e.broker_execution_id)
        for e in parsed.executions
    ]
    assert got == [
        (
            "APEX4855840000004",
            Side.BUY,
            D(4),
            D("26765.25"),
            utc(2026, 4, 17, 17, 30, 2),
            "470913240390",
        ),
        (
            "APEX4855840000004",
            Side.SELL,
            D(4),
            D("26788.0"),
            utc(2026, 4, 17, 17, 36, 58),
            "470913240403",
        ),
    ]
    buy, sell = parsed.executions
    # 22.75 points x $2 x 4 = $182.00.
    assert (sell.price - buy.price) * default_multiplier(buy.instrument) * 4 == D("182.00")
