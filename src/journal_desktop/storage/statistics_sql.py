"""The dashboard's statistics from SQL, equal to `domain.statistics` to the last digit.

Money is summed on the integer `*_e8` columns (units of 1e-8), so the sums are exact and turn
back into Decimals with `scaleb(-8)`; the figures equal the pure functions' for any trade whose
amounts have at most 8 decimal places (the columns round beyond that). SQLite refuses (integer
overflow, reported as a VaultError) a total beyond +-92,233,720,368.54775807.

Where the time goes, and why the full set is one read of `trade_facts` (measured on the
benchmark's 100,000 trades, warm cache, against one aggregate query over `trades`, about 65 ms;
see benchmarks/statistics_bench.py):

- Reading the wide trade rows (notes, fills, stamps: about a kilobyte each) is most of any
  query, and each GROUP BY adds a sort of every trade; handing 100,000 rows to Python as tuples
  costs several times the read. So `statistics()` reads `trade_facts` (schemas 3 and 5: one
  short integer row per live closed trade, kept in step with `trades` by triggers; see
  statistics_facts.py) once, in storage order, and gets each needed column back as one
  `group_concat` string: close and open time (µs), net, gross, fees, the risks set, and the
  instrument, setup and tag-list keys with the direction and "has a risk" packed in one number.
  That read costs about 1.2x the aggregate; the same columns from the wide rows (times as text,
  instrument, setup and tags as text to number in Python) cost 2x, and were the whole set's
  floor before schema 3. A fact that is not all numbers (a time the codec would not write, a
  missing account or instrument row) or keys that do not pack into int64 send the read to
  `trades` instead, as before.
- numpy does the rest: the money is int64 arrays of 1e-8 units. Each breakdown sums the trades'
  net, gross, fees, wins and losses per integer code in place (`ufunc.at`, no sort), so every
  sum stays an exact integer; when n * max|amount| could pass 2**61 the arrays hold Python ints
  instead and are grouped by sorting (slower, still exact). Money becomes Decimal only in the
  finished buckets (`EXACT.scaleb` on the int).
- Close order (close, open, id) is a lexsort of the two times; trades that tie on both are told
  apart by id, read for just those trades. The equity curve is a cumulative sum, the drawdown a
  running maximum, a streak the widest gap between the trades that end it. R-multiples are the
  one per-trade Decimal work (a quotient each, correctly rounded, as the pure path does, then
  exact sums of R and R**2 for SQN): about 0.5x the aggregate, the largest part after the read.
  No trigger can store them (SQL has no 28-digit decimal division), so they stay computed.
- Keys with few values (direction, holding bucket, local open hour) share one grouping of their
  combined key; the keys of text (instrument, setup, tag list) are read as numbers and named
  once per distinct key.
- `totals()` alone is one aggregate query; the other single-figure methods read like
  `statistics()`, so call that once when several figures are needed.

Time zones: each trade's local close date and local open hour come from the zone's UTC
offset at that instant, taken from the offset changes found between the first and last time
read (`offset_segments`, bisected to the microsecond). That assumes a zone changes its
offset at most once a day, which holds throughout the tz database.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar, overload

from journal_desktop.domain.records import Trade, TradeDirection
from journal_desktop.domain.statistics import (
    EXACT,
    QUOTIENT,
    BucketStats,
    EquityPoint,
    HoldingTime,
    RStats,
    Statistics,
    TradeFilter,
    compute_statistics,
    make_drawdown,
    r_stats_of,
)
from journal_desktop.storage.codec import enc_utc
from journal_desktop.storage.database import Database
from journal_desktop.storage.repositories.records import TradeRepository
from journal_desktop.storage.statistics_facts import FactsRead

if TYPE_CHECKING:
    from numpy.typing import NDArray

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

_HOUR_US = 3_600_000_000


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
    return EXACT.scaleb(units, -8)


class _Sums:
    """A group's figures in 1e-8 units: count, wins, losses, net, gross, fees, sum of wins,
    sum of losses, largest net, smallest net. Adds up across groups without rounding."""

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
        e8 = EXACT.scaleb  # takes the int itself: no Decimal() or Python frame per figure
        return BucketStats(
            int(count),
            int(wins or 0),
            int(losses or 0),
            e8(net or 0, -8),
            e8(gross or 0, -8),
            e8(fees or 0, -8),
            e8(sum_w or 0, -8),
            e8(sum_l or 0, -8),
            e8(high, -8) if high is not None and high > 0 else None,
            e8(low, -8) if low is not None and low < 0 else None,
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

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _instant(value: Any) -> datetime:
    """A close time as stored (UTC text) or as microseconds since 1970, as an aware UTC time."""
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    return _EPOCH + int(value) * _MICROSECOND


class E8EquityCurve(Sequence[EquityPoint]):
    """The equity curve kept as close times (UTC text or microseconds since 1970) and
    cumulative 1e-8 units.

    A dashboard plots a few hundred points of a 100,000-trade curve; building every
    (datetime, Decimal) pair up front would cost more than all the SQL. Points are built when
    read, and compare equal to any sequence of the same points.
    """

    __slots__ = ("_closes", "_equity")

    def __init__(
        self, closes: Sequence[Any] | IntArray, equity_e8: Sequence[Any] | IntArray
    ) -> None:
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
        return EquityPoint(_instant(self._closes[index]), _e8(int(self._equity[index])))

    def __iter__(self) -> Iterator[EquityPoint]:
        for close, equity in zip(self._closes, self._equity, strict=True):
            yield EquityPoint(_instant(close), _e8(int(equity)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"E8EquityCurve({len(self)} points)"


# -- one read of every column the figures need ----------------------------------------------------

#: What one read hands over, per trade, each column as one `group_concat` string: the times
#: (fixed-width UTC text), the money in 1e-8 units, the risks set and those trades' nets, the tag
#: lists (joined with ";", which UUIDs never hold), instruments, setups (a JSON array: free
#: text), the direction as one digit, and the rowid (to name trades that tie in close order).
_READ = """SELECT count(*),
    group_concat(t.closed_at), group_concat(t.opened_at),
    group_concat(t.net_pnl_e8), group_concat(t.gross_pnl_e8), group_concat(t.fees_e8),
    group_concat(t.initial_risk),
    group_concat(CASE WHEN t.initial_risk IS NOT NULL THEN t.net_pnl_e8 END),
    group_concat(t.tag_ids, ';'),
    group_concat(t.instrument_id), json_group_array(t.setup),
    group_concat(t.direction = 'short', ''), group_concat(t.rowid)
