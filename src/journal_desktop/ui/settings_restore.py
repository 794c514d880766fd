"""Restoring a backup from the app: a file, an empty folder, the passphrases, a new journal.

The open journal is never replaced in place. The restore builds a complete new vault in an
empty folder (all or nothing, see `storage.backup.restore_backup`) and then says how to open
it, so a wrong or damaged backup can never cost the journal that is open now.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from journal_desktop.storage.backup import BACKUP_SUFFIX, BackupInfo, KeyKind
from journal_desktop.storage.metadata import KeyStorage
from journal_desktop.ui import dialogs, formatting
from journal_desktop.ui.settings_work import (
    KeyEnvironmentSource,
    KeyStorageGetter,
    RestoreResult,
    backup_info,
    folder_is_empty,
    restore,
)
from journal_desktop.ui.tasks import VaultTasks, describe_error

_FILTER = f"Journal Desktop backups (*{BACKUP_SUFFIX});;All files (*)"


class RestoreFlow(QObject):
    """Asks for what a restore needs, one step at a time, and runs it on the worker."""

    #: A sentence for the person (progress, result or failure).
    message = Signal(str)
    #: True while the restore runs.
    busy = Signal(bool)
    #: The restore finished; the argument is the restored journal's data folder.
    restored = Signal(object)

    def __init__(
        self,
        tasks: VaultTasks,
        env: KeyEnvironmentSource,
        key_storage: KeyStorageGetter,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.env = env
        self._key_storage = key_storage
        self._parent = parent

    def start(self) -> None:
        """Choose a backup file, then an empty folder, then restore."""
        chosen, _ = QFileDialog.getOpenFileName(
            self._parent, "Restore a backup", str(Path.home()), _FILTER
        )
        if chosen:
            self.restore_from(Path(chosen))

    def restore_from(self, source: Path, target_dir: Path | None = None) -> None:
        """Read the backup's header (no secret needed), then go on to the folder and passphrases."""
        self.message.emit(f"Reading {source.name}…")

        def read(_vault: object) -> tuple[BackupInfo, bool]:
            info = backup_info(source)
            return info, target_dir is None or folder_is_empty(target_dir)

        self.tasks.run(
            read,
            on_success=lambda result: self._have_info(source, target_dir, *result),
            on_failure=self._failed,
            owner=self,
        )

    def _have_info(
        self, source: Path, target_dir: Path | None, info: BackupInfo, empty: bool
    ) -> None:
        made = formatting.local_time(info.created_at)
        if target_dir is None:
            QMessageBox.information(
                self._parent,
                "Restore a backup",
                f"This backup was made on {made}. It is restored as a new journal in an empty "
                "folder of your choice; the journal open now stays as it is. Choose the folder "
                "next (create a new one in the dialog if needed).",
            )
            folder = QFileDialog.getExistingDirectory(
                self._parent, "Choose an empty folder for the restored journal", str(Path.home())
            )
            if not folder:
                self.message.emit("Restore cancelled: nothing was changed.")
                return
            self.restore_from(source, Path(folder))
            return
        if not empty:
            self.message.emit(
                f"{target_dir} is not empty; a restore only writes into an empty folder. "
                "Choose or create an empty one."
            )
            return
        self._ask_and_restore(source, target_dir, info)

    def _ask_and_restore(self, source: Path, target_dir: Path, info: BackupInfo) -> None:
        storage = self._key_storage()
        backup_passphrase: str | None = None
        current: str | None = None
        new: str | None = None
        if info.key_kind is KeyKind.PASSPHRASE:
            backup_passphrase = dialogs.ask_passphrase(
                self._parent,
                "Backup passphrase",
                f"Type the passphrase this backup was made with "
                f"({formatting.local_time(info.created_at)}).",
                confirm=False,
            )
            if backup_passphrase is None:
                return self._cancelled()
        elif storage is not KeyStorage.KEYCHAIN:
            current = dialogs.ask_passphrase(
                self._parent,
                "Journal passphrase",
                "This automatic backup is sealed under this journal's key; type the journal's "
                "passphrase to unwrap it.",
                confirm=False,
            )
            if current is None:
                return self._cancelled()
        if storage is not KeyStorage.KEYCHAIN:
            new = dialogs.ask_passphrase(
                self._parent,
                "Passphrase of the restored journal",
                "The restored journal gets a new key; choose the passphrase that will unlock it.",
                confirm=True,
            )
            if new is None:
                return self._cancelled()
        self.busy.emit(True)
        self.message.emit(f"Restoring into {target_dir}…")
        env = self.env
        self.tasks.run(
            lambda vault: restore(
                vault,
                env.get(),
                source,
                target_dir,
                backup_passphrase=backup_passphrase,
                current_passphrase=current,
                new_passphrase=new,
            ),
            on_success=self._done,
            on_failure=self._failed,
            owner=self,
        )
        return None

    def _cancelled(self) -> None:
        self.message.emit("Restore cancelled: nothing was changed.")

    def _done(self, result: RestoreResult) -> None:
        self.busy.emit(False)
        kept = "the OS keychain" if result.storage is KeyStorage.KEYCHAIN else "its passphrase"
        self.message.emit(
            f"Restored {result.trades:,} trades and {result.journal_entries:,} journal entries "
            f"into {result.data_dir} (key kept by {kept}). This journal stays open; to open the "
            f'restored one, run: journal-desktop --data-dir "{result.data_dir}" gui'
        )
        self.restored.emit(result.data_dir)

    def _failed(self, error: BaseException) -> None:
        self.busy.emit(False)
        self.message.emit(describe_error(error))
