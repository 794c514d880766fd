"""Where a vault's files live. One data folder holds one vault."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "journal-desktop"


def default_data_dir() -> Path:
    """The platform's per-user data folder (e.g. ~/.local/share/journal-desktop on Linux)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False, roaming=True))


@dataclass(frozen=True, slots=True)
class VaultPaths:
    """The files of one vault. Only `database` and `key_file` hold (encrypted) secrets."""

    data_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / "journal.db"

    @property
    def metadata(self) -> Path:
        """Plain JSON with no secrets: format, vault id, how the key is stored, a key check."""
        return self.data_dir / "vault.json"

    @property
    def key_file(self) -> Path:
        """Passphrase mode only: the database key wrapped under Argon2id(passphrase)."""
        return self.data_dir / "journal.key"

    @property
    def backups_dir(self) -> Path:
        return self.data_dir / "backups"

    @property
    def migration_backups_dir(self) -> Path:
        return self.data_dir / "backups" / "pre-migration"

    def sidecar_files(self) -> tuple[Path, ...]:
        """SQLite's write-ahead log and shared-memory index beside the database."""
        db = self.database
        return (db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm"))

    def exists(self) -> bool:
        return self.metadata.exists() or self.database.exists()
