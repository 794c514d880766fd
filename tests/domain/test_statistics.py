"""Statistics against hand-worked examples: every figure on a few trades whose answer is known."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, localcontext
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from journal_desktop.domain import Trade, TradeDirection, TradeStatus
from journal_desktop.domain.statistics import (
    BucketStats,
    Drawdown,
    EquityPoint,
    HoldingTime,
    TradeFilter,
    compute_statistics,
    drawdown_of,
    merge_buckets,
    r_stats_of,
    start_of_day,
    streaks_of,
)

NEW_YORK = ZoneInfo("America/New_York")
START = datetime(2024, 3, 4, 14, 30, tzinfo=UTC)  # a Monday, 09:30 in New York (EST)
ACCOUNT = uuid.uuid4()
INSTRUMENT = uuid.uuid4()
D = Decimal


def trade(net: str | int, index: int = 0, **changes: Any) -> Trade:
    """A closed trade whose net is `net` (gross = net + 1, fees 1), the index-th of the day."""
    opened = START + timedelta(minutes=10 * index)
    values: dict[str, Any] = {
        "account_id": ACCOUNT,
        "instrument_id": INSTRUMENT,
        "direction": TradeDirection.LONG,
        "status": TradeStatus.CLOSED,
        "quantity": D(1),
        "entry_price": D(100),
        "exit_price": D(101),
        "opened_at": opened,
        "closed_at": opened + timedelta(minutes=5),
        "gross_pnl": D(net) + 1,
        "fees": D(1),
        "net_pnl": D(net),
    }
    values.update(changes)
    return Trade(**values)


def series(*nets: str | int) -> list[Trade]:
    return [trade(net, i) for i, net in enumerate(nets)]


# -- totals and ratios ---------------------------------------------------------------------------


def test_nothing_closed_gives_zeros_and_nones() -> None:
    open_trade = trade(0, status=TradeStatus.OPEN, exit_price=None, closed_at=None)
    stats = compute_statistics([open_trade])
    assert stats.totals == BucketStats()
    assert stats.trade_count == 0
    assert stats.win_rate is None
    assert stats.expectancy is None
    assert stats.profit_factor is None
    assert not stats.totals.profit_factor_unbounded
    assert stats.totals.kelly is None
    assert stats.drawdown == Drawdown(D(0), D(0), None)
    assert stats.r.count == 0 and stats.r.average is None and stats.r.sqn is None
    assert (stats.longest_win_streak, stats.longest_loss_streak) == (0, 0)
    assert list(stats.equity_curve) == []
    assert stats.daily == {} and stats.by_symbol == {}


def test_totals_worked_by_hand() -> None:
    stats = compute_statistics(series(200, 100, -100, -50, 0))
    t = stats.totals
    assert (t.count, t.wins, t.losses, t.breakeven) == (5, 2, 2, 1)
    assert t.net_pnl == 150
    assert t.gross_pnl == 155 and t.fees == 5
    assert t.sum_wins == 300 and t.sum_losses == -150
    assert t.largest_win == 200 and t.largest_loss == -100
    assert t.win_rate == D("0.4")
    assert t.expectancy == 30
    assert t.avg_win == 150 and t.avg_loss == -75
    assert t.profit_factor == 2
    assert t.payoff_ratio == 2
    # Kelly over the decided trades (the breakeven one moves no money): W = 2/4, payoff 2:
    # 0.5 - 0.5 / 2 = 0.25 (not 0.4 - 0.6 / 2, which would count the breakeven as a loss)
    assert t.kelly == D("0.25")


def test_kelly_with_an_even_split() -> None:
    t = compute_statistics(series(200, 100, -100, -50)).totals
    assert t.win_rate == D("0.5") and t.payoff_ratio == 2
    assert t.kelly == D("0.25")  # 0.5 - 0.5 / 2


def test_profit_factor_without_losses_is_none_and_flagged_unbounded() -> None:
    t = compute_statistics(series(10, 20, 0)).totals
    assert t.profit_factor is None
    assert t.profit_factor_unbounded
    assert t.payoff_ratio is None and t.kelly is None
    assert t.avg_loss is None and t.largest_loss is None


def test_profit_factor_with_only_breakeven_trades_is_not_unbounded() -> None:
    t = compute_statistics(series(0, 0)).totals
    assert t.profit_factor is None
    assert not t.profit_factor_unbounded
    assert t.win_rate == 0


def test_profit_factor_with_only_losses_is_zero() -> None:
    t = compute_statistics(series(-10, -30)).totals
    assert t.profit_factor == 0
    assert not t.profit_factor_unbounded
    assert t.kelly is None  # no wins: no payoff ratio
    assert t.avg_loss == -20


def test_quotients_are_rounded_to_28_digits_whatever_the_callers_context() -> None:
    with localcontext() as ctx:
        ctx.prec = 3
        t = compute_statistics(series(10, -1, -1)).totals
    assert t.win_rate == D("0.3333333333333333333333333333")
    assert t.profit_factor == 5


def test_sums_are_exact_even_under_a_tiny_context() -> None:
    trades = [trade("0.1", i) for i in range(10)] + [trade("1234567890.12345678", 10)]
    with localcontext() as ctx:
        ctx.prec = 2
        stats = compute_statistics(trades)
    assert stats.net_pnl == D("1234567891.12345678")
    assert stats.equity_curve[9].equity == D("1.0")


def test_open_and_deleted_trades_are_ignored() -> None:
    gone = trade(500, 1, deleted=True)
    still_open = trade(0, 2, status=TradeStatus.OPEN, exit_price=None, closed_at=None)
    stats = compute_statistics([trade(7), gone, still_open])
    assert stats.trade_count == 1 and stats.net_pnl == 7


def test_merge_buckets_adds_counts_and_sums_and_keeps_the_extremes() -> None:
    a = compute_statistics(series(5, -2)).totals
    b = compute_statistics(series(9, -7, 0)).totals
    merged = merge_buckets([a, b])
    assert merged == compute_statistics(series(5, -2, 9, -7, 0)).totals
    assert merged.largest_win == 9 and merged.largest_loss == -7


# -- drawdown, streaks, curve ----------------------------------------------------------------------


def test_drawdown_amount_and_percent_of_the_peak() -> None:
    # equity 100, 200 (peak), 150, 50 (fall 150 = 75% of 200), 350, 250 (fall 100)
    stats = compute_statistics(series(100, 100, -50, -100, 300, -100))
    assert stats.drawdown == Drawdown(D(150), D(200), D(75))
    assert stats.max_drawdown == 150 and stats.max_drawdown_percent == 75


def test_drawdown_from_a_peak_at_or_below_zero_has_no_percent() -> None:
    assert drawdown_of([D(-50), D(20)]) == Drawdown(D(50), D(0), None)


def test_drawdown_percent_can_exceed_100() -> None:
    # peak 10, then down to -20: a fall of 30 is 300% of the peak P&L
    assert drawdown_of([D(10), D(-30)]) == Drawdown(D(30), D(10), D(300))


def test_a_curve_that_never_falls_has_zero_drawdown() -> None:
    assert drawdown_of([D(10), D(0), D(5)]) == Drawdown(D(0), D(0), D(0))


def test_the_first_of_equal_falls_is_reported() -> None:
    # falls of 50 from 100 and from 200: the first one's peak
    assert drawdown_of([D(100), D(-50), D(150), D(-50)]) == Drawdown(D(50), D(100), D(50))


def test_drawdown_percent_is_rounded_to_28_digits() -> None:
    assert drawdown_of([D(3), D(-1)]).percent == D("33.33333333333333333333333333")


def test_streaks_worked_by_hand() -> None:
    stats = compute_statistics(series(1, 2, -1, -1, -1, 0, 5, -1, -1))
    assert (stats.longest_win_streak, stats.longest_loss_streak) == (2, 3)


def test_a_breakeven_trade_ends_a_streak() -> None:
    assert streaks_of([-1, -1, 0, -1, 1, 0, 1]) == (1, 2)


def test_trades_are_ordered_by_close_then_open_then_id() -> None:
    close = START + timedelta(hours=1)
    late_open = trade(-5, 0, opened_at=START + timedelta(minutes=30), closed_at=close)
    early_open = trade(10, 0, opened_at=START, closed_at=close)
    first = trade(1, 0, opened_at=START, closed_at=START + timedelta(minutes=1))
    low_id, high_id = sorted([uuid.uuid4(), uuid.uuid4()])
    twin_b = trade(7, 0, id=high_id, closed_at=close + timedelta(minutes=1))
    twin_a = trade(3, 0, id=low_id, closed_at=close + timedelta(minutes=1))
    stats = compute_statistics([twin_b, late_open, early_open, twin_a, first])
    assert [p.equity for p in stats.equity_curve] == [1, 11, 6, 9, 16]
    assert stats.equity_curve[0] == EquityPoint(first.closed_at, D(1))  # type: ignore[arg-type]


# -- R-multiples and SQN -------------------------------------------------------------------------


def test_r_multiples_only_for_trades_with_a_risk() -> None:
    trades = [
        trade(100, 0, initial_risk=D(100)),  # 1R
        trade(200, 1, initial_risk=D(100)),  # 2R
        trade(-50, 2),  # no risk set: not in R
        trade(300, 3, initial_risk=D(100)),  # 3R
    ]
    r = compute_statistics(trades).r
    assert (r.count, r.total, r.average) == (3, 6, 2)
    # sqrt(3) * mean 2 / sample stdev 1 = 2 * sqrt(3)
    assert r.sqn == D("3.464101615137754587054892683")


def test_sqn_with_mixed_r_values() -> None:
    # R = 2, -1, -1, 4: mean 1, sample variance (1 + 4 + 4 + 9) / 3 = 6, SQN = 2 * 1 / sqrt(6)
    r = r_stats_of([D(2), D(-1), D(-1), D(4)])
    assert r.average == 1
    assert r.sqn == D("0.8164965809277260327324280249")


def test_sqn_is_undefined_for_one_trade_or_no_spread() -> None:
    assert r_stats_of([D(2)]).sqn is None
    assert r_stats_of([D(2)]).average == 2
    assert r_stats_of([D("1.5"), D("1.5"), D("1.5")]).sqn is None


def test_an_r_multiple_is_a_28_digit_quotient() -> None:
    r = compute_statistics([trade(100, 0, initial_risk=D(300))]).r
    assert r.total == D("0.3333333333333333333333333333")


# -- calendar and time zones ---------------------------------------------------------------------


def test_a_trade_closing_at_2330_in_new_york_lands_on_the_new_york_date() -> None:
    # 2024-03-05 04:30 UTC is 2024-03-04 23:30 in New York (EST, UTC-5)
    late = trade(
        40,
        opened_at=datetime(2024, 3, 5, 4, 0, tzinfo=UTC),
        closed_at=datetime(2024, 3, 5, 4, 30, tzinfo=UTC),
    )
    in_new_york = compute_statistics([late], tz=NEW_YORK)
    assert list(in_new_york.daily) == [date(2024, 3, 4)]
    assert list(in_new_york.by_weekday) == [0]  # Monday
    assert list(in_new_york.by_hour) == [23]  # opened 23:00 New York time
    in_utc = compute_statistics([late])
    assert list(in_utc.daily) == [date(2024, 3, 5)]
    assert list(in_utc.by_weekday) == [1]
    assert list(in_utc.by_hour) == [4]


def test_daily_series_sums_each_local_day() -> None:
    day_two = START + timedelta(days=1)
    trades = [
        trade(10, 0),
        trade(-4, 1),
        trade(7, 0, opened_at=day_two, closed_at=day_two + timedelta(hours=1)),
    ]
    daily = compute_statistics(trades, tz=NEW_YORK).daily
    assert [(d, b.count, b.net_pnl) for d, b in daily.items()] == [
        (date(2024, 3, 4), 2, 6),
        (date(2024, 3, 5), 1, 7),
    ]


def test_hour_of_day_follows_daylight_saving_time() -> None:
    # 13:30 UTC is 09:30 in New York after the switch to EDT (2024-03-10), 08:30 before it
    summer = datetime(2024, 3, 11, 13, 30, tzinfo=UTC)
    winter = datetime(2024, 3, 8, 13, 30, tzinfo=UTC)
    trades = [
        trade(1, opened_at=summer, closed_at=summer + timedelta(minutes=1)),
        trade(1, opened_at=winter, closed_at=winter + timedelta(minutes=1)),
    ]
    assert list(compute_statistics(trades, tz=NEW_YORK).by_hour) == [8, 9]


# -- breakdowns ----------------------------------------------------------------------------------


def test_breakdowns_by_symbol_tag_setup_and_direction() -> None:
    other = uuid.uuid4()
    unknown = uuid.uuid4()
    fast, slow = uuid.uuid4(), uuid.uuid4()
    trades = [
        trade(10, 0, tag_ids=(fast,), setup="ORB"),
        trade(-4, 1, tag_ids=(fast, slow), setup="ORB", direction=TradeDirection.SHORT),
        trade(6, 2, instrument_id=other, setup=""),
        trade(1, 3, instrument_id=unknown, tag_ids=(uuid.UUID(int=7),)),
    ]
    stats = compute_statistics(
        trades,
        symbols={INSTRUMENT: "ES", other: "AAPL"},
        tag_names={fast: "fast", slow: "slow"},
    )
    assert {k: (b.count, b.net_pnl) for k, b in stats.by_symbol.items()} == {
        "AAPL": (1, 6),
        "ES": (2, 6),
        str(unknown): (1, 1),
    }
    assert list(stats.by_symbol) == sorted(stats.by_symbol)
    assert {k: (b.count, b.net_pnl) for k, b in stats.by_tag.items()} == {
        "fast": (2, 6),
        "slow": (1, -4),
        str(uuid.UUID(int=7)): (1, 1),
    }
    assert {k: b.net_pnl for k, b in stats.by_setup.items()} == {"": 7, "ORB": 6}
    assert stats.by_setup["ORB"].win_rate == D("0.5")
    assert {k: b.count for k, b in stats.by_direction.items()} == {
        TradeDirection.LONG: 3,
        TradeDirection.SHORT: 1,
    }


def test_holding_time_buckets_include_their_lower_bound() -> None:
    cases = {
        timedelta(seconds=59, microseconds=999_999): HoldingTime.UNDER_1M,
        timedelta(minutes=1): HoldingTime.M1_5,
        timedelta(minutes=14, seconds=59): HoldingTime.M5_15,
        timedelta(minutes=15): HoldingTime.M15_60,
        timedelta(hours=1): HoldingTime.H1_4,
        timedelta(hours=4): HoldingTime.H4_D1,
        timedelta(days=1): HoldingTime.D1_5,
        timedelta(days=4, hours=23): HoldingTime.D1_5,
        timedelta(days=5): HoldingTime.OVER_5D,
        timedelta(days=40): HoldingTime.OVER_5D,
    }
    for held, bucket in cases.items():
        assert HoldingTime.of(held) is bucket, held
    trades = [
        trade(1, i, closed_at=START + timedelta(minutes=10 * i) + held)
        for i, held in enumerate(cases)
    ]
    by_hold = compute_statistics(trades).by_holding_time
    assert list(by_hold) == [h for h in HoldingTime if h in set(cases.values())]
    assert by_hold[HoldingTime.D1_5].count == 2
    assert [h.label for h in HoldingTime] == [
        "<1m",
        "1-5m",
        "5-15m",
        "15-60m",
        "1-4h",
        "4h-1d",
        "1-5d",
        ">5d",
    ]


# -- filters -------------------------------------------------------------------------------------


def test_date_range_is_inclusive_in_the_filters_time_zone() -> None:
    def closing(at: datetime) -> Trade:
        return trade(1, opened_at=at - timedelta(minutes=1), closed_at=at)

    before = closing(datetime(2024, 3, 4, 4, 59, tzinfo=UTC))  # 03-03 23:59 New York
    first = closing(datetime(2024, 3, 4, 5, 0, tzinfo=UTC))  # 03-04 00:00 New York
    late = closing(datetime(2024, 3, 5, 4, 30, tzinfo=UTC))  # 03-04 23:30 New York
    after = closing(datetime(2024, 3, 5, 5, 0, tzinfo=UTC))  # 03-05 00:00 New York
    flt = TradeFilter(date_from=date(2024, 3, 4), date_to=date(2024, 3, 4), tz=NEW_YORK)
    assert flt.apply([before, first, late, after]) == [first, late]
    in_utc = TradeFilter(date_from=date(2024, 3, 4), date_to=date(2024, 3, 4))
    assert in_utc.apply([before, first, late, after]) == [before, first]
    assert TradeFilter(date_to=date(2024, 3, 3), tz=NEW_YORK).apply([before, first]) == [before]


def test_filter_by_account_instrument_and_tag() -> None:
    other_account, other_instrument, tag = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    a = trade(1, 0, tag_ids=(tag,))
    b = trade(2, 1, account_id=other_account)
    c = trade(3, 2, instrument_id=other_instrument, tag_ids=(tag,))
    trades = [a, b, c]
    assert TradeFilter(account_ids=frozenset({ACCOUNT})).apply(trades) == [a, c]
    assert TradeFilter(instrument_ids=frozenset({other_instrument})).apply(trades) == [c]
    assert TradeFilter(tag_id=tag, account_ids=frozenset({ACCOUNT})).apply(trades) == [a, c]
    assert TradeFilter().apply(trades) == trades


def test_an_empty_id_set_matches_nothing() -> None:
    # a symbol the caller could not resolve must show no trades, not all of them
    assert TradeFilter(instrument_ids=frozenset()).apply([trade(1)]) == []


def test_filter_accepts_any_iterable_of_ids_and_ignores_open_trades() -> None:
    still_open = trade(0, status=TradeStatus.OPEN, exit_price=None, closed_at=None)
    flt = TradeFilter(account_ids=[ACCOUNT])  # type: ignore[arg-type]
    assert flt.account_ids == frozenset({ACCOUNT})
    assert flt.apply([still_open]) == []


def test_a_range_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="after it ends"):
        TradeFilter(date_from=date(2024, 3, 5), date_to=date(2024, 3, 4))


def test_start_of_day_across_dst_changes() -> None:
    # New York springs forward at 02:00: midnight is still EST
    assert start_of_day(date(2024, 3, 10), NEW_YORK) == datetime(2024, 3, 10, 5, tzinfo=UTC)
    # Santiago skips midnight (00:00 -> 01:00): the day starts at the end of the gap
    santiago = ZoneInfo("America/Santiago")
    assert start_of_day(date(2024, 9, 8), santiago) == datetime(2024, 9, 8, 4, tzinfo=UTC)
    assert datetime(2024, 9, 8, 3, 59, tzinfo=UTC).astimezone(santiago).day == 7
    # Havana falls back from 01:00 to 00:00: the first midnight already reads the new date
    havana = ZoneInfo("America/Havana")
    assert start_of_day(date(2024, 11, 3), havana) == datetime(2024, 11, 3, 4, tzinfo=UTC)


def test_r_stats_of_scaled_values_equal_the_unscaled_ones() -> None:
    values = [D("1.5"), D("-0.3333333333333333333333333333"), D(2)]
    scaled = [v.scaleb(8) for v in values]
    assert r_stats_of(scaled, scale=8) == r_stats_of(values)
