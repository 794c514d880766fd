"""The Import screen: choose (or drop) a broker file, check the preview, import, undo.

Everything that touches the file or the vault runs on the worker through `tasks`: reading
and parsing (a 100,000-line export takes seconds), the dry run that counts what is new, and
the import itself, which reports progress and can be cancelled; a cancelled or failed import
rolls back and stores nothing, exactly like `journal-desktop import`.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from PySide6.QtCore import Qt, QTimeZone
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from journal_desktop.storage.importing import ImportSummary
from journal_desktop.storage.vault import Vault
from journal_desktop.ui.import_flow import (
    FormatChoices,
    ImportOptions,
    PreparedImport,
    format_choices,
    prepare,
    run_import,
)
from journal_desktop.ui.import_history import IMPORT_CHANGES, ImportHistory
from journal_desktop.ui.import_preview import ImportPreview
from journal_desktop.ui.screen import Screen
from journal_desktop.ui.tasks import Cancelled, Progress, TaskHandle, VaultTasks, describe_error

#: Zones traders' brokers most often write times in; the local zone and any typed name also work.
COMMON_ZONES = (
    "UTC",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Tokyo",
    "Asia/Hong_Kong",
    "Australia/Sydney",
)
#: The time-zone combo's first entry: read times in the format's own default zone.
FORMAT_DEFAULT = "Format default"
_FILE_FILTER = "Broker exports (*.csv *.txt *.xml *.htm *.html);;All files (*)"


def local_zone_name() -> str:
    """The desktop's IANA zone (e.g. Europe/Berlin); UTC when the system does not say."""
    name = bytes(QTimeZone.systemTimeZoneId().data()).decode("ascii", "replace")
    return name or "UTC"


