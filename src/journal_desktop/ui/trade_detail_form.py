"""The part of the trade detail the trader writes: notes, setup, tags, mistakes, rating, risk.

It knows nothing of the vault: the screen fills it from a loaded `TradeDetail`, reads it back
as `Annotations`, and saves those on the worker. R is recomputed here as the risk or the stop
is typed, with the arithmetic the statistics use (`domain.risk`).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
)

from journal_desktop.domain.records import TradeStatus
from journal_desktop.domain.risk import planned_risk, r_value, risk_from_stop
from journal_desktop.storage.trade_editing import Annotations, Choices, TradeDetail
from journal_desktop.ui.formatting import UNDEFINED, money, ratio
from journal_desktop.ui.markdown_editor import MarkdownEditor
from journal_desktop.ui.trade_detail_executions import parse_amount
from journal_desktop.ui.trade_detail_fields import RatingWidget, WordListEdit


class AnnotationsForm(QGroupBox):
    """`edited` fires when the trader changes anything (not when the form is filled)."""

    edited = Signal()
    image_pasted = Signal(QImage)

    def __init__(self) -> None:
        super().__init__("Journal")
        self.detail: TradeDetail | None = None
        self._filling = False
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
        form.addRow("S&etup", self.setup)
        form.addRow("T&ags", self.tags)
        form.addRow("&Mistakes", self.mistakes)
        form.addRow("Rating", self.rating)
        form.addRow("Initial &risk", self.risk)
        form.addRow("Sto&p price", self.stop)
        form.addRow("R", self.r_label)
        self.notes = MarkdownEditor()
        self.notes.setMinimumHeight(220)
        annotations_layout = QHBoxLayout(self)
        annotations_layout.addLayout(form, 1)
        annotations_layout.addWidget(self.notes, 2)

        for signal in (
            self.notes.text_changed,
            self.setup.editTextChanged,
            self.tags.textChanged,
            self.mistakes.textChanged,
            self.rating.changed,
            self.risk.textChanged,
            self.stop.textChanged,
        ):
            signal.connect(self._changed)
        self.risk.textChanged.connect(self.update_r)
        self.stop.textChanged.connect(self.update_r)
        self.notes.image_pasted.connect(self.image_pasted)

    def _changed(self, *_: object) -> None:
        if not self._filling:
            self.edited.emit()

    def set_detail(self, detail: TradeDetail | None) -> None:
        """New figures (R depends on them), keeping what is typed."""
        self.detail = detail
        self.update_r()

    def set_choices(self, choices: Choices) -> None:
        """What completion offers; the text in the fields stays as it is."""
        self.tags.set_choices(choices.tags)
        self.mistakes.set_choices(choices.mistakes)
        self._filling = True
        try:
            text = self.setup.currentText()
            self.setup.clear()
            self.setup.addItems(list(choices.setups))
            self.setup.setEditText(text)
        finally:
            self._filling = False

    def fill(self, detail: TradeDetail) -> None:
        """Show what is stored (replacing whatever was typed).

        The same trade again (reloaded after a save, an unlock, a new screenshot) leaves a
        field that already shows its stored text alone, so the cursor, the selection and the
        undo history of the field being typed in stay where they are; another trade's text is
        always set, so its undo history never reaches into the previous trade's notes.
        """
        same = self.detail is not None and self.detail.trade.id == detail.trade.id
        self.detail = detail
        trade = detail.trade
        # A risk the stop implies was stored for the statistics; show it as derived, so a new
        # stop recomputes it instead of being overruled by the old amount.
        derived = trade.stop_price is not None and trade.initial_risk == risk_from_stop(
            trade.entry_price, trade.stop_price, trade.quantity, detail.instrument.multiplier
        )
        risk = "" if trade.initial_risk is None or derived else str(trade.initial_risk)
        stop = "" if trade.stop_price is None else str(trade.stop_price)
        self._filling = True
        try:
            if not (same and self.notes.text() == trade.notes):
                self.notes.set_text(trade.notes)
            if not (same and self.setup.currentText() == trade.setup):
                self.setup.setEditText(trade.setup)
            for edit, text in (
                (self.tags, ", ".join(detail.tag_names)),
                (self.mistakes, ", ".join(trade.mistakes)),
                (self.risk, risk),
                (self.stop, stop),
            ):
                if not (same and edit.text() == text):
                    edit.setText(text)
            self.rating.set_value(trade.rating)
        finally:
            self._filling = False
        self.update_r()

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

    def read(self) -> Annotations:
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
