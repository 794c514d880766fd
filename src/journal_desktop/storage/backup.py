"""Encrypted backups of a vault, automatic local backups, and restore into a new vault.

A backup is a SQLCipher snapshot of the vault (made with `sqlcipher_export` into a temp file
encrypted under a key derived from the backup's data key, so no plaintext page ever touches the
disk) sealed in the stream format of `backup_format`. A restore decrypts that snapshot into a
private temp folder, rekeys it under a brand-new vault key stored the way `Vault.init` stores
one, and only then moves it into place; any failure leaves the target folder as it was.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from journal_desktop.storage import backup_format, vault_keys
from journal_desktop.storage.atomic_files import (
    PRIVATE_FILE_MODE,
    ensure_private_dir,
    fsync_directory,
    write_atomic,
)
from journal_desktop.storage.backup_format import BackupDamaged, BackupHeader, KeyKind
from journal_desktop.storage.database import Database, DatabaseErrorTypes, translate_error
from journal_desktop.storage.errors import (
    BackupError,
    DataDirNotEmpty,
    DiskFull,
    NewerSchema,
    NotAVault,
    VaultDamaged,
    VaultError,
)
from journal_desktop.storage.keychain import Keychain
from journal_desktop.storage.metadata import KeyStorage, VaultMetadata, key_check, key_matches
from journal_desktop.storage.migrations import LATEST_VERSION
from journal_desktop.storage.migrations.runner import migrate
from journal_desktop.storage.paths import VaultPaths
from journal_desktop.storage.vault import Vault, data_dir_is_empty
from journal_desktop.storage.vault_keys import KeyEnvironment

BACKUP_SUFFIX = ".jdbackup"
AUTO_PREFIX = "auto-"
_AUTO_NAME = re.compile(r"^auto-(\d{8}T\d{6}Z)(?:-\d+)?\.jdbackup$")
_SNAPSHOT_NAME = "snapshot.db"


@dataclass(frozen=True, slots=True)
class BackupInfo:
    """What a backup's header says. Until a restore unwraps its key, treat it as a preview."""

    path: Path
    format: str
    vault_id: str
    created_at: datetime
    schema_version: int
    key_kind: KeyKind
    size: int


@dataclass(frozen=True, slots=True)
class LocalBackup:
    path: Path
    created_at: datetime
    size: int


# -- writing ------------------------------------------------------------------------------------


def write_backup(
    vault: Vault, target: Path, passphrase: str, *, overwrite: bool = False
) -> BackupInfo:
    """Write a portable backup to `target`, encrypted under a backup passphrase (Argon2id).

    Refuses to replace an existing file unless asked, so a typo cannot overwrite another backup.
    Runs on the thread that owns the vault's connection, like every other vault call.
    """
    if not passphrase:
        raise BackupError("A backup passphrase must not be empty; choose one and try again.")
    _check_target(target, overwrite=overwrite)
    return _write(vault, target, datetime.now(UTC), passphrase=passphrase)


def _check_target(target: Path, *, overwrite: bool) -> None:
    if not target.parent.is_dir():
        raise BackupError(
            f"The folder {target.parent} does not exist; create it or choose another place "
            "for the backup."
        )
    if target.is_dir():
        raise BackupError(f"{target} is a folder; give a file name for the backup.")
    if target.exists() and not overwrite:
        raise BackupError(
            f"{target} already exists; choose another file name, or remove the old file first."
        )


def _write(
    vault: Vault,
    target: Path,
    created_at: datetime,
    *,
    passphrase: str | None = None,
    vault_key: bytes | None = None,
) -> BackupInfo:
    data_key = os.urandom(32)
    header = backup_format.new_header(
        vault_id=vault.metadata.vault_id,
        schema_version=vault.schema_version(),
        created_at=created_at,
        data_key=data_key,
        passphrase=passphrase,
        vault_key=vault_key,
    )
    try:
        snapshot_context = _encrypted_snapshot(
            vault, target.parent, data_key, header.schema_version
        )
        with snapshot_context as snapshot, snapshot.open("rb") as source:
            pieces = _read_pieces(source, header.chunk_size)
            write_atomic(target, backup_format.encrypt_stream(header, data_key, pieces))
    except OSError as error:
        raise _write_error(error, target) from None
    return _info(target, header)


def _write_error(error: OSError, target: Path) -> VaultError:
    if error.errno == errno.ENOSPC:
        return DiskFull()
    return BackupError(
        f"The backup could not be written to {target} ({error.strerror or 'I/O error'}); "
        "check the folder and the disk, then try again."
    )


