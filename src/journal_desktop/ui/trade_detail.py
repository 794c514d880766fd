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
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from journal_desktop.domain.records import Fill, Trade, TradeStatus
from journal_desktop.domain.risk import planned_risk, r_value, risk_from_stop
from journal_desktop.storage import trade_editing
from journal_desktop.storage.errors import RecordNotFound
from journal_desktop.storage.trade_editing import (
    Annotations,
    Choices,
    ExecutionInput,
    TradeDetail,
)
from journal_desktop.storage.vault import Vault
from journal_desktop.ui.formatting import UNDEFINED, duration, local_time, money, number, ratio
from journal_desktop.ui.markdown_editor import MarkdownEditor
from journal_desktop.ui.screen import Screen
from journal_desktop.ui.screenshots_strip import ScreenshotsStrip
from journal_desktop.ui.tasks import ChangeSet, VaultTasks, describe_error
from journal_desktop.ui.theme import palette_colors
from journal_desktop.ui.trade_detail_dialogs import MergeDialog, SplitDialog
from journal_desktop.ui.trade_detail_executions import (
    ExecutionDialog,
    ExecutionsTable,
    InstrumentContext,
    parse_amount,
)
from journal_desktop.ui.trade_detail_fields import RatingWidget, WordListEdit
from journal_desktop.ui.trade_detail_new import NewTradeForm

