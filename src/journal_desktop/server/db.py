"""The server's tables (SQLAlchemy Core), its engine, and schema migration on start.

SQLite runs in WAL with foreign keys on; writes that must be serialised (seq assignment,
idempotency) open with BEGIN IMMEDIATE so two writers never both read the same last seq. On
PostgreSQL the same code takes a row lock on the account (SELECT ... FOR UPDATE).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Engine,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

metadata = MetaData()

accounts = Table(
    "accounts",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("auth_hash", String(200), nullable=False),
    Column("kdf_memory_kib", Integer, nullable=False),
    Column("kdf_iterations", Integer, nullable=False),
    Column("kdf_parallelism", Integer, nullable=False),
    Column("salt", LargeBinary, nullable=False),
    Column("wrapped_keys", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    #: The last seq handed out for this account's items; only ever grows.
    Column("last_seq", BigInteger, nullable=False, default=0),
    #: Bytes of ciphertext stored in items and blobs, kept in step with every write (under the
    #: account's row lock), so the quota check never scans the account's data.
    Column("stored_bytes", BigInteger, nullable=False, default=0, server_default="0"),
    #: When the operator suspended the account (`journal-server admin suspend`), or NULL.
    #: While set, sign-in and every token are refused with 403 account_suspended.
    Column("suspended_at", BigInteger, nullable=True),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("account_id", String(64), ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    #: SHA-256 of the bearer token: a stolen database yields no usable token.
    Column("token_hash", LargeBinary(32), nullable=False, unique=True),
    Column("device_name", String(100), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("last_seen_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Column("address", String(64), nullable=False),
    Index("ix_sessions_account", "account_id"),
)

items = Table(
    "items",
    metadata,
    Column(
        "account_id", String(64), ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("id", String(128), primary_key=True),
    Column("type", String(128), nullable=False),
    Column("version", BigInteger, nullable=False),
    Column("deleted", Boolean, nullable=False),
    Column("ciphertext", LargeBinary, nullable=False),
    Column("seq", BigInteger, nullable=False),
    Index("ux_items_account_seq", "account_id", "seq", unique=True),
)

idempotency = Table(
    "idempotency",
    metadata,
    Column(
        "account_id", String(64), ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("key", String(128), primary_key=True),
    #: SHA-256 of the request body, so a reused key with another body is refused, not replayed.
    Column("request_hash", LargeBinary(32), nullable=False),
    Column("response", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Index("ix_idempotency_age", "account_id", "created_at"),
)

manifests = Table(
    "manifests",
    metadata,
    Column(
        "account_id", String(64), ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("counter", BigInteger, nullable=False),
    Column("blob", LargeBinary, nullable=False),
)

blobs = Table(
    "blobs",
    metadata,
    Column(
        "account_id", String(64), ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("id", String(128), primary_key=True),
    Column("data", LargeBinary, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

#: Append-only, hash-chained log of security events (see `audit`). `account_id` has no foreign
#: key on purpose: an account's history outlives the account (deletion is itself an event).
security_events = Table(
    "security_events",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("at", BigInteger, nullable=False),
    Column("account_id", String(64), nullable=True),
    #: Keyed hash of an email that has no account, so failures on it can be told apart
    #: without storing an address that belongs to someone who never signed up.
    Column("email_key", LargeBinary(32), nullable=True),
    Column("event", String(40), nullable=False),
    Column("address", String(64), nullable=False),
    Column("device_name", String(100), nullable=False),
    Column("prev_hash", LargeBinary(32), nullable=False),
    Column("hash", LargeBinary(32), nullable=False),
    Index("ix_security_events_account", "account_id", "id"),
)

#: One row: the chain's last id and hash. Appends lock it, so two processes never both extend
#: the chain from the same entry; verify also compares it with the last entry (a cut tail).
audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("last_id", BigInteger, nullable=False),
    Column("last_hash", LargeBinary(32), nullable=False),
)

#: Failed sign-ins per email and per client address, in fixed windows (see `throttle`). Kept in
#: the database so every server process sharing it enforces the same limits.
login_failures = Table(
    "login_failures",
    metadata,
    Column("scope", String(8), primary_key=True),
    #: Keyed hash of the email or address: the table never names who was attacked or from where.
    Column("key", LargeBinary(32), primary_key=True),
    Column("window_start", BigInteger, nullable=False),
    Column("failures", Integer, nullable=False),
    #: Of `failures`, the attempts still being checked (counted by `reserve`, not yet known to
    #: be failures): a refusal with some in flight is only a moment's wait, not a lockout.
    Column("pending", Integer, nullable=False, default=0, server_default="0"),
)

#: An account's TOTP secret (RFC 6238), pending until a first code confirms it. The base32 secret
#: is stored as is: it never leaves the server database, but a copy of that database lets its
#: holder generate codes (the auth secret is still needed to sign in).
totp = Table(
    "totp",
    metadata,
    Column(
        "account_id", String(64), ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("secret", String(64), nullable=False),
    Column("enabled", Boolean, nullable=False),
    #: The last accepted time step: any code of this step or an earlier one is refused.
    Column("last_step", BigInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

#: Single-use recovery codes, as keyed hashes (the codes are random, 80 bits: no slow hash needed).
recovery_codes = Table(
    "recovery_codes",
    metadata,
    Column(
        "account_id", String(64), ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("code_hash", LargeBinary(32), primary_key=True),
)

_IMMEDIATE = "journal_server_immediate"


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event, not the driver, decide how a transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=10000")
        _set_wal(cursor)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(_IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


#: How long a new connection keeps trying to switch a new database to WAL (seconds).
WAL_SWITCH_WAIT = 10.0


def _set_wal(cursor: Any) -> None:
    """Switch to WAL, waiting while another process does the same.

    Changing the journal mode needs the database to itself, and SQLite answers "database is
    locked" at once, without the busy timeout, when several processes (workers starting
    together) open a new database at the same moment. Once one has switched, the mode is
    kept in the file and the others' pragma only reads it.
    """
    deadline = time.monotonic() + WAL_SWITCH_WAIT
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


class UnsupportedDatabase(ValueError):
    pass


def database_url(url: str) -> str:
    """The URL to connect with: SQLite, or PostgreSQL through psycopg (3).

    `postgresql://` and `postgres://` (as pg tools and hosting providers write them) mean the
    psycopg driver this package ships with; any other backend is refused with a clear error.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise UnsupportedDatabase(f"not a database URL: {exc}") from None
    backend, _, driver = parsed.drivername.partition("+")
    if backend == "sqlite" and driver in ("", "pysqlite"):
        return url
    if backend in ("postgresql", "postgres") and driver in ("", "psycopg"):
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    raise UnsupportedDatabase(
        f"unsupported database {parsed.drivername!r}: use sqlite:///PATH or "
        "postgresql+psycopg://USER@HOST:PORT/DATABASE"
    )


