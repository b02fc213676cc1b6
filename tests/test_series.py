"""Packed series: panels read through them equal panels read from observations."""

from __future__ import annotations

import numpy as np
import pytest

from engine.features import load_panel
from engine.ingest import ingest_file
from engine.months import parse_month
from engine.schema import MIGRATIONS
from engine.series import read_series, refresh_series
from engine.workspace import Workspace
from tests.factories import LAST_MONTH, TARGET, make_workspace, old_workspace
from tests.ingest_support import SOURCE, mapping, series_rows, write_csv

FIRST = LAST_MONTH - 23  # the factory's data start here (24 months)


def reference(workspace, variable, first_month, last_month, names):
    """The panel read the plain way: one observation row at a time."""
    ids = workspace.unit_ids()
    values = np.full((len(names), last_month - first_month + 1), np.nan)
    for row, name in enumerate(names):
        for month, value in workspace.db.execute(
            "SELECT month, value FROM observations "
            "WHERE unit_id = ? AND variable = ? AND month BETWEEN ? AND ?",
            (ids.get(name, -1), variable, first_month, last_month),
        ):
            values[row, month - first_month] = value
    return values


def assert_same_panel(workspace, variable, first_month, last_month, names=None):
    panel = load_panel(workspace, variable, first_month, last_month, names)
    expected = reference(
        workspace, variable, first_month, last_month, list(panel.unit_names)
    )
    assert panel.values.shape == expected.shape
    # Bit for bit, NaN where nothing is held.
    assert panel.values.tobytes() == expected.tobytes()
    return panel


@pytest.fixture
def workspace(tmp_path):
    with make_workspace(tmp_path / "ws", units=5, months=24) as opened:
        yield opened


def unit_id(workspace, name):
    return workspace.unit_ids()[name]


def test_a_panel_equals_the_observations_over_any_span(workspace):
    for first, last in [
        (FIRST, LAST_MONTH),  # the whole history
        (LAST_MONTH - 11, LAST_MONTH),  # its end
        (FIRST - 6, FIRST + 3),  # starting before any data
        (LAST_MONTH - 2, LAST_MONTH + 5),  # reaching past the data
        (FIRST - 20, FIRST - 10),  # before every unit's data: all NaN
        (LAST_MONTH + 3, LAST_MONTH + 3),  # one month after it
    ]:
        assert_same_panel(workspace, TARGET, first, last)
    panel = load_panel(workspace, TARGET, FIRST - 20, FIRST - 10)
    assert np.isnan(panel.values).all()


def test_unknown_units_and_repeated_names_are_rows_of_their_own(workspace):
    names = ["Unit 03", "Nowhere", "Unit 01", "Unit 03"]
    panel = assert_same_panel(workspace, TARGET, FIRST, LAST_MONTH, names)

    assert panel.unit_names == tuple(names)
    assert np.isnan(panel.values[1]).all()
    assert not np.isnan(panel.values[0]).any()
    assert panel.values[0].tobytes() == panel.values[3].tobytes()


def test_a_unit_with_gaps_and_a_unit_with_no_data(workspace):
    gappy = unit_id(workspace, "Unit 02")
    with workspace.atomic():
        workspace.db.execute(
            "DELETE FROM observations WHERE unit_id = ? AND month IN (?, ?, ?)",
            (gappy, FIRST, FIRST + 5, LAST_MONTH - 1),
        )
        workspace.db.execute(
            "DELETE FROM observations WHERE unit_id = ?",
            (unit_id(workspace, "Unit 04"),),
        )
    panel = assert_same_panel(workspace, TARGET, FIRST - 1, LAST_MONTH)

    assert np.isnan(panel.values[2]).sum() == 1 + 3
    assert np.isnan(panel.values[4]).all()
    assert (
        workspace.scalar(
            "SELECT COUNT(*) FROM series WHERE variable = ? AND unit_id = ?",
            (TARGET, unit_id(workspace, "Unit 04")),
        )
        == 0
    )