def _read_pieces(source: BinaryIO, size: int) -> Iterator[bytes]:
    while piece := source.read(size):
        yield piece


@contextlib.contextmanager
def _encrypted_snapshot(
    vault: Vault, near: Path, data_key: bytes, schema_version: int
) -> Iterator[Path]:
    """A consistent copy of the vault, SQLCipher-encrypted, in a private temp folder.

    The folder sits beside the target rather than in the system temp folder (which may be a
    small RAM disk, or shared), and is removed whatever happens.
    """
    if vault.db.closed:
        raise VaultError("The vault is locked or closed; open it again to continue.")
    if vault.db.in_transaction:
        raise BackupError("A backup cannot start in the middle of a change; finish it first.")
    staging = Path(tempfile.mkdtemp(prefix=".jdbackup-", dir=near))
    try:
        snapshot = staging / _SNAPSHOT_NAME
        _create_private_file(snapshot)
        _export(vault, snapshot, backup_format.snapshot_key(data_key), schema_version)
        yield snapshot
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _create_private_file(path: Path) -> None:
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE))


def _key_literal(key: bytes) -> str:
    if len(key) != 32:
        raise ValueError("a SQLCipher key is 32 bytes")
    # PRAGMA/ATTACH keys cannot be bound parameters; this hex is made from our own bytes.
    return f"\"x'{key.hex()}'\""


def _export(vault: Vault, snapshot: Path, key: bytes, version: int) -> None:
    """Copy every table, index and trigger into `snapshot`, keeping rowids and user_version."""
    vault.db.checkpoint()
    raw = vault.db.raw
    try:
        raw.execute(f"ATTACH DATABASE ? AS snapshot KEY {_key_literal(key)}", (str(snapshot),))
        try:
            # A scratch file: durability comes from the fsync of the finished backup, and
            # syncing every page of the export would make it many times slower.
            raw.execute("PRAGMA snapshot.synchronous = OFF")
            raw.execute("PRAGMA snapshot.journal_mode = MEMORY")
            raw.execute("SELECT sqlcipher_export('snapshot')")
            # sqlcipher_export does not carry the schema number; migrations depend on it.
            raw.execute(f"PRAGMA snapshot.user_version = {int(version)}")
        finally:
            raw.execute("DETACH DATABASE snapshot")
    except DatabaseErrorTypes as error:
        raise translate_error(error, snapshot) from None


def _info(path: Path, header: BackupHeader) -> BackupInfo:
    return BackupInfo(
        path=path,
        format=backup_format.FORMAT,
        vault_id=header.vault_id,
        created_at=header.created_at,
        schema_version=header.schema_version,
        key_kind=header.key_kind,
        size=path.stat().st_size,
    )


def read_backup_info(source: Path) -> BackupInfo:
    """The header of a backup (no secret needed), for `status` and a restore preview."""
    try:
        with source.open("rb") as stream:
            header, _ = backup_format.read_header(stream)
    except FileNotFoundError:
        raise BackupError(f"The backup file {source} does not exist; check the path.") from None
    except OSError as error:
        raise BackupError(
            f"The backup file {source} could not be read ({error.strerror or 'I/O error'})."
        ) from None
    return _info(source, header)


# -- automatic local backups --------------------------------------------------------------------


def write_local_backup(
    vault: Vault, key: bytes, keep: int = 7, *, now: datetime | None = None
) -> Path:
    """Back up into the vault's backups folder under its own key, then keep the newest `keep`.

    `key` is the vault's database key (the caller holds it from `vault_keys.load_key`); it is
    checked against vault.json so a backup is never sealed under a key that cannot open it.
    """
    if keep < 1:
        raise ValueError("keep at least one backup")
    if not key_matches(key, vault.metadata.key_check):
        raise BackupError("The key given is not this vault's key; no backup was written.")
    moment = now or datetime.now(UTC)
    ensure_private_dir(vault.paths.backups_dir)
    target = _auto_backup_path(vault.paths.backups_dir, moment)
    _write(vault, target, moment, vault_key=key)
    _rotate(vault.paths, keep, written=target)
    return target


def _auto_backup_path(directory: Path, moment: datetime) -> Path:
    stem = f"{AUTO_PREFIX}{moment.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    candidate = directory / f"{stem}{BACKUP_SUFFIX}"
    counter = 1
    while candidate.exists():
        counter += 1
        candidate = directory / f"{stem}-{counter}{BACKUP_SUFFIX}"
    return candidate