FROM trades t
WHERE {where}"""

_US_PER_DAY = 86_400_000_000
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_HOLDING = tuple(HoldingTime)
_HOLDING_LOWER_US = tuple(h.lower // _MICROSECOND for h in _HOLDING)
_DIRECTIONS = (TradeDirection.LONG, TradeDirection.SHORT)
#: `YYYY-MM-DDTHH:MM:SS.ffffffZ` and the comma group_concat puts after it.
_STAMP_WIDTH = 28
#: Sums of int64 units are exact while n * max|value| stays below this (falls and peaks of
#: the equity curve are differences of such sums); beyond it the arrays hold Python ints.
_INT64_SAFE = 2**61

IntArray: TypeAlias = "NDArray[Any]"

# numpy is imported where it is used: it takes 0.2-0.3 s to import, which the app's start-up
# and the command line's other commands should not pay.


def _micros(text: str, count: int) -> IntArray:
    """Microseconds since 1970 of `count` comma-joined UTC times as the codec writes them.

    Text in exactly that fixed-width shape is parsed by numpy's ISO reader (in C); anything
    else is read one value at a time.
    """
    import numpy as np

    raw = np.frombuffer(text.encode("ascii", "replace") + b",", dtype=np.uint8)
    if raw.size == count * _STAMP_WIDTH:
        cells = raw.reshape(count, _STAMP_WIDTH)
        if (cells[:, 26] == ord("Z")).all() and (cells[:, 27] == ord(",")).all():
            try:
                stamps = np.ascontiguousarray(cells[:, :26]).view("S26").ravel()
                result: IntArray = stamps.astype("datetime64[us]").astype(np.int64)
            except ValueError:
                pass
            else:
                return result
    return np.array(
        [(datetime.fromisoformat(v) - _EPOCH) // _MICROSECOND for v in text.split(",")],
        dtype=np.int64,
    )


def parse_ints(text: str, count: int) -> IntArray:
    """`count` comma-separated integers (SQLite INTEGERs, so within int64), parsed in C."""
    import numpy as np

    values: IntArray = np.fromstring(text, dtype=np.int64, sep=",")  # text mode: exact
    if values.size != count:  # pragma: no cover - group_concat wrote something unexpected
        values = np.array([int(v) for v in text.split(",")], dtype=np.int64)
    return values


def _codes(keys: Sequence[str]) -> tuple[list[str], IntArray]:
    """(the distinct keys in ascending order, each key's index in it), via one dict."""
    import numpy as np

    distinct = sorted(dict.fromkeys(keys))
    index = {key: i for i, key in enumerate(distinct)}
    return distinct, np.fromiter(map(index.__getitem__, keys), dtype=np.int64, count=len(keys))


class _Money:
    """The trades' money as arrays, one column per trade, ready for grouped exact sums."""

    def __init__(self, net: IntArray, gross: IntArray, fees: IntArray) -> None:
        import numpy as np

        count = len(net)
        bound = (
            max(
                int(net.max()),
                -int(net.min()),
                int(gross.max()),
                -int(gross.min()),
                int(fees.max()),
                -int(fees.min()),
            )
            if count
            else 0
        )
        if bound * max(count, 1) >= _INT64_SAFE:  # exact Python ints instead
            net, gross, fees = (a.astype(object) for a in (net, gross, fees))
        self.net = net
        wins = net > 0
        losses = net < 0
        zero = net.dtype.type(0) if net.dtype != object else 0
        #: Rows: net, gross, fees, sum of wins, sum of losses, wins, losses.
        self.table = np.stack(
            [
                net,
                gross,
                fees,
                np.where(wins, net, zero),
                np.where(losses, net, zero),
                wins.astype(net.dtype),
                losses.astype(net.dtype),
            ]
        )

    def total(self) -> _Sums:
        """The figures of all the trades."""
        net, gross, fees, sum_w, sum_l, wins, losses = self.table.sum(axis=1).tolist()
        high, low = int(self.net.max()), int(self.net.min())
        return _Sums((len(self.net), wins, losses, net, gross, fees, sum_w, sum_l, high, low))

    def groups(self, codes: IntArray) -> tuple[IntArray, list[_Sums]]:
        """(distinct codes ascending, the figures of each code's trades), summed exactly.

        int64 money over codes in a compact range is summed in place per code (`ufunc.at`,
        a pass over the trades per figure, no sort); Python ints, or codes spread wide, by
        sorting the trades by code and summing the runs."""
        import numpy as np

        if not codes.size:
            return self._sorted_groups(codes)
        first = int(codes.min())
        span = int(codes.max()) - first + 1
        if self.net.dtype == object or span > max(1024, 4 * len(codes)):
            return self._sorted_groups(codes)
        slots = codes - first
        counts = np.bincount(slots, minlength=span)
        present = np.flatnonzero(counts)
        sums = np.zeros((len(self.table), span), dtype=np.int64)
        for row, column in zip(sums, self.table, strict=True):
            np.add.at(row, slots, column)
        high = np.full(span, np.iinfo(np.int64).min, dtype=np.int64)
        low = np.full(span, np.iinfo(np.int64).max, dtype=np.int64)
        np.maximum.at(high, slots, self.net)
        np.minimum.at(low, slots, self.net)
        return present + first, self._figures(
            counts[present], sums[:, present], high[present], low[present]
        )

    def _sorted_groups(self, codes: IntArray) -> tuple[IntArray, list[_Sums]]:
        """`groups` by a stable sort of the codes and sums over each code's run."""
        import numpy as np

        if codes.size and int(codes.min()) >= 0 and int(codes.max()) < 2**15:
            codes = codes.astype(np.int16)  # small keys sort by radix, in one pass
        order = np.argsort(codes, kind="stable")
        ordered = codes[order]
        starts = np.concatenate(([0], np.flatnonzero(ordered[1:] != ordered[:-1]) + 1))
        counts = np.diff(np.append(starts, len(codes)))
        sums = np.add.reduceat(self.table[:, order], starts, axis=1)
        nets = self.net[order]
        high = np.maximum.reduceat(nets, starts)
        low = np.minimum.reduceat(nets, starts)
        return ordered[starts], self._figures(counts, sums, high, low)

    @staticmethod
    def _figures(counts: IntArray, sums: IntArray, high: IntArray, low: IntArray) -> list[_Sums]:
        """Each group's _Sums from its count, summed table column, largest and smallest net."""
        net, gross, fees, sum_w, sum_l, wins, losses = sums.tolist()
        return [
            _Sums((c, w, lo, n, g, f, sw, sl, h, m))
            for c, w, lo, n, g, f, sw, sl, h, m in zip(
                counts.tolist(),
                wins,
                losses,
                net,
                gross,
                fees,
                sum_w,
                sum_l,
                high.tolist(),
                low.tolist(),
                strict=True,
            )
        ]


#: Trade ids at some positions of a read, for trades that tie in close order.
_IdsAt: TypeAlias = Callable[[list[int]], list[str]]


@dataclass(frozen=True, slots=True)
class _Columns:
    """What the figures need of each trade, one array per column in read order: times in µs
    since 1970, money, the risks set (comma-joined text) and those trades' nets, integer codes
    of the instrument id, setup and tag list with the text each code stands for, and 1 for a
    short trade."""

    closes: IntArray
    opens: IntArray
    money: _Money
    risks: str | None
    risk_nets: list[int]
    instruments: IntArray
    instrument_texts: Mapping[int, str]
    setups: IntArray
    setup_texts: Mapping[int, str]
    tag_lists: IntArray
    tag_texts: Mapping[int, str]
    short: IntArray
    ids_at: _IdsAt


def _facts_columns(
    row: Sequence[Any], radix: int, texts: Mapping[str, Mapping[int, str]], ids_at: _IdsAt
) -> _Columns:
    """The columns from a read of `trade_facts` (see statistics_facts.py): already numbers,
    the keys packed in one (tag list, setup, instrument, short, risk set) in base `radix`."""
    count = int(row[0])
    keys, has_risk = divmod(parse_ints(row[8], count), 2)
    keys, short = divmod(keys, 2)
    keys, instruments = divmod(keys, radix)
    tag_lists, setups = divmod(keys, radix)
    money = _Money(parse_ints(row[4], count), parse_ints(row[5], count), parse_ints(row[6], count))
    return _Columns(
        closes=parse_ints(row[2], count),
        opens=parse_ints(row[3], count),
        money=money,
        risks=row[7],
        risk_nets=money.net[has_risk == 1].tolist(),
        instruments=instruments,
        instrument_texts=texts["instrument"],
        setups=setups,
        setup_texts=texts["setup"],
        tag_lists=tag_lists,
        tag_texts=texts["tags"],
        short=short,
        ids_at=ids_at,
    )


def _offsets(tz: tzinfo, instants: IntArray) -> IntArray | int:
    """The zone's UTC offset (µs) at each instant, from the offset changes between the first
    and the last (see `offset_segments`); one number where it never changes."""
    import numpy as np

    if tz is UTC or not instants.size:
        return 0
    if isinstance(tz, timezone):
        return _offset_us(tz, _EPOCH)
    first, last = int(instants.min()), int(instants.max())
    segments = offset_segments(tz, _instant(first), _instant(last))
    if len(segments) == 1:
        return segments[0][1]
    starts = np.array([(at - _EPOCH) // _MICROSECOND for at, _ in segments], dtype=np.int64)
    values = np.array([offset for _, offset in segments], dtype=np.int64)
    found: IntArray = values[np.searchsorted(starts, instants, side="right") - 1]
    return found


def _streak(flags: IntArray) -> int:
    """The longest run of True: the widest gap between the Falses (and the two ends)."""
    import numpy as np

    edges = np.concatenate(([-1], np.flatnonzero(~flags), [len(flags)]))
    return int((np.diff(edges) - 1).max())


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
        """Every figure of `compute_statistics`, from one read of `trade_facts`.

        Each needed column comes back as one `group_concat` string (a string per column, not
        a tuple per row, is what makes 100,000 trades cheap to hand over), parsed into numpy
        arrays; every sum is of integer 1e-8 units, exact (int64 while the totals provably
        fit, Python ints beyond), and becomes a Decimal only at the end. Should a stored time
        not be a number (text the codec would not write), the same columns are read from the
        wide `trades` rows instead.
        """
        facts = FactsRead(self._db, flt)
        if facts.row is not None:
            if not facts.row[0]:
                return compute_statistics((), tz=tz)
            columns = _facts_columns(facts.row, facts.radix, facts.texts(), facts.ids)
        else:
            where, params = _where(flt)
            row = self._db.query_one(_READ.format(where=where), params)
            if row is None or not row[0]:
                return compute_statistics((), tz=tz)
            columns = self._trade_columns(row)
        return self._figures(columns, tz, tag_names or {})

    def _figures(self, c: _Columns, tz: tzinfo, tag_names: Mapping[uuid.UUID, str]) -> Statistics:
        """The whole set from the trades' columns, whichever table they were read from."""
        import numpy as np

        closes, opens, money = c.closes, c.opens, c.money
        order = close_order(closes, opens, c.ids_at)
        close_local = closes + _offsets(tz, closes)
        open_local = opens + _offsets(tz, opens)
        days, daily_sums = money.groups(close_local // _US_PER_DAY)
        daily = {
            date.fromordinal(int(day) + _EPOCH_ORDINAL): sums.bucket()
            for day, sums in zip(days.tolist(), daily_sums, strict=True)
        }
        weekdays: dict[int, _Sums] = {}
        for day, sums in zip(days.tolist(), daily_sums, strict=True):
            _add(weekdays, (day + 3) % 7, sums.values)  # 1970-01-01 was a Thursday

        # Direction, holding time and open hour from one grouping of their combined key.
        held = np.searchsorted(np.array(_HOLDING_LOWER_US), closes - opens, side="right") - 1
        shape = (c.short * len(_HOLDING) + np.maximum(held, 0)) * 24 + (open_local // _HOUR_US) % 24
        directions: dict[TradeDirection, _Sums] = {}
        holding: dict[HoldingTime, _Sums] = {}
        hours: dict[int, _Sums] = {}
        for code, sums in zip(*money.groups(shape), strict=True):
            rest, hour = divmod(int(code), 24)
            side, hold = divmod(rest, len(_HOLDING))
            _add(directions, _DIRECTIONS[side], sums.values)
            _add(holding, _HOLDING[hold], sums.values)
            _add(hours, hour, sums.values)
        names = {str(r[0]): str(r[1]) for r in self._db.query("SELECT id, symbol FROM instruments")}
        instruments = {k: names.get(i, i) for k, i in c.instrument_texts.items()}
        return Statistics(
            totals=money.total().bucket(),
            r=_r_stats(c.risks, c.risk_nets),
            **_path_figures(closes[order], money.net[order]),
            daily=daily,
            by_symbol=_by_label(money, c.instruments, instruments),
            by_tag=_by_tag(money, c.tag_lists, c.tag_texts, tag_names),
            by_setup=_by_label(money, c.setups, c.setup_texts),
            by_weekday=_buckets(weekdays, sorted(weekdays)),
            by_hour=_buckets(hours, sorted(hours)),
            by_holding_time=_buckets(holding, _HOLDING),
            by_direction=_buckets(directions, _DIRECTIONS),
            tz=tz,
        )

    def _trade_columns(self, row: Sequence[Any]) -> _Columns:
        """The columns from `_READ` over the trades table (text keys numbered here)."""
        import numpy as np

        count = int(row[0])
        rowids = parse_ints(row[12], count)

        def ids_at(positions: list[int]) -> list[str]:
            wanted = rowids[positions].tolist()
            ids: dict[int, str] = dict(
                self._db.query(
                    "SELECT rowid, id FROM trades WHERE rowid IN (SELECT value FROM json_each(?))",
                    (json.dumps(wanted),),
                )
            )
            return [str(ids[r]) for r in wanted]

        instrument_texts, instruments = _codes(row[9].split(","))
        setup_texts, setups = _codes(json.loads(row[10]))
        tag_texts, tag_lists = _codes(row[8].split(";"))
        short = np.frombuffer(row[11].encode("ascii"), dtype=np.uint8).astype(np.int64) - 48
        return _Columns(
            closes=_micros(row[1], count),
            opens=_micros(row[2], count),
            money=_Money(
                parse_ints(row[3], count), parse_ints(row[4], count), parse_ints(row[5], count)
            ),
            risks=row[6],
            risk_nets=parse_ints(row[7], row[7].count(",") + 1).tolist() if row[7] else [],
            instruments=instruments,
            instrument_texts=dict(enumerate(instrument_texts)),
            setups=setups,
            setup_texts=dict(enumerate(setup_texts)),
            tag_lists=tag_lists,
            tag_texts=dict(enumerate(tag_texts)),
            short=short,
            ids_at=ids_at,
        )

    def closed_trades(self, repository: TradeRepository, flt: TradeFilter = _ALL) -> list[Trade]:
        """The matching trades as records, for `compute_statistics` (the slow, full path)."""
        where, params = _where(flt)
        fields = (*_META_COLUMNS, *(column.field for column in repository.columns))
        columns = ", ".join(f"t.{name}" for name in fields)
        rows = self._db.query(f"SELECT {columns} FROM trades t WHERE {where}", params)
        return [repository.decode(row) for row in rows]


def close_order(closes: IntArray, opens: IntArray, ids_at: _IdsAt) -> IntArray:
    """Positions in (close, open, id) order, the one order every path uses.

    Trades that close and open at the same microseconds (brokers that report whole seconds)
    are told apart by id, read for just those trades.
    """
    import numpy as np

    order: IntArray = np.lexsort((opens, closes))
    c, o = closes[order], opens[order]
    tied = (c[1:] == c[:-1]) & (o[1:] == o[:-1])
    if not tied.any():
        return order
    at = np.flatnonzero(tied)
    involved = order[np.union1d(at, at + 1)].tolist()
    ids = ids_at(involved)
    rank = np.zeros(len(closes), dtype=np.int64)
    by_id = [p for _, p in sorted(zip(ids, involved, strict=True))]
    rank[by_id] = np.arange(1, len(by_id) + 1)
    result: IntArray = np.lexsort((rank, opens, closes))
    return result


def _by_label(money: _Money, codes: IntArray, labels: Mapping[int, str]) -> dict[str, BucketStats]:
    """A breakdown by a text key: the trades grouped by code, codes that share a label (two
    instruments with one symbol) summed, labels ascending."""
    found, sums = money.groups(codes)
    by_label: dict[str, _Sums] = {}
    for code, figures in zip(found.tolist(), sums, strict=True):
        _add(by_label, labels[code], figures.values)
    return {label: by_label[label].bucket() for label in sorted(by_label)}


def _by_tag(
    money: _Money,
    codes: IntArray,
    tag_lists: Mapping[int, str],
    tag_names: Mapping[uuid.UUID, str],
) -> dict[str, BucketStats]:
    """By tag name; a trade counts under each of its tags (unknown ids show as UUIDs).

    Trades share a few tag lists: the trades are summed per stored list, then each list's
    figures are added to each of its tags."""
    names = {str(k): v for k, v in tag_names.items()}
    found, sums = money.groups(codes)
    by_tag: dict[str, _Sums] = {}
    for code, figures in zip(found.tolist(), sums, strict=True):
        text = tag_lists[code]
        if text != "[]":
            for tag_id in _tag_list(text):
                _add(by_tag, names.get(tag_id, tag_id), figures.values)
    return {name: by_tag[name].bucket() for name in sorted(by_tag)}


def _r_stats(risks: str | None, nets: list[int]) -> RStats:
    """R-multiples of the trades with a risk set (their risks comma-joined, and their nets).

    Net units / risk is R * 1e8: the same digits as `r_multiple` gives (rounding to
    significant digits commutes with powers of ten); r_stats_of scales the sums back. Their
    sums are exact, so any order will do."""
    if not risks or not nets:
        return RStats()
    texts = risks.split(",")
    values = {text: Decimal(text) for text in dict.fromkeys(texts)}  # risks repeat
    return r_stats_of(list(map(QUOTIENT.divide, nets, map(values.__getitem__, texts))), scale=8)


def _path_figures(closes: IntArray, nets: IntArray) -> dict[str, Any]:
    """Equity curve, drawdown and streaks of the trades in close order."""
    import numpy as np

    equity = np.cumsum(nets)
    peaks = np.maximum(np.maximum.accumulate(equity), 0)  # peaks include the starting 0
    falls = peaks - equity
    worst = int(np.argmax(falls))  # the first of equal falls
    amount, peak = (int(falls[worst]), int(peaks[worst])) if falls[worst] > 0 else (0, 0)
    return {
        "equity_curve": E8EquityCurve(closes, equity),
        "drawdown": make_drawdown(_e8(amount), _e8(peak), any_trades=len(nets) > 0),
        "longest_win_streak": _streak(nets > 0),
        "longest_loss_streak": _streak(nets < 0),
    }


def _tag_list(text: str) -> list[str]:
    """The ids in a stored tag list. The codec writes `["id", "id"]` (json.dumps), which
    slicing reads 7x faster than json.loads; anything else is read as JSON."""
    ids = text[2:-2].split('", "')
    if text[:2] == '["' and text[-2:] == '"]' and all(len(i) == 36 for i in ids):
        return ids
    return [str(i) for i in json.loads(text)]


#: The columns every record table starts with (the order `RecordRepository.decode` reads).
_META_COLUMNS = ("id", "version", "deleted", "stamps", "updated_hlc")
