"""The vault: one encrypted journal in one data folder, opened with its key.

`Vault.init` creates a vault and refuses to touch an existing one; `Vault.open` finds the key
(OS keychain or passphrase), proves it, migrates the schema and hands out repositories.
Nothing here creates a new empty vault over files that fail to open.
"""

from __future__ import annotations

import contextlib
import os
import platform
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from journal_desktop.domain.hlc import Hlc, HybridLogicalClock
from journal_desktop.storage import vault_keys
from journal_desktop.storage.atomic_files import ensure_private_dir
from journal_desktop.storage.audit import AuditLog
from journal_desktop.storage.database import Database
from journal_desktop.storage.errors import NotAVault, VaultAlreadyExists, VaultError, VaultNotFound
from journal_desktop.storage.keychain import Keychain
from journal_desktop.storage.metadata import KeyStorage, VaultMetadata, key_check
from journal_desktop.storage.migrations import LATEST_VERSION
from journal_desktop.storage.migrations.runner import migrate
from journal_desktop.storage.paths import VaultPaths
from journal_desktop.storage.repositories import (
    AccountRepository,
    AttachmentRepository,
    ExecutionRepository,
    ImportBatchRepository,
    InstrumentRepository,
    JournalEntryRepository,
    SettingsRepository,
    StorageContext,
    TagRepository,
    TradeRepository,
)
from journal_desktop.storage.repositories.base import CLOCK_SETTING
from journal_desktop.storage.vault_keys import KeyEnvironment

DEVICE_ID_SETTING = "internal.device_id"
DEVICE_NAME_SETTING = "internal.device_name"


@dataclass(frozen=True, slots=True)
class RecordCounts:
    accounts: int
    instruments: int
    executions: int
    trades: int
    journal_entries: int
    tags: int
    attachments: int
    audit_entries: int


