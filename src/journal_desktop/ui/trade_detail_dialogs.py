"""Split and merge dialogs of the trade detail screen.

Split: tick the fills that become a new trade (part of an execution may go: change its
quantity). The dialog shows whether the chosen fills buy and sell the same quantity, which a
split needs so both parts are closed round trips; the vault checks it again.
Merge: tick other trades of the same account and instrument; they become one trade.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from journal_desktop.domain.records import Fill, Side, Trade
from journal_desktop.storage.trade_editing import FillDetail
from journal_desktop.ui.formatting import local_time, money, number
from journal_desktop.ui.trade_detail_executions import parse_amount

#: Role of a merge candidate item that holds the trade's id.
TradeIdRole = Qt.ItemDataRole.UserRole


class SplitDialog(QDialog):
    """Choose the fills of the new trade; `chosen_fills()` returns them once accepted."""

    def __init__(self, fills: list[FillDetail], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Split trade")
        self.fills = fills
        intro = QLabel(
            "Tick the fills that form a new trade. Its buys and sells must balance, so both "
            "trades end flat; their P&L adds up to this trade's exactly."
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(len(fills), 4)
        self.table.setTabKeyNavigation(False)  # Tab leaves the list; arrows move in it
        self.table.setHorizontalHeaderLabels(["New trade", "Time", "Side", "Quantity"])
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setAccessibleName("Fills to move to the new trade")
        for row, fill in enumerate(fills):
            check = QTableWidgetItem()
            check.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            check.setCheckState(Qt.CheckState.Unchecked)
            self.table.setItem(row, 0, check)
            for column, text in (
                (1, local_time(fill.execution.executed_at, seconds=True)),
                (2, fill.execution.side.value.capitalize()),
            ):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.table.setItem(row, column, item)
            quantity = QTableWidgetItem(str(fill.quantity))
            quantity.setToolTip(f"At most {number(fill.quantity)} (the fill's part of this trade)")
            self.table.setItem(row, 3, quantity)
        self.balance = QLabel()
        self.balance.setAccessibleName("Balance of the chosen fills")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Split")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.balance)
        layout.addWidget(self.buttons)
        self.table.itemChanged.connect(lambda _item: self._update())
        self.resize(560, 360)
        self._update()

    def set_checked(self, row: int, checked: bool, quantity: str | None = None) -> None:
        item = self.table.item(row, 0)
        assert item is not None
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        if quantity is not None:
            cell = self.table.item(row, 3)
            assert cell is not None
            cell.setText(quantity)

    def chosen_fills(self) -> list[Fill]:
        """The ticked fills with their quantities; ValueError with a sentence when unreadable."""
        chosen = []
        for row, fill in enumerate(self.fills):
            item = self.table.item(row, 0)
            if item is None or item.checkState() != Qt.CheckState.Checked:
                continue
            cell = self.table.item(row, 3)
            quantity = parse_amount(
                cell.text() if cell else "", f"quantity in row {row + 1}", positive=True
            )
            assert quantity is not None
            chosen.append(Fill(execution_id=fill.execution.id, quantity=quantity))
        return chosen

    def _update(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        try:
            chosen = self.chosen_fills()
        except ValueError as error:
            self.balance.setText(str(error))
            ok.setEnabled(False)
            return
        sides = {f.execution.id: f.execution.side for f in self.fills}
        bought = sum((f.quantity for f in chosen if sides[f.execution_id] is Side.BUY), Decimal(0))
        sold = sum((f.quantity for f in chosen if sides[f.execution_id] is Side.SELL), Decimal(0))
        balanced = bool(chosen) and bought == sold
        self.balance.setText(
            f"Bought {number(bought)}, sold {number(sold)}: "
            + ("balanced." if balanced else "they must balance.")
        )
        ok.setEnabled(balanced)


class MergeDialog(QDialog):
    """Tick the trades to merge into the one on screen."""

    def __init__(self, candidates: list[Trade], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Merge trades")
        intro = QLabel(
            "Tick the trades of the same account and instrument to merge into this one. "
            "Their notes are joined, tags and mistakes combined, and P&L added up."
        )
        intro.setWordWrap(True)
        self.list = QListWidget()
        self.list.setAccessibleName("Trades to merge")
        for trade in candidates:
            closed = local_time(trade.closed_at) if trade.closed_at else "open"
            item = QListWidgetItem(
                f"{local_time(trade.opened_at)} → {closed}   {trade.direction.value} "
                f"{number(trade.quantity)}   net {money(trade.net_pnl, signed=True)}"
            )
            item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            item.setCheckState(Qt.CheckState.Unchecked)
            item.setData(TradeIdRole, trade.id)
            self.list.addItem(item)
        empty = QLabel("No other trades of this account and instrument.")
        empty.setVisible(not candidates)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Merge")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list, 1)
        layout.addWidget(empty)
        layout.addWidget(self.buttons)
        self.list.itemChanged.connect(lambda _item: self._update())
        self.resize(520, 360)
        self._update()

    def set_checked(self, row: int, checked: bool) -> None:
        item = self.list.item(row)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def chosen_ids(self) -> list[uuid.UUID]:
        return [
            self.list.item(i).data(TradeIdRole)
            for i in range(self.list.count())
            if self.list.item(i).checkState() == Qt.CheckState.Checked
        ]

    def _update(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.chosen_ids()))
