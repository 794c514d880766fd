"""Auto-lock: idle after the interval without input, never while input keeps arriving."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from journal_desktop.ui.idle import IdleWatcher, parse_minutes
from journal_desktop.ui.tasks import VaultTasks
from tests.ui.conftest import wait_idle
from tests.ui.shell_helpers import make_window, window_settings


@pytest.mark.parametrize(
    ("stored", "minutes"),
    [(None, 10), ("5", 5), ("0", 0), ("-3", 0), ("soon", 10)],
)
def test_stored_minutes_are_read_safely(stored: str | None, minutes: int) -> None:
    assert parse_minutes(stored) == minutes


def test_idle_fires_after_the_interval(qtbot: QtBot) -> None:
    watcher = IdleWatcher()
    watcher.set_interval_ms(50)
    with qtbot.waitSignal(watcher.idle, timeout=2_000):
        watcher.start()


def test_no_idle_while_input_keeps_arriving(qtbot: QtBot) -> None:
    field = QLineEdit()
    qtbot.addWidget(field)
    watcher = IdleWatcher()
    fired: list[bool] = []
    watcher.idle.connect(lambda: fired.append(True))
    watcher.set_interval_ms(1_000)  # long beside the typing, so a loaded machine cannot flake
    sent = [0]

    def type_a_key() -> None:
        event = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier, "a")
        QApplication.sendEvent(field, event)
        sent[0] += 1

    typist = QTimer()
    typist.timeout.connect(type_a_key)
    typist.start(20)
    watcher.start()
    qtbot.waitUntil(lambda: sent[0] >= 100, timeout=10_000)  # two intervals of typing
    assert not fired
    typist.stop()
    qtbot.waitUntil(lambda: bool(fired), timeout=5_000)
    assert field.text().startswith("aaaa")  # the events really were input


def test_zero_means_never(qtbot: QtBot) -> None:
    watcher = IdleWatcher()
    watcher.set_minutes(0)
    watcher.start()
    assert not watcher._timer.isActive()


def test_the_window_locks_itself_when_idle(qtbot: QtBot, tasks: VaultTasks, tmp_path: Path) -> None:
    window = make_window(qtbot, tasks, window_settings(tmp_path))
    window.idle.set_interval_ms(80)
    qtbot.waitUntil(lambda: window.is_locked and not tasks.is_open, timeout=5_000)
    wait_idle(qtbot, tasks)
    assert not window.idle._timer.isActive()  # nothing to lock while locked
