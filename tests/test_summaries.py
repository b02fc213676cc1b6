"""A run's summaries packed in one row: written, read whole and by unit, migrated."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

import engine.summaries
from engine.errors import ForecastError
from engine.runs import SUMMARY_FIELDS
from engine.schema import MIGRATIONS
from engine.workspace import Workspace
from tests.factories import old_workspace

HORIZONS = 4


def _arrays(units: int, seed: int = 1) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        name: rng.random((units, HORIZONS)).astype(np.float32)
        for name in SUMMARY_FIELDS
    }


def _run(workspace: Workspace) -> int:
    cursor = workspace.db.execute(
        "INSERT INTO forecast_runs (bundle_id, bundle_digest, origin, input_digest, "
        "code_version, parameters, horizons, started_at, finished_at, person, status, "
        "units_total, units_blocked) VALUES ('b', 'd', 600, 'i', 'c', '{}', "
        "'[1, 2, 3, 4]', 's', 'f', 'p', 'passed', 3, 0)"
    )
    return int(cursor.lastrowid or 0)


@pytest.fixture
def workspace(tmp_path):
    with Workspace.open(tmp_path / "ws") as opened:
        yield opened


def test_summaries_come_back_in_unit_id_order_with_their_numbers(workspace):
    run_id = _run(workspace)
    ids = np.array([30, 10, 20])
    arrays = _arrays(3)
    engine.summaries.write(workspace.db.conn, run_id, ids, arrays)

    stored = engine.summaries.read(workspace.db.conn, run_id, HORIZONS)
    assert stored.unit_ids.tolist() == [10, 20, 30]
    for name in SUMMARY_FIELDS:
        np.testing.assert_array_equal(stored.arrays[name], arrays[name][[1, 2, 0]])
    assert engine.summaries.count_units(workspace.db.conn, run_id) == 3


def test_one_unit_is_read_from_slices_and_an_absent_one_is_none(workspace):
    run_id = _run(workspace)
    arrays = _arrays(3)
    engine.summaries.write(workspace.db.conn, run_id, np.array([5, 7, 9]), arrays)

    unit = engine.summaries.read_unit(workspace.db.conn, run_id, 7, HORIZONS)
    assert unit is not None
    for name in SUMMARY_FIELDS:
        np.testing.assert_array_equal(unit[name], arrays[name][1])
    assert engine.summaries.read_unit(workspace.db.conn, run_id, 8, HORIZONS) is None
    assert engine.summaries.read_unit(workspace.db.conn, run_id, 99, HORIZONS) is None
    assert engine.summaries.read_unit(workspace.db.conn, 12345, 7, HORIZONS) is None


def test_a_run_without_numbers_reads_as_empty(workspace):
    stored = engine.summaries.read(workspace.db.conn, _run(workspace), HORIZONS)
    assert len(stored) == 0
    assert all(array.shape == (0, HORIZONS) for array in stored.arrays.values())


def test_a_unit_twice_or_ragged_arrays_are_refused(workspace):
    run_id = _run(workspace)
    with pytest.raises(ValueError, match="twice"):
        engine.summaries.write(
            workspace.db.conn, run_id, np.array([1, 1, 2]), _arrays(3)
        )
    ragged = _arrays(3)
    ragged["p_any"] = ragged["p_any"][:2]
    with pytest.raises(ValueError, match="one row per unit"):
        engine.summaries.write(workspace.db.conn, run_id, np.array([1, 2, 3]), ragged)
    assert engine.summaries.count_units(workspace.db.conn, run_id) == 0


def test_damaged_or_mismatched_rows_give_a_clear_error(workspace):
    run_id = _run(workspace)
    engine.summaries.write(workspace.db.conn, run_id, np.array([1, 2, 3]), _arrays(3))
    with pytest.raises(ForecastError, match="Run the forecast again"):
        engine.summaries.read(workspace.db.conn, run_id, HORIZONS + 1)
    workspace.db.execute(
        "UPDATE forecast_sets SET p_any = substr(p_any, 1, 10) WHERE run_id = ?",
        (run_id,),
    )
    with pytest.raises(ForecastError, match="damaged"):
        engine.summaries.read(workspace.db.conn, run_id, HORIZONS)
    with pytest.raises(ForecastError, match="damaged"):
        engine.summaries.read_unit(workspace.db.conn, run_id, 2, HORIZONS)


def test_runs_stored_a_row_per_unit_are_packed_unchanged_by_the_migration(tmp_path):
    folder = old_workspace(
        tmp_path / "old",
        3,
        """
        INSERT INTO units (id, name) VALUES (1, 'A'), (2, 'B'), (3, 'C');
        INSERT INTO forecast_runs (id, bundle_id, bundle_digest, origin,
            input_digest, code_version, parameters, horizons, started_at,
            finished_at, person, status, units_total, units_blocked)
            VALUES (1, 'b', 'd', 600, 'i', 'c', '{}', '[1, 2, 3, 4]', 's', 'f', 'p',
                'passed', 3, 0),
            (2, 'b', 'd', 601, 'i', 'c', '{}', '[1, 2, 3, 4]', 's', 'f', 'p',
                'warned', 3, 2),
            (3, 'b', 'd', 602, 'i', 'c', '{}', '[1, 2, 3, 4]', 's', 'f', 'p',
                'blocked', 3, 3);
        """,
    )
    runs = {1: ([3, 1, 2], _arrays(3, seed=1)), 2: ([2], _arrays(1, seed=2))}
    connection = sqlite3.connect(folder / "workspace.sqlite", isolation_level=None)
    for run_id, (ids, arrays) in runs.items():
        for row, unit_id in enumerate(ids):
            connection.execute(
                "INSERT INTO forecasts VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run_id,
                    unit_id,
                    *(
                        arrays[name][row].astype("<f4").tobytes()
                        for name in SUMMARY_FIELDS
                    ),
                ),
            )
    connection.close()

    with Workspace.open(folder) as workspace:
        assert workspace.schema_version == len(MIGRATIONS)
        tables = {
            name
            for (name,) in workspace.db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
            )
        }
        assert "forecasts" not in tables and "forecast_sets" in tables
        for run_id, (ids, arrays) in runs.items():
            stored = engine.summaries.read(workspace.db.conn, run_id, HORIZONS)
            order = np.argsort(ids)
            assert stored.unit_ids.tolist() == sorted(ids)
            for name in SUMMARY_FIELDS:
                np.testing.assert_array_equal(stored.arrays[name], arrays[name][order])
        assert engine.summaries.count_units(workspace.db.conn, 3) == 0
