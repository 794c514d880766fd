"""Security & settings: key storage, locking, backups, the audit log and the theme.

One scrolling page of small sections, each its own module (`settings_*.py`) that loads what it
shows through `tasks` and does its work on the worker. The screen relays the three signals the
main window acts on: `lock_requested`, `theme_changed` and `auto_lock_changed`.
"""

from __future__ import annotations

from dataclasses import fields
from typing import ClassVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget

from journal_desktop.storage.metadata import KeyStorage
from journal_desktop.storage.vault_keys import KeyEnvironment
from journal_desktop.ui.screen import Screen
from journal_desktop.ui.settings_audit import AuditSection
from journal_desktop.ui.settings_backups import BackupSection
from journal_desktop.ui.settings_general import GeneralSection
from journal_desktop.ui.settings_keys import KeySection
from journal_desktop.ui.settings_work import (
    KeyEnvironmentSource,
    general_settings,
)
from journal_desktop.ui.tasks import ChangeSet, VaultTasks, describe_error


class SettingsScreen(Screen):
    title: ClassVar[str] = "Security & settings"
    icon_name: ClassVar[str] = "security"
    #: Settings and backups, and every other change too: each one writes an audit entry.
    depends_on: ClassVar[frozenset[str]] = frozenset(f.name for f in fields(ChangeSet))

    #: "Lock now" was pressed.
    lock_requested = Signal()
    #: "system", "light" or "dark".
    theme_changed = Signal(str)
    #: Minutes of idleness before the journal locks; 0 means never.
    auto_lock_changed = Signal(int)
    #: The vault key moved between keychain and passphrase; carries the new `KeyStorage`.
    key_storage_changed = Signal(object)

    def __init__(
        self,
        tasks: VaultTasks,
        parent: QWidget | None = None,
        *,
        key_env: KeyEnvironment | None = None,
    ) -> None:
        """`key_env` names the keyring backend (tests pass a fake); None means the platform's
        default keyring, found on the worker when first needed."""
        super().__init__(tasks, parent)
        env = KeyEnvironmentSource(key_env)
        self.general = GeneralSection(tasks)
        self.keys = KeySection(tasks, env)
        self.backups = BackupSection(tasks, env, self._key_storage)
        self.audit = AuditSection(tasks)
        self.general.lock_requested.connect(self.lock_requested)
        self.general.theme_changed.connect(self.theme_changed)
        self.general.auto_lock_changed.connect(self.auto_lock_changed)
        self.keys.storage_changed.connect(self.key_storage_changed)
        self._env = env

        page = QWidget()
        column = QVBoxLayout(page)
        for section in (self.keys, self.general, self.backups, self.audit):
            column.addWidget(section)
        column.addStretch(1)
        scroll = QScrollArea()
        # Not a stop of its own: a frame with no name to announce; it still scrolls to the
        # control the focus moves to.
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    def _key_storage(self) -> KeyStorage | None:
        state = self.keys.state
        return None if state is None else state.storage

    def reload(self) -> None:
        super().reload()
        self.tasks.run(
            general_settings,
            on_success=self.general.show_settings,
            on_failure=lambda error: self.general.status.setText(describe_error(error)),
            owner=self,
        )
        self.keys.reload()
        self.backups.reload()
        self.audit.reload()

    def save_now(self) -> None:
        """Write an auto-lock change still waiting for its pause, before a lock or quit closes
        the vault (the main window asks every screen; hiding comes too late for a lock)."""
        self.general.flush()

    def hideEvent(self, event: QHideEvent) -> None:
        self.general.flush()
        super().hideEvent(event)
