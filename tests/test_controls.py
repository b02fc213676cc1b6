"""The bundle registry and kill-switches: import, activate, roll back, revoke."""

from __future__ import annotations

import json

import pytest

from engine import controls
from engine.errors import BundleError, GateError
from engine.workspace import Workspace, parse_timestamp
from tests.factories import make_archive, make_bundle, read_manifest


@pytest.fixture
def workspace(tmp_path):
    with Workspace.open(tmp_path / "ws") as opened:
        yield opened


def built(tmp_path, name, release, **changes):
    return make_bundle(
        tmp_path / "built" / name, bundle_id=name, release=release, **changes
    )


def audit_kinds(workspace):
    return [row["kind"] for row in workspace.query("SELECT kind FROM audit_events")]


def test_import_copies_records_raises_the_floor_and_audits(tmp_path, workspace):
    folder = built(tmp_path, "cm-r1", 1)
    result = controls.import_bundle(workspace, folder, "amina")

    assert result.imported
    assert result.bundle.folder == (workspace.bundle_folder / "cm-r1").resolve()
    (record,) = controls.list_bundles(workspace)
    assert (record.id, record.release, record.imported_by) == ("cm-r1", 1, "amina")
    assert record.digest == result.bundle.digest
    assert controls.highest_release(workspace, "test-cm") == 1
    created = parse_timestamp(read_manifest(folder).created)
    assert workspace.time_floor() == created
    assert audit_kinds(workspace) == ["bundle_imported"]
    assert not list(workspace.bundle_folder.glob(".*partial*"))


def test_import_from_an_archive(tmp_path, workspace):
    archive = make_archive(built(tmp_path, "cm-r1", 1), tmp_path / "cm-r1.tar.gz")
    result = controls.import_bundle(workspace, archive, "amina")
    assert result.bundle.id == "cm-r1"


def test_importing_the_same_bundle_again_changes_nothing(tmp_path, workspace):
    folder = built(tmp_path, "cm-r1", 1)
    controls.import_bundle(workspace, folder, "amina")
    again = controls.import_bundle(workspace, folder, "amina")
    assert not again.imported
    assert len(controls.list_bundles(workspace)) == 1
    assert audit_kinds(workspace) == ["bundle_imported"]


@pytest.mark.parametrize("release", [1, 2])
def test_a_release_not_above_the_highest_seen_is_refused(tmp_path, workspace, release):
    controls.import_bundle(workspace, built(tmp_path, "cm-r2", 2), "amina")
    with pytest.raises(BundleError, match="release 2 already seen"):
        controls.import_bundle(workspace, built(tmp_path, "cm-old", release), "amina")
    assert [r.id for r in controls.list_bundles(workspace)] == ["cm-r2"]
    assert not (workspace.bundle_folder / "cm-old").exists()


def test_a_tampered_bundle_is_refused_and_nothing_is_kept(tmp_path, workspace):
    folder = built(tmp_path, "cm-r1", 1)
    graph = folder / "model.onnx"
    graph.write_bytes(graph.read_bytes() + b"x")
    with pytest.raises(BundleError):
        controls.import_bundle(workspace, folder, "amina")
    assert controls.list_bundles(workspace) == []
    assert list(workspace.bundle_folder.iterdir()) == []
    assert workspace.time_floor() is None


def test_activate_and_rollback_to_the_previous_bundle(tmp_path, workspace):
    for release in (1, 2):
        name = f"cm-r{release}"
        controls.import_bundle(workspace, built(tmp_path, name, release), "amina")
    assert controls.active_bundle(workspace) is None

    controls.activate(workspace, "cm-r1", "amina")
    controls.activate(workspace, "cm-r2", "amina")
    assert controls.active_bundle(workspace).id == "cm-r2"

    back = controls.rollback(workspace, "kofi", "r2 forecasts look wrong in the north")
    assert back.id == "cm-r1"
    assert controls.active_bundle_id(workspace) == "cm-r1"
    row = workspace.query("SELECT * FROM activations ORDER BY id DESC LIMIT 1")[0]
    assert (row["action"], row["person"], row["bundle_id"]) == (
        "rollback",
        "kofi",
        "cm-r1",
    )
    event = workspace.query(
        "SELECT detail FROM audit_events WHERE kind = 'bundle_rolled_back'"
    )[0]
    assert json.loads(event["detail"])["from"] == "cm-r2"

    # Nothing further back: a second rollback is refused.
    with pytest.raises(BundleError, match="no earlier bundle"):
        controls.rollback(workspace, "kofi", "again")


