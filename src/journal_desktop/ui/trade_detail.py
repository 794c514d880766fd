"""One trade in full: its figures, executions, notes, tags, rating, risk and screenshots.

What the trader writes (notes, tags, setup, mistakes, rating, risk, stop) is a form saved
explicitly, with Save or Ctrl+S, and leaving with unsaved changes asks first: notes are often
long, and an autosave of a half-written thought into an audited history is not what a trader
wants. Executions and screenshots are facts, not drafts: each add, edit or delete is stored at
once, and the figures are recomputed by the vault (the unsaved form is kept meanwhile).

All vault work runs on the worker through `VaultTasks`; nothing here touches SQL.
"""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from journal_desktop.domain.records import Fill, Trade, TradeStatus
from journal_desktop.storage import trade_editing
from journal_desktop.storage.errors import RecordNotFound
from journal_desktop.storage.trade_editing import (
    Annotations,
    ExecutionInput,
    TradeDetail,
)
from journal_desktop.ui.formatting import money
from journal_desktop.ui.screen import Screen
from journal_desktop.ui.screenshots_strip import ScreenshotsStrip
from journal_desktop.ui.tasks import ChangeSet, VaultTasks, describe_error
from journal_desktop.ui.trade_detail_dialogs import MergeDialog, SplitDialog
from journal_desktop.ui.trade_detail_executions import (
    ExecutionDialog,
    ExecutionsTable,
    InstrumentContext,
)
from journal_desktop.ui.trade_detail_figures import FiguresGrid
from journal_desktop.ui.trade_detail_form import AnnotationsForm
from journal_desktop.ui.trade_detail_new import NewTradeForm

EXECUTION_CHANGES = ChangeSet(trades=True, executions=True)


