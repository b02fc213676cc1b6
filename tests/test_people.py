"""Local people and sign-in: PIN rules, salted slow hashes, throttling, roles."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from engine.errors import AuthError
from engine.people import (
    AUDIT_SIGN_IN_FAILED,
    FIRST_WAIT_SECONDS,
    FREE_ATTEMPTS,
    PinRuleError,
    Role,
    RoleRefusedError,
    SignInThrottledError,
    WrongPinError,
    add_person,
    check_pin,
    find_person,
    has_people,
    hash_pin,
    list_people,
    require_role,
    seconds_to_wait,
    sign_in,
    verify_pin,
)
from engine.workspace import Workspace


@pytest.fixture
def workspace(tmp_path):
    with Workspace.open(tmp_path / "ws") as workspace:
        yield workspace


@pytest.fixture
def supervisor(workspace):
    return add_person(workspace, "Amina Diallo", "supervisor", "4821")


@pytest.mark.parametrize(
    ("pin", "rule"),
    [
        ("482", "short"),
        ("48a1", "digits"),
        ("48 21", "digits"),
        ("٤٨٢١", "digits"),  # Arabic-Indic digits: not on every keypad
        ("1234567890123", "long"),
        ("0000", "trivial"),
        ("1234", "trivial"),
        ("9876", "trivial"),
        ("123456", "trivial"),
        ("1212", "trivial"),
        ("1221", "trivial"),
        ("2580", "trivial"),
    ],
)
def test_pin_rules_refuse_short_and_trivial_pins(pin, rule):
    with pytest.raises(PinRuleError) as caught:
        check_pin(pin)
    assert caught.value.rule == rule


@pytest.mark.parametrize("pin", ["4821", "7305", "190283", "1357"])
def test_pin_rules_accept_ordinary_pins(pin):
    check_pin(pin)


def test_the_same_pin_hashes_differently_each_time():
    first, salt_one = hash_pin("4821")
    second, salt_two = hash_pin("4821")
    assert salt_one != salt_two
    assert first != second
    assert verify_pin("4821", first, salt_one)
    assert verify_pin("4821", second, salt_two)
    assert not verify_pin("4822", first, salt_one)


def test_a_hash_records_its_scrypt_parameters():
    pin_hash, _salt = hash_pin("4821")
    scheme, parameters, key = pin_hash.split("$")
    assert scheme == "scrypt"
    assert parameters == "n=32768,r=8,p=3"
    assert len(bytes.fromhex(key)) == 32


def test_the_stored_row_holds_no_pin(workspace, supervisor):
    row = workspace.query("SELECT * FROM people")[0]
    stored = json.dumps(row)
    assert "4821" not in stored
    assert row["pin_hash"].startswith("scrypt$")
    audit = json.dumps(workspace.query("SELECT * FROM audit_events"))
    assert "4821" not in audit


def test_the_first_person_must_be_a_supervisor(workspace):
    assert not has_people(workspace)
    with pytest.raises(AuthError, match="supervisor"):
        add_person(workspace, "Jean", "field", "4821")
    assert not has_people(workspace)


def test_only_a_supervisor_adds_further_people(workspace, supervisor):
    with pytest.raises(AuthError, match="Sign in"):
        add_person(workspace, "Jean", "field", "7305")
    field = add_person(workspace, "Jean", "field", "7305", added_by=supervisor)
    assert field.role is Role.FIELD
    with pytest.raises(RoleRefusedError):
        add_person(workspace, "Fatou", "field", "7391", added_by=field)
    assert [p.name for p in list_people(workspace)] == ["Amina Diallo", "Jean"]


def test_names_are_unique_whatever_the_case(workspace, supervisor):
    with pytest.raises(AuthError, match="already"):
        add_person(workspace, "amina  diallo", "field", "7305", added_by=supervisor)


def test_sign_in_with_the_right_pin_gives_the_person(workspace, supervisor):
    person = sign_in(workspace, "amina diallo", "4821")
    assert person == supervisor
    assert person.is_supervisor
    assert find_person(workspace, "Amina Diallo") == supervisor


def test_a_wrong_pin_is_refused_and_recorded(workspace, supervisor):
    with pytest.raises(WrongPinError, match="do not match"):
        sign_in(workspace, "Amina Diallo", "4822")
    failed = workspace.query(
        "SELECT person FROM audit_events WHERE kind = ?", (AUDIT_SIGN_IN_FAILED,)
    )
    assert failed == [{"person": "Amina Diallo"}]


def test_an_unknown_name_gets_the_same_answer_as_a_wrong_pin(workspace, supervisor):
    with pytest.raises(WrongPinError, match="do not match"):
        sign_in(workspace, "Nobody", "4821")


def test_repeated_failures_must_wait_longer_each_time(workspace, supervisor):
    start = dt.datetime(2025, 3, 1, 8, 0, tzinfo=dt.UTC)
    for attempt in range(FREE_ATTEMPTS):
        with pytest.raises(WrongPinError):
            sign_in(workspace, "Amina Diallo", "0001", now=start)
        assert attempt == FREE_ATTEMPTS - 1 or not seconds_to_wait(
            workspace, "Amina Diallo", now=start
        )

    # Even the right PIN waits now, and the wait is said in words.
    with pytest.raises(SignInThrottledError, match="Wait 30 seconds") as caught:
        sign_in(workspace, "Amina Diallo", "4821", now=start)
    assert caught.value.wait_seconds == FIRST_WAIT_SECONDS

    later = start + dt.timedelta(seconds=FIRST_WAIT_SECONDS)
    with pytest.raises(WrongPinError):
        sign_in(workspace, "Amina Diallo", "0001", now=later)
    assert (
        seconds_to_wait(workspace, "Amina Diallo", now=later) == 2 * FIRST_WAIT_SECONDS
    )

    # A success after waiting clears the count.
    much_later = later + dt.timedelta(minutes=5)
    assert sign_in(workspace, "Amina Diallo", "4821", now=much_later) == supervisor
    assert seconds_to_wait(workspace, "Amina Diallo", now=much_later) == 0


def test_require_role_refuses_field_staff_calmly(workspace, supervisor):
    field = add_person(workspace, "Jean", "field", "7305", added_by=supervisor)
    assert require_role(supervisor, "supervisor") is supervisor
    assert require_role(field, "field") is field
    with pytest.raises(RoleRefusedError, match="Only a supervisor can roll back"):
        require_role(field, Role.SUPERVISOR, "roll back")
    with pytest.raises(AuthError, match="Sign in"):
        require_role(None, "field")
    with pytest.raises(AuthError, match="not a role"):
        require_role(field, "admin")
