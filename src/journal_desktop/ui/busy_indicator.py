"""The status bar's "Working…": shown only when vault work takes long enough to notice.

Most queries answer in a few milliseconds; flashing an indicator for each would be noise, so
it appears after `BUSY_DELAY_MS` of continuous work and goes as soon as the worker is idle.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QWidget

from journal_desktop.ui.tasks import VaultTasks

#: Work shorter than this shows no busy indicator (it would only flicker).
BUSY_DELAY_MS = 300


class BusyIndicator(QWidget):
    """A label and an indeterminate bar that follow `tasks.busy_changed`."""

    def __init__(self, tasks: VaultTasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.setAccessibleName("Working")
        self.label = QLabel("Working…", self)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 0)
        self.bar.setMaximumWidth(120)
        self.bar.setMaximumHeight(14)
        self.bar.setTextVisible(False)
        self.bar.setAccessibleName("Working")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(BUSY_DELAY_MS)
        self._timer.timeout.connect(self._appear)
        tasks.busy_changed.connect(self._busy_changed)
        self.hide()

    def _busy_changed(self, busy: bool) -> None:
        if busy:
            self._timer.start()
        else:
            self._timer.stop()
            self.hide()

    def _appear(self) -> None:
        if self.tasks.busy:
            self.show()