FIGURES = (
    ("account", "Account"),
    ("side", "Side"),
    ("status", "Status"),
    ("quantity", "Quantity"),
    ("entry", "Entry"),
    ("exit", "Exit"),
    ("opened", "Opened"),
    ("closed", "Closed"),
    ("holding", "Holding time"),
    ("gross", "Gross P&L"),
    ("fees", "Fees"),
    ("net", "Net P&L"),
)
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
        self._dirty = False
        self._filling = False
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

        self.figures: dict[str, QLabel] = {}
        grid = QGridLayout()
        for index, (key, label) in enumerate(FIGURES):
            value = QLabel()
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setAccessibleName(label)
            self.figures[key] = value
            row, column = divmod(index, 3)
            grid.addWidget(QLabel(label), row, column * 2)
            grid.addWidget(value, row, column * 2 + 1)

        self.executions = ExecutionsTable()
        self.executions.doubleClicked.connect(lambda _index: self.open_edit_execution())
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

        self.setup = QComboBox()
        self.setup.setEditable(True)
        self.setup.setAccessibleName("Setup")
        self.tags = WordListEdit()
        self.tags.setAccessibleName("Tags, separated by commas")
        self.tags.setPlaceholderText("gap, momentum, …")
        self.mistakes = WordListEdit()
        self.mistakes.setAccessibleName("Mistakes, separated by commas")
        self.mistakes.setPlaceholderText("late entry, moved stop, …")
        self.rating = RatingWidget()
        self.risk = QLineEdit()
        self.risk.setAccessibleName("Initial risk (money)")
        self.risk.setPlaceholderText("amount at risk")
        self.stop = QLineEdit()
        self.stop.setAccessibleName("Stop price")
        self.stop.setPlaceholderText("planned stop")
        self.r_label = QLabel(UNDEFINED)
        self.r_label.setAccessibleName("R multiple")
        form = QFormLayout()
        form.addRow("Se&tup", self.setup)
        form.addRow("T&ags", self.tags)
        form.addRow("&Mistakes", self.mistakes)
        form.addRow("Rating", self.rating)
        form.addRow("Initial &risk", self.risk)
        form.addRow("Sto&p price", self.stop)
        form.addRow("R", self.r_label)
        self.notes = MarkdownEditor()
        self.notes.setMinimumHeight(220)
        annotations = QGroupBox("Journal")
        annotations_layout = QHBoxLayout(annotations)
        annotations_layout.addLayout(form, 1)
        annotations_layout.addWidget(self.notes, 2)

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
        layout.addLayout(grid)
        layout.addWidget(executions_box)
        layout.addWidget(annotations)
        layout.addWidget(screenshots_box)
        layout.addWidget(self.message)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(page)

        self.new_form = NewTradeForm()
        self.new_form.create_requested.connect(self.create_trade)
        self.new_form.cancel_requested.connect(self.closed)
        self.pages = QStackedWidget()
        self.pages.addWidget(scroll)
        self.pages.addWidget(self.new_form)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.pages)

        for signal in (
            self.notes.text_changed,
            self.setup.editTextChanged,
            self.tags.textChanged,
            self.mistakes.textChanged,
            self.rating.changed,
            self.risk.textChanged,
            self.stop.textChanged,
        ):
            signal.connect(self._edited)
        self.risk.textChanged.connect(self.update_r)
        self.stop.textChanged.connect(self.update_r)
        self.notes.image_pasted.connect(self._paste_image)
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

        def work(vault: Vault) -> tuple[TradeDetail, Choices]:
            return trade_editing.load_trade(vault, trade_id), trade_editing.choices(vault)

        self.tasks.run(
            work,
            on_success=lambda result: self._loaded(trade_id, *result),
            on_failure=self._load_failed,
            owner=self,
        )

    def _loaded(self, trade_id: uuid.UUID, detail: TradeDetail, choices: Choices) -> None:
        if trade_id != self._trade_id:
            return
        self.detail = detail
        self._fill_figures(detail)
        self.executions.set_fills(detail.fills)
        self.tags.set_choices(choices.tags)
        self.mistakes.set_choices(choices.mistakes)
        if not self._dirty:
            self._fill_form(detail, choices)
        self._set_enabled(True)
        self.screenshots.reload()
        self.update_r()

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
        trade = detail.trade
        status = "Open" if trade.status is TradeStatus.OPEN else "Closed"
        self.heading.setText(
            f"{detail.instrument.symbol} · {trade.direction.value.capitalize()} · {status}"
        )
        values = {
            "account": detail.account.name,
            "side": trade.direction.value.capitalize(),
            "status": status,
            "quantity": number(trade.quantity),
            "entry": number(trade.entry_price),
            "exit": number(trade.exit_price) or UNDEFINED,
            "opened": local_time(trade.opened_at, seconds=True),
            "closed": local_time(trade.closed_at, seconds=True) or UNDEFINED,
            "holding": duration(detail.holding_time) or UNDEFINED,
            "gross": money(trade.gross_pnl, signed=True),
            "fees": money(trade.fees),
            "net": money(trade.net_pnl, signed=True),
        }
        for key, text in values.items():
            self.figures[key].setText(text)
        colors = palette_colors()
        for key, amount in (("gross", trade.gross_pnl), ("net", trade.net_pnl)):
            color = colors.gain if amount > 0 else colors.loss if amount < 0 else None
            self.figures[key].setStyleSheet(f"color: {color.name()}" if color else "")

    def _fill_form(self, detail: TradeDetail, choices: Choices) -> None:
        trade = detail.trade
        self._filling = True
        try:
            self.notes.set_text(trade.notes)
            self.setup.clear()
            self.setup.addItems(list(choices.setups))
            self.setup.setEditText(trade.setup)
            self.tags.set_words(detail.tag_names)
            self.mistakes.set_words(trade.mistakes)
            self.rating.set_value(trade.rating)
            # A risk the stop implies was stored for the statistics; show it as derived, so a
            # new stop recomputes it instead of being overruled by the old amount.
            derived = trade.stop_price is not None and trade.initial_risk == risk_from_stop(
                trade.entry_price, trade.stop_price, trade.quantity, detail.instrument.multiplier
            )
            self.risk.setText(
                "" if trade.initial_risk is None or derived else str(trade.initial_risk)
            )
            self.stop.setText("" if trade.stop_price is None else str(trade.stop_price))
        finally:
            self._filling = False
        self._set_dirty(False)

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (
            self.split_button,
            self.merge_button,
            self.executions,
            self.notes,
            self.setup,
            self.tags,
            self.mistakes,
            self.rating,
            self.risk,
            self.stop,
            self.screenshots,
        ):
            widget.setEnabled(enabled)
        self.save_button.setEnabled(enabled and self._dirty)

    # -- the form ------------------------------------------------------------------------------

    def _edited(self, *_: object) -> None:
        if not self._filling:
            self._set_dirty(True)

    def _set_dirty(self, dirty: bool) -> None:
        self._dirty = dirty
        self.save_button.setEnabled(dirty and self.detail is not None)
        self.save_button.setText("Save •" if dirty else "Save")

    def update_r(self) -> None:
        """R from what is typed now, with the statistics' own arithmetic."""
        detail = self.detail
        if detail is None:
            self.r_label.setText(UNDEFINED)
            return
        try:
            risk_typed = parse_amount(
                self.risk.text(), "initial risk", positive=True, optional=True
            )
            stop = parse_amount(self.stop.text(), "stop price", optional=True)
        except ValueError as error:
            self.r_label.setText(str(error))
            return
        trade = detail.trade
        risk = planned_risk(
            initial_risk=risk_typed,
            stop_price=stop,
            entry_price=trade.entry_price,
            quantity=trade.quantity,
            multiplier=detail.instrument.multiplier,
        )
        self.risk.setPlaceholderText(
            f"from the stop: {money(risk)}"
            if risk_typed is None and risk is not None
            else "amount at risk"
        )
        if risk is None:
            self.r_label.setText(UNDEFINED)
            return
        if trade.status is not TradeStatus.CLOSED:
            self.r_label.setText(f"risk {money(risk)} (R when closed)")
            return
        r = r_value(trade.net_pnl, risk)
        sign = "+" if r is not None and r > 0 else ""
        self.r_label.setText(f"{sign}{ratio(r)} R   (risk {money(risk)})")

    def read_annotations(self) -> Annotations:
        """The form as annotations; ValueError with a sentence when a number is unreadable."""
        return Annotations(
            notes=self.notes.text(),
            tags=self.tags.words(),
            setup=self.setup.currentText(),
            mistakes=self.mistakes.words(),
            rating=self.rating.value(),
            initial_risk=parse_amount(
                self.risk.text(), "initial risk", positive=True, optional=True
            ),
            stop_price=parse_amount(self.stop.text(), "stop price", optional=True),
        )

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

    def confirm_leave(self) -> bool:
        """For the main window before it shows another screen: False means stay here.

        "Save" starts the save and allows leaving at once: the worker runs work in order, so
        whatever runs next already sees the saved notes.
        """
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
