"""The dashboard's statistics from SQL, equal to `domain.statistics` to the last digit.

Money is summed on the integer `*_e8` columns (units of 1e-8), so the sums are exact and turn
back into Decimals with `scaleb(-8)`; the figures equal the pure functions' for any trade whose
amounts have at most 8 decimal places (the columns round beyond that). SQLite refuses (integer
overflow, reported as a VaultError) a total beyond +-92,233,720,368.54775807.

Where the time goes, and why the full set is one read:

- Reading the wide trade rows is most of any query, and each GROUP BY adds a sort of every
  trade; handing 100,000 rows to Python as tuples costs as much again. So `statistics()` reads
  the table once and gets each needed column back as one `group_concat` string: close time,
  net, gross, fees, risk, tag list, instrument, setup, and a small integer combining
  direction, holding bucket and local open hour (both worked out in SQL).
- In close order (the close-time index usually delivers it; it is checked, not trusted) the
  trades give the equity curve, drawdown, streaks and R-multiples, and come in runs of one
  local day, summed at C level into the daily series; totals and weekdays add up the days.
- Breakdowns group positions by key (one dict lookup per trade) and sum each group with
  C-level gathers; direction, holding time and hour share one grouping of their combined key.
- `totals()` alone is one aggregate query; the other single-figure methods read like
  `statistics()`, so call that once when several figures are needed.

Time zones: the local open hour is computed in SQL from the zone's UTC offset, written as a
CASE over the offset changes found between the first and last open in the vault (bisected to
the microsecond); local close dates come from each day's first instant (`start_of_day`) and a
bisection of the sorted close times. A day whose first and last trade differ in offset (a DST
change) is bucketed trade by trade. Both assume a zone changes its offset at most once a day,
which holds throughout the tz database.
"""

from __future__ import annotations

import bisect
import itertools
import json
import operator
import uuid
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar, overload

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
    start_of_day,
    streaks_of,
)
from journal_desktop.storage.codec import enc_utc
from journal_desktop.storage.database import Database, Row
from journal_desktop.storage.repositories.records import TradeRepository

T = TypeVar("T")

# -- SQL fragments (fixed text; every value is bound) --------------------------------------------

#: The ten figures of a group, in `_Sums` order, over rows that have the trades' e8 columns.
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

#: Microseconds between open and close, exactly: whole seconds from unixepoch on the text cut
#: before the fraction (given the fraction, older SQLite rounds to milliseconds: 3.40 reads
#: 14:30:59.9996 as 14:31:00) plus the difference of the six fraction digits.
_HELD_US = (
    "((unixepoch(substr(t.closed_at, 1, 19)) - unixepoch(substr(t.opened_at, 1, 19))) * 1000000"
    " + (substr(t.closed_at, 21, 6) - substr(t.opened_at, 21, 6)))"
)
_HOLDING = list(HoldingTime)
#: The holding bucket index (0 = under a minute) from `held`; each bucket includes its bound.
_HOLDING_INDEX = " + ".join(
    f"(held >= {h.lower // timedelta(microseconds=1)})" for h in _HOLDING[1:]
)

#: Microseconds since UTC midnight of the open time (fixed-width text).
_OPEN_US_OF_DAY = (
    "(substr(t.opened_at, 12, 2) * 3600000000 + substr(t.opened_at, 15, 2) * 60000000"
    " + substr(t.opened_at, 18, 2) * 1000000 + substr(t.opened_at, 21, 6))"
)
_HOUR_US = 3_600_000_000
#: Added before dividing so a negative offset never makes the dividend negative.
_TWO_DAYS_US = 2 * 86_400_000_000


def _where(flt: TradeFilter, *, close_index: bool = False) -> tuple[str, list[Any]]:
    """The WHERE clause for closed, live trades matching the filter, and its bound values.

    Without a date range the whole table is read anyway, and in rowid order that is about 1.5x
    faster than through the close-time index (`+` keeps the planner off it), unless the rows
    are wanted in close order (`close_index`).
    """
    start, end = flt.close_range()
    use_index = close_index or start is not None or end is not None
    clauses = ["t.deleted = 0" if use_index else "+t.deleted = 0", "t.status = 'closed'"]
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


