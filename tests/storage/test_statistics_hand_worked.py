"""The worked week (tests/domain/statistics_cases.py) stored in a vault: the SQL statistics give
the hand-worked figures, and equal the pure ones, under every filter the command line offers."""

from __future__ import annotations

import uuid
from datetime import UTC, date
from decimal import Decimal
from typing import Any

import pytest

from journal_desktop.domain import (
    Account,
    AssetClass,
    Instrument,
    Tag,
    Trade,
    TradeDirection,
    TradeStatus,
)
from journal_desktop.domain.decimals import canonical_decimal
from journal_desktop.domain.statistics import (
    BucketStats,
    Statistics,
    TradeFilter,
    compute_statistics,
    quotient,
)
from journal_desktop.storage import Vault
from journal_desktop.storage.statistics_sql import StatisticsQueries
from tests.domain import statistics_cases as case

D = Decimal
ALL = TradeFilter()


class Week:
    def __init__(self, vault: Vault) -> None:
        self.vault = vault
        self.account = vault.accounts.add(Account(name="Main")).id
        self.other = vault.accounts.add(Account(name="Other")).id
        self.instruments = {
            s: vault.instruments.add(Instrument(symbol=s, asset_class=AssetClass.STOCK)).id
            for s in ("AAPL", "MSFT", "TSLA")
        }
        self.tags = {n: vault.tags.add(Tag(name=n)).id for n in ("a+", "fomo")}
        self.trades = [
            # #1 is in the other account, to be filtered out by account.
            case.trade_of(c, self.other if i == 0 else self.account, self.instruments, self.tags)
            for i, c in enumerate(case.WEEK)
        ]
        # An open trade and a deleted one, which no figure may count.
        self.trades.append(
            Trade(
                account_id=self.account,
                instrument_id=self.instruments["AAPL"],
                direction=TradeDirection.LONG,
                status=TradeStatus.OPEN,
                quantity=D(5),
                entry_price=D(100),
                opened_at=case.utc(6, 15, 0),
                gross_pnl=D(50),
                fees=D(1),
                net_pnl=D(49),
            )
        )
        vault.trades.add_many(self.trades)
        gone = vault.trades.add(
            Trade(**{**_fields(self.trades[1]), "id": uuid.uuid4(), "net_pnl": D(1000)})
        )
        vault.trades.delete(gone.id)

    def sql(self, flt: TradeFilter = ALL, tz: Any = case.NEW_YORK) -> Statistics:
        names = {v: k for k, v in self.tags.items()}
        return StatisticsQueries(self.vault.db).statistics(flt, tz=tz, tag_names=names)

    def pure(self, flt: TradeFilter = ALL, tz: Any = case.NEW_YORK) -> Statistics:
        return compute_statistics(
            flt.apply(self.vault.trades.list_all()),
            tz=tz,
            symbols={v: k for k, v in self.instruments.items()},
            tag_names={v: k for k, v in self.tags.items()},
        )


def _fields(trade: Trade) -> dict[str, Any]:
    return {name: getattr(trade, name) for name in Trade.__dataclass_fields__}


def figures(buckets: Any) -> dict[Any, tuple[str, int]]:
    """Each bucket's net and count, the net in its canonical text (200.00000000 is "200")."""
    return {k: (canonical_decimal(v.net_pnl), v.count) for k, v in buckets.items()}


@pytest.fixture
def week(vault: Vault) -> Week:
    return Week(vault)