def _rotate(paths: VaultPaths, keep: int, *, written: Path) -> None:
    """Delete automatic backups beyond the newest `keep`; never the one just written."""
    for old in list_backups(paths)[keep:]:
        if old.path != written:
            with contextlib.suppress(FileNotFoundError):
                old.path.unlink()


#: The vault setting that says how often the automatic local backup is made, in hours
#: (0: never). Absent means daily.
AUTO_BACKUP_SETTING = "auto_backup_every_hours"
#: The schedules offered: daily (the default), weekly, or off.
AUTO_BACKUP_CHOICES = (24, 168, 0)
DEFAULT_AUTO_BACKUP_HOURS = 24


def auto_backup_hours(vault: Vault) -> int:
    """Hours between automatic local backups (0: off); a value not offered reads as daily."""
    text = vault.settings.get(AUTO_BACKUP_SETTING)
    try:
        hours = int(text) if text is not None else DEFAULT_AUTO_BACKUP_HOURS
    except ValueError:
        return DEFAULT_AUTO_BACKUP_HOURS
    return hours if hours in AUTO_BACKUP_CHOICES else DEFAULT_AUTO_BACKUP_HOURS


def set_auto_backup_hours(vault: Vault, hours: int) -> None:
    if hours not in AUTO_BACKUP_CHOICES:
        raise ValueError(f"automatic backups are every {AUTO_BACKUP_CHOICES} hours, not {hours}")
    with vault.transaction():
        vault.settings.set(AUTO_BACKUP_SETTING, str(hours))


def maybe_auto_backup(
    vault: Vault,
    key: bytes,
    *,
    interval: timedelta | None = None,
    keep: int = 7,
    now: datetime | None = None,
) -> Path | None:
    """Write a local backup only if none exists or the newest is at least `interval` old.

    Without an `interval`, the vault's own schedule (`auto_backup_hours`) decides, and a
    schedule of "off" writes nothing.
    """
    if interval is None:
        hours = auto_backup_hours(vault)
        if hours == 0:
            return None
        interval = timedelta(hours=hours)
    moment = now or datetime.now(UTC)
    age = newest_backup_age(vault.paths, moment)
    if age is not None and age < interval:
        return None
    return write_local_backup(vault, key, keep, now=moment)


def list_backups(paths: VaultPaths) -> list[LocalBackup]:
    """The automatic backups in the vault's backups folder, newest first.

    Times come from each file's header (or, if that cannot be read, its name), never from
    mtime, which a copy or a restore from another disk would change.
    """
    if not paths.backups_dir.is_dir():
        return []
    found = []
    for path in paths.backups_dir.glob(f"{AUTO_PREFIX}*{BACKUP_SUFFIX}"):
        created = _created_time(path)
        if created is not None and path.is_file():
            found.append(LocalBackup(path, created, path.stat().st_size))
    return sorted(found, key=lambda b: (b.created_at, b.path.name), reverse=True)


def _created_time(path: Path) -> datetime | None:
    try:
        return read_backup_info(path).created_at
    except BackupError:
        match = _AUTO_NAME.match(path.name)
        if match is None:
            return None
        return datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


def newest_backup_age(paths: VaultPaths, now: datetime | None = None) -> timedelta | None:
    """How old the newest automatic backup is (never negative), or None if there is none."""
    backups = list_backups(paths)
    if not backups:
        return None
    age = (now or datetime.now(UTC)) - backups[0].created_at
    return max(age, timedelta(0))


# -- restore ------------------------------------------------------------------------------------


def restore_backup(
    source: Path,
    paths: VaultPaths,
    env: KeyEnvironment,
    *,
    backup_passphrase: str | None = None,
    vault_key: bytes | None = None,
    key_storage: KeyStorage | None = None,
) -> Vault:
    """Restore a backup into an empty (or missing) data folder as a new vault with a new key.

    A portable backup needs `backup_passphrase`; an automatic local one needs `vault_key`, the
    key of the vault that wrote it. The restored vault gets a new id, key and device identity;
    its audit log keeps the old history and records the restore.
    """
    if not data_dir_is_empty(paths.data_dir):
        raise DataDirNotEmpty(str(paths.data_dir))
    storage = vault_keys.choose_key_storage(key_storage, env)
    with _open_source(source) as stream:
        header, digest = backup_format.read_header(stream)
        if header.schema_version > LATEST_VERSION:
            raise NewerSchema(header.schema_version, LATEST_VERSION)
        data_key = backup_format.unwrap_data_key(
            header, passphrase=backup_passphrase, vault_key=vault_key
        )
        return _Restore(paths, env, storage).run(stream, header, digest, data_key)


