"""The SQL statistics equal the pure ones, exactly, on the same vault."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journal_desktop.domain import (
    Account,
    AssetClass,
    Instrument,
    Tag,
    Trade,
    TradeDirection,
    TradeStatus,
)
from journal_desktop.domain.statistics import (
    EquityPoint,
    HoldingTime,
    TradeFilter,
    compute_statistics,
)
from journal_desktop.storage import Vault
from journal_desktop.storage.statistics_sql import (
    E8EquityCurve,
    StatisticsQueries,
    offset_segments,
)
from tests.storage.conftest import TRADE_OPENED, Position, make_trade

NEW_YORK = ZoneInfo("America/New_York")


class SwitchingZone(tzinfo):
    """UTC+05:30 until 2024-03-10 06:00 UTC, UTC from then on.

    Today it is plain UTC, so the first guess (day slots) fails on older trades and the query
    has to fall back to hour and then quarter-hour slots.
    """

    SWITCH = datetime(2024, 3, 10, 6, 0)
    BEFORE = timedelta(hours=5, minutes=30)

    def utcoffset(self, dt: datetime | None) -> timedelta:
        if dt is None:
            return timedelta(0)
        local = dt.replace(tzinfo=None)
        if local < self.SWITCH:
            return self.BEFORE
        if local >= self.SWITCH + self.BEFORE:
            return timedelta(0)
        return self.BEFORE if dt.fold == 0 else timedelta(0)  # the repeated 5.5 hours

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(0)

    def tzname(self, dt: datetime | None) -> str:
        return "SWITCHING"

    def fromutc(self, dt: datetime) -> datetime:
        utc = dt.replace(tzinfo=None)
        if utc < self.SWITCH:
            return dt + self.BEFORE
        local = dt + timedelta(0)
        return local.replace(fold=1) if utc < self.SWITCH + self.BEFORE else local


#: UTC, a DST zone, half-hour and quarter-hour offsets, a 30-minute DST shift, and a fixed offset
#: no slot fits (so every path of the slot bucketing runs).
ZONES: tuple[tzinfo, ...] = (
    UTC,
    NEW_YORK,
    ZoneInfo("Europe/London"),
    ZoneInfo("Asia/Kolkata"),
    ZoneInfo("Asia/Kathmandu"),
    ZoneInfo("Australia/Lord_Howe"),
    timezone(timedelta(minutes=7, seconds=30)),
    SwitchingZone(),
)


def _queries(vault: Vault) -> StatisticsQueries:
    return StatisticsQueries(vault.db)


def _symbols(vault: Vault) -> dict[uuid.UUID, str]:
    return {i.id: i.symbol for i in vault.instruments.list_all(include_deleted=True)}


def _tag_names(vault: Vault) -> dict[uuid.UUID, str]:
    return {t.id: t.name for t in vault.tags.list_all()}


def assert_agree(vault: Vault, flt: TradeFilter, tz: tzinfo) -> None:
    """Every SQL figure equals the pure one over the same (filtered) trades."""
    trades = flt.apply(vault.trades.list_all())
    pure = compute_statistics(trades, tz=tz, symbols=_symbols(vault), tag_names=_tag_names(vault))
    q = _queries(vault)
    assert q.totals(flt) == pure.totals
    assert q.daily_pnl(flt, tz=tz) == pure.daily
    assert q.by_weekday(flt, tz=tz) == pure.by_weekday
    assert q.by_hour(flt, tz=tz) == pure.by_hour
    assert q.by_symbol(flt) == pure.by_symbol
    assert q.by_direction(flt) == pure.by_direction
    assert q.by_setup(flt) == pure.by_setup
    assert q.by_holding_time(flt) == pure.by_holding_time
    assert q.by_tag(flt, _tag_names(vault)) == pure.by_tag
    full = q.statistics(flt, tz=tz, tag_names=_tag_names(vault))
    assert full == pure
    assert list(full.equity_curve) == list(pure.equity_curve)
    # dict order is part of the contract (oldest day first, ascending keys)
    assert list(full.daily) == list(pure.daily)
    assert list(full.by_symbol) == list(pure.by_symbol)


# -- hand-worked cases ---------------------------------------------------------------------------


def test_totals_on_an_empty_vault(vault: Vault) -> None:
    totals = _queries(vault).totals()
    assert totals.count == 0 and totals.net_pnl == 0 and totals.largest_win is None
    stats = _queries(vault).statistics()
    assert stats == compute_statistics([])


def test_totals_match_a_worked_example(vault: Vault, position: Position) -> None:
    nets = ["200", "100.55", "-100", "-50.25", "0"]
    vault.trades.add_many(
        [
            make_trade(
                position,
                opened_at=datetime(2024, 3, 4, 14, i, tzinfo=UTC),
                closed_at=datetime(2024, 3, 4, 15, i, tzinfo=UTC),
                gross_pnl=Decimal(n) + 2,
                fees=Decimal(2),
                net_pnl=Decimal(n),
            )
            for i, n in enumerate(nets)
        ]
    )
    t = _queries(vault).totals()
    assert (t.count, t.wins, t.losses, t.breakeven) == (5, 2, 2, 1)
    assert t.net_pnl == Decimal("150.30") and t.gross_pnl == Decimal("160.30")
    assert t.fees == 10
    assert t.sum_wins == Decimal("300.55") and t.sum_losses == Decimal("-150.25")
    assert t.largest_win == 200 and t.largest_loss == -100
    assert t.profit_factor == Decimal("300.55") / Decimal("150.25")
    assert_agree(vault, TradeFilter(), UTC)


def test_deleted_and_open_trades_are_left_out(vault: Vault, position: Position) -> None:
    kept, gone = vault.trades.add_many([make_trade(position), make_trade(position)])
    vault.trades.add(make_trade(position, status=TradeStatus.OPEN, exit_price=None, closed_at=None))
    vault.trades.delete(gone.id)
    t = _queries(vault).totals()
    assert t.count == 1 and t.net_pnl == kept.net_pnl
    assert_agree(vault, TradeFilter(), UTC)


def test_a_new_york_evening_trade_lands_on_the_new_york_date(
    vault: Vault, position: Position
) -> None:
    vault.trades.add(
        make_trade(
            position,
            opened_at=datetime(2024, 3, 5, 4, 0, tzinfo=UTC),
            closed_at=datetime(2024, 3, 5, 4, 30, tzinfo=UTC),  # 23:30 on 03-04 in New York
        )
    )
    q = _queries(vault)
    assert list(q.daily_pnl(tz=NEW_YORK)) == [date(2024, 3, 4)]
    assert list(q.daily_pnl()) == [date(2024, 3, 5)]
    assert list(q.by_weekday(tz=NEW_YORK)) == [0]
    assert list(q.by_hour(tz=NEW_YORK)) == [23]
    ny_day = TradeFilter(date_from=date(2024, 3, 4), date_to=date(2024, 3, 4), tz=NEW_YORK)
    assert q.totals(ny_day).count == 1
    assert q.totals(TradeFilter(date_from=date(2024, 3, 4), date_to=date(2024, 3, 4))).count == 0


def test_filters_by_account_instrument_and_tag(vault: Vault, position: Position) -> None:
    other_account = vault.accounts.add(Account(name="Other"))
    other_instrument = vault.instruments.add(
        Instrument(symbol="AAPL", asset_class=AssetClass.STOCK)
    )
    tag = vault.tags.add(Tag(name="A+ setup"))
    vault.trades.add_many(
        [
            make_trade(position, tag_ids=(tag.id,)),
            make_trade(position, account_id=other_account.id, net_pnl=Decimal(-3)),
            make_trade(position, instrument_id=other_instrument.id, tag_ids=(tag.id,)),
        ]
    )
    q = _queries(vault)
    cases = [
        TradeFilter(account_ids=frozenset({position.account.id})),
        TradeFilter(account_ids=frozenset({other_account.id})),
        TradeFilter(instrument_ids=frozenset({other_instrument.id})),
        TradeFilter(instrument_ids=frozenset()),
        TradeFilter(tag_id=tag.id),
        TradeFilter(tag_id=uuid.uuid4()),
    ]
    expected_counts = [2, 1, 1, 0, 2, 0]
    for flt, count in zip(cases, expected_counts, strict=True):
        assert q.totals(flt).count == count, flt
        assert_agree(vault, flt, UTC)
    assert q.by_symbol() == {
        "AAPL": q.totals(TradeFilter(instrument_ids=frozenset({other_instrument.id}))),
        "ES": q.totals(TradeFilter(instrument_ids=frozenset({position.instrument.id}))),
    }
    assert list(q.by_tag(tag_names={tag.id: tag.name})) == ["A+ setup"]


def test_holding_time_is_exact_to_the_microsecond(vault: Vault, position: Position) -> None:
    opened = datetime(2024, 3, 4, 14, 30, tzinfo=UTC)
    helds = [
        timedelta(seconds=59, microseconds=999_600),  # SQLite 3.40 rounds this up to 60 s
        timedelta(seconds=60),
        timedelta(hours=3, minutes=59, seconds=59, microseconds=999_999),
        timedelta(days=5),
        timedelta(days=4, hours=23, minutes=59, seconds=59, microseconds=999_999),
    ]
    vault.trades.add_many(
        [make_trade(position, opened_at=opened, closed_at=opened + held) for held in helds]
    )
    by_hold = _queries(vault).by_holding_time()
    assert {h: b.count for h, b in by_hold.items()} == {
        HoldingTime.UNDER_1M: 1,
        HoldingTime.M1_5: 1,
        HoldingTime.H1_4: 1,
        HoldingTime.D1_5: 1,
        HoldingTime.OVER_5D: 1,
    }
    assert_agree(vault, TradeFilter(), UTC)


def test_trades_closing_at_the_same_instant_keep_open_then_id_order(
    vault: Vault, position: Position
) -> None:
    close = datetime(2024, 3, 4, 16, 0, tzinfo=UTC)
    ids = sorted(uuid.uuid4() for _ in range(3))
    # stored in an order that differs from the statistics order
    vault.trades.add_many(
        [
            make_trade(position, id=ids[2], closed_at=close, net_pnl=Decimal(-30)),
            make_trade(position, id=ids[0], closed_at=close, net_pnl=Decimal(10)),
            make_trade(
                position,
                id=ids[1],
                opened_at=close - timedelta(minutes=1),
                closed_at=close,
                net_pnl=Decimal(5),
            ),
            make_trade(position, closed_at=close - timedelta(minutes=1), net_pnl=Decimal(1)),
        ]
    )
    stats = _queries(vault).statistics()
    assert [p.equity for p in stats.equity_curve] == [1, 11, -19, -14]
    assert stats.drawdown.amount == 30
    assert_agree(vault, TradeFilter(), UTC)


def test_r_multiples_and_sqn_from_sql(vault: Vault, position: Position) -> None:
    nets_and_risks = [("100", "100"), ("200", "100"), ("-50", None), ("300", "100")]
    vault.trades.add_many(
        [
            make_trade(
                position,
                closed_at=datetime(2024, 3, 4, 15, i, tzinfo=UTC),
                net_pnl=Decimal(net),
                initial_risk=None if risk is None else Decimal(risk),
            )
            for i, (net, risk) in enumerate(nets_and_risks)
        ]
    )
    r = _queries(vault).statistics().r
    assert (r.count, r.total, r.average) == (3, 6, 2)
    assert r.sqn == Decimal("3.464101615137754587054892683")


def test_each_zone_picks_the_coarsest_slot_that_is_exact(vault: Vault, position: Position) -> None:
    # trades around local midnights and a DST change, in zones that need each kind of slot
    base = datetime(2024, 3, 9, 0, 0, tzinfo=UTC)
    vault.trades.add_many(
        [
            make_trade(
                position,
                opened_at=base + timedelta(minutes=97 * i),
                closed_at=base + timedelta(minutes=97 * i + 13),
                net_pnl=Decimal(i % 7 - 3),
            )
            for i in range(80)
        ]
    )
    for tz in ZONES:
        assert_agree(vault, TradeFilter(), tz)


def test_equity_curve_builds_points_on_demand() -> None:
    curve = E8EquityCurve(["2024-03-04T15:00:00.000000Z", "2024-03-04T16:00:00.500000Z"], [150, -5])
    first = EquityPoint(datetime(2024, 3, 4, 15, tzinfo=UTC), Decimal("0.0000015"))
    assert len(curve) == 2
    assert curve[0] == first
    assert curve[-1].equity == Decimal("-5E-8")
    assert list(curve[:1]) == [first]
    assert curve == [first, curve[1]]
    assert curve != [first]
    assert "2 points" in repr(curve)


def test_offset_segments_find_each_change_to_the_microsecond() -> None:
    first = datetime(2024, 1, 1, tzinfo=UTC)
    last = datetime(2024, 12, 31, tzinfo=UTC)
    hour = 3_600_000_000
    assert offset_segments(NEW_YORK, first, last) == [
        (first, -5 * hour),
        (datetime(2024, 3, 10, 7, tzinfo=UTC), -4 * hour),
        (datetime(2024, 11, 3, 6, tzinfo=UTC), -5 * hour),
    ]
    assert offset_segments(UTC, first, last) == [(first, 0)]


# -- property: SQL == pure on generated journals ---------------------------------------------------

#: Amounts to the cent and to 1e-8, and often a breakeven or a small round figure, so zeros
#: (neither a win nor a loss), equal nets and a first trade that loses (a fall from the
#: starting 0) come up in most examples.
_MONEY = (
    st.decimals(min_value=Decimal("-50000"), max_value=Decimal("50000"), places=2, allow_nan=False)
    | st.decimals(min_value=Decimal("-10"), max_value=Decimal("10"), places=8, allow_nan=False)
    | st.sampled_from([Decimal(0), Decimal("0.00"), Decimal(-100), Decimal(100), Decimal(-1)])
)
#: Close times from a small set (so ties happen), spread over a New York DST change.
_CLOSES = st.sampled_from(
    [
        datetime(2024, 3, 9, 4, 59, 59, 999_999, tzinfo=UTC),
        datetime(2024, 3, 9, 5, 0, tzinfo=UTC),
        datetime(2024, 3, 10, 6, 30, tzinfo=UTC),
        datetime(2024, 3, 10, 7, 0, 0, 1, tzinfo=UTC),
        datetime(2024, 3, 11, 3, 45, tzinfo=UTC),
        datetime(2024, 3, 11, 18, 15, 30, tzinfo=UTC),
        datetime(2024, 3, 12, 23, 59, 59, tzinfo=UTC),
    ]
)
_HELD = st.sampled_from(
    [timedelta(0), timedelta(seconds=59, microseconds=999_999), timedelta(minutes=1)]
) | st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=8))


@st.composite
def journal_trades(
    draw: st.DrawFn, accounts: list[uuid.UUID], instruments: list[uuid.UUID], tags: list[uuid.UUID]
) -> list[Trade]:
    trades = []
    for _ in range(draw(st.integers(min_value=0, max_value=25))):
        net = draw(_MONEY)
        fees = abs(draw(_MONEY))
        closed_at = draw(_CLOSES)
        trades.append(
            Trade(
                account_id=draw(st.sampled_from(accounts)),
                instrument_id=draw(st.sampled_from(instruments)),
                direction=draw(st.sampled_from(TradeDirection)),
                status=draw(st.sampled_from([TradeStatus.CLOSED] * 5 + [TradeStatus.OPEN])),
                quantity=Decimal(1),
                entry_price=Decimal(100),
                exit_price=Decimal(101),
                opened_at=closed_at - draw(_HELD),
                closed_at=closed_at,
                gross_pnl=net + fees,
                fees=fees,
                net_pnl=net,
                tag_ids=tuple(draw(st.lists(st.sampled_from(tags), max_size=2, unique=True))),
                setup=draw(st.sampled_from(["", "ORB", "VWAP"])),
                initial_risk=draw(
                    st.none()
                    | st.decimals(min_value=Decimal("0.01"), max_value=Decimal(500), places=2)
                ),
            )
        )
    return trades


@pytest.fixture
def journal(
    vault: Vault,
) -> Iterator[tuple[Vault, list[uuid.UUID], list[uuid.UUID], list[uuid.UUID]]]:
    accounts = [vault.accounts.add(Account(name=f"A{i}")).id for i in range(2)]
    instruments = [
        vault.instruments.add(Instrument(symbol=s, asset_class=AssetClass.FUTURE)).id
        for s in ("ES", "NQ")
    ]
    instruments.append(
        vault.instruments.add(Instrument(symbol="ES", asset_class=AssetClass.STOCK)).id
    )
    tags = [vault.tags.add(Tag(name=n)).id for n in ("fomo", "a+")] + [uuid.uuid4()]
    yield vault, accounts, instruments, tags


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_sql_statistics_equal_the_pure_ones(
    journal: tuple[Vault, list[uuid.UUID], list[uuid.UUID], list[uuid.UUID]], data: st.DataObject
) -> None:
    """Each example adds trades to the same vault, so later examples see bigger journals."""
    vault, accounts, instruments, tags = journal
    vault.trades.add_many(data.draw(journal_trades(accounts, instruments, tags)))
    tz = data.draw(st.sampled_from(ZONES))
    day = st.dates(min_value=date(2024, 3, 8), max_value=date(2024, 3, 13))
    start, end = sorted([data.draw(day), data.draw(day)])
    flt = data.draw(
        st.sampled_from(
            [
                TradeFilter(),
                TradeFilter(date_from=start, date_to=end, tz=tz),
                TradeFilter(date_from=start, tz=tz),
                TradeFilter(account_ids=frozenset(accounts[:1])),
                TradeFilter(instrument_ids=frozenset(instruments[1:])),
                TradeFilter(tag_id=tags[0]),
                TradeFilter(tag_id=tags[2], date_to=end),
            ]
        )
    )
    assert_agree(vault, flt, tz)


def test_trades_stored_out_of_close_order_are_sorted(vault: Vault, position: Position) -> None:
    """The read is in storage order; the figures must come out in (close, open, id) order,
    ties on both times broken by id."""
    base = datetime(2024, 3, 4, 15, 0, tzinfo=UTC)
    ids = [uuid.uuid4() for _ in range(24)]
    vault.trades.add_many(
        [
            make_trade(
                position,
                id=ids[i],
                opened_at=base - timedelta(minutes=i % 2),
                closed_at=base + timedelta(minutes=(7 * i) % 4),
                net_pnl=Decimal(i - 11),
            )
            for i in reversed(range(24))
        ]
    )
    stats = _queries(vault).statistics()
    closes = [point.closed_at for point in stats.equity_curve]
    assert closes == sorted(closes)
    assert_agree(vault, TradeFilter(), UTC)


def test_totals_beyond_int64_stay_exact(vault: Vault, position: Position) -> None:
    """Sums of 1e-8 units that could pass 2**63 are worked in Python ints, still exact."""
    big = Decimal("90000000000.12345678")  # 9e18 units: two of them overflow int64
    vault.trades.add_many(
        [
            make_trade(position, gross_pnl=big, fees=Decimal(0), net_pnl=big),
            make_trade(
                position,
                closed_at=TRADE_OPENED + timedelta(minutes=30),
                gross_pnl=big,
                fees=Decimal(0),
                net_pnl=big,
            ),
            make_trade(
                position,
                closed_at=TRADE_OPENED + timedelta(minutes=40),
                gross_pnl=-big,
                fees=Decimal(0),
                net_pnl=-big,
            ),
        ]
    )
    stats = _queries(vault).statistics()
    assert stats.totals.sum_wins == 2 * big
    assert stats.equity_curve[1].equity == 2 * big
    assert stats.drawdown.amount == big
    # (totals() sums in SQL, which refuses such totals; the full set does not need it)
    pure = compute_statistics(vault.trades.list_all(), tz=NEW_YORK, symbols=_symbols(vault))
    assert _queries(vault).statistics(tz=NEW_YORK) == pure
