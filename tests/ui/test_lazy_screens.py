"""Screens are built the first time they are shown, and every path that shows one builds it.

The window is made from specs naming the stub screens' module, as the real window names the
real screens': nothing is built before the first paint, the screen the window opens on is
imported in the background and built after it, and the sidebar, Ctrl+1..5, Ctrl+F, Ctrl+I,
Ctrl+N, a day picked on the dashboard, the trade detail, a lock and a restart each reach a
screen that was never shown before.
"""

from __future__ import annotations

import datetime
import uuid
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from journal_desktop.ui.lock import LockScreen
from journal_desktop.ui.main_window import SCREEN_KEY, MainWindow, PendingPage
from journal_desktop.ui.screen import OPENING_TEXT, Screen
from journal_desktop.ui.screens import ScreenSpec
from journal_desktop.ui.tasks import VaultTasks
from journal_desktop.ui.theme import THEME_SETTING, is_dark
from tests.fakes import InMemoryKeyringFake
from tests.ui.conftest import PASSPHRASE, run_sync, wait_idle
from tests.ui.shell_helpers import window_settings
from tests.ui.shell_stubs import (
    STUB_SCREENS,
    StubDashboard,
    StubDetail,
    StubImport,
    StubJournal,
    StubScreen,
    StubSettings,
    StubTrades,
)

DASHBOARD, TRADES, JOURNAL, IMPORT, SETTINGS = range(5)


def _spec(cls: type[Screen]) -> ScreenSpec:
    """A spec naming the class's module, as `screens.SIDEBAR` names the real ones."""
    return ScreenSpec(cls.__module__, cls.__name__, cls.title, cls.icon_name)


def _window(qtbot: QtBot, tasks: VaultTasks, settings: QSettings, *extra: ScreenSpec) -> MainWindow:
    window = MainWindow(
        tasks,
        backend=InMemoryKeyringFake(),  # type: ignore[arg-type]
        screens=[*(_spec(cls) for cls in STUB_SCREENS), *extra],
        detail=_spec(StubDetail),
        settings=settings,
    )
    qtbot.addWidget(window)
    assert window.built_screens == []  # nothing is built before the window is on screen
    assert isinstance(window.current_screen, PendingPage)
    assert window.current_screen.label.text() == OPENING_TEXT
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window


def _started(qtbot: QtBot, tasks: VaultTasks, settings: QSettings) -> MainWindow:
    """A window whose first screen (the dashboard) has been built after the first paint."""
    window = _window(qtbot, tasks, settings)
    qtbot.waitUntil(lambda: window.screen_if_built(DASHBOARD) is not None)
    wait_idle(qtbot, tasks)
    return window


def _built(window: MainWindow) -> list[type[Screen]]:
    return [type(screen) for screen in window.built_screens]


def test_only_the_screen_shown_is_built_after_the_first_paint(
    qtbot: QtBot, tasks: VaultTasks, tmp_path: Path
) -> None:
    window = _started(qtbot, tasks, window_settings(tmp_path))
    dashboard = window.current_screen
    assert isinstance(dashboard, StubDashboard)
    assert _built(window) == [StubDashboard]
    assert dashboard.reloads == 1  # read the (open) vault when it was shown
    assert window.windowTitle() == "Dashboard — Journal Desktop"
    assert window.stack.count() == 5  # no trade detail yet
    titles = [window.sidebar.item(i).text() for i in range(window.sidebar.count())]
    assert titles == ["Dashboard", "Trades", "Journal", "Import", "Security & settings"]


