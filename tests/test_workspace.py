"""The workspace store: migrations, transactions, refusal of newer schemas."""

from __future__ import annotations

import sqlite3

import pytest

from engine.errors import SchemaTooNewError, WorkspaceError
from engine.schema import SCHEMA_VERSION
from engine.workspace import Workspace


def test_migrates_an_empty_folder_to_the_current_schema(tmp_path):
    with Workspace.open(tmp_path / "ws") as workspace:
        assert workspace.schema_version == SCHEMA_VERSION
        assert {"units", "observations", "batches", "forecast_sets"} <= set(
            workspace.db.table_names()
        )
        assert workspace.scalar("PRAGMA foreign_keys") == 1
        assert workspace.scalar("PRAGMA journal_mode") == "wal"


def test_reopening_keeps_data(tmp_path):
    with Workspace.open(tmp_path) as workspace:
        workspace.set_meta("k", "v")
    with Workspace.open(tmp_path) as workspace:
        assert workspace.get_meta("k") == "v"


def test_a_newer_schema_is_refused_and_left_untouched(tmp_path):
    with Workspace.open(tmp_path):
        pass
    database = tmp_path / "workspace.sqlite"
    connection = sqlite3.connect(database)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()
    before = database.read_bytes()

    with pytest.raises(SchemaTooNewError, match="newer fieldcast"):
        Workspace.open(tmp_path)
    assert database.read_bytes() == before


def test_a_failed_transaction_leaves_nothing_behind(tmp_path):
    with Workspace.open(tmp_path) as workspace:
        with pytest.raises(RuntimeError), workspace.atomic():
            workspace.set_meta("half", "written")
            raise RuntimeError("interrupted")
        assert workspace.get_meta("half") is None


def test_a_file_that_is_not_a_database_gives_a_clear_error(tmp_path):
    (tmp_path / "workspace.sqlite").write_bytes(b"not a database at all" * 100)
    with pytest.raises(WorkspaceError, match="not a readable workspace"):
        Workspace.open(tmp_path)


def test_missing_workspace_is_not_created_when_asked_not_to(tmp_path):
    with pytest.raises(WorkspaceError, match="no workspace"):
        Workspace.open(tmp_path / "absent", create=False)


def test_audit_events_are_append_only(tmp_path):
    with Workspace.open(tmp_path) as workspace:
        workspace.record_audit("test", "amina", {"a": 1})
        with pytest.raises(sqlite3.IntegrityError, match="never changed"):
            workspace.db.execute("UPDATE audit_events SET person = 'x'")
        with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
            workspace.db.execute("DELETE FROM audit_events")


def test_the_time_floor_only_moves_up(tmp_path):
    import datetime as dt

    with Workspace.open(tmp_path) as workspace:
        later = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
        earlier = dt.datetime(2025, 5, 1, tzinfo=dt.UTC)
        assert workspace.raise_time_floor(later, "test")
        assert not workspace.raise_time_floor(earlier, "test")
        assert workspace.time_floor() == later