class TradeDetailScreen(Screen):
    title = "Trade"
    icon_name = "trade"
    depends_on = frozenset({"trades", "executions", "attachments", "tags"})

    #: Back to the previous screen (Back button or Esc).
    closed = Signal()

    def __init__(self, tasks: VaultTasks, parent: QWidget | None = None) -> None:
        super().__init__(tasks, parent)
        self._trade_id: uuid.UUID | None = None
        self.detail: TradeDetail | None = None
        self._choices_stale = True
        self._dirty = False
        self._build()

    # -- layout --------------------------------------------------------------------------------

    def _build(self) -> None:
        self.back_button = QPushButton("← Back")
        self.back_button.setAccessibleName("Back to the previous screen")
        self.back_button.clicked.connect(self.request_close)
        self.heading = QLabel()
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.heading.setFont(font)
        self.split_button = QPushButton("Split…")
        self.split_button.setAccessibleName("Split this trade")
        self.split_button.clicked.connect(self.open_split)
        self.merge_button = QPushButton("Merge…")
        self.merge_button.setAccessibleName("Merge other trades into this one")
        self.merge_button.clicked.connect(self.open_merge)
        self.save_button = QPushButton("Save")
        self.save_button.setAccessibleName("Save notes and annotations")
        self.save_button.setToolTip("Save (Ctrl+S)")
        self.save_button.clicked.connect(lambda: self.save())
        header = QHBoxLayout()
        header.addWidget(self.back_button)
        header.addWidget(self.heading, 1)
        for button in (self.split_button, self.merge_button, self.save_button):
            header.addWidget(button)

        self.figures_grid = FiguresGrid()
        self.figures = self.figures_grid.figures

        self.executions = ExecutionsTable()
        # A double-click, or Enter from the keyboard, edits the execution.
        self.executions.activated.connect(lambda _index: self.open_edit_execution())
        add = QPushButton("Add…")
        add.setAccessibleName("Add an execution")
        add.clicked.connect(self.open_add_execution)
        edit = QPushButton("Edit…")
        edit.setAccessibleName("Edit the selected execution")
        edit.clicked.connect(self.open_edit_execution)
        delete = QPushButton("Delete")
        delete.setAccessibleName("Delete the selected execution")
        delete.clicked.connect(self.confirm_delete_execution)
        execution_buttons = QHBoxLayout()
        for button in (add, edit, delete):
            execution_buttons.addWidget(button)
        execution_buttons.addStretch(1)
        executions_box = QGroupBox("Executions")
        executions_layout = QVBoxLayout(executions_box)
        executions_layout.addWidget(self.executions)
        executions_layout.addLayout(execution_buttons)

        self.form = AnnotationsForm()
        # The form's fields, by name, for the main window's end-to-end test and for focus.
        self.notes, self.tags, self.setup = self.form.notes, self.form.tags, self.form.setup
        self.mistakes, self.rating = self.form.mistakes, self.form.rating
        self.risk, self.stop, self.r_label = self.form.risk, self.form.stop, self.form.r_label

        self.screenshots = ScreenshotsStrip(self.tasks, paste_shortcut=False)
        self.screenshots.message.connect(self.show_message)
        screenshots_box = QGroupBox("Screenshots")
        QVBoxLayout(screenshots_box).addWidget(self.screenshots)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Status")

        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addLayout(header)
        layout.addWidget(self.figures_grid)
        layout.addWidget(executions_box)
        layout.addWidget(self.form)
        layout.addWidget(screenshots_box)
        layout.addWidget(self.message)
        layout.addStretch(1)
        scroll = QScrollArea()
        # Not a stop of its own: a frame with no name to announce; it still scrolls to the
        # control the focus moves to.
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setWidgetResizable(True)
        scroll.setWidget(page)

        self.new_form = NewTradeForm()
        self.new_form.create_requested.connect(self.create_trade)
        self.new_form.cancel_requested.connect(self._cancel_new_trade)
        self.pages = QStackedWidget()
        self.pages.addWidget(scroll)
        self.pages.addWidget(self.new_form)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.pages)

        self.form.edited.connect(lambda: self._set_dirty(True))
        self.form.image_pasted.connect(self._paste_image)
        for keys, slot in (
            (QKeySequence.StandardKey.Save, self.save),
            (QKeySequence(Qt.Key.Key_Escape), self.request_close),
            (QKeySequence.StandardKey.Paste, self.screenshots.paste),
        ):
            shortcut = QShortcut(keys, self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self._set_enabled(False)

    # -- opening -------------------------------------------------------------------------------

    @property
    def trade_id(self) -> uuid.UUID | None:
        return self._trade_id

    @property
    def dirty(self) -> bool:
        return self._dirty

    def show_trade(self, trade_id: uuid.UUID | None) -> None:
        """Show a trade, or (None) the form for a new manual trade."""
        if trade_id is None and self._new_trade_typed():
            return  # Ctrl+N again over a half-typed new trade: keep it
        if self._dirty and trade_id is not None and trade_id == self._trade_id:
            return  # already shown, with the trader's unsaved typing: keep it
        if self._dirty and trade_id != self._trade_id:
            choice = self.ask_unsaved()
            if choice == "cancel":
                return
            if choice == "save":
                self.save(then=lambda: self._open(trade_id))
                return
        self._open(trade_id)

    def _open(self, trade_id: uuid.UUID | None) -> None:
        self._dirty = False
        self.message.clear()
        if trade_id is None:
            self._trade_id = None
            self.detail = None
            self.pages.setCurrentWidget(self.new_form)
            self.tasks.run(
                trade_editing.choices,
                on_success=lambda c: self.new_form.reset(c.accounts),
                on_failure=self._failed,
                owner=self,
            )
            return
        self.pages.setCurrentIndex(0)
        if trade_id != self._trade_id:
            self._trade_id = trade_id
            self.detail = None
            self._set_enabled(False)
            self.screenshots.set_trade(trade_id, load=False)
        self._load()

    def reload(self) -> None:
        super().reload()
        if self._trade_id is not None:
            self._load()

    def _load(self) -> None:
        trade_id = self._trade_id
        if trade_id is None:
            return

        self.tasks.run(
            lambda vault: trade_editing.load_trade(vault, trade_id),
            on_success=lambda detail: self._loaded(trade_id, detail),
            on_failure=self._load_failed,
            owner=self,
        )
        if self._choices_stale:
            # Distinct setups and mistakes scan every trade (~0.1 s at 100,000 trades): asked
            # after the trade itself, and again only after trades or tags changed.
            self._choices_stale = False
            self.tasks.run(
                trade_editing.choices,
                on_success=self.form.set_choices,
                on_failure=self._failed,
                owner=self,
            )

    def on_changes(self, changes: ChangeSet) -> None:
        if changes.trades or changes.tags:
            self._choices_stale = True
        super().on_changes(changes)

    def _loaded(self, trade_id: uuid.UUID, detail: TradeDetail) -> None:
        if trade_id != self._trade_id:
            return
        self.detail = detail
        self._fill_figures(detail)
        self.executions.set_fills(detail.fills)
        if self._dirty:
            self.form.set_detail(detail)  # keep what is typed; R follows the figures
        else:
            self._fill_form(detail)
        self._set_enabled(True)
        closed = detail.trade.status is TradeStatus.CLOSED
        self.split_button.setEnabled(closed)
        self.split_button.setToolTip("" if closed else "Only a closed trade can be split.")
        self.screenshots.reload()

    def _load_failed(self, error: BaseException) -> None:
        if isinstance(error, RecordNotFound):
            self._trade_id = None
            self.detail = None
            self._dirty = False
            self._set_enabled(False)
            self.heading.setText("Trade not found")
            self.show_message(
                "This trade no longer exists (it was merged, or its executions deleted)."
            )
            return
        self._failed(error)

    def _fill_figures(self, detail: TradeDetail) -> None:
        self.heading.setText(self.figures_grid.heading(detail))
        self.figures_grid.fill(detail)

    def _fill_form(self, detail: TradeDetail) -> None:
        self.form.fill(detail)
        self._set_dirty(False)

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (
            self.split_button,
            self.merge_button,
            self.executions,
            self.form,
            self.screenshots,
        ):
            widget.setEnabled(enabled)
        self.save_button.setEnabled(enabled and self._dirty)

    # -- the form ------------------------------------------------------------------------------

    def _set_dirty(self, dirty: bool) -> None:
        self._dirty = dirty
        self.save_button.setEnabled(dirty and self.detail is not None)
        self.save_button.setText("Save •" if dirty else "Save")

    def update_r(self) -> None:
        self.form.update_r()

    def read_annotations(self) -> Annotations:
        """The form as annotations; ValueError with a sentence when a number is unreadable."""
        return self.form.read()

    def save(self, then: Any = None) -> bool:
        """Save the form on the worker; False when a number cannot be read (nothing saved)."""
        trade_id = self._trade_id
        if trade_id is None or not self._dirty:
            if then is not None:
                then()
            return True
        try:
            annotations = self.read_annotations()
        except ValueError as error:
            self.show_message(str(error))
            return False

        def saved(_trade: Trade) -> None:
            self._set_dirty(False)
            self.show_message("Saved.")
            if then is not None:
                then()

        self.tasks.run(
            lambda vault: trade_editing.save_annotations(vault, trade_id, annotations),
            on_success=saved,
            on_failure=self._failed,
            changes=ChangeSet(trades=True, tags=True),
            owner=self,
        )
        return True

    def _new_trade_typed(self) -> bool:
        return self.pages.currentWidget() is self.new_form and self.new_form.has_input()

    def confirm_leave(self) -> bool:
        """For the main window before it shows another screen: False means stay here.

        "Save" starts the save and allows leaving at once: the worker runs work in order, so
        whatever runs next already sees the saved notes. A new manual trade being typed is
        not thrown away unasked either.
        """
        if self._new_trade_typed():
            if self.ask_discard_new() == "cancel":
                return False
            self.new_form.clear()
            return True
        if not self._dirty:
            return True
        choice = self.ask_unsaved()
        if choice == "cancel":
            return False
        if choice == "save":
            return self.save()
        else:
            self._set_dirty(False)
            if self.detail is not None:
                self._load()
        return True

    def request_close(self) -> None:
        """Back: ask first when the form has unsaved changes."""
        if self.confirm_leave():
            self.closed.emit()

    def ask_discard_new(self) -> str:
        """ "discard" or "cancel", for a new manual trade not created yet."""
        answer = QMessageBox.question(
            self,
            "Discard the new trade?",
            "The new trade you are typing has not been created. Discard it?",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return "discard" if answer == QMessageBox.StandardButton.Discard else "cancel"

    def ask_unsaved(self) -> str:
        """ "save", "discard" or "cancel"."""
        answer = QMessageBox.question(
            self,
            "Unsaved changes",
            "This trade's notes or annotations have changes that are not saved.",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            return "save"
        if answer == QMessageBox.StandardButton.Discard:
            return "discard"
        return "cancel"

    # -- executions ----------------------------------------------------------------------------

    def _context(self) -> InstrumentContext | None:
        detail = self.detail
        if detail is None:
            return None
        return InstrumentContext(
            account=detail.account.name,
            symbol=detail.instrument.symbol,
            asset_class=detail.instrument.asset_class,
            multiplier=detail.instrument.multiplier,
            underlying=detail.instrument.underlying,
            expiry=detail.instrument.expiry,
            strike=detail.instrument.strike,
            option_right=detail.instrument.option_right,
        )

    def open_add_execution(self) -> None:
        context = self._context()
        if context is None:
            return
        dialog = ExecutionDialog(context, parent=self)
        dialog.accepted.connect(lambda: self.add_execution(dialog.result_input))
        dialog.open()

    def open_edit_execution(self) -> None:
        context = self._context()
        fill = self.executions.selected_fill()
        if context is None or fill is None:
            return
        execution_id = fill.execution.id
        dialog = ExecutionDialog(context, fill, parent=self)
        dialog.accepted.connect(lambda: self.edit_execution(execution_id, dialog.result_input))
        dialog.open()

    def confirm_delete_execution(self) -> None:
        fill = self.executions.selected_fill()
        if fill is None:
            return
        answer = QMessageBox.question(
            self,
            "Delete execution",
            "Delete this execution? The trade is recomputed from the executions left.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.delete_execution(fill.execution.id)

    def add_execution(self, item: ExecutionInput | None) -> None:
        if item is not None:
            self._run_execution_change(lambda v: trade_editing.add_executions(v, [item]))

    def edit_execution(self, execution_id: uuid.UUID, item: ExecutionInput | None) -> None:
        if item is not None:
            self._run_execution_change(
                lambda v: trade_editing.update_execution(v, execution_id, item)
            )

    def delete_execution(self, execution_id: uuid.UUID) -> None:
        self._run_execution_change(lambda v: trade_editing.delete_execution(v, execution_id))

    def _run_execution_change(self, work: Any) -> None:
        self.tasks.run(
            work,
            on_success=self._after_execution_change,
            on_failure=self._failed,
            changes=EXECUTION_CHANGES,
            owner=self,
        )

    def _after_execution_change(self, trades: list[Trade]) -> None:
        ids = [t.id for t in trades]
        if self._trade_id in ids or not ids:
            if not ids:
                self.show_message("No trade is left from these executions.")
            self._load()
            return
        self.show_message("The executions now form another trade; it is shown.")
        self._trade_id = None
        self._open_keeping_form(ids[0])

    def _open_keeping_form(self, trade_id: uuid.UUID) -> None:
        dirty = self._dirty
        self._open(trade_id)
        self._set_dirty(dirty)

    # -- split and merge -----------------------------------------------------------------------

    def open_split(self) -> None:
        detail = self.detail
        if detail is None:
            return
        dialog = SplitDialog(list(detail.fills), self)
        dialog.accepted.connect(lambda: self.split(dialog.chosen_fills()))
        self.split_dialog = dialog
        dialog.open()

    def split(self, fills: list[Fill]) -> None:
        trade_id = self._trade_id
        if trade_id is None:
            return
        self.tasks.run(
            lambda vault: trade_editing.split_trade(vault, trade_id, fills),
            on_success=lambda parts: self.show_message(
                f"Split: this trade {money(parts[0].net_pnl, signed=True)}, "
                f"new trade {money(parts[1].net_pnl, signed=True)}."
            ),
            on_failure=self._failed,
            changes=ChangeSet(trades=True, attachments=True),
            owner=self,
        )

    def open_merge(self) -> None:
        trade_id = self._trade_id
        if trade_id is None:
            return
        self.tasks.run(
            lambda vault: trade_editing.merge_candidates(vault, trade_id),
            on_success=self._show_merge_dialog,
            on_failure=self._failed,
            owner=self,
        )

    def _show_merge_dialog(self, candidates: list[Trade]) -> None:
        dialog = MergeDialog(candidates, self)
        dialog.accepted.connect(lambda: self.merge(dialog.chosen_ids()))
        self.merge_dialog = dialog
        dialog.open()

    def merge(self, others: list[uuid.UUID]) -> None:
        trade_id = self._trade_id
        if trade_id is None or not others:
            return
        if self._dirty:
            self.show_message("Save or discard the changes to this trade before merging.")
            return
        self.tasks.run(
            lambda vault: trade_editing.merge_trades(vault, [trade_id, *others]),
            on_success=lambda merged: self.show_message(
                f"Merged {len(others) + 1} trades: net {money(merged.net_pnl, signed=True)}."
            ),
            on_failure=self._failed,
            changes=ChangeSet(trades=True, attachments=True),
            owner=self,
        )

    # -- new manual trade ----------------------------------------------------------------------

    def create_trade(self, inputs: list[ExecutionInput]) -> None:
        self.tasks.run(
            lambda vault: trade_editing.add_executions(vault, inputs),
            on_success=self._created,
            on_failure=lambda error: self.new_form.error.setText(describe_error(error)),
            changes=ChangeSet(trades=True, executions=True, accounts=True),
            owner=self,
        )

    def _cancel_new_trade(self) -> None:
        """The form's Cancel: the trader chose to drop it, so nothing is kept or asked."""
        self.new_form.clear()
        self.closed.emit()

    def _created(self, trades: list[Trade]) -> None:
        if not trades:
            return
        self._open(trades[0].id)
        if len(trades) > 1:
            self.show_message(f"These executions made {len(trades)} trades; the first is shown.")

    # -- messages ------------------------------------------------------------------------------

    def _paste_image(self, image: QImage) -> None:
        self.screenshots.add_image(image)

    def show_message(self, text: str) -> None:
        self.message.setText(text)

    def _failed(self, error: BaseException) -> None:
        self.show_message(describe_error(error))
