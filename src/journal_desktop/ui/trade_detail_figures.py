"""The trade detail's figures: a grid of the trade's computed values, P&L in colour."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from journal_desktop.domain.records import TradeStatus
from journal_desktop.storage.trade_editing import TradeDetail
from journal_desktop.ui.formatting import (
    UNDEFINED,
    average_price,
    duration,
    instrument_name,
    local_time,
    money,
    number,
)
from journal_desktop.ui.theme import palette_colors

FIGURES = (
    ("account", "Account"),
    ("side", "Side"),
    ("status", "Status"),
    ("quantity", "Quantity"),
    ("entry", "Entry"),
    ("exit", "Exit"),
    ("opened", "Opened"),
    ("closed", "Closed"),
    ("holding", "Holding time"),
    ("gross", "Gross P&L"),
    ("fees", "Fees"),
    ("net", "Net P&L"),
)


class FiguresGrid(QWidget):
    """Account, side, status, quantity, prices, times, holding time, gross, fees and net."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.figures: dict[str, QLabel] = {}
        self._amounts: dict[str, Decimal] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        for index, (key, label) in enumerate(FIGURES):
            value = QLabel()
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setAccessibleName(label)
            self.figures[key] = value
            row, column = divmod(index, 3)
            grid.addWidget(QLabel(label), row, column * 2)
            grid.addWidget(value, row, column * 2 + 1)

    def heading(self, detail: TradeDetail) -> str:
        """`AAPL · Long · Closed`."""
        trade = detail.trade
        status = "Open" if trade.status is TradeStatus.OPEN else "Closed"
        side = trade.direction.value.capitalize()
        return f"{instrument_name(detail.instrument)} · {side} · {status}"

    def fill(self, detail: TradeDetail) -> None:
        trade = detail.trade
        status = "Open" if trade.status is TradeStatus.OPEN else "Closed"
        values = {
            "account": detail.account.name,
            "side": trade.direction.value.capitalize(),
            "status": status,
            "quantity": number(trade.quantity),
            "entry": average_price(trade.entry_price),
            "exit": average_price(trade.exit_price) or UNDEFINED,
            "opened": local_time(trade.opened_at, seconds=True),
            "closed": local_time(trade.closed_at, seconds=True) or UNDEFINED,
            "holding": duration(detail.holding_time) or UNDEFINED,
            "gross": money(trade.gross_pnl, signed=True),
            "fees": money(trade.fees),
            "net": money(trade.net_pnl, signed=True),
        }
        for key, text in values.items():
            self.figures[key].setText(text)
        # The rounded averages keep their exact value a hover away, for reconciling.
        for key, price in (("entry", trade.entry_price), ("exit", trade.exit_price)):
            exact = number(price)
            shown = self.figures[key].text()
            self.figures[key].setToolTip(f"Exact average: {exact}" if exact != shown else "")
        self._amounts = {"gross": trade.gross_pnl, "net": trade.net_pnl}
        self._recolor()

    def _recolor(self) -> None:
        """Gross and net in the current theme's gain and loss colours."""
        colors = palette_colors()
        for key, amount in self._amounts.items():
            color = colors.gain if amount > 0 else colors.loss if amount < 0 else None
            self.figures[key].setStyleSheet(f"color: {color.name()}" if color else "")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._recolor()  # a light/dark switch: the shown trade follows at once
        super().changeEvent(event)
