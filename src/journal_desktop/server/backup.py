"""`journal-server backup FILE`: a consistent copy of the SQLite database, taken online.

SQLite's backup API copies the live database page by page while the server keeps running
(WAL: writers are not blocked). The copy goes to a temporary file beside FILE (owner-only,
0600, as the database holds account data), is switched to a self-contained rollback journal,
checked, synced, and only then renamed over FILE, so FILE is always either the old backup or a
whole new one. PostgreSQL is backed up with its own tool, pg_dump (see `pg_dump_command`).
"""

from __future__ import annotations

import contextlib
import os
import shlex
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    accounts: int


def pg_dump_command(database_url: str, target: Path) -> str:
    """The pg_dump command line for the same database (without its password)."""
    given = make_url(database_url)
    url = URL.create(
        "postgresql",
        username=given.username,
        host=given.host,
        port=given.port,
        database=given.database,
        query=given.query,
    )
    rendered = url.render_as_string(hide_password=False)
    return f"pg_dump --format=custom --file={shlex.quote(str(target))} {shlex.quote(rendered)}"


def _fsync_dir(directory: Path) -> None:
    if os.name != "posix":  # pragma: no cover - directories cannot be opened elsewhere
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def backup_sqlite(database: Path, target: Path) -> BackupResult:
    if not database.is_file():
        raise BackupError(f"no database at {database}")
    target = target.absolute()
    if target.exists() and target.resolve() == database.resolve():
        raise BackupError("the backup file cannot be the live database itself")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent} is not a directory")
    if target.is_dir():
        raise BackupError(f"{target} is a directory: name the backup file")
    try:
        fd, temporary_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    except OSError as exc:
        raise BackupError(f"cannot write in {target.parent}: {exc.strerror or exc}") from exc
    os.close(fd)
    temporary = Path(temporary_name)
    try:
        # Read-write open, though only read: a read-only one cannot join a WAL database that
        # has no -shm file yet (server stopped).
        source = sqlite3.connect(database, timeout=30)
        copy = sqlite3.connect(temporary)
        try:
            source.backup(copy)
            # One self-contained file: no -wal/-shm beside the backup.
            copy.execute("PRAGMA journal_mode=DELETE").fetchall()
            verdict = copy.execute("PRAGMA quick_check").fetchone()
            if verdict is None or verdict[0] != "ok":
                raise BackupError(f"the copy failed its check: {verdict}")
            accounts = copy.execute("SELECT COUNT(*) FROM accounts").fetchone()[0]
        finally:
            copy.close()
            source.close()
        os.chmod(temporary, 0o600)
        with open(temporary, "rb+") as written:
            os.fsync(written.fileno())
        os.replace(temporary, target)
        _fsync_dir(target.parent)
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite refused the backup: {exc}") from exc
    except OSError as exc:  # a full disk on fsync, a target that cannot be replaced
        raise BackupError(f"cannot write {target}: {exc.strerror or exc}") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    return BackupResult(path=target, size=target.stat().st_size, accounts=int(accounts))
