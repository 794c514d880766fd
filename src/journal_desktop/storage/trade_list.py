"""The trade list behind the trades screen: filtered, sorted, searched, read a page at a time.

A lazy table over 100,000 trades asks for pages anywhere in the list (the trader drags the
scroll bar to the middle). Offset paging makes SQLite step over every row before the page, and
keyset paging cannot jump to an arbitrary row, so the query materialises the *order* once: one
read of the matching rowids in sort order (a few hundred kilobytes as an integer array), after
which any page, at offset 0 or 90,000, is a lookup of its rowids. The order is read when the
first page is asked for and kept by the query object, which the caller replaces whenever the
filter, the sort or the data change.

Nothing the user typed is ever interpolated into SQL: sort keys come from a whitelist of fixed
expressions, and every filter value is bound.
"""

from __future__ import annotations

import enum
import json
import uuid
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from journal_desktop.domain.records import TradeDirection, TradeStatus
from journal_desktop.domain.statistics import start_of_day
from journal_desktop.storage.codec import dec_decimal, enc_utc
from journal_desktop.storage.database import Database
from journal_desktop.storage.repositories.records import escape_like, fts_phrase


class SortKey(enum.StrEnum):
    """The columns the list can be sorted by; each maps to a fixed SQL expression."""

    OPENED = "opened"
    CLOSED = "closed"
    ACCOUNT = "account"
    SYMBOL = "symbol"
    SIDE = "side"
    QUANTITY = "quantity"
    ENTRY = "entry"
    EXIT = "exit"
    NET = "net"
    R = "r"
    TAGS = "tags"
    SETUP = "setup"
    STATUS = "status"
    NOTES = "notes"


class DateField(enum.StrEnum):
    """Which time a date range applies to."""

    CLOSED = "closed"
    OPENED = "opened"
    #: The close time, or the open time of a trade still open: "the trades of that day".
    ACTIVITY = "activity"


class Outcome(enum.StrEnum):
    WIN = "win"
    LOSS = "loss"


_TAG_NAMES_SQL = (
    "(SELECT group_concat(g.name, ', ') FROM json_each(t.tag_ids) AS j "
    "JOIN tags AS g ON g.id = j.value AND g.deleted = 0)"
)

#: Fixed SQL per sort key. `a` and `i` are the account and instrument joined when needed.
_SORT_SQL: dict[SortKey, str] = {
    SortKey.OPENED: "t.opened_at",
    SortKey.CLOSED: "t.closed_at",
    SortKey.ACCOUNT: "a.name COLLATE NOCASE",
    SortKey.SYMBOL: "i.symbol COLLATE NOCASE",
    SortKey.SIDE: "t.direction",
    SortKey.QUANTITY: "CAST(t.quantity AS REAL)",
    SortKey.ENTRY: "CAST(t.entry_price AS REAL)",
    SortKey.EXIT: "CAST(t.exit_price AS REAL)",
    SortKey.NET: "t.net_pnl_e8",
    SortKey.R: (
        "CASE WHEN t.status = 'closed' AND t.initial_risk IS NOT NULL "
        "THEN t.net_pnl_e8 / CAST(t.initial_risk AS REAL) END"
    ),
    SortKey.TAGS: f"{_TAG_NAMES_SQL} COLLATE NOCASE",
    SortKey.SETUP: "nullif(t.setup, '') COLLATE NOCASE",
    SortKey.STATUS: "t.status",
    SortKey.NOTES: "t.notes <> ''",
}


@dataclass(frozen=True, slots=True)
class TradeListFilter:
    """What the trades screen's filter bar asks for; None or empty means "no restriction".

    Dates are inclusive local calendar days in `tz` (like the statistics' TradeFilter).
    `symbol` matches case-insensitively anywhere in the symbol, or at its start with
    `symbol_prefix`. `search` is full text over notes and setup; its last word also matches
    as a prefix, so results follow the trader's typing.
    """

    date_from: date | None = None
    date_to: date | None = None
    date_field: DateField = DateField.CLOSED
    tz: tzinfo = UTC
    account_ids: frozenset[uuid.UUID] | None = None
    symbol: str = ""
    symbol_prefix: bool = False
    tag_id: uuid.UUID | None = None
    direction: TradeDirection | None = None
    status: TradeStatus | None = None
    outcome: Outcome | None = None
    search: str = ""

    def __post_init__(self) -> None:
        if self.account_ids is not None and not isinstance(self.account_ids, frozenset):
            object.__setattr__(self, "account_ids", frozenset(self.account_ids))
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError(f"the range starts ({self.date_from}) after it ends ({self.date_to})")

    def time_range(self) -> tuple[datetime | None, datetime | None]:
        """[start, end) in UTC of the chosen time; None where the range is open."""
        start = None if self.date_from is None else start_of_day(self.date_from, self.tz)
        end = (
            None
            if self.date_to is None
            else start_of_day(self.date_to + timedelta(days=1), self.tz)
        )
        return start, end


