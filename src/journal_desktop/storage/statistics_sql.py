"""The dashboard's statistics computed in SQL, equal to `domain.statistics` to the last digit.

Money is summed on the integer `*_e8` columns (units of 1e-8), so SQLite's sums are exact and
turn back into Decimals with `scaleb(-8)`; the figures equal the pure functions' for any trade
whose amounts have at most 8 decimal places (the columns round beyond that). SQLite refuses
(integer overflow, reported as a VaultError) a total beyond +-92,233,720,368.54775807.

The full set reads the trades table four times, whatever the time zone:

1. calendar: grouped by close slot and open slot -> totals, daily series, weekday, hour;
2. position: grouped by symbol, direction, setup and holding bucket -> those four breakdowns;
3. tags: `json_each(tag_ids)`, only over tagged trades;
4. path: one compact row per trade (close time, net units, initial risk) for the equity
   curve, drawdown, streaks and R-multiples. The curve keeps those columns and builds its
   (datetime, Decimal) points only when a chart reads them.

Time zones. Close and open times are fixed-width UTC text. SQL groups them by a UTC *slot*
(the day, the hour, the quarter hour, or the exact instant) and Python gives each slot its
local date or hour. A slot is only read as a whole when the zone's offset is the same at its
first and last microsecond and both ends fall on the same local date (or hour); if any slot
fails that check the query runs again with finer slots, down to single instants. So any zone
(DST, half-hour offsets, odd historical offsets) is bucketed exactly like
`datetime.astimezone`, while an ordinary zone needs only hour slots.
"""

from __future__ import annotations

import enum
import itertools
import json
import operator
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import Any, NamedTuple, overload

from journal_desktop.domain.records import Trade, TradeDirection
from journal_desktop.domain.statistics import (
    EXACT,
    QUOTIENT,
    BucketStats,
    Drawdown,
    EquityPoint,
    HoldingTime,
    RStats,
    Statistics,
    TradeFilter,
    largest_fall,
    make_drawdown,
    r_stats_of,
    streaks_of,
)
from journal_desktop.storage.codec import enc_utc
from journal_desktop.storage.database import Database, Row
from journal_desktop.storage.repositories.records import TradeRepository

# -- SQL fragments (fixed text; every value is bound) --------------------------------------------

#: The ten additive figures of a group, in `_Sums` order.
_AGGREGATES = """count(*),
    sum(t.net_pnl_e8 > 0),
    sum(t.net_pnl_e8 < 0),
    sum(t.net_pnl_e8),
    sum(t.gross_pnl_e8),
    sum(t.fees_e8),
    sum(CASE WHEN t.net_pnl_e8 > 0 THEN t.net_pnl_e8 ELSE 0 END),
    sum(CASE WHEN t.net_pnl_e8 < 0 THEN t.net_pnl_e8 ELSE 0 END),
    max(t.net_pnl_e8),
    min(t.net_pnl_e8)"""
_WIDTH = 10

#: Microseconds between open and close, exactly: whole seconds from unixepoch on the text cut
#: before the fraction (given the fraction, older SQLite rounds to milliseconds: 3.40 reads
#: 14:30:59.9996 as 14:31:00) plus the difference of the six fraction digits.
_HELD_US = (
    "((unixepoch(substr(t.closed_at, 1, 19)) - unixepoch(substr(t.opened_at, 1, 19))) * 1000000"
    " + (substr(t.closed_at, 21, 6) - substr(t.opened_at, 21, 6)))"
)
#: Lower bounds of the holding buckets in microseconds, in HoldingTime order (first is 0).
_HOLD_BOUNDS = tuple(int(h.lower / timedelta(microseconds=1)) for h in HoldingTime)
_HOLDING = list(HoldingTime)


