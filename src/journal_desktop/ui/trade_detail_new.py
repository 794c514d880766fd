"""The form for a new manual trade: account, instrument and its executions.

A manual trade is entered the way a broker reports one, as fills; the matching engine then
builds the trade (or trades) from them, exactly as for an import, so a hand-entered trade and
an imported one are computed by the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from PySide6.QtCore import QDate, QDateTime, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from journal_desktop.domain.records import AssetClass, Side
from journal_desktop.importers.symbols import option_contract, parse_occ
from journal_desktop.storage.trade_editing import ExecutionInput
from journal_desktop.ui.trade_detail_executions import parse_amount, to_utc

TIME_FORMAT = "yyyy-MM-dd HH:mm:ss"
ROW_COLUMNS = ("Side", "Quantity", "Price", "Time (local)", "Commission", "Fees")


@dataclass(frozen=True, slots=True)
class TypedInstrument:
    """The instrument as the form reads it; an option's symbol is its OCC symbol."""

    symbol: str
    asset_class: AssetClass
    underlying: str = ""
    expiry: date | None = None
    strike: Decimal | None = None
    option_right: str = ""


class NewTradeForm(QWidget):
    """Emits `create_requested` with the executions once every row reads correctly."""

    create_requested = Signal(list)
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel("New manual trade")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        self.account = QComboBox()
        self.account.setEditable(True)
        self.account.setAccessibleName("Account")
        self.symbol = QLineEdit()
        self.symbol.setAccessibleName("Symbol")
        self.symbol.setPlaceholderText("AAPL, ES, EURUSD…")
        self.asset_class = QComboBox()
        for value in AssetClass:
            self.asset_class.addItem(value.value.capitalize(), value)
        self.asset_class.setAccessibleName("Asset class")
        self.multiplier = QLineEdit()
        self.multiplier.setAccessibleName("Contract multiplier")
        self.multiplier.setPlaceholderText("usual one (100 for options, table for futures)")
        # An option is its underlying plus these terms; they show only for options.
        self.expiry = QDateEdit(QDate.currentDate())
        self.expiry.setDisplayFormat("yyyy-MM-dd")
        self.expiry.setCalendarPopup(True)
        self.expiry.setAccessibleName("Option expiry")
        self.strike = QLineEdit()
        self.strike.setAccessibleName("Option strike")
        self.strike.setPlaceholderText("200 or 187.5")
        self.option_right = QComboBox()
        self.option_right.addItem("Call", "C")
        self.option_right.addItem("Put", "P")
        self.option_right.setAccessibleName("Option right (call or put)")
        self.asset_class.currentIndexChanged.connect(self._show_option_terms)

        self.rows = QTableWidget(0, len(ROW_COLUMNS))
        self.rows.setHorizontalHeaderLabels(list(ROW_COLUMNS))
        self.rows.verticalHeader().setVisible(False)
        self.rows.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.rows.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.rows.setAccessibleName("Executions of the new trade")
        add_row = QPushButton("Add execution")
        add_row.setAccessibleName("Add execution row")
        add_row.clicked.connect(lambda: self.add_row())
        remove_row = QPushButton("Remove execution")
        remove_row.setAccessibleName("Remove selected execution row")
        remove_row.clicked.connect(self._remove_row)

        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c0392b")
        self.create_button = QPushButton("Create trade")
        self.create_button.setDefault(True)
        self.create_button.setAccessibleName("Create trade")
        self.create_button.clicked.connect(self.submit)
        cancel = QPushButton("Cancel")
        cancel.setAccessibleName("Cancel new trade")
        cancel.clicked.connect(self.cancel_requested)

        form = QFormLayout()
        form.addRow("&Account", self.account)
        form.addRow("&Symbol", self.symbol)
        form.addRow("Asset &class", self.asset_class)
        form.addRow("&Multiplier", self.multiplier)
        form.addRow("&Expiry", self.expiry)
        form.addRow("Stri&ke", self.strike)
        form.addRow("&Right", self.option_right)
        self._form = form
        row_buttons = QHBoxLayout()
        row_buttons.addWidget(add_row)
        row_buttons.addWidget(remove_row)
        row_buttons.addStretch(1)
        actions = QHBoxLayout()
        actions.addWidget(self.error, 1)
        actions.addWidget(cancel)
        actions.addWidget(self.create_button)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(self.rows, 1)
        layout.addLayout(row_buttons)
        layout.addLayout(actions)
        self._show_option_terms()

    def _show_option_terms(self) -> None:
        is_option = self._asset_class() is AssetClass.OPTION
        for field in (self.expiry, self.strike, self.option_right):
            self._form.setRowVisible(field, is_option)
        self.symbol.setPlaceholderText(
            "underlying (AAPL), or the option's symbol (AAPL 260320C200)"
            if is_option
            else "AAPL, ES, EURUSD…"
        )

    def _asset_class(self) -> AssetClass:
        return AssetClass(self.asset_class.currentData())  # Qt returns the str value

    def reset(self, accounts: tuple[str, ...]) -> None:
        """An empty form: a buy and a sell row, ready to fill in."""
        current = self.account.currentText()
        self.account.clear()
        self.account.addItems(list(accounts))
        self.account.setEditText(current or (accounts[0] if accounts else "Manual"))
        self.symbol.clear()
        self.multiplier.clear()
        self.strike.clear()
        self.expiry.setDate(QDate.currentDate())
        self.error.clear()
        self.rows.setRowCount(0)
        now = QDateTime.currentDateTime()
        self.add_row(Side.BUY, time=now.addSecs(-3600))
        self.add_row(Side.SELL, time=now)
        self.symbol.setFocus()

    def has_input(self) -> bool:
        """Whether the trader typed something that leaving the form would throw away (a
        symbol, terms, or a quantity or price in a row)."""
        if any(f.text().strip() for f in (self.symbol, self.multiplier, self.strike)):
            return True
        return any(
            self._text(row, column).strip()
            for row in range(self.rows.rowCount())
            for column in (1, 2)  # quantity, price
        )

    def clear(self) -> None:
        """Empty the form again, keeping the accounts it offers."""
        self.reset(tuple(self.account.itemText(i) for i in range(self.account.count())))

    def add_row(
        self,
        side: Side = Side.BUY,
        quantity: str = "",
        price: str = "",
        *,
        time: QDateTime | None = None,
        commission: str = "0",
        fees: str = "0",
    ) -> None:
        row = self.rows.rowCount()
        self.rows.insertRow(row)
        combo = QComboBox()
        combo.addItem("Buy", Side.BUY)
        combo.addItem("Sell", Side.SELL)
        combo.setCurrentIndex(0 if side is Side.BUY else 1)
        combo.setAccessibleName(f"Side of execution {row + 1}")
        self.rows.setCellWidget(row, 0, combo)
        moment = (time or QDateTime.currentDateTime()).toString(TIME_FORMAT)
        for column, text in enumerate((quantity, price, moment, commission, fees), start=1):
            self.rows.setItem(row, column, QTableWidgetItem(text))

    def _remove_row(self) -> None:
        row = self.rows.currentRow()
        if row >= 0:
            self.rows.removeRow(row)

    def submit(self) -> None:
        try:
            inputs = self.read()
        except ValueError as error:
            self.error.setText(str(error))
            return
        self.error.clear()
        self.create_requested.emit(inputs)

    def read(self) -> list[ExecutionInput]:
        account = self.account.currentText().strip()
        if not account:
            raise ValueError("Enter the account.")
        instrument = self.read_instrument()
        multiplier = parse_amount(
            self.multiplier.text(), "multiplier", positive=True, optional=True
        )
        result = []
        for row in range(self.rows.rowCount()):
            texts = [self._text(row, c) for c in range(1, len(ROW_COLUMNS))]
            if not any(texts[:2]):
                continue  # an empty row is skipped, not an error
            where = f" of execution {row + 1}"
            quantity = parse_amount(texts[0], "quantity" + where, positive=True)
            price = parse_amount(texts[1], "price" + where)
            moment = QDateTime.fromString(texts[2].strip(), TIME_FORMAT)
            if not moment.isValid():
                raise ValueError(f"The time{where} must read like 2026-03-02 09:31:00.")
            combo = self.rows.cellWidget(row, 0)
            assert isinstance(combo, QComboBox)
            assert quantity is not None and price is not None
            result.append(
                ExecutionInput(
                    account=account,
                    symbol=instrument.symbol,
                    asset_class=instrument.asset_class,
                    underlying=instrument.underlying,
                    expiry=instrument.expiry,
                    strike=instrument.strike,
                    option_right=instrument.option_right,
                    side=Side(combo.currentData()),
                    quantity=quantity,
                    price=price,
                    executed_at=to_utc(moment),
                    commission=parse_amount(texts[3], "commission" + where, optional=True)
                    or Decimal(0),
                    fees=parse_amount(texts[4], "fees" + where, optional=True) or Decimal(0),
                    multiplier=multiplier,
                )
            )
        if not result:
            raise ValueError("Enter at least one execution (quantity and price).")
        return result

    def read_instrument(self) -> TypedInstrument:
        """The symbol as typed, or for an option the contract its terms describe (a full
        option symbol typed in the symbol field wins over the terms fields)."""
        symbol = self.symbol.text().strip().upper()
        if not symbol:
            raise ValueError("Enter the symbol.")
        asset_class = self._asset_class()
        if asset_class is not AssetClass.OPTION:
            return TypedInstrument(symbol, asset_class)
        contract = parse_occ(symbol)
        if contract is None:
            if not symbol.replace(".", "").replace("/", "").isalnum():
                raise ValueError(
                    f"{symbol} is not an underlying symbol; type the underlying (AAPL) and "
                    "fill in expiry, strike and right, or the whole option symbol."
                )
            strike = parse_amount(self.strike.text(), "option's strike", positive=True)
            assert strike is not None
            expiry = self.expiry.date()
            try:
                contract = option_contract(
                    symbol,
                    date(expiry.year(), expiry.month(), expiry.day()),
                    str(self.option_right.currentData()),
                    strike,
                )
            except ValueError as error:
                raise ValueError(f"This option cannot be entered: {error}.") from None
        try:
            occ = contract.occ_symbol()
        except ValueError as error:
            raise ValueError(f"This option cannot be entered: {error}.") from None
        return TypedInstrument(
            symbol=occ,
            asset_class=AssetClass.OPTION,
            underlying=contract.underlying,
            expiry=contract.expiry,
            strike=contract.strike,
            option_right=contract.right,
        )

    def _text(self, row: int, column: int) -> str:
        item = self.rows.item(row, column)
        return item.text() if item is not None else ""