class ImportScreen(Screen):
    title: ClassVar[str] = "Import"
    icon_name: ClassVar[str] = "import"
    #: Past imports, and settings (a column mapping saved from the command line).
    depends_on: ClassVar[frozenset[str]] = frozenset({"imports", "settings"})

    def __init__(self, tasks: VaultTasks, parent: QWidget | None = None) -> None:
        super().__init__(tasks, parent)
        self.setAcceptDrops(True)
        self._path: Path | None = None
        self._prepared: PreparedImport | None = None
        self._handle: TaskHandle | None = None
        #: Set while the real import runs (not the preview), to word its end correctly.
        self._importing = False

        self.choose_button = QPushButton("Choose file…")
        self.choose_button.setAccessibleName("Choose a broker file to import")
        self.choose_button.clicked.connect(self.choose_file)
        self.file_label = QLabel("Choose a broker export, or drop one here.")
        self.file_label.setAccessibleName("File to import")
        self.file_label.setWordWrap(True)

        self.format_combo = QComboBox()
        self.format_combo.setAccessibleName("File format")
        self.format_combo.addItem("Detect automatically", None)
        self.format_combo.currentIndexChanged.connect(self._options_changed)

        self.zone_combo = QComboBox()
        self.zone_combo.setEditable(True)
        # A typed name is read when Enter is pressed or the field is left, and never added to
        # the list: a typo would otherwise be offered again as if it were a zone.
        self.zone_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.zone_combo.setAccessibleName("Time zone of the file's times")
        self.zone_combo.addItem(FORMAT_DEFAULT)
        local = local_zone_name()
        for name in (local, *COMMON_ZONES):
            if self.zone_combo.findText(name) < 0:
                self.zone_combo.addItem(name)
        self.zone_combo.setToolTip(
            f"The zone the broker wrote the times in; your computer's zone is {local}. "
            "Type any IANA name, such as America/New_York."
        )
        self.zone_combo.activated.connect(self._options_changed)
        line_edit = self.zone_combo.lineEdit()
        if line_edit is not None:
            line_edit.editingFinished.connect(self._options_changed)

        self.account_edit = QLineEdit()
        self.account_edit.setAccessibleName("Account to import into")
        self.account_edit.setPlaceholderText("As the file says; “Default” when it does not")
        self.account_edit.editingFinished.connect(self._options_changed)
        self.account_hint = QLabel()
        self.account_hint.setWordWrap(True)
        self.account_hint.setVisible(False)

        self.preview = ImportPreview()
        self.import_button = QPushButton("Import")
        self.import_button.setAccessibleName("Import the file")
        self.import_button.setEnabled(False)
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(self.start_import)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel reading or importing the file")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Import progress")
        self.progress.setVisible(False)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Import status")
        self.history = ImportHistory(tasks)
        self.history.undone.connect(self.status.setText)

        self._build_layout()

    def _build_layout(self) -> None:
        file_row = QHBoxLayout()
        file_row.addWidget(self.choose_button)
        file_row.addWidget(self.file_label, 1)
        form = QFormLayout()
        form.addRow("F&ormat:", self.format_combo)
        form.addRow("Time &zone:", self.zone_combo)
        form.addRow("&Account:", self.account_edit)
        form.addRow("", self.account_hint)
        actions = QHBoxLayout()
        actions.addWidget(self.progress, 1)
        actions.addStretch(1)
        actions.addWidget(self.cancel_button)
        actions.addWidget(self.import_button)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(file_row)
        top_layout.addLayout(form)
        top_layout.addWidget(self.preview, 1)
        top_layout.addLayout(actions)
        top_layout.addWidget(self.status)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(self.history)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.setTabOrder(self.choose_button, self.format_combo)
        self.setTabOrder(self.format_combo, self.zone_combo)
        self.setTabOrder(self.zone_combo, self.account_edit)
        self.setTabOrder(self.account_edit, self.import_button)

    # -- the agreed interface ------------------------------------------------------------------

    def choose_file(self) -> None:
        """Ctrl+I: ask for a file, then read it."""
        if self._refuse_while_importing():
            return
        start = str(self._path.parent) if self._path is not None else ""
        chosen, _ = QFileDialog.getOpenFileName(self, "Import a broker file", start, _FILE_FILTER)
        if chosen:
            self.import_file(Path(chosen))

    def import_file(self, path: Path | str) -> None:
        """Start the flow for `path`: read and parse it on the worker, then show the preview.

        The format is detected again for each new file (the previous file's choice would
        rarely fit); the time zone and account choices stay.
        """
        if self._refuse_while_importing():
            return
        self._path = Path(path)
        self.format_combo.blockSignals(True)
        self.format_combo.setCurrentIndex(0)
        self.format_combo.blockSignals(False)
        self.file_label.setText(str(self._path))
        self._start_preview()

    def _refuse_while_importing(self) -> bool:
        if self._importing:
            self.status.setText(
                "An import is running: wait for it to finish, or cancel it, before the next file."
            )
        return self._importing

    # -- reading and previewing ----------------------------------------------------------------

    def options(self) -> ImportOptions:
        zone_text = self.zone_combo.currentText().strip()
        zone_name = None if not zone_text or zone_text.startswith(FORMAT_DEFAULT) else zone_text
        choice = self.format_combo.currentData()
        mapping = choice[1] if isinstance(choice, tuple) else None
        return ImportOptions(
            format_name=choice if isinstance(choice, str) else None,
            timezone=zone_name,
            account=self.account_edit.text().strip(),
            mapping=mapping,
        )

    def _options_changed(self) -> None:
        if self._path is None or self._importing:
            return
        if self._prepared is not None and self._prepared.options == self.options():
            return
        self._start_preview()

    def _start_preview(self) -> None:
        assert self._path is not None
        if self._handle is not None:
            self._handle.cancel()
            self._handle.discard()
        self._prepared = None
        self.preview.clear()
        self.status.setText(f"Reading {self._path.name}…")
        self._set_busy(True, determinate=False)
        path, options = self._path, self.options()

        def work(vault: Vault, progress: Progress) -> PreparedImport:
            return prepare(
                vault,
                path,
                options,
                progress.check,
                lambda done, total: progress.report(done, total, "Checking"),
            )

        self._handle = self.tasks.run_with_progress(
            work,
            on_progress=self._progressed,
            on_success=self._previewed,
            on_failure=self._preview_failed,
            owner=self,
        )

    def _previewed(self, prepared: PreparedImport) -> None:
        self._handle = None
        self._prepared = prepared
        self._set_busy(False)
        self.preview.show_prepared(prepared)
        self.zone_combo.setItemText(0, f"{FORMAT_DEFAULT} ({prepared.format_default_zone})")
        self.account_hint.setText(account_hint(prepared))
        self.account_hint.setVisible(True)
        new = prepared.dry_run.new_executions
        self.import_button.setEnabled(new > 0)
        self.status.setText(
            f"Ready to import {new:,} new executions." if new else "Nothing new to import."
        )

    def _preview_failed(self, error: BaseException) -> None:
        self._handle = None
        self._set_busy(False)
        self.import_button.setEnabled(False)
        if isinstance(error, Cancelled):
            self.status.setText("Reading the file was cancelled.")
            return
        message = describe_error(error)
        self.preview.show_error(error, message)
        self.status.setText("Nothing was imported.")

    # -- importing -----------------------------------------------------------------------------

    def start_import(self) -> None:
        prepared = self._prepared
        if prepared is None or self._handle is not None:
            return
        self._importing = True
        self._set_busy(True, determinate=True)
        self.progress.setRange(0, max(len(prepared.parsed.executions), 1))
        self.progress.setValue(0)
        self.status.setText(f"Importing {prepared.filename}…")

        def work(vault: Vault, progress: Progress) -> ImportSummary:
            return run_import(
                vault,
                prepared,
                progress.check,
                lambda done, total: progress.report(done, total, "Importing"),
            )

        self._handle = self.tasks.run_with_progress(
            work,
            on_progress=self._progressed,
            on_success=self._imported,
            on_failure=self._import_failed,
            changes=IMPORT_CHANGES,
            owner=self,
        )

    def _progressed(self, done: int, total: int, _text: str) -> None:
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))

    def _imported(self, summary: ImportSummary) -> None:
        self._finish_import()
        self._prepared = None
        self.import_button.setEnabled(False)
        self.preview.clear()
        text = (
            f"Imported {summary.new_executions:,} of {summary.executions_in_file:,} executions "
            f"from {summary.filename}; {summary.duplicates:,} were already in the journal. "
            f"Trades in the positions touched: {summary.trades_closed:,} closed, "
            f"{summary.trades_open:,} open."
        )
        self.status.setText(text)

    def _import_failed(self, error: BaseException) -> None:
        self._finish_import()
        if isinstance(error, Cancelled):
            self.status.setText("Import cancelled: nothing was stored.")
            return
        self.import_button.setEnabled(False)
        self.preview.show_error(error, describe_error(error))
        self.status.setText("Nothing was imported.")

    def _finish_import(self) -> None:
        self._handle = None
        self._importing = False
        self._set_busy(False)
        if self._prepared is not None:
            self.import_button.setEnabled(self._prepared.dry_run.new_executions > 0)

    def cancel(self) -> None:
        """Stop reading or importing; an import in progress rolls back and stores nothing."""
        if self._handle is not None:
            self._handle.cancel()
            self.cancel_button.setEnabled(False)
            self.status.setText("Cancelling…")

    @property
    def prepared(self) -> PreparedImport | None:
        """The file read and previewed, ready to import (None while reading or after import)."""
        return self._prepared

    def _set_busy(self, busy: bool, *, determinate: bool = True) -> None:
        self.progress.setVisible(busy)
        if busy and not determinate:
            self.progress.setRange(0, 0)
        self.cancel_button.setEnabled(busy)
        self.choose_button.setEnabled(not (busy and self._importing))
        for widget in (self.format_combo, self.zone_combo, self.account_edit):
            widget.setEnabled(not self._importing)
        if busy:
            self.import_button.setEnabled(False)

    # -- screen life cycle and drag-and-drop ---------------------------------------------------

    def reload(self) -> None:
        super().reload()
        self.tasks.run(format_choices, on_success=self._show_formats, owner=self)
        self.history.reload()

    def _show_formats(self, choices: FormatChoices) -> None:
        """Fill the format combo (formats, then saved mappings), keeping the current choice."""
        current = self.format_combo.currentData()
        self.format_combo.blockSignals(True)
        while self.format_combo.count() > 1:
            self.format_combo.removeItem(1)
        for name, description in choices.formats:
            self.format_combo.addItem(f"{name}: {description}", name)
        for name in choices.mappings:
            self.format_combo.addItem(f"Saved column mapping: {name}", ("mapping", name))
        self.format_combo.setCurrentIndex(max(self.format_combo.findData(current), 0))
        self.format_combo.blockSignals(False)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _dropped_file(event) is not None and not self._importing:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        path = _dropped_file(event)
        if path is None or self._importing:
            event.ignore()
            return
        event.acceptProposedAction()
        self.import_file(path)


def account_hint(prepared: PreparedImport) -> str:
    """Which account(s) the executions will go into, so a missing account is noticed now."""
    if prepared.options.account:
        return f"Every execution goes into the account “{prepared.options.account}”."
    names = prepared.accounts_in_file
    if names == ("Default",):
        return (
            "This file does not say which account it is from: name the account above, or its "
            "executions go into “Default”."
        )
    return "Accounts named in the file: " + ", ".join(f"“{name}”" for name in names) + "."


def _dropped_file(event: QDragEnterEvent | QDropEvent) -> Path | None:
    mime = event.mimeData()
    if not mime.hasUrls():
        return None
    urls = [url for url in mime.urls() if url.isLocalFile()]
    if len(urls) != 1:
        return None
    return Path(urls[0].toLocalFile())
