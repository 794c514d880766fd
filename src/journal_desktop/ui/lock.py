"""Locking: close the database, forget the key, hide the journal until it is opened again.

Locking closes the vault on its worker thread (the `Vault` object, its connection and its key
are dropped there) and puts a lock view in front of the window's content. The content widgets
are only hidden, so unlocking brings back the same screen at the same size and place; the
screens are then told that what they show may be stale, and reload from the reopened vault.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QStackedWidget, QVBoxLayout, QWidget

from journal_desktop.storage.keychain import KeyringBackend
from journal_desktop.storage.metadata import KeyStorage
from journal_desktop.storage.paths import VaultPaths
from journal_desktop.ui.tasks import VaultTasks
from journal_desktop.ui.unlock import UnlockPanel


class LockScreen(QWidget):
    """The view shown while locked: the passphrase field, or Unlock for a keychain vault."""

    unlocked = Signal(object)

    def __init__(
        self,
        tasks: VaultTasks,
        paths: VaultPaths,
        backend: KeyringBackend,
        key_storage: KeyStorage | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName("Journal locked")
        self.panel = UnlockPanel(
            tasks,
            paths,
            backend,
            heading="Journal locked",
            key_storage=key_storage or KeyStorage.PASSPHRASE,
            parent=self,
        )
        self.panel.unlocked.connect(self.unlocked)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel)

    def start(self) -> None:
        self.panel.start()


class LockController(QObject):
    """Swaps the window's content for a lock screen and back.

    `host` is a stacked widget whose current page is `content` while unlocked.
    """

    locked = Signal()
    #: The vault is open again; carries its metadata.
    unlocked = Signal(object)

    def __init__(
        self,
        tasks: VaultTasks,
        backend: KeyringBackend,
        host: QStackedWidget,
        content: QWidget,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.backend = backend
        self.host = host
        self.content = content
        self.paths: VaultPaths | None = None
        self.key_storage: KeyStorage | None = None
        self.screen: LockScreen | None = None
        self._focus: QWidget | None = None

    @property
    def is_locked(self) -> bool:
        return self.screen is not None

    def set_vault(self, paths: VaultPaths, key_storage: KeyStorage) -> None:
        """What the lock screen needs to reopen this vault (plain facts, no key)."""
        self.paths = paths
        self.key_storage = key_storage

    def lock(self) -> None:
        if self.is_locked or self.paths is None:
            return
        _close_modal_dialogs()
        focus = QApplication.focusWidget()
        self._focus = focus if focus is not None and self.content.isAncestorOf(focus) else None
        # The key may have moved (keychain <-> passphrase) since the window opened: ask the
        # vault once more before it closes, so the lock screen offers the right way in.
        self.tasks.run(lambda vault: vault.metadata.key_storage, on_success=self._mode_known)
        self.tasks.close()
        self.screen = LockScreen(self.tasks, self.paths, self.backend, self.key_storage)
        self.screen.unlocked.connect(self._unlocked)
        self.host.addWidget(self.screen)
        self.host.setCurrentWidget(self.screen)
        self.screen.start()
        self.locked.emit()

    def _mode_known(self, key_storage: KeyStorage) -> None:
        self.key_storage = key_storage
        if self.screen is not None and self.screen.panel.key_storage is not key_storage:
            self.screen.panel.key_storage = key_storage
            self.screen.start()

    def _unlocked(self, metadata: object) -> None:
        screen, self.screen = self.screen, None
        self.host.setCurrentWidget(self.content)
        if screen is not None:
            self.host.removeWidget(screen)
            screen.deleteLater()
        if self._focus is not None:
            self._focus.setFocus()
            self._focus = None
        self.unlocked.emit(metadata)


def _close_modal_dialogs() -> None:
    """A dialog left open over the lock screen would show journal data; close them all."""
    for _ in range(10):  # nested dialogs close innermost first
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            return
        dialog.close()
