"""The audit log: what changed, when and on which device, and a check that history is intact.

Each entry's hash covers the one before it, so an edited, removed or reordered entry breaks
the chain; Verify recomputes it on the worker. The table names the fields that changed, not
their values: the values can hold journal text, and a summary is what a person scans for.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from journal_desktop.storage.audit import AuditEntry, AuditVerification
from journal_desktop.ui import formatting
from journal_desktop.ui.settings_work import AUDIT_ROWS, audit_entries, audit_summary, verify_audit
from journal_desktop.ui.tasks import VaultTasks, describe_error
from journal_desktop.ui.theme import palette_colors

AUDIT_COLUMNS = ("Time (local)", "Device", "Action", "Record", "Id", "Changed")


def _when(text: str) -> str:
    try:
        return formatting.local_time(datetime.fromisoformat(text), seconds=True)
    except ValueError:
        return text


class AuditSection(QGroupBox):
    def __init__(self, tasks: VaultTasks, parent: QWidget | None = None) -> None:
        super().__init__("Audit log", parent)
        self.tasks = tasks
        self._entries: list[AuditEntry] = []
        self.table = QTableWidget(0, len(AUDIT_COLUMNS))
        self.table.setTabKeyNavigation(False)  # Tab leaves the list; arrows move in it
        self.table.setHorizontalHeaderLabels(list(AUDIT_COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setAccessibleName("Recent audit log entries")
        self.table.setMinimumHeight(180)
        self.verify_button = QPushButton("Verify")
        self.verify_button.setAccessibleName("Verify the audit log's hash chain")
        self.verify_button.clicked.connect(self.verify)
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setAccessibleName("Audit log verification result")
        note = QLabel(
            f"The newest {AUDIT_ROWS} entries; every change to the journal is recorded, chained "
            "by hashes so that editing history shows."
        )
        note.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.result, 1)
        row.addWidget(self.verify_button)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)

    @property
    def entries(self) -> list[AuditEntry]:
        return list(self._entries)

    def reload(self) -> None:
        self.tasks.run(audit_entries, on_success=self._show, on_failure=self._failed, owner=self)

    def _show(self, entries: list[AuditEntry]) -> None:
        self._entries = entries
        self.table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            values = (
                _when(entry.at),
                entry.device,
                entry.action,
                entry.record_type,
                entry.record_id[:8],
                audit_summary(entry),
            )
            for column, text in enumerate(values):
                item = QTableWidgetItem(text)
                if column == 4:
                    item.setToolTip(entry.record_id)
                self.table.setItem(row, column, item)

    def verify(self) -> None:
        self.verify_button.setEnabled(False)
        self.result.setStyleSheet("")
        self.result.setText("Verifying…")
        self.tasks.run(verify_audit, on_success=self._verified, on_failure=self._failed, owner=self)

    def _verified(self, outcome: AuditVerification) -> None:
        self.verify_button.setEnabled(True)
        colors = palette_colors()
        if outcome.ok:
            self.result.setText(
                f"The audit log is intact: {outcome.entries:,} entries, hash chain verified."
            )
            self.result.setStyleSheet(f"color: {colors.gain.name()}")
        else:
            self.result.setText(
                f"The audit log was tampered with: {outcome.problem}. Restore a backup you "
                "trust, and keep this journal's folder for investigation."
            )
            self.result.setStyleSheet(f"color: {colors.loss.name()}")

    def _failed(self, error: BaseException) -> None:
        self.verify_button.setEnabled(True)
        self.result.setText(describe_error(error))
