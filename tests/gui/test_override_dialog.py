"""The override dialog: shows the original, refuses until complete, records one row."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from stored_runs import store_person, store_run

from desktop.dialogs.override import OverrideDialog
from engine.overrides import MIN_JUSTIFICATION, ReasonCategory, list_overrides

WHY = "The armed group left the district after the agreement of last week."


@pytest.fixture
def jean(workspace):
    store_person(workspace, "Amina Diallo", "supervisor")
    return store_person(workspace, "Jean Ouedraogo", "field")


def _open(qtbot, runner, person, run_id, unit="Mali", horizon=2) -> OverrideDialog:
    dialog = OverrideDialog(runner, person, run_id, unit, horizon)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.original is not None, timeout=10_000)
    return dialog


def test_the_original_forecast_and_what_is_recorded_are_shown(
    qtbot, runner, workspace, jean
):
    run_id = store_run(workspace)
    dialog = _open(qtbot, runner, jean, run_id)
    assert "Mali" in dialog.heading.text() and "2" in dialog.heading.text()
    assert dialog.point_label.text() == "13"
    assert dialog.hdi50_label.text() == "6.5 to 20"
    assert dialog.hdi90_label.text() == "0 to 39"
    assert dialog.p_any_label.text().startswith("75")
    note = dialog.recorded_note.text()
    for words in ("Jean Ouedraogo", "field staff", "cm-fatalities-r3", "bbbbbbbbbbbb"):
        assert words in note
    assert "cannot be edited" in note
    assert dialog.value_field.value() == pytest.approx(13.0)


def test_record_stays_disabled_without_a_reason_or_enough_text(
    qtbot, runner, workspace, jean
):
    run_id = store_run(workspace)
    dialog = _open(qtbot, runner, jean, run_id)
    assert not dialog.record_button.isEnabled()

    dialog.text_field.setPlainText(WHY)
    assert not dialog.record_button.isEnabled()  # no reason yet
    assert "Choose why" in dialog.problem()

    dialog.choose_reason(ReasonCategory.LOCAL_KNOWLEDGE)
    assert dialog.record_button.isEnabled()

    dialog.text_field.setPlainText("x" * (MIN_JUSTIFICATION - 1))
    assert not dialog.record_button.isEnabled()
    dialog.text_field.setPlainText("   " + "x" * (MIN_JUSTIFICATION - 1) + "   ")
    assert not dialog.record_button.isEnabled()  # spaces do not count
    dialog.text_field.setPlainText("x" * MIN_JUSTIFICATION)
    assert dialog.record_button.isEnabled()

    dialog.try_record()  # the text is fine, but nothing was clicked: still records
    runner.wait_idle(qtbot)
    assert dialog.override is not None


def test_a_range_that_does_not_hold_the_value_is_refused(
    qtbot, runner, workspace, jean
):
    run_id = store_run(workspace)
    dialog = _open(qtbot, runner, jean, run_id)
    dialog.choose_reason(ReasonCategory.OTHER)
    dialog.text_field.setPlainText(WHY)
    dialog.range_check.setChecked(True)
    dialog.value_field.setValue(50.0)
    dialog.low_field.setValue(1.0)
    dialog.high_field.setValue(20.0)
    assert not dialog.record_button.isEnabled()
    dialog.high_field.setValue(60.0)
    assert dialog.record_button.isEnabled()


def test_accepting_records_exactly_the_row_shown(qtbot, runner, workspace, jean):
    run_id = store_run(workspace)
    dialog = _open(qtbot, runner, jean, run_id)
    dialog.value_field.setValue(4.0)
    dialog.range_check.setChecked(True)
    dialog.low_field.setValue(1.0)
    dialog.high_field.setValue(9.0)
    qtbot.mouseClick(
        dialog.reason_buttons[ReasonCategory.DATA_ERROR], Qt.MouseButton.LeftButton
    )
    dialog.text_field.setPlainText(WHY)

    with qtbot.waitSignal(dialog.recorded, timeout=10_000):
        dialog.record_button.click()
    assert dialog.result() == dialog.DialogCode.Accepted

    rows = workspace.query("SELECT * FROM overrides")
    assert len(rows) == 1
    row = rows[0]
    assert (row["value"], row["low"], row["high"]) == (4.0, 1.0, 9.0)
    assert row["reason_category"] == "data_error"
    assert row["justification"] == WHY
    assert (row["person"], row["role"]) == ("Jean Ouedraogo", "field")
    assert json.loads(row["original"])["point"] == pytest.approx(13.0)
    assert json.loads(row["provenance"])["run_id"] == run_id
    assert list_overrides(workspace)[0] == dialog.override


def test_cancel_records_nothing(qtbot, runner, workspace, jean):
    run_id = store_run(workspace)
    dialog = _open(qtbot, runner, jean, run_id)
    dialog.choose_reason(ReasonCategory.OTHER)
    dialog.text_field.setPlainText(WHY)
    dialog.buttons.rejected.emit()
    runner.wait_idle(qtbot)
    assert dialog.result() == dialog.DialogCode.Rejected
    assert workspace.scalar("SELECT COUNT(*) FROM overrides") == 0


def test_a_blocked_unit_shows_its_reasons_and_no_number(qtbot, runner, workspace, jean):
    message = "Fatality data for Chad ends in March 2024; import the April package."
    run_id = store_run(workspace, blocked={"Chad": message})
    dialog = _open(qtbot, runner, jean, run_id, unit="Chad", horizon=1)
    assert dialog.original.blocked
    assert message in dialog.blocked_label.text()
    assert "field estimate" in dialog.blocked_label.text()
    assert dialog.point_label.text() == "—"
    assert not any(ch.isdigit() for ch in dialog.hdi90_label.text())

    dialog.value_field.setValue(7.0)
    dialog.choose_reason(ReasonCategory.LOCAL_KNOWLEDGE)
    dialog.text_field.setPlainText(WHY)
    with qtbot.waitSignal(dialog.recorded, timeout=10_000):
        dialog.record_button.click()
    assert dialog.override.is_field_estimate


def test_a_refusal_from_the_engine_is_shown_inside_the_dialog(
    qtbot, runner, workspace, jean
):
    run_id = store_run(workspace)
    dialog = _open(qtbot, runner, jean, run_id)
    dialog.person = type(jean)("Somebody Else", jean.role)  # not on this device
    dialog.choose_reason(ReasonCategory.OTHER)
    dialog.text_field.setPlainText(WHY)
    dialog.record_button.click()
    qtbot.waitUntil(lambda: dialog.message.kind == "problem", timeout=10_000)
    assert "Sign in again" in dialog.message.text()
    assert dialog.isEnabled() and dialog.record_button.isEnabled()
    assert workspace.scalar("SELECT COUNT(*) FROM overrides") == 0
