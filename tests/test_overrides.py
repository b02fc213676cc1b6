"""Overrides: checked, kept with the original forecast and provenance, never edited."""

from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest
from stored_runs import store_person, store_run

from engine.manifest import canonical_json
from engine.overrides import (
    MIN_JUSTIFICATION,
    OverrideError,
    ReasonCategory,
    list_overrides,
    original_forecast,
    overrides_per_bundle,
    record_override,
)
from engine.people import Person, Role
from engine.workspace import Workspace

WHY = "Fighting stopped after the local agreement signed last week in Gao."


@pytest.fixture
def workspace(tmp_path):
    with Workspace.open(tmp_path / "ws") as workspace:
        yield workspace


@pytest.fixture
def person(workspace):
    store_person(workspace, "Amina Diallo", "supervisor")
    return store_person(workspace, "Jean Ouedraogo", "field")


def test_an_override_stores_the_original_forecast_and_its_provenance(workspace, person):
    run_id = store_run(workspace)
    override = record_override(
        workspace, person, run_id, "Mali", 2, 4.0, 1.0, 9.0, "local_knowledge", WHY
    )

    assert override.original.blocked is False
    assert override.original.point == pytest.approx(13.0)
    assert override.original.hdi50 == pytest.approx((6.5, 19.5))
    assert override.original.hdi90 == pytest.approx((0.0, 39.0))
    assert override.original.p_any == pytest.approx(0.75)
    assert override.provenance.run_id == run_id
    assert override.provenance.bundle_id == "cm-fatalities-r3"
    assert override.provenance.bundle_digest == "b" * 64
    assert override.provenance.input_digest == "d" * 64
    assert override.provenance.origin == "2024-06"
    assert override.target_month == "2024-08"
    assert (override.person, override.role) == ("Jean Ouedraogo", Role.FIELD)
    assert override.reason_category is ReasonCategory.LOCAL_KNOWLEDGE
    assert override.justification == WHY

    row = workspace.query("SELECT * FROM overrides")[0]
    assert row["value"] == 4.0 and (row["low"], row["high"]) == (1.0, 9.0)
    assert json.loads(row["original"])["point"] == pytest.approx(13.0)
    assert json.loads(row["provenance"])["bundle_digest"] == "b" * 64


def test_each_override_appends_an_audit_event_with_its_record_digest(workspace, person):
    run_id = store_run(workspace)
    override = record_override(
        workspace, person, run_id, "Niger", 1, 0.0, None, None, "data_error", WHY
    )
    event = workspace.query("SELECT * FROM audit_events WHERE kind = 'override'")[0]
    detail = json.loads(event["detail"])
    assert event["person"] == "Jean Ouedraogo"
    assert detail["override_id"] == override.id
    assert (
        detail["record_sha256"]
        == hashlib.sha256(canonical_json(override.to_record())).hexdigest()
    )


def test_the_canonical_record_reads_back_byte_for_byte(workspace, person):
    run_id = store_run(workspace)
    recorded = record_override(
        workspace, person, run_id, "Mali", 3, 20.0, 10.0, 30.0, "other", WHY
    )
    (again,) = list_overrides(workspace)
    assert again.canonical_bytes() == recorded.canonical_bytes()
    assert json.loads(again.canonical_bytes())["provenance"]["run_id"] == run_id


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"justification": "too short"}, "text_short"),
        ({"justification": " " * 40}, "text_short"),
        ({"reason_category": "gut_feeling"}, "category"),
        ({"reason_category": ""}, "category"),
        ({"value": -1.0}, "value"),
        ({"value": float("nan")}, "value"),
        ({"low": 5.0, "high": None}, "interval"),
        ({"low": 5.0, "high": 9.0, "value": 12.0}, "interval"),
        ({"horizon": 4}, "horizon"),
        ({"unit": "Atlantis"}, "unit"),
        ({"run_id": 999}, "run"),
    ],
)
def test_an_invalid_override_is_refused_and_nothing_is_stored(
    workspace, person, changes, code
):
    run_id = store_run(workspace)
    arguments = {
        "run_id": run_id,
        "unit": "Mali",
        "horizon": 1,
        "value": 4.0,
        "low": None,
        "high": None,
        "reason_category": "local_knowledge",
        "justification": WHY,
        **changes,
    }
    with pytest.raises(OverrideError) as caught:
        record_override(workspace, person, **arguments)
    assert caught.value.code == code
    assert workspace.scalar("SELECT COUNT(*) FROM overrides") == 0
    assert (
        workspace.scalar("SELECT COUNT(*) FROM audit_events WHERE kind = 'override'")
        == 0
    )


