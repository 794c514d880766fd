"""Auto-lock, lock now, and the theme: the settings the main window acts on at once.

The values live in the vault (`ui.auto_lock_minutes`, `ui.theme`) so they follow the journal,
not the machine; the signals let the shell apply a change without waiting for the write.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QWidget,
)

from journal_desktop.ui.settings_work import (
    AUTO_LOCK_SETTING,
    THEME_SETTING,
    THEMES,
    GeneralSettings,
)
from journal_desktop.ui.tasks import ChangeSet, VaultTasks, describe_error

#: Longest auto-lock delay offered: four hours.
MAX_AUTO_LOCK_MINUTES = 240
#: Wait this long after the last step of the spin box before writing (one audit entry, not ten).
SAVE_DELAY_MS = 400
_THEME_LABELS = {"system": "Follow the system", "light": "Light", "dark": "Dark"}


class GeneralSection(QGroupBox):
    lock_requested = Signal()
    theme_changed = Signal(str)
    auto_lock_changed = Signal(int)

    def __init__(self, tasks: VaultTasks, parent: QWidget | None = None) -> None:
        super().__init__("Locking and appearance", parent)
        self.tasks = tasks
        self.auto_lock = QSpinBox()
        self.auto_lock.setRange(0, MAX_AUTO_LOCK_MINUTES)
        self.auto_lock.setValue(10)
        self.auto_lock.setSuffix(" min")
        self.auto_lock.setSpecialValueText("Never")
        self.auto_lock.setKeyboardTracking(False)
        self.auto_lock.setAccessibleName("Lock after this many idle minutes (0 means never)")
        self.auto_lock.valueChanged.connect(self._auto_lock_edited)
        self.lock_button = QPushButton("Lock now")
        self.lock_button.setAccessibleName("Lock the journal now")
        self.lock_button.setToolTip("Closes the database and forgets the key (Ctrl+L)")
        self.lock_button.clicked.connect(self.lock_requested)
        self.theme = QComboBox()
        self.theme.setAccessibleName("Theme")
        for name in THEMES:
            self.theme.addItem(_THEME_LABELS[name], name)
        self.theme.currentIndexChanged.connect(self._theme_edited)
        self.status = QLabel()
        self.status.setAccessibleName("Locking and appearance status")
        self.status.setWordWrap(True)
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self._save_auto_lock)

        lock_row = QHBoxLayout()
        lock_row.addWidget(self.auto_lock)
        lock_row.addStretch(1)
        lock_row.addWidget(self.lock_button)
        form = QFormLayout(self)
        lock_label = QLabel("Lock after &idle:")
        lock_label.setBuddy(self.auto_lock)
        form.addRow(lock_label, lock_row)
        form.addRow(
            "",
            QLabel("Locking closes the database and drops the key; unlocking restores the window."),
        )
        form.addRow("Th&eme:", self.theme)
        form.addRow("", self.status)

    def show_settings(self, settings: GeneralSettings) -> None:
        """Show stored values without treating them as edits."""
        if self._save_timer.isActive():
            return  # the person is editing; their value wins
        self.auto_lock.blockSignals(True)
        self.auto_lock.setValue(min(settings.auto_lock_minutes, MAX_AUTO_LOCK_MINUTES))
        self.auto_lock.blockSignals(False)
        self.theme.blockSignals(True)
        self.theme.setCurrentIndex(max(self.theme.findData(settings.theme), 0))
        self.theme.blockSignals(False)

    def _auto_lock_edited(self, minutes: int) -> None:
        self.auto_lock_changed.emit(minutes)
        self._save_timer.start()

    def _save_auto_lock(self) -> None:
        self._save(AUTO_LOCK_SETTING, str(self.auto_lock.value()))

    def flush(self) -> None:
        """Write a pending auto-lock change now (when the screen is left or the app closes)."""
        if self._save_timer.isActive():
            self._save_timer.stop()
            self._save_auto_lock()

    def _theme_edited(self) -> None:
        name = self.theme.currentData()
        if not isinstance(name, str):
            return
        self.theme_changed.emit(name)
        self._save(THEME_SETTING, name)

    def _save(self, key: str, value: str) -> None:
        self.tasks.run(
            lambda vault: vault.settings.set(key, value),
            on_failure=lambda error: self.status.setText(describe_error(error)),
            changes=ChangeSet(settings=True),
            owner=self,
        )
