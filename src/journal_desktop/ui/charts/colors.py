"""Chart colours that follow the light or dark palette: gains green, losses red.

Read from the widget's QPalette each time it changes, so a theme switch repaints every chart
without any chart knowing how the theme was chosen. Gain, loss, grid, muted text and the line
are the theme's semantic colours (`ui.theme`), the same as every other screen's.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette

from journal_desktop.ui.theme import DARK_COLORS, LIGHT_COLORS, palette_is_dark


@dataclass(frozen=True, slots=True)
class ChartColors:
    gain: QColor
    loss: QColor
    #: A day or bar with nothing (or exactly zero) to show.
    empty: QColor
    background: QColor
    text: QColor
    muted_text: QColor
    grid: QColor
    line: QColor
    highlight: QColor


def chart_colors(palette: QPalette) -> ChartColors:
    dark = palette_is_dark(palette)
    semantic = DARK_COLORS if dark else LIGHT_COLORS
    return ChartColors(
        gain=QColor(semantic.gain),
        loss=QColor(semantic.loss),
        empty=QColor("#2f343c" if dark else "#eceef1"),
        background=palette.color(QPalette.ColorRole.Base),
        text=palette.color(QPalette.ColorRole.WindowText),
        muted_text=QColor(semantic.muted),
        grid=QColor(semantic.grid),
        line=QColor(semantic.accent),
        highlight=palette.color(QPalette.ColorRole.Highlight),
    )


def pnl_color(colors: ChartColors, value: float, scale: float) -> QColor:
    """The cell or bar colour of a P&L: green or red, stronger the larger |value| / scale.

    The intensity is a square root, so a day a tenth of the best day's size still shows
    clearly; zero (breakeven) is the empty colour.
    """
    if value == 0 or scale <= 0:
        return QColor(colors.empty)
    strength = min(1.0, abs(value) / scale) ** 0.5
    base = colors.gain if value > 0 else colors.loss
    empty = colors.empty
    share = 0.25 + 0.75 * strength
    return QColor.fromRgbF(
        empty.redF() + (base.redF() - empty.redF()) * share,
        empty.greenF() + (base.greenF() - empty.greenF()) * share,
        empty.blueF() + (base.blueF() - empty.blueF()) * share,
    )
