"""The alerts tab: what changed since the last run and needs a person's eye."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from desktop.alerts import Alert

ALERT_ROW_ROLE = Qt.ItemDataRole.UserRole + 1


def tr(text: str) -> str:
    return QCoreApplication.translate("AlertsView", text)


def alert_text(alert: Alert) -> str:
    """One plain sentence per alert."""
    if alert.kind == "unit":
        level = tr("high") if alert.severity == "high" else tr("elevated")
        return (
            tr("{unit}: the alert level rose to {level} since the last run.")
            .replace("{unit}", alert.subject)
            .replace("{level}", level)
        )
    if alert.kind == "data":
        if alert.severity == "empty":
            return tr("{source}: no data has been imported yet.").replace(
                "{source}", alert.subject
            )
        word = tr("overdue") if alert.severity == "overdue" else tr("due")
        return (
            tr("{source}: new data is {state} ({n} months since its last month). "
               "Import the latest data package.")
            .replace("{source}", alert.subject)
            .replace("{state}", word)
            .replace("{n}", str(alert.months_behind))
        )  # fmt: skip
    days = alert.days_left or 0.0
    if alert.severity == "expired":
        return tr("The model {name} has expired: import a newer bundle.").replace(
            "{name}", alert.subject
        )
    return (
        tr("The model {name} expires in {n} days: ask for a newer bundle.")
        .replace("{name}", alert.subject)
        .replace("{n}", str(max(0, int(days))))
    )


class AlertsView(QWidget):
    """A list of alerts; activating a unit alert selects that unit."""

    unit_activated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("alertsList")
        self.list.itemActivated.connect(self._activated)
        layout.addWidget(self.note)
        layout.addWidget(self.list, 1)
        self.alerts: list[Alert] = []
        self.show_alerts([])

    def show_alerts(self, alerts: list[Alert]) -> None:
        self.alerts = alerts
        self.list.clear()
        for alert in alerts:
            item = QListWidgetItem(self._prefix(alert) + alert_text(alert))
            if alert.unit_row is not None:
                item.setData(ALERT_ROW_ROLE, alert.unit_row)
                item.setToolTip(tr("Press Enter to show this unit"))
            self.list.addItem(item)
        self.note.setText(
            tr("Nothing needs your attention.")
            if not alerts
            else tr("{n} alert(s). Press Enter on a unit to show it.").replace(
                "{n}", str(len(alerts))
            )
        )

    @staticmethod
    def _prefix(alert: Alert) -> str:
        marks = {"high": "▲▲ ", "elevated": "▲ ", "overdue": "● ", "expired": "● "}
        return marks.get(alert.severity, "○ ")

    def _activated(self, item: QListWidgetItem) -> None:
        row = item.data(ALERT_ROW_ROLE)
        if row is not None:
            self.unit_activated.emit(int(row))
