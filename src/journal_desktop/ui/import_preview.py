"""What a file holds before it is imported: its first executions and what a dry run would add.

The trader checks here that the format was recognised and the times read in the right zone
(a wrong zone shifts every fill by hours, which the first rows make obvious).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QListWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from journal_desktop.ui import formatting
from journal_desktop.ui.import_flow import PreparedImport, fees_of, line_errors

#: The preview's columns, in order.
PREVIEW_COLUMNS = ("Time (local)", "Account", "Symbol", "Side", "Quantity", "Price", "Fees")
_NUMERIC = frozenset({"Quantity", "Price", "Fees"})


class ImportPreview(QWidget):
    """The first executions of a parsed file and a one-paragraph summary of the dry run."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setAccessibleName("Import summary")
        self.table = QTableWidget(0, len(PREVIEW_COLUMNS))
        self.table.setTabKeyNavigation(False)  # Tab leaves the list; arrows move in it
        self.table.setHorizontalHeaderLabels(list(PREVIEW_COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setAccessibleName("Preview of the first executions")
        self.errors = QListWidget()
        self.errors.setAccessibleName("Problems found in the file")
        self.errors.setVisible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.errors)
        layout.addWidget(self.table, 1)

    def clear(self) -> None:
        self.summary.clear()
        self.table.setRowCount(0)
        self.errors.clear()
        self.errors.setVisible(False)

    def show_prepared(self, prepared: PreparedImport) -> None:
        self.errors.clear()
        self.errors.setVisible(False)
        self.summary.setText(summary_text(prepared))
        rows = prepared.preview
        self.table.setRowCount(len(rows))
        for row, item in enumerate(rows):
            values = (
                formatting.local_time(item.executed_at, seconds=True),
                prepared.options.account or item.account or "Default",
                item.instrument.symbol,
                item.side.value,
                formatting.number(item.quantity),
                formatting.number(item.price),
                formatting.money(fees_of(item)),
            )
            for column, text in enumerate(values):
                cell = QTableWidgetItem(text)
                if PREVIEW_COLUMNS[column] in _NUMERIC:
                    cell.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, column, cell)

    def show_error(self, error: BaseException, message: str) -> None:
        """A file that cannot be imported: each problem on its own line, nothing previewed."""
        self.table.setRowCount(0)
        self.summary.setText(message)
        self.errors.clear()
        for problem in line_errors(error):
            parts = [problem.file]
            if problem.line is not None:
                parts.append(f"line {problem.line}")
            if problem.column is not None:
                parts.append(f"column {problem.column}")
            self.errors.addItem(f"{', '.join(parts)}: {problem.reason}")
        self.errors.setVisible(self.errors.count() > 0)


def summary_text(prepared: PreparedImport) -> str:
    dry = prepared.dry_run
    how = "recognised as" if prepared.detected else "read as"
    lines = [
        f"{prepared.filename}: {how} {prepared.format_name}; times read in {prepared.zone_name}.",
        f"{dry.executions_in_file:,} executions in the file: {dry.new_executions:,} new, "
        f"{dry.duplicates:,} already in the journal (skipped).",
    ]
    if dry.new_executions:
        lines.append(
            f"Trades in the positions touched: {dry.trades_closed:,} closed, "
            f"{dry.trades_open:,} open."
        )
    else:
        lines.append("Nothing new to import.")
    if dry.accounts_created:
        lines.append("New accounts: " + ", ".join(dry.accounts_created) + ".")
    if dry.instruments_created:
        shown = dry.instruments_created[:10]
        more = len(dry.instruments_created) - len(shown)
        lines.append(
            "New instruments: " + ", ".join(shown) + (f" and {more} more" if more else "") + "."
        )
    # Importers word their warnings for the command line; here the option is the zone choice.
    lines.extend(
        "Warning: "
        + warning.replace("import again with --timezone", "choose it under Time zone above")
        for warning in dry.warnings
    )
    if len(prepared.parsed.executions) > len(prepared.preview):
        lines.append(f"The first {len(prepared.preview)} executions are shown below.")
    return "\n".join(lines)
