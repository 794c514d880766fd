"""Themes: forced light or dark, back to the system's, and colours readable on both."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from journal_desktop.ui.theme import (
    DARK_COLORS,
    LIGHT_COLORS,
    SemanticColors,
    ThemeManager,
    dark_palette,
    is_dark,
    light_palette,
    palette_colors,
)


def _luminance(color: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(color.redF())
        + 0.7152 * channel(color.greenF())
        + 0.0722 * channel(color.blueF())
    )


def contrast(a: QColor, b: QColor) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize(
    ("colors", "palette"), [(LIGHT_COLORS, light_palette), (DARK_COLORS, dark_palette)]
)
def test_meaningful_colours_are_readable_on_their_scheme(
    qtbot: QtBot, colors: SemanticColors, palette: object
) -> None:
    built: QPalette = palette()  # type: ignore[operator]
    for role in (QPalette.ColorRole.Base, QPalette.ColorRole.Window):
        background = built.color(role)
        for text in (colors.gain, colors.loss, colors.muted):
            assert contrast(text, background) >= 4.5, (text.name(), background.name())


def test_forced_modes_and_back_to_the_system(qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    manager = ThemeManager(app)
    original = QGuiApplication.palette().color(QPalette.ColorRole.Window)
    changes: list[bool] = []
    manager.changed.connect(lambda: changes.append(is_dark()))
    try:
        manager.set_mode("dark")
        assert is_dark() and palette_colors() is DARK_COLORS
        manager.set_mode("light")
        assert not is_dark() and palette_colors() is LIGHT_COLORS
        manager.set_mode("sepia")  # unknown: follow the system
        assert manager.mode == "system"
        assert changes == [True, False, is_dark()]
    finally:
        manager.set_mode("system")
    assert QGuiApplication.palette().color(QPalette.ColorRole.Window) == original
