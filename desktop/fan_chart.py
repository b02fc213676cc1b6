"""The unit view's fan chart (pyqtgraph): history, point forecast and HDI bands.

Kept apart from ``desktop.unit_view`` so that pyqtgraph, slow to import, loads only
when the first unit's chart is drawn, not before the window first paints.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QWidget

from desktop.records import UnitDetail
from engine import months

BAND90 = QColor(66, 133, 180, 60)
BAND50 = QColor(66, 133, 180, 120)
POINT = QColor(30, 90, 140)
OVERRIDE = QColor(200, 90, 20)


def tr(text: str) -> str:
    return QCoreApplication.translate("UnitView", text)


class MonthAxis(pg.AxisItem):
    """An axis whose values are month indexes, labelled ``2024-03``."""

    def tickStrings(self, values, scale, spacing):
        return [months.format_month(round(value)) for value in values]

    def tickSpacing(self, minVal, maxVal, size):
        span = max(1.0, maxVal - minVal)
        major = next((s for s in (1, 3, 6, 12, 24, 60) if span / s <= 8), 120)
        return [(float(major), 0.0)]


def count_scale(values: np.ndarray | list[float]) -> np.ndarray:
    """Counts on the chart's scale, log10(1 + count): zeros stay at the bottom.

    Conflict counts span zero to tens of thousands; on a linear axis one past peak
    flattens every forecast band to a line, on this one both stay readable.
    """
    return np.log10(1.0 + np.maximum(np.asarray(values, dtype=float), 0.0))


class CountAxis(pg.AxisItem):
    """A vertical axis on ``count_scale``, labelled in counts: 0, 1, 10, 100, ..."""

    def tickStrings(self, values, scale, spacing):
        labels = []
        for value in values:
            count = 10**value - 1.0
            labels.append(f"{count:,.0f}" if count >= 1 or count <= 0 else "")
        return labels

    def tickSpacing(self, minVal, maxVal, size):
        return [(1.0, 0.0)]

    def tickValues(self, minVal, maxVal, size):
        top = max(1, int(np.ceil(maxVal)))
        decades = [0.0] + [float(np.log10(1 + 10**k)) for k in range(top)]
        return [(1.0, [d for d in decades if minVal <= d <= maxVal])]


class FanChart(pg.PlotWidget):
    """Observed history, then horizons with the point forecast and HDI bands.

    The plot items are made once and given new data for each unit: making them anew
    costs several times more, and a click on a unit should redraw at once.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            parent,
            axisItems={"bottom": MonthAxis("bottom"), "left": CountAxis("left")},
        )
        self.setObjectName("fanChart")
        self.setMinimumHeight(220)
        self.setMenuEnabled(False)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        self.showGrid(x=False, y=True, alpha=0.2)
        self.setLabel("left", tr("Fatalities per month (log scale)"))
        text = self.palette().color(QPalette.ColorRole.Text)
        self.legend = self.addLegend(
            offset=(10, 5), labelTextSize="8pt", labelTextColor=text
        )
        self.apply_palette()

        self.history = self.plot([], [], pen=pg.mkPen(text, width=1.5))
        self.bands: dict[str, tuple[pg.PlotDataItem, pg.PlotDataItem]] = {}
        self.band_samples: list[tuple[pg.PlotDataItem, str]] = []
        for name, colour, label in (
            ("hdi90", BAND90, tr("90% interval")),
            ("hdi50", BAND50, tr("50% interval")),
        ):
            lower = pg.PlotDataItem([], [], pen=pg.mkPen(None))
            upper = pg.PlotDataItem([], [], pen=pg.mkPen(None))
            self.addItem(pg.FillBetweenItem(lower, upper, brush=pg.mkBrush(colour)))
            self.bands[name] = (lower, upper)
            # The legend cannot draw a FillBetweenItem's sample (it crashes): show
            # an empty filled curve with the band's colour instead.
            sample = pg.PlotDataItem(
                [], [], pen=pg.mkPen(None), fillLevel=0, brush=pg.mkBrush(colour)
            )
            self.band_samples.append((sample, label))
        self.point = self.plot(
            [],
            [],
            pen=pg.mkPen(POINT, width=2),
            symbol="o",
            symbolSize=4,
            symbolBrush=POINT,
        )
        self.origin = pg.InfiniteLine(
            angle=90,
            pen=pg.mkPen(
                self.palette().color(QPalette.ColorRole.Mid), style=Qt.PenStyle.DashLine
            ),
        )
        self.addItem(self.origin)
        self.marks = pg.ScatterPlotItem(
            symbol="star", size=14, brush=pg.mkBrush(OVERRIDE), pen=pg.mkPen(OVERRIDE)
        )
        self.addItem(self.marks)
        self.clear_chart()

    def apply_palette(self) -> None:
        palette = self.palette()
        self.setBackground(palette.color(QPalette.ColorRole.Base))
        text = palette.color(QPalette.ColorRole.Text)
        for name in ("left", "bottom"):
            axis = self.getAxis(name)
            axis.setPen(pg.mkPen(text))
            axis.setTextPen(pg.mkPen(text))

    def clear_chart(self) -> None:
        """Empty every item (the chart keeps them for the next unit)."""
        self.history.setData([], [])
        for lower, upper in self.bands.values():
            lower.setData([], [])
            upper.setData([], [])
        self.point.setData([], [])
        self.origin.hide()
        self.marks.setData([], [])
        self.legend.clear()

    def show_unit(self, detail: UnitDetail) -> None:
        self.clear_chart()
        if detail.history_values.size:
            self.history.setData(
                detail.history_months.astype(float),
                count_scale(detail.history_values),
            )
            self.legend.addItem(self.history, tr("Observed"))
        forecast = detail.forecast
        if forecast is None:
            return
        x = np.array([detail.run.origin + h for h in detail.horizons], dtype=float)
        for name, (lower, upper) in self.bands.items():
            lower.setData(x, count_scale(forecast[f"{name}_low"]))
            upper.setData(x, count_scale(forecast[f"{name}_high"]))
        for sample, label in self.band_samples:
            self.legend.addItem(sample, label)
        self.point.setData(x, count_scale(forecast["point"]))
        self.legend.addItem(self.point, tr("Forecast (median)"))
        self.origin.setPos(detail.run.origin + 0.5)
        self.origin.show()
        if detail.overrides:
            self.marks.setData(
                x=[detail.run.origin + mark.horizon for mark in detail.overrides],
                y=count_scale([mark.value for mark in detail.overrides]),
            )
            self.legend.addItem(self.marks, tr("Override"))
        self.enableAutoRange()
