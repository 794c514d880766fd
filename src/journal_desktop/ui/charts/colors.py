"""Chart colours that follow the light or dark palette: gains green, losses red.

Read from the widget's QPalette each time it changes, so a theme switch repaints every chart
without any chart knowing how the theme was chosen.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette


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


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def chart_colors(palette: QPalette) -> ChartColors:
    dark = is_dark(palette)
    text = palette.color(QPalette.ColorRole.WindowText)
    muted = QColor(text)
    muted.setAlphaF(0.6)
    grid = QColor(text)
    grid.setAlphaF(0.15)
    return ChartColors(
        gain=QColor("#22c55e" if dark else "#15803d"),
        loss=QColor("#f87171" if dark else "#b91c1c"),
        empty=QColor("#2a2f36" if dark else "#eceef1"),
        background=palette.color(QPalette.ColorRole.Base),
        text=text,
        muted_text=muted,
        grid=grid,
        line=QColor("#60a5fa" if dark else "#1d4ed8"),
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
