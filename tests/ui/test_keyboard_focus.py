"""Keyboard focus over the real screens and a real vault: where the focus lands when a screen
or a trade is opened from the keyboard, and where it comes back to."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QCalendarWidget,
    QComboBox,
    QLabel,
    QScrollArea,
    QTabWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from journal_desktop.sample_data import load_sample_data
from journal_desktop.ui import settings_work
from journal_desktop.ui.journal_screen import JournalScreen
from journal_desktop.ui.main_window import MainWindow
from journal_desktop.ui.tasks import VaultTasks
from journal_desktop.ui.trade_detail import TradeDetailScreen
from journal_desktop.ui.trades_screen import TradesScreen
from tests.fakes import InMemoryKeyringFake
from tests.ui.conftest import run_sync, wait_idle
from tests.ui.shell_helpers import window_settings


@pytest.fixture
def window(
    qtbot: QtBot, tasks: VaultTasks, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[MainWindow]:
    """The main window with the real screens over the sample journal (the settings screen
    given the in-memory keyring, not the machine's)."""
    monkeypatch.setattr(settings_work, "default_backend", InMemoryKeyringFake)
    run_sync(qtbot, tasks, load_sample_data)
    main = MainWindow(tasks, backend=InMemoryKeyringFake(), settings=window_settings(tmp_path))
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    main.activateWindow()
    qtbot.waitUntil(main.isActiveWindow)
    wait_idle(qtbot, tasks)
    yield main
    wait_idle(qtbot, tasks)


def _focus() -> object:
    return QApplication.focusWidget()


def test_every_screen_puts_the_focus_on_a_control_not_a_bare_scroll_area(
    qtbot: QtBot, window: MainWindow, tasks: VaultTasks
) -> None:
    for number in range(1, len(window.specs) + 1):
        qtbot.keyClick(window, Qt.Key(Qt.Key.Key_0 + number), Qt.KeyboardModifier.ControlModifier)
        wait_idle(qtbot, tasks)
        focus = QApplication.focusWidget()
        assert focus is not None
        assert window.current_screen is not None
        assert window.current_screen.isAncestorOf(focus)
        # A scroll area is a container: focused, it has no name to announce and only scrolls.
        assert not isinstance(focus, QScrollArea), window.specs[number - 1].title


def test_a_trade_opened_with_enter_takes_the_focus_and_esc_returns_it_to_the_row(
    qtbot: QtBot, window: MainWindow, tasks: VaultTasks
) -> None:
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    trades = window.current_screen
    assert isinstance(trades, TradesScreen)
    qtbot.waitUntil(lambda: trades.model.trade_id(4) is not None)
    trades.view.setFocus()
    trades.view.selectRow(3)
    qtbot.keyClick(trades.view, Qt.Key.Key_Down)
    assert trades.view.currentIndex().row() == 4

    qtbot.keyClick(trades.view, Qt.Key.Key_Return)
    detail = window.current_screen
    assert isinstance(detail, TradeDetailScreen)
    qtbot.waitUntil(lambda: detail.detail is not None)
    wait_idle(qtbot, tasks)
    focus = QApplication.focusWidget()
    assert focus is not None and detail.isAncestorOf(focus)
    assert not isinstance(focus, QScrollArea)

    qtbot.keyClick(focus, Qt.Key.Key_Escape)
    assert window.current_screen is trades
    assert _focus() is trades.view  # back on the list, where the trader was
    assert trades.view.currentIndex().row() == 4
    qtbot.keyClick(trades.view, Qt.Key.Key_Down)  # and the next trade is one key away
    assert trades.view.currentIndex().row() == 5


def test_ctrl_n_puts_the_focus_in_the_new_trade_form(
    qtbot: QtBot, window: MainWindow, tasks: VaultTasks
) -> None:
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    detail = window.current_screen
    assert isinstance(detail, TradeDetailScreen)
    wait_idle(qtbot, tasks)
    focus = QApplication.focusWidget()
    assert focus is not None and detail.new_form.isAncestorOf(focus)


def _named(widget: QWidget, buddies: set[int]) -> bool:
    """Whether a screen reader has something to say for `widget`: its own name or text, a
    label pointing at it, or (for the parts Qt builds inside a combo box, a spin box, a
    calendar or a tab widget) the name of that whole."""
    if widget.accessibleName() or id(widget) in buddies:
        return True
    if isinstance(widget, QAbstractButton) and widget.text():
        return True
    parent = widget.parentWidget()
    for _ in range(3):
        if parent is None:
            return False
        if isinstance(parent, QComboBox | QAbstractSpinBox | QCalendarWidget | QTabWidget):
            return bool(parent.accessibleName())
        parent = parent.parentWidget()
    return False


def test_every_stop_of_the_tab_order_has_a_name(
    qtbot: QtBot, window: MainWindow, tasks: VaultTasks
) -> None:
    trade_id = run_sync(qtbot, tasks, lambda vault: vault.trades.list_all()[0].id)
    for index in range(len(window.specs) + 1):
        if index < len(window.specs):
            window.show_screen(index)
        else:
            window.open_trade(trade_id)
            detail = window.current_screen
            assert isinstance(detail, TradeDetailScreen)
            qtbot.waitUntil(lambda: detail.detail is not None)  # noqa: B023
        wait_idle(qtbot, tasks)
        screen = window.current_screen
        assert screen is not None
        buddies = {id(label.buddy()) for label in screen.findChildren(QLabel) if label.buddy()}
        silent = [
            f"{type(widget).__name__} in {type(widget.parentWidget()).__name__}"
            for widget in screen.findChildren(QWidget)
            if widget.isVisibleTo(screen)
            and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
            and not _named(widget, buddies)
        ]
        assert silent == [], type(screen).__name__


def _mnemonics(page: QWidget) -> list[str]:
    """The Alt+letter keys the visible labels and buttons of `page` underline."""
    keys = []
    for widget in page.findChildren(QWidget):
        if not widget.isVisibleTo(page):
            continue
        labelled = isinstance(widget, QLabel) and widget.buddy() is not None
        if not (labelled or isinstance(widget, QAbstractButton)):
            continue
        text = widget.text()  # type: ignore[attr-defined]
        found = re.search(r"&([^&\s])", text.replace("&&", ""))
        if found:
            keys.append(found.group(1).lower())
    return keys


def test_no_alt_letter_of_a_screen_is_taken_by_the_menu_bar_or_twice(
    qtbot: QtBot, window: MainWindow, tasks: VaultTasks
) -> None:
    """Alt+T on a label "&Time zone" opened the Trades menu instead (and Alt+G on "Ta&g"
    left the Go menu out of reach): each Alt+letter does one thing."""
    menus = {
        re.search(r"&(\w)", action.text()).group(1).lower()  # type: ignore[union-attr]
        for action in window.menuBar().actions()
    }
    assert menus == {"f", "t", "g", "h"}
    trade_id = run_sync(qtbot, tasks, lambda vault: vault.trades.list_all()[0].id)
    pages: list[tuple[str, QWidget]] = []
    for index in range(len(window.specs)):
        window.show_screen(index)
        wait_idle(qtbot, tasks)
        screen = window.current_screen
        assert screen is not None
        pages.append((window.specs[index].title, screen))
        keys = _mnemonics(screen)
        assert not set(keys) & menus, (window.specs[index].title, keys)
        assert len(keys) == len(set(keys)), (window.specs[index].title, keys)
    window.open_trade(trade_id)
    detail = window.current_screen
    assert isinstance(detail, TradeDetailScreen)
    qtbot.waitUntil(lambda: detail.detail is not None)
    wait_idle(qtbot, tasks)
    window.new_trade()
    wait_idle(qtbot, tasks)
    for name, page in (("trade", detail.pages.widget(0)), ("new trade", detail.new_form)):
        keys = _mnemonics(page)
        assert not set(keys) & menus, (name, keys)
        assert len(keys) == len(set(keys)), (name, keys)
    window.close_detail()
    window.lock()
    qtbot.waitUntil(lambda: window.is_locked and not tasks.is_open)
    wait_idle(qtbot, tasks)
    lock = window.outer.currentWidget()
    assert lock is not None
    lock.panel.show_failure(RuntimeError("probe"))  # type: ignore[attr-defined]
    keys = _mnemonics(lock)
    assert not set(keys) & menus, ("lock", keys)


def _tab_stops(qtbot: QtBot, presses: int) -> list[QWidget]:
    stops = []
    for _ in range(presses):
        focus = QApplication.focusWidget()
        assert focus is not None
        qtbot.keyClick(focus, Qt.Key.Key_Tab)
        after = QApplication.focusWidget()
        assert after is not None
        stops.append(after)
    return stops


def test_tab_walks_out_of_every_list_instead_of_through_its_cells(
    qtbot: QtBot, window: MainWindow, tasks: VaultTasks
) -> None:
    """A table of trades, a breakdown or the audit log is one stop: Tab went from cell to
    cell instead (through thousands of trades), a trap only Ctrl+Tab got out of."""
    trade_id = run_sync(qtbot, tasks, lambda vault: vault.trades.list_all()[0].id)
    for index in range(len(window.specs) + 1):
        if index < len(window.specs):
            window.show_screen(index)
            name = window.specs[index].title
        else:
            window.open_trade(trade_id)
            detail = window.current_screen
            assert isinstance(detail, TradeDetailScreen)
            qtbot.waitUntil(lambda: detail.detail is not None)  # noqa: B023
            name = "trade"
        wait_idle(qtbot, tasks)
        stops = _tab_stops(qtbot, 30)
        stuck = [type(a).__name__ + " " + a.accessibleName() for a, b in pairwise(stops) if a is b]
        assert stuck == [], name
        assert window.sidebar in stops, name  # round the whole window and back


def test_tab_goes_through_the_settings_in_the_order_they_are_shown(
    qtbot: QtBot, window: MainWindow, tasks: VaultTasks
) -> None:
    index = [spec.title for spec in window.specs].index("Security & settings")
    window.show_screen(index)
    wait_idle(qtbot, tasks)
    window.sidebar.setFocus()  # from the top: the sidebar, then the screen
    stops = _tab_stops(qtbot, 14)
    names = [stop.accessibleName() for stop in stops]
    order = [
        "Change the journal's passphrase",
        "Lock after this many idle minutes (0 means never)",
        "Lock the journal now",
        "Theme",
        "Recent audit log entries",
    ]
    positions = [names.index(name) for name in order]
    assert positions == sorted(positions), names


def test_tab_from_the_journal_calendar_goes_to_today_under_it(
    qtbot: QtBot, window: MainWindow, tasks: VaultTasks
) -> None:
    index = [spec.title for spec in window.specs].index("Journal")
    window.show_screen(index)
    wait_idle(qtbot, tasks)
    journal = window.current_screen
    assert isinstance(journal, JournalScreen)
    journal.calendar.setFocus()
    focus = QApplication.focusWidget()
    assert focus is not None
    qtbot.keyClick(focus, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is journal.today_button
