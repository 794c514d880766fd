"""The dashboard: key figures, equity curve, daily P&L calendar and breakdowns, one filter.

Every figure follows the filter bar (date range and account). A reload is one task on the
vault's worker (`storage.dashboard_data.load_dashboard`) that returns an immutable result; a
newer reload discards the pending one's callbacks, so flicking through ranges never shows a
stale answer. Text figures come from exact Decimals; only the plot uses floats.
"""

from __future__ import annotations

import calendar
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import date, tzinfo
from typing import Any, ClassVar

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QStackedWidget,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from journal_desktop.domain.statistics import BucketStats, Statistics
from journal_desktop.storage.dashboard_data import (
    EXTREMES,
    DashboardData,
    ExtremeTrade,
    load_dashboard,
)
from journal_desktop.storage.vault import Vault
from journal_desktop.ui.charts.breakdown import BreakdownTable
from journal_desktop.ui.charts.calendar_heatmap import MAX_MONTHS, CalendarHeatmap, DayPnl
from journal_desktop.ui.charts.equity_curve import EquityCurveChart
from journal_desktop.ui.charts.stat_cards import StatCards, Tone
from journal_desktop.ui.dashboard_filter import DashboardFilterBar, local_zone
from journal_desktop.ui.formatting import UNDEFINED, local_time, money, percent, ratio
from journal_desktop.ui.screen import OPENING_TEXT, Screen
from journal_desktop.ui.tasks import TaskHandle, VaultLocked, VaultTasks, describe_error

EMPTY_TEXT = "No trades yet — import a file (Ctrl+I) or add one (Ctrl+N)."
NO_MATCH_TEXT = "No closed trades in this range or account."

#: Card keys and captions, in the order they are laid out.
CARDS = {
    "net_pnl": "Net P&L",
    "win_rate": "Win rate",
    "profit_factor": "Profit factor",
    "expectancy": "Expectancy",
    "average_r": "Average R",
    "max_drawdown": "Max drawdown",
    "trades": "Trades",
    "gross_pnl": "Gross P&L",
    "fees": "Fees",
    "largest": "Largest win / loss",
}

#: Breakdown tabs: key, tab title, and how a Statistics gives its rows.
BREAKDOWNS: tuple[tuple[str, str, Callable[[Statistics], list[tuple[str, BucketStats]]]], ...] = (
    ("symbol", "Symbol", lambda s: list(s.by_symbol.items())),
    ("tag", "Tag", lambda s: list(s.by_tag.items())),
    ("setup", "Setup", lambda s: [(k or "(no setup)", b) for k, b in s.by_setup.items()]),
    ("weekday", "Weekday", lambda s: [(calendar.day_name[k], b) for k, b in s.by_weekday.items()]),
    ("hour", "Hour opened", lambda s: [(f"{k:02d}:00", b) for k, b in s.by_hour.items()]),
    ("side", "Long / short", lambda s: [(k.value.title(), b) for k, b in s.by_direction.items()]),
    ("holding", "Holding time", lambda s: [(k.label, b) for k, b in s.by_holding_time.items()]),
)