def make_engine(url: str) -> Engine:
    """The engine for `url`. Its errors never quote a statement's parameters: they hold auth
    hashes, token hashes, sealed TOTP secrets and ciphertext, and an unexpected database error
    is logged with its message (SQLAlchemy writes "[parameters: ...]" into it by default)."""
    url = database_url(url)
    engine = create_engine(url, pool_pre_ping=not url.startswith("sqlite"), hide_parameters=True)
    if engine.dialect.name == "sqlite":
        if engine.url.database and engine.url.database != ":memory:":
            _owner_only(Path(engine.url.database))
        _tune_sqlite(engine)
    return engine


def _owner_only(path: Path) -> None:
    """Create the SQLite file readable by its owner only (SQLite gives its -wal and -shm
    files the same mode), or take group and other access off an existing one: it holds the
    emails, auth hashes, sealed TOTP secrets, sessions and audit log, and a data dir the
    operator made beforehand is often 0755 (the umask made the file 0644)."""
    if not path.exists():
        # Made meanwhile, or no folder or no right: SQLite says so itself when it connects.
        with contextlib.suppress(OSError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(OSError):  # missing, or not ours to change
            mode = stat.S_IMODE(name.stat().st_mode)
            if mode & 0o077:
                os.chmod(name, mode & 0o700)


@contextlib.contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that holds the write lock from its first statement (SQLite)."""
    with engine.connect() as connection:
        connection.execution_options(**{_IMMEDIATE: True})
        with connection.begin():
            yield connection


@contextlib.contextmanager
def read_connection(engine: Engine) -> Iterator[Connection]:
    """A connection for single-statement reads run on its driver cursor, outside any
    transaction: one statement reads one consistent snapshot by itself, so a BEGIN and a
    COMMIT around it (two more round trips on PostgreSQL) buy nothing.

    On PostgreSQL that is SQLAlchemy's AUTOCOMMIT. Not on SQLite: its driver already runs a
    statement outside any transaction when SQLAlchemy has begun none, and SQLAlchemy's
    AUTOCOMMIT, once reset, would leave the connection beginning transactions of its own.
    """
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(isolation_level="AUTOCOMMIT")
        yield connection


def read_one(connection: Connection, sql: str, params: Sequence[Any]) -> Any:
    """The first row of one read statement run on the connection's driver cursor (see
    `read_connection`), or None; `sql` is written with `?`, as SQLite takes it (`%s` on
    PostgreSQL). Parameters are always bound, never in `sql`.

    For the read every request makes (its session), where SQLAlchemy's statement handling
    cost 0.3 ms of a 0.4 ms lookup on SQLite.
    """
    if connection.dialect.name == "postgresql":
        sql = sql.replace("?", "%s")
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, params)
        return cursor.fetchone()
    finally:
        cursor.close()


#: Key of the PostgreSQL advisory lock held while migrating (any fixed 64-bit number).
MIGRATION_LOCK = 0x6A6F75726E616C  # "journal"


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision shipped in this package.

    Several server processes may start at once on one database (`serve --workers`, or servers
    on several machines sharing PostgreSQL): the whole upgrade runs in one transaction that
    first takes a lock (PostgreSQL: an advisory lock; SQLite: BEGIN IMMEDIATE), so one process
    migrates and the others then find the schema current.
    """
    config = Config()
    config.set_main_option("script_location", "journal_desktop.server:migrations")
    with engine.connect() as connection:
        connection.execution_options(**{_IMMEDIATE: True})
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
                )
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