@contextlib.contextmanager
def _open_source(source: Path) -> Iterator[BinaryIO]:
    try:
        stream = source.open("rb")
    except FileNotFoundError:
        raise BackupError(f"The backup file {source} does not exist; check the path.") from None
    except OSError as error:
        raise BackupError(
            f"The backup file {source} could not be read ({error.strerror or 'I/O error'})."
        ) from None
    with stream:
        yield stream


class _Restore:
    """One restore attempt, remembering what it created so a failure can remove exactly that."""

    def __init__(self, paths: VaultPaths, env: KeyEnvironment, storage: KeyStorage) -> None:
        self.paths = paths
        self.env = env
        self.key = vault_keys.new_database_key()
        self.metadata = VaultMetadata(
            vault_id=str(uuid.uuid4()),
            key_storage=storage,
            key_check=key_check(self.key),
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        self.created_dir = not paths.data_dir.exists()
        self.key_stored = False
        self.db: Database | None = None

    def run(self, stream: BinaryIO, header: BackupHeader, digest: bytes, data_key: bytes) -> Vault:
        ensure_private_dir(self.paths.data_dir)
        try:
            staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=self.paths.data_dir))
            try:
                snapshot = staging / _SNAPSHOT_NAME
                _decrypt_into(stream, header, digest, data_key, snapshot)
                _rekey(snapshot, backup_format.snapshot_key(data_key), self.key, header)
                vault_keys.store_new_key(self.paths, self.metadata, self.key, self.env)
                self.key_stored = True
                os.replace(snapshot, self.paths.database)
                fsync_directory(self.paths.data_dir)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
            vault = self._open_restored(header)
            self.metadata.save(self.paths.metadata)  # last: until now, this is not a vault
            return vault
        except BaseException:
            self._undo()
            raise

    def _open_restored(self, header: BackupHeader) -> Vault:
        self.db = Database.open(self.paths.database, self.key)
        migrate(self.db, self.paths)
        # The copy is a new device: sharing the source's id would clash in sync and audit.
        Vault.write_device_identity(self.db, device_id=secrets.token_hex(8))
        vault = Vault(self.paths, self.metadata, self.db)
        vault.record_key_event(
            "vault restored from backup",
            {
                "backup_created_at": backup_format.format_time(header.created_at),
                "source_vault_id": header.vault_id,
                "backup_key": header.key_kind.value,
                "key_storage": self.metadata.key_storage.value,
            },
        )
        return vault

    def _undo(self) -> None:
        """Leave the data folder as it was (empty or missing) and forget a stored key."""
        if self.db is not None:
            with contextlib.suppress(Exception):
                self.db.close()
        for path in (
            self.paths.metadata,
            self.paths.key_file,
            self.paths.database,
            *self.paths.sidecar_files(),
        ):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        shutil.rmtree(self.paths.backups_dir, ignore_errors=True)
        if self.key_stored and self.metadata.key_storage is KeyStorage.KEYCHAIN:
            with contextlib.suppress(Exception):
                Keychain(self.env.backend).forget(self.metadata.vault_id)
        if self.created_dir:
            with contextlib.suppress(OSError):
                os.rmdir(self.paths.data_dir)


def _decrypt_into(
    stream: BinaryIO, header: BackupHeader, digest: bytes, data_key: bytes, target: Path
) -> None:
    """Write the authenticated payload (still SQLCipher-encrypted) to a private file."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    with os.fdopen(fd, "wb") as out:
        for piece in backup_format.decrypt_stream(stream, header, digest, data_key):
            out.write(piece)


def _rekey(snapshot: Path, old_key: bytes, new_key: bytes, header: BackupHeader) -> None:
    """Check the snapshot is whole and as described, then re-encrypt it under the new key."""
    try:
        db = Database.open(snapshot, old_key)
    except (NotAVault, VaultDamaged):
        raise BackupDamaged("its database does not open") from None
    try:
        if db.integrity_problems():
            raise BackupDamaged("its database fails the integrity check")
        if db.user_version() != header.schema_version:
            raise BackupDamaged("its database does not match its header")
        db.execute("PRAGMA journal_mode = DELETE")  # leave no -wal beside the file we move
        db.raw.execute(f"PRAGMA rekey = {_key_literal(new_key)}")
    except DatabaseErrorTypes as error:
        raise translate_error(error, snapshot) from None
    finally:
        db.close()


__all__ = [
    "BackupInfo",
    "KeyKind",
    "LocalBackup",
    "list_backups",
    "maybe_auto_backup",
    "newest_backup_age",
    "read_backup_info",
    "restore_backup",
    "write_backup",
    "write_local_backup",
]
