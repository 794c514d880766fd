"""A week of seven trades with every statistic worked by hand (shared by the pure, SQL and
command-line tests, so all three are held to the same figures).

| # | open (UTC)       | close (UTC)      | side  | symbol | setup | tags      | net  | risk |
|---|------------------|------------------|-------|--------|-------|-----------|------|------|
| 1 | Mon 02 14:35     | Mon 02 14:50     | long  | AAPL   | ORB   | a+        | +300 | 100  |
| 2 | Mon 02 15:00     | Mon 02 15:00:30  | short | AAPL   | ORB   |           | -100 | 100  |
| 3 | Tue 03 15:00     | Tue 03 16:30     | long  | MSFT   |       |           |    0 |  -   |
| 4 | Tue 03 20:00     | Wed 04 04:30     | long  | MSFT   | VWAP  | a+, fomo  | +200 | 100  |
| 5 | Thu 05 14:30     | Thu 05 14:33     | short | TSLA   | VWAP  | fomo      | -150 | 100  |
| 6 | Thu 05 15:00     | Fri 06 15:00     | long  | AAPL   |       |           |  -50 | 100  |
| 7 | Fri 06 14:40     | Fri 06 20:00     | short | TSLA   |       | a+        | +400 | 100  |

March 2026; New York is UTC-5 that week (daylight saving time starts on the 8th). Each trade
paid 2.00 in fees, so its gross is its net + 2.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from journal_desktop.domain.records import Trade, TradeDirection, TradeStatus

NEW_YORK = ZoneInfo("America/New_York")
D = Decimal


def utc(day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, second, tzinfo=UTC)


class Case(NamedTuple):
    opened_at: datetime
    closed_at: datetime
    short: bool
    symbol: str
    setup: str
    tags: tuple[str, ...]
    net: Decimal
    risk: Decimal | None


WEEK = (
    Case(utc(2, 14, 35), utc(2, 14, 50), False, "AAPL", "ORB", ("a+",), D(300), D(100)),
    Case(utc(2, 15, 0), utc(2, 15, 0, 30), True, "AAPL", "ORB", (), D(-100), D(100)),
    Case(utc(3, 15, 0), utc(3, 16, 30), False, "MSFT", "", (), D(0), None),
    Case(utc(3, 20, 0), utc(4, 4, 30), False, "MSFT", "VWAP", ("a+", "fomo"), D(200), D(100)),
    Case(utc(5, 14, 30), utc(5, 14, 33), True, "TSLA", "VWAP", ("fomo",), D(-150), D(100)),
    Case(utc(5, 15, 0), utc(6, 15, 0), False, "AAPL", "", (), D(-50), D(100)),
    Case(utc(6, 14, 40), utc(6, 20, 0), True, "TSLA", "", ("a+",), D(400), D(100)),
)
FEE = D("2.00")

# -- the figures, by hand ------------------------------------------------------------------------
# Count 7: wins 3 (+300, +200, +400), losses 3 (-100, -150, -50), breakeven 1 (0).
# Net 300 - 100 + 0 + 200 - 150 - 50 + 400 = 600; fees 7 x 2.00 = 14.00; gross 614.00.
# Win rate 3 / 7 (the breakeven trade is a trade, but not a win).
# Sum of wins 900, of losses -300: average win 300, average loss -100, profit factor 3.
# Expectancy 600 / 7 = 85.714285... (= 3/7 x 300 + 3/7 x (-100) + 1/7 x 0).
# Payoff ratio 300 / 100 = 3.
# Kelly, the growth-optimal fraction: with win probability p, loss probability q and a
# breakeven probability r (which moves no money), maximising p log(1 + f b) + q log(1 - f)
# gives f = (p b - q) / (b (p + q)) = p' - q' / b, where p' = p / (p + q) is the win rate among
# the trades that won or lost. Here p' = 3/6, q' = 3/6, b = 3: 1/2 - 1/6 = 1/3 (the same as
# without the breakeven trade). Taking W = 3/7 over all trades would give 3/7 - (4/7)/3 = 5/21,
# which counts the breakeven trade as a loss.
# Equity after each trade: 300, 200, 200, 400, 250, 200, 600; running peaks 300, 300, 300, 400,
# 400, 400, 600; falls 0, 100, 100, 0, 150, 200, 0: max drawdown 200 from the peak 400, 50 %.
# Streaks in close order W L B W L L W: longest win streak 1, longest loss streak 2.
# R (net / risk) where a risk is set: 3, -1, 2, -1.5, -0.5, 4 -> n 6, sum 6, average 1.
# SQN = sqrt(n) x mean / sample stdev: sum of squares 9 + 1 + 4 + 2.25 + 0.25 + 16 = 32.5,
# variance (32.5 - 6**2 / 6) / 5 = 5.3, stdev 2.3021728866..., SQN sqrt(6) / 2.30217... =
# 1.0639899...; equally 6 x sqrt(5 / (6 x 32.5 - 36)) = 6 x sqrt(5 / 159).
WIN_RATE = D(3) / D(7)
EXPECTANCY = D(600) / D(7)
KELLY = D(1) / D(3)
SQN = D(6) * (D(5) / D(159)).sqrt()

# Daily P&L by the New York close date: Mon 2nd +300 - 100 = 200 (2 trades); Tue 3rd 0 + 200
# = 200 (2: #4 closed at 23:30 New York time); Thu 5th -150; Fri 6th -50 + 400 = 350 (2).
DAILY_NEW_YORK = {2: ("200", 2), 3: ("200", 2), 5: ("-150", 1), 6: ("350", 2)}
# The same by the UTC date: #4 closed on Wednesday the 4th.
DAILY_UTC = {2: ("200", 2), 3: ("0", 1), 4: ("200", 1), 5: ("-150", 1), 6: ("350", 2)}
# Weekday of the New York close date (0 = Monday).
WEEKDAYS = {0: ("200", 2), 1: ("200", 2), 3: ("-150", 1), 4: ("350", 2)}
# Hour of the New York open: #1 09:35, #5 09:30, #7 09:40 -> 9: 300 - 150 + 400 = 550;
# #2, #3, #6 at 10:00 -> 10: -100 + 0 - 50 = -150; #4 at 15:00 -> 15: 200.
HOURS = {9: ("550", 3), 10: ("-150", 3), 15: ("200", 1)}
# Held: #2 30 s "<1m"; #5 3 min "1-5m"; #1 15 min "15-60m" (the bound is included);
# #3 1 h 30 "1-4h"; #4 8 h 30 and #7 5 h 20 "4h-1d"; #6 exactly a day "1-5d".
HOLDING = {
    "<1m": ("-100", 1),
    "1-5m": ("-150", 1),
    "15-60m": ("300", 1),
    "1-4h": ("0", 1),
    "4h-1d": ("600", 2),
    "1-5d": ("-50", 1),
}
# Long #1 #3 #4 #6: 300 + 0 + 200 - 50 = 450; short #2 #5 #7: -100 - 150 + 400 = 150.
SIDES = {"long": ("450", 4), "short": ("150", 3)}
# AAPL #1 #2 #6: 150; MSFT #3 #4: 200; TSLA #5 #7: 250.
SYMBOLS = {"AAPL": ("150", 3), "MSFT": ("200", 2), "TSLA": ("250", 2)}
# A trade counts under each of its tags: a+ #1 #4 #7: 900; fomo #4 #5: 50.
TAGS = {"a+": ("900", 3), "fomo": ("50", 2)}
# "" (no setup) #3 #6 #7: 350; ORB #1 #2: 200; VWAP #4 #5: 50.
SETUPS = {"": ("350", 3), "ORB": ("200", 2), "VWAP": ("50", 2)}


def trade_of(
    c: Case,
    account: uuid.UUID,
    instruments: Mapping[str, uuid.UUID],
    tags: Mapping[str, uuid.UUID],
    **fields: Any,
) -> Trade:
    """The closed trade a case row stands for (quantity 1, 100 to 101: only the money counts),
    with the ids the caller's journal gave its symbol and tags; `fields` add or replace any."""
    return Trade(
        account_id=account,
        instrument_id=instruments[c.symbol],
        direction=TradeDirection.SHORT if c.short else TradeDirection.LONG,
        status=TradeStatus.CLOSED,
        quantity=D(1),
        entry_price=D(100),
        exit_price=D(101),
        opened_at=c.opened_at,
        closed_at=c.closed_at,
        gross_pnl=c.net + FEE,
        fees=FEE,
        net_pnl=c.net,
        tag_ids=tuple(tags[t] for t in c.tags),
        setup=c.setup,
        initial_risk=c.risk,
        **fields,
    )
