"""The SQL of the items hot path (pull and push), run on the driver's own cursor.

Why not SQLAlchemy statements here, as everywhere else in the server: a push writes up to 500
rows and a pull reads up to 1,000, and Core's per-row work (bind processing for each row of an
executemany, a `Row` per result row) cost more than the database itself: 4 ms of a 500-row
insert on SQLite was SQLAlchemy's, and `_item` per pulled row more than the read (measured by
`benchmarks/sync_bench.py`). So these statements are fixed SQL text with bound parameters
(never a value in the text), run on `Connection.connection.driver_connection` inside the
transaction the caller opened through SQLAlchemy (SQLite's BEGIN IMMEDIATE, PostgreSQL's row
lock): the transaction, pool and engine stay SQLAlchemy's. The table and column names are the
ones `db` declares; `tests/server` runs every statement on both backends.

Every statement names the account: nothing here reads or writes another account's rows.

On PostgreSQL a batch is one statement, not one per row (psycopg's executemany still sends one
INSERT per row, about 40 us each): the rows travel as arrays and `unnest` turns them back into
rows. Parameters (`%b`) and results travel in binary format: bytea as hex text cost more than
the insert itself (a 500-row batch took 38 ms with text parameters, 11 ms in binary).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

#: A stored item as these queries return it: (id, type, version, deleted, ciphertext, seq).
#: `deleted` is 0/1 on SQLite, a bool on PostgreSQL; `ciphertext` is bytes on both.
ItemRow = tuple[str, str, int, Any, bytes, int]

_COLUMNS = "id, type, version, deleted, ciphertext, seq"


@dataclass(frozen=True)
class _Dialect:
    """The statements of one backend, in its driver's parameter style."""

    lock_account: str
    earlier_answer: str
    page_sizes: str
    page: str
    insert_answer: str
    prune_answers: str
    update_account: str


_SQLITE = _Dialect(
    # BEGIN IMMEDIATE already holds the database's write lock: a plain read is enough.
    lock_account="SELECT last_seq, stored_bytes FROM accounts WHERE id = ?",
    earlier_answer=(
        "SELECT request_hash, response FROM idempotency WHERE account_id = ? AND key = ?"
    ),
    page_sizes=(
        "SELECT seq, length(ciphertext) FROM items WHERE account_id = ? AND seq > ? "
        "ORDER BY seq LIMIT ?"
    ),
    page=f"SELECT {_COLUMNS} FROM items WHERE account_id = ? AND seq > ? AND seq <= ? ORDER BY seq",
    insert_answer=(
        "INSERT INTO idempotency (account_id, key, request_hash, response, created_at) "
        "VALUES (?, ?, ?, ?, ?)"
    ),
    prune_answers="DELETE FROM idempotency WHERE account_id = ? AND created_at < ?",
    update_account="UPDATE accounts SET last_seq = ?, stored_bytes = ? WHERE id = ?",
)

_POSTGRESQL = _Dialect(
    lock_account="SELECT last_seq, stored_bytes FROM accounts WHERE id = %b FOR UPDATE",
    earlier_answer=(
        "SELECT request_hash, response FROM idempotency WHERE account_id = %b AND key = %b"
    ),
    page_sizes=(
        "SELECT seq, length(ciphertext) FROM items WHERE account_id = %b AND seq > %b "
        "ORDER BY seq LIMIT %b"
    ),
    page=(
        f"SELECT {_COLUMNS} FROM items WHERE account_id = %b AND seq > %b AND seq <= %b "
        "ORDER BY seq"
    ),
    insert_answer=(
        "INSERT INTO idempotency (account_id, key, request_hash, response, created_at) "
        "VALUES (%b, %b, %b, %b, %b)"
    ),
    prune_answers="DELETE FROM idempotency WHERE account_id = %b AND created_at < %b",
    update_account="UPDATE accounts SET last_seq = %b, stored_bytes = %b WHERE id = %b",
)

_SQLITE_INSERT = (
    "INSERT INTO items (account_id, id, type, version, deleted, ciphertext, seq) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_SQLITE_UPDATE = (
    "UPDATE items SET type = ?, version = ?, deleted = ?, ciphertext = ?, seq = ? "
    "WHERE account_id = ? AND id = ?"
)

