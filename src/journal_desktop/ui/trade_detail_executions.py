"""The trade detail's executions: a table of its fills and the dialog that adds or edits one.

Amounts are typed as text and read as exact Decimals (never through float); times are typed
in the desktop's local time zone and stored in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from PySide6.QtCore import QDateTime, QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from journal_desktop.domain.decimals import parse_decimal
from journal_desktop.domain.records import AssetClass, Side
from journal_desktop.storage.trade_editing import ExecutionInput, FillDetail
from journal_desktop.ui.formatting import local_time, money, number
from journal_desktop.ui.theme import palette_colors

COLUMNS = ("Time", "Side", "Quantity", "In trade", "Price", "Commission", "Fees", "Source")
#: The executions table grows to this many rows before it scrolls.
VISIBLE_ROWS = 8
#: Role of column 0 that holds the execution's id.
ExecutionIdRole = Qt.ItemDataRole.UserRole


def parse_amount(
    text: str, what: str, *, positive: bool = False, optional: bool = False
) -> Decimal | None:
    """Read a typed amount exactly ("1,250.50" allowed); raises ValueError with a sentence."""
    cleaned = text.strip().replace(",", "")
    if not cleaned:
        if optional:
            return None
        raise ValueError(f"Enter the {what}.")
    try:
        value = parse_decimal(cleaned)
    except (ValueError, TypeError):
        raise ValueError(f"The {what} must be a number, like 12.50.") from None
    if positive and value <= 0:
        raise ValueError(f"The {what} must be more than zero.")
    return value


def to_utc(moment: QDateTime) -> datetime:
    """A local date and time from an editor, as a UTC datetime."""
    return datetime.fromtimestamp(moment.toSecsSinceEpoch(), tz=UTC)


def to_local(moment: datetime) -> QDateTime:
    return QDateTime.fromSecsSinceEpoch(int(moment.timestamp()))


class ExecutionsTable(QTableWidget):
    """One row per fill; the "In trade" column shows the part of a flipped execution."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setTabKeyNavigation(False)  # Tab leaves the list; arrows move in it
        self.setHorizontalHeaderLabels(list(COLUMNS))
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(True)
        self.setAccessibleName("Executions of this trade")
        self.fills: list[FillDetail] = []

    def set_fills(self, fills: tuple[FillDetail, ...] | list[FillDetail]) -> None:
        self.fills = list(fills)
        self.setRowCount(len(self.fills))
        for row, fill in enumerate(self.fills):
            e = fill.execution
            values = (
                local_time(e.executed_at, seconds=True),
                e.side.value.capitalize(),
                number(e.quantity),
                number(fill.quantity),
                number(e.price),
                money(e.commission),
                money(e.fees),
                "manual" if fill.manual else "import",
            )
            for column, text in enumerate(values):
                item = QTableWidgetItem(text)
                if column >= 2 and column != 7:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if column == 1:
                    colors = palette_colors()
                    item.setForeground(colors.gain if e.side is Side.BUY else colors.loss)
                self.setItem(row, column, item)
            first = self.item(row, 0)
            assert first is not None
            first.setData(ExecutionIdRole, e.id)
        self._fit_height()

    def _recolor(self) -> None:
        """Buy and sell in the current theme's colours (after a light/dark switch)."""
        colors = palette_colors()
        for row, fill in enumerate(self.fills):
            item = self.item(row, 1)
            if item is not None:
                buy = fill.execution.side is Side.BUY
                item.setForeground(colors.gain if buy else colors.loss)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._recolor()
        super().changeEvent(event)

    def _fit_height(self) -> None:
        """As tall as its rows (up to VISIBLE_ROWS, then it scrolls), so the notes stay close."""
        rows = max(1, min(self.rowCount(), VISIBLE_ROWS))
        header = self.horizontalHeader().sizeHint().height()
        row_height = self.verticalHeader().defaultSectionSize()
        self.setFixedHeight(header + rows * row_height + 2 * self.frameWidth() + 2)

    def selected_fill(self) -> FillDetail | None:
        row = self.currentRow()
        if 0 <= row < len(self.fills) and self.selectionModel().isRowSelected(row):
            return self.fills[row]
        return None


@dataclass(frozen=True, slots=True)
class InstrumentContext:
    """What an execution of this trade shares with it: account and instrument."""

    account: str
    symbol: str
    asset_class: AssetClass
    multiplier: Decimal | None
    underlying: str = ""
    expiry: date | None = None
    strike: Decimal | None = None
    option_right: str = ""


class ExecutionDialog(QDialog):
    """Add or change one execution of a trade (side, quantity, price, time, costs)."""

    def __init__(
        self,
        context: InstrumentContext,
        fill: FillDetail | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle("Edit execution" if fill else "Add execution")
        self.side = QComboBox()
        self.side.addItem("Buy", Side.BUY)
        self.side.addItem("Sell", Side.SELL)
        self.side.setAccessibleName("Side")
        self.quantity = QLineEdit()
        self.quantity.setAccessibleName("Quantity")
        self.price = QLineEdit()
        self.price.setAccessibleName("Price")
        self.time = QDateTimeEdit(QDateTime.currentDateTime())
        self.time.setDisplayFormat("yyyy-MM-dd HH:mm:ss")
        self.time.setCalendarPopup(True)
        self.time.setAccessibleName("Time (local)")
        self.commission = QLineEdit("0")
        self.commission.setAccessibleName("Commission")
        self.fees = QLineEdit("0")
        self.fees.setAccessibleName("Fees")
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c0392b")
        if fill is not None:
            e = fill.execution
            self.side.setCurrentIndex(0 if e.side is Side.BUY else 1)
            self.quantity.setText(str(e.quantity))
            self.price.setText(str(e.price))
            self.time.setDateTime(to_local(e.executed_at))
            self.commission.setText(str(e.commission))
            self.fees.setText(str(e.fees))

        form = QFormLayout(self)
        form.addRow(QLabel(f"{context.symbol} in {context.account}"))
        form.addRow("&Side", self.side)
        form.addRow("&Quantity", self.quantity)
        form.addRow("&Price", self.price)
        form.addRow("&Time (local)", self.time)
        form.addRow("&Commission", self.commission)
        form.addRow("&Fees", self.fees)
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.result_input: ExecutionInput | None = None

    def accept(self) -> None:
        try:
            self.result_input = self.read()
        except ValueError as error:
            self.error.setText(str(error))
            return
        super().accept()

    def read(self) -> ExecutionInput:
        quantity = parse_amount(self.quantity.text(), "quantity", positive=True)
        price = parse_amount(self.price.text(), "price")
        commission = parse_amount(self.commission.text(), "commission", optional=True)
        fees = parse_amount(self.fees.text(), "fees", optional=True)
        assert quantity is not None and price is not None
        return ExecutionInput(
            account=self.context.account,
            symbol=self.context.symbol,
            asset_class=self.context.asset_class,
            side=Side(self.side.currentData()),  # Qt hands the enum back as its str value
            quantity=quantity,
            price=price,
            executed_at=to_utc(self.time.dateTime()),
            commission=commission or Decimal(0),
            fees=fees or Decimal(0),
            multiplier=self.context.multiplier,
            underlying=self.context.underlying,
            expiry=self.context.expiry,
            strike=self.context.strike,
            option_right=self.context.option_right,
        )
