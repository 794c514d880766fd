"""The trade detail screen over a real vault: figures, notes, tags, rating, R, screenshots,
manual entry, executions, split and merge, and unsaved changes."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from journal_desktop.domain.records import Side, TradeStatus
from journal_desktop.storage import trade_attachments, trade_editing
from journal_desktop.storage.paths import VaultPaths
from journal_desktop.storage.trade_editing import TradeDetail
from journal_desktop.ui.tasks import VaultTasks
from journal_desktop.ui.theme import DARK_COLORS, LIGHT_COLORS, ThemeManager
from journal_desktop.ui.trade_detail import TradeDetailScreen
from journal_desktop.ui.trade_detail_executions import ExecutionDialog, to_local
from tests.ui.conftest import run_sync, wait_idle
from tests.ui.trade_detail_helpers import T0, execution, make_trade, red_image, vault_bytes


@pytest.fixture
def screen(qtbot: QtBot, tasks: VaultTasks) -> TradeDetailScreen:
    widget = TradeDetailScreen(tasks)
    qtbot.addWidget(widget)
    widget.resize(1100, 900)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def open_trade(qtbot: QtBot, screen: TradeDetailScreen, trade_id: uuid.UUID) -> None:
    screen.show_trade(trade_id)
    qtbot.waitUntil(
        lambda: screen.detail is not None and screen.detail.trade.id == trade_id, timeout=10_000
    )
    wait_idle(qtbot, screen.tasks)


def reload_detail(qtbot: QtBot, tasks: VaultTasks, trade_id: uuid.UUID) -> TradeDetail:
    return run_sync(qtbot, tasks, lambda v: trade_editing.load_trade(v, trade_id))  # type: ignore[no-any-return]


def test_opening_a_trade_shows_its_figures(
    qtbot: QtBot, tasks: VaultTasks, screen: TradeDetailScreen
) -> None:
    trade_id = make_trade(qtbot, tasks)
    open_trade(qtbot, screen, trade_id)
    assert screen.heading.text() == "AAPL · Long · Closed"
    assert screen.figures["account"].text() == "Main"
    assert screen.figures["quantity"].text() == "100"
    assert screen.figures["entry"].text() == "10.1"
    assert screen.figures["exit"].text() == "10.35"
    assert screen.figures["gross"].text() == "+25.00"
    assert screen.figures["fees"].text() == "0.35"
    assert screen.figures["net"].text() == "+24.65"
    assert screen.figures["holding"].text() == "7m"
    assert "color" in screen.figures["net"].styleSheet()
    assert screen.executions.rowCount() == 2
    assert screen.executions.item(0, 1).text() == "Buy"
    assert not screen.dirty


def test_an_average_exit_reads_rounded_with_the_exact_value_on_hover(
    qtbot: QtBot, tasks: VaultTasks, screen: TradeDetailScreen
) -> None:
    """Sell 3 at 10, 10 and 10.01: the exit averages 10.003333...; the figure reads 10.0033
    and the tooltip gives the stored value, for reconciling with a statement."""
    trade_id = make_trade(
        qtbot,
        tasks,
        execution(Side.BUY, "3", "9.50", 0),
        execution(Side.SELL, "1", "10", 1),
        execution(Side.SELL, "1", "10", 2),
        execution(Side.SELL, "1", "10.01", 3),
    )
    open_trade(qtbot, screen, trade_id)
    assert screen.figures["exit"].text() == "10.0033"
    assert screen.figures["exit"].toolTip().startswith("Exact average: 10.00333333")
    assert screen.figures["entry"].text() == "9.5"
    assert screen.figures["entry"].toolTip() == ""


def test_notes_are_saved_and_never_in_the_file_in_plain_text(
    qtbot: QtBot, tasks: VaultTasks, screen: TradeDetailScreen, ui_paths: VaultPaths
) -> None:
    trade_id = make_trade(qtbot, tasks)
    open_trade(qtbot, screen, trade_id)
    word = "Zebracorn" + uuid.uuid4().hex[:8]
    notes = f"# Review\n\nWaited for the *{word}* pullback.\n\n- entry late\n"
    screen.notes.editor.setPlainText(notes)
    assert screen.dirty and screen.save_button.isEnabled()
    screen.save_button.click()
    qtbot.waitUntil(lambda: not screen.dirty, timeout=10_000)
    wait_idle(qtbot, tasks)
    assert reload_detail(qtbot, tasks, trade_id).trade.notes == notes
    tasks.run(lambda v: v.db.execute("PRAGMA wal_checkpoint(TRUNCATE)"))
    wait_idle(qtbot, tasks)
    assert word.encode() not in vault_bytes(ui_paths.data_dir)
    assert word.encode("utf-16-le") not in vault_bytes(ui_paths.data_dir)


def test_tags_setup_mistakes_and_rating_are_saved_with_ctrl_s(
    qtbot: QtBot, tasks: VaultTasks, screen: TradeDetailScreen
) -> None:
    trade_id = make_trade(qtbot, tasks)
    open_trade(qtbot, screen, trade_id)
    screen.tags.setText("gap, Momentum")
    screen.setup.setEditText("opening drive")
    screen.mistakes.setText("late entry")
    screen.rating.set_value(4)
    screen.activateWindow()
    qtbot.waitUntil(screen.isActiveWindow)
    screen.tags.setFocus()
    qtbot.keyClick(screen.tags, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not screen.dirty, timeout=10_000)
    wait_idle(qtbot, tasks)
    detail = reload_detail(qtbot, tasks, trade_id)
    assert detail.tag_names == ("gap", "Momentum")
    assert detail.trade.setup == "opening drive"
    assert detail.trade.mistakes == ("late entry",)
    assert detail.trade.rating == 4
    # The reload after the save shows what is stored, and offers the new tag for completion.
    qtbot.waitUntil(lambda: screen.tags.text() == "gap, Momentum", timeout=10_000)
    assert screen.rating.value() == 4
    qtbot.waitUntil(lambda: screen.setup.findText("opening drive") >= 0, timeout=10_000)
    assert screen.setup.currentText() == "opening drive"
    words = screen.tags.completer().model().stringList()  # type: ignore[attr-defined]
    assert set(words) == {"gap", "Momentum"}
    assert not screen.dirty  # refreshing the completion lists is not an edit


def test_r_is_recomputed_as_the_stop_or_risk_is_typed(
    qtbot: QtBot, tasks: VaultTasks, screen: TradeDetailScreen
) -> None:
    trade_id = make_trade(qtbot, tasks)
    open_trade(qtbot, screen, trade_id)
    assert screen.r_label.text() == "—"
    qtbot.keyClicks(screen.stop, "9.85")
    # Risk: |10.10 - 9.85| x 100 = 25.00; net 24.65 -> 0.986 R.
    assert screen.r_label.text() == "+0.99 R   (risk 25.00)"
    qtbot.keyClicks(screen.risk, "12.325")
    assert screen.r_label.text() == "+2.00 R   (risk 12.32)"  # 12.325, shown half-even
    screen.risk.setText("abc")
    assert "number" in screen.r_label.text()
    screen.risk.clear()
    screen.save()
    qtbot.waitUntil(lambda: not screen.dirty, timeout=10_000)
    stored = reload_detail(qtbot, tasks, trade_id).trade
    assert stored.stop_price == Decimal("9.85")
    assert stored.initial_risk == Decimal("25.00")
    # Shown as derived from the stop, so a new stop recomputes it.
    qtbot.waitUntil(lambda: screen.stop.text() == "9.85", timeout=10_000)
    assert screen.risk.text() == ""
    assert screen.risk.placeholderText() == "from the stop: 25.00"
    screen.stop.setText("9.60")
    assert screen.r_label.text() == "+0.49 R   (risk 50.00)"


def test_pasting_an_image_on_the_screen_adds_a_screenshot(
    qtbot: QtBot, tasks: VaultTasks, screen: TradeDetailScreen
) -> None:
    trade_id = make_trade(qtbot, tasks)
    open_trade(qtbot, screen, trade_id)
    QApplication.clipboard().setImage(red_image(300, 200))
    screen.activateWindow()
    qtbot.waitUntil(screen.isActiveWindow)
    screen.executions.setFocus()
    qtbot.keyClick(screen.executions, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: screen.screenshots.count() == 1, timeout=10_000)
    stored = run_sync(qtbot, tasks, lambda v: trade_attachments.screenshots(v, trade_id))
    assert [a.media_type for a in stored] == ["image/png"]  # type: ignore[attr-defined]


def test_manual_trade_entry_creates_a_trade_with_exact_pnl(
    qtbot: QtBot, tasks: VaultTasks, screen: TradeDetailScreen
) -> None:
    screen.show_trade(None)
    wait_idle(qtbot, tasks)
    form = screen.new_form
    assert screen.pages.currentWidget() is form
    form.account.setEditText("Swing")
    form.symbol.setText("msft")
    form.rows.item(0, 1).setText("30")
    form.rows.item(0, 2).setText("410.12")
    form.rows.item(0, 4).setText("1.05")
    form.rows.item(1, 1).setText("30")
    form.rows.item(1, 2).setText("412.47")
    form.rows.item(1, 5).setText("0.02")
    form.create_button.click()
    wait_idle(qtbot, tasks)
    assert form.error.text() == ""
    qtbot.waitUntil(lambda: screen.detail is not None, timeout=10_000)
    wait_idle(qtbot, tasks)
    assert screen.pages.currentIndex() == 0
    trade = screen.detail.trade  # type: ignore[union-attr]
    assert trade.gross_pnl == Decimal("70.50")  # 30 x 2.35
    assert trade.fees == Decimal("1.07")
    assert trade.net_pnl == Decimal("69.43")
    assert screen.figures["net"].text() == "+69.43"
    assert screen.figures["account"].text() == "Swing"
    assert screen.heading.text().startswith("MSFT")


def test_manual_entry_with_a_bad_number_says_why_and_stores_nothing(
    qtbot: QtBot, tasks: VaultTasks, screen: TradeDetailScreen
) -> None:
    screen.show_trade(None)
    wait_idle(qtbot, tasks)
    form = screen.new_form
    form.symbol.setText("AAPL")
    form.rows.item(0, 1).setText("ten")
    form.rows.item(0, 2).setText("1")
    form.create_button.click()
    assert "number" in form.error.text()
    wait_idle(qtbot, tasks)
    assert run_sync(qtbot, tasks, lambda v: v.executions.count()) == 0


def test_editing_and_deleting_an_execution_updates_the_figures(
    qtbot: QtBot, tasks: VaultTasks, screen: TradeDetailScreen
) -> None:
    trade_id = make_trade(qtbot, tasks)
    open_trade(qtbot, screen, trade_id)
    screen.notes.editor.setPlainText("unsaved thought")
    exit_fill = screen.detail.fills[1].execution  # type: ignore[union-attr]
    screen.edit_execution(exit_fill.id, execution(Side.SELL, "100", "10.60", 9))
    qtbot.waitUntil(lambda: screen.figures["net"].text() == "+49.65", timeout=10_000)
    assert screen.notes.text() == "unsaved thought"  # the unsaved form survived the reload
    assert screen.dirty
    screen.delete_execution(exit_fill.id)
    qtbot.waitUntil(lambda: screen.figures["status"].text() == "Open", timeout=10_000)
    assert screen.executions.rowCount() == 1
    assert not screen.split_button.isEnabled()  # an open trade cannot be split
    assert screen.merge_button.isEnabled()


def test_split_through_the_dialog(
    qtbot: QtBot, tasks: VaultTasks, screen: TradeDetailScreen
) -> None:
    trade_id = make_trade(
        qtbot,
        tasks,
        execution(Side.BUY, "100", "10", 0, fees="1.00"),
        execution(Side.BUY, "100", "11", 1),
        execution(Side.SELL, "100", "12", 2),
        execution(Side.SELL, "100", "13", 3, fees="1.01"),
    )
    open_trade(qtbot, screen, trade_id)
    assert screen.figures["gross"].text() == "+400.00"
    screen.open_split()
    dialog = screen.split_dialog
    ok = dialog.buttons.buttons()[0]
    dialog.set_checked(1, True)
    assert "must balance" in dialog.balance.text()
    dialog.set_checked(3, True)
    assert "balanced" in dialog.balance.text()
    dialog.accept()
    qtbot.waitUntil(lambda: screen.figures["gross"].text() == "+200.00", timeout=10_000)
    trades = run_sync(qtbot, tasks, lambda v: v.trades.list_all())
    assert sorted(t.gross_pnl for t in trades) == [Decimal(200), Decimal(200)]  # type: ignore[attr-defined]
    assert sum(t.net_pnl for t in trades) == Decimal("397.99")  # type: ignore[attr-defined]
    assert ok is not None


def test_merge_through_the_dialog(
    qtbot: QtBot, tasks: VaultTasks, screen: TradeDetailScreen
) -> None:
    first = make_trade(
        qtbot, tasks, execution(Side.BUY, "10", "10", 0), execution(Side.SELL, "10", "11", 1)
    )
    make_trade(
        qtbot, tasks, execution(Side.BUY, "10", "10", 5), execution(Side.SELL, "10", "9.5", 6)
    )
    open_trade(qtbot, screen, first)
    screen.open_merge()
    qtbot.waitUntil(lambda: hasattr(screen, "merge_dialog"), timeout=10_000)
    dialog = screen.merge_dialog
    assert dialog.list.count() == 1
    dialog.set_checked(0, True)
    dialog.accept()
    qtbot.waitUntil(lambda: screen.executions.rowCount() == 4, timeout=10_000)
    assert screen.figures["gross"].text() == "+5.00"
    trades = run_sync(qtbot, tasks, lambda v: v.trades.list_all())
    assert [t.id for t in trades] == [first]  # type: ignore[attr-defined]


def test_leaving_with_unsaved_changes_asks_first(
    qtbot: QtBot, tasks: VaultTasks, screen: TradeDetailScreen, monkeypatch: pytest.MonkeyPatch
) -> None:
    trade_id = make_trade(qtbot, tasks)
    open_trade(qtbot, screen, trade_id)
    closed: list[bool] = []
    screen.closed.connect(lambda: closed.append(True))
    screen.notes.editor.setPlainText("draft")
    monkeypatch.setattr(screen, "ask_unsaved", lambda: "cancel")
    screen.back_button.click()
    assert closed == [] and screen.dirty
    monkeypatch.setattr(screen, "ask_unsaved", lambda: "save")
    screen.request_close()
    qtbot.waitUntil(lambda: closed == [True], timeout=10_000)
    assert reload_detail(qtbot, tasks, trade_id).trade.notes == "draft"
    screen.notes.editor.setPlainText("not a number either way")
    screen.risk.setText("lots")
    monkeypatch.setattr(screen, "ask_unsaved", lambda: "save")
    assert not screen.confirm_leave()  # the risk cannot be read: stay, and say why
    assert "number" in screen.message.text()
    screen.risk.clear()
    screen.notes.editor.setPlainText("thrown away")
    monkeypatch.setattr(screen, "ask_unsaved", lambda: "discard")
    screen.request_close()
    assert closed == [True, True]
    wait_idle(qtbot, tasks)
    assert reload_detail(qtbot, tasks, trade_id).trade.notes == "draft"


def test_a_half_typed_manual_trade_is_not_thrown_away_unasked(
    qtbot: QtBot, tasks: VaultTasks, screen: TradeDetailScreen, monkeypatch: pytest.MonkeyPatch
) -> None:
    screen.show_trade(None)
    wait_idle(qtbot, tasks)
    form = screen.new_form
    assert not form.has_input()
    assert screen.confirm_leave()  # an untouched form goes without a question
    form.symbol.setText("NVDA")
    form.rows.item(0, 1).setText("40")
    assert form.has_input()
    closed: list[bool] = []
    screen.closed.connect(lambda: closed.append(True))
    asked: list[str] = []

    def answer(choice: str):  # type: ignore[no-untyped-def]
        return lambda: asked.append(choice) or choice

    monkeypatch.setattr(screen, "ask_discard_new", answer("cancel"))
    qtbot.keyClick(form.symbol, Qt.Key.Key_Escape)
    assert closed == [] and asked == ["cancel"]
    assert form.symbol.text() == "NVDA"
    # Ctrl+N again while the form is showing keeps what is typed.
    screen.show_trade(None)
    wait_idle(qtbot, tasks)
    assert screen.pages.currentWidget() is form
    assert form.symbol.text() == "NVDA" and form.rows.item(0, 1).text() == "40"

    monkeypatch.setattr(screen, "ask_discard_new", answer("discard"))
    screen.request_close()
    assert closed == [True] and asked == ["cancel", "discard"]
    assert not form.has_input()

    # The form's own Cancel button is the trader's choice: no question, and the next new
    # trade starts empty.
    screen.show_trade(None)
    wait_idle(qtbot, tasks)
    form.symbol.setText("AMD")
    cancel = next(b for b in form.findChildren(QPushButton) if b.text() == "Cancel")
    cancel.click()
    assert closed == [True, True] and asked == ["cancel", "discard"]
    screen.show_trade(None)
    wait_idle(qtbot, tasks)
    assert form.symbol.text() == ""


def test_ctrl_s_leaves_the_cursor_where_the_trader_is_typing(
    qtbot: QtBot, tasks: VaultTasks, screen: TradeDetailScreen
) -> None:
    """Saving reloads the trade; what was just saved is not put back into the fields, so
    typing carries on where it was (it went to the start of the notes)."""
    trade_id = make_trade(qtbot, tasks)
    open_trade(qtbot, screen, trade_id)
    screen.activateWindow()
    qtbot.waitUntil(screen.isActiveWindow)
    editor = screen.notes.editor
    editor.setFocus()
    qtbot.keyClicks(editor, "Entered on the retest.")
    with qtbot.waitSignal(screen.tasks.changes_applied, timeout=10_000):
        qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, tasks)
    assert not screen.dirty
    assert editor.textCursor().position() == len("Entered on the retest.")
    qtbot.keyClicks(editor, " Held to target.")
    assert screen.notes.text() == "Entered on the retest. Held to target."
    screen.tags.setFocus()
    qtbot.keyClicks(screen.tags, "retest, a+")
    screen.tags.setCursorPosition(3)
    qtbot.keyClick(screen.tags, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not screen.dirty, timeout=10_000)
    wait_idle(qtbot, tasks)
    assert screen.tags.cursorPosition() == 3
    assert reload_detail(qtbot, tasks, trade_id).trade.notes == screen.notes.text()


def test_enter_on_an_execution_opens_it_for_editing(
    qtbot: QtBot, tasks: VaultTasks, screen: TradeDetailScreen
) -> None:
    trade_id = make_trade(qtbot, tasks)
    open_trade(qtbot, screen, trade_id)
    screen.executions.setFocus()
    screen.executions.selectRow(1)
    qtbot.keyClick(screen.executions, Qt.Key.Key_Return)
    dialog = screen.findChild(ExecutionDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.price.text() == "10.35"  # the sell, the row the keyboard is on
    dialog.reject()


def test_gains_and_losses_take_the_new_theme_colours_at_once(
    qtbot: QtBot, tasks: VaultTasks, screen: TradeDetailScreen
) -> None:
    """Switching light/dark recolours the figures and executions shown, not only the next
    trade opened (the light theme's green on the dark background was hard to read)."""
    trade_id = make_trade(qtbot, tasks)
    open_trade(qtbot, screen, trade_id)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    manager = ThemeManager(app)
    try:
        for mode, colors in (("dark", DARK_COLORS), ("light", LIGHT_COLORS)):
            manager.set_mode(mode)
            qtbot.wait(10)  # the palette change reaches the widgets through the event loop
            assert colors.gain.name() in screen.figures["net"].styleSheet(), mode
            buy = screen.executions.item(0, 1)
            assert buy is not None and buy.foreground().color() == colors.gain, mode
    finally:
        manager.set_mode("system")


def test_escape_goes_back(qtbot: QtBot, tasks: VaultTasks, screen: TradeDetailScreen) -> None:
    trade_id = make_trade(qtbot, tasks)
    open_trade(qtbot, screen, trade_id)
    screen.activateWindow()
    qtbot.waitUntil(screen.isActiveWindow)
    screen.executions.setFocus()
    with qtbot.waitSignal(screen.closed, timeout=2000):
        qtbot.keyClick(screen.executions, Qt.Key.Key_Escape)


def test_a_trade_that_vanished_says_so(
    qtbot: QtBot, tasks: VaultTasks, screen: TradeDetailScreen
) -> None:
    screen.show_trade(uuid.uuid4())
    qtbot.waitUntil(lambda: "no longer exists" in screen.message.text(), timeout=10_000)
    assert not screen.save_button.isEnabled()
    assert screen.detail is None
    assert TradeStatus.CLOSED  # the enum is importable for the other tests' figures


def test_adding_an_execution_through_its_dialog(
    qtbot: QtBot, tasks: VaultTasks, screen: TradeDetailScreen
) -> None:
    trade_id = make_trade(qtbot, tasks)
    open_trade(qtbot, screen, trade_id)
    screen.open_add_execution()
    dialog = screen.findChild(ExecutionDialog)
    assert dialog is not None
    dialog.side.setCurrentIndex(0)
    dialog.quantity.setText("abc")
    dialog.accept()
    assert "number" in dialog.error.text() and dialog.isVisible()
    dialog.quantity.setText("50")
    dialog.price.setText("10.20")
    dialog.time.setDateTime(to_local(T0 + timedelta(minutes=3)))
    dialog.commission.setText("0.10")
    dialog.accept()
    qtbot.waitUntil(lambda: screen.executions.rowCount() == 3, timeout=10_000)
    # Bought 100 @ 10.10 and 50 @ 10.20, sold 100 @ 10.35: 50 shares still open.
    assert screen.figures["status"].text() == "Open"
    assert screen.figures["fees"].text() == "0.45"


def test_reopening_the_same_trade_keeps_unsaved_typing(
    qtbot: QtBot, tasks: VaultTasks, screen: TradeDetailScreen
) -> None:
    trade_id = make_trade(qtbot, tasks)
    open_trade(qtbot, screen, trade_id)
    screen.notes.editor.setPlainText("half a thought")
    assert screen.dirty
    screen.show_trade(trade_id)  # e.g. the same row double-clicked again
    wait_idle(qtbot, tasks)
    assert screen.notes.editor.toPlainText() == "half a thought"
    assert screen.dirty