class Vault:
    def __init__(self, paths: VaultPaths, metadata: VaultMetadata, db: Database) -> None:
        self._key: bytes | None = None
        self.paths = paths
        self.metadata = metadata
        self.db = db
        bootstrap = StorageContext(db, HybridLogicalClock("0"), AuditLog(db, "bootstrap"))
        self.settings = SettingsRepository(bootstrap)
        device_id = self.settings.get(DEVICE_ID_SETTING)
        if device_id is None:
            raise NotAVault(str(paths.database), "it has no device identity")
        self.device_id = device_id
        self.device_name = self.settings.get(DEVICE_NAME_SETTING) or "unknown device"
        self.clock = HybridLogicalClock(device_id)
        last = self.settings.get(CLOCK_SETTING)
        if last is not None:
            with contextlib.suppress(ValueError):
                self.clock.observe(Hlc.parse(last))
        self.audit = AuditLog(db, f"{self.device_name} ({device_id[:8]})")
        context = StorageContext(db, self.clock, self.audit)
        self.settings = SettingsRepository(context)
        self.accounts = AccountRepository(context)
        self.instruments = InstrumentRepository(context)
        self.executions = ExecutionRepository(context)
        self.trades = TradeRepository(context)
        self.journal = JournalEntryRepository(context)
        self.tags = TagRepository(context)
        self.attachments = AttachmentRepository(context)
        self.imports = ImportBatchRepository(context)

    # -- life cycle ---------------------------------------------------------------------------

    @classmethod
    def init(
        cls,
        paths: VaultPaths,
        env: KeyEnvironment,
        key_storage: KeyStorage | None = None,
    ) -> Vault:
        """Create a new vault; refuse if any vault file is already in the folder."""
        if paths.exists() or paths.key_file.exists():
            raise VaultAlreadyExists(str(paths.data_dir))
        storage = vault_keys.choose_key_storage(key_storage, env)
        ensure_private_dir(paths.data_dir)
        key = vault_keys.new_database_key()
        metadata = VaultMetadata(
            vault_id=str(uuid.uuid4()),
            key_storage=storage,
            key_check=key_check(key),
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        created: list[Path] = []
        try:
            vault_keys.store_new_key(paths, metadata, key, env)
            if storage is KeyStorage.PASSPHRASE:
                created.append(paths.key_file)
            created.append(paths.database)
            db = Database.open(paths.database, key, create=True)
            try:
                migrate(db, paths)
                cls.write_device_identity(db, device_id=secrets.token_hex(8))
                vault = cls(paths, metadata, db)
                vault._key = key
                with db.transaction():
                    vault.audit.append(
                        "key",
                        "vault",
                        metadata.vault_id,
                        None,
                        {
                            "event": "vault created",
                            "key_storage": storage.value,
                            "schema_version": LATEST_VERSION,
                        },
                    )
            except BaseException:
                db.close()
                raise
            created.append(paths.metadata)
            metadata.save(paths.metadata)
        except BaseException:
            _remove_partial_vault(paths, metadata, env, created)
            raise
        return vault

    @staticmethod
    def write_device_identity(db: Database, *, device_id: str) -> None:
        with db.transaction():
            for key, value in (
                (DEVICE_ID_SETTING, device_id),
                (DEVICE_NAME_SETTING, platform.node() or "this device"),
            ):
                db.execute(
                    "INSERT INTO settings (key, value) VALUES (?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (key, value),
                )

    @classmethod
    def open(cls, paths: VaultPaths, env: KeyEnvironment) -> Vault:
        metadata = read_metadata(paths)
        key = vault_keys.load_key(paths, metadata, env)
        return cls.open_with_key(paths, metadata, key)

    @classmethod
    def open_with_key(cls, paths: VaultPaths, metadata: VaultMetadata, key: bytes) -> Vault:
        db = Database.open(paths.database, key)
        try:
            migrate(db, paths)
            vault = cls(paths, metadata, db)
        except BaseException:
            db.close()
            raise
        vault._key = key
        return vault

    @property
    def open_key(self) -> bytes:
        """The database key, while the vault is open, for the automatic local backups.

        SQLCipher holds this key in the process's memory for as long as the connection is
        open anyway; keeping the reference until `close` lets a passphrase vault back itself
        up on schedule without asking for the passphrase again. Locking closes the vault and
        drops it.
        """
        if self._key is None or self.db.closed:
            raise VaultError("The journal is closed; its key is no longer held.")
        return self._key

    def close(self) -> None:
        """Close the connection and drop the key. The clock needs no saving: every write
        stored it."""
        self._key = None
        if self.db.closed:
            return
        self.db.close()

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        with self.db.transaction():
            yield

    # -- reporting ----------------------------------------------------------------------------

    def schema_version(self) -> int:
        return self.db.user_version()

    def counts(self) -> RecordCounts:
        return RecordCounts(
            accounts=self.accounts.count(),
            instruments=self.instruments.count(),
            executions=self.executions.count(),
            trades=self.trades.count(),
            journal_entries=self.journal.count(),
            tags=self.tags.count(),
            attachments=self.attachments.count(),
            audit_entries=int(self.db.scalar("SELECT count(*) FROM audit_log")),
        )

    def integrity_problems(self) -> list[str]:
        return self.db.integrity_problems()

    def record_key_event(self, event: str, details: dict[str, str]) -> None:
        """Audit a change of key or key storage; the details never include key material."""
        with self.db.transaction():
            self.audit.append(
                "key", "vault", self.metadata.vault_id, None, {"event": event, **details}
            )


def read_metadata(paths: VaultPaths) -> VaultMetadata:
    if not paths.metadata.exists():
        if paths.database.exists():
            raise NotAVault(str(paths.data_dir), "its metadata file vault.json is missing")
        raise VaultNotFound(str(paths.data_dir))
    return VaultMetadata.load(paths.metadata)


def _remove_partial_vault(
    paths: VaultPaths, metadata: VaultMetadata, env: KeyEnvironment, created: list[Path]
) -> None:
    """Undo a failed `init`: only files this init created, never anything that was there."""
    for path in created:
        for candidate in (path, *(paths.sidecar_files() if path == paths.database else ())):
            with contextlib.suppress(FileNotFoundError):
                candidate.unlink()
    if metadata.key_storage is KeyStorage.KEYCHAIN:
        with contextlib.suppress(Exception):
            Keychain(env.backend).forget(metadata.vault_id)
    with contextlib.suppress(OSError):
        if paths.data_dir.exists() and not any(paths.data_dir.iterdir()):
            os.rmdir(paths.data_dir)


def data_dir_is_empty(directory: Path) -> bool:
    return not directory.exists() or not any(directory.iterdir())


__all__ = ["RecordCounts", "Vault", "data_dir_is_empty", "read_metadata"]
