"""The main window: sidebar and shortcuts, trade detail wiring, status bar, remembered layout."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QPoint, QSize, Qt
from pytestqt.qtbot import QtBot

from journal_desktop.storage.metadata import KeyStorage
from journal_desktop.ui.main_window import MainWindow
from journal_desktop.ui.screens import DETAIL, SIDEBAR, detail_screen, sidebar_screens
from journal_desktop.ui.tasks import VaultTasks
from journal_desktop.ui.theme import is_dark
from tests.ui.conftest import wait_idle
from tests.ui.shell_helpers import make_window, window_settings
from tests.ui.shell_stubs import (
    StubDashboard,
    StubDetail,
    StubImport,
    StubJournal,
    StubSettings,
    StubTrades,
)

S = TypeVar("S")


def _screen(window: MainWindow, cls: type[S]) -> S:
    return next(s for s in window.screens if isinstance(s, cls))


def test_sidebar_lists_the_screens_in_order_with_titles(
    qtbot: QtBot, tasks: VaultTasks, tmp_path: Path
) -> None:
    window = make_window(qtbot, tasks, window_settings(tmp_path))
    titles = [window.sidebar.item(i).text() for i in range(window.sidebar.count())]
    assert titles == ["Dashboard", "Trades", "Journal", "Import", "Security & settings"]
    assert isinstance(window.current_screen, StubDashboard)
    assert window.windowTitle() == "Dashboard — Journal Desktop"
    assert not window.sidebar.item(0).icon().isNull()  # resources/icons/dashboard.svg


def test_ctrl_number_switches_screens_and_focuses_the_screen(
    qtbot: QtBot, tasks: VaultTasks, tmp_path: Path
) -> None:
    window = make_window(qtbot, tasks, window_settings(tmp_path))
    for key, cls in (
        (Qt.Key.Key_3, StubJournal),
        (Qt.Key.Key_2, StubTrades),
        (Qt.Key.Key_5, StubSettings),
        (Qt.Key.Key_1, StubDashboard),
    ):
        qtbot.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)
        assert isinstance(window.current_screen, cls)
        assert window.sidebar.currentRow() == window.screens.index(window.current_screen)
        screen = window.current_screen
        assert screen.field.hasFocus()


def test_clicking_the_sidebar_switches_screens(
    qtbot: QtBot, tasks: VaultTasks, tmp_path: Path
) -> None:
    window = make_window(qtbot, tasks, window_settings(tmp_path))
    window.sidebar.setCurrentRow(3)
    assert isinstance(window.current_screen, StubImport)


def test_standard_shortcuts_reach_the_screens(
    qtbot: QtBot, tasks: VaultTasks, tmp_path: Path
) -> None:
    window = make_window(qtbot, tasks, window_settings(tmp_path))
    trades = _screen(window, StubTrades)
    importer = _screen(window, StubImport)

    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.current_screen is trades
    assert trades.search_requests == 1

    qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    assert window.current_screen is importer
    assert importer.file_requests == 1

    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert isinstance(window.current_screen, StubDetail)
    assert window.current_screen.shown == [None]


def test_open_trade_shows_the_detail_and_closed_goes_back(
    qtbot: QtBot, tasks: VaultTasks, tmp_path: Path
) -> None:
    window = make_window(qtbot, tasks, window_settings(tmp_path))
    window.show_screen(2)
    journal = _screen(window, StubJournal)
    trade_id = uuid.uuid4()
    journal.open_trade.emit(trade_id)
    detail = window.detail
    assert isinstance(detail, StubDetail)
    assert window.current_screen is detail
    assert detail.shown == [trade_id]
    detail.closed.emit()
    assert window.current_screen is journal
    assert window.sidebar.currentRow() == 2

    journal.open_trade.emit(trade_id)
    assert window.current_screen is detail
    item = window.sidebar.item(2)  # still highlighted: clicking it goes back as well
    qtbot.mouseClick(
        window.sidebar.viewport(),
        Qt.MouseButton.LeftButton,
        pos=window.sidebar.visualItemRect(item).center(),
    )
    assert window.current_screen is journal


def test_geometry_and_screen_are_remembered(
    qtbot: QtBot, tasks: VaultTasks, tmp_path: Path
) -> None:
    settings = window_settings(tmp_path)
    first = make_window(qtbot, tasks, settings)
    first.resize(700, 480)
    first.move(QPoint(40, 30))
    first.show_screen(2)
    first.close()

    second = make_window(qtbot, tasks, window_settings(tmp_path))
    assert second.size() == QSize(700, 480)
    assert isinstance(second.current_screen, StubJournal)


def test_a_fresh_window_has_a_sensible_size(
    qtbot: QtBot, tasks: VaultTasks, tmp_path: Path
) -> None:
    window = make_window(qtbot, tasks, window_settings(tmp_path))
    available = window.screen().availableGeometry()
    assert window.width() == min(1280, int(available.width() * 0.9))
    assert window.height() == min(800, int(available.height() * 0.9))
    assert available.contains(window.geometry())


def test_status_bar_shows_busy_work_and_failures(
    qtbot: QtBot, tasks: VaultTasks, tmp_path: Path
) -> None:
    window = make_window(qtbot, tasks, window_settings(tmp_path))
    release = threading.Event()
    tasks.run(lambda vault: release.wait(10))
    qtbot.waitUntil(window.busy.isVisible)
    release.set()
    wait_idle(qtbot, tasks)
    assert not window.busy.isVisible()

    def fail(vault: object) -> None:
        raise ValueError("secret detail")

    tasks.run(fail)
    wait_idle(qtbot, tasks)
    message = window.statusBar().currentMessage()
    assert "Something went wrong (ValueError)" in message
    assert "secret detail" not in message


def test_settings_screen_signals_change_theme_and_auto_lock(
    qtbot: QtBot, tasks: VaultTasks, tmp_path: Path
) -> None:
    window = make_window(qtbot, tasks, window_settings(tmp_path))
    settings_screen = _screen(window, StubSettings)
    assert window.idle.interval_ms == 10 * 60_000  # the default
    settings_screen.auto_lock_changed.emit(3)
    assert window.idle.interval_ms == 3 * 60_000
    assert window.locker.key_storage is KeyStorage.PASSPHRASE
    settings_screen.key_storage_changed.emit(KeyStorage.KEYCHAIN)
    assert window.locker.key_storage is KeyStorage.KEYCHAIN
    try:
        settings_screen.theme_changed.emit("dark")
        assert is_dark()
        settings_screen.theme_changed.emit("light")
        assert not is_dark()
    finally:
        window.theme.set_mode("system")


def test_stored_settings_apply_when_the_window_opens(
    qtbot: QtBot, tasks: VaultTasks, tmp_path: Path
) -> None:
    from tests.ui.conftest import run_sync

    run_sync(qtbot, tasks, lambda vault: vault.settings.set("ui.auto_lock_minutes", "0"))
    window = make_window(qtbot, tasks, window_settings(tmp_path))
    assert window.idle.interval_ms == 0  # 0 = never


def test_sidebar_screens_are_the_agreed_classes_in_order() -> None:
    classes = sidebar_screens()
    names = [cls.__name__ for cls in classes]
    expected = [spec.class_name for spec in SIDEBAR]
    # The sidebar lists screens by the names written beside their modules, before importing
    # them: those must be the classes' own titles and icons.
    for cls in [*classes, detail_screen()]:
        assert cls is not None
        spec = next(s for s in (*SIDEBAR, DETAIL) if s.class_name == cls.__name__)
        assert (spec.module, spec.title, spec.icon_name) == (
            cls.__module__,
            cls.title,
            cls.icon_name,
        )
    # Screens still being written may be missing; those present keep the agreed order.
    assert names == [name for name in expected if name in names]
    assert expected == [
        "DashboardScreen",
        "TradesScreen",
        "JournalScreen",
        "ImportScreen",
        "SettingsScreen",
    ]


def test_the_shortcuts_are_listed_in_help(qtbot: QtBot, tasks: VaultTasks, tmp_path: Path) -> None:
    window = make_window(qtbot, tasks, window_settings(tmp_path))
    text = window.shortcuts_text()
    for name, key in (
        ("Import a file", "Ctrl+I"),
        ("Lock", "Ctrl+L"),
        ("New trade", "Ctrl+N"),
        ("Find trades", "Ctrl+F"),
        ("Dashboard", "Ctrl+1"),
        ("Security &amp; settings", "Ctrl+5"),
        # The screens' own keys, which no menu shows.
        ("Save the trade&#x27;s notes or the journal day", "Ctrl+S"),
        ("Paste a screenshot into the trade", "Ctrl+V"),
        ("Preview the Markdown notes", "Ctrl+Shift+P"),
        ("Back from the trade", "Esc"),
    ):
        assert f"<td>{name}</td><td>&nbsp;&nbsp;<b>{key}</b>" in text


def test_tab_goes_from_the_sidebar_into_the_screen(
    qtbot: QtBot, tasks: VaultTasks, tmp_path: Path
) -> None:
    window = make_window(qtbot, tasks, window_settings(tmp_path))
    window.show_screen(1)
    window.sidebar.setFocus()
    qtbot.waitUntil(window.sidebar.hasFocus)
    qtbot.keyClick(window.sidebar, Qt.Key.Key_Tab)
    trades = _screen(window, StubTrades)
    assert trades.field.hasFocus()


def test_leaving_unsaved_trade_notes_asks_and_can_stay(
    qtbot: QtBot, tasks: VaultTasks, tmp_path: Path
) -> None:
    window = make_window(qtbot, tasks, window_settings(tmp_path))
    window.show_screen(1)
    window.open_trade(uuid.uuid4())
    detail = window.detail
    assert isinstance(detail, StubDetail)
    detail.dirty, detail.stay = True, True
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.current_screen is detail  # the trader chose to stay
    assert detail.confirmations == 1
    assert window.sidebar.currentRow() == 1
    detail.stay = False
    window.show_screen(0)
    assert window.current_screen is _screen(window, StubDashboard)
    assert detail.confirmations == 2


def test_ctrl_f_and_ctrl_i_do_nothing_when_the_trader_stays_with_unsaved_notes(
    qtbot: QtBot, tasks: VaultTasks, tmp_path: Path
) -> None:
    window = make_window(qtbot, tasks, window_settings(tmp_path))
    trades = _screen(window, StubTrades)
    importer = _screen(window, StubImport)
    window.open_trade(uuid.uuid4())
    detail = window.detail
    assert isinstance(detail, StubDetail)
    detail.dirty, detail.stay = True, True
    qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.current_screen is detail
    assert detail.confirmations == 2
    # No file dialog over the trade, no search box focused behind it.
    assert importer.file_requests == 0
    assert trades.search_requests == 0


def test_closing_the_window_with_unsaved_notes_asks(
    qtbot: QtBot, tasks: VaultTasks, tmp_path: Path
) -> None:
    window = make_window(qtbot, tasks, window_settings(tmp_path))
    window.open_trade(uuid.uuid4())
    detail = window.detail
    assert isinstance(detail, StubDetail)
    detail.dirty, detail.stay = True, True
    assert not window.close()
    assert window.isVisible()
    detail.stay = False
    assert window.close()
    assert detail.saves == 1  # still dirty when closing: handed to the worker first


def test_lock_hands_unsaved_edits_to_the_worker_first(
    qtbot: QtBot, tasks: VaultTasks, tmp_path: Path
) -> None:
    window = make_window(qtbot, tasks, window_settings(tmp_path))
    wait_idle(qtbot, tasks)
    journal = _screen(window, StubJournal)
    window.open_trade(uuid.uuid4())
    detail = window.detail
    assert isinstance(detail, StubDetail)
    detail.dirty = True
    window.lock()
    assert journal.saves == 1
    assert detail.saves == 1
    wait_idle(qtbot, tasks)
    assert window.is_locked and not tasks.is_open


def test_a_day_picked_on_the_dashboard_opens_in_the_journal(
    qtbot: QtBot, tasks: VaultTasks, tmp_path: Path
) -> None:
    import datetime

    window = make_window(qtbot, tasks, window_settings(tmp_path))
    window.show_screen(0)
    day = datetime.date(2026, 3, 2)
    _screen(window, StubDashboard).day_selected.emit(day)
    journal = _screen(window, StubJournal)
    assert window.current_screen is journal
    assert journal.days == [day]
