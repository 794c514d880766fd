"""The trade list as a lazy Qt table model: 100,000 trades, a few pages in memory.

`rowCount` is the number of matching trades; rows arrive in pages of `PAGE_SIZE` read on the
vault's worker when the view first asks for them. Until a page arrives its cells show a
placeholder, and `dataChanged` repaints them when it does. Requests are coalesced: while the
trader drags the scroll bar, the view asks for many pages, but only the few most recently
wanted are fetched, one task at a time, once the view rests for a moment, so the worker never
falls behind a queue of pages scrolled past, and never competes with a drag's painting. The
worker only runs the SQL; each row is decoded and formatted on first display (see `_Page`).
Pages live in a small LRU, so memory stays bounded whatever the list's length.
Sorting re-queries the vault (`sort()`), never a proxy over every row.
"""

from __future__ import annotations

import importlib
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QGuiApplication, QPalette

from journal_desktop.storage.trade_list import (
    RawPage,
    SortKey,
    TradeListFilter,
    TradeListQuery,
    TradeListSummary,
    TradeRow,
    TradeSort,
)
from journal_desktop.storage.vault import Vault
from journal_desktop.ui.formatting import average_price, local_time, money, number
from journal_desktop.ui.tasks import TaskHandle, VaultTasks, describe_error

#: Role returning native, comparable values (Decimal, datetime, str) for the cell.
SortRole = Qt.ItemDataRole.UserRole
#: Role returning the row's trade id (`uuid.UUID`), in any column; None until loaded.
TradeIdRole = Qt.ItemDataRole.UserRole + 1
#: Role returning True once the row's page has arrived.
LoadedRole = Qt.ItemDataRole.UserRole + 2

#: Rows read per worker task.
PAGE_SIZE = 500
#: Pages kept in memory (10,000 rows: a few screens either side of wherever the trader is).
MAX_PAGES = 20
#: At most this many of the most recently wanted pages are fetched; older wishes are dropped.
MAX_WANTED = 3
#: Quiet time (ms) after the last newly wanted page before pages are read.
FETCH_DELAY_MS = 30
#: What a cell reads while its page is on its way.
PLACEHOLDER = "…"

_Index = QModelIndex | QPersistentModelIndex
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


@dataclass(frozen=True, slots=True)
class TradeColumn:
    """One column: its header, what it sorts by, how it reads, and whether it is money."""

    header: str
    sort_key: SortKey
    text: Callable[[TradeRow], str]
    value: Callable[[TradeRow], Any]
    numeric: bool = False
    signed: bool = False


def _r(row: TradeRow) -> str:
    return "" if row.r_multiple is None else f"{row.r_multiple:+.2f}R"


COLUMNS: tuple[TradeColumn, ...] = (
    TradeColumn("Opened", SortKey.OPENED, lambda r: local_time(r.opened_at), lambda r: r.opened_at),
    TradeColumn("Closed", SortKey.CLOSED, lambda r: local_time(r.closed_at), lambda r: r.closed_at),
    TradeColumn("Account", SortKey.ACCOUNT, lambda r: r.account, lambda r: r.account),
    TradeColumn("Symbol", SortKey.SYMBOL, lambda r: r.symbol, lambda r: r.symbol),
    TradeColumn(
        "Side", SortKey.SIDE, lambda r: r.direction.value.title(), lambda r: r.direction.value
    ),
    TradeColumn(
        "Qty", SortKey.QUANTITY, lambda r: number(r.quantity), lambda r: r.quantity, numeric=True
    ),
    TradeColumn(
        "Entry",
        SortKey.ENTRY,
        lambda r: average_price(r.entry_price),
        lambda r: r.entry_price,
        True,
    ),
    TradeColumn(
        "Exit", SortKey.EXIT, lambda r: average_price(r.exit_price), lambda r: r.exit_price, True
    ),
    TradeColumn(
        "Net P&L",
        SortKey.NET,
        lambda r: money(r.net_pnl, signed=True),
        lambda r: r.net_pnl,
        numeric=True,
        signed=True,
    ),
    TradeColumn("R", SortKey.R, _r, lambda r: r.r_multiple, numeric=True, signed=True),
    TradeColumn("Tags", SortKey.TAGS, lambda r: r.tags, lambda r: r.tags),
    TradeColumn("Setup", SortKey.SETUP, lambda r: r.setup, lambda r: r.setup),
    TradeColumn(
        "Status", SortKey.STATUS, lambda r: r.status.value.title(), lambda r: r.status.value
    ),
    TradeColumn(
        "Notes", SortKey.NOTES, lambda r: "✎" if r.has_notes else "", lambda r: r.has_notes
    ),
)


