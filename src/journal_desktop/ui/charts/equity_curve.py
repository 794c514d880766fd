"""The equity curve: cumulative net P&L after each closed trade, over time.

Why pyqtgraph and not QtCharts: a journal of 100,000 trades is a 100,000-point line, redrawn
on every resize, pan and theme change. pyqtgraph draws it from numpy arrays and, with
`setDownsampling(auto=True, mode="peak")` and `setClipToView(True)`, only ever paints about
as many points as the view has pixels while keeping every peak and trough (so the worst
drawdown is never smoothed away). Measured offscreen on the shared 2-core development machine
(tests/ui/test_charts.py prints it again): `set_curve` with 100,000 points plus the first full
render of a 1000x300 chart took 60-125 ms, and each later repaint about 20 ms (about 70 ms
with downsampling and clipping switched off).
QtCharts' QLineSeries renders every point it holds (its OpenGL mode is unavailable offscreen
and on many remote desktops) and lives in PySide6-Addons, 160 MB more to install; pyqtgraph
is a pure-Python package over Qt and numpy.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg  # type: ignore[import-untyped]
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QVBoxLayout, QWidget

from journal_desktop.ui.charts.colors import chart_colors


class EquityCurveChart(QWidget):
    """A line of equity (y) against close time (x, local dates), zero marked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Equity curve")
        self._plot = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(orientation="bottom")})
        self._plot.setAccessibleName("Equity curve plot")
        self._plot.setMenuEnabled(False)
        self._plot.hideButtons()
        item = self._plot.getPlotItem()
        item.setDownsampling(auto=True, mode="peak")
        item.setClipToView(True)
        item.showGrid(x=True, y=True, alpha=0.15)
        item.getViewBox().setMouseEnabled(x=True, y=False)
        self._curve = self._plot.plot([], [])
        self._zero = pg.InfiniteLine(pos=0, angle=0, movable=False)
        self._plot.addItem(self._zero)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._plot)
        self._count = 0
        self.apply_theme()

    @property
    def plot_widget(self) -> pg.PlotWidget:
        return self._plot

    @property
    def point_count(self) -> int:
        """How many points the curve holds (one per closed trade)."""
        return self._count

    def curve_data(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """The x (POSIX seconds) and y (equity) the curve was given."""
        x, y = self._curve.getOriginalDataset()
        if x is None or y is None:
            return np.empty(0), np.empty(0)
        return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)

    def set_curve(self, times: npt.NDArray[np.float64], equity: npt.NDArray[np.float64]) -> None:
        """Show a new curve and fit the view to it."""
        self._count = len(times)
        self._curve.setData(times, equity)
        self._plot.getPlotItem().enableAutoRange()

    def apply_theme(self) -> None:
        """Background, axes and line from the current palette (light or dark)."""
        colors = chart_colors(self.palette())
        self._plot.setBackground(colors.background)
        item = self._plot.getPlotItem()
        for name in ("left", "bottom"):
            axis = item.getAxis(name)
            axis.setPen(QPen(colors.grid))
            axis.setTextPen(QPen(colors.muted_text))
        line = QPen(colors.line)
        line.setWidthF(1.5)
        line.setCosmetic(True)
        self._curve.setPen(line)
        zero = QPen(colors.muted_text)
        zero.setStyle(Qt.PenStyle.DashLine)
        zero.setCosmetic(True)
        self._zero.setPen(zero)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self.apply_theme()
