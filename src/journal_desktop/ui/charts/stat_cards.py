"""The dashboard's key figures as cards: a caption, a large value, and a line of detail.

Values arrive already formatted (from exact Decimals, by `ui.formatting`); a card only knows
whether its value is a gain, a loss or neither, and colours it from the current palette.
"""

from __future__ import annotations

import enum

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from journal_desktop.ui.charts.colors import chart_colors


class Tone(enum.Enum):
    NEUTRAL = "neutral"
    GAIN = "gain"
    LOSS = "loss"

    @classmethod
    def of(cls, value: object) -> Tone:
        """The tone of a signed number (Decimal or int); None or zero is neutral."""
        if value is None:
            return cls.NEUTRAL
        if value > 0:  # type: ignore[operator]
            return cls.GAIN
        if value < 0:  # type: ignore[operator]
            return cls.LOSS
        return cls.NEUTRAL


class StatCard(QFrame):
    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.caption = caption
        self._tone = Tone.NEUTRAL
        self._caption = QLabel(caption)
        self._value = QLabel("")
        self._value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self._value.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self._value.setFont(font)
        self._detail = QLabel("")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(2)
        layout.addWidget(self._caption)
        layout.addWidget(self._value)
        layout.addWidget(self._detail)
        self._recolor()

    @property
    def value(self) -> str:
        return self._value.text()

    @property
    def detail(self) -> str:
        return self._detail.text()

    @property
    def tone(self) -> Tone:
        return self._tone

    def set_value(self, value: str, detail: str = "", tone: Tone = Tone.NEUTRAL) -> None:
        self._value.setText(value)
        self._detail.setText(detail)
        self._tone = tone
        self.setAccessibleName(f"{self.caption}: {value}" + (f" ({detail})" if detail else ""))
        self._recolor()

    def _recolor(self) -> None:
        colors = chart_colors(self.palette())
        muted = QPalette(self.palette())
        muted.setColor(QPalette.ColorRole.WindowText, colors.muted_text)
        self._caption.setPalette(muted)
        self._detail.setPalette(muted)
        value = QPalette(self.palette())
        if self._tone is not Tone.NEUTRAL:
            color = colors.gain if self._tone is Tone.GAIN else colors.loss
            value.setColor(QPalette.ColorRole.WindowText, color)
        self._value.setPalette(value)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._recolor()


class StatCards(QWidget):
    """Cards in a grid, `columns` to a row, reached by their key."""

    def __init__(
        self, captions: dict[str, str], columns: int = 5, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName("Key statistics")
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        self.cards: dict[str, StatCard] = {}
        for index, (key, caption) in enumerate(captions.items()):
            card = StatCard(caption, self)
            self.cards[key] = card
            layout.addWidget(card, *divmod(index, columns))

    def card(self, key: str) -> StatCard:
        return self.cards[key]