def gain_loss_colors() -> tuple[QColor, QColor]:
    """Gain and loss colours for the scheme on screen (the shell's theme when present)."""
    try:
        theme = importlib.import_module("journal_desktop.ui.theme")
        colors = theme.palette_colors()
        return QColor(colors.gain), QColor(colors.loss)
    except (ImportError, AttributeError):
        palette = QGuiApplication.palette()
        dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
        return QColor("#41c485" if dark else "#17804b"), QColor("#f26d64" if dark else "#c0392b")


@dataclass(frozen=True, slots=True)
class _Line:
    """A row with its cell texts and P&L signs worked out once, on the worker.

    A view asks for seven roles of every visible cell on every paint; answering from
    ready-made tuples keeps that cheap, and the GUI thread never formats a Decimal.
    """

    row: TradeRow
    texts: tuple[str, ...]
    #: Per column: 1 gain, -1 loss, 0 neither (or not a money column).
    signs: tuple[int, ...]


def _line(row: TradeRow) -> _Line:
    signs = []
    for column in COLUMNS:
        value = column.value(row) if column.signed else None
        signs.append(0 if not isinstance(value, Decimal) or value == 0 else 1 if value > 0 else -1)
    return _Line(row, tuple(column.text(row) for column in COLUMNS), tuple(signs))


class _Page:
    """A page's rows as read (worker), each decoded and formatted when first shown (GUI).

    The worker only runs SQL and builds tuples; leaving the Python-heavy decoding to the few
    rows a view shows keeps the worker from holding the GIL while the GUI thread paints.
    """

    __slots__ = ("lines", "raw")

    def __init__(self, raw: RawPage) -> None:
        self.raw = raw
        self.lines: list[_Line | None] = [None] * len(raw)

    def __len__(self) -> int:
        return len(self.lines)

    def line(self, offset: int) -> _Line | None:
        if offset >= len(self.lines):
            return None
        found = self.lines[offset]
        if found is None:
            found = self.lines[offset] = _line(self.raw.decode(offset))
        return found


def _read_page(query: TradeListQuery, page: int) -> RawPage:
    """One page, undecoded (worker thread)."""
    return query.raw_page(page * PAGE_SIZE, PAGE_SIZE)


@dataclass(frozen=True, slots=True)
class _Loaded:
    """What a reload hands back from the worker."""

    query: TradeListQuery
    count: int
    first_page: RawPage


_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole.value)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
_SORT = int(SortRole.value)
_TRADE_ID = int(TradeIdRole)
_LOADED = int(LoadedRole)
#: The roles this model answers; a view asks for others on every cell, answered at once.
_ROLES = frozenset({_DISPLAY, _ALIGNMENT, _FOREGROUND, _TOOLTIP, _SORT, _TRADE_ID, _LOADED})
_ALIGNMENTS = tuple(_RIGHT if c.numeric else _LEFT for c in COLUMNS)
_NOTES_COLUMN = next(i for i, c in enumerate(COLUMNS) if c.sort_key is SortKey.NOTES)


