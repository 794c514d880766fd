"""Every statistic of a worked week (tests/domain/statistics_cases.py), from the pure functions."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from journal_desktop.domain.decimals import canonical_decimal
from journal_desktop.domain.records import Trade, TradeStatus
from journal_desktop.domain.statistics import (
    BucketStats,
    Statistics,
    TradeFilter,
    compute_statistics,
    quotient,
)
from tests.domain import statistics_cases as case

D = Decimal
ACCOUNT = uuid.UUID(int=11)
OTHER_ACCOUNT = uuid.UUID(int=12)
SYMBOL_IDS = {s: uuid.UUID(int=20 + i) for i, s in enumerate(("AAPL", "MSFT", "TSLA"))}
TAG_IDS = {"a+": uuid.UUID(int=31), "fomo": uuid.UUID(int=32)}


def week() -> list[Trade]:
    return [
        case.trade_of(c, ACCOUNT, SYMBOL_IDS, TAG_IDS, id=uuid.UUID(int=100 + i))
        for i, c in enumerate(case.WEEK)
    ]


def stats(trades: list[Trade], tz: Any = case.NEW_YORK) -> Statistics:
    return compute_statistics(
        trades,
        tz=tz,
        symbols={v: k for k, v in SYMBOL_IDS.items()},
        tag_names={v: k for k, v in TAG_IDS.items()},
    )


def figures(buckets: dict[Any, BucketStats]) -> dict[Any, tuple[str, int]]:
    """Each bucket's net and count, the net in its canonical text (200.00 is "200")."""
    return {k: (canonical_decimal(v.net_pnl), v.count) for k, v in buckets.items()}


def test_the_headline_figures() -> None:
    s = stats(week())
    t = s.totals
    assert (t.count, t.wins, t.losses, t.breakeven) == (7, 3, 3, 1)
    assert t.net_pnl == 600
    assert t.gross_pnl == D("614.00")
    assert t.fees == D("14.00")
    assert t.win_rate == quotient(3, 7) == case.WIN_RATE
    assert t.sum_wins == 900 and t.sum_losses == -300
    assert t.avg_win == 300 and t.avg_loss == -100
    assert t.largest_win == 400 and t.largest_loss == -150
    assert t.profit_factor == 3
    assert t.expectancy == case.EXPECTANCY
    assert t.payoff_ratio == 3


def test_kelly_leaves_a_breakeven_trade_out() -> None:
    # p' - q' / b = 1/2 - (1/2) / 3 = 1/3, not 3/7 - (4/7) / 3 = 5/21 (see statistics_cases).
    assert stats(week()).totals.kelly == quotient(1, 3) == case.KELLY


def test_kelly_without_breakeven_trades_is_the_textbook_formula() -> None:
    # Wins 300, 200, 400; losses -100, -150, -50 (no breakeven): W = 1/2, payoff 3:
    # W - (1 - W) / payoff = 1/2 - 1/6 = 1/3: the same as with the breakeven trade.
    trades = [t for t in week() if t.net_pnl != 0]
    assert stats(trades).totals.kelly == quotient(1, 3) == case.KELLY


def test_drawdown_and_streaks() -> None:
    s = stats(week())
    assert s.max_drawdown == 200
    assert s.drawdown.peak == 400
    assert s.max_drawdown_percent == 50
    assert (s.longest_win_streak, s.longest_loss_streak) == (1, 2)
    assert [p.equity for p in s.equity_curve] == [300, 200, 200, 400, 250, 200, 600]
    assert [p.closed_at for p in s.equity_curve] == [c.closed_at for c in case.WEEK]


def test_r_multiples_average_and_sqn() -> None:
    r = stats(week()).r
    assert r.count == 6
    assert r.total == 6
    assert r.average == 1
    assert r.sqn is not None
    assert abs(r.sqn - case.SQN) < D("1e-25")
    assert round(r.sqn, 6) == D("1.063990")


