"""First run: create the encrypted vault, say plainly how its key is kept, maybe add samples.

The two ways to keep the key are offered with their trade-off in one line each, and the OS
keychain is offered only when the detected keyring backend is a secure one (its name is
shown either way). The vault is created on the worker thread when Finish is pressed (Argon2id
and SQLCipher take a moment); `Vault.init` refuses an existing vault, so this never replaces one.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QLabel,
    QProgressBar,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from journal_desktop.sample_data import load_sample_data
from journal_desktop.storage.keychain import KeyringBackend
from journal_desktop.storage.metadata import KeyStorage
from journal_desktop.storage.paths import VaultPaths
from journal_desktop.storage.vault import Vault
from journal_desktop.storage.vault_keys import KeyEnvironment
from journal_desktop.ui.dialogs import NewPassphraseFields
from journal_desktop.ui.resources import APP_ICON, icon
from journal_desktop.ui.tasks import ChangeSet, VaultTasks, describe_error
from journal_desktop.ui.theme import palette_colors

KEY_PAGE, PASSPHRASE_PAGE, FINISH_PAGE = 0, 1, 2


def _muted(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {palette_colors().muted.name()};")
    return label


class KeyStoragePage(QWizardPage):
    def __init__(self, env: KeyEnvironment, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle("Protect your journal")
        self.setSubTitle(
            "Everything you write is encrypted on this computer. Choose what keeps the key."
        )
        self.keychain = QRadioButton("Keep the key in the OS &keychain", self)
        self.keychain.setAccessibleName("Keep the key in the OS keychain")
        keychain_note = _muted(
            "Opens without typing anything; anyone who can log in as you can open it.", self
        )
        self.passphrase = QRadioButton("Protect the key with a &passphrase", self)
        self.passphrase.setAccessibleName("Protect the key with a passphrase")
        passphrase_note = _muted(
            "Asked at every start and after a lock; if you forget it, only a backup helps.",
            self,
        )
        group = QButtonGroup(self)
        group.addButton(self.keychain)
        group.addButton(self.passphrase)
        secure = env.keychain_is_secure
        self.backend_label = _muted(
            f"Keyring backend detected: {env.backend_name}"
            + (" (a secure OS keychain)." if secure else "."),
            self,
        )
        self.backend_label.setAccessibleName("Detected keyring backend")
        self.keychain.setEnabled(secure)
        if not secure:
            keychain_note.setText(
                "Not available: no secure OS keychain was found, and the key is never stored "
                "in plain text."
            )
        (self.keychain if secure else self.passphrase).setChecked(True)
        for note in (keychain_note, passphrase_note):
            note.setContentsMargins(22, 0, 0, 0)  # under the radio button's text
        layout = QVBoxLayout(self)
        layout.addWidget(self.keychain)
        layout.addWidget(keychain_note)
        layout.addSpacing(10)
        layout.addWidget(self.passphrase)
        layout.addWidget(passphrase_note)
        layout.addSpacing(16)
        layout.addWidget(self.backend_label)
        layout.addStretch(1)

    @property
    def storage(self) -> KeyStorage:
        return KeyStorage.KEYCHAIN if self.keychain.isChecked() else KeyStorage.PASSPHRASE

    def nextId(self) -> int:
        return PASSPHRASE_PAGE if self.storage is KeyStorage.PASSPHRASE else FINISH_PAGE


class PassphrasePage(QWizardPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle("Choose a passphrase")
        self.setSubTitle("It unlocks the journal. Nobody can reset it for you, so note it safely.")
        self.fields = NewPassphraseFields(self)
        self.fields.changed.connect(self.completeChanged)
        layout = QVBoxLayout(self)
        layout.addWidget(self.fields)
        layout.addStretch(1)

    def isComplete(self) -> bool:
        return self.fields.valid

    def initializePage(self) -> None:
        self.fields.passphrase.setFocus()

    def nextId(self) -> int:
        return FINISH_PAGE


class FinishPage(QWizardPage):
    """Sample data choice, and the place creation progress and errors are shown."""

    def __init__(self, paths: VaultPaths, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle("Ready to create your journal")
        self.setSubTitle("Press Finish to create the encrypted vault.")
        self.sample = QCheckBox("&Load sample data to look around", self)
        self.sample.setAccessibleName("Load sample data")
        sample_note = _muted(
            "Six weeks of demo trades in futures (MES, MNQ) and stocks, and a few journal "
            "days. You can remove them later with Undo on the Import screen.",
            self,
        )
        folder = _muted(f"The journal will be kept in {paths.data_dir}", self)
        folder.setAccessibleName("Data folder")
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Progress")
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setAccessibleName("Creating the vault")
        self.progress.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.sample)
        layout.addWidget(sample_note)
        layout.addSpacing(16)
        layout.addWidget(folder)
        layout.addStretch(1)
        layout.addWidget(self.status)
        layout.addWidget(self.progress)
        self.wizard_done = False

    def validatePage(self) -> bool:
        wizard = self.wizard()
        if self.wizard_done:
            return True
        if isinstance(wizard, FirstRunWizard):
            wizard.create_vault()
        return False

    def nextId(self) -> int:
        return -1


class FirstRunWizard(QWizard):
    """Creates the vault; `created` fires (with the vault's metadata) once it is open."""

    created = Signal(object)

    def __init__(
        self,
        tasks: VaultTasks,
        paths: VaultPaths,
        backend: KeyringBackend,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.paths = paths
        self.env = KeyEnvironment(backend)
        self.setWindowTitle("Welcome to Journal Desktop")
        self.setWindowIcon(icon(APP_ICON))
        if sys.platform != "darwin":  # macOS keeps its native assistant look
            self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setPixmap(QWizard.WizardPixmap.LogoPixmap, icon(APP_ICON).pixmap(48, 48))
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, False)
        self.key_page = KeyStoragePage(self.env, self)
        self.passphrase_page = PassphrasePage(self)
        self.finish_page = FinishPage(paths, self)
        self.setPage(KEY_PAGE, self.key_page)
        self.setPage(PASSPHRASE_PAGE, self.passphrase_page)
        self.setPage(FINISH_PAGE, self.finish_page)
        self.setStartId(KEY_PAGE)
        self.creating = False
        self.sample_error: str | None = None
        self.resize(640, 500)

    def create_vault(self) -> None:
        """Start creating on the worker; Finish completes when the vault is open."""
        if self.creating:
            return
        self.creating = True
        storage = self.key_page.storage
        passphrase = self.passphrase_page.fields.text()
        paths, backend = self.paths, self.env.backend

        def create() -> Vault:
            env = KeyEnvironment(backend, passphrase=lambda: passphrase)
            return Vault.init(paths, env, storage)

        self._set_busy("Creating the encrypted vault…")
        self.tasks.open(create, on_success=self._created, on_failure=self._failed)

    def _created(self, vault: Vault) -> None:
        metadata = vault.metadata
        self.passphrase_page.fields.clear()
        if not self.finish_page.sample.isChecked():
            self._finish(metadata)
            return
        self._set_busy("Loading the sample data…")

        def sample_failed(error: BaseException) -> None:
            self.sample_error = f"The sample data was not loaded: {describe_error(error)}"
            self._finish(metadata)

        self.tasks.run(
            load_sample_data,
            on_success=lambda _summary: self._finish(metadata),
            on_failure=sample_failed,
            changes=ChangeSet.everything(),
        )

    def _finish(self, metadata: object) -> None:
        self.finish_page.wizard_done = True
        self.finish_page.progress.hide()
        self.created.emit(metadata)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.creating = False
        self.finish_page.progress.hide()
        self.finish_page.status.setText(f"The vault was not created: {describe_error(error)}")
        self.finish_page.status.setStyleSheet(f"color: {palette_colors().loss.name()};")
        self._set_buttons(True)

    def _set_busy(self, text: str) -> None:
        self.finish_page.status.setText(text)
        self.finish_page.status.setStyleSheet("")
        self.finish_page.progress.show()
        self._set_buttons(False)

    def _set_buttons(self, enabled: bool) -> None:
        for which in (
            QWizard.WizardButton.BackButton,
            QWizard.WizardButton.FinishButton,
            QWizard.WizardButton.CancelButton,
        ):
            button = self.button(which)
            if button is not None:
                button.setEnabled(enabled)

    def reject(self) -> None:
        if self.creating:
            return  # the vault is being written; closing now would leave the person unsure
        super().reject()