class TradeTableModel(QAbstractTableModel):
    """The vault's trades, filtered and sorted, read lazily a page at a time."""

    #: The model was reset with a new count (after a reload, filter or sort).
    reloaded = Signal(int)
    #: Count and net P&L of the current filter, read just after each reload.
    summary_changed = Signal(object)
    #: A page of rows arrived (its first row).
    page_loaded = Signal(int)
    #: A reload or page read failed; a sentence for the user.
    failed = Signal(str)

    def __init__(self, tasks: VaultTasks, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._filter = TradeListFilter()
        self._sort = TradeSort()
        self._query: TradeListQuery | None = None
        self._count = 0
        self._generation = 0
        self._loading = False
        self._pages: OrderedDict[int, _Page] = OrderedDict()
        #: The page `data()` read last, so a paint touches the LRU once per page, not per cell.
        self._last_page: tuple[int, _Page] | None = None
        self._wanted: OrderedDict[int, None] = OrderedDict()
        self._in_flight: set[int] = set()
        self._fetching = False
        self._reload_handle: TaskHandle | None = None
        self._summary: TradeListSummary | None = None
        self._colors = gain_loss_colors()
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(FETCH_DELAY_MS)
        self._flush_timer.timeout.connect(self._flush)

    # -- state -------------------------------------------------------------------------------

    @property
    def trade_filter(self) -> TradeListFilter:
        return self._filter

    @property
    def trade_sort(self) -> TradeSort:
        return self._sort

    @property
    def loading(self) -> bool:
        """True from a reload's start until its count and first page arrived."""
        return self._loading

    @property
    def summary(self) -> TradeListSummary | None:
        return self._summary

    @property
    def current_query(self) -> TradeListQuery | None:
        """The query behind the rows shown, for worker tasks about them (never call it here:
        its methods read the vault)."""
        return self._query

    def cached_pages(self) -> list[int]:
        """Numbers of the pages in memory, least recently used first (for tests)."""
        return list(self._pages)

    def set_filter(self, flt: TradeListFilter) -> None:
        if flt != self._filter:
            self._filter = flt
            self.reload()

    def refresh_colors(self) -> None:
        """After a theme change: re-read the gain and loss colours and repaint."""
        self._colors = gain_loss_colors()
        if self._count:
            self.dataChanged.emit(self.index(0, 0), self.index(self._count - 1, len(COLUMNS) - 1))

    # -- loading -----------------------------------------------------------------------------

    def reload(self) -> None:
        """Re-query count and order on the worker; the rows shown stay until the answer."""
        self._generation += 1
        generation = self._generation
        self._loading = True
        flt, sort = self._filter, self._sort
        if self._reload_handle is not None:
            self._reload_handle.discard()

        def work(vault: Vault) -> _Loaded:
            query = TradeListQuery(vault.db, flt, sort)
            count = query.count()
            return _Loaded(query, count, _read_page(query, 0))

        self._reload_handle = self._tasks.run(
            work,
            on_success=lambda loaded: self._reloaded(generation, loaded),
            on_failure=lambda error: self._failed(generation, error),
            owner=self,
        )

    def _reloaded(self, generation: int, loaded: _Loaded) -> None:
        if generation != self._generation:
            return
        self.beginResetModel()
        self._query = loaded.query
        self._count = loaded.count
        self._pages.clear()
        self._last_page = None
        self._wanted.clear()
        self._in_flight.clear()
        if len(loaded.first_page):
            self._pages[0] = _Page(loaded.first_page)
        self.endResetModel()
        self._loading = False
        self.reloaded.emit(self._count)
        query = loaded.query
        self._tasks.run(
            lambda _vault: query.summary(),
            on_success=lambda summary: self._summary_arrived(generation, summary),
            on_failure=lambda error: self._failed(generation, error),
            owner=self,
        )

    def _summary_arrived(self, generation: int, summary: TradeListSummary) -> None:
        if generation == self._generation:
            self._summary = summary
            self.summary_changed.emit(summary)

    def _failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self._fetching = False
        self.failed.emit(describe_error(error))

    def _want(self, page: int) -> None:
        """Note that the view wants a page; fetched soon, unless scrolled past by then."""
        if page in self._in_flight:
            return
        new = page not in self._wanted
        self._wanted[page] = None
        self._wanted.move_to_end(page)
        while len(self._wanted) > MAX_WANTED:
            self._wanted.popitem(last=False)
        if new and not self._fetching:
            # Restarted by every newly wanted page: while the trader drags the scroll bar
            # nothing is read (reading would compete with painting for the GIL); the pages
            # are read as soon as the view rests.
            self._flush_timer.start()

    def _flush(self) -> None:
        """Fetch the wanted pages in one task; the next flush waits for this one to finish."""
        if self._fetching or not self._wanted or self._query is None:
            return
        pages = [p for p in reversed(self._wanted) if p not in self._pages]
        self._wanted.clear()
        if not pages:
            return
        self._fetching = True
        self._in_flight.update(pages)
        query, generation = self._query, self._generation

        def work(_vault: Vault) -> list[tuple[int, RawPage]]:
            return [(p, _read_page(query, p)) for p in pages]

        self._tasks.run(
            work,
            on_success=lambda result: self._pages_arrived(generation, result),
            on_failure=lambda error: self._failed(generation, error),
            owner=self,
        )

    def _pages_arrived(self, generation: int, result: list[tuple[int, RawPage]]) -> None:
        self._fetching = False
        if generation != self._generation:
            self._flush()
            return
        for page, rows in result:
            self._in_flight.discard(page)
            self._store(page, _Page(rows))
            if len(rows):
                first = page * PAGE_SIZE
                last = min(first + len(rows), self._count) - 1
                self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))
                self.page_loaded.emit(first)
        if self._wanted:
            self._flush()

    def _store(self, page: int, rows: _Page) -> None:
        self._pages[page] = rows
        self._pages.move_to_end(page)
        while len(self._pages) > MAX_PAGES:
            evicted, _rows = self._pages.popitem(last=False)
            if self._last_page is not None and self._last_page[0] == evicted:
                self._last_page = None

    def _line_at(self, row: int, fetch: bool = True) -> _Line | None:
        if not 0 <= row < self._count:
            return None
        page_number, offset = divmod(row, PAGE_SIZE)
        last = self._last_page
        if last is not None and last[0] == page_number:
            page = last[1]
        else:
            found = self._pages.get(page_number)
            if found is None:
                if fetch:
                    self._want(page_number)
                return None
            self._pages.move_to_end(page_number)
            self._last_page = (page_number, found)
            page = found
        return page.line(offset)

    def row_at(self, row: int, *, fetch: bool = True) -> TradeRow | None:
        """The row if its page is in memory; otherwise None (and, with `fetch`, ask for it)."""
        line = self._line_at(row, fetch)
        return None if line is None else line.row

    def trade_id(self, row: int) -> uuid.UUID | None:
        found = self.row_at(row, fetch=False)
        return None if found is None else found.id

    # -- QAbstractTableModel -----------------------------------------------------------------

    def rowCount(self, parent: _Index | None = None) -> int:
        if parent is not None and parent.isValid():
            return 0
        return self._count

    def columnCount(self, parent: _Index | None = None) -> int:
        if parent is not None and parent.isValid():
            return 0
        return len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        column = COLUMNS[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.header
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if column.numeric else _LEFT
        return None

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        if role not in _ROLES or not index.isValid():
            return None
        column = index.column()
        if role == _ALIGNMENT:
            return _ALIGNMENTS[column]
        line = self._line_at(index.row())
        if role == _DISPLAY:
            return PLACEHOLDER if line is None else line.texts[column]
        if role == _LOADED:
            return line is not None
        if line is None:
            return None
        if role == _FOREGROUND:
            sign = line.signs[column]
            return None if sign == 0 else self._colors[0] if sign > 0 else self._colors[1]
        if role == _SORT:
            return COLUMNS[column].value(line.row)
        if role == _TRADE_ID:
            return line.row.id
        if role == _TOOLTIP and column == _NOTES_COLUMN and line.row.has_notes:
            return "Has notes"
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Re-query the vault in the new order (the view calls this from its header)."""
        if not 0 <= column < len(COLUMNS):
            return
        sort = TradeSort(COLUMNS[column].sort_key, order == Qt.SortOrder.DescendingOrder)
        if sort != self._sort:
            self._sort = sort
            self.reload()


def column_of(key: SortKey) -> int:
    """The column index that sorts by `key`."""
    for number_, column in enumerate(COLUMNS):
        if column.sort_key is key:
            return number_
    raise KeyError(key)
