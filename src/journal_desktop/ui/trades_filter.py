"""The trades screen's filter bar: search, symbol, date range, account, side, result and tag.

It only collects what the trader picked and says when it changed (`changed`); typing in the
search and symbol boxes is debounced so the vault is asked once per pause, not per key.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import tzinfo

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from journal_desktop.domain.records import TradeDirection, TradeStatus
from journal_desktop.storage.dashboard_data import AccountChoice
from journal_desktop.storage.trade_list import DateField, Outcome, TradeListFilter
from journal_desktop.ui.dashboard_filter import DashboardFilterBar

#: Pause after the last key before the list follows the search or symbol box.
TYPING_DELAY_MS = 300

_SIDES: tuple[tuple[str, TradeDirection | None], ...] = (
    ("Any side", None),
    ("Long", TradeDirection.LONG),
    ("Short", TradeDirection.SHORT),
)
#: (label, status, outcome)
_RESULTS: tuple[tuple[str, TradeStatus | None, Outcome | None], ...] = (
    ("Any result", None, None),
    ("Winners", TradeStatus.CLOSED, Outcome.WIN),
    ("Losers", TradeStatus.CLOSED, Outcome.LOSS),
    ("Closed", TradeStatus.CLOSED, None),
    ("Open", TradeStatus.OPEN, None),
)


class TradesFilterBar(QWidget):
    """Every filter of the trade list, as one `TradeListFilter`."""

    changed = Signal()

    def __init__(self, tz: tzinfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tz = tz
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Search notes and setups  (Ctrl+F)")
        self.search_edit.setAccessibleName("Search notes")
        self.search_edit.setClearButtonEnabled(True)
        self.symbol_edit = QLineEdit()
        self.symbol_edit.setPlaceholderText("Symbol")
        self.symbol_edit.setAccessibleName("Symbol")
        self.symbol_edit.setClearButtonEnabled(True)
        self.symbol_edit.setMaximumWidth(140)
        self.range_bar = DashboardFilterBar(tz)
        self.side_combo = QComboBox()
        self.side_combo.setAccessibleName("Side")
        for label, _side in _SIDES:
            self.side_combo.addItem(label)  # by index: Qt would turn a str enum into text
        self.result_combo = QComboBox()
        self.result_combo.setAccessibleName("Result")
        for label, _status, _outcome in _RESULTS:
            self.result_combo.addItem(label)
        self.tag_combo = QComboBox()
        self.tag_combo.setAccessibleName("Tag")
        self.tag_combo.setMinimumContentsLength(10)
        self.tag_combo.addItem("Any tag", None)

        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(TYPING_DELAY_MS)
        self._typing.timeout.connect(self.changed)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.search_edit, 3)
        top.addWidget(self.symbol_edit, 1)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(0, 0, 0, 0)
        bottom.addWidget(self.range_bar)
        # Alt+T, Alt+G (and F, H) open the menu bar's menus: no label here takes them, so
        # Tag, with no letter of its own left, has none.
        for text, combo in (
            ("S&ide", self.side_combo),
            ("Res&ult", self.result_combo),
            ("Tag", self.tag_combo),
        ):
            caption = QLabel(text)
            caption.setBuddy(combo)
            bottom.addWidget(caption)
            bottom.addWidget(combo)
        bottom.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(bottom)

        self.search_edit.textChanged.connect(lambda _t: self._typing.start())
        self.symbol_edit.textChanged.connect(lambda _t: self._typing.start())
        self.range_bar.changed.connect(self.changed)
        for combo in (self.side_combo, self.result_combo, self.tag_combo):
            combo.currentIndexChanged.connect(lambda _i: self.changed.emit())

    def flush(self) -> None:
        """Apply pending typing now (Enter in a box, say)."""
        if self._typing.isActive():
            self._typing.stop()
            self.changed.emit()

    def trade_filter(self) -> TradeListFilter:
        first, last = self.range_bar.date_range()
        account = self.range_bar.account_id()
        _side_label, side = _SIDES[max(self.side_combo.currentIndex(), 0)]
        _label, status, outcome = _RESULTS[max(self.result_combo.currentIndex(), 0)]
        tag = self.tag_combo.currentData()
        return TradeListFilter(
            date_from=first,
            date_to=last,
            date_field=DateField.ACTIVITY,
            tz=self._tz,
            account_ids=None if account is None else frozenset({account}),
            symbol=self.symbol_edit.text().strip(),
            symbol_prefix=False,
            tag_id=tag if isinstance(tag, uuid.UUID) else None,
            direction=side,
            status=status,
            outcome=outcome,
            search=self.search_edit.text(),
        )

    def set_accounts(self, accounts: Sequence[AccountChoice]) -> None:
        self.range_bar.set_accounts(accounts)

    def set_tags(self, tags: Sequence[tuple[uuid.UUID, str]]) -> None:
        """Refresh the tag list, keeping the chosen tag (a tag gone means any tag)."""
        current = self.tag_combo.currentData()
        shown = [
            (self.tag_combo.itemData(i), self.tag_combo.itemText(i))
            for i in range(1, self.tag_combo.count())
        ]
        if shown == list(tags):
            return
        self.tag_combo.blockSignals(True)
        try:
            while self.tag_combo.count() > 1:
                self.tag_combo.removeItem(1)
            selected = 0
            for tag_id, name in tags:
                self.tag_combo.addItem(name, tag_id)
                if tag_id == current:
                    selected = self.tag_combo.count() - 1
            self.tag_combo.setCurrentIndex(selected)
        finally:
            self.tag_combo.blockSignals(False)
        if current is not None and selected == 0:
            self.changed.emit()

    def select_tag(self, tag_id: uuid.UUID | None) -> None:
        for index in range(self.tag_combo.count()):
            if self.tag_combo.itemData(index) == tag_id:
                self.tag_combo.setCurrentIndex(index)
                return

    def select_side(self, side: TradeDirection | None) -> None:
        for index, (_label, candidate) in enumerate(_SIDES):
            if candidate is side:
                self.side_combo.setCurrentIndex(index)
                return

    def select_result(self, label: str) -> None:
        """Choose a result by its label ("Winners", "Open", ...)."""
        index = self.result_combo.findText(label)
        if index >= 0:
            self.result_combo.setCurrentIndex(index)