class Slot(enum.Enum):
    """A UTC slot that SQL groups times by: (SQL expression on column `{c}`, slot length)."""

    DAY = ("substr({c}, 1, 10)", timedelta(days=1))
    HOUR = ("substr({c}, 1, 13)", timedelta(hours=1))
    QUARTER = ("substr({c}, 1, 14) || (substr({c}, 15, 2) / 15)", timedelta(minutes=15))
    INSTANT = ("{c}", timedelta(microseconds=1))

    def sql(self, column: str) -> str:
        return self.value[0].format(c=column)

    @property
    def length(self) -> timedelta:
        return self.value[1]

    def start(self, key: str) -> datetime:
        """The UTC start of the slot a key names."""
        if self is Slot.DAY:
            text = key + "T00:00:00"
        elif self is Slot.HOUR:
            text = key + ":00:00"
        elif self is Slot.QUARTER:
            text = f"{key[:14]}{int(key[14:]) * 15:02d}:00"
        else:
            text = key.removesuffix("Z")
        return datetime.fromisoformat(text).replace(tzinfo=UTC)

    def finer(self) -> Slot | None:
        order = list(Slot)
        index = order.index(self)
        return order[index + 1] if index + 1 < len(order) else None


def _first_slot(tz: tzinfo) -> Slot:
    """The coarsest slot that could work for `tz`, judged from its offsets this year."""
    year = datetime.now(UTC).year
    offsets = {
        datetime(year, month, 1, tzinfo=UTC).astimezone(tz).utcoffset() or timedelta(0)
        for month in (1, 7)
    }
    if offsets == {timedelta(0)}:
        return Slot.DAY
    if all(o % timedelta(hours=1) == timedelta(0) for o in offsets):
        return Slot.HOUR
    if all(o % timedelta(minutes=15) == timedelta(0) for o in offsets):
        return Slot.QUARTER
    return Slot.INSTANT


def _local_label(
    slot: Slot, key: str, tz: tzinfo, label: Callable[[datetime], Any]
) -> tuple[bool, Any]:
    """(whether the whole slot has one label, that label) for a slot key in `tz`."""
    first = slot.start(key)
    last = first + slot.length - timedelta(microseconds=1)
    local_first = first.astimezone(tz)
    local_last = last.astimezone(tz)
    uniform = local_first.utcoffset() == local_last.utcoffset() and label(local_first) == label(
        local_last
    )
    return uniform, label(local_first)


def _is_utc(tz: tzinfo) -> bool:
    return isinstance(tz, timezone) and tz.utcoffset(None) == timedelta(0)


# -- sums of a group, as integers --------------------------------------------------------------


def _e8(units: int) -> Decimal:
    return EXACT.scaleb(Decimal(units), -8)


class _Sums:
    """The ten figures of a group in 1e-8 units, added up across slots without rounding."""

    __slots__ = ("values",)

    def __init__(self, row: Sequence[Any] | None = None) -> None:
        self.values: list[Any] = list(row) if row is not None else [0] * 8 + [None, None]

    def add(self, row: Sequence[Any]) -> None:
        v = self.values
        for i in range(8):
            v[i] += row[i] or 0
        if row[8] is not None and (v[8] is None or row[8] > v[8]):
            v[8] = row[8]
        if row[9] is not None and (v[9] is None or row[9] < v[9]):
            v[9] = row[9]

    def bucket(self) -> BucketStats:
        count, wins, losses, net, gross, fees, sum_w, sum_l, high, low = self.values
        return BucketStats(
            count=int(count),
            wins=int(wins or 0),
            losses=int(losses or 0),
            net_pnl=_e8(net or 0),
            gross_pnl=_e8(gross or 0),
            fees=_e8(fees or 0),
            sum_wins=_e8(sum_w or 0),
            sum_losses=_e8(sum_l or 0),
            largest_win=_e8(high) if high is not None and high > 0 else None,
            largest_loss=_e8(low) if low is not None and low < 0 else None,
        )


