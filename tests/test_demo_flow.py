"""The whole demo: data, an activated bundle, people, a forecast, an override."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from desktop.cli import main
from engine import controls
from engine.forecast import latest_run
from engine.months import month_index
from engine.overrides import list_overrides
from engine.people import list_people
from engine.workspace import Workspace

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo") / "ws"
    result = CliRunner().invoke(
        main, ["--workspace", str(folder), "demo", "--no-window", "--end", "2026-06"]
    )
    assert result.exit_code == 0, result.output
    return folder, result.output


def test_the_demo_says_its_data_are_synthetic(demo_folder):
    _, output = demo_folder
    assert "SYNTHETIC" in output
    assert "PIN" in output  # the person running it learns how to sign in


def test_the_demo_activates_the_bundle_it_built(demo_folder):
    folder, _ = demo_folder
    with Workspace.open(folder, create=False) as workspace:
        bundle = controls.active_bundle(workspace)
        assert bundle is not None
        assert bundle.manifest.model_line == "demo-sb"
        assert bundle.manifest.model_card.get("synthetic") is True or "DEMO" in str(
            bundle.manifest.model_card
        )
        assert bundle.verify() == [] or bundle.verify() is None


def test_the_demo_forecast_blocks_stale_units_with_reasons_and_no_number(demo_folder):
    folder, _ = demo_folder
    with Workspace.open(folder, create=False) as workspace:
        run = latest_run(workspace)
        assert run is not None
        assert run.info.origin == month_index(2026, 6)
        blocked = [
            unit for unit in run.covered_units() if run.unit_verdict(unit) == "block"
        ]
        assert blocked, "the demo must show at least one blocked unit"
        for unit in blocked:
            assert run.forecast(unit) is None
            codes = {reason.code for reason in run.reasons_for(unit)}
            assert "stale_data" in codes
        assert len(run.units) > len(blocked)


def test_the_demo_records_an_override_by_a_named_person(demo_folder):
    folder, _ = demo_folder
    with Workspace.open(folder, create=False) as workspace:
        people = {person.name: person.role for person in list_people(workspace)}
        overrides = list_overrides(workspace)
        assert len(overrides) == 1
        assert overrides[0].person in people
        assert len(overrides[0].justification) >= 20


def test_running_the_demo_again_changes_nothing(demo_folder):
    folder, _ = demo_folder
    with Workspace.open(folder, create=False) as workspace:
        bundles_before = len(controls.list_bundles(workspace))
    result = CliRunner().invoke(
        main, ["--workspace", str(folder), "demo", "--no-window", "--end", "2026-06"]
    )
    assert result.exit_code == 0, result.output
    with Workspace.open(folder, create=False) as workspace:
        assert len(controls.list_bundles(workspace)) == bundles_before
        assert len(list_overrides(workspace)) == 1


def test_a_unit_one_month_behind_is_forecast_from_its_own_last_month(
    demo_folder, tmp_path
):
    """Within the staleness limit, a lagging unit gets numbers, not a block."""
    import shutil

    from engine.forecast import run_forecast

    folder, _ = demo_folder
    copy = tmp_path / "ws"
    shutil.copytree(folder, copy)
    origin = month_index(2026, 6)
    with Workspace.open(copy, create=False) as workspace:
        run = latest_run(workspace)
        assert run is not None
        unit = run.units[0]
        unit_id = workspace.unit_ids()[unit]
        with workspace.atomic():
            workspace.db.execute(
                "DELETE FROM observations WHERE unit_id = ? AND month = ?",
                (unit_id, origin),
            )
            workspace.db.execute(
                "UPDATE coverage SET last_month = ? WHERE unit_id = ?",
                (origin - 1, unit_id),
            )
        bundle = controls.active_bundle(workspace)
        assert bundle is not None
        result = run_forecast(
            workspace, bundle, origin=origin, person="test", now=run_now(run)
        )
        lagging = latest_run(workspace)
        assert lagging is not None and lagging.info.id == result.run_id
        assert lagging.forecast(unit) is not None, lagging.reasons_for(unit)
        assert lagging.unit_verdict(unit) != "block"


def run_now(run):
    from engine.workspace import parse_timestamp

    return parse_timestamp(run.info.started_at)
