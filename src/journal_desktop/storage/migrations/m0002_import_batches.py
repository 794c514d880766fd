"""Schema 2: import batches (with the original file, encrypted like everything else) and an
execution fingerprint so that re-importing a file, or an overlapping export, adds nothing twice.
"""

from __future__ import annotations

from journal_desktop.storage.database import Database
from journal_desktop.storage.migrations.m0001_initial import SYNC_COLUMNS

STATEMENTS: tuple[str, ...] = (
    "ALTER TABLE executions ADD COLUMN fingerprint TEXT NOT NULL DEFAULT ''",
    """CREATE UNIQUE INDEX executions_by_fingerprint ON executions (fingerprint)
        WHERE fingerprint <> '' AND deleted = 0""",
    f"""CREATE TABLE import_batches ({SYNC_COLUMNS},
        filename TEXT NOT NULL,
        format_name TEXT NOT NULL,
        timezone TEXT NOT NULL,
        imported_at TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        execution_count INTEGER NOT NULL,
        duplicate_count INTEGER NOT NULL
    )""",
    """CREATE TABLE import_batch_files (
        batch_id TEXT PRIMARY KEY NOT NULL REFERENCES import_batches (id),
        data BLOB NOT NULL
    )""",
)


def apply(db: Database) -> None:
    for statement in STATEMENTS:
        db.execute(statement)