def test_the_minimum_justification_is_exactly_the_limit(workspace, person):
    run_id = store_run(workspace)
    text = "x" * MIN_JUSTIFICATION
    record_override(
        workspace, person, run_id, "Mali", 1, 4.0, None, None, "other", text
    )
    with pytest.raises(OverrideError):
        record_override(
            workspace, person, run_id, "Mali", 1, 4.0, None, None, "other", text[1:]
        )


def test_a_person_not_on_this_device_cannot_override(workspace, person):
    run_id = store_run(workspace)
    impostor = Person("Jean Ouedraogo", Role.SUPERVISOR)
    with pytest.raises(OverrideError) as caught:
        record_override(
            workspace, impostor, run_id, "Mali", 1, 4.0, None, None, "other", WHY
        )
    assert caught.value.code == "person"


def test_a_blocked_unit_takes_a_field_estimate_that_keeps_the_reasons(
    workspace, person
):
    message = "Fatality data for Chad ends in March 2024; import the April package."
    run_id = store_run(workspace, blocked={"Chad": message})
    original, _provenance = original_forecast(workspace, run_id, "Chad", 1)
    assert original.blocked and original.point is None

    override = record_override(
        workspace, person, run_id, "Chad", 1, 7.0, None, None, "local_knowledge", WHY
    )
    assert override.is_field_estimate
    assert override.original.reasons == (("stale_data", message),)
    assert override.original.hdi90 is None


def test_a_run_blocked_as_a_whole_blocks_every_unit(workspace, person):
    run_id = store_run(workspace, run_blocked="The bundle expired on 1 May 2024.")
    original, _ = original_forecast(workspace, run_id, "Mali", 1)
    assert original.blocked
    assert original.reasons[0][0] == "bundle_expired"


def test_overrides_can_never_be_edited_or_deleted(workspace, person):
    run_id = store_run(workspace)
    record_override(workspace, person, run_id, "Mali", 1, 4.0, None, None, "other", WHY)
    with pytest.raises(sqlite3.IntegrityError, match="never changed"):
        workspace.db.execute("UPDATE overrides SET value = 99")
    with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
        workspace.db.execute("DELETE FROM overrides")
    with pytest.raises(sqlite3.IntegrityError, match="never changed"):
        workspace.db.execute("UPDATE audit_events SET person = 'someone else'")
    assert list_overrides(workspace)[0].value == 4.0


def test_list_overrides_filters_and_counts_per_bundle(workspace, person):
    first = store_run(workspace, bundle_id="cm-r3")
    second = store_run(workspace, bundle_id="cm-r4", units={"Mali": 1.0})
    record_override(workspace, person, first, "Mali", 1, 4.0, None, None, "other", WHY)
    record_override(workspace, person, first, "Niger", 1, 4.0, None, None, "other", WHY)
    record_override(workspace, person, second, "Mali", 2, 4.0, None, None, "other", WHY)

    assert [o.unit for o in list_overrides(workspace, run_id=first)] == [
        "Niger",
        "Mali",
    ]
    assert len(list_overrides(workspace, unit="Mali")) == 2
    assert len(list_overrides(workspace, bundle_id="cm-r4")) == 1
    assert len(list_overrides(workspace, person="Nobody")) == 0
    assert len(list_overrides(workspace, limit=1)) == 1
    assert overrides_per_bundle(workspace) == {"cm-r3": 2, "cm-r4": 1}
