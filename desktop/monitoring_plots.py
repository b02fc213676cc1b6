"""The monitoring tab's three small plots (pyqtgraph), made when the tab is first shown.

Kept apart from ``desktop.monitoring_view`` so that pyqtgraph, slow to import, loads
only when a person opens the monitoring tab, not before the window first paints.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QGridLayout, QWidget

from desktop.records import MonitoringSeries

FEATURE_COLOURS = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)  # fmt: skip


def tr(text: str) -> str:
    return QCoreApplication.translate("MonitoringView", text)


class LabelAxis(pg.AxisItem):
    """A bottom axis labelling integer positions with given texts."""

    def __init__(self) -> None:
        super().__init__("bottom")
        self.labels: tuple[str, ...] = ()

    def tickStrings(self, values, scale, spacing):
        out = []
        for value in values:
            index = round(value)
            out.append(self.labels[index] if 0 <= index < len(self.labels) else "")
        return out

    def tickSpacing(self, minVal, maxVal, size):
        span = max(1.0, maxVal - minVal)
        return [(float(max(1, int(np.ceil(span / 6)))), 0.0)]


def small_plot(title: str, left: str) -> tuple[pg.PlotWidget, LabelAxis]:
    axis = LabelAxis()
    plot = pg.PlotWidget(axisItems={"bottom": axis})
    plot.setMenuEnabled(False)
    plot.setMouseEnabled(x=False, y=False)
    plot.hideButtons()
    plot.setMinimumHeight(150)
    plot.setTitle(title, size="9pt")
    plot.setLabel("left", left)
    plot.showGrid(y=True, alpha=0.2)
    palette = plot.palette()
    plot.setBackground(palette.color(QPalette.ColorRole.Base))
    text = palette.color(QPalette.ColorRole.Text)
    for name in ("left", "bottom"):
        plot.getAxis(name).setPen(pg.mkPen(text))
        plot.getAxis(name).setTextPen(pg.mkPen(text))
    return plot, axis


class MonitoringPlots(QWidget):
    """Drift per feature, blocked units per run, overrides per release."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.drift_plot, self.drift_axis = small_plot(
            tr("Drift per feature (PSI) over recent runs"), tr("PSI")
        )
        self.drift_plot.addLegend(offset=(5, 5), labelTextSize="7pt")
        self.blocks_plot, self.blocks_axis = small_plot(
            tr("Blocked units per run"), tr("units")
        )
        self.overrides_plot, self.overrides_axis = small_plot(
            tr("Overrides per release"), tr("overrides")
        )
        grid.addWidget(self.drift_plot, 0, 0, 1, 2)
        grid.addWidget(self.blocks_plot, 1, 0)
        grid.addWidget(self.overrides_plot, 1, 1)

    def show_series(self, series: MonitoringSeries) -> None:
        runs = len(series.run_ids)
        x = np.arange(runs, dtype=float)

        self.drift_plot.clear()
        self.drift_plot.getPlotItem().legend.clear()
        self.drift_axis.labels = series.run_labels
        for index, feature in enumerate(series.features):
            colour = FEATURE_COLOURS[index % len(FEATURE_COLOURS)]
            self.drift_plot.plot(
                x,
                series.psi[index],
                pen=pg.mkPen(colour, width=1.5),
                symbol="o",
                symbolSize=4,
                symbolBrush=colour,
                name=feature,
                connect="finite",
            )
        for limit, colour in (
            (series.psi_warning, QColor("#b26a00")),
            (series.psi_block, QColor("#b3261e")),
        ):
            self.drift_plot.addItem(
                pg.InfiniteLine(
                    pos=limit, angle=0, pen=pg.mkPen(colour, style=Qt.PenStyle.DashLine)
                )
            )

        self.blocks_plot.clear()
        self.blocks_axis.labels = series.run_labels
        if runs:
            brushes = [
                pg.mkBrush("#b3261e" if whole else "#d9822b")
                for whole in series.run_blocked
            ]
            self.blocks_plot.addItem(
                pg.BarGraphItem(
                    x=x, height=series.blocked_units, width=0.6, brushes=brushes
                )
            )

        self.overrides_plot.clear()
        self.overrides_axis.labels = series.releases
        if len(series.releases):
            self.overrides_plot.addItem(
                pg.BarGraphItem(
                    x=np.arange(len(series.releases), dtype=float),
                    height=series.overrides_per_release,
                    width=0.6,
                    brush=pg.mkBrush("#c85a14"),
                )
            )