def test_sql_gives_the_hand_worked_figures(week: Week) -> None:
    s = week.sql()
    t: BucketStats = s.totals
    assert (t.count, t.wins, t.losses, t.breakeven) == (7, 3, 3, 1)
    assert (t.net_pnl, t.gross_pnl, t.fees) == (600, 614, 14)
    assert t.win_rate == case.WIN_RATE
    assert (t.avg_win, t.avg_loss, t.profit_factor, t.payoff_ratio) == (300, -100, 3, 3)
    assert t.expectancy == case.EXPECTANCY
    assert t.kelly == case.KELLY == quotient(1, 3)
    assert (s.max_drawdown, s.drawdown.peak, s.max_drawdown_percent) == (200, 400, 50)
    assert (s.longest_win_streak, s.longest_loss_streak) == (1, 2)
    assert [p.equity for p in s.equity_curve] == [300, 200, 200, 400, 250, 200, 600]
    assert (s.r.count, s.r.total, s.r.average) == (6, 6, 1)
    assert s.r.sqn is not None and abs(s.r.sqn - case.SQN) < D("1e-25")
    assert figures({k.day: v for k, v in s.daily.items()}) == case.DAILY_NEW_YORK
    assert figures(s.by_weekday) == case.WEEKDAYS
    assert figures(s.by_hour) == case.HOURS
    assert figures({k.label: v for k, v in s.by_holding_time.items()}) == case.HOLDING
    assert figures({k.value: v for k, v in s.by_direction.items()}) == case.SIDES
    assert figures(s.by_symbol) == case.SYMBOLS
    assert figures(s.by_tag) == case.TAGS
    assert figures(s.by_setup) == case.SETUPS
    utc_days = week.sql(tz=UTC).daily
    assert figures({k.day: v for k, v in utc_days.items()}) == case.DAILY_UTC


def test_sql_equals_pure_under_each_filter(week: Week) -> None:
    filters = [
        TradeFilter(),
        TradeFilter(date_from=date(2026, 3, 3), date_to=date(2026, 3, 3), tz=case.NEW_YORK),
        TradeFilter(date_from=date(2026, 3, 4), date_to=date(2026, 3, 4), tz=case.NEW_YORK),
        TradeFilter(date_from=date(2026, 3, 4), date_to=date(2026, 3, 4), tz=UTC),
        TradeFilter(account_ids=frozenset({week.account})),
        TradeFilter(instrument_ids=frozenset({week.instruments["TSLA"]})),
        TradeFilter(tag_id=week.tags["fomo"]),
        TradeFilter(tag_id=week.tags["a+"], account_ids=frozenset({week.account})),
    ]
    for flt in filters:
        for tz in (case.NEW_YORK, UTC):
            assert week.sql(flt, tz) == week.pure(flt, tz), flt


def test_filtered_figures_by_hand(week: Week) -> None:
    # Tuesday the 3rd in New York: #3 (0) and #4 (+200, closed 23:30 New York time).
    tuesday = week.sql(
        TradeFilter(date_from=date(2026, 3, 3), date_to=date(2026, 3, 3), tz=case.NEW_YORK)
    )
    assert (tuesday.trade_count, tuesday.net_pnl) == (2, 200)
    # Wednesday the 4th: nothing in New York, #4 in UTC.
    wednesday = TradeFilter(date_from=date(2026, 3, 4), date_to=date(2026, 3, 4), tz=UTC)
    assert (week.sql(wednesday).trade_count, week.sql(wednesday).net_pnl) == (1, 200)
    # The main account leaves out #1 (+300): 300 fewer, and the curve starts with -100.
    main = week.sql(TradeFilter(account_ids=frozenset({week.account})))
    assert (main.trade_count, main.net_pnl) == (6, 300)
    # Equity -100, -100, 100, -50, -100, 300: the fall from the starting 0 to -100 is first,
    # then from the peak 100 to -100 is 200; the peak above 0 gives 200 %.
    assert [p.equity for p in main.equity_curve] == [-100, -100, 100, -50, -100, 300]
    assert (main.max_drawdown, main.max_drawdown_percent) == (200, 200)
    # Tag "fomo": #4 (+200) and #5 (-150).
    fomo = week.sql(TradeFilter(tag_id=week.tags["fomo"]))
    assert (fomo.trade_count, fomo.net_pnl, fomo.totals.profit_factor) == (
        2,
        50,
        quotient(200, 150),
    )
    # TSLA: #5 (-150) then #7 (+400): the fall is from the starting 0, so it has no percent.
    tsla = week.sql(TradeFilter(instrument_ids=frozenset({week.instruments["TSLA"]})))
    assert [p.equity for p in tsla.equity_curve] == [-150, 250]
    assert (tsla.max_drawdown, tsla.drawdown.peak, tsla.max_drawdown_percent) == (150, 0, None)
    assert (tsla.longest_win_streak, tsla.longest_loss_streak) == (1, 1)
