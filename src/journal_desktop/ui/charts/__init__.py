"""The dashboard's charts: equity curve (pyqtgraph), P&L calendar heatmap and breakdowns."""