def test_direct_inserts_updates_and_deletes_are_seen(workspace):
    """Writes to observations by any code path reach the next panel read."""
    assert_same_panel(workspace, TARGET, FIRST, LAST_MONTH)
    first, second = unit_id(workspace, "Unit 00"), unit_id(workspace, "Unit 01")
    batch = workspace.scalar("SELECT MAX(id) FROM batches")

    # A value changed, and a value moved to another month (before the old start).
    workspace.db.execute(
        "UPDATE observations SET value = 1234.5 WHERE unit_id = ? AND month = ?",
        (first, LAST_MONTH - 3),
    )
    workspace.db.execute(
        "UPDATE observations SET month = ? WHERE unit_id = ? AND month = ?",
        (FIRST - 4, second, FIRST + 2),
    )
    panel = assert_same_panel(workspace, TARGET, FIRST - 6, LAST_MONTH)
    assert panel.values[0, panel.column(LAST_MONTH - 3)] == 1234.5
    assert np.isnan(panel.values[1, panel.column(FIRST + 2)])
    assert not np.isnan(panel.values[1, panel.column(FIRST - 4)])

    # A row moved from one unit to another.
    workspace.db.execute(
        "UPDATE observations SET unit_id = ?, month = ? "
        "WHERE unit_id = ? AND month = ?",
        (second, LAST_MONTH + 2, first, LAST_MONTH),
    )
    assert_same_panel(workspace, TARGET, FIRST, LAST_MONTH + 2)

    # Inserted after the end, replaced in place, and deleted.
    workspace.db.execute(
        "INSERT INTO observations (unit_id, month, variable, value, batch_id) "
        "VALUES (?, ?, ?, 7.25, ?)",
        (first, LAST_MONTH + 9, TARGET, batch),
    )
    workspace.db.execute(
        "INSERT OR REPLACE INTO observations "
        "(unit_id, month, variable, value, batch_id) VALUES (?, ?, ?, 0.5, ?)",
        (first, FIRST, TARGET, batch),
    )
    workspace.db.execute(
        "DELETE FROM observations WHERE unit_id = ? AND month > ?",
        (second, LAST_MONTH - 6),
    )
    panel = assert_same_panel(workspace, TARGET, FIRST, LAST_MONTH + 9)
    assert (panel.values[0, 0], panel.values[0, -1]) == (0.5, 7.25)


def test_an_outlier_flag_leaves_the_series_fresh(workspace):
    refresh_series(workspace)
    workspace.db.execute(
        "UPDATE observations SET outlier = 1 WHERE month = ?", (FIRST,)
    )

    assert workspace.scalar("SELECT COUNT(*) FROM series_stale") == 0


def test_changes_inside_an_open_transaction_are_read_and_rolled_back(workspace):
    before = load_panel(workspace, TARGET, FIRST, LAST_MONTH).values
    first = unit_id(workspace, "Unit 00")

    with pytest.raises(RuntimeError), workspace.atomic():
        workspace.db.execute(
            "UPDATE observations SET value = -3.0 WHERE unit_id = ?", (first,)
        )
        inside = assert_same_panel(workspace, TARGET, FIRST, LAST_MONTH)
        assert (inside.values[0] == -3.0).all()
        raise RuntimeError("the caller's transaction fails")

    after = assert_same_panel(workspace, TARGET, FIRST, LAST_MONTH)
    assert after.values.tobytes() == before.tobytes()


def test_read_series_takes_unit_ids_in_any_order(workspace):
    ids = sorted(workspace.unit_ids().values())
    asked = np.array([ids[3], -1, ids[0], ids[3], 10_000], dtype=np.int64)
    values = read_series(workspace, TARGET, FIRST, LAST_MONTH, asked)
    whole = read_series(workspace, TARGET, FIRST, LAST_MONTH, ids)

    assert (
        values.tobytes()
        == np.stack(
            [whole[3], np.full(24, np.nan), whole[0], whole[3], np.full(24, np.nan)]
        ).tobytes()
    )
    assert read_series(workspace, TARGET, FIRST, FIRST - 1, ids).shape == (5, 0)
    assert read_series(workspace, TARGET, FIRST, LAST_MONTH, []).shape == (0, 24)
    unknown = read_series(workspace, "no_such_variable", FIRST, LAST_MONTH, ids)
    assert np.isnan(unknown).all()


