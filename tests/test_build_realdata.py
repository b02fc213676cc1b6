"""The country-month bundle on the real UCDP data: quality on the time-ordered holdout.

One build (about 40 seconds on two cores) serves every test here. The figures are the
ones written into the model card; the report of issue #3 quotes them.
"""

from __future__ import annotations

import datetime as dt

import pytest
from build_support import CM_CONFIG, ucdp_workspace

from engine.build.config import load_config
from engine.build.pipeline import BuildResult, build_bundle
from engine.bundle import Bundle
from engine.manifest import GRAPH_NAME
from engine.months import month_index
from engine.workspace import Workspace

pytestmark = [pytest.mark.slow, pytest.mark.realdata]


_BUILT: dict[str, BuildResult] = {}
_WORKSPACES: dict[str, Workspace] = {}


@pytest.fixture(scope="module", autouse=True)
def _close_workspaces():
    yield
    for workspace in _WORKSPACES.values():
        workspace.close()
    _WORKSPACES.clear()
    _BUILT.clear()


@pytest.fixture
def real_bundle(ucdp_file, tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The build, made once for this module (``ucdp_file`` is per test, so cache)."""
    if "cm" not in _BUILT:
        root = tmp_path_factory.mktemp("real")
        workspace = ucdp_workspace(root / "ws", ucdp_file)
        _BUILT["cm"] = build_bundle(workspace, load_config(CM_CONFIG), root / "out")
        _WORKSPACES["cm"] = workspace
    return _BUILT["cm"]


def test_the_model_beats_every_naive_baseline_on_crps(real_bundle):
    overall = real_bundle.manifest.evaluation["overall"]
    model = overall["model"]
    for baseline in ("zeros", "last_value", "unit_history"):
        assert model["crps"] < overall[baseline]["crps"], baseline
        assert model["crps_log"] < overall[baseline]["crps_log"], baseline
    assert real_bundle.manifest.evaluation["beats_every_baseline"] is True


def test_the_90_percent_hdi_covers_what_it_claims(real_bundle):
    model = real_bundle.manifest.evaluation["overall"]["model"]
    # Where the interval reaches above zero, it must hold close to 90% of outcomes.
    assert 0.85 <= model["coverage90_where_interval_above_zero"] <= 0.95
    # Over all forecasts the figure sits above 90% by construction: an interval of
    # '0 to 0' holds all of a unit's zero draws (often 99% of them), not just 90%,
    # and three quarters of country-months are such. What the intervals claim (the
    # share of the model's own draws inside them) says how far above: a calibrated
    # model covers what it claims, overall and at every horizon.
    assert model["claimed90"] >= 0.9 and model["claimed50"] >= 0.5
    # Measured: 96.1% covered against 97.4% claimed, 88.6% above zero.
    assert abs(model["coverage90"] - model["claimed90"]) <= 0.02
    assert 0.85 <= model["coverage90"] <= 0.97
    assert 0.40 <= model["coverage50"] <= 0.95
    # Measured per horizon (one band of leaf samples, the spread calibrated on four
    # periods pooled, resources/bundles/cm.toml): |coverage90 - claimed90| at most
    # 0.012 up to a year ahead and 0.042 beyond (93.2% of outcomes inside intervals
    # claiming 97.4% at 36 months); where the interval reaches above zero, coverage
    # falls from 95.4% at 1 month (92.0% at least up to 6) to 80.5% at 34. With one
    # calibration period it was 0.019 and 0.052, 92.0% at 1 month (88.3% up to 6)
    # and 76.3% at 34: the holdout's change exceeds the periods' average, see
    # TODO(#3) in engine/build/pipeline.py. These bounds keep the gap from growing.
    for row in real_bundle.manifest.evaluation["by_horizon"]:
        figures = row["model"]
        gap = abs(figures["coverage90"] - figures["claimed90"])
        assert gap <= (0.015 if row["horizon"] <= 12 else 0.045), row["horizon"]
        above = figures["coverage90_where_interval_above_zero"]
        assert above >= (0.90 if row["horizon"] <= 6 else 0.79), row["horizon"]


def test_the_bundle_verifies_and_its_graph_stays_small(real_bundle):
    bundle = Bundle.open(real_bundle.folder)
    assert bundle.manifest.output_spec.draws == 1000
    assert bundle.manifest.output_spec.horizons == tuple(range(1, 37))
    assert 185 <= len(bundle.manifest.input_spec.units) <= 195
    size = (real_bundle.folder / GRAPH_NAME).stat().st_size
    assert size < 6 * 1024**2


def test_the_card_reports_every_region_and_the_largest_gap(real_bundle):
    card = real_bundle.manifest.model_card
    regions = {row["group"] for row in card["groups"]["results"]}
    assert regions == {
        "Africa",
        "Americas",
        "Asia and Oceania",
        "Europe",
        "Middle East",
    }
    gap = card["groups"]["largest_gap"]["crps_skill"]
    assert gap["worst_group"] in regions and gap["gap"] >= 0
    assert "CC BY-NC 4.0" in card["data"]["licence"]
    assert "UCDP" in card["data"]["citation"]


def test_the_real_bundle_activates_and_forecasts_every_current_country(real_bundle):
    from engine.controls import activate, import_bundle
    from engine.forecast import run_forecast

    workspace = _WORKSPACES["cm"]
    imported = import_bundle(workspace, real_bundle.archive, person="tester")
    bundle = activate(workspace, imported.bundle.id, person="tester")
    run = run_forecast(
        workspace,
        bundle,
        origin=month_index(2024, 7),
        person="tester",
        units=bundle.manifest.input_spec.units,
        now=dt.datetime(2024, 8, 10, tzinfo=dt.UTC),
    )
    assert run.status in ("passed", "warned"), run.decision
    assert run.units_forecast == len(bundle.manifest.input_spec.units)
