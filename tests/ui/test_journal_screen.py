"""The journal screen over a real vault: plan, review and mood per day, never losing text."""

from __future__ import annotations

from datetime import UTC, date

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from journal_desktop.domain.records import Mood, TradeStatus
from journal_desktop.storage.paths import VaultPaths
from journal_desktop.storage.vault import Vault
from journal_desktop.ui import journal_screen as journal_module
from journal_desktop.ui.formatting import money
from journal_desktop.ui.journal_screen import JournalScreen
from journal_desktop.ui.screen import Screen
from journal_desktop.ui.tasks import VaultTasks
from journal_desktop.ui.theme import DARK_COLORS, LIGHT_COLORS, ThemeManager
from tests.storage.trade_factory import TradeSet, add_trades
from tests.ui.conftest import run_sync, wait_idle

DAY = date(2024, 1, 2)
NEXT = date(2024, 1, 3)


@pytest.fixture
def data(qtbot: QtBot, tasks: VaultTasks) -> TradeSet:
    result: TradeSet = run_sync(qtbot, tasks, lambda v: add_trades(v, 120), 60_000)
    return result


def make_screen(qtbot: QtBot, tasks: VaultTasks, day: date = DAY) -> JournalScreen:
    screen = JournalScreen(tasks)
    screen.tz = UTC  # the factory's trades are laid out in UTC days
    qtbot.addWidget(screen)
    screen.resize(1100, 750)
    screen.show()
    with qtbot.waitSignal(screen.day_loaded, timeout=20_000, check_params_cb=lambda d: d == day):
        screen.select_day(day)
    wait_idle(qtbot, tasks)
    return screen


@pytest.fixture
def screen(qtbot: QtBot, tasks: VaultTasks, data: TradeSet) -> JournalScreen:
    return make_screen(qtbot, tasks)


def stored(qtbot: QtBot, tasks: VaultTasks, day: date):  # type: ignore[no-untyped-def]
    return run_sync(qtbot, tasks, lambda v: v.journal.for_day(day) or False)


def test_is_a_screen_with_the_agreed_identity(screen: JournalScreen) -> None:
    assert isinstance(screen, Screen)
    assert (screen.title, screen.icon_name) == ("Journal", "journal")
    assert {"journal", "trades"} <= screen.depends_on


def test_switching_days_keeps_plan_and_review_of_both(
    qtbot: QtBot, tasks: VaultTasks, screen: JournalScreen
) -> None:
    qtbot.keyClicks(screen.plan.editor, "Only A+ setups; max 3 trades.")
    qtbot.keyClicks(screen.review.editor, "Stuck to the plan.")
    assert screen.dirty
    with qtbot.waitSignal(screen.day_loaded, timeout=20_000):
        screen.select_day(NEXT)  # saves the first day before reading the next
    assert screen.plan.text() == "" and screen.review.text() == ""
    qtbot.keyClicks(screen.plan.editor, "Fed day: sit on hands until 2pm.")
    with qtbot.waitSignal(screen.day_loaded, timeout=20_000):
        screen.select_day(DAY)
    assert screen.plan.text() == "Only A+ setups; max 3 trades."
    assert screen.review.text() == "Stuck to the plan."
    wait_idle(qtbot, tasks)
    assert stored(qtbot, tasks, NEXT).plan == "Fed day: sit on hands until 2pm."
    first = stored(qtbot, tasks, DAY)
    assert (first.plan, first.review) == ("Only A+ setups; max 3 trades.", "Stuck to the plan.")


def test_mood_is_saved_and_can_be_cleared(
    qtbot: QtBot, tasks: VaultTasks, screen: JournalScreen
) -> None:
    screen.set_mood(Mood.GOOD)
    with qtbot.waitSignal(screen.saved, timeout=20_000):
        screen.save_button.click()
    assert stored(qtbot, tasks, DAY).mood is Mood.GOOD
    assert screen.status_label.text() == "Saved"
    screen.set_mood(None)
    with qtbot.waitSignal(screen.saved, timeout=20_000):
        screen.save_now()
    assert stored(qtbot, tasks, DAY).mood is None


def test_the_days_trades_and_pnl_are_listed(
    qtbot: QtBot, screen: JournalScreen, data: TradeSet
) -> None:
    closed = [t for t in data.trades if t.closed_at is not None and t.closed_at.date() == DAY]
    still_open = [
        t for t in data.trades if t.status is TradeStatus.OPEN and t.opened_at.date() == DAY
    ]
    expected = {t.id for t in closed + still_open}
    shown = {screen.trades_table.trade_id(i) for i in range(screen.trades_table.rowCount())}
    assert shown == expected and len(closed) > 5
    net = sum(t.net_pnl for t in closed)
    assert screen.pnl_label.text() == f"{len(closed)} trades, net {money(net, signed=True)}"
    table = screen.trades_table
    with qtbot.waitSignal(screen.open_trade, timeout=5_000) as opened:
        # A real double-click: the first click selects, the second opens.
        center = table.visualRect(table.model().index(2, 1)).center()
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=center)
        qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=center)
    assert opened.args == [table.trade_id(2)]


def test_enter_on_a_trade_of_the_day_opens_it(
    qtbot: QtBot, screen: JournalScreen, data: TradeSet
) -> None:
    table = screen.trades_table
    table.setFocus()
    table.setCurrentCell(3, 0)
    opened: list[object] = []
    screen.open_trade.connect(opened.append)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert opened == [table.trade_id(3)]


