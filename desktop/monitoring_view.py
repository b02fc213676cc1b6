"""The monitoring tab: drift per feature, blocks over time, overrides per release.

The plots (pyqtgraph) are made the first time the tab is shown; until then the view
only keeps the newest series it was given.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget
from shiboken6 import isValid

from desktop.preload import when_charts_ready

if TYPE_CHECKING:
    from desktop.monitoring_plots import MonitoringPlots
    from desktop.records import MonitoringSeries


def tr(text: str) -> str:
    return QCoreApplication.translate("MonitoringView", text)


class MonitoringView(QWidget):
    """Three small plots over the recent runs; read-only."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.series: MonitoringSeries | None = None
        self.plots: MonitoringPlots | None = None
        self._layout = QVBoxLayout(self)
        self.note = QLabel(
            tr("No forecast runs yet: run a forecast to see monitoring.")
        )
        self.note.setWordWrap(True)
        self._layout.addWidget(self.note)
        self._layout.addStretch(1)

    def showEvent(self, event) -> None:
        # The plots are made once pyqtgraph is in (loaded off the UI thread).
        when_charts_ready(lambda: isValid(self) and self.ensure_plots())
        super().showEvent(event)

    def ensure_plots(self) -> MonitoringPlots:
        """The plots, made (and pyqtgraph imported) on first use."""
        if self.plots is None:
            from desktop.monitoring_plots import MonitoringPlots

            self.plots = MonitoringPlots(self)
            self._layout.takeAt(1)  # the stretch that held the plots' place
            self._layout.addWidget(self.plots, 1)
            if self.series is not None:
                self.plots.show_series(self.series)
        return self.plots

    def show_series(self, series: MonitoringSeries) -> None:
        self.series = series
        runs = len(series.run_ids)
        self.note.setText(
            tr(
                "The last {n} runs. Dashed lines: the drift warning and block limits."
            ).replace("{n}", str(runs))
            if runs
            else tr("No forecast runs yet: run a forecast to see monitoring.")
        )
        if self.plots is not None:
            self.plots.show_series(series)
