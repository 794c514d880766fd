"""Breakdown tables (by symbol, tag, setup, weekday, hour...): one row per group, sortable.

A table rather than a bar chart because a trader reads several figures per group (trades, win
rate, net, expectancy, profit factor) and sorts by them; the net P&L column still gets a bar
painted behind the number, so the shape of the breakdown shows at a glance.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from journal_desktop.domain.statistics import BucketStats
from journal_desktop.ui.charts.colors import chart_colors
from journal_desktop.ui.formatting import UNDEFINED, money, percent, ratio

#: Role returning native, comparable values for sorting via the proxy model.
SortRole = Qt.ItemDataRole.UserRole
#: Role returning the row's net P&L as a float, and the column's largest |net|, for the bars.
BarRole = Qt.ItemDataRole.UserRole + 1

COLUMNS = ("", "Trades", "Win %", "Net P&L", "Avg trade", "PF")
#: What each short header means, shown as its tooltip.
COLUMN_TIPS = (
    "",
    "Closed trades",
    "Win rate: winning trades / all trades",
    "Net P&L after fees",
    "Expectancy: average net P&L per trade",
    "Profit factor: sum of wins / sum of losses",
)
NET_COLUMN = 3

_Index = QModelIndex | QPersistentModelIndex


def _profit_factor(bucket: BucketStats) -> str:
    if bucket.profit_factor_unbounded:
        return "∞"
    return ratio(bucket.profit_factor)


class BreakdownModel(QAbstractTableModel):
    """Groups in their natural order (the sort proxy reorders them on request)."""

    def __init__(self, key_title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._key_title = key_title
        self._rows: list[tuple[str, BucketStats]] = []
        #: Per row: the displayed texts, the sort values, the net as a float. Worked out once
        #: in `set_rows`: views ask for every cell many times (sizing, painting, sorting).
        self._texts: list[tuple[str, ...]] = []
        self._sort: list[tuple[Any, ...]] = []
        self._nets: list[float] = []
        self._scale = 0.0

    def set_rows(self, rows: Sequence[tuple[str, BucketStats]]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        columns = range(len(COLUMNS))
        self._texts = [tuple(self._display(k, b, c) for c in columns) for k, b in self._rows]
        self._sort = [
            tuple(self._sort_value(i, b, c) for c in columns) for i, (_, b) in enumerate(self._rows)
        ]
        self._nets = [float(b.net_pnl) for _, b in self._rows]
        self._scale = max(map(abs, self._nets), default=0.0)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._key_title if section == 0 else COLUMNS[section]
        if role == Qt.ItemDataRole.ToolTipRole and section > 0:
            return COLUMN_TIPS[section]
        return None

    def row(self, index: int) -> tuple[str, BucketStats]:
        return self._rows[index]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._texts[row][column]
        if role == SortRole:
            return self._sort[row][column]
        if role == BarRole and column == NET_COLUMN:
            return (self._nets[row], self._scale)
        if role == Qt.ItemDataRole.TextAlignmentRole and column > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _display(label: str, bucket: BucketStats, column: int) -> str:
        if column == 0:
            return label
        if column == 1:
            return f"{bucket.count:,}"
        if column == 2:
            return percent(bucket.win_rate)
        if column == 3:
            return money(bucket.net_pnl, signed=True)
        if column == 4:
            return money(bucket.expectancy, signed=True) or UNDEFINED
        return _profit_factor(bucket)

    @staticmethod
    def _sort_value(row: int, bucket: BucketStats, column: int) -> Any:
        if column == 0:
            return row  # the natural order: weekdays Monday first, hours 0-23
        if column == 1:
            return bucket.count
        if column == 2:
            return float(bucket.win_rate or 0)
        if column == 3:
            return float(bucket.net_pnl)
        if column == 4:
            return float(bucket.expectancy or 0)
        if bucket.profit_factor_unbounded:
            return float("inf")
        return float(bucket.profit_factor or Decimal(0))


class PnlBarDelegate(QStyledItemDelegate):
    """Paints a green or red bar, as long as |net| relative to the largest, behind the text."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        value = index.data(BarRole)
        if value is not None:
            net, scale = value
            if scale > 0 and net != 0:
                colors = chart_colors(option.palette)
                fill = colors.gain if net > 0 else colors.loss
                fill.setAlphaF(0.35)
                rect: QRect = option.rect.adjusted(2, 4, -2, -4)
                rect.setWidth(max(2, int(rect.width() * abs(net) / scale)))
                painter.fillRect(rect, fill)
        super().paint(painter, option, index)


class BreakdownTable(QTableView):
    """A sortable breakdown; `set_rows` replaces its content."""

    def __init__(self, key_title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(f"Breakdown by {key_title.lower()}")
        self.setTabKeyNavigation(False)  # Tab leaves the list; arrows move in it
        self.breakdown = BreakdownModel(key_title, self)
        self._proxy = QSortFilterProxyModel(self)
        self._proxy.setSourceModel(self.breakdown)
        self._proxy.setSortRole(SortRole)
        self.setModel(self._proxy)
        self.setItemDelegateForColumn(NET_COLUMN, PnlBarDelegate(self))
        self.setSortingEnabled(True)
        self.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        rows = self.verticalHeader()
        rows.setVisible(False)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)

    def set_rows(self, rows: Sequence[tuple[str, BucketStats]]) -> None:
        self.breakdown.set_rows(rows)

    def shown_rows(self) -> list[list[str]]:
        """The table's text as displayed, row by row in the current sort order (for tests)."""
        model = self.model()
        return [
            [str(model.index(r, c).data() or "") for c in range(model.columnCount())]
            for r in range(model.rowCount())
        ]