def test_the_sidebar_and_ctrl_numbers_build_a_screen_on_first_show(
    qtbot: QtBot, tasks: VaultTasks, tmp_path: Path
) -> None:
    window = _started(qtbot, tasks, window_settings(tmp_path))
    window.sidebar.setCurrentRow(TRADES)
    trades = window.current_screen
    assert isinstance(trades, StubTrades)
    assert _built(window) == [StubDashboard, StubTrades]
    for key, cls in ((Qt.Key.Key_3, StubJournal), (Qt.Key.Key_5, StubSettings)):
        qtbot.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)
        screen = window.current_screen
        assert isinstance(screen, cls)
        assert screen.field.hasFocus()
        assert window.sidebar.currentRow() == window.specs.index(
            next(s for s in window.specs if s.class_name == cls.__name__)
        )
    assert window.screen_if_built(IMPORT) is None
    # Built once: coming back finds the same screen.
    window.sidebar.setCurrentRow(TRADES)
    assert window.current_screen is trades


def test_ctrl_f_builds_only_the_trades_screen_and_focuses_its_search(
    qtbot: QtBot, tasks: VaultTasks, tmp_path: Path
) -> None:
    window = _started(qtbot, tasks, window_settings(tmp_path))
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    trades = window.current_screen
    assert isinstance(trades, StubTrades)
    assert trades.search_requests == 1
    assert trades.field.hasFocus()
    assert _built(window) == [StubDashboard, StubTrades]


def test_ctrl_i_builds_the_import_screen_and_asks_for_a_file(
    qtbot: QtBot, tasks: VaultTasks, tmp_path: Path
) -> None:
    window = _started(qtbot, tasks, window_settings(tmp_path))
    qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    importer = window.current_screen
    assert isinstance(importer, StubImport)
    assert importer.file_requests == 1
    assert window.screen_if_built(JOURNAL) is None


def test_ctrl_n_builds_the_trade_detail_and_back_returns(
    qtbot: QtBot, tasks: VaultTasks, tmp_path: Path
) -> None:
    window = _started(qtbot, tasks, window_settings(tmp_path))
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    detail = window.current_screen
    assert isinstance(detail, StubDetail)
    assert detail.shown == [None]
    assert window.windowTitle() == "Trade — Journal Desktop"
    detail.closed.emit()
    assert isinstance(window.current_screen, StubDashboard)
    # A trade opened from the dashboard uses the same detail.
    trade_id = uuid.uuid4()
    dashboard = window.current_screen
    dashboard.open_trade.emit(trade_id)
    assert window.current_screen is detail
    assert detail.shown == [None, trade_id]


def test_a_day_picked_on_the_dashboard_builds_the_journal_and_shows_the_day(
    qtbot: QtBot, tasks: VaultTasks, tmp_path: Path
) -> None:
    window = _started(qtbot, tasks, window_settings(tmp_path))
    dashboard = window.current_screen
    assert isinstance(dashboard, StubDashboard)
    day = datetime.date(2026, 3, 2)
    dashboard.day_selected.emit(day)
    journal = window.current_screen
    assert isinstance(journal, StubJournal)
    assert journal.days == [day]


def test_unsaved_trade_notes_are_kept_before_a_screen_is_built(
    qtbot: QtBot, tasks: VaultTasks, tmp_path: Path
) -> None:
    window = _started(qtbot, tasks, window_settings(tmp_path))
    window.open_trade(uuid.uuid4())
    detail = window.current_screen
    assert isinstance(detail, StubDetail)
    detail.dirty, detail.stay = True, True
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_screen is detail  # the trader chose to stay
    assert detail.confirmations == 1
    assert window.screen_if_built(TRADES) is None  # and nothing was built for it
    detail.stay = False
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert isinstance(window.current_screen, StubTrades)


