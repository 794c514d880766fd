"""The SQLCipher connection: keyed with a raw key, tuned, and speaking in VaultErrors.

This is the only module that talks to the sqlcipher3 driver directly. It turns driver errors
into sentences a trader can act on (disk full, damaged file, busy) and makes every write an
explicit transaction that either commits whole or leaves the file as it was.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlcipher3 import dbapi2 as sqlcipher

from journal_desktop.storage.errors import (
    DiskFull,
    DuplicateRecord,
    NotAVault,
    VaultBusy,
    VaultDamaged,
    VaultError,
)

PLAIN_SQLITE_HEADER = b"SQLite format 3\x00"

#: Page cache in KiB (negative pragma value). SQLCipher decrypts a page on every cache miss, so
#: a cache that holds the working set is what keeps it near plain SQLite; memory is only used
#: as pages are actually read.
CACHE_KIB = 128 * 1024

Row = tuple[Any, ...]
Params = Sequence[Any] | dict[str, Any]

DatabaseErrorTypes = (sqlcipher.Error,)


def _raw_key_sql(key: bytes) -> str:
    if len(key) != 32:
        raise ValueError("a vault key is 32 bytes")
    # PRAGMA key cannot take a bound parameter; this hex is ours, made from bytes, never input.
    return f"PRAGMA key = \"x'{key.hex()}'\""


def translate_error(error: BaseException, path: Path) -> VaultError:
    """The VaultError that says, in one sentence, what went wrong with the vault file."""
    name = getattr(error, "sqlite_errorname", "") or ""
    text = str(error)
    if name.startswith("SQLITE_FULL") or "database or disk is full" in text:
        return DiskFull()
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return DiskFull()
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in text:
        return VaultBusy()
    if name.startswith("SQLITE_CORRUPT") or "malformed" in text:
        return VaultDamaged(str(path), "a page failed its integrity check")
    if name.startswith("SQLITE_NOTADB") or "file is not a database" in text:
        return VaultDamaged(str(path), "a page failed authentication")
    if name.startswith("SQLITE_CONSTRAINT"):
        if "UNIQUE" in text:
            return DuplicateRecord("A record with the same unique value")
        return VaultError(
            "The change breaks one of the vault's rules (a required link or value is "
            "missing); nothing was saved."
        )
    if name.startswith("SQLITE_IOERR"):
        return VaultError(
            f"The vault file {path} could not be read or written (an I/O error); "
            "check the disk and try again."
        )
    if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM")):
        return VaultError(
            f"The vault file {path} cannot be opened for writing; check its permissions."
        )
    return VaultError(f"The vault could not complete the operation ({name or 'error'}).")


class Database:
    """One open, keyed SQLCipher connection. Not thread-safe: one owner thread uses it."""

    def __init__(self, connection: Any, path: Path) -> None:
        self._connection = connection
        self._path = path
        self._depth = 0

    @property
    def path(self) -> Path:
        return self._path

    @property
    def raw(self) -> Any:
        """The driver connection, for storage modules that need the backup or export API."""
        return self._connection

    @classmethod
    def open(cls, path: Path, key: bytes, *, create: bool = False) -> Database:
        """Open (or, with `create`, make) the encrypted database and prove the key works."""
        if not create:
            if not path.exists():
                raise NotAVault(str(path), "the database file journal.db is missing")
            with path.open("rb") as handle:
                head = handle.read(16)
            if head == PLAIN_SQLITE_HEADER:
                raise NotAVault(str(path), "it is a plain, unencrypted SQLite database")
            if len(head) < 16:
                raise NotAVault(str(path), "the database file is empty or truncated")
        else:
            # Owner-only from the first byte; SQLite gives its -wal and -shm the same mode.
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        uri = path.resolve().as_uri() + ("?mode=rwc" if create else "?mode=rw")
        try:
            connection = sqlcipher.connect(
                uri, uri=True, isolation_level=None, check_same_thread=False, timeout=5.0
            )
        except sqlcipher.Error as error:
            raise translate_error(error, path) from None
        try:
            connection.execute("PRAGMA cipher_log_level = NONE")
            connection.execute(_raw_key_sql(key))
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
            connection.execute("PRAGMA foreign_keys = ON")
            connection.execute("PRAGMA secure_delete = ON")
            connection.execute("PRAGMA temp_store = MEMORY")
            connection.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise VaultError("The vault could not switch to write-ahead logging.")
            connection.execute("PRAGMA synchronous = FULL")
        except sqlcipher.Error as error:
            connection.close()
            raise translate_error(error, path) from None
        except BaseException:
            connection.close()
            raise
        return cls(connection, path)

    def close(self) -> None:
        """Close the connection; SQLite checkpoints the write-ahead log into the file."""
        if self._connection is not None:
            try:
                self._connection.close()
            finally:
                self._connection = None

    @property
    def closed(self) -> bool:
        return self._connection is None

    def _conn(self) -> Any:
        if self._connection is None:
            raise VaultError("The vault is locked or closed; open it again to continue.")
        return self._connection

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing. Nested uses join the outer transaction."""
        connection = self._conn()
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        try:
            connection.execute("BEGIN IMMEDIATE")
        except sqlcipher.Error as error:
            raise translate_error(error, self._path) from None
        self._depth = 1
        try:
            yield
            connection.execute("COMMIT")
        except BaseException as error:
            if connection.in_transaction:
                with contextlib.suppress(sqlcipher.Error):
                    connection.execute("ROLLBACK")
            if isinstance(error, sqlcipher.Error | OSError):
                raise translate_error(error, self._path) from None
            raise
        finally:
            self._depth = 0

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; returns the number of rows it changed."""
        try:
            cursor = self._conn().execute(sql, params)
        except sqlcipher.Error as error:
            raise translate_error(error, self._path) from None
        return int(cursor.rowcount)

    def execute_many(self, sql: str, rows: Sequence[Params]) -> None:
        try:
            self._conn().executemany(sql, rows)
        except sqlcipher.Error as error:
            raise translate_error(error, self._path) from None

    def query(self, sql: str, params: Params = ()) -> list[Row]:
        try:
            return list(self._conn().execute(sql, params).fetchall())
        except sqlcipher.Error as error:
            raise translate_error(error, self._path) from None

    def query_one(self, sql: str, params: Params = ()) -> Row | None:
        try:
            row = self._conn().execute(sql, params).fetchone()
        except sqlcipher.Error as error:
            raise translate_error(error, self._path) from None
        return None if row is None else tuple(row)

    def scalar(self, sql: str, params: Params = ()) -> Any:
        row = self.query_one(sql, params)
        return None if row is None else row[0]

    def user_version(self) -> int:
        return int(self.scalar("PRAGMA user_version"))

    def set_user_version(self, version: int) -> None:
        self.execute(f"PRAGMA user_version = {int(version)}")

    def has_fts5(self) -> bool:
        options = {str(row[0]) for row in self.query("PRAGMA compile_options")}
        return "ENABLE_FTS5" in options

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the main file (before copying it, say)."""
        self.query("PRAGMA wal_checkpoint(TRUNCATE)")

    def integrity_problems(self) -> list[str]:
        """Pages that fail SQLCipher's HMAC check, then SQLite's own structural check."""
        problems = [
            " ".join(str(v) for v in row) for row in self.query("PRAGMA cipher_integrity_check")
        ]
        if problems:
            return problems
        result = [str(row[0]) for row in self.query("PRAGMA integrity_check")]
        return [] if result == ["ok"] else result

    def limit_pages_for_test(self, max_pages: int) -> None:
        """Cap the file's size (`max_page_count`): how tests provoke a full disk safely."""
        self.query(f"PRAGMA max_page_count = {int(max_pages)}")

    def page_count(self) -> int:
        return int(self.scalar("PRAGMA page_count"))