# -- sums of a group, as integers --------------------------------------------------------------


def _e8(units: int) -> Decimal:
    return EXACT.scaleb(Decimal(units), -8)


#: C-level tests for `filter`: (0).__lt__(n) is 0 < n.
_POSITIVE = (0).__lt__
_NEGATIVE = (0).__gt__


class _Sums:
    """A group's figures in 1e-8 units: count, wins, losses, net, gross, fees, sum of wins,
    sum of losses, largest net, smallest net. Adds up across groups without rounding."""

    __slots__ = ("values",)

    def __init__(self, row: Sequence[Any] | None = None) -> None:
        self.values: list[Any] = list(row) if row is not None else [0] * 8 + [None, None]

    @classmethod
    def of_run(cls, nets: Sequence[int], gross: int, fees: int) -> _Sums:
        """The figures of some trades from their nets and their gross and fee totals."""
        wins = list(filter(_POSITIVE, nets))
        losses = list(filter(_NEGATIVE, nets))
        return cls(
            (
                len(nets),
                len(wins),
                len(losses),
                sum(nets),
                gross,
                fees,
                sum(wins),
                sum(losses),
                max(wins, default=None),
                min(losses, default=None),
            )
        )

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


# -- one read of every column the figures need ----------------------------------------------------


class _Columns(NamedTuple):
    """One list per column, aligned: the i-th entries describe the same trade."""

    closes: list[str]
    nets: list[int]
    gross: list[int]
    fees: list[int]
    #: Initial risk as stored (canonical decimal text), "" where none was set.
    risks: list[str]
    tag_ids: list[str]
    instruments: list[str]
    setups: list[str]
    #: (direction index * 8 + holding bucket index) * 24 + local open hour, one small int.
    shapes: list[int]

    def at(self, positions: Sequence[int]) -> _Sums:
        """The figures of the trades at these positions (C-level gathers and sums)."""
        return _Sums.of_run(
            list(map(self.nets.__getitem__, positions)),
            sum(map(self.gross.__getitem__, positions)),
            sum(map(self.fees.__getitem__, positions)),
        )


_NO_COLUMNS = _Columns([], [], [], [], [], [], [], [], [])


class _InOrder(NamedTuple):
    """The columns the order-dependent figures need, in (close, open, id) order."""

    closes: Sequence[str]
    nets: Sequence[int]
    gross: Sequence[int]
    fees: Sequence[int]
    risks: Sequence[str]


def _ints(text: str) -> list[int]:
    """Comma-separated integers: the C JSON parser reads them about 2x faster than split+int."""
    values: list[int] = json.loads(f"[{text}]")
    return values


def _group(keys: Sequence[Any]) -> dict[Any, list[int]]:
    """Positions by key: one dict lookup and append per trade, the cheapest grouping here."""
    groups: dict[Any, list[int]] = {}
    for position, key in enumerate(keys):
        positions = groups.get(key)
        if positions is None:
            groups[key] = [position]
        else:
            positions.append(position)
    return groups


def _daily_runs(trades: _InOrder, tz: tzinfo) -> dict[date, _Sums]:
    """Sums per local close date, from the runs of one day in the sorted close times."""
    closes = trades.closes
    if not closes:
        return {}
    first = datetime.fromisoformat(closes[0]).astimezone(tz).date()
    last = datetime.fromisoformat(closes[-1]).astimezone(tz).date()
    fixed = isinstance(tz, timezone)
    days: dict[date, _Sums] = {}
    start = 0
    day = first
    while start < len(closes):
        following = day + timedelta(days=1)
        end = (
            len(closes)
            if day >= last
            else bisect.bisect_left(closes, enc_utc(start_of_day(following, tz)), lo=start)
        )
        if end > start:
            if fixed or _one_day(closes[start], closes[end - 1], day, tz):
                days[day] = _Sums.of_run(
                    trades.nets[start:end],
                    sum(trades.gross[start:end]),
                    sum(trades.fees[start:end]),
                )
            else:  # the offset changes within the day (DST): each trade on its own
                for i in range(start, end):
                    local = datetime.fromisoformat(closes[i]).astimezone(tz).date()
                    single = _Sums.of_run([trades.nets[i]], trades.gross[i], trades.fees[i])
                    _add(days, local, single.values)
        start = end
        day = following
    return dict(sorted(days.items()))


