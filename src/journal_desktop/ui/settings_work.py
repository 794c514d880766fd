"""What the Security & settings screen asks of the vault, run on the worker thread.

Qt-free: each function is called inside `tasks.run(...)`. The open vault does not keep its
database key in memory for the app to reuse, so every operation that needs it (switching key
storage, a new passphrase, a local backup) loads it again as `journal-desktop` does: from the
keychain, or by unwrapping the key file with the current passphrase, which the person types
again. That re-confirmation is deliberate: a walk-up attacker at an unlocked screen cannot
move the key or change the passphrase without knowing the current one.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from journal_desktop.storage import backup as backups
from journal_desktop.storage import key_management, vault_keys
from journal_desktop.storage.audit import AuditEntry, AuditVerification
from journal_desktop.storage.backup import BackupInfo, KeyKind, LocalBackup
from journal_desktop.storage.errors import BackupError, VaultError
from journal_desktop.storage.keychain import default_backend
from journal_desktop.storage.metadata import KeyStorage
from journal_desktop.storage.paths import VaultPaths
from journal_desktop.storage.vault import Vault
from journal_desktop.storage.vault_keys import KeyEnvironment

#: Setting keys the shell reads too (agreed names).
THEME_SETTING = "ui.theme"
AUTO_LOCK_SETTING = "ui.auto_lock_minutes"
THEMES = ("system", "light", "dark")
DEFAULT_AUTO_LOCK_MINUTES = 10
#: What `maybe_auto_backup` and `write_local_backup` keep; said in the UI.
LOCAL_BACKUPS_KEPT = 7
#: At most one automatic local backup per this interval (as the command line does).
#: The newest backup reads as overdue beyond this.
BACKUP_OVERDUE = timedelta(days=7)
#: How many audit entries the table shows (the newest).
AUDIT_ROWS = 200


class KeyEnvironmentSource:
    """The keyring backend to use, found lazily on the worker (probing D-Bus can take a while).

    Tests pass a `KeyEnvironment` with the in-memory keyring fake; the app passes nothing and
    gets the platform's default backend.
    """

    def __init__(self, env: KeyEnvironment | None = None) -> None:
        self._env = env
        self._lock = threading.Lock()

    def get(self) -> KeyEnvironment:
        with self._lock:
            if self._env is None:
                self._env = KeyEnvironment(default_backend())
            return dataclasses.replace(self._env, passphrase=None)


#: Where the open journal keeps its key now; None until the screen has loaded it.
KeyStorageGetter = Callable[[], KeyStorage | None]


def _with_passphrase(env: KeyEnvironment, passphrase: str | None) -> KeyEnvironment:
    if passphrase is None:
        return dataclasses.replace(env, passphrase=None)
    return dataclasses.replace(env, passphrase=lambda: passphrase)


# -- key storage ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KeyState:
    storage: KeyStorage
    backend_name: str
    keychain_secure: bool


def key_state(vault: Vault, env: KeyEnvironment) -> KeyState:
    return KeyState(vault.metadata.key_storage, env.backend_name, env.keychain_is_secure)


def load_vault_key(vault: Vault, env: KeyEnvironment, current_passphrase: str | None) -> bytes:
    """The vault's key, from the keychain or unwrapped with the current passphrase."""
    return vault_keys.load_key(
        vault.paths, vault.metadata, _with_passphrase(env, current_passphrase)
    )


def switch_key_storage(
    vault: Vault,
    env: KeyEnvironment,
    target: KeyStorage,
    *,
    current_passphrase: str | None = None,
    new_passphrase: str | None = None,
) -> KeyState:
    key = load_vault_key(vault, env, current_passphrase)
    key_management.switch_key_storage(vault, key, _with_passphrase(env, new_passphrase), target)
    return key_state(vault, env)


def change_passphrase(
    vault: Vault, env: KeyEnvironment, current_passphrase: str, new_passphrase: str
) -> None:
    key = load_vault_key(vault, env, current_passphrase)
    key_management.change_passphrase(vault, key, new_passphrase)


# -- backups --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BackupState:
    folder: Path
    local: list[LocalBackup]
    newest_age: timedelta | None
    #: Hours between automatic local backups; 0 when they are off.
    every_hours: int

    @property
    def overdue(self) -> bool:
        return self.newest_age is None or self.newest_age > BACKUP_OVERDUE


def backup_state(vault: Vault) -> BackupState:
    return BackupState(
        folder=vault.paths.backups_dir,
        local=backups.list_backups(vault.paths),
        newest_age=backups.newest_backup_age(vault.paths),
        every_hours=backups.auto_backup_hours(vault),
    )


def local_backup_now(vault: Vault) -> Path:
    """A local backup now, under the key the open vault holds (no passphrase to type)."""
    return backups.write_local_backup(vault, vault.open_key, LOCAL_BACKUPS_KEPT)


