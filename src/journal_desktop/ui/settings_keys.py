"""Where the journal's key is kept, moving it between keychain and passphrase, a new passphrase.

The database key never changes here (nothing is re-encrypted); only its home does. Every move
first proves the person may make it: the current passphrase is typed again, or the keychain
must still hold the key.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from journal_desktop.storage.metadata import KeyStorage
from journal_desktop.ui import dialogs
from journal_desktop.ui.settings_work import (
    KeyEnvironmentSource,
    KeyState,
    change_passphrase,
    key_state,
    switch_key_storage,
)
from journal_desktop.ui.tasks import ChangeSet, VaultTasks, describe_error

KEYCHAIN_TRADE_OFF = (
    "OS keychain: opens without typing anything while you are logged in; anyone using your "
    "login can open the journal too."
)
WRAPPED_KEY_TRADE_OFF = (
    "Passphrase: asked at every unlock and safe even from someone using your login; lose it "
    "(and your backups' passphrases) and the journal is gone."
)


class KeySection(QGroupBox):
    #: The key moved; the argument is the new `KeyStorage` (the lock screen must ask for the
    #: right thing next time).
    storage_changed = Signal(object)

    def __init__(
        self, tasks: VaultTasks, env: KeyEnvironmentSource, parent: QWidget | None = None
    ) -> None:
        super().__init__("Key storage", parent)
        self.tasks = tasks
        self.env = env
        self._state: KeyState | None = None
        self.current = QLabel("…")
        self.current.setWordWrap(True)
        self.current.setAccessibleName("Where the key is kept")
        trade_offs = QLabel(f"{KEYCHAIN_TRADE_OFF}\n{WRAPPED_KEY_TRADE_OFF}")
        trade_offs.setWordWrap(True)
        self.switch_button = QPushButton()
        self.switch_button.setEnabled(False)
        self.switch_button.clicked.connect(self.switch_storage)
        self.passphrase_button = QPushButton("Change passphrase…")
        self.passphrase_button.setAccessibleName("Change the journal's passphrase")
        self.passphrase_button.setVisible(False)
        self.passphrase_button.clicked.connect(self.change_passphrase)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Key storage status")
        buttons = QHBoxLayout()
        buttons.addWidget(self.switch_button)
        buttons.addWidget(self.passphrase_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.current)
        layout.addWidget(trade_offs)
        layout.addLayout(buttons)
        layout.addWidget(self.status)

    @property
    def state(self) -> KeyState | None:
        return self._state

    def reload(self) -> None:
        env = self.env
        self.tasks.run(
            lambda vault: key_state(vault, env.get()),
            on_success=self._show,
            on_failure=self._failed,
            owner=self,
        )

    def _show(self, state: KeyState) -> None:
        self._state = state
        if state.storage is KeyStorage.KEYCHAIN:
            self.current.setText(f"The key is kept in the OS keychain ({state.backend_name}).")
            self.switch_button.setText("Protect it with a passphrase instead…")
            self.switch_button.setEnabled(True)
            self.switch_button.setToolTip("")
        else:
            no_keychain = (
                ""
                if state.keychain_secure
                else " No secure OS keychain is available here (keyring backend: "
                f"{state.backend_name}), so the key stays under the passphrase."
            )
            self.current.setText(
                "The key is kept in journal.key, wrapped under your passphrase "
                "(Argon2id, AES-256-GCM)." + no_keychain
            )
            self.switch_button.setText("Keep it in the OS keychain instead…")
            self.switch_button.setEnabled(state.keychain_secure)
            self.switch_button.setToolTip(
                ""
                if state.keychain_secure
                else f"No secure OS keychain here (keyring backend: {state.backend_name})."
            )
        self.switch_button.setAccessibleName(self.switch_button.text().rstrip("…"))
        self.passphrase_button.setVisible(state.storage is KeyStorage.PASSPHRASE)

    def _failed(self, error: BaseException) -> None:
        self.status.setText(describe_error(error))

    def switch_storage(self) -> None:
        state = self._state
        if state is None:
            return
        current: str | None = None
        new: str | None = None
        if state.storage is KeyStorage.PASSPHRASE:
            target = KeyStorage.KEYCHAIN
            current = dialogs.ask_passphrase(
                self,
                "Keep the key in the OS keychain",
                "Type the journal's current passphrase to move its key into the OS keychain "
                f"({state.backend_name}). The passphrase file is removed afterwards.",
                confirm=False,
            )
            if current is None:
                return
        else:
            target = KeyStorage.PASSPHRASE
            new = dialogs.ask_passphrase(
                self,
                "Protect the key with a passphrase",
                "Choose the passphrase that will unlock the journal from now on. The key is "
                "then removed from the OS keychain.",
                confirm=True,
            )
            if new is None:
                return
        self._busy("Moving the key…")
        env = self.env
        self.tasks.run(
            lambda vault: switch_key_storage(
                vault, env.get(), target, current_passphrase=current, new_passphrase=new
            ),
            on_success=self._switched,
            on_failure=self._action_failed,
            changes=ChangeSet(settings=True),
            owner=self,
        )

    def _switched(self, state: KeyState) -> None:
        self._show(state)
        where = "the OS keychain" if state.storage is KeyStorage.KEYCHAIN else "your passphrase"
        self.status.setText(f"Done: the key is now kept by {where}.")
        self.storage_changed.emit(state.storage)

    def change_passphrase(self) -> None:
        current = dialogs.ask_passphrase(
            self, "Change passphrase", "Type the current passphrase.", confirm=False
        )
        if current is None:
            return
        new = dialogs.ask_passphrase(
            self, "Change passphrase", "Choose the new passphrase.", confirm=True
        )
        if new is None:
            return
        self._busy("Changing the passphrase…")
        env = self.env
        self.tasks.run(
            lambda vault: change_passphrase(vault, env.get(), current, new),
            on_success=lambda _: self._changed(),
            on_failure=self._action_failed,
            changes=ChangeSet(settings=True),
            owner=self,
        )

    def _changed(self) -> None:
        self._enable()
        self.status.setText("Done: the journal now unlocks with the new passphrase.")

    def _busy(self, text: str) -> None:
        self.status.setText(text)
        self.switch_button.setEnabled(False)
        self.passphrase_button.setEnabled(False)

    def _enable(self) -> None:
        self.passphrase_button.setEnabled(True)
        if self._state is not None:
            self._show(self._state)

    def _action_failed(self, error: BaseException) -> None:
        self._enable()
        self.status.setText(describe_error(error))