def test_lock_and_unlock_with_screens_not_built_yet(
    qtbot: QtBot, tasks: VaultTasks, tmp_path: Path
) -> None:
    window = _started(qtbot, tasks, window_settings(tmp_path))
    qtbot.waitUntil(lambda: window.locker.paths is not None)  # the vault's facts are in
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    journal = window.current_screen
    assert isinstance(journal, StubJournal)
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert journal.saves == 1  # the built screen's typing went to the worker
    qtbot.waitUntil(lambda: window.is_locked and not tasks.is_open)
    assert _built(window) == [StubDashboard, StubJournal]  # locking built nothing
    lock = window.outer.currentWidget()
    assert isinstance(lock, LockScreen)
    qtbot.keyClicks(lock.panel.passphrase, PASSPHRASE)
    qtbot.keyClick(lock.panel.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.is_locked, timeout=20_000)
    assert window.current_screen is journal  # the same screen back
    assert window.windowTitle() == "Journal — Journal Desktop"
    wait_idle(qtbot, tasks)
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    trades = window.current_screen
    assert isinstance(trades, StubTrades)  # first shown after the unlock: reads the vault
    assert trades.reloads == 1


def test_a_restart_opens_on_the_last_screen_built_lazily(
    qtbot: QtBot, tasks: VaultTasks, tmp_path: Path
) -> None:
    first = _started(qtbot, tasks, window_settings(tmp_path))
    qtbot.keyClick(first, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    first.close()
    assert window_settings(tmp_path).value(SCREEN_KEY) == "StubJournal"

    second = _window(qtbot, tasks, window_settings(tmp_path))
    assert second.windowTitle() == "Journal — Journal Desktop"  # its page, before it is built
    assert second.sidebar.currentRow() == JOURNAL
    qtbot.waitUntil(lambda: second.screen_if_built(JOURNAL) is not None)
    assert isinstance(second.current_screen, StubJournal)
    assert _built(second) == [StubJournal]


def test_a_screen_that_cannot_be_loaded_says_so_and_the_rest_work(
    qtbot: QtBot, tasks: VaultTasks, tmp_path: Path
) -> None:
    missing = ScreenSpec("tests.ui.no_such_screen_module", "Nowhere", "Reports", "")
    window = _window(qtbot, tasks, window_settings(tmp_path), missing)
    qtbot.waitUntil(lambda: window.screen_if_built(DASHBOARD) is not None)
    window.show_screen(5)
    page = window.current_screen
    assert isinstance(page, PendingPage)
    assert page.label.text() == "Reports is not available in this version."
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert isinstance(window.current_screen, StubTrades)


class _BrokenScreen(StubScreen):
    title = "Broken"

    def __init__(self, tasks: VaultTasks, parent: QWidget | None = None) -> None:
        raise RuntimeError("a bug in the screen")


def test_a_screen_that_fails_to_build_says_so_instead_of_loading_forever(
    qtbot: QtBot, tasks: VaultTasks, tmp_path: Path
) -> None:
    window = _window(qtbot, tasks, window_settings(tmp_path), ScreenSpec.of(_BrokenScreen))
    qtbot.waitUntil(lambda: window.screen_if_built(DASHBOARD) is not None)
    window.show_screen(5)
    page = window.current_screen
    assert isinstance(page, PendingPage)
    assert page.label.text() == "Broken could not be opened (see the log)."
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert isinstance(window.current_screen, StubTrades)


def test_the_vaults_theme_is_painted_from_the_start_of_the_next_window(
    qtbot: QtBot, tasks: VaultTasks, tmp_path: Path
) -> None:
    run_sync(qtbot, tasks, lambda vault: vault.settings.set(THEME_SETTING, "dark"))
    first = _started(qtbot, tasks, window_settings(tmp_path))
    try:
        qtbot.waitUntil(is_dark)  # from the vault's settings, once they were read
        first.close()
        first.theme.set_mode("system")  # as a new process starts
        assert not is_dark()
        second = MainWindow(
            tasks,
            backend=None,
            screens=[_spec(cls) for cls in STUB_SCREENS],
            settings=window_settings(tmp_path),
            theme=first.theme,
        )
        qtbot.addWidget(second)
        assert is_dark()  # before it is shown, before the vault is asked
    finally:
        wait_idle(qtbot, tasks)  # the second window's own read of the settings lands here
        first.theme.set_mode("system")
