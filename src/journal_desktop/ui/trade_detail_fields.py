"""Small input widgets of the trade detail form: word lists with completion, and a rating."""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QCompleter, QHBoxLayout, QLineEdit, QToolButton, QWidget

STAR = "\N{BLACK STAR}"
EMPTY_STAR = "\N{WHITE STAR}"


def split_words(text: str) -> tuple[str, ...]:
    """`"gap, Momentum ,, late"` -> ("gap", "Momentum", "late")."""
    return tuple(word.strip() for word in text.split(",") if word.strip())


class _LastWordCompleter(QCompleter):
    """Completes the word after the last comma, keeping the words before it."""

    def splitPath(self, path: str) -> list[str]:
        return [path.rsplit(",", 1)[-1].strip()]

    def pathFromIndex(self, index: object) -> str:
        completion = str(super().pathFromIndex(index))  # type: ignore[arg-type]
        widget = self.widget()
        text = widget.text() if isinstance(widget, QLineEdit) else ""
        head = text.rsplit(",", 1)[0] if "," in text else ""
        return f"{head}, {completion}" if head else completion


class WordListEdit(QLineEdit):
    """Comma-separated words (tags, mistakes), completed from the words already in use."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = QStringListModel(self)
        completer = _LastWordCompleter(self._model, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.setCompleter(completer)

    def set_choices(self, words: tuple[str, ...]) -> None:
        self._model.setStringList(list(words))

    def words(self) -> tuple[str, ...]:
        return split_words(self.text())

    def set_words(self, words: tuple[str, ...]) -> None:
        self.setText(", ".join(words))


class RatingWidget(QWidget):
    """0 to 5 stars; clicking the current star again clears the rating (no rating)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._value: int | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Rating, 0 to 5 stars")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.stars: list[QToolButton] = []
        for n in range(1, 6):
            button = QToolButton()
            button.setAutoRaise(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setAccessibleName(f"{n} star" + ("s" if n > 1 else ""))
            button.setToolTip(f"Rate {n} of 5 (click again to clear)")
            button.clicked.connect(lambda _checked=False, n=n: self._clicked(n))
            layout.addWidget(button)
            self.stars.append(button)
        layout.addStretch(1)
        self._paint()

    def value(self) -> int | None:
        return self._value

    def set_value(self, value: int | None) -> None:
        if value is not None and not 0 <= value <= 5:
            raise ValueError("a rating is 0 to 5 stars")
        if value != self._value:
            self._value = value
            self._paint()
            self.changed.emit()

    def _clicked(self, n: int) -> None:
        self.set_value(None if self._value == n else n)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if Qt.Key.Key_0 <= key <= Qt.Key.Key_5:
            self.set_value(key - Qt.Key.Key_0)
        elif key in (Qt.Key.Key_Right, Qt.Key.Key_Plus):
            self.set_value(min(5, (self._value or 0) + 1))
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Minus):
            self.set_value(max(0, (self._value or 0) - 1))
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.set_value(None)
        else:
            super().keyPressEvent(event)

    def _paint(self) -> None:
        filled = self._value or 0
        for n, button in enumerate(self.stars, start=1):
            button.setText(STAR if n <= filled else EMPTY_STAR)
        self.setAccessibleDescription(
            "no rating" if self._value is None else f"{self._value} of 5 stars"
        )
