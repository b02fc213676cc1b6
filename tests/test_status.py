"""Freshness of sources and the workspace status records."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.ingest import IngestRejected, ingest_file
from engine.months import month_index
from engine.status import Freshness, freshness, source_statuses, workspace_status
from engine.workspace import Workspace
from tests.ingest_support import HEADER, SOURCE, mapping, series_rows, write_csv

NOW = dt.datetime(2024, 6, 10, tzinfo=dt.UTC)  # month index of June 2024


@pytest.mark.parametrize(
    ("age", "cadence", "expected"),
    [
        (0, 1, Freshness.FRESH),
        (1, 1, Freshness.FRESH),  # exactly one cadence old
        (2, 1, Freshness.DUE),  # one step past
        (3, 1, Freshness.OVERDUE),  # past two cadences
        (3, 3, Freshness.FRESH),
        (4, 3, Freshness.DUE),
        (6, 3, Freshness.DUE),
        (7, 3, Freshness.OVERDUE),
    ],
)
def test_freshness_at_and_past_each_boundary(age, cadence, expected):
    now = month_index(2024, 6)
    assert freshness(now - age, now, cadence) is expected


def test_a_source_without_data_has_no_freshness():
    assert freshness(None, month_index(2024, 6), 1) is Freshness.NO_DATA


@pytest.fixture
def workspace(tmp_path):
    with Workspace.open(tmp_path / "ws") as opened:
        yield opened


def test_sources_report_last_month_units_behind_and_batches(workspace, tmp_path):
    body = series_rows({"Mali": [1, 2, 3, 4, 5]}, 2024, 1) + series_rows(
        {"Niger": [0, 0, 0]}, 2024, 1
    )
    ingest_file(
        workspace, write_csv(tmp_path, body), SOURCE, mapping(tmp_path), now=NOW
    )
    bad = write_csv(tmp_path, "Mali,MLI,N,2024-06,-1\n", "bad.csv")
    with pytest.raises(IngestRejected):
        ingest_file(workspace, bad, SOURCE, mapping(tmp_path), now=NOW)

    (source,) = source_statuses(workspace, NOW)
    assert source.last_month == month_index(2024, 5)
    assert source.last_month_text == "2024-05"
    assert (source.age_months, source.freshness) == (1, Freshness.FRESH)
    assert (source.units, source.units_behind) == (2, 1)
    assert (source.batches_accepted, source.batches_rejected, source.vintage) == (
        1,
        1,
        1,
    )

    later = dt.datetime(2024, 8, 1, tzinfo=dt.UTC)
    assert source_statuses(workspace, later)[0].freshness is Freshness.OVERDUE


def test_a_clock_set_back_is_not_believed_below_the_time_floor(workspace, tmp_path):
    ingest_file(
        workspace,
        write_csv(tmp_path, series_rows({"Mali": [1, 2]}, 2024, 4)),
        SOURCE,
        mapping(tmp_path),
        now=NOW,
    )
    workspace.raise_time_floor(dt.datetime(2024, 9, 1, tzinfo=dt.UTC), "test")
    back_in_time = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    (source,) = source_statuses(workspace, back_in_time)
    assert source.age_months == 4  # September against May data, not May against May
    assert source.freshness is Freshness.OVERDUE


def test_workspace_status_lists_what_the_workspace_holds(workspace, tmp_path):
    path = tmp_path / "d.csv"
    path.write_text(HEADER + "Mali,MLI,Sahel,2024-01,3\nChad,TCD,,2024-01,0\n")
    ingest_file(workspace, path, SOURCE, mapping(tmp_path), now=NOW, person="amina")

    held = workspace_status(workspace, NOW)

    assert held.units == 2
    assert held.unit_groups == {"(no group)": 1, "Sahel": 1}
    assert held.observations == 2
    assert [
        (v.name, v.tag, v.measure, v.is_count, v.observations) for v in held.variables
    ] == [("deaths", "stochastic", "deaths", True, 2)]
    assert [b.person for b in held.recent_batches] == ["amina"]
    assert held.sources[0].freshness is Freshness.OVERDUE  # January data in June


def test_a_source_with_only_rejected_files_has_no_data(workspace, tmp_path):
    bad = write_csv(tmp_path, "Mali,MLI,N,2024-01,-1\n")
    with pytest.raises(IngestRejected):
        ingest_file(workspace, bad, SOURCE, mapping(tmp_path), now=NOW)
    (source,) = source_statuses(workspace, NOW)
    assert source.freshness is Freshness.NO_DATA
    assert source.last_month is None and source.batches_rejected == 1
