"""The settings dialog: alert thresholds and how early to warn of an expiring bundle."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.settings_store import AlertThresholds, DesktopSettings


def tr(text: str) -> str:
    return QCoreApplication.translate("SettingsDialog", text)


class SettingsDialog(QDialog):
    """Edits a copy of the settings; ``settings()`` gives the result once accepted."""

    def __init__(
        self, settings: DesktopSettings, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Settings"))
        self._original = settings
        layout = QVBoxLayout(self)
        intro = QLabel(
            tr(
                "A unit's alert level is the higher of two judgements: its forecast "
                "number of fatalities, and its chance of any fatality."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        layout.addLayout(form)

        def count(value: float) -> QDoubleSpinBox:
            box = QDoubleSpinBox()
            box.setRange(0, 1_000_000)
            box.setDecimals(0)
            box.setValue(value)
            return box

        def share(value: float) -> QSpinBox:
            box = QSpinBox()
            box.setRange(0, 100)
            box.setSuffix(" %")
            box.setValue(round(value * 100))
            return box

        alerts = settings.alerts
        self.elevated_count = count(alerts.elevated_fatalities)
        self.high_count = count(alerts.high_fatalities)
        self.elevated_share = share(alerts.elevated_probability)
        self.high_share = share(alerts.high_probability)
        self.expiry_days = QSpinBox()
        self.expiry_days.setRange(0, 365)
        self.expiry_days.setSuffix(tr(" days"))
        self.expiry_days.setValue(settings.bundle_expiry_warning_days)
        form.addRow(tr("Elevated from (fatalities):"), self.elevated_count)
        form.addRow(tr("High from (fatalities):"), self.high_count)
        form.addRow(tr("Elevated from (chance of any):"), self.elevated_share)
        form.addRow(tr("High from (chance of any):"), self.high_share)
        form.addRow(tr("Warn before a model expires:"), self.expiry_days)

        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.hide()
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def settings(self) -> DesktopSettings:
        low_count = self.elevated_count.value()
        low_share = self.elevated_share.value() / 100
        return self._original.with_changes(
            alerts=AlertThresholds(
                elevated_fatalities=low_count,
                high_fatalities=max(low_count, self.high_count.value()),
                elevated_probability=low_share,
                high_probability=max(low_share, self.high_share.value() / 100),
            ),
            bundle_expiry_warning_days=self.expiry_days.value(),
        )