def _one_day(first_close: str, last_close: str, day: date, tz: tzinfo) -> bool:
    """Whether a run's first and last trade both fall on `day` at the same UTC offset."""
    a = datetime.fromisoformat(first_close).astimezone(tz)
    b = datetime.fromisoformat(last_close).astimezone(tz)
    return a.date() == day == b.date() and a.utcoffset() == b.utcoffset()


# -- time zone offsets, for SQL --------------------------------------------------------------------


def _offset_us(tz: tzinfo, at: datetime) -> int:
    offset = at.astimezone(tz).utcoffset() or timedelta(0)
    return offset // timedelta(microseconds=1)


def offset_segments(tz: tzinfo, first: datetime, last: datetime) -> list[tuple[datetime, int]]:
    """[(from, offset in µs)]: the zone's offset from each instant until the next one.

    Found by comparing the offset at successive UTC midnights from `first` to `last` and
    bisecting each change to the microsecond (a zone that changes and changes back within one
    day would be missed; the tz database has none).
    """
    segments = [(first, _offset_us(tz, first))]
    probe = first
    while probe < last:
        following = min(
            datetime.combine(probe.date() + timedelta(days=1), datetime.min.time(), UTC), last
        )
        offset = _offset_us(tz, following)
        if offset != segments[-1][1]:
            low, high = probe, following  # offset(low) is the old one, offset(high) the new
            while high - low > timedelta(microseconds=1):
                middle = low + (high - low) // 2
                if _offset_us(tz, middle) == offset:
                    high = middle
                else:
                    low = middle
            segments.append((high, offset))
        probe = following
    return segments


# -- the queries -------------------------------------------------------------------------------

_ALL = TradeFilter()

#: What one read hands over, per trade; every expression is text without commas except the
#: tag lists (joined with ";", which UUIDs never hold) and setups (a JSON array: free text).
_READ_COLUMNS = (
    "group_concat(t.closed_at)",
    "group_concat(t.net_pnl_e8)",
    "group_concat(t.gross_pnl_e8)",
    "group_concat(t.fees_e8)",
    "group_concat(t.risk)",
    "group_concat(t.tag_ids, ';')",
    "group_concat(t.instrument_id)",
    "json_group_array(t.setup)",
    f"group_concat(((t.direction = 'short') * {len(_HOLDING)} + {_HOLDING_INDEX}) * 24 + t.hour)",
)


