"""Parts of the journal screen: a Markdown pane with edit/preview, and the day's trade table."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from journal_desktop.storage.trade_list import TradeRow
from journal_desktop.ui.formatting import local_time, money, number


class MarkdownPane(QWidget):
    """A titled Markdown text: plain-text editing, or a rendered preview (read-only).

    `edited` fires only for the trader's own typing, never for `set_text`, so the screen can
    tell unsaved work from text it loaded.
    """

    edited = Signal()

    def __init__(self, title: str, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._setting = False
        self.title = QLabel(f"<b>{title}</b>")
        self.editor = QPlainTextEdit()
        self.editor.setAccessibleName(title)
        self.editor.setPlaceholderText(placeholder)
        self.editor.setTabChangesFocus(True)
        self.preview = QTextBrowser()
        self.preview.setAccessibleName(f"{title} preview")
        self.preview.setOpenLinks(False)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.editor)
        self.stack.addWidget(self.preview)
        self.preview_button = QToolButton()
        self.preview_button.setText("Preview")
        self.preview_button.setCheckable(True)
        self.preview_button.setAccessibleName(f"Preview {title}")
        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.addWidget(self.title)
        header.addStretch(1)
        header.addWidget(self.preview_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.stack, 1)
        self.preview_button.toggled.connect(self.show_preview)
        self.editor.textChanged.connect(self._changed)

    def text(self) -> str:
        return self.editor.toPlainText()

    def set_text(self, text: str) -> None:
        """Load text without it counting as an edit; the undo history starts afresh."""
        self._setting = True
        try:
            self.editor.setPlainText(text)
        finally:
            self._setting = False
        if self.preview_button.isChecked():
            self.preview.setMarkdown(text)

    def set_editable(self, editable: bool) -> None:
        self.editor.setReadOnly(not editable)

    def show_preview(self, shown: bool) -> None:
        if shown:
            self.preview.setMarkdown(self.text())
        if self.preview_button.isChecked() != shown:
            self.preview_button.setChecked(shown)
        self.stack.setCurrentWidget(self.preview if shown else self.editor)

    def _changed(self) -> None:
        if not self._setting:
            self.edited.emit()


_HEADERS = ("Time", "Symbol", "Side", "Qty", "Net P&L", "R")
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
#: Role of column 0 holding the row's trade id (`uuid.UUID`).
TRADE_ID_ROLE = Qt.ItemDataRole.UserRole


class DayTradesTable(QTableWidget):
    """A day's trades, small enough to hold in a plain table; `open_trade` on double-click
    or Enter."""

    open_trade = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(_HEADERS), parent)
        self.setTabKeyNavigation(False)  # Tab leaves the list; arrows move in it
        self.setAccessibleName("Trades of the day")
        self.setHorizontalHeaderLabels(list(_HEADERS))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        # Activated: a double-click, or Enter from the keyboard (double-click alone left
        # keyboard users no way to open a trade from here).
        self.activated.connect(lambda index: self._open(index.row()))

    def set_trades(self, rows: Sequence[TradeRow], gain: QColor, loss: QColor) -> None:
        self.setRowCount(len(rows))
        for line, row in enumerate(rows):
            r = "" if row.r_multiple is None else f"{row.r_multiple:+.2f}R"
            net = money(row.net_pnl, signed=True) if row.closed_at is not None else "open"
            cells = (
                local_time(row.closed_at or row.opened_at),
                row.symbol,
                row.direction.value.title(),
                number(row.quantity),
                net,
                r,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column >= 3:
                    item.setTextAlignment(_RIGHT)
                if column == 4 and row.closed_at is not None and row.net_pnl != 0:
                    item.setForeground(gain if row.net_pnl > 0 else loss)
                self.setItem(line, column, item)
            first = self.item(line, 0)
            if first is not None:
                first.setData(TRADE_ID_ROLE, row.id)

    def trade_id(self, line: int) -> uuid.UUID | None:
        item = self.item(line, 0)
        value = item.data(TRADE_ID_ROLE) if item is not None else None
        return value if isinstance(value, uuid.UUID) else None

    def _open(self, line: int) -> None:
        trade_id = self.trade_id(line)
        if trade_id is not None:
            self.open_trade.emit(trade_id)
