"""`ask_passphrase`: the agreed way to ask for a passphrase (new ones typed twice, >= 10)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot

from journal_desktop.ui.dialogs import PassphraseDialog, ask_passphrase


def _when_shown(act: Callable[[PassphraseDialog], None]) -> list[str]:
    """Run `act` on the modal dialog once `exec` shows it; returns what happened."""
    seen: list[str] = []

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, PassphraseDialog):
            QTimer.singleShot(10, poll)
            return
        seen.append(dialog.windowTitle())
        act(dialog)

    QTimer.singleShot(0, poll)
    return seen


def _ok(dialog: PassphraseDialog) -> QDialogButtonBox:
    return dialog.buttons


def test_a_new_passphrase_must_be_long_enough_and_typed_twice(qtbot: QtBot) -> None:
    states: list[bool] = []

    def act(dialog: PassphraseDialog) -> None:
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert dialog.fields is not None
        dialog.fields.passphrase.setText("too short")
        dialog.fields.confirm.setText("too short")
        states.append(ok.isEnabled())
        dialog.fields.passphrase.setText("long enough phrase")
        dialog.fields.confirm.setText("long enough phrasE")
        states.append(ok.isEnabled())
        dialog.fields.confirm.setText("long enough phrase")
        states.append(ok.isEnabled())
        ok.click()

    seen = _when_shown(act)
    result = ask_passphrase(None, "New passphrase", "Choose one", confirm=True)
    assert seen == ["New passphrase"]
    assert states == [False, False, True]
    assert result == "long enough phrase"


def test_an_existing_passphrase_needs_one_field_and_cancel_gives_none(qtbot: QtBot) -> None:
    def type_and_accept(dialog: PassphraseDialog) -> None:
        assert dialog.fields is None and dialog.line is not None
        dialog.line.setText("old")
        dialog.accept()

    _when_shown(type_and_accept)
    assert ask_passphrase(None, "Passphrase", "Type it", confirm=False) == "old"

    _when_shown(lambda dialog: dialog.reject())
    assert ask_passphrase(None, "Passphrase", "Type it", confirm=False) is None


def test_accept_is_refused_while_the_fields_are_not_valid(qtbot: QtBot) -> None:
    dialog = PassphraseDialog(None, "New", "Choose", confirm=True)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.accept()  # Enter with nothing typed
    assert dialog.isVisible()
