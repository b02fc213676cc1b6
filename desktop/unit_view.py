"""The unit view: one unit's fan chart, its gate reasons, and "Why this number?".

A unit that passed shows its observed history, then for each horizon the point
forecast inside its 50% and 90% HDI bands, with overrides marked. A blocked unit
shows the gate's reasons in plain words and no number at all: the chart and the
provenance of numbers are hidden, not greyed out.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from desktop.preload import charts_ready, when_charts_ready
from desktop.unit_status import STATUS_BLOCKED, STATUS_WARNING
from engine import months

if TYPE_CHECKING:
    from desktop.fan_chart import FanChart
    from desktop.records import Provenance, UnitDetail


def tr(text: str) -> str:
    return QCoreApplication.translate("UnitView", text)


class UnitView(QWidget):
    """The right-hand panel for the selected unit."""

    override_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.detail: UnitDetail | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)

        top = QHBoxLayout()
        self.title = QLabel(tr("Choose a unit in the table to see its forecast."))
        self.title.setObjectName("unitTitle")
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        self.override_button = QPushButton(tr("&Override…"))
        self.override_button.setToolTip(
            tr("Replace this forecast with your own, with a reason (recorded)")
        )
        self.override_button.setEnabled(False)
        self.override_button.clicked.connect(
            lambda: self.detail and self.override_requested.emit(self.detail)
        )
        top.addWidget(self.title, 1)
        top.addWidget(self.override_button)
        layout.addLayout(top)

        self.summary = QLabel()
        self.summary.setObjectName("unitSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.summary)

        self.reasons = QLabel()
        self.reasons.setObjectName("unitReasons")
        self.reasons.setWordWrap(True)
        self.reasons.setTextFormat(Qt.TextFormat.RichText)
        self.reasons.setFrameShape(QFrame.Shape.StyledPanel)
        self.reasons.setContentsMargins(8, 8, 8, 8)
        self.reasons.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self.reasons.hide()
        layout.addWidget(self.reasons)

        # The chart (pyqtgraph) is made when first needed; until then a spacer holds
        # its place in the layout.
        self._chart: FanChart | None = None
        self._layout = layout
        self._chart_slot = QWidget(self)
        self._chart_slot.setSizePolicy(
            QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding
        )
        layout.addWidget(self._chart_slot, 3)

        self.why_box = QGroupBox(tr("Why this number?"))
        self.why_box.setObjectName("whyBox")
        why_layout = QVBoxLayout(self.why_box)
        self.why = QTextBrowser()
        self.why.setObjectName("whyText")
        self.why.setOpenLinks(False)
        self.why.setMinimumHeight(120)
        why_layout.addWidget(self.why)
        layout.addWidget(self.why_box, 2)
        self.why_box.hide()

    @property
    def chart(self) -> FanChart:
        """The fan chart, made (and pyqtgraph imported) on first use."""
        if self._chart is None:
            from desktop.fan_chart import FanChart

            chart = FanChart(self)
            chart.setSizePolicy(
                QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding
            )
            chart.hide()
            self._layout.replaceWidget(self._chart_slot, chart)
            self._chart_slot.deleteLater()
            self._chart = chart
        return self._chart

    def clear(self) -> None:
        self.detail = None
        self.title.setText(tr("Choose a unit in the table to see its forecast."))
        self.summary.clear()
        self.reasons.hide()
        if self._chart is not None:
            self._chart.clear_chart()
            self._chart.hide()
        self.why_box.hide()
        self.override_button.setEnabled(False)

    def show_detail(self, detail: UnitDetail, horizon: int) -> None:
        self.detail = detail
        self.override_button.setEnabled(True)
        self.title.setText(detail.name)
        if detail.status == STATUS_BLOCKED:
            self._show_blocked(detail)
            return

        self._draw_chart_when_ready(detail)
        self.why_box.show()
        self.why.setHtml(provenance_html(detail.provenance))
        self.summary.setText(summary_html(detail, horizon))
        if detail.status == STATUS_WARNING:
            self.reasons.setText(reasons_html(detail, blocked=False))
            self.reasons.show()
        else:
            self.reasons.hide()

    def _draw_chart_when_ready(self, detail: UnitDetail) -> None:
        """Draw the fan chart after the words: in the event loop's next pass, once
        pyqtgraph is loaded, so the window answers between the two steps."""

        def draw() -> None:
            if not isValid(self) or self.detail is not detail:
                return  # the view is gone, or shows another unit by now
            self.chart.show()
            self.chart.show_unit(detail)

        if charts_ready():
            QTimer.singleShot(0, self, draw)
        else:
            when_charts_ready(draw)

    def prepare_chart(self) -> None:
        """Make the (hidden) chart ahead of the first unit, once pyqtgraph is in.

        It is painted once off screen too: the first paint of a chart (fonts, axis
        pictures) costs twice the later ones, better spent while nothing happens.
        """

        def prepare() -> None:
            if isValid(self) and self._chart is None:
                self.chart.resize(self._chart_slot.size())
                self.chart.grab()

        when_charts_ready(prepare)

    def _show_blocked(self, detail: UnitDetail) -> None:
        # No chart, no numbers, no provenance of numbers: only what blocked and why.
        if self._chart is not None:
            self._chart.clear_chart()
            self._chart.hide()
        self.why_box.hide()
        self.why.clear()
        self.summary.setText(
            "<b>"
            + html.escape(tr("Blocked: no forecast is shown for this unit."))
            + "</b> "
            + html.escape(
                tr("The checks before the forecast found a problem with its inputs.")
            )
        )
        self.reasons.setText(reasons_html(detail, blocked=True))
        self.reasons.show()


def summary_html(detail: UnitDetail, horizon: int) -> str:
    """One sentence on the forecast at the chosen horizon."""
    assert detail.forecast is not None
    if horizon not in detail.horizons:
        horizon = detail.horizons[0]
    column = detail.horizons.index(horizon)
    f = detail.forecast
    target = months.month_name(detail.run.origin + horizon)
    text = (
        tr(
            "For {month} ({ahead}) the forecast is {point} fatalities; "
            "9 times out of 10 the outcome lies between {low} and {high}. "
            "Chance of at least one: {p}."
        )
        .replace("{month}", target)
        .replace(
            "{ahead}",
            QCoreApplication.translate("UnitView", "%n month(s) ahead", None, horizon),
        )
        .replace("{point}", _count(f["point"][column]))
        .replace("{low}", _count(f["hdi90_low"][column]))
        .replace("{high}", _count(f["hdi90_high"][column]))
        .replace("{p}", f"{float(f['p_any'][column]):.0%}")
    )
    extra = ""
    if detail.overrides:
        extra = " " + tr("{n} override(s) recorded; stars on the chart.").replace(
            "{n}", str(len(detail.overrides))
        )
    return html.escape(text + extra)


def _count(value: float) -> str:
    value = float(value)
    return f"{value:.1f}" if value < 10 else f"{value:,.0f}"


def reasons_html(detail: UnitDetail, *, blocked: bool) -> str:
    heading = tr("Why it is blocked") if blocked else tr("Warnings")
    items = [
        r
        for r in detail.reasons
        if (r.severity == "block") == blocked or (not blocked and r.severity != "block")
    ]
    if blocked and not items:
        items = list(detail.reasons)
    lines = "".join(f"<li>{html.escape(r.message)}</li>" for r in items)
    return f"<b>{html.escape(heading)}</b><ul>{lines}</ul>"


def provenance_html(provenance: Provenance) -> str:
    """The provenance of a run in plain words, then the digests for auditors."""
    run = provenance.run
    bundle = provenance.bundle
    parts = []
    if bundle is not None:
        parts.append(
            tr(
                "Made by the model <b>{name}</b>, release {release}, "
                "valid until {until}."
            )
            .replace("{name}", html.escape(bundle.name))
            .replace("{release}", str(bundle.release))
            .replace("{until}", html.escape(bundle.valid_until[:10]))
        )
    else:
        parts.append(
            tr("Made by the model bundle {id}.").replace(
                "{id}", html.escape(run.bundle_id)
            )
        )
    parts.append(
        tr("Forecast from {origin}, run on {at} by {person}.")
        .replace("{origin}", months.month_name(run.origin))
        .replace(
            "{at}",
            html.escape((run.finished_at or run.started_at)[:16].replace("T", " ")),
        )
        .replace("{person}", html.escape(run.person))
    )
    for data in provenance.data:
        if data.last_month is None:
            continue
        sentence = (
            tr("Data from {source} up to {month}")
            .replace("{source}", html.escape(data.source))
            .replace("{month}", months.month_name(data.last_month))
        )
        if data.batch_id is not None:
            sentence += tr(", import {batch}").replace("{batch}", str(data.batch_id))
            if data.file_name:
                sentence += f" ({html.escape(data.file_name)}"
                if data.imported_at:
                    sentence += tr(", imported {at}").replace(
                        "{at}", html.escape(data.imported_at[:10])
                    )
                sentence += ")"
        parts.append(sentence + ".")
    if run.code_version:
        parts.append(
            tr("fieldcast version {version}.").replace(
                "{version}", html.escape(run.code_version)
            )
        )
    digests = [
        (tr("Bundle"), run.bundle_id),
        (tr("Bundle digest"), run.bundle_digest),
        (tr("Input data digest"), run.input_digest),
        (tr("Run"), f"#{run.id}"),
    ]
    digests += [
        (
            tr("Import {batch} file digest").replace("{batch}", str(d.batch_id)),
            d.batch_sha256,
        )
        for d in provenance.data
        if d.batch_sha256
    ]
    rows = "".join(
        f"<tr><td>{html.escape(label)}</td><td><code>{html.escape(str(value))}</code>"
        "</td></tr>"
        for label, value in digests
    )
    return (
        "<p>"
        + " ".join(parts)
        + "</p><p><b>"
        + html.escape(tr("For auditors"))
        + f"</b></p><table cellspacing='4'>{rows}</table>"
    )
