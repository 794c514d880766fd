"""Asking for a passphrase: one dialog, and one set of fields the wizard reuses.

A new passphrase is typed twice and must be at least `MIN_PASSPHRASE_LENGTH` characters (the
rule the command line applies too); a hint says how guessable it is while it is typed. The
text never leaves these widgets except as the return value.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from journal_desktop.domain.passphrase_strength import (
    MIN_PASSPHRASE_LENGTH,
    Strength,
    estimate,
)
from journal_desktop.ui.theme import palette_colors


class NewPassphraseFields(QWidget):
    """Passphrase + confirmation + strength hint; `valid` is True when both agree and suffice."""

    #: Emitted whenever validity may have changed.
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.passphrase = QLineEdit(self)
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName("New passphrase")
        self.passphrase.setPlaceholderText(f"At least {MIN_PASSPHRASE_LENGTH} characters")
        self.confirm = QLineEdit(self)
        self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm.setAccessibleName("Repeat the passphrase")
        self.hint = QLabel(self)
        self.hint.setAccessibleName("Passphrase strength")
        self.hint.setWordWrap(True)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("&Passphrase:", self.passphrase)
        form.addRow("&Repeat:", self.confirm)
        form.addRow("", self.hint)
        self.passphrase.textChanged.connect(self._update)
        self.confirm.textChanged.connect(self._update)
        self._update()

    def text(self) -> str:
        return self.passphrase.text()

    def clear(self) -> None:
        self.passphrase.clear()
        self.confirm.clear()

    @property
    def valid(self) -> bool:
        text = self.passphrase.text()
        return len(text) >= MIN_PASSPHRASE_LENGTH and text == self.confirm.text()

    def _update(self) -> None:
        text = self.passphrase.text()
        colors = palette_colors()
        if not text:
            message, color = (
                f"Use at least {MIN_PASSPHRASE_LENGTH} characters; several unrelated words "
                "are easy to remember and hard to guess.",
                colors.muted,
            )
        else:
            hint = estimate(text)
            color = {
                Strength.TOO_SHORT: colors.loss,
                Strength.WEAK: colors.loss,
                Strength.FAIR: colors.muted,
                Strength.STRONG: colors.gain,
            }[hint.strength]
            message = hint.text
            confirm = self.confirm.text()
            if hint.strength is not Strength.TOO_SHORT and confirm and confirm != text:
                message, color = "The two passphrases differ.", colors.loss
        self.hint.setText(message)
        self.hint.setStyleSheet(f"color: {color.name()};")
        self.changed.emit()


class PassphraseDialog(QDialog):
    """Modal: an existing passphrase (one field) or a new one (`confirm`: typed twice)."""

    def __init__(self, parent: QWidget | None, title: str, prompt: str, *, confirm: bool) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self._confirm = confirm
        layout = QVBoxLayout(self)
        label = QLabel(prompt, self)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.fields: NewPassphraseFields | None = None
        self.line: QLineEdit | None = None
        if confirm:
            self.fields = NewPassphraseFields(self)
            layout.addWidget(self.fields)
            self.fields.changed.connect(self._update)
        else:
            self.line = QLineEdit(self)
            self.line.setEchoMode(QLineEdit.EchoMode.Password)
            self.line.setAccessibleName(title)
            label.setBuddy(self.line)
            layout.addWidget(self.line)
            self.line.textChanged.connect(self._update)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)
        self._update()

    def passphrase(self) -> str:
        if self.fields is not None:
            return self.fields.text()
        assert self.line is not None
        return self.line.text()

    def _ok(self) -> bool:
        if self.fields is not None:
            return self.fields.valid
        return bool(self.line is not None and self.line.text())

    def _update(self) -> None:
        button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        button.setEnabled(self._ok())

    def accept(self) -> None:
        if self._ok():
            super().accept()

    def reject(self) -> None:
        if self.fields is not None:
            self.fields.clear()
        elif self.line is not None:
            self.line.clear()
        super().reject()


def ask_passphrase(parent: QWidget | None, title: str, prompt: str, *, confirm: bool) -> str | None:
    """Ask modally; None when cancelled. With `confirm`, a new passphrase typed twice."""
    dialog = PassphraseDialog(parent, title, prompt, confirm=confirm)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.passphrase()
    finally:
        dialog.deleteLater()