def _add(groups: dict[Any, _Sums], key: Any, row: Sequence[Any]) -> None:
    sums = groups.get(key)
    if sums is None:
        groups[key] = _Sums(row)
    else:
        sums.add(row)


def _buckets(groups: Mapping[Any, _Sums], keys: Any) -> dict[Any, BucketStats]:
    return {k: groups[k].bucket() for k in keys if k in groups}


# -- the equity curve, built on demand ---------------------------------------------------------


class E8EquityCurve(Sequence[EquityPoint]):
    """The equity curve kept as close-time text and cumulative 1e-8 units.

    A dashboard plots a few hundred points of a 100,000-trade curve; building every
    (datetime, Decimal) pair up front would cost more than all the SQL. Points are built when
    read, and compare equal to any sequence of the same points.
    """

    __slots__ = ("_closes", "_equity")

    def __init__(self, closes: Sequence[str], equity_e8: Sequence[int]) -> None:
        self._closes = closes
        self._equity = equity_e8

    def __len__(self) -> int:
        return len(self._closes)

    @overload
    def __getitem__(self, index: int) -> EquityPoint: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[EquityPoint]: ...

    def __getitem__(self, index: int | slice) -> EquityPoint | Sequence[EquityPoint]:
        if isinstance(index, slice):
            return E8EquityCurve(self._closes[index], self._equity[index])
        return EquityPoint(datetime.fromisoformat(self._closes[index]), _e8(self._equity[index]))

    def __iter__(self) -> Iterator[EquityPoint]:
        for close, equity in zip(self._closes, self._equity, strict=True):
            yield EquityPoint(datetime.fromisoformat(close), _e8(equity))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"E8EquityCurve({len(self)} points)"


# -- the queries -------------------------------------------------------------------------------


