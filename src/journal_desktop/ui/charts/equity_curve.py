"""The equity curve: cumulative net P&L after each closed trade, over time.

Why pyqtgraph and not QtCharts: a journal of 100,000 trades is a 100,000-point line, redrawn
on every resize, pan and theme change. pyqtgraph draws it from numpy arrays and, with
`setDownsampling(auto=True, mode="peak")` and `setClipToView(True)`, only ever paints about
as many points as the view has pixels while keeping every peak and trough (so the worst
drawdown is never smoothed away). Measured offscreen on the shared 2-core development machine
(load average 7-9 from other work, so ranges; tests/ui/test_charts.py prints it again):
`set_curve` with 100,000 points plus the first full render of a 1000x300 chart 30-125 ms,
each later repaint 20-65 ms, and 70-210 ms per repaint with downsampling and clipping off.
QtCharts' QLineSeries renders every point it holds (its OpenGL mode is unavailable offscreen
and on many remote desktops) and lives in PySide6-Addons, 160 MB more to install; pyqtgraph
is a pure-Python package over Qt and numpy.

Importing pyqtgraph costs 0.35-0.5 s here (it creates hundreds of Qt type and enum wrappers),
so it is not imported with this module: the dashboard builds the plot, importing pyqtgraph,
just after it has asked the worker for its first figures, so the import overlaps that read
(0.2-1 s on 100,000 trades) instead of following it. That import runs on the GUI thread, a
pause of that length once per run. It used to run on a
background thread, which kept the window answering meanwhile, but PySide6 creates its Python
types lazily and that creation is not safe from two threads at once (the GUI thread creates
types of its own while screens are built): a rare crash of the whole app, seen twice in test
runs, is a worse price than one pause while the journal opens.
"""

from __future__ import annotations

import importlib
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QCursor, QPen
from PySide6.QtWidgets import QToolTip, QVBoxLayout, QWidget

from journal_desktop.ui.charts.colors import chart_colors
from journal_desktop.ui.formatting import local_time, money

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


def _pyqtgraph() -> Any:
    """The pyqtgraph module, imported (on the GUI thread) the first time a plot is built."""
    return importlib.import_module("pyqtgraph")


def money_ticks(values: list[float], spacing: float) -> list[str]:
    """Axis labels for amounts: `-1,500,000`, not `-1.5e+06`; cents only when ticks are close."""
    places = 2 if spacing < 1 else 0
    return [f"{value:,.{places}f}" for value in values]


def _money_axis(pg: Any) -> Any:
    """A left axis that labels amounts with thousands separators (class made after import)."""

    class MoneyAxis(pg.AxisItem):
        def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
            return money_ticks([v * scale for v in values], spacing * scale)

    axis = MoneyAxis(orientation="left")
    axis.enableAutoSIPrefix(False)
    return axis


class EquityCurveChart(QWidget):
    """A line of equity (y) against close time (x, local dates), zero marked.

    The plot itself is built on the first `set_curve` (or `plot_widget` access).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Equity curve")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._plot: Any = None
        self._curve: Any = None
        self._zero: Any = None
        self._count = 0

    def _build(self) -> Any:
        if self._plot is not None:
            return self._plot
        pg = _pyqtgraph()
        plot = pg.PlotWidget(
            axisItems={"bottom": pg.DateAxisItem(orientation="bottom"), "left": _money_axis(pg)}
        )
        plot.setAccessibleName("Equity curve plot")
        # The keyboard focus lands on the view's viewport, not the plot: name it too, or Tab
        # stops on a widget a screen reader has nothing to say about.
        plot.viewport().setAccessibleName("Equity curve plot")
        plot.setMenuEnabled(False)
        plot.hideButtons()
        item = plot.getPlotItem()
        item.setDownsampling(auto=True, mode="peak")
        item.setClipToView(True)
        item.showGrid(x=True, y=True, alpha=0.15)
        item.getViewBox().setMouseEnabled(x=True, y=False)
        self._curve = plot.plot([], [])
        self._zero = pg.InfiniteLine(pos=0, angle=0, movable=False)
        plot.addItem(self._zero)
        plot.scene().sigMouseMoved.connect(self._hover)
        self._layout.addWidget(plot)
        self._plot = plot
        self.apply_theme()
        if self.isVisible():  # built after the first show: lay it out and show it now
            plot.show()
            self._layout.activate()
        return plot

    @property
    def built(self) -> bool:
        return self._plot is not None

    def build_plot(self) -> None:
        """Build the (empty) plot now, importing pyqtgraph, ahead of the first curve."""
        self._build()

    @property
    def plot_widget(self) -> Any:
        """The pyqtgraph PlotWidget (built now if it was not yet)."""
        return self._build()

    @property
    def point_count(self) -> int:
        """How many points the curve holds (one per closed trade)."""
        return self._count

    def curve_data(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """The x (POSIX seconds) and y (equity) the curve was given."""
        import numpy as np  # imported with pyqtgraph, never at start-up

        if self._curve is None:
            return np.empty(0), np.empty(0)
        x, y = self._curve.getOriginalDataset()
        if x is None or y is None:
            return np.empty(0), np.empty(0)
        return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)

    def hover_text(self, x: float) -> str:
        """The tooltip for the point nearest to close time `x` (POSIX seconds), "" if none."""
        import numpy as np  # imported with pyqtgraph, never at start-up

        times, equity = self.curve_data()
        if not len(times):
            return ""
        index = int(np.searchsorted(times, x))
        if index == len(times) or (index > 0 and x - times[index - 1] < times[index] - x):
            index -= 1
        moment = datetime.fromtimestamp(float(times[index]), UTC)
        amount = Decimal(repr(float(equity[index])))
        return f"{local_time(moment)}\nEquity {money(amount, signed=True)}\nTrade {index + 1:,}"

    def _hover(self, scene_pos: Any) -> None:
        if self._plot is None or not self._count:
            return
        view = self._plot.getPlotItem().getViewBox()
        if not view.sceneBoundingRect().contains(scene_pos):
            QToolTip.hideText()
            return
        text = self.hover_text(view.mapSceneToView(scene_pos).x())
        QToolTip.showText(QCursor.pos(), text, self._plot)

    def set_curve(self, times: npt.NDArray[np.float64], equity: npt.NDArray[np.float64]) -> None:
        """Show a new curve and fit the view to it."""
        plot = self._build()
        self._count = len(times)
        self._curve.setData(times, equity)
        plot.getPlotItem().enableAutoRange()

    def apply_theme(self) -> None:
        """Background, axes and line from the current palette (light or dark)."""
        if self._plot is None:
            return
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