def test_a_rolled_back_bundle_passes_the_release_check(tmp_path, workspace):
    for release in (1, 2):
        name = f"cm-r{release}"
        controls.import_bundle(workspace, built(tmp_path, name, release), "amina")
        controls.activate(workspace, name, "amina")
    bundle = controls.rollback(workspace, "kofi", "bad release")
    status = controls.bundle_status(workspace, bundle)
    assert status.highest_release_seen is None
    assert status.files_intact and status.revoked is None


def test_an_unregistered_older_bundle_fails_the_release_check(tmp_path, workspace):
    controls.import_bundle(workspace, built(tmp_path, "cm-r2", 2), "amina")
    from engine.bundle import Bundle

    older = Bundle.open(built(tmp_path, "cm-r1", 1))
    assert controls.bundle_status(workspace, older).highest_release_seen == 2


def test_rollback_needs_a_reason(tmp_path, workspace):
    with pytest.raises(GateError, match="why"):
        controls.rollback(workspace, "kofi", "  ")


def test_kill_switch_blocks_activation_and_is_lifted_with_a_record(tmp_path, workspace):
    controls.import_bundle(workspace, built(tmp_path, "cm-r1", 1), "amina")
    controls.set_kill_switch(workspace, "cm-r1", "kofi", "trained on bad data")
    assert controls.revocation(workspace, "cm-r1") == "trained on bad data"
    with pytest.raises(BundleError, match="withdrawn"):
        controls.activate(workspace, "cm-r1", "amina")

    bundle = controls.open_stored(workspace, "cm-r1")
    assert controls.bundle_status(workspace, bundle).revoked == "trained on bad data"

    assert controls.lift_kill_switch(workspace, "cm-r1", "kofi", "data fixed") == 1
    assert controls.revocation(workspace, "cm-r1") is None
    controls.activate(workspace, "cm-r1", "amina")
    (switch,) = controls.kill_switches(workspace, "cm-r1")
    assert (switch.set_by, switch.lifted_by, switch.lift_reason) == (
        "kofi",
        "kofi",
        "data fixed",
    )
    assert audit_kinds(workspace) == [
        "bundle_imported",
        "kill_switch_set",
        "kill_switch_lifted",
        "bundle_activated",
    ]


def test_a_channel_kill_switch_cannot_be_lifted_locally(workspace):
    controls.set_kill_switch(workspace, "cm-r9", "hub", "withdrawn", origin="channel")
    with pytest.raises(GateError, match="signed channel"):
        controls.lift_kill_switch(workspace, "cm-r9", "kofi", "I disagree")
    assert controls.revocation(workspace, "cm-r9") == "withdrawn"


def test_lifting_without_a_kill_switch_says_so(workspace):
    with pytest.raises(GateError, match="not withdrawn"):
        controls.lift_kill_switch(workspace, "cm-r1", "kofi", "why not")


def test_a_file_changed_after_import_is_reported_by_bundle_status(tmp_path, workspace):
    bundle = controls.import_bundle(
        workspace, built(tmp_path, "cm-r1", 1), "amina"
    ).bundle
    (bundle.folder / "model.onnx").write_bytes(b"not a model")
    status = controls.bundle_status(workspace, bundle)
    assert not status.files_intact
    assert "model.onnx" in status.problems[0]


def test_release_counters_only_grow(workspace):
    controls.raise_release_counter(workspace, "test-cm", 5, "hub", "channel")
    controls.raise_release_counter(workspace, "test-cm", 3, "hub", "channel")
    assert controls.highest_release(workspace, "test-cm") == 5


def test_an_unsafe_bundle_id_is_refused(tmp_path, workspace):
    with pytest.raises(BundleError, match="plain name"):
        controls.import_bundle(workspace, built(tmp_path, ".hidden", 1), "amina")
