"""The daily P&L calendar: each month a grid of days, green for gains and red for losses.

Painted with QPainter rather than built from widgets: a year is 365 cells, and one widget that
paints them redraws in well under a millisecond and knows its own geometry for hit tests,
tooltips and keyboard navigation. Colour intensity follows |day's P&L| relative to the
largest day shown (see `colors.pnl_color`); a day without closed trades is drawn blank.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from journal_desktop.ui.charts.colors import chart_colors, pnl_color
from journal_desktop.ui.formatting import money

#: At most this many months are drawn: the most recent ones of the range.
MAX_MONTHS = 24
CELL = 16
GAP = 3
MONTH_GAP = 18
TITLE_HEIGHT = 20
HEADER_HEIGHT = 14
_WEEKDAY_LETTERS = ("M", "T", "W", "T", "F", "S", "S")
#: The key of the blank colour among the cached fills (no real day is this early).
_EMPTY = date.min


class DayPnl(NamedTuple):
    """One day's closed trades: net P&L and how many."""

    net: Decimal
    trades: int


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


class CalendarHeatmap(QWidget):
    """Months of day cells; click or press Enter on a day to select it."""

    #: A day was chosen (mouse click, Enter or Space): the `datetime.date`.
    day_selected = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Daily P&L calendar")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self._days: dict[date, DayPnl] = {}
        self._months: list[date] = []
        self._scale = 0.0
        self._cursor: date | None = None
        self._cells: dict[date, QRect] = {}
        self._titles: list[tuple[QRect, str]] = []
        self._headers: list[QRect] = []
        #: Cell colours by day, worked out once per data or palette change, not per paint.
        self._fills: dict[date, QColor] = {}
        self.truncated = False

    # -- content -------------------------------------------------------------------------------

    def set_days(
        self,
        days: Mapping[date, DayPnl],
        first: date | None = None,
        last: date | None = None,
    ) -> None:
        """Show these days; the months drawn span `first`..`last` (default: the days' own)."""
        self._days = dict(days)
        if days:
            first = min(first or min(days), min(days))
            last = max(last or max(days), max(days))
        months: list[date] = []
        if first is not None and last is not None:
            month = _month_start(first)
            while month <= last:
                months.append(month)
                month = _next_month(month)
        self.truncated = len(months) > MAX_MONTHS
        self._months = months[-MAX_MONTHS:]
        self._scale = max((abs(float(d.net)) for d in days.values()), default=0.0)
        self._fills = {}
        if self._cursor is not None and not self._shown(self._cursor):
            self._cursor = None
        self._layout(self.width())
        self.updateGeometry()
        self.update()

    def days(self) -> dict[date, DayPnl]:
        return dict(self._days)

    def months(self) -> list[date]:
        """The first day of each month drawn, oldest first."""
        return list(self._months)

    def cell_rect(self, day: date) -> QRect | None:
        return self._cells.get(day)

    def cell_color(self, day: date) -> QColor | None:
        """The fill of a day's cell, None when the day is not drawn."""
        if day not in self._cells:
            return None
        fills = self._cell_fills()
        return QColor(fills.get(day, fills[_EMPTY]))

    def _cell_fills(self) -> dict[date, QColor]:
        """Every traded day's colour, plus the blank colour under `_EMPTY`."""
        if not self._fills:
            colors = chart_colors(self.palette())
            self._fills = {
                day: pnl_color(colors, float(found.net), self._scale)
                for day, found in self._days.items()
            }
            self._fills[_EMPTY] = QColor(colors.empty)
        return self._fills

    def day_at(self, point: QPoint) -> date | None:
        for day, rect in self._cells.items():
            if rect.contains(point):
                return day
        return None

    def tooltip_text(self, day: date) -> str:
        found = self._days.get(day)
        heading = f"{day:%a %d %b %Y}"
        if found is None:
            return f"{heading}\nNo closed trades"
        trades = "1 trade" if found.trades == 1 else f"{found.trades} trades"
        return f"{heading}\nNet P&L {money(found.net, signed=True)}\n{trades}"

    @property
    def current_day(self) -> date | None:
        """The keyboard cursor's day."""
        return self._cursor

    def set_current_day(self, day: date | None) -> None:
        if day is not None and not self._shown(day):
            return
        self._cursor = day
        self.setAccessibleDescription("" if day is None else self.tooltip_text(day))
        self.update()

    def _shown(self, day: date) -> bool:
        return bool(self._months) and self._months[0] <= day < _next_month(self._months[-1])

    # -- geometry ------------------------------------------------------------------------------

    @staticmethod
    def _block_size() -> QSize:
        return QSize(7 * (CELL + GAP), TITLE_HEIGHT + HEADER_HEIGHT + 6 * (CELL + GAP))

    def _per_row(self, width: int) -> int:
        block = self._block_size().width() + MONTH_GAP
        return max(1, (max(width, 1) + MONTH_GAP) // block)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        if not self._months:
            return 2 * TITLE_HEIGHT
        rows = -(-len(self._months) // self._per_row(width))
        return rows * (self._block_size().height() + MONTH_GAP)

    def sizeHint(self) -> QSize:
        width = 4 * (self._block_size().width() + MONTH_GAP)
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:
        return QSize(self._block_size().width(), 2 * TITLE_HEIGHT)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._layout(event.size().width())
        wanted = self.heightForWidth(event.size().width())
        if self.minimumHeight() != wanted:
            self.setMinimumHeight(wanted)

    def _layout(self, width: int) -> None:
        """Work out every cell's rectangle once per resize or new data."""
        self._cells = {}
        self._titles = []
        self._headers = []
        per_row = self._per_row(width)
        block = self._block_size()
        for index, month in enumerate(self._months):
            row, column = divmod(index, per_row)
            left = column * (block.width() + MONTH_GAP)
            top = row * (block.height() + MONTH_GAP)
            self._titles.append((QRect(left, top, block.width(), TITLE_HEIGHT), f"{month:%B %Y}"))
            self._headers.append(QRect(left, top + TITLE_HEIGHT, block.width(), HEADER_HEIGHT))
            grid_top = top + TITLE_HEIGHT + HEADER_HEIGHT
            offset = month.weekday()  # Monday first
            for day_number in range(1, calendar.monthrange(month.year, month.month)[1] + 1):
                week, weekday = divmod(offset + day_number - 1, 7)
                self._cells[month.replace(day=day_number)] = QRect(
                    left + weekday * (CELL + GAP), grid_top + week * (CELL + GAP), CELL, CELL
                )

    # -- painting ------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        colors = chart_colors(self.palette())
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if not self._months:
            painter.setPen(colors.muted_text)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No trading days")
            return
        painter.setPen(colors.text)
        for rect, title in self._titles:
            painter.drawText(
                rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, title
            )
        font = painter.font()
        small = font.pointSizeF() * 0.8
        if small > 0:
            font.setPointSizeF(small)
            painter.setFont(font)
        painter.setPen(colors.muted_text)
        for header in self._headers:
            for weekday, letter in enumerate(_WEEKDAY_LETTERS):
                cell = QRect(
                    header.left() + weekday * (CELL + GAP), header.top(), CELL, HEADER_HEIGHT
                )
                painter.drawText(cell, Qt.AlignmentFlag.AlignCenter, letter)
        painter.setPen(Qt.PenStyle.NoPen)
        clip = event.rect()
        fills = self._cell_fills()
        blank = fills[_EMPTY]
        for day, rect in self._cells.items():
            if rect.intersects(clip):
                painter.setBrush(fills.get(day, blank))
                painter.drawRoundedRect(rect, 3, 3)
        if self._cursor is not None and self._cursor in self._cells:
            pen = QPen(colors.highlight if self.hasFocus() else colors.muted_text)
            pen.setWidth(2)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(self._cells[self._cursor].adjusted(-1, -1, 1, 1), 3, 3)

    # -- interaction ---------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._fills = {}
            self.update()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            day = self.day_at(event.pos())
            if day is None:
                QToolTip.hideText()
                event.ignore()
            else:
                QToolTip.showText(event.globalPos(), self.tooltip_text(day), self)
            return True
        return super().event(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        day = self.day_at(event.position().toPoint())
        if day is None or event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        self.set_current_day(day)
        self.day_selected.emit(day)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        if self._cursor is None and self._months:
            latest = max(self._days) if self._days else self._months[-1]
            self.set_current_day(latest)
        self.update()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        steps = {
            Qt.Key.Key_Left: -1,
            Qt.Key.Key_Right: 1,
            Qt.Key.Key_Up: -7,
            Qt.Key.Key_Down: 7,
        }
        key = Qt.Key(event.key())
        if self._cursor is not None and key in steps:
            self.set_current_day(self._cursor + timedelta(days=steps[key]))
        elif key == Qt.Key.Key_Home and self._months:
            self.set_current_day(self._months[0])
        elif key == Qt.Key.Key_End and self._months:
            self.set_current_day(_next_month(self._months[-1]) - timedelta(days=1))
        elif self._cursor is not None and key in (
            Qt.Key.Key_Return,
            Qt.Key.Key_Enter,
            Qt.Key.Key_Space,
        ):
            self.day_selected.emit(self._cursor)
        else:
            super().keyPressEvent(event)
