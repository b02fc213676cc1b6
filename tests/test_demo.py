"""The SYNTHETIC demo: the generator's shape, and the workspace it builds."""

from __future__ import annotations

import numpy as np
import pytest

from engine.demo import (
    DEMO_SOURCE,
    STALE_MONTHS,
    STALE_UNITS,
    demo_units,
    generate,
    grid_neighbours,
    run_demo,
)
from engine.errors import WorkspaceError
from engine.ingest import ingest_file
from engine.months import month_index
from engine.status import source_statuses
from engine.workspace import Workspace
from tests.ingest_support import mapping, series_rows, write_csv

END = month_index(2024, 6)


@pytest.fixture(scope="module")
def data():
    return generate(END)


def test_the_generator_has_the_shape_of_conflict_data(data):
    counts = data.counts
    assert counts.shape == (240, END - month_index(1990, 1) + 1)
    assert counts.shape[1] >= 30 * 12
    assert 0.75 < (counts == 0).mean() < 0.97  # mostly zeros
    positive = counts[counts > 0]
    assert positive.max() > 50 * np.median(positive)  # a heavy tail

    active = counts > 0
    persist = (active[:, 1:] & active[:, :-1]).sum() / active[:, :-1].sum()
    assert persist > 3 * active.mean()  # episodes persist

    # Spread: a unit next to an active one is more often active next month.
    pairs = np.array(data.neighbours)
    next_to_active = active[pairs[:, 1], :-1]
    after = active[pairs[:, 0], 1:]
    quiet_before = ~active[pairs[:, 0], :-1]
    onset_near = after[next_to_active & quiet_before].mean()
    onset_far = after[~next_to_active & quiet_before].mean()
    assert onset_near > 1.5 * onset_far


def test_the_generator_is_seeded_and_a_later_end_extends_the_same_history(data):
    again = generate(END)
    longer = generate(END + 2)
    assert np.array_equal(data.counts, again.counts)
    assert np.array_equal(longer.counts[:, : data.months], data.counts)
    assert not np.array_equal(generate(END, seed=7).counts, data.counts)


def test_a_few_units_end_three_to_six_months_early(data):
    early = END - data.last_month
    assert (early > 0).sum() == STALE_UNITS
    assert set(early[early > 0]) <= set(range(STALE_MONTHS[0], STALE_MONTHS[1] + 1))


def test_units_have_grid_neighbours_and_regions():
    units = demo_units()
    pairs = grid_neighbours(units)
    degree = np.bincount([first for first, _ in pairs], minlength=len(units))
    assert set(degree) == {2, 3, 4}
    assert len({unit.region for unit in units}) == 6
    assert all(
        "Synthetic" in unit.name and "Synthetic" in unit.region for unit in units
    )


def test_the_demo_builds_a_labelled_workspace_through_ingest(tmp_path):
    context = run_demo(tmp_path / "demo", end_month=END)
    assert context.ingest is not None and context.ingest.status == "accepted"
    assert (tmp_path / "demo" / "demo-data" / "synthetic_demo.csv").exists()

    with Workspace.open(tmp_path / "demo", create=False) as workspace:
        assert workspace.scalar("SELECT COUNT(*) FROM units") == 240
        assert workspace.scalar("SELECT COUNT(*) FROM unit_neighbours") == 2 * (
            15 * 15 + 16 * 14
        )
        description = workspace.scalar("SELECT description FROM sources")
        assert "SYNTHETIC" in description and "not real" in description
        assert workspace.get_meta("demo") == "synthetic"
        (source,) = source_statuses(workspace)
        assert source.name == DEMO_SOURCE
        assert source.units_behind == STALE_UNITS
        assert source.last_month == END


def test_refreshing_the_demo_is_idempotent_and_a_later_month_is_a_new_vintage(
    tmp_path,
):
    run_demo(tmp_path / "demo", end_month=END)
    again = run_demo(tmp_path / "demo", end_month=END)
    assert again.ingest is not None and again.ingest.status == "unchanged"

    later = run_demo(tmp_path / "demo", end_month=END + 1)
    assert later.ingest is not None
    assert (later.ingest.vintage, later.ingest.values_changed) == (2, 0)


def test_the_demo_refuses_a_workspace_holding_real_data(tmp_path):
    with Workspace.open(tmp_path / "real") as workspace:
        path = write_csv(tmp_path, series_rows({"Mali": [1]}))
        ingest_file(workspace, path, "field-reports", mapping(tmp_path))
    with pytest.raises(WorkspaceError, match="mix synthetic data"):
        run_demo(tmp_path / "real", end_month=END)
