"""The trades screen over a real vault: count and net, filters, search, bulk tags, opening."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QItemSelection, QItemSelectionModel, QSettings, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from journal_desktop.domain.records import TradeDirection
from journal_desktop.storage.tagging import TaggingResult
from journal_desktop.ui.formatting import money
from journal_desktop.ui.screen import Screen
from journal_desktop.ui.tasks import VaultTasks
from journal_desktop.ui.trade_table_model import TradeIdRole
from journal_desktop.ui.trades_screen import TradesScreen
from tests.storage.trade_factory import TradeSet, add_trades
from tests.ui.conftest import run_sync, wait_idle

COUNT = 2_000
NOTES = {321: "Faded the gap; the wallaby setup again."}


@pytest.fixture
def data(qtbot: QtBot, tasks: VaultTasks) -> TradeSet:
    result: TradeSet = run_sync(qtbot, tasks, lambda v: add_trades(v, COUNT, NOTES), 60_000)
    return result


@pytest.fixture
def screen(qtbot: QtBot, tasks: VaultTasks, data: TradeSet) -> TradesScreen:
    screen = TradesScreen(tasks)
    qtbot.addWidget(screen)
    screen.resize(1200, 700)
    with qtbot.waitSignal(screen.model.summary_changed, timeout=20_000):
        screen.show()
    wait_idle(qtbot, tasks)
    return screen


def ids_of(screen: TradesScreen, rows: list[int]) -> list[uuid.UUID]:
    return [screen.model.index(r, 0).data(TradeIdRole) for r in rows]


def select(screen: TradesScreen, rows: list[int]) -> None:
    selection = screen.view.selectionModel()
    selection.clearSelection()
    for row in rows:
        selection.select(
            screen.model.index(row, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )


def test_is_a_screen_with_the_agreed_identity(screen: TradesScreen) -> None:
    assert isinstance(screen, Screen)
    assert (screen.title, screen.icon_name) == ("Trades", "trades")
    assert {"trades", "executions", "tags", "imports", "accounts"} <= screen.depends_on


def test_the_count_label_gives_count_and_exact_net(screen: TradesScreen, data: TradeSet) -> None:
    net = sum(t.net_pnl for t in data.trades)
    assert screen.model.rowCount() == COUNT
    assert screen.count_label.text() == f"2,000 trades, net {money(net, signed=True)}"


def test_filters_narrow_the_count(qtbot: QtBot, screen: TradesScreen, data: TradeSet) -> None:
    with qtbot.waitSignal(screen.model.summary_changed, timeout=20_000):
        screen.filters.select_side(TradeDirection.LONG)
    assert screen.model.rowCount() == COUNT // 2
    assert screen.count_label.text().startswith("1,000 trades, net ")
    with qtbot.waitSignal(screen.model.summary_changed, timeout=20_000):
        screen.filters.select_result("Open")
    assert screen.model.rowCount() == 0 or screen.model.rowCount() == COUNT // 50 // 2
    with qtbot.waitSignal(screen.model.reloaded, timeout=20_000):
        screen.filters.symbol_edit.setText("msf")
    assert screen.model.rowCount() == 0  # MSFT trades are odd-numbered: all short
    assert screen.count_label.text() == "No trades match."


def test_search_finds_a_trade_by_a_word_in_its_notes(
    qtbot: QtBot, screen: TradesScreen, data: TradeSet
) -> None:
    screen.focus_search()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is screen.filters.search_edit)
    qtbot.keyClicks(screen.filters.search_edit, "walla")
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1, timeout=10_000)
    assert screen.model.index(0, 0).data(TradeIdRole) == data.trades[321].id
    qtbot.waitUntil(lambda: screen.count_label.text().startswith("1 trade, net "))


def test_bulk_tagging_three_selected_rows_tags_exactly_those(
    qtbot: QtBot, tasks: VaultTasks, screen: TradesScreen, data: TradeSet
) -> None:
    rows = [0, 2, 5]
    chosen = ids_of(screen, rows)
    select(screen, rows)
    assert screen.tag_button.isEnabled()
    with qtbot.waitSignal(screen.tagging_done, timeout=20_000) as done:
        screen.tag_selected("Scalp")
    result: TaggingResult = done.args[0]
    assert (result.changed, result.created_tag) == (3, True)
    assert screen.status_label.text() == "Tagged 3 trades “Scalp”."
    wait_idle(qtbot, tasks)
    tagged = run_sync(
        qtbot, tasks, lambda v: {t.id for t in v.trades.with_tag(v.tags.by_name("Scalp").id)}
    )
    assert tagged == set(chosen)
    # The list reloaded (tags column) and the same trades are selected again.
    qtbot.waitUntil(lambda: len(screen.selected_rows()) == 3, timeout=10_000)
    assert set(ids_of(screen, screen.selected_rows())) == set(chosen)
    assert screen.model.index(0, 10).data() == "Scalp"
    # The tag filter offers the new tag and narrows the list to those three.
    qtbot.waitUntil(lambda: screen.filters.tag_combo.findText("Scalp") > 0, timeout=10_000)
    with qtbot.waitSignal(screen.model.reloaded, timeout=20_000):
        screen.filters.tag_combo.setCurrentIndex(screen.filters.tag_combo.findText("Scalp"))
    assert screen.model.rowCount() == 3
    select(screen, [1])
    with qtbot.waitSignal(screen.tagging_done, timeout=20_000) as undone:
        screen.untag_selected("scalp")
    assert undone.args[0].changed == 1
    qtbot.waitUntil(lambda: screen.model.rowCount() == 2, timeout=10_000)


def test_a_selection_over_pages_never_loaded_is_tagged_in_full(
    qtbot: QtBot, tasks: VaultTasks, screen: TradesScreen, data: TradeSet
) -> None:
    selection = screen.view.selectionModel()
    top, bottom = screen.model.index(400, 0), screen.model.index(1_299, 0)
    selection.select(
        QItemSelection(top, bottom),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    assert 2 not in screen.model.cached_pages()  # rows 1,000-1,299 were never read
    with qtbot.waitSignal(screen.tagging_done, timeout=60_000) as done:
        screen.tag_selected("Batch")
    assert done.args[0].changed == 900
    expected = {data.trades[COUNT - 1 - row].id for row in range(400, 1_300)}
    tagged = run_sync(
        qtbot, tasks, lambda v: {t.id for t in v.trades.with_tag(v.tags.by_name("Batch").id)}
    )
    assert tagged == expected


def test_double_click_and_enter_open_the_trade(
    qtbot: QtBot, screen: TradesScreen, data: TradeSet
) -> None:
    index = screen.model.index(3, 3)
    rect = screen.view.visualRect(index)
    viewport = screen.view.viewport()
    with qtbot.waitSignal(screen.open_trade, timeout=5_000) as opened:
        # A real double-click: Qt opens on the second click of the same cell.
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args == [data.trades[COUNT - 1 - 3].id]
    screen.view.setCurrentIndex(screen.model.index(7, 0))
    with qtbot.waitSignal(screen.open_trade, timeout=5_000) as entered:
        qtbot.keyClick(screen.view, Qt.Key.Key_Return)
    assert entered.args == [data.trades[COUNT - 1 - 7].id]


def test_the_current_row_survives_a_reload_so_enter_and_the_arrows_carry_on(
    qtbot: QtBot, tasks: VaultTasks, screen: TradesScreen, data: TradeSet
) -> None:
    """A reload (a saved note, a lock and unlock) keeps the row the keyboard is on, not only
    its highlight: Enter opens that trade and Down goes to the next, not to the top."""
    screen.view.setFocus()
    screen.view.setCurrentIndex(screen.model.index(40, 2))
    assert screen.selected_rows() == [40]
    with qtbot.waitSignal(screen.model.reloaded, timeout=20_000):
        screen.reload()
    wait_idle(qtbot, tasks)
    assert screen.selected_rows() == [40]
    assert screen.view.currentIndex().row() == 40
    assert screen.view.currentIndex().column() == 2
    with qtbot.waitSignal(screen.open_trade, timeout=5_000) as entered:
        qtbot.keyClick(screen.view, Qt.Key.Key_Return)
    assert entered.args == [data.trades[COUNT - 1 - 40].id]
    qtbot.keyClick(screen.view, Qt.Key.Key_Down)
    assert screen.selected_rows() == [41]


def test_enter_opens_the_selected_trade_when_no_row_is_current(
    qtbot: QtBot, screen: TradesScreen, data: TradeSet
) -> None:
    select(screen, [9])
    assert screen.view.currentIndex().row() == -1
    with qtbot.waitSignal(screen.open_trade, timeout=5_000) as entered:
        qtbot.keyClick(screen.view, Qt.Key.Key_Return)
    assert entered.args == [data.trades[COUNT - 1 - 9].id]


def test_sorting_from_the_header_requeries(
    qtbot: QtBot, screen: TradesScreen, data: TradeSet
) -> None:
    with qtbot.waitSignal(screen.model.reloaded, timeout=20_000):
        screen.view.sortByColumn(8, Qt.SortOrder.DescendingOrder)
    best = max(data.trades, key=lambda t: t.net_pnl)
    assert screen.model.index(0, 0).data(TradeIdRole) == best.id


def test_a_cancelled_bulk_tag_changes_nothing(
    qtbot: QtBot, tasks: VaultTasks, screen: TradesScreen, data: TradeSet
) -> None:
    screen.view.selectAll()
    # The worker is held until cancel has been pressed, so the cancel lands mid-way.
    gate = threading.Event()
    tasks.run(lambda _v: gate.wait(10))
    screen.tag_selected("Everything")
    assert screen.cancel_button.isVisibleTo(screen)
    screen.cancel_button.click()
    gate.set()
    qtbot.waitUntil(lambda: "cancelled" in screen.status_label.text(), timeout=20_000)
    assert not screen.cancel_button.isVisibleTo(screen)
    wait_idle(qtbot, tasks)
    assert run_sync(qtbot, tasks, lambda v: v.tags.by_name("Everything")) is None
    assert run_sync(qtbot, tasks, lambda v: sum(bool(t.tag_ids) for t in v.trades.list_all())) == 0


def test_column_widths_are_remembered(
    qtbot: QtBot, tasks: VaultTasks, data: TradeSet, tmp_path: Path
) -> None:
    app = QCoreApplication.instance()
    assert app is not None
    name, default_format = app.organizationName(), QSettings.defaultFormat()
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    app.setOrganizationName("journal-desktop-tests")
    try:
        first = TradesScreen(tasks)
        qtbot.addWidget(first)
        first.show()
        first.view.setColumnWidth(3, 211)
        first.hide()  # hiding stores the header's state
        second = TradesScreen(tasks)
        qtbot.addWidget(second)
        assert second.view.columnWidth(3) == 211
        wait_idle(qtbot, tasks)
    finally:
        app.setOrganizationName(name)
        QSettings.setDefaultFormat(default_format)
