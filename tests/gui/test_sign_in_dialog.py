"""The sign-in and new-person dialogs, driven through their own widgets."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from desktop.dialogs.sign_in import NewPersonDialog, SignInDialog
from engine.people import Role, add_person, list_people


@pytest.fixture
def amina(workspace):
    return add_person(workspace, "Amina Diallo", "supervisor", "4821")


def _new_person(qtbot, runner, **options) -> NewPersonDialog:
    dialog = NewPersonDialog(runner, **options)
    qtbot.addWidget(dialog)
    return dialog


def test_the_first_person_is_a_supervisor_and_is_stored(qtbot, runner, workspace):
    dialog = _new_person(qtbot, runner, first_person=True)
    assert dialog.role is Role.SUPERVISOR
    assert not dialog.role_field.isEnabled()
    assert not dialog.ok_button.isEnabled()

    qtbot.keyClicks(dialog.name_field, "Amina Diallo")
    qtbot.keyClicks(dialog.pin_field, "4821")
    qtbot.keyClicks(dialog.repeat_field, "4821")
    assert dialog.ok_button.isEnabled()

    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.ok_button.click()
    assert dialog.person is not None and dialog.person.role is Role.SUPERVISOR
    assert [p.name for p in list_people(workspace)] == ["Amina Diallo"]
    assert not dialog.role_field.isEnabled()


@pytest.mark.parametrize(
    ("pin", "again", "words"),
    [
        ("1234", "1234", "too easy"),
        ("0000", "0000", "too easy"),
        ("4821", "4822", "differ"),
    ],
)
def test_a_trivial_or_mismatched_pin_keeps_ok_disabled(
    qtbot, runner, pin, again, words
):
    dialog = _new_person(qtbot, runner, first_person=True)
    dialog.name_field.setText("Amina")
    dialog.pin_field.setText(pin)
    dialog.repeat_field.setText(again)
    assert not dialog.ok_button.isEnabled()
    assert words in dialog.message.text()
    dialog.ok_button.click()  # a disabled button does nothing
    assert not runner.kinds


def test_the_pin_fields_are_masked_and_take_digits_only(qtbot, runner):
    dialog = _new_person(qtbot, runner, first_person=True)
    assert dialog.pin_field.echoMode() is QLineEdit.EchoMode.Password
    qtbot.keyClicks(dialog.pin_field, "48a2x1")
    assert dialog.pin_field.text() == "4821"


def test_a_supervisor_adds_field_staff(qtbot, runner, workspace, amina):
    dialog = _new_person(qtbot, runner, first_person=False, added_by=amina)
    assert dialog.role_field.isEnabled()
    assert dialog.role is Role.FIELD
    dialog.name_field.setText("Jean Ouedraogo")
    dialog.pin_field.setText("7305")
    dialog.repeat_field.setText("7305")
    with qtbot.waitSignal(dialog.person_added, timeout=10_000) as added:
        dialog.ok_button.click()
    assert added.args[0].role is Role.FIELD
    assert {p.name for p in list_people(workspace)} == {
        "Amina Diallo",
        "Jean Ouedraogo",
    }


def test_a_duplicate_name_is_refused_inside_the_dialog(qtbot, runner, amina):
    dialog = _new_person(qtbot, runner, first_person=False, added_by=amina)
    dialog.name_field.setText("amina diallo")
    dialog.pin_field.setText("7305")
    dialog.repeat_field.setText("7305")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: dialog.message.kind == "problem", timeout=10_000)
    assert "already" in dialog.message.text()
    assert dialog.result() == 0 and dialog.name_field.isEnabled()


def test_sign_in_lists_the_people_and_signs_in(qtbot, runner, amina):
    dialog = SignInDialog(runner)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.name_field.count() == 1, timeout=10_000)
    assert dialog.name_field.currentText() == "Amina Diallo"  # the only person
    assert not dialog.sign_in_button.isEnabled()

    qtbot.keyClicks(dialog.pin_field, "4821")
    with qtbot.waitSignal(dialog.signed_in, timeout=10_000) as signed:
        qtbot.keyClick(dialog.pin_field, Qt.Key.Key_Return)
    assert signed.args[0] == amina
    assert dialog.person == amina


def test_a_wrong_pin_is_refused_calmly_and_cleared(qtbot, runner, workspace, amina):
    dialog = SignInDialog(runner, names=["Amina Diallo"])
    qtbot.addWidget(dialog)
    dialog.pin_field.setText("9999")
    dialog.sign_in_button.click()
    assert not dialog.pin_field.isEnabled()  # busy while the PIN is checked
    qtbot.waitUntil(lambda: dialog.message.kind == "problem", timeout=10_000)
    assert "do not match" in dialog.message.text()
    assert dialog.pin_field.text() == "" and dialog.pin_field.isEnabled()
    assert dialog.person is None and dialog.result() == 0
    kinds = workspace.query("SELECT kind FROM audit_events")
    assert {"kind": "sign_in_failed"} in kinds


def test_cancelling_while_checking_drops_the_result(qtbot, runner, amina):
    dialog = SignInDialog(runner, names=["Amina Diallo"])
    qtbot.addWidget(dialog)
    dialog.pin_field.setText("4821")
    dialog.sign_in_button.click()
    dialog.reject()
    runner.wait_idle(qtbot)
    assert dialog.person is None