def test_the_days_net_and_trades_take_the_new_theme_colours_at_once(
    qtbot: QtBot, screen: JournalScreen, data: TradeSet
) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    manager = ThemeManager(app)
    try:
        for mode, colors, other in (
            ("dark", DARK_COLORS, LIGHT_COLORS),
            ("light", LIGHT_COLORS, DARK_COLORS),
        ):
            manager.set_mode(mode)
            qtbot.wait(10)  # the palette change reaches the widgets through the event loop
            table = screen.trades_table
            cells = (table.item(row, 4) for row in range(table.rowCount()))
            shown = {cell.foreground().color().name() for cell in cells if cell is not None}
            assert shown & {colors.gain.name(), colors.loss.name()}, mode
            assert not shown & {other.gain.name(), other.loss.name()}, mode
            assert screen.pnl_label.styleSheet() in (
                f"color: {colors.gain.name()}",
                f"color: {colors.loss.name()}",
            ), mode
    finally:
        manager.set_mode("system")


def test_reopening_the_day_shows_what_was_written(
    qtbot: QtBot, tasks: VaultTasks, screen: JournalScreen
) -> None:
    screen.plan.editor.insertPlainText("# Levels\n- 4,800 support")  # as if typed
    qtbot.keyClicks(screen.review.editor, "Good **patience**.")
    screen.set_mood(Mood.GREAT)
    screen.hide()  # hiding saves
    wait_idle(qtbot, tasks)
    again = make_screen(qtbot, tasks)
    assert again.plan.text() == "# Levels\n- 4,800 support"
    assert again.review.text() == "Good **patience**."
    assert again.mood() is Mood.GREAT
    again.review.show_preview(True)
    assert again.review.preview.toPlainText().strip() == "Good patience."
    assert again.review.stack.currentWidget() is again.review.preview


def test_autosave_after_a_pause_and_typing_during_a_save_is_kept(
    qtbot: QtBot, tasks: VaultTasks, data: TradeSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(journal_module, "AUTOSAVE_DELAY_MS", 50)
    screen = make_screen(qtbot, tasks)
    with qtbot.waitSignal(screen.saved, timeout=20_000):
        qtbot.keyClicks(screen.plan.editor, "abc")
    # The save announces a journal change, which reloads the day; typing meanwhile stays.
    qtbot.keyClicks(screen.plan.editor, "def")
    with qtbot.waitSignal(screen.day_loaded, timeout=20_000):
        pass
    assert screen.plan.text() == "abcdef"
    qtbot.waitUntil(lambda: not screen.dirty and screen.status_label.text() == "Saved")
    wait_idle(qtbot, tasks)
    assert stored(qtbot, tasks, DAY).plan == "abcdef"


def test_the_calendar_marks_entries_and_trading_days(
    qtbot: QtBot, tasks: VaultTasks, screen: JournalScreen, data: TradeSet
) -> None:
    qtbot.keyClicks(screen.review.editor, "Marked.")
    with qtbot.waitSignal(screen.marks_loaded, timeout=20_000):
        screen.save_now()  # the journal change refreshes the marks
    mark = screen.mark_of(DAY)
    assert mark is not None and mark.has_entry
    closed = [t for t in data.trades if t.closed_at is not None and t.closed_at.date() == NEXT]
    next_mark = screen.mark_of(NEXT)
    assert next_mark is not None and not next_mark.has_entry
    assert next_mark.trades == len(closed)
    assert next_mark.net_pnl == sum(t.net_pnl for t in closed)
    text_format = screen.calendar.dateTextFormat(QDate(2024, 1, 2))
    assert text_format.fontWeight() == QFont.Weight.Bold
    assert screen.calendar.dateTextFormat(QDate(2024, 1, 3)).fontWeight() != QFont.Weight.Bold


def test_text_typed_just_before_a_lock_is_saved_after_unlock(
    qtbot: QtBot, tasks: VaultTasks, screen: JournalScreen, ui_paths: VaultPaths, ui_key_env
) -> None:
    qtbot.keyClicks(screen.review.editor, "Locked mid-sentence")
    tasks.close()  # the lock closes the vault first; the save queued after it cannot run
    screen.save_now()
    qtbot.waitUntil(lambda: "locked" in screen.status_label.text(), timeout=10_000)
    assert screen.dirty and screen.review.text() == "Locked mid-sentence"
    tasks.open(lambda: Vault.open(ui_paths, ui_key_env))
    wait_idle(qtbot, tasks)
    screen.mark_stale()  # what the main window does on unlock
    qtbot.waitUntil(lambda: not screen.dirty and screen.status_label.text() == "Saved")
    wait_idle(qtbot, tasks)
    assert stored(qtbot, tasks, DAY).review == "Locked mid-sentence"
    assert screen.review.text() == "Locked mid-sentence"


def test_today_button_goes_to_today(qtbot: QtBot, screen: JournalScreen) -> None:
    with qtbot.waitSignal(screen.day_loaded, timeout=20_000):
        screen.today_button.click()
    assert screen.day == date.today()
    assert screen.calendar.monthShown() == date.today().month
    assert screen.calendar.selectedDate() == QDate.currentDate()
