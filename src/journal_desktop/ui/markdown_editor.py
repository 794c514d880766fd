"""A Markdown text editor with a rendered preview, for trade notes and journal pages.

Plain text is what is stored (Markdown is readable as it is, and merges line by line when sync
arrives); the preview renders it with Qt's own CommonMark support
(`QTextDocument.setMarkdown`), so no HTML library and no web engine are needed. Links open in
the desktop's browser only when clicked; nothing is fetched on its own (remote images are not
loaded).
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QFontDatabase, QImage, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QStackedWidget,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)


class _NotesEdit(QPlainTextEdit):
    """A plain-text editor that hands pasted or dropped images on instead of ignoring them."""

    image_pasted = Signal(QImage)

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        return source.hasImage() or super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:
        if source.hasImage() and not source.hasText():
            image = QImage(source.imageData())
            if not image.isNull():
                self.image_pasted.emit(image)
            return
        super().insertFromMimeData(source)


class _Preview(QTextBrowser):
    """Renders Markdown; never loads anything from the network or the disk by itself."""

    def loadResource(self, kind: int, name: object) -> object:
        return None


class MarkdownEditor(QWidget):
    """Edit Markdown, or read it rendered; Ctrl+Shift+P switches between the two.

    `text_changed` fires on every edit; `image_pasted` carries an image pasted into the text
    (the trade screen stores it as a screenshot).
    """

    text_changed = Signal()
    image_pasted = Signal(QImage)
    preview_toggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None, *, placeholder: str = "") -> None:
        super().__init__(parent)
        self.editor = _NotesEdit()
        self.editor.setPlaceholderText(
            placeholder or "Write in Markdown: # heading, *italic*, - list"
        )
        self.editor.setAccessibleName("Notes (Markdown)")
        self.editor.setTabChangesFocus(True)
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont))
        self.preview = _Preview()
        self.preview.setOpenExternalLinks(True)
        self.preview.setOpenLinks(True)
        self.preview.setAccessibleName("Notes preview")
        self._stack = QStackedWidget()
        self._stack.addWidget(self.editor)
        self._stack.addWidget(self.preview)

        self.toggle = QToolButton()
        self.toggle.setCheckable(True)
        self.toggle.setText("Preview")
        self.toggle.setToolTip("Show the notes rendered (Ctrl+Shift+P)")
        self.toggle.setAccessibleName("Preview notes")
        self.toggle.toggled.connect(self.set_preview)
        hint = QLabel("Markdown")
        hint.setEnabled(False)

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(hint)
        bar.addStretch(1)
        bar.addWidget(self.toggle)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self._stack, 1)

        shortcut = QShortcut(QKeySequence("Ctrl+Shift+P"), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.toggle.toggle)
        self.editor.textChanged.connect(self.text_changed)
        self.editor.image_pasted.connect(self.image_pasted)

    def text(self) -> str:
        return self.editor.toPlainText()

    def set_text(self, text: str) -> None:
        """Replace the text (a newly loaded note); the undo history starts afresh."""
        blocked = self.editor.blockSignals(True)
        try:
            self.editor.setPlainText(text)
        finally:
            self.editor.blockSignals(blocked)
        if self.is_preview():
            self._render()

    def is_preview(self) -> bool:
        return self._stack.currentWidget() is self.preview

    def set_preview(self, on: bool) -> None:
        if on:
            self._render()
        self._stack.setCurrentWidget(self.preview if on else self.editor)
        self.toggle.setText("Edit" if on else "Preview")
        self.toggle.setAccessibleName("Edit notes" if on else "Preview notes")
        if self.toggle.isChecked() != on:
            blocked = self.toggle.blockSignals(True)
            self.toggle.setChecked(on)
            self.toggle.blockSignals(blocked)
        self.preview_toggled.emit(on)

    def set_read_only(self, read_only: bool) -> None:
        self.editor.setReadOnly(read_only)

    def _render(self) -> None:
        self.preview.document().setMarkdown(self.text())
