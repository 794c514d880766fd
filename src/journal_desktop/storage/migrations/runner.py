"""Applying migrations: back up first, then every pending step inside one transaction."""

from __future__ import annotations

from datetime import UTC, datetime

from journal_desktop.storage.atomic_files import copy_atomic, ensure_private_dir
from journal_desktop.storage.database import Database
from journal_desktop.storage.errors import NewerSchema
from journal_desktop.storage.migrations import LATEST_VERSION, MIGRATIONS
from journal_desktop.storage.paths import VaultPaths


def pending_versions(current: int) -> list[int]:
    return [m.version for m in MIGRATIONS if m.version > current]


def migrate(db: Database, paths: VaultPaths) -> int:
    """Bring the schema to LATEST_VERSION; returns the version found before migrating.

    A vault that already holds data is copied (still encrypted) to backups/pre-migration/
    first, so a migration that goes wrong in a way no transaction can catch is recoverable.
    """
    current = db.user_version()
    if current > LATEST_VERSION:
        raise NewerSchema(current, LATEST_VERSION)
    if current == LATEST_VERSION:
        return current
    if current > 0:
        backup_before_migration(db, paths, current)
    with db.transaction():
        for migration in MIGRATIONS:
            if migration.version > current:
                migration.apply(db)
                db.set_user_version(migration.version)
    return current


def backup_before_migration(db: Database, paths: VaultPaths, current: int) -> None:
    db.checkpoint()
    ensure_private_dir(paths.migration_backups_dir)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = paths.migration_backups_dir / f"journal-schema{current}-{stamp}.db"
    copy_atomic(paths.database, target)
