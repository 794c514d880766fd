"""Past imports, newest first, each with Undo: a wrong file is one click (and a yes) away.

Undo removes exactly the executions that import added (and its kept original file) and
re-matches what remains, on the worker, all or nothing, as `journal-desktop undo-import` does.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from journal_desktop.domain.records import ImportBatch
from journal_desktop.storage.importing import UndoSummary, undo_import
from journal_desktop.ui import formatting
from journal_desktop.ui.tasks import ChangeSet, VaultTasks, describe_error

HISTORY_COLUMNS = ("Imported (local)", "File", "Format", "Executions", "Duplicates", "Time zone")
#: What an import or an undo changes, for every screen that shows trades.
IMPORT_CHANGES = ChangeSet(imports=True, trades=True, executions=True, accounts=True)


class ImportHistory(QWidget):
    """The list of past imports with an Undo button; loads itself through `tasks`."""

    #: An import was undone; the argument is a sentence saying what was removed.
    undone = Signal(str)

    def __init__(self, tasks: VaultTasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self._batches: list[ImportBatch] = []
        self.table = QTableWidget(0, len(HISTORY_COLUMNS))
        self.table.setTabKeyNavigation(False)  # Tab leaves the list; arrows move in it
        self.table.setHorizontalHeaderLabels(list(HISTORY_COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setAccessibleName("Past imports")
        self.table.itemSelectionChanged.connect(self._selection_changed)
        # Undo waits for the worker to be free; when it is, a batch already picked can go.
        tasks.busy_changed.connect(self._busy_changed)
        self.undo_button = QPushButton("Undo import…")
        self.undo_button.setAccessibleName("Undo the selected import")
        self.undo_button.setEnabled(False)
        self.undo_button.clicked.connect(self.undo_selected)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Past imports status")
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.undo_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        title = QLabel("Past imports")
        title.setObjectName("sectionTitle")
        layout.addWidget(title)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    @property
    def batches(self) -> list[ImportBatch]:
        return list(self._batches)

    def reload(self) -> None:
        self.tasks.run(
            lambda vault: vault.imports.newest_first(),
            on_success=self._show,
            on_failure=self._failed,
            owner=self,
        )

    def _show(self, batches: list[ImportBatch]) -> None:
        self._batches = batches
        self.table.setRowCount(len(batches))
        for row, batch in enumerate(batches):
            values = (
                formatting.local_time(batch.imported_at),
                batch.filename,
                batch.format_name,
                f"{batch.execution_count:,}",
                f"{batch.duplicate_count:,}",
                batch.timezone,
            )
            for column, text in enumerate(values):
                cell = QTableWidgetItem(text)
                if column in (3, 4):
                    cell.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, column, cell)
        if not batches:
            self.status.setText("No imports yet.")
        elif not self.status.text() or self.status.text() == "No imports yet.":
            self.status.clear()
        self._selection_changed()

    def _failed(self, error: BaseException) -> None:
        self.status.setText(describe_error(error))

    def _busy_changed(self, _busy: bool) -> None:
        self._selection_changed()

    def _selection_changed(self) -> None:
        self.undo_button.setEnabled(self.selected() is not None and not self.tasks.busy)

    def selected(self) -> ImportBatch | None:
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        if len(rows) != 1:
            return None
        row = rows.pop()
        return self._batches[row] if 0 <= row < len(self._batches) else None

    def select_batch(self, batch_id: uuid.UUID) -> None:
        for row, batch in enumerate(self._batches):
            if batch.id == batch_id:
                self.table.selectRow(row)
                return

    def undo_selected(self) -> None:
        batch = self.selected()
        if batch is None:
            return
        answer = QMessageBox.question(
            self,
            "Undo import",
            f"Remove the {batch.execution_count:,} executions imported from {batch.filename} "
            f"on {formatting.local_time(batch.imported_at)}?\n\nTrades in the positions they "
            "touched are rebuilt from what remains; notes on trades that survive are kept.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.undo_button.setEnabled(False)
        self.status.setText(f"Removing the import of {batch.filename}…")
        batch_id = batch.id
        self.tasks.run(
            lambda vault: undo_import(vault, batch_id),
            on_success=self._undone,
            on_failure=self._failed,
            changes=IMPORT_CHANGES,
            owner=self,
        )

    def _undone(self, result: UndoSummary) -> None:
        message = (
            f"Removed the import of {result.filename}: {result.executions_removed:,} "
            f"executions; {result.trades_remaining:,} trades remain in the positions it touched."
        )
        self.status.setText(message)
        self.undone.emit(message)