def test_many_units_are_read_whole_and_few_by_id(tmp_path, monkeypatch):
    with make_workspace(tmp_path / "ws", units=30, months=12) as workspace:
        names = sorted(workspace.unit_ids())
        monkeypatch.setattr("engine.series.QUERY_UNITS", 4)
        assert_same_panel(workspace, TARGET, LAST_MONTH - 11, LAST_MONTH)
        assert_same_panel(workspace, TARGET, LAST_MONTH - 11, LAST_MONTH, names[5:8])


def test_a_rebuild_in_small_groups_of_units(tmp_path, monkeypatch):
    monkeypatch.setattr("engine.series.REFRESH_UNITS", 7)
    with make_workspace(tmp_path / "ws", units=30, months=12) as workspace:
        assert refresh_series(workspace) == 30
        assert workspace.scalar("SELECT COUNT(*) FROM series_stale") == 0
        assert refresh_series(workspace) == 0
        assert_same_panel(workspace, TARGET, LAST_MONTH - 11, LAST_MONTH)


def test_ingest_leaves_the_series_packed_and_current(tmp_path):
    with Workspace.open(tmp_path / "ws") as workspace:
        rules = mapping(tmp_path)
        body = series_rows({"Mali": [0, 3, 1, 0], "Niger": [0, 0, 2, 1]})
        ingest_file(workspace, write_csv(tmp_path, body), SOURCE, rules)

        assert workspace.scalar("SELECT COUNT(*) FROM series_stale") == 0
        assert workspace.scalar("SELECT COUNT(*) FROM series") == 2
        first, last = parse_month("2020-01"), parse_month("2020-06")
        assert_same_panel(workspace, "deaths", first, last, ["Mali", "Niger", "Chad"])

        # A second vintage: a value revised, a month and a unit added.
        body = series_rows({"Mali": [0, 30, 1, 0, 4], "Chad": [5]})
        ingest_file(workspace, write_csv(tmp_path, body, "second.csv"), SOURCE, rules)
        assert workspace.scalar("SELECT COUNT(*) FROM series_stale") == 0
        panel = assert_same_panel(
            workspace, "deaths", first, last, ["Mali", "Niger", "Chad"]
        )
        assert panel.values[0, 1] == 30.0
        assert panel.values[2, 0] == 5.0


def test_a_workspace_from_the_last_release_is_migrated_and_read(tmp_path):
    """A schema-2 workspace gains the series, marked stale, and reads as before."""
    folder = old_workspace(
        tmp_path / "old",
        2,
        """
        INSERT INTO sources (name, cadence_months) VALUES ('ucdp', 1);
        INSERT INTO variables (name, tag, measure) VALUES
            ('ged_sb', 'stochastic', 'deaths'), ('ged_ns', 'stochastic', 'deaths');
        INSERT INTO batches (id, source, file_name, sha256, rows_read, rows_accepted,
            created_at, person, status, vintage)
            VALUES (1, 'ucdp', 'old.csv', 'x', 5, 5, '2024-01-01', 'old',
                'accepted', 1);
        INSERT INTO units (id, name) VALUES (1, 'Old A'), (2, 'Old B'), (3, 'Old C');
        INSERT INTO observations (unit_id, month, variable, value, batch_id) VALUES
            (1, 500, 'ged_sb', 1.5, 1), (1, 503, 'ged_sb', 0.0, 1),
            (2, 501, 'ged_sb', 4.0, 1), (2, 501, 'ged_ns', 9.0, 1),
            (3, 499, 'ged_ns', 2.0, 1);
        """,
    )

    with Workspace.open(folder) as workspace:
        assert workspace.schema_version == len(MIGRATIONS)
        stale = workspace.db.execute(
            "SELECT variable, unit_id FROM series_stale ORDER BY variable, unit_id"
        ).fetchall()
        assert stale == [("ged_ns", 2), ("ged_ns", 3), ("ged_sb", 1), ("ged_sb", 2)]

        panel = assert_same_panel(workspace, "ged_sb", 498, 504)
        assert panel.values[0, 2] == 1.5
        # Only the variable read was rebuilt; the other waits for its first read.
        assert workspace.scalar("SELECT COUNT(*) FROM series_stale") == 2
        assert_same_panel(workspace, "ged_ns", 498, 504)
        assert workspace.scalar("SELECT COUNT(*) FROM series_stale") == 0