def _where(flt: TradeFilter) -> tuple[str, list[Any]]:
    """The WHERE clause for closed, live trades matching the filter, and its bound values."""
    start, end = flt.close_range()
    # Without a date range the whole table is read anyway; in rowid order that is about 1.5x
    # faster than through the close-time index (`+` keeps the planner off the index).
    clauses = ["t.deleted = 0" if start or end else "+t.deleted = 0", "t.status = 'closed'"]
    params: list[Any] = []
    if start is not None:
        clauses.append("t.closed_at >= ?")
        params.append(enc_utc(start))
    if end is not None:
        clauses.append("t.closed_at < ?")
        params.append(enc_utc(end))
    if flt.account_ids is not None:
        clauses.append("t.account_id IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(sorted(str(i) for i in flt.account_ids)))
    if flt.instrument_ids is not None:
        clauses.append("t.instrument_id IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(sorted(str(i) for i in flt.instrument_ids)))
    if flt.tag_id is not None:
        clauses.append("EXISTS (SELECT 1 FROM json_each(t.tag_ids) WHERE value = ?)")
        params.append(str(flt.tag_id))
    return " AND ".join(clauses), params


#: The holding bucket index (0 = under a minute) from the exact held microseconds.
_HOLDING_INDEX = " + ".join(f"(held >= {bound})" for bound in _HOLD_BOUNDS[1:])


_ALL = TradeFilter()


class StatisticsQueries:
    """Statistics of the vault's closed trades, read with grouped SQL over the `*_e8` columns.

    Every method takes the same TradeFilter as the pure functions; every result equals what
    `compute_statistics` gives for the same trades (see the module docstring for the limits).
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- single figures ------------------------------------------------------------------------

    def totals(self, flt: TradeFilter = _ALL) -> BucketStats:
        where, params = _where(flt)
        row = self._db.query_one(f"SELECT {_AGGREGATES} FROM trades t WHERE {where}", params)
        assert row is not None
        return _Sums(row).bucket()

    def daily_pnl(self, flt: TradeFilter = _ALL, *, tz: tzinfo = UTC) -> dict[date, BucketStats]:
        """The daily series by local close date, oldest first."""
        daily, _ = self._calendar(flt, tz, with_hours=False)
        return _buckets(daily, sorted(daily))

    def by_weekday(self, flt: TradeFilter = _ALL, *, tz: tzinfo = UTC) -> dict[int, BucketStats]:
        """By local close date's weekday, 0 = Monday."""
        daily, _ = self._calendar(flt, tz, with_hours=False)
        weekdays: dict[int, _Sums] = {}
        for day, sums in daily.items():
            _add(weekdays, day.weekday(), sums.values)
        return _buckets(weekdays, sorted(weekdays))

    def by_hour(self, flt: TradeFilter = _ALL, *, tz: tzinfo = UTC) -> dict[int, BucketStats]:
        """By local hour of the open time."""
        _, hours = self._calendar(flt, tz, with_hours=True)
        return _buckets(hours, sorted(hours))

    def by_symbol(self, flt: TradeFilter = _ALL) -> dict[str, BucketStats]:
        symbols, _, _, _ = self._position(flt)
        return _buckets(symbols, sorted(symbols))

    def by_direction(self, flt: TradeFilter = _ALL) -> dict[TradeDirection, BucketStats]:
        _, directions, _, _ = self._position(flt)
        return _buckets(directions, TradeDirection)

    def by_setup(self, flt: TradeFilter = _ALL) -> dict[str, BucketStats]:
        _, _, setups, _ = self._position(flt)
        return _buckets(setups, sorted(setups))

    def by_holding_time(self, flt: TradeFilter = _ALL) -> dict[HoldingTime, BucketStats]:
        _, _, _, holding = self._position(flt)
        return _buckets(holding, HoldingTime)

    def by_tag(
        self, flt: TradeFilter = _ALL, tag_names: Mapping[uuid.UUID, str] | None = None
    ) -> dict[str, BucketStats]:
        """By tag name; a trade counts under each of its tags (unknown ids show as UUIDs)."""
        names = {str(k): v for k, v in (tag_names or {}).items()}
        where, params = _where(flt)
        rows = self._db.query(
            f"SELECT j.value, {_AGGREGATES} FROM trades t, json_each(t.tag_ids) j "
            f"WHERE t.tag_ids <> '[]' AND {where} GROUP BY j.value",
            params,
        )
        tags: dict[str, _Sums] = {}
        for row in rows:
            _add(tags, names.get(str(row[0]), str(row[0])), row[1:])
        return _buckets(tags, sorted(tags))

    # -- the whole set -------------------------------------------------------------------------

    def statistics(
        self,
        flt: TradeFilter = _ALL,
        *,
        tz: tzinfo = UTC,
        tag_names: Mapping[uuid.UUID, str] | None = None,
    ) -> Statistics:
        """Every figure of `compute_statistics`, in four reads of the table."""
        daily, hours = self._calendar(flt, tz, with_hours=True)
        totals = _Sums()
        weekdays: dict[int, _Sums] = {}
        for day, sums in daily.items():
            totals.add(sums.values)
            _add(weekdays, day.weekday(), sums.values)
        symbols, directions, setups, holding = self._position(flt)
        path = self._path(flt)
        return Statistics(
            totals=totals.bucket(),
            r=path.r,
            drawdown=path.drawdown,
            longest_win_streak=path.win_streak,
            longest_loss_streak=path.loss_streak,
            equity_curve=path.curve,
            daily=_buckets(daily, sorted(daily)),
            by_symbol=_buckets(symbols, sorted(symbols)),
            by_tag=self.by_tag(flt, tag_names),
            by_setup=_buckets(setups, sorted(setups)),
            by_weekday=_buckets(weekdays, sorted(weekdays)),
            by_hour=_buckets(hours, sorted(hours)),
            by_holding_time=_buckets(holding, HoldingTime),
            by_direction=_buckets(directions, TradeDirection),
            tz=tz,
        )

    def closed_trades(self, repository: TradeRepository, flt: TradeFilter = _ALL) -> list[Trade]:
        """The matching trades as records, for `compute_statistics` (the slow, full path)."""
        where, params = _where(flt)
        columns = ", ".join(f"t.{c}" for c in (*_META_COLUMNS, *_trade_fields(repository)))
        rows = self._db.query(f"SELECT {columns} FROM trades t WHERE {where}", params)
        return [repository.decode(row) for row in rows]

    # -- the reads -----------------------------------------------------------------------------

    def _calendar(
        self, flt: TradeFilter, tz: tzinfo, *, with_hours: bool
    ) -> tuple[dict[date, _Sums], dict[int, _Sums]]:
        """Sums by local close date and (optionally) by local open hour, in one read."""
        where, params = _where(flt)
        if _is_utc(tz):
            # Fixed-width UTC text: the date and the hour are plain substrings.
            open_key = "CAST(substr(t.opened_at, 12, 2) AS INTEGER)" if with_hours else "0"
            rows = self._db.query(
                f"SELECT substr(t.closed_at, 1, 10), {open_key}, {_AGGREGATES} "
                f"FROM trades t WHERE {where} GROUP BY 1, 2",
                params,
            )
            daily: dict[date, _Sums] = {}
            hours: dict[int, _Sums] = {}
            dates: dict[str, date] = {}
            for row in rows:
                day = dates.get(row[0])
                if day is None:
                    day = dates[row[0]] = date.fromisoformat(row[0])
                _add(daily, day, row[2:])
                if with_hours:
                    _add(hours, row[1], row[2:])
            return daily, hours
        close_slot: Slot | None = _first_slot(tz)
        open_slot: Slot | None = Slot.HOUR if close_slot is Slot.DAY else close_slot
        while close_slot is not None and open_slot is not None:
            open_sql = open_slot.sql("t.opened_at") if with_hours else "''"
            rows = self._db.query(
                f"SELECT {close_slot.sql('t.closed_at')}, {open_sql}, {_AGGREGATES} "
                f"FROM trades t WHERE {where} GROUP BY 1, 2",
                params,
            )
            result = _bucket_slots(rows, tz, close_slot, open_slot if with_hours else None)
            if isinstance(result, tuple):
                return result
            if result == "close":
                close_slot = close_slot.finer()
            else:
                open_slot = open_slot.finer()
        raise AssertionError("single instants always have one local date and hour")

    def _position(
        self, flt: TradeFilter
    ) -> tuple[
        dict[str, _Sums], dict[TradeDirection, _Sums], dict[str, _Sums], dict[HoldingTime, _Sums]
    ]:
        """Sums by symbol, direction, setup and holding bucket, in one read."""
        where, params = _where(flt)
        rows = self._db.query(
            f"""SELECT t.instrument_id, t.direction, t.setup, {_HOLDING_INDEX}, {_AGGREGATES}
            FROM (
                SELECT t.instrument_id, t.direction, t.setup,
                    {_HELD_US} AS held, t.net_pnl_e8, t.gross_pnl_e8, t.fees_e8
                FROM trades t
                WHERE {where}
                LIMIT -1  -- not flattened: held is computed once per trade, not per comparison
            ) AS t
            GROUP BY 1, 2, 3, 4""",
            params,
        )
        # Grouping by the id and naming it here is cheaper than joining every trade; ids with
        # the same symbol merge, and an id with no instrument row shows as itself.
        names = {str(r[0]): str(r[1]) for r in self._db.query("SELECT id, symbol FROM instruments")}
        symbols: dict[str, _Sums] = {}
        directions: dict[TradeDirection, _Sums] = {}
        setups: dict[str, _Sums] = {}
        holding: dict[HoldingTime, _Sums] = {}
        for row in rows:
            sums = row[4:]
            _add(symbols, names.get(row[0], row[0]), sums)
            _add(directions, TradeDirection(row[1]), sums)
            _add(setups, row[2], sums)
            _add(holding, _HOLDING[row[3]], sums)
        return symbols, directions, setups, holding

    def _path(self, flt: TradeFilter) -> _Path:
        """The order-dependent figures from one compact row per trade.

        Rows come in table order and are sorted here by close time (Python's sort is several
        times faster than SQLite's sorter on this); trades that close at the same microsecond
        are put in open-time, id order by a second small query.
        """
        where, params = _where(flt)
        rows = self._db.query(
            f"SELECT t.closed_at, t.net_pnl_e8, t.initial_risk FROM trades t WHERE {where}",
            params,
        )
        rows.sort(key=operator.itemgetter(0))
        closes = [row[0] for row in rows]
        tied = sorted({a for a, b in itertools.pairwise(closes) if a == b})
        if tied:
            rows = self._untie(rows, tied, where, params)
        nets = [row[1] for row in rows]
        amount, peak = largest_fall(nets, 0)
        win_streak, loss_streak = streaks_of((n > 0) - (n < 0) for n in nets)
        # R = (net units * 1e-8) / risk = net units / (risk * 1e8): the same rational, so the
        # same correctly rounded quotient as `r_multiple`, with one Decimal fewer per trade.
        divide, scale = QUOTIENT.divide, EXACT.scaleb
        r_values = [
            divide(net, scale(Decimal(risk), 8)) for _, net, risk in rows if risk is not None
        ]
        return _Path(
            curve=E8EquityCurve([row[0] for row in rows], list(itertools.accumulate(nets))),
            drawdown=make_drawdown(_e8(amount), _e8(peak), any_trades=bool(rows)),
            win_streak=win_streak,
            loss_streak=loss_streak,
            r=r_stats_of(r_values),
        )

    def _untie(self, rows: list[Row], tied: list[str], where: str, params: list[Any]) -> list[Row]:
        ordered = self._db.query(
            f"SELECT t.closed_at, t.net_pnl_e8, t.initial_risk FROM trades t "
            f"WHERE {where} AND t.closed_at IN (SELECT value FROM json_each(?)) "
            "ORDER BY t.closed_at, t.opened_at, t.id",
            [*params, json.dumps(tied)],
        )
        in_order: dict[str, list[Row]] = {}
        for row in ordered:
            in_order.setdefault(row[0], []).append(row)
        result: list[Row] = []
        for close, group in itertools.groupby(rows, key=operator.itemgetter(0)):
            result.extend(in_order.get(close) or group)
        return result


class _Path(NamedTuple):
    curve: E8EquityCurve
    drawdown: Drawdown
    win_streak: int
    loss_streak: int
    r: RStats


_META_COLUMNS = ("id", "version", "deleted", "stamps", "updated_hlc")


def _trade_fields(repository: TradeRepository) -> tuple[str, ...]:
    return tuple(column.field for column in repository.columns)


def _bucket_slots(
    rows: list[Row], tz: tzinfo, close_slot: Slot, open_slot: Slot | None
) -> tuple[dict[date, _Sums], dict[int, _Sums]] | str:
    """Local dates and hours of each slot pair, or the side ("close", "open") to cut finer."""
    daily: dict[date, _Sums] = {}
    hours: dict[int, _Sums] = {}
    close_labels: dict[str, date] = {}
    open_labels: dict[str, int] = {}
    for row in rows:
        close_key, open_key = row[0], row[1]
        day = close_labels.get(close_key)
        if day is None:
            uniform, day = _local_label(close_slot, close_key, tz, datetime.date)
            if not uniform:
                return "close"
            close_labels[close_key] = day
        _add(daily, day, row[2:])
        if open_slot is None:
            continue
        hour = open_labels.get(open_key)
        if hour is None:
            uniform, hour = _local_label(open_slot, open_key, tz, operator.attrgetter("hour"))
            if not uniform:
                return "open"
            open_labels[open_key] = hour
        _add(hours, hour, row[2:])
    return daily, hours
