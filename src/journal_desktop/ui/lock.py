"""Locking: close the database, forget the key, hide the journal until it is opened again.

Locking closes the vault on its worker thread (the `Vault` object, its connection and its key
are dropped there) and puts a lock view in front of the window's content. The content widgets
are only hidden, so unlocking brings back the same screen at the same size and place; the
screens are then told that what they show may be stale, and reload from the reopened vault.

Start-up is the same door from the other side: the window is shown with the journal closed
and `open_at_start` opens it behind the window; the lock view appears only when opening needs
the person (a passphrase vault) or has failed (and then says why). The unlock panel and the
storage package load only then, so neither delays the first paint.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QStackedWidget, QVBoxLayout, QWidget

from journal_desktop.ui.tasks import VaultTasks

if TYPE_CHECKING:
    from journal_desktop.storage.keychain import KeyringBackend
    from journal_desktop.storage.metadata import KeyStorage
    from journal_desktop.storage.paths import VaultPaths
    from journal_desktop.storage.vault import Vault


class LockScreen(QWidget):
    """The view shown while locked: the passphrase field, or Unlock for a keychain vault.

    `key_storage` None (start-up, the mode not yet known) tries without a passphrase first.
    """

    unlocked = Signal(object)

    def __init__(
        self,
        tasks: VaultTasks,
        paths: VaultPaths,
        backend: KeyringBackend,
        key_storage: KeyStorage | None,
        parent: QWidget | None = None,
        *,
        heading: str = "Journal locked",
    ) -> None:
        from journal_desktop.ui.unlock import UnlockPanel

        super().__init__(parent)
        self.setAccessibleName(heading)
        self.panel = UnlockPanel(
            tasks, paths, backend, heading=heading, key_storage=key_storage, parent=self
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
        backend: KeyringBackend | None,
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
        #: True from `open_at_start` until the vault is open or the person is asked.
        self.opening = False

    @property
    def is_locked(self) -> bool:
        return self.screen is not None

    def open_at_start(self, data_dir: Path, find_backend: Callable[[], KeyringBackend]) -> None:
        """Open the vault on the worker while the window is already up.

        A keychain vault just opens (`unlocked` then follows, as after a lock). A passphrase
        vault, or any failure, brings up the lock view headed "Open your journal" with the
        reason, the way the lock screen does. `find_backend` gives the OS keychain when none
        was handed in; it is called on the worker (importing `keyring` takes a while).
        """
        from journal_desktop.ui.vault_opening import open_vault

        given = self.backend
        found: list[KeyringBackend] = []

        def opener() -> Vault:
            backend = given if given is not None else find_backend()
            found.append(backend)
            return open_vault(data_dir, backend)

        def opened(vault: Vault) -> None:
            self.opening = False
            self.backend = found[0]
            self.unlocked.emit(vault.metadata)

        def failed(error: BaseException) -> None:
            from journal_desktop.storage.paths import VaultPaths

            self.opening = False
            self.backend = found[0] if found else find_backend()
            self.paths = VaultPaths(data_dir)
            screen = self._show_screen(None, heading="Open your journal")
            screen.panel.show_failure(error)
            self.locked.emit()

        self.opening = True
        self.tasks.open(opener, on_success=opened, on_failure=failed)

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
        from journal_desktop.storage.metadata import KeyStorage

        self._show_screen(self.key_storage or KeyStorage.PASSPHRASE).start()
        self.locked.emit()

    def _show_screen(
        self, key_storage: KeyStorage | None, *, heading: str = "Journal locked"
    ) -> LockScreen:
        """The lock view in front of the content (the content is only hidden behind it)."""
        assert self.paths is not None and self.backend is not None
        self.screen = LockScreen(self.tasks, self.paths, self.backend, key_storage, heading=heading)
        self.screen.unlocked.connect(self._unlocked)
        self.host.addWidget(self.screen)
        self.host.setCurrentWidget(self.screen)
        return self.screen

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