def set_backup_schedule(vault: Vault, every_hours: int) -> BackupState:
    backups.set_auto_backup_hours(vault, every_hours)
    return backup_state(vault)


def auto_backup(vault: Vault) -> Path | None:
    """The local backup the journal's schedule asks for, if one is due (any key storage:
    the open vault holds its key)."""
    return backups.maybe_auto_backup(vault, vault.open_key, keep=LOCAL_BACKUPS_KEPT)


def write_backup(vault: Vault, target: Path, passphrase: str, *, overwrite: bool) -> BackupInfo:
    return backups.write_backup(vault, target, passphrase, overwrite=overwrite)


@dataclass(frozen=True, slots=True)
class RestoreResult:
    data_dir: Path
    storage: KeyStorage
    trades: int
    journal_entries: int


def backup_info(source: Path) -> BackupInfo:
    return backups.read_backup_info(source)


def restore(
    vault: Vault,
    env: KeyEnvironment,
    source: Path,
    target_dir: Path,
    *,
    backup_passphrase: str | None,
    current_passphrase: str | None,
    new_passphrase: str | None,
) -> RestoreResult:
    """Restore into an empty folder as a new vault; the open vault is left exactly as it is.

    A portable backup opens with its backup passphrase. An automatic one is sealed under the
    key of the vault that wrote it: only this vault's own automatic backups can be restored
    here (the command line's `restore --from-data-dir` handles another vault's). The restored
    vault keeps its key the way this one does (keychain or a new passphrase).
    """
    info = backups.read_backup_info(source)
    storage = vault.metadata.key_storage
    vault_key = None
    if info.key_kind is KeyKind.VAULT:
        if info.vault_id != vault.metadata.vault_id:
            raise BackupError(
                "This automatic backup belongs to another journal and is sealed under its key; "
                "restore it with `journal-desktop restore FILE --from-data-dir FOLDER`."
            )
        vault_key = load_vault_key(vault, env, current_passphrase)
    elif not backup_passphrase:
        raise BackupError("This backup needs its backup passphrase; nothing was restored.")
    restored = backups.restore_backup(
        source,
        VaultPaths(target_dir),
        _with_passphrase(env, new_passphrase),
        backup_passphrase=backup_passphrase if vault_key is None else None,
        vault_key=vault_key,
        key_storage=storage,
    )
    with restored:
        counts = restored.counts()
        kept_by = restored.metadata.key_storage
    return RestoreResult(target_dir, kept_by, counts.trades, counts.journal_entries)


def folder_is_empty(folder: Path) -> bool:
    try:
        return not any(folder.iterdir())
    except FileNotFoundError:
        return True
    except OSError as error:
        raise VaultError(f"{folder} cannot be read ({error.strerror or 'I/O error'}).") from None


# -- audit ----------------------------------------------------------------------------------------


def audit_entries(vault: Vault) -> list[AuditEntry]:
    return vault.audit.entries(limit=AUDIT_ROWS)


def verify_audit(vault: Vault) -> AuditVerification:
    return vault.audit.verify()


#: Fields that name a record (not free text), shown so a person can tell records apart.
_LABEL_FIELDS = ("name", "symbol", "filename")
#: Bookkeeping every change touches; listing it would hide what really changed.
_BOOKKEEPING = frozenset({"version", "stamps", "updated_hlc"})


def audit_summary(entry: AuditEntry) -> str:
    """What happened, in a few words: which fields changed, never their values (notes and
    journal text must not fill the table); a record's name or symbol only as its label."""
    before = entry.previous or {}
    after = entry.new or {}
    if "event" in after:
        return str(after["event"])
    if "executions_added" in after:
        return f"{after['executions_added']} executions added"
    label = next(
        (str(values[k]) for values in (after, before) for k in _LABEL_FIELDS if values.get(k)), ""
    )
    suffix = f": {label}" if label else ""
    if after and not before:
        return "created" + suffix
    if before and (not after or after.get("deleted") is True):
        return "deleted" + suffix
    changed = sorted(
        k for k in (after.keys() | before.keys()) - _BOOKKEEPING if before.get(k) != after.get(k)
    )
    return ("changed " + ", ".join(changed) if changed else "no field changed") + suffix


# -- general settings -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GeneralSettings:
    theme: str
    auto_lock_minutes: int


def general_settings(vault: Vault) -> GeneralSettings:
    theme = vault.settings.get(THEME_SETTING) or "system"
    if theme not in THEMES:
        theme = "system"
    raw = vault.settings.get(AUTO_LOCK_SETTING)
    try:
        minutes = int(raw) if raw is not None else DEFAULT_AUTO_LOCK_MINUTES
    except ValueError:
        minutes = DEFAULT_AUTO_LOCK_MINUTES
    return GeneralSettings(theme, max(0, minutes))
