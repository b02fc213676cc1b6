"""Overriding one forecast: the original beside the person's value, reason and text.

The dialog loads the original forecast and its provenance from the run (on the
workspace executor), shows them, and asks for a value (and, if the person wants, a
range), a reason category and a text of at least ``MIN_JUSTIFICATION`` characters. It
says plainly what will be recorded and that the record cannot be edited; the record
button stays disabled until everything needed is there. For a blocked unit it shows
the gate's reasons instead of numbers and records the person's own field estimate.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop.dialogs.common import (
    InlineMessage,
    Submit,
    count_text,
    fit_to_contents,
    month_text,
    share_text,
    tr,
)
from desktop.tasks import TaskControl, TaskHandle
from engine.months import parse_month
from engine.overrides import (
    MAX_JUSTIFICATION,
    MIN_JUSTIFICATION,
    OriginalForecast,
    Override,
    Provenance,
    ReasonCategory,
    original_forecast,
    record_override,
)
from engine.people import Person
from engine.workspace import Workspace

log = logging.getLogger(__name__)

MAX_VALUE = 10_000_000.0


def reason_labels() -> dict[ReasonCategory, str]:
    return {
        ReasonCategory.LOCAL_KNOWLEDGE: tr("Local knowledge of events"),
        ReasonCategory.DATA_ERROR: tr("Data error"),
        ReasonCategory.MODEL_WEAKNESS: tr("Known model weakness"),
        ReasonCategory.OTHER: tr("Other"),
    }


def _short(digest: str) -> str:
    return digest[:12] + "…" if len(digest) > 12 else digest


class OverrideDialog(QDialog):
    """Record ``person``'s override of ``unit`` at ``horizon`` in run ``run_id``."""

    recorded = Signal(object)

    def __init__(
        self,
        submit: Submit,
        person: Person,
        run_id: int,
        unit: str,
        horizon: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._submit = submit
        self.person = person
        self.run_id = run_id
        self.unit = unit
        self.horizon = horizon
        self.original: OriginalForecast | None = None
        self.provenance: Provenance | None = None
        self.override: Override | None = None
        self._task: TaskHandle | None = None
        self._recording = False
        self.setObjectName("overrideDialog")
        self.setWindowTitle(tr("Override a forecast"))

        self.heading = QLabel(self)
        self.heading.setObjectName("heading")
        self.heading.setWordWrap(True)
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.heading.setFont(font)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self._original_box())
        layout.addWidget(self._yours_box())
        layout.addWidget(self._reason_box())
        self.recorded_note = QLabel(self)
        self.recorded_note.setObjectName("recordedNote")
        self.recorded_note.setWordWrap(True)
        self.recorded_note.setFrameShape(QFrame.Shape.StyledPanel)
        self.recorded_note.setMargin(8)
        layout.addWidget(self.recorded_note)
        self.message = InlineMessage(self)
        layout.addWidget(self.message)

        self.buttons = QDialogButtonBox(self)
        self.record_button = self.buttons.addButton(
            tr("Record override"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel).setText(
            tr("Cancel")
        )
        self.buttons.accepted.connect(self.try_record)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        self._describe_loading()
        self._refresh()
        fit_to_contents(self, 600)
        self._load()

    # Building ---------------------------------------------------------------------

    def _original_box(self) -> QGroupBox:
        box = QGroupBox(tr("The model's forecast"), self)
        grid = QGridLayout(box)
        self.point_label = QLabel(box)
        self.hdi50_label = QLabel(box)
        self.hdi90_label = QLabel(box)
        self.p_any_label = QLabel(box)
        rows = (
            (tr("Most likely:"), self.point_label),
            (tr("50% interval:"), self.hdi50_label),
            (tr("90% interval:"), self.hdi90_label),
            (tr("Chance of any fatality:"), self.p_any_label),
        )
        self._number_captions: list[QLabel] = []
        for row, (caption, label) in enumerate(rows):
            caption_label = QLabel(caption, box)
            caption_label.setBuddy(label)
            self._number_captions.append(caption_label)
            grid.addWidget(caption_label, row, 0)
            grid.addWidget(label, row, 1)
        self.blocked_label = QLabel(box)
        self.blocked_label.setObjectName("blockedReasons")
        self.blocked_label.setWordWrap(True)
        self.blocked_label.hide()
        grid.addWidget(self.blocked_label, len(rows), 0, 1, 2)
        grid.setColumnStretch(1, 1)
        self.original_box = box
        return box

    def _yours_box(self) -> QGroupBox:
        box = QGroupBox(tr("Your forecast"), self)
        form = QFormLayout(box)
        self.value_field = self._spin(box)
        self.value_field.setAccessibleName(tr("Your value"))
        value_row = QHBoxLayout()
        value_row.addWidget(self.value_field)
        value_row.addStretch(1)
        value_caption = QLabel(tr("&Value (fatalities):"), box)
        value_caption.setBuddy(self.value_field)
        form.addRow(value_caption, value_row)

        self.range_check = QCheckBox(tr("Give a &range"), box)
        self.low_field = self._spin(box)
        self.low_field.setAccessibleName(tr("Low end of your range"))
        self.high_field = self._spin(box)
        self.high_field.setAccessibleName(tr("High end of your range"))
        ends = QHBoxLayout()
        ends.addWidget(self.range_check)
        ends.addWidget(QLabel(tr("from"), box))
        ends.addWidget(self.low_field)
        ends.addWidget(QLabel(tr("to"), box))
        ends.addWidget(self.high_field)
        ends.addStretch(1)
        form.addRow("", ends)
        self.range_check.toggled.connect(self._range_toggled)
        self.low_field.setEnabled(False)
        self.high_field.setEnabled(False)
        for spin in (self.value_field, self.low_field, self.high_field):
            spin.valueChanged.connect(self._refresh)
        self.yours_box = box
        return box

    def _spin(self, parent: QWidget) -> QDoubleSpinBox:
        spin = QDoubleSpinBox(parent)
        spin.setRange(0.0, MAX_VALUE)
        spin.setDecimals(1)
        spin.setGroupSeparatorShown(True)
        spin.setMinimumWidth(110)
        return spin

    def _reason_box(self) -> QGroupBox:
        box = QGroupBox(tr("Why"), self)
        layout = QVBoxLayout(box)
        self.reason_group = QButtonGroup(box)
        self.reason_buttons: dict[ReasonCategory, QRadioButton] = {}
        row = QGridLayout()
        for index, (category, label) in enumerate(reason_labels().items()):
            button = QRadioButton(label, box)
            button.setObjectName(f"reason_{category.value}")
            self.reason_group.addButton(button)
            self.reason_buttons[category] = button
            row.addWidget(button, index // 2, index % 2)
        self.reason_group.buttonToggled.connect(self._reason_toggled)
        layout.addLayout(row)

        self.text_field = QPlainTextEdit(box)
        self.text_field.setPlaceholderText(
            tr(
                "What do you know that the model does not? For example: the armed "
                "group left the district last week; the fighting in the March data "
                "was counted twice."
            )
        )
        self.text_field.setAccessibleName(tr("Explanation"))
        self.text_field.setTabChangesFocus(True)
        self.text_field.setMinimumHeight(90)
        self.text_field.setMaximumHeight(160)
        self.text_field.textChanged.connect(self._refresh)
        self.counter = QLabel(box)
        self.counter.setObjectName("hint")
        caption = QLabel(tr("&Explanation (required):"), box)
        caption.setBuddy(self.text_field)
        layout.addWidget(caption)
        layout.addWidget(self.text_field)
        layout.addWidget(self.counter)
        return box

    # Loading the original -----------------------------------------------------------

    def _load(self) -> None:
        run_id, unit, horizon = self.run_id, self.unit, self.horizon

        def load(
            workspace: Workspace, _control: TaskControl
        ) -> tuple[OriginalForecast, Provenance]:
            return original_forecast(workspace, run_id, unit, horizon)

        self._task = self._submit(
            "override.original", load, self._loaded, on_error=self._failed
        )

    def _loaded(self, result: tuple[OriginalForecast, Provenance]) -> None:
        self._task = None
        self.set_original(*result)

    def set_original(self, original: OriginalForecast, provenance: Provenance) -> None:
        """Show the forecast being overridden and what will be recorded with it."""
        self.original, self.provenance = original, provenance
        target = month_text(parse_month(provenance.origin) + self.horizon)
        if original.blocked:
            self.heading.setText(
                tr("Your estimate for {unit}, {target} ({ahead})")
                .replace("{unit}", self.unit)
                .replace("{target}", target)
                .replace("{ahead}", _ahead(self.horizon))
            )
            for label in (*self._number_labels(), *self._number_captions):
                label.setText("—")
                label.hide()
            self.original_box.setTitle(tr("No forecast to replace"))
            self.yours_box.setTitle(tr("Your estimate"))
            reasons = "\n".join(f"• {message}" for _code, message in original.reasons)
            self.blocked_label.setText(
                tr(
                    "The checks blocked this forecast, so there is no number to "
                    "replace:\n{reasons}\n\nYou may still record your own "
                    "estimate. It is kept as a field estimate, apart from model "
                    "forecasts."
                ).replace("{reasons}", reasons or tr("(no reason was stored)"))
            )
            self.blocked_label.show()
        else:
            self.heading.setText(
                tr("Override the forecast for {unit}, {target} ({ahead})")
                .replace("{unit}", self.unit)
                .replace("{target}", target)
                .replace("{ahead}", _ahead(self.horizon))
            )
            assert original.hdi50 is not None and original.hdi90 is not None
            self.point_label.setText(count_text(original.point))
            self.hdi50_label.setText(self._interval(original.hdi50))
            self.hdi90_label.setText(self._interval(original.hdi90))
            self.p_any_label.setText(share_text(original.p_any))
            self.blocked_label.hide()
            if original.point is not None:
                self.value_field.setValue(original.point)
            self.low_field.setValue(original.hdi90[0])
            self.high_field.setValue(original.hdi90[1])
        self.recorded_note.setText(self._what_is_recorded(provenance))
        self._refresh()
        fit_to_contents(self)

    def _number_labels(self) -> tuple[QLabel, ...]:
        return (self.point_label, self.hdi50_label, self.hdi90_label, self.p_any_label)

    def _interval(self, ends: tuple[float, float]) -> str:
        return (
            tr("{low} to {high}")
            .replace("{low}", count_text(ends[0]))
            .replace("{high}", count_text(ends[1]))
        )

    def _describe_loading(self) -> None:
        self.heading.setText(tr("Loading the forecast…"))
        for label in self._number_labels():
            label.setText("…")

    def _what_is_recorded(self, provenance: Provenance) -> str:
        return (
            tr(
                "Recorded with your override: your name ({name}), your role "
                "({role}), the time, your reason and text, the forecast shown "
                "above, and where it came from: run {run} of model bundle {bundle} "
                "(digest {digest}), input data digest {inputs}, forecast made from "
                "{origin}. Once recorded, an override cannot be edited or deleted."
            )
            .replace("{name}", self.person.name)
            .replace("{role}", _role_text(self.person))
            .replace("{run}", str(provenance.run_id))
            .replace("{bundle}", provenance.bundle_id)
            .replace("{digest}", _short(provenance.bundle_digest))
            .replace("{inputs}", _short(provenance.input_digest))
            .replace("{origin}", month_text(parse_month(provenance.origin)))
        )

    # Validating -------------------------------------------------------------------

    @property
    def reason(self) -> ReasonCategory | None:
        for category, button in self.reason_buttons.items():
            if button.isChecked():
                return category
        return None

    def choose_reason(self, category: ReasonCategory) -> None:
        self.reason_buttons[category].setChecked(True)

    @property
    def justification(self) -> str:
        return self.text_field.toPlainText().strip()

    def problem(self) -> str | None:
        """What still stops the override, in words; None when it can be recorded."""
        if self.original is None:
            return tr("Loading the forecast…")
        if self.reason is None:
            return tr("Choose why you override the forecast.")
        if len(self.justification) < MIN_JUSTIFICATION:
            return tr(
                "Explain the override in at least {n} characters: what you know that "
                "the model does not."
            ).replace("{n}", str(MIN_JUSTIFICATION))
        if len(self.justification) > MAX_JUSTIFICATION:
            return tr("Keep the explanation under {n} characters.").replace(
                "{n}", str(MAX_JUSTIFICATION)
            )
        if self.range_check.isChecked() and not (
            self.low_field.value()
            <= self.value_field.value()
            <= self.high_field.value()
        ):
            return tr("Your range must hold your value: low ≤ value ≤ high.")
        return None

    @Slot()
    def _refresh(self) -> None:
        problem = self.problem()
        self.record_button.setEnabled(problem is None and self._task is None)
        self.record_button.setToolTip(problem or "")
        typed = len(self.justification)
        self.counter.setText(
            tr("{typed} characters (at least {n})")
            .replace("{typed}", str(typed))
            .replace("{n}", str(MIN_JUSTIFICATION))
        )

    @Slot(bool)
    def _range_toggled(self, on: bool) -> None:
        self.low_field.setEnabled(on)
        self.high_field.setEnabled(on)
        self._refresh()

    @Slot(QAbstractButton, bool)
    def _reason_toggled(self, _button: QAbstractButton, _checked: bool) -> None:
        self._refresh()

    # Recording --------------------------------------------------------------------

    @Slot()
    def try_record(self) -> None:
        if self.problem() is not None or self._task is not None:
            return
        self.message.clear_message()
        category = self.reason
        assert category is not None
        arguments: dict[str, Any] = {
            "person": self.person,
            "run_id": self.run_id,
            "unit": self.unit,
            "horizon": self.horizon,
            "value": self.value_field.value(),
            "low": self.low_field.value() if self.range_check.isChecked() else None,
            "high": self.high_field.value() if self.range_check.isChecked() else None,
            "reason_category": category,
            "justification": self.justification,
        }

        def record(workspace: Workspace, _control: TaskControl) -> Override:
            return record_override(workspace, **arguments)

        # A write is not cancelled half-way: the buttons wait for it.
        self.message.show_note(tr("Recording…"))
        self.buttons.setEnabled(False)
        self._recording = True
        self._task = self._submit(
            "override.record",
            record,
            self._recorded,
            on_error=self._failed,
            supersede=False,
        )
        self._refresh()

    def _recorded(self, override: Override) -> None:
        self._task = None
        self._recording = False
        self.buttons.setEnabled(True)
        self.override = override
        self.recorded.emit(override)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._task = None
        self._recording = False
        self.buttons.setEnabled(True)
        self.message.show_failure(error, "recording an override")
        self._refresh()

    def reject(self) -> None:
        if self._recording:
            return  # the record is being written; the dialog closes when it is done
        if self._task is not None:
            self._task.cancel()
            self._task = None
        super().reject()


def _ahead(horizon: int) -> str:
    if horizon == 1:
        return tr("1 month ahead")
    return tr("{h} months ahead").replace("{h}", str(horizon))


def _role_text(person: Person) -> str:
    return tr("supervisor") if person.is_supervisor else tr("field staff")
