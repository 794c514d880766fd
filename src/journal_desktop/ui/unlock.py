"""Opening an existing vault: the passphrase (or the keychain), and honest failures.

Every way opening can fail gets its own explanation and a way forward: a wrong passphrase is
retried, a missing keychain entry or a damaged file is explained with the data folder shown
and the backup/restore route named. Nothing here ever creates a vault, and the key work (the
keychain, Argon2id, SQLCipher) runs on the vault's worker thread.

The panel lives in the main window: start-up shows the window first and opens the vault
behind it (`lock.LockController.open_at_start`); only when that needs the person (a
passphrase, or a failure to explain) does this module load and the panel appear, and the lock
screen shows the same panel. Its storage imports are why it is not loaded before then.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from journal_desktop.storage.errors import (
    KeychainEntryMissing,
    NewerSchema,
    NotAVault,
    VaultBusy,
    VaultDamaged,
    VaultError,
    VaultNotFound,
    WeakKeyParameters,
    WrongKey,
    WrongPassphrase,
)
from journal_desktop.storage.keychain import KeyringBackend
from journal_desktop.storage.metadata import KeyStorage
from journal_desktop.storage.paths import VaultPaths
from journal_desktop.storage.vault import Vault
from journal_desktop.ui.resources import APP_ICON, icon
from journal_desktop.ui.tasks import VaultTasks, describe_error
from journal_desktop.ui.theme import palette_colors
from journal_desktop.ui.vault_opening import PassphraseNeeded, open_vault

__all__ = ["PassphraseNeeded", "UnlockFailure", "UnlockPanel", "explain_failure"]


@dataclass(frozen=True, slots=True)
class UnlockFailure:
    """What the person reads when opening failed, and whether typing again can help."""

    headline: str
    detail: str
    retry_passphrase: bool = False
    show_data_dir: bool = True


def explain_failure(error: BaseException, paths: VaultPaths) -> UnlockFailure:
    """The precise reason, in words, with the way forward."""
    folder = str(paths.data_dir)
    untouched = "The vault files were left untouched and no new vault was created."
    if isinstance(error, WrongPassphrase):
        return UnlockFailure(
            "Wrong passphrase.",
            "Nothing was changed. Check Caps Lock and the keyboard layout, then try again. "
            "If the passphrase is lost, only a backup can bring the journal back.",
            retry_passphrase=True,
            show_data_dir=False,
        )
    if isinstance(error, KeychainEntryMissing | WrongKey):
        what = (
            "The OS keychain has no key for this vault."
            if isinstance(error, KeychainEntryMissing)
            else "The key in the OS keychain belongs to another vault."
        )
        return UnlockFailure(
            what,
            "This happens after a keychain reset, a new user profile or a move to another "
            "computer. Unlock or restore the keychain that held the key and press Try again; "
            "otherwise restore your newest backup into a new data folder with "
            f"`journal-desktop restore FILE --data-dir NEW_FOLDER`. {untouched}",
        )
    if isinstance(error, VaultDamaged | NotAVault):
        return UnlockFailure(
            "The vault file cannot be read.",
            f'{error} Run `journal-desktop check --data-dir "{folder}"` for details, then '
            f"restore your newest backup into a new data folder. {untouched}",
        )
    if isinstance(error, WeakKeyParameters | NewerSchema | VaultBusy | VaultNotFound):
        return UnlockFailure("The vault cannot be opened.", str(error))
    if isinstance(error, VaultError):
        return UnlockFailure("The vault cannot be opened.", f"{error} {untouched}")
    if type(error).__module__.startswith("keyring"):
        return UnlockFailure(
            "The OS keychain could not be reached.",
            f"The keyring said: {type(error).__name__}. Log in to your desktop session or "
            "unlock the keychain, then press Try again. " + untouched,
        )
    return UnlockFailure("The vault cannot be opened.", describe_error(error))


class UnlockPanel(QWidget):
    """Asks for what opens the vault and opens it on the worker.

    With `key_storage` None (start-up) it first tries without a passphrase: a keychain vault
    opens at once, a passphrase vault answers `PassphraseNeeded` and the field appears. The
    lock screen passes the known mode, so a keychain vault waits for the Unlock button.
    """

    #: The vault is open; carries its `VaultMetadata` (plain facts only).
    unlocked = Signal(object)

    def __init__(
        self,
        tasks: VaultTasks,
        paths: VaultPaths,
        backend: KeyringBackend,
        *,
        heading: str = "Open your journal",
        key_storage: KeyStorage | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.paths = paths
        self.backend = backend
        self.key_storage = key_storage
        self.busy = False
        self.last_failure: UnlockFailure | None = None

        logo = QLabel(self)
        logo.setPixmap(icon(APP_ICON).pixmap(72, 72))
        logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.heading = QLabel(heading, self)
        self.heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.heading.setFont(font)
        self.hint = QLabel(self)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)

        self.passphrase = QLineEdit(self)
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName("Vault passphrase")
        self.passphrase.setPlaceholderText("Passphrase")
        self.passphrase.returnPressed.connect(self.submit)
        self.unlock_button = QPushButton("&Unlock", self)
        self.unlock_button.setAccessibleName("Unlock the journal")
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.submit)
        entry = QHBoxLayout()
        entry.addWidget(self.passphrase, 1)
        entry.addWidget(self.unlock_button)

        self.error = QLabel(self)
        self.error.setAccessibleName("Why the journal did not open")
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail = QLabel(self)
        self.detail.setAccessibleName("What to do next")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.folder = QLabel(self)
        self.folder.setAccessibleName("Data folder")
        self.folder.setWordWrap(True)
        self.folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_folder = QPushButton("Show data f&older", self)
        self.open_folder.setAccessibleName("Show the data folder")
        self.open_folder.clicked.connect(self._show_folder)
        self.retry = QPushButton("T&ry again", self)
        self.retry.setAccessibleName("Try to open the journal again")
        self.retry.clicked.connect(self.submit)
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.open_folder)
        actions.addWidget(self.retry)

        card = QWidget(self)
        card.setMaximumWidth(520)
        column = QVBoxLayout(card)
        column.setSpacing(12)
        column.addWidget(logo)
        column.addWidget(self.heading)
        column.addWidget(self.hint)
        column.addSpacing(8)
        column.addLayout(entry)
        column.addWidget(self.error)
        column.addWidget(self.detail)
        column.addWidget(self.folder)
        column.addLayout(actions)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card, 4)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self._show_state()

    # -- flow ----------------------------------------------------------------------------------

    def start(self) -> None:
        """Begin: try at once when the mode is unknown, else wait for the person."""
        if self.key_storage is None:
            self._attempt(None)
        else:
            self._show_state()
            self.focus_entry()

    def focus_entry(self) -> None:
        if self.key_storage is KeyStorage.PASSPHRASE:
            self.passphrase.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.unlock_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def submit(self) -> None:
        if self.busy:
            return
        if self.key_storage is KeyStorage.PASSPHRASE:
            text = self.passphrase.text()
            if not text:
                self.passphrase.setFocus()
                return
            self._attempt(text)
        else:
            self._attempt(None)

    def _attempt(self, passphrase: str | None) -> None:
        data_dir, backend = self.paths.data_dir, self.backend
        self.busy = True
        self.last_failure = None
        self._show_state("Opening…")
        self.tasks.open(
            lambda: open_vault(data_dir, backend, passphrase),
            on_success=self._opened,
            on_failure=self.show_failure,
        )

    def _opened(self, vault: Vault) -> None:
        self.busy = False
        self.passphrase.clear()
        self.key_storage = vault.metadata.key_storage
        self._show_state()
        self.unlocked.emit(vault.metadata)

    def show_failure(self, error: BaseException) -> None:
        """An attempt to open failed: ask for the passphrase, or say why and what to do."""
        self.busy = False
        if isinstance(error, PassphraseNeeded):
            self.key_storage = KeyStorage.PASSPHRASE
            self._show_state()
            self.focus_entry()
            return
        self.last_failure = explain_failure(error, self.paths)
        if self.last_failure.retry_passphrase:
            self.key_storage = KeyStorage.PASSPHRASE
            self.passphrase.clear()
        self._show_state()
        self.focus_entry()

    # -- presentation --------------------------------------------------------------------------

    def _show_state(self, progress: str | None = None) -> None:
        colors = palette_colors()
        failure = self.last_failure
        passphrase_mode = self.key_storage is KeyStorage.PASSPHRASE
        if progress is not None:
            self.hint.setText(progress)
        elif passphrase_mode:
            self.hint.setText("Type the vault passphrase to unlock the journal.")
        elif self.key_storage is KeyStorage.KEYCHAIN:
            self.hint.setText("The key is in your OS keychain.")
        else:
            self.hint.setText("")
        self.hint.setStyleSheet(f"color: {colors.muted.name()};")
        self.hint.setVisible(bool(self.hint.text()))
        self.passphrase.setVisible(passphrase_mode)
        self.passphrase.setEnabled(not self.busy)
        self.unlock_button.setVisible(self.key_storage is not None)
        self.unlock_button.setEnabled(not self.busy)
        self.error.setVisible(failure is not None)
        self.detail.setVisible(failure is not None)
        show_folder = failure is not None and failure.show_data_dir
        self.folder.setVisible(show_folder)
        self.open_folder.setVisible(show_folder)
        self.retry.setVisible(failure is not None and not failure.retry_passphrase)
        self.retry.setEnabled(not self.busy)
        if failure is not None:
            self.error.setText(failure.headline)
            self.error.setStyleSheet(f"color: {colors.loss.name()}; font-weight: bold;")
            self.detail.setText(_with_code(failure.detail))
            self.folder.setText(f"Data folder: {self.paths.data_dir}")
            self.folder.setStyleSheet(f"color: {colors.muted.name()};")

    def _show_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.paths.data_dir)))


def _with_code(text: str) -> str:
    """Plain text with `commands` shown in a fixed-width font (as rich text, escaped)."""
    parts = html.escape(text, quote=False).split("`")
    return "".join(
        f"<code>{part}</code>" if index % 2 else part for index, part in enumerate(parts)
    )
