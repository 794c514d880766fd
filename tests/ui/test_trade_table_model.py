"""The lazy trade model over a real vault: counts, pages on the worker, sort, filter, LRU."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from journal_desktop.domain.records import TradeDirection
from journal_desktop.storage import trade_list
from journal_desktop.storage.trade_list import SortKey, TradeListFilter
from journal_desktop.ui import trade_table_model as ttm
from journal_desktop.ui.tasks import VaultTasks
from journal_desktop.ui.trade_table_model import (
    PLACEHOLDER,
    LoadedRole,
    SortRole,
    TradeIdRole,
    TradeTableModel,
    column_of,
)
from tests.storage.trade_factory import TradeSet, add_trades
from tests.ui.conftest import run_sync, wait_idle

COUNT = 2_000
NOTES = {1234: "Textbook flag, but I sized up after the quokka comment in chat."}
NET = column_of(SortKey.NET)


@pytest.fixture
def data(qtbot: QtBot, tasks: VaultTasks) -> TradeSet:
    result: TradeSet = run_sync(qtbot, tasks, lambda v: add_trades(v, COUNT, NOTES), 60_000)
    return result


@pytest.fixture
def model(qtbot: QtBot, tasks: VaultTasks, data: TradeSet) -> TradeTableModel:
    model = TradeTableModel(tasks)
    with qtbot.waitSignal(model.reloaded, timeout=20_000):
        model.reload()
    return model


def trade_number(data: TradeSet, model: TradeTableModel, row: int) -> int:
    trade_id = model.index(row, 0).data(TradeIdRole)
    return next(i for i, t in enumerate(data.trades) if t.id == trade_id)


def test_the_count_comes_from_the_vault_and_the_first_page_with_it(
    model: TradeTableModel, data: TradeSet
) -> None:
    assert model.rowCount() == COUNT
    assert model.columnCount() == len(ttm.COLUMNS)
    assert model.index(0, 0).data(LoadedRole)
    assert trade_number(data, model, 0) == COUNT - 1  # newest open first
    assert model.headerData(NET, Qt.Orientation.Horizontal) == "Net P&L"


def test_a_far_row_shows_a_placeholder_then_its_page_from_the_worker(
    qtbot: QtBot, model: TradeTableModel, data: TradeSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[int] = []
    page = trade_list.TradeListQuery.raw_page

    def spy(self, offset, limit):  # type: ignore[no-untyped-def]
        threads.append(threading.get_ident())
        return page(self, offset, limit)

    monkeypatch.setattr(trade_list.TradeListQuery, "raw_page", spy)
    index = model.index(1_500, NET)
    assert index.data() == PLACEHOLDER
    assert index.data(TradeIdRole) is None
    with qtbot.waitSignal(model.dataChanged, timeout=10_000) as changed:
        pass
    first, last = changed.args[0], changed.args[1]
    assert first.row() <= 1_500 <= last.row()
    expected = data.trades[COUNT - 1 - 1_500]
    assert index.data(TradeIdRole) == expected.id
    assert index.data(SortRole) == expected.net_pnl
    assert index.data() == ttm.money(expected.net_pnl, signed=True)
    assert threads and threading.get_ident() not in threads


def test_sorting_by_net_pnl_puts_the_largest_first(
    qtbot: QtBot, model: TradeTableModel, data: TradeSet
) -> None:
    with qtbot.waitSignal(model.reloaded, timeout=20_000):
        model.sort(NET, Qt.SortOrder.DescendingOrder)
    best = max(data.trades, key=lambda t: t.net_pnl)
    assert model.index(0, 0).data(TradeIdRole) == best.id
    cell = model.index(0, NET)
    assert cell.data() == "+" + ttm.money(best.net_pnl)
    gain, loss = ttm.gain_loss_colors()
    assert cell.data(Qt.ItemDataRole.ForegroundRole) == gain
    assert cell.data(Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    with qtbot.waitSignal(model.reloaded, timeout=20_000):
        model.sort(NET, Qt.SortOrder.AscendingOrder)
    worst = min(data.trades, key=lambda t: t.net_pnl)
    assert model.index(0, 0).data(TradeIdRole) == worst.id
    assert model.index(0, NET).data(Qt.ItemDataRole.ForegroundRole) == loss


def test_filters_and_search_narrow_the_count(
    qtbot: QtBot, model: TradeTableModel, data: TradeSet
) -> None:
    with qtbot.waitSignal(model.reloaded, timeout=20_000):
        model.set_filter(TradeListFilter(direction=TradeDirection.LONG))
    assert model.rowCount() == COUNT // 2
    with qtbot.waitSignal(model.summary_changed, timeout=20_000) as signal:
        model.set_filter(TradeListFilter(search="quokka"))
    assert model.rowCount() == 1
    assert model.index(0, 0).data(TradeIdRole) == data.trades[1234].id
    assert signal.args[0].count == 1
    assert signal.args[0].net_pnl == data.trades[1234].net_pnl


def test_page_requests_are_coalesced_and_memory_stays_bounded(
    qtbot: QtBot, tasks: VaultTasks, data: TradeSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ttm, "PAGE_SIZE", 20)  # 100 pages of 20 rows
    monkeypatch.setattr(ttm, "MAX_PAGES", 5)
    model = TradeTableModel(tasks)
    with qtbot.waitSignal(model.reloaded, timeout=20_000):
        model.reload()
    read: list[int] = []
    page = trade_list.TradeListQuery.raw_page

    def spy(self, offset, limit):  # type: ignore[no-untyped-def]
        read.append(offset // 20)
        return page(self, offset, limit)

    monkeypatch.setattr(trade_list.TradeListQuery, "raw_page", spy)
    # A fast drag over the whole list: the view asks for a row on every page in one go.
    for p in range(1, 100):
        assert model.index(p * 20, 0).data() == PLACEHOLDER
    wait_idle(qtbot, tasks)
    qtbot.waitUntil(lambda: model.index(99 * 20, 0).data(LoadedRole), timeout=10_000)
    # Only the most recently wanted pages were read; the ones scrolled past were dropped.
    assert sorted(read) == [97, 98, 99]
    for p in range(30, 40):
        qtbot.waitUntil(lambda p=p: model.index(p * 20, 0).data(LoadedRole), timeout=10_000)
    assert len(model.cached_pages()) <= 5
    assert model.cached_pages()[-1] == 39
    assert model.index(39 * 20, 0).data(TradeIdRole) == data.trades[COUNT - 1 - 39 * 20].id