class DashboardScreen(Screen):
    """Key statistics, equity curve, P&L calendar and breakdowns for the chosen range."""

    title: ClassVar[str] = "Dashboard"
    icon_name: ClassVar[str] = "dashboard"
    depends_on: ClassVar[frozenset[str]] = frozenset(
        {"trades", "executions", "tags", "imports", "accounts"}
    )

    #: The trader asked to open a trade (largest wins/losses list): its `uuid.UUID`.
    open_trade = Signal(object)
    #: A day was chosen on the calendar: its `datetime.date` (the journal may show it).
    day_selected = Signal(object)
    #: New content is on screen (after each completed reload).
    reloaded = Signal()

    def __init__(
        self,
        tasks: VaultTasks,
        parent: QWidget | None = None,
        *,
        tz: tzinfo | None = None,
        today: Callable[[], date] | None = None,
    ) -> None:
        super().__init__(tasks, parent)
        self.tz = tz or local_zone()
        self.data: DashboardData | None = None
        self._pending: TaskHandle | None = None
        self._superseded = threading.Event()
        self.reload_count = 0

        self.filter_bar = DashboardFilterBar(self.tz, today, self)
        self.filter_bar.changed.connect(self.reload)
        self.status = QLabel("")
        self.status.setAccessibleName("Dashboard status")

        self.cards = StatCards(CARDS, columns=5)
        self.equity_curve = EquityCurveChart()
        self.equity_curve.setMinimumHeight(240)
        self.equity_curve.setMaximumHeight(300)  # the calendar should show on a laptop screen
        self.heatmap = CalendarHeatmap()
        self.heatmap.day_selected.connect(self.day_selected)
        self.heatmap_note = QLabel(
            f"Showing the latest {MAX_MONTHS} months: choose a date range to see earlier ones."
        )
        self.heatmap_note.setWordWrap(True)
        self.heatmap_note.hide()
        self.largest_wins = self._trade_list("Largest wins")
        self.largest_losses = self._trade_list("Largest losses")
        self.breakdown_tabs = QTabWidget()
        self.breakdown_tabs.setAccessibleName("Breakdowns")
        self.breakdowns: dict[str, BreakdownTable] = {}
        for key, tab_title, _rows in BREAKDOWNS:
            table = BreakdownTable(tab_title)
            table.setMinimumHeight(260)
            self.breakdowns[key] = table
            self.breakdown_tabs.addTab(table, tab_title)

        self.empty_state = QLabel(EMPTY_TEXT)
        self.empty_state.setAccessibleName("No trades yet")
        self.empty_state.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_state.setWordWrap(True)
        font = self.empty_state.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.empty_state.setFont(font)

        # Until the first figures arrive (at start-up the vault is still being opened behind
        # the window) the page says so, rather than showing empty cards as if they were zero.
        self.loading_state = QLabel(OPENING_TEXT)
        self.loading_state.setAccessibleName("Loading the dashboard")
        self.loading_state.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.loading_state.setFont(font)

        self.pages = QStackedWidget()
        self.pages.addWidget(self._content_page())
        self.pages.addWidget(self.empty_state)
        self.pages.addWidget(self.loading_state)
        self.pages.setCurrentWidget(self.loading_state)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(self.filter_bar, 1)
        top.addWidget(self.status)
        layout.addLayout(top)
        layout.addWidget(self.pages, 1)
        self.setTabOrder(self.filter_bar.account_combo, self.heatmap)

    # -- layout --------------------------------------------------------------------------------

    def _content_page(self) -> QScrollArea:
        content = QWidget()
        grid = QGridLayout(content)
        grid.addWidget(self.cards, 0, 0, 1, 2)
        curve_box = QGroupBox("Equity curve")
        QVBoxLayout(curve_box).addWidget(self.equity_curve)
        grid.addWidget(curve_box, 1, 0, 1, 2)
        calendar_box = QGroupBox("Daily P&&L")
        calendar_layout = QVBoxLayout(calendar_box)
        calendar_layout.addWidget(self.heatmap)
        calendar_layout.addWidget(self.heatmap_note)
        grid.addWidget(calendar_box, 2, 0)
        lists = QWidget()
        lists_layout = QVBoxLayout(lists)
        lists_layout.setContentsMargins(0, 0, 0, 0)
        for caption, tree in (
            ("Largest wins", self.largest_wins),
            ("Largest losses", self.largest_losses),
        ):
            box = QGroupBox(caption)
            QVBoxLayout(box).addWidget(tree)
            lists_layout.addWidget(box)
        # Breakdowns beside the calendar, under the lists: a year of months is tall.
        breakdown_box = QGroupBox("Breakdowns")
        QVBoxLayout(breakdown_box).addWidget(self.breakdown_tabs)
        lists_layout.addWidget(breakdown_box, 1)
        grid.addWidget(lists, 2, 1)
        grid.setRowStretch(2, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        scroll = QScrollArea()
        # Not a stop of its own: a frame with no name to announce; it still scrolls to the
        # control the focus moves to.
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(content)
        return scroll

    def _trade_list(self, name: str) -> QTreeWidget:
        tree = QTreeWidget()
        tree.setAccessibleName(name)
        tree.setHeaderLabels(["Symbol", "Closed", "Net P&L"])
        tree.setRootIsDecorated(False)
        tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        tree.setToolTip("Double-click or press Enter to open the trade")
        tree.itemActivated.connect(self._open_item)
        # The header and every trade: no scrolling, little empty space.
        line = tree.fontMetrics().height()
        tree.setFixedHeight(line + 10 + EXTREMES * (line + 4) + 2 * tree.frameWidth() + 4)
        return tree

    # -- loading -------------------------------------------------------------------------------

    def reload(self) -> None:
        """Ask the worker for the dashboard under the current filter."""
        super().reload()
        if not self.tasks.is_open:
            self._stale = True
            return
        if self._pending is not None:
            self._pending.discard()
            self._superseded.set()
        flt = self.filter_bar.trade_filter()
        superseded = self._superseded = threading.Event()

        def work(vault: Vault) -> DashboardData | None:
            # A reload still queued when a newer one was asked for skips its read: flicking
            # through ranges on 100,000 trades must not queue seconds of stale work.
            return None if superseded.is_set() else load_dashboard(vault, flt)

        self.status.setText("Updating…")
        self._pending = self.tasks.run(
            work, on_success=self._show, on_failure=self._failed, owner=self
        )
        if not self.equity_curve.built:
            # pyqtgraph's import (0.35-0.5 s, GUI thread only) while the worker reads, not
            # after; from the event loop, so the loading page paints first.
            QTimer.singleShot(0, self.equity_curve, self.equity_curve.build_plot)

    @property
    def loading(self) -> bool:
        return self._pending is not None

    def _failed(self, error: BaseException) -> None:
        self._pending = None
        if isinstance(error, VaultLocked):
            self._stale = True
            self.status.setText("")
            return
        self.status.setText(describe_error(error))
        if self.pages.currentWidget() is self.loading_state:
            self.loading_state.setText(describe_error(error))

    def _show(self, data: DashboardData | None) -> None:
        if data is None:  # superseded; its handle was discarded, so this is not reached
            return
        self._pending = None
        self.data = data
        self.reload_count += 1
        self.filter_bar.set_accounts(data.accounts)
        stats = data.statistics
        self.filter_bar.setVisible(data.vault_has_trades)  # nothing to filter yet
        if not data.vault_has_trades:
            self.pages.setCurrentWidget(self.empty_state)
            self.status.setText("")
        else:
            self.pages.setCurrentIndex(0)
            self.status.setText(
                NO_MATCH_TEXT
                if stats.trade_count == 0
                else f"{stats.trade_count:,} closed trade{'s' if stats.trade_count != 1 else ''}"
            )
        self._show_cards(stats)
        self.equity_curve.set_curve(data.curve_times, data.curve_equity)
        self.heatmap.set_days(
            {day: DayPnl(b.net_pnl, b.count) for day, b in stats.daily.items()},
            data.filter.date_from,
            data.filter.date_to,
        )
        self.heatmap_note.setVisible(self.heatmap.truncated)
        self._fill_list(self.largest_wins, data.largest_wins)
        self._fill_list(self.largest_losses, data.largest_losses)
        for key, _title, rows in BREAKDOWNS:
            self.breakdowns[key].set_rows(rows(stats))
        self.reloaded.emit()

    def _show_cards(self, stats: Statistics) -> None:
        totals = stats.totals
        card = self.cards.card
        card("net_pnl").set_value(
            money(stats.net_pnl, signed=True), "after fees", Tone.of(stats.net_pnl)
        )
        card("win_rate").set_value(
            percent(stats.win_rate),
            f"{totals.wins:,} won · {totals.losses:,} lost · {totals.breakeven:,} even",
        )
        factor = "∞" if totals.profit_factor_unbounded else ratio(stats.profit_factor)
        card("profit_factor").set_value(
            factor,
            f"avg win {_money_or_dash(totals.avg_win)} · "
            f"avg loss {_money_or_dash(totals.avg_loss)}",
        )
        card("expectancy").set_value(
            _money_or_dash(stats.expectancy, signed=True), "per trade", Tone.of(stats.expectancy)
        )
        r = stats.r
        card("average_r").set_value(
            ratio(r.average) + ("R" if r.average is not None else ""),
            f"{r.count:,} trade{'s' if r.count != 1 else ''} with a risk set"
            if r.count
            else "no trade has an initial risk",
            Tone.of(r.average),
        )
        drawdown = stats.drawdown
        card("max_drawdown").set_value(
            money(-drawdown.amount) if drawdown.amount else money(drawdown.amount),
            UNDEFINED
            if drawdown.percent is None
            else f"{percent(drawdown.percent / 100)} of the peak",
            Tone.LOSS if drawdown.amount else Tone.NEUTRAL,
        )
        card("trades").set_value(
            f"{stats.trade_count:,}",
            f"longest streaks: {stats.longest_win_streak} won, {stats.longest_loss_streak} lost",
        )
        card("gross_pnl").set_value(
            money(stats.gross_pnl, signed=True), "before fees", Tone.of(stats.gross_pnl)
        )
        card("fees").set_value(money(stats.fees), "commissions and fees")
        card("largest").set_value(
            _money_or_dash(totals.largest_win, signed=True),
            f"largest loss {_money_or_dash(totals.largest_loss)}",
            Tone.of(totals.largest_win),
        )

    def _fill_list(self, tree: QTreeWidget, trades: Sequence[ExtremeTrade]) -> None:
        tree.clear()
        for trade in trades:
            item = QTreeWidgetItem(
                [trade.symbol, local_time(trade.closed_at), money(trade.net_pnl, signed=True)]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, trade.trade_id)
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            tree.addTopLevelItem(item)

    def _open_item(self, item: QTreeWidgetItem, _column: int) -> None:
        trade_id = item.data(0, Qt.ItemDataRole.UserRole)
        if trade_id is not None:
            self.open_trade.emit(trade_id)

    # -- for tests and screenshots -------------------------------------------------------------

    def card_values(self) -> Mapping[str, str]:
        return {key: card.value for key, card in self.cards.cards.items()}

    def breakdown_rows(self, key: str) -> list[list[str]]:
        return self.breakdowns[key].shown_rows()

    def largest_list_rows(self, *, wins: bool) -> list[list[str]]:
        tree = self.largest_wins if wins else self.largest_losses
        rows: list[list[str]] = []
        for index in range(tree.topLevelItemCount()):
            item = tree.topLevelItem(index)
            if item is not None:
                rows.append([item.text(column) for column in range(3)])
        return rows


def _money_or_dash(value: Any, *, signed: bool = False) -> str:
    return UNDEFINED if value is None else money(value, signed=signed)
