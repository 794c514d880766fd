"""Entering an option trade by hand on the trade detail screen: the form asks for the
contract's terms, and the trade is stored under the same contract an import would use."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from PySide6.QtCore import QDate
from pytestqt.qtbot import QtBot

from journal_desktop.domain.records import AssetClass, Side
from journal_desktop.ui.tasks import VaultTasks
from journal_desktop.ui.trade_detail import TradeDetailScreen
from journal_desktop.ui.trade_detail_executions import ExecutionDialog
from tests.ui.conftest import run_sync, wait_idle


@pytest.fixture
def screen(qtbot: QtBot, tasks: VaultTasks) -> TradeDetailScreen:
    widget = TradeDetailScreen(tasks)
    qtbot.addWidget(widget)
    widget.resize(1100, 900)
    widget.show()
    qtbot.waitExposed(widget)
    widget.show_trade(None)
    wait_idle(qtbot, tasks)
    return widget


def choose_option(screen: TradeDetailScreen) -> None:
    form = screen.new_form
    form.asset_class.setCurrentIndex(form.asset_class.findData(AssetClass.OPTION))


def test_option_terms_show_only_for_options(screen: TradeDetailScreen) -> None:
    form = screen.new_form
    assert not form.strike.isVisible()
    choose_option(screen)
    assert form.strike.isVisible() and form.expiry.isVisible() and form.option_right.isVisible()
    form.asset_class.setCurrentIndex(form.asset_class.findData(AssetClass.STOCK))
    assert not form.strike.isVisible()


def test_an_option_trade_is_entered_with_its_terms(
    qtbot: QtBot, tasks: VaultTasks, screen: TradeDetailScreen
) -> None:
    """Buy 2 @ 3.10 and sell 2 @ 4.25 of the AAPL 20 Mar 2026 200 call, 1.30 commission each:
    gross 1.15 x 2 x 100 = 230.00, fees 2.60, net 227.40."""
    form = screen.new_form
    choose_option(screen)
    form.symbol.setText("aapl")
    form.expiry.setDate(QDate(2026, 3, 20))
    form.strike.setText("200.00")
    form.option_right.setCurrentIndex(form.option_right.findData("C"))
    for row, price in ((0, "3.10"), (1, "4.25")):
        form.rows.item(row, 1).setText("2")
        form.rows.item(row, 2).setText(price)
        form.rows.item(row, 4).setText("1.30")
    form.create_button.click()
    wait_idle(qtbot, tasks)
    assert form.error.text() == ""
    qtbot.waitUntil(lambda: screen.detail is not None, timeout=10_000)
    wait_idle(qtbot, tasks)
    detail = screen.detail
    assert detail is not None
    assert detail.trade.net_pnl == Decimal("227.40")
    assert detail.instrument.symbol == "AAPL  260320C00200000"
    assert detail.instrument.expiry == date(2026, 3, 20)
    assert detail.instrument.strike == Decimal(200)
    assert detail.instrument.multiplier == Decimal(100)
    assert screen.heading.text() == "AAPL 20 Mar 2026 200 Call · Long · Closed"


def test_a_typed_option_symbol_is_read_whole(
    qtbot: QtBot, tasks: VaultTasks, screen: TradeDetailScreen
) -> None:
    form = screen.new_form
    choose_option(screen)
    form.symbol.setText("SPY 260116P450")
    instrument = form.read_instrument()
    assert instrument.symbol == "SPY   260116P00450000"
    assert (instrument.underlying, instrument.expiry, instrument.strike) == (
        "SPY",
        date(2026, 1, 16),
        Decimal(450),
    )
    assert instrument.option_right == "P"


def test_an_option_without_a_strike_says_so_and_stores_nothing(
    qtbot: QtBot, tasks: VaultTasks, screen: TradeDetailScreen
) -> None:
    form = screen.new_form
    choose_option(screen)
    form.symbol.setText("AAPL")
    form.rows.item(0, 1).setText("1")
    form.rows.item(0, 2).setText("3")
    form.create_button.click()
    assert "strike" in form.error.text()
    wait_idle(qtbot, tasks)
    assert run_sync(qtbot, tasks, lambda v: v.executions.count()) == 0


def test_an_execution_added_to_an_option_trade_stays_on_its_contract(
    qtbot: QtBot, tasks: VaultTasks, screen: TradeDetailScreen
) -> None:
    """Long 1 of the SPY 16 Jan 2026 450 put at 5; add a sale of 1 at 6.5: gross 150.00."""
    form = screen.new_form
    choose_option(screen)
    form.symbol.setText("SPY 260116P450")
    form.rows.item(0, 1).setText("1")
    form.rows.item(0, 2).setText("5")
    form.rows.removeRow(1)
    form.create_button.click()
    qtbot.waitUntil(lambda: screen.detail is not None, timeout=10_000)
    wait_idle(qtbot, tasks)
    screen.open_add_execution()
    dialog = screen.findChild(ExecutionDialog)
    assert dialog is not None
    dialog.side.setCurrentIndex(dialog.side.findData(Side.SELL))
    dialog.quantity.setText("1")
    dialog.price.setText("6.5")
    dialog.time.setDateTime(dialog.time.dateTime().addSecs(3600))
    dialog.accept()
    qtbot.waitUntil(
        lambda: screen.detail is not None and screen.detail.trade.gross_pnl == Decimal("150.00"),
        timeout=10_000,
    )
    assert run_sync(qtbot, tasks, lambda v: v.instruments.count()) == 1