@dataclass(frozen=True, slots=True)
class TradeSort:
    key: SortKey = SortKey.OPENED
    descending: bool = True


@dataclass(frozen=True, slots=True)
class TradeRow:
    """One line of the trade list: the values a table shows, already joined and resolved."""

    id: uuid.UUID
    opened_at: datetime
    closed_at: datetime | None
    account: str
    symbol: str
    direction: TradeDirection
    quantity: Decimal
    entry_price: Decimal
    exit_price: Decimal | None
    net_pnl: Decimal
    r_multiple: Decimal | None
    #: Tag names, sorted and joined with ", ".
    tags: str
    setup: str
    status: TradeStatus
    has_notes: bool


@dataclass(frozen=True, slots=True)
class TradeListSummary:
    count: int
    net_pnl: Decimal


_R_PLACES = Decimal("0.01")


def _has_fts(db: Database) -> bool:
    return bool(db.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'trades_fts'"))


def fts_prefix_query(text: str) -> str:
    """The user's words as FTS5 terms, all required, the last one also as a prefix."""
    query = fts_phrase(text)
    return query if query == '""' else query + "*"


class TradeListQuery:
    """One filter and sort over the vault's live trades. Use on the vault's worker thread.

    `count()` and `summary()` are single aggregate reads; `page()` reads the order once (see
    the module docstring) and then only the rows asked for. A query describes the data as of
    its first page: make a new one after any change to the trades.
    """

    def __init__(
        self, db: Database, flt: TradeListFilter | None = None, sort: TradeSort | None = None
    ) -> None:
        self._db = db
        self.filter = flt or TradeListFilter()
        self.sort = sort or TradeSort()
        self._order: array[int] | None = None
        self._where, self._params = self._build_where()

    # -- the WHERE clause ---------------------------------------------------------------------

    def _build_where(self) -> tuple[str, list[Any]]:
        flt = self.filter
        start, end = flt.time_range()
        # Through the (deleted, closed_at) index only for a close-time range; otherwise a scan
        # in rowid order reads the wide rows about twice as fast as random index lookups.
        closed_range = flt.date_field is DateField.CLOSED and (start or end) is not None
        clauses = ["t.deleted = 0" if closed_range else "+t.deleted = 0"]
        params: list[Any] = []
        if start is not None or end is not None:
            if flt.date_field is DateField.ACTIVITY:
                closed, closed_params = _range_sql("t.closed_at", start, end)
                opened, opened_params = _range_sql("t.opened_at", start, end)
                clauses.append(f"(({closed}) OR (t.closed_at IS NULL AND {opened}))")
                params.extend(closed_params + opened_params)
            else:
                column = "t.closed_at" if flt.date_field is DateField.CLOSED else "t.opened_at"
                sql, range_params = _range_sql(column, start, end)
                clauses.append(sql)
                params.extend(range_params)
        if flt.account_ids is not None:
            clauses.append("t.account_id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(sorted(str(i) for i in flt.account_ids)))
        symbol = flt.symbol.strip()
        if symbol:
            pattern = escape_like(symbol) + "%"
            if not flt.symbol_prefix:
                pattern = "%" + pattern
            clauses.append(
                "t.instrument_id IN (SELECT id FROM instruments WHERE symbol LIKE ? ESCAPE '\\')"
            )
            params.append(pattern)
        if flt.tag_id is not None:
            clauses.append("EXISTS (SELECT 1 FROM json_each(t.tag_ids) WHERE value = ?)")
            params.append(str(flt.tag_id))
        if flt.direction is not None:
            clauses.append("t.direction = ?")
            params.append(flt.direction.value)
        if flt.status is not None:
            clauses.append("t.status = ?")
            params.append(flt.status.value)
        if flt.outcome is Outcome.WIN:
            clauses.append("t.status = 'closed' AND t.net_pnl_e8 > 0")
        elif flt.outcome is Outcome.LOSS:
            clauses.append("t.status = 'closed' AND t.net_pnl_e8 < 0")
        search = flt.search.strip()
        if search:
            if _has_fts(self._db):
                clauses.append("t.rowid IN (SELECT rowid FROM trades_fts WHERE trades_fts MATCH ?)")
                params.append(fts_prefix_query(search))
            else:
                like = f"%{escape_like(search)}%"
                clauses.append("(t.notes LIKE ? ESCAPE '\\' OR t.setup LIKE ? ESCAPE '\\')")
                params.extend((like, like))
        return " AND ".join(clauses), params

    # -- reads ---------------------------------------------------------------------------------

    @property
    def unfiltered(self) -> bool:
        return not self._params and self._where == "+t.deleted = 0"

    def count(self) -> int:
        """How many trades match: the length of the order, which `page` needs anyway."""
        return len(self.order())

    def summary(self) -> TradeListSummary:
        """Count and net P&L of the matching trades, exact (summed in 1e-8 units)."""
        row = self._db.query_one(
            f"SELECT count(*), coalesce(sum(t.net_pnl_e8), 0) FROM trades t WHERE {self._where}",
            self._params,
        )
        assert row is not None
        return TradeListSummary(int(row[0]), Decimal(int(row[1])).scaleb(-8))

    def order(self) -> array[int]:
        """The matching rowids in sort order, read once (ties broken by rowid)."""
        if self._order is None and self.unfiltered and self.sort.key is SortKey.OPENED:
            self._order = self._order_by_open_index()
        if self._order is None:
            where = self._where
            if self.unfiltered and self.sort.key is SortKey.CLOSED:
                where = "t.deleted = 0"  # the (deleted, closed_at) index has the order
            expression = _SORT_SQL[self.sort.key]
            direction = "DESC" if self.sort.descending else "ASC"
            joins = ""
            if self.sort.key is SortKey.ACCOUNT:
                joins = " LEFT JOIN accounts AS a ON a.id = t.account_id"
            elif self.sort.key is SortKey.SYMBOL:
                joins = " LEFT JOIN instruments AS i ON i.id = t.instrument_id"
            cursor_rows = self._db.query(
                f"SELECT t.rowid FROM trades AS t{joins} WHERE {where} "
                f"ORDER BY {expression} {direction} NULLS LAST, t.rowid {direction}",
                self._params,
            )
            self._order = array("q", (row[0] for row in cursor_rows))
        return self._order

    def _order_by_open_index(self) -> array[int]:
        """All live trades by open time from the open-time index alone, minus tombstones.

        The index has no `deleted` column, so filtering on it would read every wide row;
        tombstones are few and listed cheaply from the (deleted, closed_at) index instead.
        """
        direction = "DESC" if self.sort.descending else "ASC"
        rows = self._db.query(
            "SELECT rowid FROM trades INDEXED BY trades_by_open "
            f"ORDER BY opened_at {direction}, rowid {direction}"
        )
        tombstones = {
            int(r[0])
            for r in self._db.query(
                "SELECT rowid FROM trades INDEXED BY trades_by_close WHERE deleted = 1"
            )
        }
        if not tombstones:
            return array("q", (r[0] for r in rows))
        return array("q", (r[0] for r in rows if r[0] not in tombstones))

    def page(self, offset: int, limit: int) -> list[TradeRow]:
        """The rows at positions [offset, offset + limit) of the sorted list."""
        if offset < 0 or limit < 0:
            raise ValueError("offset and limit cannot be negative")
        rowids = self.order()[offset : offset + limit]
        if not rowids:
            return []
        return read_rows(self._db, rowids)

    def raw_page(self, offset: int, limit: int) -> RawPage:
        """Like `page`, with rows left undecoded until `RawPage.decode` (for lazy views)."""
        if offset < 0 or limit < 0:
            raise ValueError("offset and limit cannot be negative")
        rowids = self.order()[offset : offset + limit]
        return read_raw(self._db, rowids) if rowids else RawPage((), {})

    def ids_at(self, positions: Sequence[int]) -> list[uuid.UUID]:
        """The ids of the trades at these positions (a selection, loaded or not), in order."""
        order = self.order()
        rowids = [order[p] for p in positions if 0 <= p < len(order)]
        found: dict[int, uuid.UUID] = {}
        for start in range(0, len(rowids), 10_000):
            chunk = rowids[start : start + 10_000]
            for rowid, text in self._db.query(
                "SELECT rowid, id FROM trades WHERE rowid IN (SELECT value FROM json_each(?))",
                (json.dumps(chunk),),
            ):
                found[int(rowid)] = uuid.UUID(text)
        return [found[r] for r in rowids if r in found]

    def position_of(self, trade_id: uuid.UUID) -> int | None:
        """Where a trade sits in the sorted list (to keep it selected after a re-sort)."""
        rowid = self._db.scalar("SELECT rowid FROM trades WHERE id = ?", (str(trade_id),))
        if rowid is None:
            return None
        try:
            return self.order().index(int(rowid))
        except ValueError:
            return None


def _range_sql(column: str, start: datetime | None, end: datetime | None) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if start is not None:
        clauses.append(f"{column} >= ?")
        params.append(enc_utc(start))
    if end is not None:
        clauses.append(f"{column} < ?")
        params.append(enc_utc(end))
    return " AND ".join(clauses), params


_ROW_SQL = """SELECT t.rowid, t.id, t.opened_at, t.closed_at, coalesce(a.name, ''),
    coalesce(i.symbol, ''), t.direction, t.quantity, t.entry_price, t.exit_price, t.net_pnl,
    t.initial_risk, t.tag_ids, t.setup, t.status, t.notes <> ''
FROM trades AS t
LEFT JOIN accounts AS a ON a.id = t.account_id
LEFT JOIN instruments AS i ON i.id = t.instrument_id
WHERE t.rowid IN (SELECT value FROM json_each(?))"""


@dataclass(frozen=True, slots=True)
class RawPage:
    """A page as the database returned it, decoded row by row only when asked.

    Decoding (Decimals, times, ids) is the Python-heavy part of a page; a table shows a few
    dozen of its rows at a time, so a view decodes those and leaves the rest as tuples.
    """

    rows: tuple[tuple[Any, ...], ...]
    tag_names: dict[str, str]

    def __len__(self) -> int:
        return len(self.rows)

    def decode(self, index: int) -> TradeRow:
        return _decode(self.rows[index], self.tag_names)


def read_raw(db: Database, rowids: Sequence[int]) -> RawPage:
    """These trades' rows, in the order given (rows gone meanwhile are skipped)."""
    rows = db.query(_ROW_SQL, (json.dumps(list(rowids)),))
    by_rowid = {row[0]: row for row in rows}
    ordered = tuple(found for found in map(by_rowid.get, rowids) if found is not None)
    return RawPage(ordered, _tag_names(db, ordered))


def read_rows(db: Database, rowids: Sequence[int]) -> list[TradeRow]:
    """The display rows of these trades, in the order given (rows gone meanwhile are skipped)."""
    raw = read_raw(db, rowids)
    return [raw.decode(i) for i in range(len(raw))]


def _tag_names(db: Database, rows: Sequence[tuple[Any, ...]]) -> dict[str, str]:
    ids: set[str] = set()
    for row in rows:
        if row[12] != "[]":
            ids.update(str(i) for i in json.loads(row[12]))
    if not ids:
        return {}
    found = db.query(
        "SELECT id, name FROM tags WHERE deleted = 0 AND id IN (SELECT value FROM json_each(?))",
        (json.dumps(sorted(ids)),),
    )
    return {str(r[0]): str(r[1]) for r in found}


def _decode(row: tuple[Any, ...], tag_names: dict[str, str]) -> TradeRow:
    status = TradeStatus(row[14])
    net = dec_decimal(row[10])
    risk = None if row[11] is None else dec_decimal(row[11])
    r_multiple = None
    if risk is not None and risk > 0 and status is TradeStatus.CLOSED:
        r_multiple = (net / risk).quantize(_R_PLACES)
    tags = ""
    if row[12] != "[]":
        names = (tag_names.get(str(i)) for i in json.loads(row[12]))
        tags = ", ".join(sorted((n for n in names if n), key=str.casefold))
    return TradeRow(
        id=uuid.UUID(row[1]),
        opened_at=datetime.fromisoformat(row[2]),
        closed_at=None if row[3] is None else datetime.fromisoformat(row[3]),
        account=str(row[4]),
        symbol=str(row[5]),
        direction=TradeDirection(row[6]),
        quantity=dec_decimal(row[7]),
        entry_price=dec_decimal(row[8]),
        exit_price=None if row[9] is None else dec_decimal(row[9]),
        net_pnl=net,
        r_multiple=r_multiple,
        tags=tags,
        setup=str(row[13]),
        status=status,
        has_notes=bool(row[15]),
    )