#: The arrays of a batch, as rows: (id, type, version, deleted, ciphertext, seq).
_PG_BATCH = (
    "unnest(%b::text[], %b::text[], %b::bigint[], %b::boolean[], %b::bytea[], %b::bigint[]) "
    "AS batch(id, type, version, deleted, ciphertext, seq)"
)
_PG_INSERT = (
    "INSERT INTO items (account_id, id, type, version, deleted, ciphertext, seq) "
    f"SELECT %b, batch.* FROM {_PG_BATCH}"
)
_PG_UPDATE = (
    "UPDATE items SET type = batch.type, version = batch.version, deleted = batch.deleted, "
    f"ciphertext = batch.ciphertext, seq = batch.seq FROM {_PG_BATCH} "
    "WHERE items.account_id = %b AND items.id = batch.id"
)
#: An insert that skips ids the account already holds (both backends' upsert syntax).
_IF_NEW = "ON CONFLICT (account_id, id) DO NOTHING"
#: Each id probed through the primary key (see `stored_query`).
_PG_STORED = (
    f"SELECT {', '.join('items.' + c for c in _COLUMNS.split(', '))} "
    "FROM unnest(%b::text[]) AS wanted(id) "
    "JOIN items ON items.account_id = %b AND items.id = wanted.id"
)