def test_the_daily_series_and_calendar_breakdowns_in_new_york() -> None:
    s = stats(week())
    assert figures({k.day: v for k, v in s.daily.items()}) == case.DAILY_NEW_YORK
    assert figures(dict(s.by_weekday)) == case.WEEKDAYS
    assert figures(dict(s.by_hour)) == case.HOURS


def test_the_daily_series_in_utc() -> None:
    s = stats(week(), tz=UTC)
    assert figures({k.day: v for k, v in s.daily.items()}) == case.DAILY_UTC


def test_the_other_breakdowns() -> None:
    s = stats(week())
    assert figures({k.label: v for k, v in s.by_holding_time.items()}) == case.HOLDING
    assert figures({k.value: v for k, v in s.by_direction.items()}) == case.SIDES
    assert figures(dict(s.by_symbol)) == case.SYMBOLS
    assert figures(dict(s.by_tag)) == case.TAGS
    assert figures(dict(s.by_setup)) == case.SETUPS


@pytest.mark.parametrize(
    ("first", "last", "nets"),
    [
        # Inclusive at both ends, by the New York close date: Tue 3rd holds #3 and #4.
        (date(2026, 3, 3), date(2026, 3, 3), [0, 200]),
        (date(2026, 3, 3), date(2026, 3, 5), [0, 200, -150]),
        (date(2026, 3, 4), date(2026, 3, 4), []),  # nothing closed on Wednesday, New York
        (None, date(2026, 3, 2), [300, -100]),
        (date(2026, 3, 6), None, [-50, 400]),
    ],
)
def test_date_range_filter_is_inclusive_by_local_close_date(
    first: date | None, last: date | None, nets: list[int]
) -> None:
    flt = TradeFilter(date_from=first, date_to=last, tz=case.NEW_YORK)
    assert [t.net_pnl for t in flt.apply(week())] == nets


def test_filters_by_account_symbol_and_tag_leave_open_trades_out() -> None:
    trades = week()
    trades[0] = Trade(**{**_fields(trades[0]), "account_id": OTHER_ACCOUNT})
    still_open = Trade(
        **{
            **_fields(trades[1]),
            "id": uuid.UUID(int=999),
            "status": TradeStatus.OPEN,
            "exit_price": None,
            "closed_at": None,
        }
    )
    trades.append(still_open)
    by_account = TradeFilter(account_ids=frozenset({ACCOUNT})).apply(trades)
    assert [t.net_pnl for t in by_account] == [-100, 0, 200, -150, -50, 400]
    by_symbol = TradeFilter(instrument_ids=frozenset({SYMBOL_IDS["TSLA"]})).apply(trades)
    assert [t.net_pnl for t in by_symbol] == [-150, 400]
    by_tag = TradeFilter(tag_id=TAG_IDS["fomo"]).apply(trades)
    assert [t.net_pnl for t in by_tag] == [200, -150]
    assert stats(trades).trade_count == 7  # the open trade is no closed trade


def _fields(trade: Trade) -> dict[str, Any]:
    return {name: getattr(trade, name) for name in Trade.__dataclass_fields__}


def test_a_trade_closing_at_local_midnight_is_on_the_new_day() -> None:
    # 2026-03-04 05:00 UTC is 00:00 in New York: Wednesday the 4th, not Tuesday.
    trade = week()[3]
    at_midnight = Trade(**{**_fields(trade), "closed_at": datetime(2026, 3, 4, 5, 0, tzinfo=UTC)})
    s = stats([at_midnight])
    assert list(s.daily) == [date(2026, 3, 4)]
    before = Trade(
        **{
            **_fields(trade),
            "closed_at": datetime(2026, 3, 4, 5, 0, tzinfo=UTC) - timedelta(microseconds=1),
        }
    )
    assert list(stats([before]).daily) == [date(2026, 3, 3)]
