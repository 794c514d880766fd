"""Files that list the newest fill first are read oldest first, so fills of one second are
matched in the order they happened; files in time order, or in none, keep their order."""

from __future__ import annotations

import uuid
from decimal import Decimal

from journal_desktop.domain.contracts import default_multiplier
from journal_desktop.domain.imported import ParsedFile
from journal_desktop.domain.matching import match_position
from journal_desktop.domain.records import Execution, Side, TradeDirection
from journal_desktop.importers.ordering import oldest_first
from tests.importers.support import parse_text

HEADER = "Date,Time,Symbol,Quantity,Price,Side"
#: Two round trips, each bought and sold within one second, listed newest first.
NEWEST_FIRST = [
    "03/02/2026,10:15:00,AAPL,100,12.00,Sell",
    "03/02/2026,10:15:00,AAPL,100,11.50,Buy",
    "03/02/2026,09:31:05,AAPL,100,11.00,Sell",
    "03/02/2026,09:31:05,AAPL,100,10.00,Buy",
]


def _parse(rows: list[str]) -> ParsedFile:
    return parse_text("\n".join([HEADER, *rows, ""]), "fills.csv", "generic")


def test_a_newest_first_file_is_read_bottom_up_and_matched_as_it_happened() -> None:
    parsed = _parse(NEWEST_FIRST)
    assert [(e.side, e.price) for e in parsed.executions] == [
        (Side.BUY, Decimal("10.00")),
        (Side.SELL, Decimal("11.00")),
        (Side.BUY, Decimal("11.50")),
        (Side.SELL, Decimal("12.00")),
    ]
    assert [e.line for e in parsed.executions] == [5, 4, 3, 2]  # still naming the file's lines

    account, instrument = uuid.uuid4(), uuid.uuid4()
    fills = [
        Execution(
            account_id=account,
            instrument_id=instrument,
            side=e.side,
            quantity=e.quantity,
            price=e.price,
            executed_at=e.executed_at,
        )
        for e in parsed.executions
    ]
    multiplier = default_multiplier(parsed.executions[0].instrument)
    trades = match_position(fills, multiplier=multiplier)
    assert [(t.direction, t.net_pnl) for t in trades] == [
        (TradeDirection.LONG, Decimal("100.00")),
        (TradeDirection.LONG, Decimal("50.00")),
    ]


def test_a_file_in_time_order_or_in_none_is_left_as_it_is() -> None:
    oldest = _parse(NEWEST_FIRST[::-1])
    assert oldest_first(oldest) is oldest
    mixed = _parse([NEWEST_FIRST[2], NEWEST_FIRST[3], NEWEST_FIRST[0], NEWEST_FIRST[1]])
    assert [e.line for e in mixed.executions] == [2, 3, 4, 5]
    same_second = _parse(NEWEST_FIRST[:2])
    assert [e.side for e in same_second.executions] == [Side.SELL, Side.BUY]
