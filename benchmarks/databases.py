"""The two sides of every comparison: the app's SQLCipher database and plain stdlib sqlite3.

Both get the schema from the same migration statements and the same non-cipher pragmas that
`Database.open` sets, so the only difference left is the cipher. `pragma_state` reads the
settings back from both connections, and the run says so (or warns) before any figure.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlcipher3 import dbapi2 as sqlcipher

from journal_desktop.storage.database import CACHE_KIB, Database
from journal_desktop.storage.migrations import (
    LATEST_VERSION,
    m0003_trade_facts,
    m0004_fts_written_trades,
    m0005_trade_facts_rowids,
)
from journal_desktop.storage.migrations.m0001_initial import FTS_STATEMENTS, STATEMENTS


def shared_pragmas(cache_kib: int = CACHE_KIB) -> tuple[str, ...]:
    """The pragmas `Database.open` sets that are not about the cipher, in the same order.

    If database.py changes them, change them here; `pragma_state` shows a mismatch.
    """
    return (
        "PRAGMA foreign_keys = ON",
        "PRAGMA secure_delete = ON",
        "PRAGMA temp_store = MEMORY",
        f"PRAGMA cache_size = -{int(cache_kib)}",
        "PRAGMA journal_mode = WAL",
        "PRAGMA synchronous = FULL",
    )


_CHECKED_PRAGMAS = (
    "foreign_keys",
    "secure_delete",
    "temp_store",
    "cache_size",
    "journal_mode",
    "synchronous",
    "page_size",
)

#: Record tables in schema order (FTS shadow tables are filled by the triggers).
TABLES: tuple[str, ...] = tuple(
    m.group(1) for s in STATEMENTS if (m := re.match(r"\s*CREATE TABLE (\w+)", s))
)


def pragma_state(connection: Any) -> dict[str, str]:
    return {
        name: str(connection.execute(f"PRAGMA {name}").fetchone()[0]) for name in _CHECKED_PRAGMAS
    }


def _uri(path: Path, create: bool) -> str:
    return path.resolve().as_uri() + ("?mode=rwc" if create else "?mode=rw")


def open_plain(
    path: Path, *, create: bool = False, cache_kib: int = CACHE_KIB, page_size: int | None = None
) -> sqlite3.Connection:
    """Plain SQLite, connected and tuned the way `Database.open` connects and tunes SQLCipher."""
    connection = sqlite3.connect(
        _uri(path, create), uri=True, isolation_level=None, check_same_thread=False, timeout=5.0
    )
    if page_size is not None:
        connection.execute(f"PRAGMA page_size = {int(page_size)}")
    for pragma in shared_pragmas(cache_kib):
        connection.execute(pragma)
    return connection


@dataclass(frozen=True, slots=True)
class CipherSettings:
    """SQLCipher settings the explore table varies. The defaults are what the app uses."""

    cache_kib: int = CACHE_KIB
    page_size: int = 4096
    use_hmac: bool = True
    hmac_algorithm: str = "HMAC_SHA512"

    @property
    def file_format(self) -> tuple[int, bool, str]:
        """The settings fixed when the file is created (each needs its own file)."""
        return (self.page_size, self.use_hmac, self.hmac_algorithm)


def open_cipher(path: Path, key: bytes, settings: CipherSettings, *, create: bool = False) -> Any:
    """A SQLCipher connection keyed and tuned like `Database.open`, plus the cipher settings.

    Only for the explore table: the figures themselves always use `Database.open`.
    `cipher_page_size`, `cipher_use_hmac` and `cipher_hmac_algorithm` are part of the file
    format, so a file must be opened with the settings it was created with.
    """
    connection = sqlcipher.connect(
        _uri(path, create), uri=True, isolation_level=None, check_same_thread=False, timeout=5.0
    )
    connection.execute("PRAGMA cipher_log_level = NONE")
    connection.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    connection.execute(f"PRAGMA cipher_page_size = {int(settings.page_size)}")
    connection.execute(f"PRAGMA cipher_use_hmac = {'ON' if settings.use_hmac else 'OFF'}")
    if settings.use_hmac:
        connection.execute(f"PRAGMA cipher_hmac_algorithm = {settings.hmac_algorithm}")
    connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    for pragma in shared_pragmas(settings.cache_kib):
        connection.execute(pragma)
    return connection


def create_schema(connection: Any) -> None:
    """The vault schema from the migrations' own statements (FTS5 included on both sides, with
    schema 4's triggers that index only trades with text, and schemas 3 and 5's trade facts
    with their triggers, which the statistics read)."""
    connection.execute("BEGIN IMMEDIATE")
    statements = (
        *STATEMENTS,
        *FTS_STATEMENTS,
        *m0004_fts_written_trades.STATEMENTS,
        *m0003_trade_facts.STATEMENTS,
        *m0005_trade_facts_rowids.STATEMENTS,
    )
    for statement in statements:
        connection.execute(statement)
    connection.execute(f"PRAGMA user_version = {int(LATEST_VERSION)}")
    connection.execute("COMMIT")


def create_cipher_db(path: Path, key: bytes) -> Database:
    """A new SQLCipher database, through `Database.open`, with the vault schema."""
    db = Database.open(path, key, create=True)
    create_schema(db.raw)
    return db


def create_plain_db(path: Path, *, page_size: int | None = None) -> sqlite3.Connection:
    connection = open_plain(path, create=True, page_size=page_size)
    create_schema(connection)
    return connection


def insert_rows(connection: Any, table: str, rows: Sequence[Sequence[Any]]) -> None:
    if not rows:
        return
    marks = ", ".join("?" for _ in rows[0])
    connection.execute("BEGIN IMMEDIATE")
    connection.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
    connection.execute("COMMIT")


def copy_tables(source: Any, target: Any) -> dict[str, int]:
    """Copy every record table's rows; FTS indexes follow through the triggers."""
    counts: dict[str, int] = {}
    for table in TABLES:
        rows = source.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
        insert_rows(target, table, rows)
        counts[table] = len(rows)
    return counts


def checkpoint_and_close(connection: Any) -> None:
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    connection.close()


def remove_database(path: Path) -> None:
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        candidate.unlink(missing_ok=True)


def versions() -> dict[str, str]:
    probe = sqlcipher.connect(":memory:")
    try:
        cipher_sqlite = str(probe.execute("SELECT sqlite_version()").fetchone()[0])
        probe.execute(f"PRAGMA key = \"x'{'00' * 32}'\"")
        cipher_version = str(probe.execute("PRAGMA cipher_version").fetchone()[0])
        provider = str(probe.execute("PRAGMA cipher_provider_version").fetchone()[0])
    finally:
        probe.close()
    return {
        "sqlcipher": cipher_version,
        "sqlcipher_sqlite": cipher_sqlite,
        "sqlcipher_provider": provider,
        "plain_sqlite": sqlite3.sqlite_version,
    }
