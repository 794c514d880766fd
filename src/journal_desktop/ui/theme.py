"""Light and dark: follow the system, or a choice stored in the vault (`ui.theme`).

Qt 6.8+ can ask the platform for a colour scheme (`QStyleHints.setColorScheme`); where the
style does not follow (Fusion, offscreen, older desktops) an explicit palette is set instead,
so the choice always takes effect. Figures that carry meaning (gain, loss) take their colours
from `palette_colors()`, which answers for the scheme actually on screen.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

THEME_SETTING = "ui.theme"
THEME_MODES = ("system", "light", "dark")


@dataclass(frozen=True, slots=True)
class SemanticColors:
    """Colours with a meaning, chosen to keep 4.5:1 contrast on their scheme's background."""

    dark: bool
    gain: QColor
    loss: QColor
    muted: QColor
    grid: QColor
    accent: QColor
    neutral: QColor


LIGHT_COLORS = SemanticColors(
    dark=False,
    gain=QColor("#12703f"),
    loss=QColor("#c0392b"),
    muted=QColor("#5f6672"),
    grid=QColor("#e3e6eb"),
    accent=QColor("#2563eb"),
    neutral=QColor("#9aa1ab"),
)
DARK_COLORS = SemanticColors(
    dark=True,
    gain=QColor("#41c485"),
    loss=QColor("#f26d64"),
    muted=QColor("#a1a8b3"),
    grid=QColor("#3a404a"),
    accent=QColor("#6ea8fe"),
    neutral=QColor("#6b7280"),
)


def palette_is_dark(palette: QPalette) -> bool:
    window = palette.color(QPalette.ColorRole.Window)
    text = palette.color(QPalette.ColorRole.WindowText)
    return window.lightness() < text.lightness()


def is_dark() -> bool:
    """Whether the palette in use now is a dark one."""
    if QGuiApplication.instance() is None:
        return False
    return palette_is_dark(QGuiApplication.palette())


def palette_colors() -> SemanticColors:
    """The semantic colours for the scheme on screen now."""
    return DARK_COLORS if is_dark() else LIGHT_COLORS


def dark_palette() -> QPalette:
    """A calm dark palette for styles that do not follow the platform's dark mode."""
    palette = QPalette()
    base, window, text = QColor("#1e2127"), QColor("#272b33"), QColor("#e6e8eb")
    disabled = QColor("#7b818c")
    roles = {
        QPalette.ColorRole.Window: window,
        QPalette.ColorRole.WindowText: text,
        QPalette.ColorRole.Base: base,
        QPalette.ColorRole.AlternateBase: QColor("#23262d"),
        QPalette.ColorRole.ToolTipBase: QColor("#30343c"),
        QPalette.ColorRole.ToolTipText: text,
        QPalette.ColorRole.PlaceholderText: disabled,
        QPalette.ColorRole.Text: text,
        QPalette.ColorRole.Button: QColor("#30343c"),
        QPalette.ColorRole.ButtonText: text,
        QPalette.ColorRole.BrightText: QColor("#ffffff"),
        QPalette.ColorRole.Light: QColor("#3a3f48"),
        QPalette.ColorRole.Midlight: QColor("#333841"),
        QPalette.ColorRole.Mid: QColor("#2b2f36"),
        QPalette.ColorRole.Dark: QColor("#16181c"),
        QPalette.ColorRole.Shadow: QColor("#000000"),
        QPalette.ColorRole.Highlight: QColor("#3d6fd6"),
        QPalette.ColorRole.HighlightedText: QColor("#ffffff"),
        QPalette.ColorRole.Link: QColor("#6ea8fe"),
        QPalette.ColorRole.LinkVisited: QColor("#b99cff"),
    }
    for role, color in roles.items():
        palette.setColor(role, color)
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return palette


def light_palette() -> QPalette:
    style = QStyleFactory.create("Fusion")
    return style.standardPalette() if style is not None else QPalette()


class ThemeManager(QObject):
    """Applies the theme mode to the application and follows the system while in "system"."""

    #: The palette changed (mode switched, or the system switched while following it).
    changed = Signal()

    def __init__(self, app: QApplication, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self._mode = "system"
        self._original = QPalette(app.palette())
        app.styleHints().colorSchemeChanged.connect(self._system_changed)

    @property
    def mode(self) -> str:
        return self._mode

    def set_mode(self, mode: str) -> None:
        """ "system", "light" or "dark"; anything else counts as "system"."""
        self._mode = mode if mode in THEME_MODES else "system"
        hints = self._app.styleHints()
        if self._mode == "system":
            hints.unsetColorScheme()
        else:
            hints.setColorScheme(
                Qt.ColorScheme.Dark if self._mode == "dark" else Qt.ColorScheme.Light
            )
        self._apply()

    def wants_dark(self) -> bool:
        if self._mode != "system":
            return self._mode == "dark"
        return self._app.styleHints().colorScheme() == Qt.ColorScheme.Dark

    def _system_changed(self, _scheme: Qt.ColorScheme) -> None:
        if self._mode == "system":
            self._apply()

    def _apply(self) -> None:
        dark = self.wants_dark()
        if palette_is_dark(self._original) == dark:
            self._app.setPalette(self._original)
        else:
            self._app.setPalette(dark_palette() if dark else light_palette())
        self.changed.emit()
