"""Supervisor controls: kill-switch, lift, roll back; refused to field staff."""

from __future__ import annotations

import pytest
from stored_runs import store_person

from desktop.dialogs.supervisor import MIN_REASON, SupervisorDialog
from engine import controls
from tests.factories import make_bundle

REASON = "The r2 forecasts for the north are clearly wrong."


@pytest.fixture
def two_bundles(tmp_path, workspace):
    for release in (1, 2):
        folder = make_bundle(
            tmp_path / "built" / f"cm-r{release}",
            bundle_id=f"cm-r{release}",
            release=release,
        )
        controls.import_bundle(workspace, folder, "setup")
        controls.activate(workspace, f"cm-r{release}", "setup")
    return workspace


def _open(qtbot, runner, person) -> SupervisorDialog:
    dialog = SupervisorDialog(runner, person)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.view is not None, timeout=10_000)
    return dialog


def audit(workspace, kind):
    return workspace.query(
        "SELECT person, detail FROM audit_events WHERE kind = ?", (kind,)
    )


def test_the_bundles_and_the_rollback_target_are_listed(qtbot, runner, two_bundles):
    amina = store_person(two_bundles, "Amina Diallo", "supervisor")
    dialog = _open(qtbot, runner, amina)
    assert dialog.bundle_list.topLevelItemCount() == 2
    states = {
        dialog.bundle_list.topLevelItem(i).text(0): dialog.bundle_list.topLevelItem(
            i
        ).text(3)
        for i in range(2)
    }
    assert states == {"cm-r1": "Available", "cm-r2": "Active"}
    assert dialog.selected().id == "cm-r2"
    assert "cm-r2 to cm-r1" in dialog.rollback_label.text()


def test_actions_wait_for_a_reason(qtbot, runner, two_bundles):
    amina = store_person(two_bundles, "Amina Diallo", "supervisor")
    dialog = _open(qtbot, runner, amina)
    assert not dialog.kill_button.isEnabled()
    assert not dialog.rollback_button.isEnabled()
    dialog.reason_field.setText("x" * (MIN_REASON - 1))
    assert not dialog.kill_button.isEnabled()
    dialog.reason_field.setText(REASON)
    assert dialog.kill_button.isEnabled() and dialog.rollback_button.isEnabled()
    assert not dialog.lift_button.isEnabled()  # nothing to lift yet


def test_a_supervisor_sets_and_lifts_a_kill_switch(qtbot, runner, two_bundles):
    amina = store_person(two_bundles, "Amina Diallo", "supervisor")
    dialog = _open(qtbot, runner, amina)
    dialog.select("cm-r2")
    dialog.reason_field.setText(REASON)
    with qtbot.waitSignal(dialog.changed, timeout=10_000):
        dialog.kill_button.click()
    assert controls.revocation(two_bundles, "cm-r2") == REASON
    assert "Withdrawn" in dialog.bundle_list.topLevelItem(1).text(3)
    assert dialog.reason_field.text() == ""
    assert audit(two_bundles, "kill_switch_set")[0]["person"] == "Amina Diallo"

    dialog.select("cm-r2")
    dialog.reason_field.setText("Checked with the regional office: a false alarm.")
    assert dialog.lift_button.isEnabled() and not dialog.kill_button.isEnabled()
    with qtbot.waitSignal(dialog.changed, timeout=10_000):
        dialog.lift_button.click()
    assert controls.revocation(two_bundles, "cm-r2") is None


def test_a_supervisor_rolls_back_with_a_recorded_reason(qtbot, runner, two_bundles):
    amina = store_person(two_bundles, "Amina Diallo", "supervisor")
    dialog = _open(qtbot, runner, amina)
    dialog.reason_field.setText(REASON)
    with qtbot.waitSignal(dialog.changed, timeout=10_000):
        dialog.rollback_button.click()
    assert controls.active_bundle_id(two_bundles) == "cm-r1"
    (row,) = two_bundles.query(
        "SELECT person, reason FROM activations WHERE action = 'rollback'"
    )
    assert row == {"person": "Amina Diallo", "reason": REASON}
    assert "Rolled back to cm-r1" in dialog.message.text()


def test_field_staff_see_the_controls_but_cannot_act(qtbot, runner, two_bundles):
    jean = store_person(two_bundles, "Jean Ouedraogo", "field")
    dialog = _open(qtbot, runner, jean)
    assert "Only a supervisor" in dialog.refusal.text()
    assert "Jean Ouedraogo" in dialog.refusal.text()
    dialog.reason_field.setText(REASON)
    assert not dialog.reason_field.isEnabled()
    for button in (dialog.kill_button, dialog.lift_button, dialog.rollback_button):
        assert not button.isEnabled()

    # Driven past its disabled buttons, the dialog still refuses.
    dialog.set_kill_switch()
    dialog.roll_back()
    runner.wait_idle(qtbot)
    assert "Only a supervisor" in dialog.message.text()
    assert controls.revocation(two_bundles, "cm-r2") is None
    assert controls.active_bundle_id(two_bundles) == "cm-r2"
    assert not audit(two_bundles, "kill_switch_set")


def test_without_a_person_the_controls_ask_for_a_sign_in(qtbot, runner, two_bundles):
    dialog = _open(qtbot, runner, None)
    assert "Sign in" in dialog.refusal.text()
    assert not dialog.rollback_button.isEnabled()
