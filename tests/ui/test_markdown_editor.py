"""The Markdown editor: plain text in, rendered preview out, images handed on."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from journal_desktop.ui.markdown_editor import MarkdownEditor


def test_preview_renders_the_markdown(qtbot: QtBot) -> None:
    editor = MarkdownEditor()
    qtbot.addWidget(editor)
    editor.set_text("# Plan\n\nFade the **gap**\n\n- one\n- two")
    assert not editor.is_preview()
    editor.toggle.click()
    assert editor.is_preview()
    html = editor.preview.toHtml()
    assert "Plan" in html and "gap" in html
    assert "font-weight" in html  # the bold survived as formatting, not as asterisks
    assert "**" not in editor.preview.toPlainText()
    assert editor.toggle.text() == "Edit"
    editor.toggle.click()
    assert not editor.is_preview()
    assert editor.text() == "# Plan\n\nFade the **gap**\n\n- one\n- two"


def test_typing_signals_a_change_but_loading_does_not(qtbot: QtBot) -> None:
    editor = MarkdownEditor()
    qtbot.addWidget(editor)
    seen: list[bool] = []
    editor.text_changed.connect(lambda: seen.append(True))
    editor.set_text("loaded")
    assert seen == []
    editor.editor.setFocus()
    qtbot.keyClicks(editor.editor, "x")
    assert seen
    assert editor.text().endswith("x") or editor.text().startswith("x")


def test_the_preview_follows_edits_made_while_it_is_shown(qtbot: QtBot) -> None:
    editor = MarkdownEditor()
    qtbot.addWidget(editor)
    editor.set_preview(True)
    editor.set_text("*first*")
    assert "first" in editor.preview.toPlainText()
    editor.set_text("second")
    assert "second" in editor.preview.toPlainText()


def test_a_pasted_image_is_handed_on_not_inserted(qtbot: QtBot) -> None:
    editor = MarkdownEditor()
    qtbot.addWidget(editor)
    image = QImage(8, 8, QImage.Format.Format_RGB32)
    image.fill(QColor("red"))
    mime = QMimeData()
    mime.setImageData(image)
    with qtbot.waitSignal(editor.image_pasted, timeout=2000) as signal:
        editor.editor.insertFromMimeData(mime)
    pasted = signal.args[0]
    assert isinstance(pasted, QImage) and pasted.size() == image.size()
    assert editor.text() == ""
    text = QMimeData()
    text.setText("words")
    editor.editor.insertFromMimeData(text)
    assert editor.text() == "words"


def test_shortcut_toggles_preview(qtbot: QtBot) -> None:
    editor = MarkdownEditor()
    qtbot.addWidget(editor)
    editor.show()
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow)
    editor.editor.setFocus()
    modifiers = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(editor.editor, Qt.Key.Key_P, modifiers)
    assert editor.is_preview()
