"""The trades screen: every trade in a lazy table, filtered, sorted, searched and bulk-tagged.

The table is a `TradeTableModel`, so 100,000 trades cost a few pages of memory and the GUI
thread never waits for the vault. Bulk tagging works on rows, not on loaded data: the worker
turns the selected positions into trade ids through the same query the table shows, so a
selection that spans pages never read still tags exactly what the trader selected.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QPoint, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QHideEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMenu,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from journal_desktop.storage.dashboard_data import AccountChoice
from journal_desktop.storage.tagging import TaggingResult, add_tag, remove_tag
from journal_desktop.storage.trade_list import SortKey, TradeListFilter, TradeListSummary
from journal_desktop.storage.vault import Vault
from journal_desktop.ui.dashboard_filter import local_zone
from journal_desktop.ui.formatting import money
from journal_desktop.ui.screen import Screen
from journal_desktop.ui.tasks import (
    Cancelled,
    ChangeSet,
    Progress,
    TaskHandle,
    VaultTasks,
    describe_error,
)
from journal_desktop.ui.trade_table_model import COLUMNS, TradeTableModel, column_of
from journal_desktop.ui.trades_filter import TradesFilterBar

#: QSettings key of the table's column widths and order.
HEADER_SETTING = "trades/header_state"
#: Selections larger than this are not restored after a reload (each is a lookup).
RESTORE_SELECTION_LIMIT = 200


class TradesScreen(Screen):
    """All trades, with the filter bar above and a count with the filter's net P&L below."""

    title: ClassVar[str] = "Trades"
    icon_name: ClassVar[str] = "trades"
    depends_on: ClassVar[frozenset[str]] = frozenset(
        {"trades", "executions", "tags", "imports", "accounts"}
    )

    #: The trader opened a trade (double-click or Enter); carries its `uuid.UUID`.
    open_trade = Signal(object)
    #: A bulk tag or untag finished; carries the `TaggingResult`.
    tagging_done = Signal(object)

    def __init__(self, tasks: VaultTasks, parent: QWidget | None = None) -> None:
        super().__init__(tasks, parent)
        self.model = TradeTableModel(tasks, self)
        self.filters = TradesFilterBar(local_zone())
        self.view = QTableView()
        self.view.setTabKeyNavigation(False)  # Tab leaves the list; arrows move in it
        self.view.setAccessibleName("Trades")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        rows = self.view.verticalHeader()
        rows.setVisible(False)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.view.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setSortIndicator(column_of(SortKey.OPENED), Qt.SortOrder.DescendingOrder)
        self.view.setSortingEnabled(True)
        self._restore_header()

        self.count_label = QLabel("")
        self.count_label.setAccessibleName("Trade count")
        self.status_label = QLabel("")
        self.status_label.setAccessibleName("Status")
        self.tag_button = QToolButton()
        self.tag_button.setText("Tag…")
        self.tag_button.setAccessibleName("Tag selected trades")
        self.tag_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.cancel_button = QToolButton()
        self.cancel_button.setText("Cancel")
        self.cancel_button.setAccessibleName("Cancel tagging")
        self.cancel_button.hide()
        self._tagging: TaskHandle | None = None
        self.add_tag_action = QAction("Add tag to selected trades…", self)
        self.remove_tag_action = QAction("Remove tag from selected trades…", self)
        self.open_action = QAction("Open trade", self)
        tag_menu = QMenu(self.tag_button)
        tag_menu.addAction(self.add_tag_action)
        tag_menu.addAction(self.remove_tag_action)
        self.tag_button.setMenu(tag_menu)

        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label)
        bottom.addStretch(1)
        bottom.addWidget(self.status_label)
        bottom.addWidget(self.cancel_button)
        bottom.addWidget(self.tag_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filters)
        layout.addWidget(self.view, 1)
        layout.addLayout(bottom)
        self.setTabOrder(self.filters, self.view)

        self._selected_before_reload: list[uuid.UUID] = []
        self._current_before_reload: tuple[uuid.UUID, int] | None = None
        self.filters.changed.connect(self._apply_filter)
        self.filters.search_edit.returnPressed.connect(self.filters.flush)
        self.model.reloaded.connect(self._reloaded)
        self.model.summary_changed.connect(self._show_summary)
        self.model.failed.connect(self.status_label.setText)
        self.model.modelAboutToBeReset.connect(self._remember_selection)
        self.view.doubleClicked.connect(lambda index: self._open_row(index.row()))
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.view.installEventFilter(self)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        self.cancel_button.clicked.connect(self.cancel_tagging)
        self.add_tag_action.triggered.connect(self._ask_add_tag)
        self.remove_tag_action.triggered.connect(self._ask_remove_tag)
        self.open_action.triggered.connect(lambda: self._open_row(self.view.currentIndex().row()))
        self._selection_changed()

    # -- agreed interface ----------------------------------------------------------------------

    def focus_search(self) -> None:
        """Ctrl+F: put the cursor in the search box, its text selected."""
        self.filters.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filters.search_edit.selectAll()

    # -- loading -------------------------------------------------------------------------------

    def reload(self) -> None:
        super().reload()
        self.count_label.setText("Loading…")
        self.model.reload()
        self.tasks.run(_choices, on_success=self._choices_arrived, owner=self)

    def _choices_arrived(
        self, choices: tuple[list[AccountChoice], list[tuple[uuid.UUID, str]]]
    ) -> None:
        accounts, tags = choices
        self.filters.set_accounts(accounts)
        self.filters.set_tags(tags)

    def _apply_filter(self) -> None:
        self.count_label.setText("Loading…")
        self.model.set_filter(self.filters.trade_filter())

    def _reloaded(self, count: int) -> None:
        if count == 0:
            self.count_label.setText("No trades match." if self._filtered() else "No trades yet.")
        self._restore_selection()

    def _filtered(self) -> bool:
        current = self.model.trade_filter
        return current != TradeListFilter(tz=current.tz, date_field=current.date_field)

    def _show_summary(self, summary: TradeListSummary) -> None:
        if summary.count == 0:
            return
        noun = "trade" if summary.count == 1 else "trades"
        self.count_label.setText(
            f"{summary.count:,} {noun}, net {money(summary.net_pnl, signed=True)}"
        )

    # -- selection -----------------------------------------------------------------------------

    def selected_rows(self) -> list[int]:
        return sorted(index.row() for index in self.view.selectionModel().selectedRows())

    def _selection_changed(self) -> None:
        has = self.view.selectionModel().hasSelection()
        for action in (self.add_tag_action, self.remove_tag_action):
            action.setEnabled(has)
        self.tag_button.setEnabled(has)

    def _remember_selection(self) -> None:
        ids = [self.model.trade_id(row) for row in self.selected_rows()[:RESTORE_SELECTION_LIMIT]]
        self._selected_before_reload = [i for i in ids if i is not None]
        current = self.view.currentIndex()
        trade_id = self.model.trade_id(current.row()) if current.isValid() else None
        self._current_before_reload = (trade_id, current.column()) if trade_id else None

    def _restore_selection(self) -> None:
        """Select again, after a reload, the trades that were selected (where still listed),
        and put the keyboard back on the row it was on: a reset model forgets its current
        index, and Enter and the arrow keys start from it."""
        wanted, self._selected_before_reload = self._selected_before_reload, []
        current, self._current_before_reload = self._current_before_reload, None
        query = self.model.current_query
        if not (wanted or current) or query is None:
            return

        def positions(_vault: Vault) -> tuple[list[int], int | None]:
            found = (query.position_of(trade_id) for trade_id in wanted)
            at = query.position_of(current[0]) if current is not None else None
            return sorted(p for p in found if p is not None), at

        column = current[1] if current is not None else 0
        self.tasks.run(
            positions,
            on_success=lambda found: self._select_positions(*found, column=column),
            owner=self,
        )

    def _select_positions(
        self, positions: list[int], current: int | None = None, *, column: int = 0
    ) -> None:
        selection = self.view.selectionModel()
        rows = self.model.rowCount()
        if current is not None and current < rows and not selection.currentIndex().isValid():
            selection.setCurrentIndex(
                self.model.index(current, column), selection.SelectionFlag.NoUpdate
            )
        for row in positions:
            if row < rows:
                selection.select(
                    self.model.index(row, 0),
                    selection.SelectionFlag.Select | selection.SelectionFlag.Rows,
                )

    # -- bulk tagging --------------------------------------------------------------------------

    def tag_selected(self, name: str) -> None:
        """Give every selected trade the tag `name` (created if new), on the worker."""
        self._bulk_tag(name, adding=True)

    def untag_selected(self, name: str) -> None:
        """Take the tag `name` off every selected trade, on the worker."""
        self._bulk_tag(name, adding=False)

    def _bulk_tag(self, name: str, *, adding: bool) -> None:
        rows = self.selected_rows()
        query = self.model.current_query
        if not rows or query is None or not name.strip():
            return

        def work(vault: Vault, progress: Progress) -> TaggingResult:
            ids = query.ids_at(rows)

            def report(done: int, total: int) -> None:
                progress.report(done, total, "")

            if adding:
                return add_tag(vault, ids, name, progress=report)
            return remove_tag(vault, ids, name, progress=report)

        self.status_label.setText("Tagging…")
        self.cancel_button.show()
        self._tagging = self.tasks.run_with_progress(
            work,
            on_progress=self._tagging_progress,
            on_success=lambda result: self._tagged(result, adding),
            on_failure=self._tagging_failed,
            changes=ChangeSet(trades=True, tags=True),
            owner=self,
        )

    def _tagging_progress(self, done: int, total: int, _text: str) -> None:
        self.status_label.setText(f"Tagging… {done:,} of {total:,}")

    def _tagging_failed(self, error: BaseException) -> None:
        self.cancel_button.hide()
        self._tagging = None
        if isinstance(error, Cancelled):
            self.status_label.setText("Tagging cancelled; no trade was changed.")
        else:
            self.status_label.setText(describe_error(error))

    def cancel_tagging(self) -> None:
        if self._tagging is not None:
            self._tagging.cancel()

    def _tagged(self, result: TaggingResult, adding: bool) -> None:
        self.cancel_button.hide()
        self._tagging = None
        name = result.tag.name if result.tag is not None else ""
        noun = "trade" if result.changed == 1 else "trades"
        if adding:
            text = f"Tagged {result.changed} {noun} “{name}”."
        elif result.tag is None:
            text = "No tag has that name."
        else:
            text = f"Removed “{name}” from {result.changed} {noun}."
        self.status_label.setText(text)
        self.tagging_done.emit(result)

    def _ask_add_tag(self) -> None:
        name = self._ask_tag_name("Add tag", "Tag the selected trades with:")
        if name:
            self.tag_selected(name)

    def _ask_remove_tag(self) -> None:
        name = self._ask_tag_name("Remove tag", "Remove this tag from the selected trades:")
        if name:
            self.untag_selected(name)

    def _ask_tag_name(self, title: str, prompt: str) -> str:
        names = [
            self.filters.tag_combo.itemText(i) for i in range(1, self.filters.tag_combo.count())
        ]
        name, ok = QInputDialog.getItem(self, title, prompt, names, 0, True)
        return name.strip() if ok else ""

    # -- opening -------------------------------------------------------------------------------

    def _open_row(self, row: int) -> None:
        trade_id = self.model.trade_id(row)
        if trade_id is not None:
            self.open_trade.emit(trade_id)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.view
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            current = self.view.currentIndex()
            rows = self.selected_rows()
            # The row the keyboard is on; else the one selected trade (a click's selection).
            self._open_row(current.row() if current.isValid() or not rows else rows[0])
            return True
        return super().eventFilter(watched, event)

    def _context_menu(self, position: QPoint) -> None:
        menu = QMenu(self)
        menu.addAction(self.open_action)
        menu.addSeparator()
        menu.addAction(self.add_tag_action)
        menu.addAction(self.remove_tag_action)
        menu.popup(self.view.viewport().mapToGlobal(position))

    # -- column widths -------------------------------------------------------------------------

    def _settings(self) -> QSettings | None:
        """The app's settings, only once the app has named itself (not in bare tests)."""
        if not QCoreApplication.organizationName():
            return None
        return QSettings()

    def _restore_header(self) -> None:
        settings = self._settings()
        state = settings.value(HEADER_SETTING) if settings is not None else None
        if state is not None:
            self.view.horizontalHeader().restoreState(state)
        else:
            for column, width in _DEFAULT_WIDTHS.items():
                self.view.setColumnWidth(column, width)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self.model.refresh_colors()  # gains and losses in the new theme's colours
        super().changeEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        settings = self._settings()
        if settings is not None:
            settings.setValue(HEADER_SETTING, self.view.horizontalHeader().saveState())
        super().hideEvent(event)


_DEFAULT_WIDTHS = {
    index: width
    for index, width in enumerate((125, 125, 90, 80, 50, 55, 95, 95, 90, 60, 130, 130, 60, 45))
    if index < len(COLUMNS)
}


def _choices(vault: Vault) -> tuple[list[AccountChoice], list[tuple[uuid.UUID, str]]]:
    """The accounts and tags the filter bar offers (worker thread)."""
    accounts = sorted(
        (AccountChoice(a.id, a.name) for a in vault.accounts.list_all()),
        key=lambda a: a.name.casefold(),
    )
    tags = sorted(((t.id, t.name) for t in vault.tags.list_all()), key=lambda t: t[1].casefold())
    return accounts, tags