class StatisticsQueries:
    """Statistics of the vault's closed trades, from SQL over the `*_e8` columns.

    Every method takes the same TradeFilter as the pure functions, and every result equals what
    `compute_statistics` gives for the same trades (see the module docstring for the limits).
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- single figures ------------------------------------------------------------------------

    def totals(self, flt: TradeFilter = _ALL) -> BucketStats:
        """Count, sums and extremes in one aggregate query (no per-trade data leaves SQL)."""
        where, params = _where(flt)
        row = self._db.query_one(f"SELECT {_AGGREGATES} FROM trades t WHERE {where}", params)
        assert row is not None
        return _Sums(row).bucket()

    def daily_pnl(self, flt: TradeFilter = _ALL, *, tz: tzinfo = UTC) -> Mapping[date, BucketStats]:
        """The daily series by local close date, oldest first."""
        return self.statistics(flt, tz=tz).daily

    def by_weekday(self, flt: TradeFilter = _ALL, *, tz: tzinfo = UTC) -> Mapping[int, BucketStats]:
        """By the weekday of the local close date, 0 = Monday."""
        return self.statistics(flt, tz=tz).by_weekday

    def by_hour(self, flt: TradeFilter = _ALL, *, tz: tzinfo = UTC) -> Mapping[int, BucketStats]:
        """By the local hour of the open time."""
        return self.statistics(flt, tz=tz).by_hour

    def by_symbol(self, flt: TradeFilter = _ALL) -> Mapping[str, BucketStats]:
        return self.statistics(flt).by_symbol

    def by_direction(self, flt: TradeFilter = _ALL) -> Mapping[TradeDirection, BucketStats]:
        return self.statistics(flt).by_direction

    def by_setup(self, flt: TradeFilter = _ALL) -> Mapping[str, BucketStats]:
        return self.statistics(flt).by_setup

    def by_holding_time(self, flt: TradeFilter = _ALL) -> Mapping[HoldingTime, BucketStats]:
        return self.statistics(flt).by_holding_time

    def by_tag(
        self, flt: TradeFilter = _ALL, tag_names: Mapping[uuid.UUID, str] | None = None
    ) -> Mapping[str, BucketStats]:
        """By tag name; a trade counts under each of its tags (unknown ids show as UUIDs)."""
        return self.statistics(flt, tag_names=tag_names).by_tag

    # -- the whole set -------------------------------------------------------------------------

    def statistics(
        self,
        flt: TradeFilter = _ALL,
        *,
        tz: tzinfo = UTC,
        tag_names: Mapping[uuid.UUID, str] | None = None,
    ) -> Statistics:
        """Every figure of `compute_statistics`, from one read of the trades table."""
        columns, where, params = self._read(flt, tz)
        in_order = self._in_close_order(columns, where, params)
        directions, holding, hours = _by_shape(columns)
        daily = _daily_runs(in_order, tz)
        totals = _Sums()
        weekdays: dict[int, _Sums] = {}
        for day, sums in daily.items():
            totals.add(sums.values)
            _add(weekdays, day.weekday(), sums.values)
        path = _path_figures(in_order)
        return Statistics(
            totals=totals.bucket(),
            r=path.r,
            drawdown=path.drawdown,
            longest_win_streak=path.win_streak,
            longest_loss_streak=path.loss_streak,
            equity_curve=path.curve,
            daily=_buckets(daily, daily),
            by_symbol=self._by_symbol(columns),
            by_tag=_by_tag(columns, tag_names or {}),
            by_setup=_by_key(columns, columns.setups),
            by_weekday=_buckets(weekdays, sorted(weekdays)),
            by_hour=hours,
            by_holding_time=holding,
            by_direction=directions,
            tz=tz,
        )

    def closed_trades(self, repository: TradeRepository, flt: TradeFilter = _ALL) -> list[Trade]:
        """The matching trades as records, for `compute_statistics` (the slow, full path)."""
        where, params = _where(flt)
        fields = (*_META_COLUMNS, *(column.field for column in repository.columns))
        columns = ", ".join(f"t.{name}" for name in fields)
        rows = self._db.query(f"SELECT {columns} FROM trades t WHERE {where}", params)
        return [repository.decode(row) for row in rows]

    # -- the read ------------------------------------------------------------------------------

    def _read(self, flt: TradeFilter, tz: tzinfo) -> tuple[_Columns, str, list[Any]]:
        """Every column the figures need, for every matching trade, in one read.

        Each column comes back as one `group_concat` string (a string per column, not a tuple
        per row, is what makes 100,000 trades cheap to hand over). An aggregate step feeds all
        of them the same row, so the lists line up. The holding bucket and the local open hour
        are worked out in SQL; the inner query is kept a subquery (LIMIT -1) so each is
        computed once per trade. Reading through the close-time index usually hands the
        trades over already in close order; `_in_close_order` checks rather than trusts that.
        """
        where, params = _where(flt, close_index=True)
        hour_sql, hour_params = self._local_hour_sql(tz)
        row = self._db.query_one(
            f"""SELECT count(*), {", ".join(_READ_COLUMNS)}
            FROM (
                SELECT t.closed_at, t.net_pnl_e8, t.gross_pnl_e8, t.fees_e8,
                    coalesce(t.initial_risk, '') AS risk, t.tag_ids, t.instrument_id,
                    t.direction, t.setup, {_HELD_US} AS held, {hour_sql} AS hour
                FROM trades t
                WHERE {where}
                LIMIT -1
            ) AS t""",
            [*hour_params, *params],
        )
        if row is None or not row[0]:
            return _NO_COLUMNS, where, params
        columns = _Columns(
            closes=row[1].split(","),
            nets=_ints(row[2]),
            gross=_ints(row[3]),
            fees=_ints(row[4]),
            risks=row[5].split(","),
            tag_ids=row[6].split(";"),
            instruments=row[7].split(","),
            setups=json.loads(row[8]),
            shapes=_ints(row[9]),
        )
        return columns, where, params

    def _in_close_order(self, columns: _Columns, where: str, params: list[Any]) -> _InOrder:
        """The order-dependent columns sorted by (close, open, id).

        Sorted here only if they did not arrive sorted. Trades that close at the same
        microsecond (common with brokers that report whole seconds) are interchangeable except
        for their values, so each such run takes its values, in open-time and id order, from a
        small query over just those close times.
        """
        closes = columns.closes
        order: list[int] | None = None
        if not all(map(operator.le, closes, itertools.islice(closes, 1, None))):
            order = sorted(range(len(closes)), key=closes.__getitem__)
        if order is None:
            trades = _InOrder(closes, columns.nets, columns.gross, columns.fees, columns.risks)
        else:
            trades = _InOrder(
                _permuted(closes, order),
                _permuted(columns.nets, order),
                _permuted(columns.gross, order),
                _permuted(columns.fees, order),
                _permuted(columns.risks, order),
            )
        tied = sorted({a for a, b in itertools.pairwise(trades.closes) if a == b})
        if not tied:
            return trades
        runs: dict[str, list[Row]] = {}
        for row in self._db.query(
            "SELECT t.closed_at, t.net_pnl_e8, t.gross_pnl_e8, t.fees_e8, "
            f"coalesce(t.initial_risk, '') FROM trades t WHERE {where} "
            "AND t.closed_at IN (SELECT value FROM json_each(?)) "
            "ORDER BY t.closed_at, t.opened_at, t.id",
            [*params, json.dumps(tied)],
        ):
            runs.setdefault(row[0], []).append(row)
        rows = list(zip(*trades, strict=True))
        untied: list[tuple[Any, ...]] = []
        for close, run in itertools.groupby(rows, key=operator.itemgetter(0)):
            untied.extend(runs.get(close) or run)
        return _InOrder(*(list(column) for column in zip(*untied, strict=True)))

    def _by_symbol(self, columns: _Columns) -> dict[str, BucketStats]:
        """By symbol: instruments grouped by id, then ids that share a symbol merged."""
        names = {str(r[0]): str(r[1]) for r in self._db.query("SELECT id, symbol FROM instruments")}
        by_symbol: dict[str, list[int]] = {}
        for instrument, positions in _group(columns.instruments).items():
            by_symbol.setdefault(names.get(instrument, instrument), []).extend(positions)
        return {symbol: columns.at(by_symbol[symbol]).bucket() for symbol in sorted(by_symbol)}

    def _local_hour_sql(self, tz: tzinfo) -> tuple[str, list[Any]]:
        """SQL for the local hour (0-23) of `t.opened_at` in `tz`, and its bound values."""
        if isinstance(tz, timezone):
            segments = [(datetime.min.replace(tzinfo=UTC), _offset_us(tz, datetime.now(UTC)))]
        else:
            # The open times of every trade (an index read): a superset of the filter's.
            row = self._db.query_one("SELECT min(opened_at), max(opened_at) FROM trades")
            if row is None or row[0] is None:
                return "0", []
            first, last = (datetime.fromisoformat(v) for v in row)
            segments = offset_segments(tz, first, last)
        if len(segments) == 1 and segments[0][1] == 0:
            return "CAST(substr(t.opened_at, 12, 2) AS INTEGER)", []
        params: list[Any] = []
        if len(segments) == 1:
            offset_sql = "?"
            params.append(segments[0][1])
        else:
            branches = []
            for (_, offset), (following, _) in itertools.pairwise(segments):
                branches.append("WHEN t.opened_at < ? THEN ?")
                params.extend((enc_utc(following), offset))
            offset_sql = f"CASE {' '.join(branches)} ELSE ? END"
            params.append(segments[-1][1])
        return (
            f"(({_OPEN_US_OF_DAY} + {offset_sql} + {_TWO_DAYS_US}) / {_HOUR_US}) % 24",
            params,
        )


def _permuted(column: Sequence[T], order: Sequence[int]) -> list[T]:
    return list(map(column.__getitem__, order))


def _by_key(columns: _Columns, keys: Sequence[str]) -> dict[str, BucketStats]:
    """A breakdown by one text column: positions grouped by key, each group summed at C level."""
    groups = _group(keys)
    return {key: columns.at(groups[key]).bucket() for key in sorted(groups)}


def _by_shape(
    columns: _Columns,
) -> tuple[
    dict[TradeDirection, BucketStats], dict[HoldingTime, BucketStats], dict[int, BucketStats]
]:
    """Direction, holding time and open hour from one grouping of their combined key.

    At most 2 * 8 * 24 groups are summed over the trades once, then added up three ways,
    instead of three passes over every trade.
    """
    directions: dict[TradeDirection, _Sums] = {}
    holding: dict[HoldingTime, _Sums] = {}
    hours: dict[int, _Sums] = {}
    for shape, positions in _group(columns.shapes).items():
        sums = columns.at(positions).values
        rest, hour = divmod(shape, 24)
        direction, hold = divmod(rest, len(_HOLDING))
        _add(directions, _DIRECTIONS[direction], sums)
        _add(holding, _HOLDING[hold], sums)
        _add(hours, hour, sums)
    return (
        _buckets(directions, TradeDirection),
        _buckets(holding, HoldingTime),
        _buckets(hours, sorted(hours)),
    )


_DIRECTIONS = (TradeDirection.LONG, TradeDirection.SHORT)


def _tag_list(text: str) -> list[str]:
    """The ids in a stored tag list. The codec writes `["id", "id"]` (json.dumps), which
    slicing reads 7x faster than json.loads; anything else is read as JSON."""
    ids = text[2:-2].split('", "')
    if text[:2] == '["' and text[-2:] == '"]' and all(len(i) == 36 for i in ids):
        return ids
    return [str(i) for i in json.loads(text)]


def _by_tag(columns: _Columns, tag_names: Mapping[uuid.UUID, str]) -> dict[str, BucketStats]:
    """By tag name; a trade counts under each of its tags (unknown ids show as UUIDs)."""
    names = {str(k): v for k, v in tag_names.items()}
    by_tag: dict[str, list[int]] = {}
    # Trades share a few tag lists: group by the stored text, then read each list once.
    for text, positions in _group(columns.tag_ids).items():
        if text != "[]":
            for tag_id in _tag_list(text):
                by_tag.setdefault(names.get(tag_id, tag_id), []).extend(positions)
    return {name: columns.at(sorted(by_tag[name])).bucket() for name in sorted(by_tag)}


class _Path(NamedTuple):
    curve: E8EquityCurve
    drawdown: Drawdown
    win_streak: int
    loss_streak: int
    r: RStats


def _path_figures(trades: _InOrder) -> _Path:
    """Equity curve, drawdown, streaks and R-multiples of the trades in close order."""
    nets = trades.nets
    amount, peak = largest_fall(nets, 0)
    win_streak, loss_streak = streaks_of(nets)
    # net units / risk is R * 1e8: the same digits as `r_multiple` gives (rounding to
    # significant digits commutes with powers of ten); r_stats_of scales the sums back.
    divide = QUOTIENT.divide
    r_scaled = [
        divide(net, Decimal(risk)) for net, risk in zip(nets, trades.risks, strict=True) if risk
    ]
    equity = list(itertools.accumulate(nets))
    return _Path(
        curve=E8EquityCurve(trades.closes, equity),
        drawdown=make_drawdown(_e8(amount), _e8(peak), any_trades=bool(nets)),
        win_streak=win_streak,
        loss_streak=loss_streak,
        r=r_stats_of(r_scaled, scale=8),
    )


#: The columns every record table starts with (the order `RecordRepository.decode` reads).
_META_COLUMNS = ("id", "version", "deleted", "stamps", "updated_hlc")
