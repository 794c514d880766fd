"""Auto-lock: notice when nobody has touched the app for a while.

An application-wide event filter sees every keyboard, mouse, wheel and touch event. Restarting
a timer on each mouse move would be wasteful, so the filter only notes the time; one
single-shot timer wakes at the earliest moment the idle limit could be reached and either
reports idleness or sleeps again for the remainder.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

AUTO_LOCK_SETTING = "ui.auto_lock_minutes"
DEFAULT_AUTO_LOCK_MINUTES = 10

_INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TabletPress,
        QEvent.Type.InputMethod,
    }
)


def parse_minutes(value: str | None) -> int:
    """The stored setting as minutes; the default when unset or unreadable, never negative."""
    if value is None:
        return DEFAULT_AUTO_LOCK_MINUTES
    try:
        minutes = int(value)
    except ValueError:
        return DEFAULT_AUTO_LOCK_MINUTES
    return max(minutes, 0)


class IdleWatcher(QObject):
    """Emits `idle` once after `interval_ms` without user input; 0 switches it off."""

    idle = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._interval_ms = 0
        self._last_input = time.monotonic()
        self._active = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._check)
        self._filtering = False

    @property
    def interval_ms(self) -> int:
        return self._interval_ms

    def set_minutes(self, minutes: int) -> None:
        self.set_interval_ms(max(minutes, 0) * 60_000)

    def set_interval_ms(self, interval_ms: int) -> None:
        self._interval_ms = max(interval_ms, 0)
        self._arm(self._interval_ms)

    def start(self) -> None:
        """Watch from now (after an unlock)."""
        self._active = True
        self._last_input = time.monotonic()
        self._watch_input(True)
        self._arm(self._interval_ms)

    def stop(self) -> None:
        """Stop watching (while locked: there is nothing to lock)."""
        self._active = False
        self._timer.stop()
        self._watch_input(False)

    def _watch_input(self, on: bool) -> None:
        """The filter sees every event of the application, each a call into Python that also
        makes PySide6 build the Python types of the event and its receiver on first sight: it
        is installed only while watching, so neither the first paint at start-up nor a locked
        window pays for it (input before `start` is never needed: `start` resets the clock)."""
        app = QApplication.instance()
        if app is None or on == self._filtering:
            return
        if on:
            app.installEventFilter(self)
        else:
            app.removeEventFilter(self)
        self._filtering = on

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT_EVENTS:
            self._last_input = time.monotonic()
        return False

    def _arm(self, delay_ms: int) -> None:
        self._timer.stop()
        if self._active and self._interval_ms > 0:
            self._timer.start(max(delay_ms, 1))

    def _check(self) -> None:
        if not self._active or self._interval_ms <= 0:
            return
        idle_ms = (time.monotonic() - self._last_input) * 1000
        remaining = self._interval_ms - idle_ms
        if remaining > 0:
            self._arm(int(remaining) + 1)
            return
        self._active = False
        self.idle.emit()
