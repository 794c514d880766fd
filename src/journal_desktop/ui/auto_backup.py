"""The automatic local backup, made after the journal changes whichever screen is open.

It belongs to the main window, not to the settings screen: screens are built only when first
shown, and a backup that waited for the settings screen to be opened would not be made at
all in a session that never opens it. The schedule (daily, weekly or off) is the vault's own
setting (`storage.backup.auto_backup_hours`); the key is the one the open vault holds, so a
passphrase journal is backed up too without asking for the passphrase again.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from journal_desktop.ui.tasks import ChangeSet, VaultLocked, VaultTasks, describe_error

if TYPE_CHECKING:
    from journal_desktop.storage.vault import Vault

#: Changes to the journal's content, after which an automatic backup may be due.
DATA_CHANGES = ("trades", "executions", "journal", "tags", "attachments", "imports", "accounts")


def _backup_if_due(vault: Vault) -> Path | None:
    # Imported on the worker, at the first change: the storage package stays off start-up.
    from journal_desktop.ui.settings_work import auto_backup

    return auto_backup(vault)


class AutoBackup(QObject):
    """Makes the due backup on the worker after each change to the journal's content."""

    #: The path of a backup just written.
    written = Signal(object)
    #: A sentence saying why the automatic backup failed.
    failed = Signal(str)

    def __init__(self, tasks: VaultTasks, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self._running = False
        tasks.changes_applied.connect(self._changed)

    def _changed(self, changes: ChangeSet) -> None:
        if self._running or not any(getattr(changes, name) for name in DATA_CHANGES):
            return
        self._running = True
        self.tasks.run(
            _backup_if_due,
            on_success=self._done,
            on_failure=self._failed,
            changes=ChangeSet(backups=True),
            owner=self,
        )

    def _done(self, path: Path | None) -> None:
        self._running = False
        if path is not None:
            self.written.emit(path)

    def _failed(self, error: BaseException) -> None:
        self._running = False
        if not isinstance(error, VaultLocked):  # locked meanwhile: due again after unlock
            self.failed.emit(f"The automatic backup failed: {describe_error(error)}")