def _is_postgresql(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def _dialect(conn: Connection) -> _Dialect:
    return _POSTGRESQL if _is_postgresql(conn) else _SQLITE


def _cursor(conn: Connection) -> Any:
    """A cursor on the connection's own transaction (binary results on PostgreSQL)."""
    driver = conn.connection.driver_connection
    if _is_postgresql(conn):
        return driver.cursor(binary=True)  # type: ignore[union-attr]
    return driver.cursor()  # type: ignore[union-attr]


def _one(conn: Connection, sql: str, params: Sequence[Any]) -> Any:
    cursor = _cursor(conn)
    try:
        cursor.execute(sql, params)
        return cursor.fetchone()
    finally:
        cursor.close()


def _all(conn: Connection, sql: str, params: Sequence[Any]) -> list[Any]:
    cursor = _cursor(conn)
    try:
        cursor.execute(sql, params)
        rows: list[Any] = cursor.fetchall()
        return rows
    finally:
        cursor.close()


def _run(conn: Connection, sql: str, params: Sequence[Any], many: bool = False) -> int:
    """Run a write; how many rows it changed."""
    cursor = _cursor(conn)
    try:
        if many:
            cursor.executemany(sql, params)
        else:
            cursor.execute(sql, params)
        return int(cursor.rowcount)
    finally:
        cursor.close()


def lock_account(conn: Connection, account_id: str) -> tuple[int, int] | None:
    """(last_seq, stored_bytes), with the account's row locked (PostgreSQL; SQLite's BEGIN
    IMMEDIATE already holds the write lock); None if the account is gone."""
    row = _one(conn, _dialect(conn).lock_account, (account_id,))
    return None if row is None else (int(row[0]), int(row[1]))


def earlier_answer(conn: Connection, account_id: str, key: str) -> tuple[bytes, str] | None:
    """The request hash and stored answer of an earlier push with this idempotency key."""
    row = _one(conn, _dialect(conn).earlier_answer, (account_id, key))
    return None if row is None else (bytes(row[0]), str(row[1]))


def page(
    conn: Connection, account_id: str, since: int, limit: int, max_bytes: int
) -> tuple[list[ItemRow], bool]:
    """Up to `limit` items written after `since`, in seq order, and whether more follow.

    The page also stops before its ciphertext passes `max_bytes` (but holds at least one
    item): the sizes are read first (neither backend reads a value to give its length), then
    the rows up to the last seq that fits. A row rewritten in between moves to a new, higher
    seq, out of that range, so nothing larger than measured can come in; it comes next page.
    """
    dialect = _dialect(conn)
    sizes = _all(conn, dialect.page_sizes, (account_id, since, limit + 1))
    total = count = 0
    for _seq, size in sizes[:limit]:
        if count and total + int(size or 0) > max_bytes:
            break
        total += int(size or 0)
        count += 1
    if count == 0:
        return [], False
    rows = _all(conn, dialect.page, (account_id, since, int(sizes[count - 1][0])))
    return rows, len(sizes) > count


def stored_query(conn: Connection, account_id: str, ids: list[str]) -> tuple[str, list[Any]]:
    """The SQL and parameters that read the stored rows of `ids` (those that exist).

    On PostgreSQL `account_id = a AND id IN (...)` may be planned as a read of every item of
    the account through the (account_id, seq) index, filtered by id: that is what the planner
    picks while its statistics say an account holds few rows (a new table, or an account much
    larger than the average), and it makes each push cost O(account), an initial sync
    O(items^2). Joining the ids as a set, with the account in the join, keeps it a primary-key
    lookup per id whatever the statistics say. SQLite probes the primary key for each id of
    the IN list (at most 500: far below its limit of 32,766 parameters).
    """
    if _is_postgresql(conn):
        return _PG_STORED, [ids, account_id]
    marks = ", ".join("?" * len(ids))
    return f"SELECT {_COLUMNS} FROM items WHERE account_id = ? AND id IN ({marks})", [
        account_id,
        *ids,
    ]


def stored(conn: Connection, account_id: str, ids: list[str]) -> dict[str, ItemRow]:
    """The stored rows of `ids`, by id (ids with no stored row are absent)."""
    if not ids:
        return {}
    sql, params = stored_query(conn, account_id, ids)
    return {row[0]: row for row in _all(conn, sql, params)}


def insert(conn: Connection, account_id: str, rows: list[ItemRow]) -> None:
    """Add new items, rows as (id, type, version, deleted, ciphertext, seq)."""
    if not rows:
        return
    if _is_postgresql(conn):
        _run(conn, _PG_INSERT, [account_id, *map(list, zip(*rows, strict=True))])
    else:
        _run(conn, _SQLITE_INSERT, [(account_id, *row) for row in rows], many=True)


def insert_new(conn: Connection, account_id: str, rows: list[ItemRow]) -> int:
    """Add the rows whose id the account does not hold yet, skipping the others; how many
    were added (all of them unless some id was already stored)."""
    if not rows:
        return 0
    if _is_postgresql(conn):
        params = [account_id, *map(list, zip(*rows, strict=True))]
        return _run(conn, f"{_PG_INSERT} {_IF_NEW}", params)
    params = [(account_id, *row) for row in rows]
    return _run(conn, f"{_SQLITE_INSERT} {_IF_NEW}", params, many=True)


def update(conn: Connection, account_id: str, rows: list[ItemRow]) -> None:
    """Replace stored items, rows as (id, type, version, deleted, ciphertext, seq).

    The new seqs are all above the account's last seq and distinct, so the unique
    (account_id, seq) index never sees two rows with one seq, whatever order rows change in.
    """
    if not rows:
        return
    if _is_postgresql(conn):
        _run(conn, _PG_UPDATE, [*map(list, zip(*rows, strict=True)), account_id])
    else:
        params = [
            (t, version, deleted, data, seq, account_id, id_)
            for id_, t, version, deleted, data, seq in rows
        ]
        _run(conn, _SQLITE_UPDATE, params, many=True)


@contextlib.contextmanager
def pipelined(conn: Connection) -> Iterator[None]:
    """Writes whose results nobody reads, sent together: on PostgreSQL in one round trip (a
    psycopg pipeline; an error is raised on leaving the block), on SQLite as they are."""
    if not _is_postgresql(conn):
        yield
        return
    with conn.connection.driver_connection.pipeline():  # type: ignore[union-attr]
        yield


def update_account(conn: Connection, account_id: str, last_seq: int, stored_bytes: int) -> None:
    _run(conn, _dialect(conn).update_account, (last_seq, stored_bytes, account_id))


def insert_answer(
    conn: Connection, account_id: str, key: str, request_hash: bytes, answer: str, at: int
) -> None:
    """Keep a push's answer under its idempotency key."""
    _run(conn, _dialect(conn).insert_answer, (account_id, key, request_hash, answer, at))


def prune_answers(conn: Connection, account_id: str, before: int) -> None:
    """Forget the account's push answers kept since before `before` (seconds since 1970)."""
    _run(conn, _dialect(conn).prune_answers, (account_id, before))
