"""The demo's later steps: build and activate its bundle, people, forecast, override.

They extend ``engine.demo.DEMO_STEPS`` (data) with what needs the build extra, so the
field install keeps its data demo without scikit-learn. Every step goes through the
same engine paths a regional office and a field worker use: nothing is written
behind the product's back.
"""

from __future__ import annotations

import dataclasses
import logging
import shutil

import numpy as np

from engine import controls
from engine.build.config import load_config
from engine.build.pipeline import build_bundle
from engine.demo import DEMO_STEPS, DemoContext, DemoStep
from engine.errors import WorkspaceError
from engine.forecast import StoredRun, latest_run, read_run, run_forecast
from engine.months import first_day, format_month
from engine.overrides import list_overrides, record_override
from engine.people import Person, Role, add_person, find_person
from engine.resources import resources_folder
from engine.workspace import utc_now

log = logging.getLogger(__name__)

DEMO_CONFIG = "bundles/demo.toml"
BUILD_FOLDER = "demo/bundle-build"

# The demo's people. Their PINs are printed by the demo: they guard nothing real.
DEMO_SUPERVISOR = ("Demo Supervisor", "3917")
DEMO_FIELD_WORKER = ("Demo Field Worker", "6042")

OVERRIDE_JUSTIFICATION = (
    "DEMO: a local partner reported a ceasefire agreed last week; we expect far fewer "
    "deaths next month than the model says."
)


def build_demo_bundle(context: DemoContext) -> str:
    """Build the demo's bundle from its workspace; the release counts the data month.

    The release is the data's last month index, so a later refresh of the demo (one
    more month of data) always gives a higher release, as a real model line would.
    """
    workspace = context.open_workspace
    config = load_config(resources_folder() / DEMO_CONFIG)
    config = dataclasses.replace(config, release=context.end_month)
    out = context.folder / BUILD_FOLDER
    if out.exists():
        shutil.rmtree(out)
    result = build_bundle(workspace, config, out)
    context.extra["bundle_archive"] = result.archive
    evaluation = result.manifest.evaluation
    coverage = evaluation.get("model", {}).get("coverage_90")
    summary = f"built bundle {result.manifest.id}"
    if coverage is not None:
        summary += f" (90% HDI covered {coverage:.0%} of the holdout)"
    return summary


def activate_demo_bundle(context: DemoContext) -> str:
    """Import the built bundle through verification and make it the active one."""
    workspace = context.open_workspace
    archive = context.extra["bundle_archive"]
    result = controls.import_bundle(workspace, archive, context.person)
    bundle = controls.activate(workspace, result.bundle.id, context.person)
    return f"imported and activated {bundle.id}"


def add_demo_people(context: DemoContext) -> str:
    """A supervisor and a field worker, so every record carries a person."""
    workspace = context.open_workspace
    supervisor = find_person(workspace, DEMO_SUPERVISOR[0])
    if supervisor is None:
        name, pin = DEMO_SUPERVISOR
        supervisor = add_person(workspace, name, Role.SUPERVISOR, pin)
    if find_person(workspace, DEMO_FIELD_WORKER[0]) is None:
        add_person(
            workspace,
            DEMO_FIELD_WORKER[0],
            Role.FIELD,
            DEMO_FIELD_WORKER[1],
            added_by=supervisor,
        )
    return (
        f"{DEMO_SUPERVISOR[0]} (supervisor, PIN {DEMO_SUPERVISOR[1]}) and "
        f"{DEMO_FIELD_WORKER[0]} (field staff, PIN {DEMO_FIELD_WORKER[1]})"
    )


def forecast_demo(context: DemoContext) -> str:
    """Run the active bundle from the data's last month; stale units are blocked."""
    workspace = context.open_workspace
    bundle = controls.active_bundle(workspace)
    if bundle is None:
        raise WorkspaceError("the demo has no active bundle to forecast with")
    latest = latest_run(workspace)
    if (
        latest is not None
        and latest.info.bundle_id == bundle.id
        and latest.info.origin == context.end_month
    ):
        context.extra["run_id"] = latest.info.id
        return f"forecast run {latest.info.id} is up to date"
    # The device clock is judged against the data: forecast from the last data month.
    now = max(first_day(context.end_month + 1), utc_now())
    result = run_forecast(
        workspace,
        bundle,
        origin=context.end_month,
        person=DEMO_FIELD_WORKER[0],
        now=now,
    )
    context.extra["run_id"] = result.run_id
    return (
        f"forecast run {result.run_id} from {format_month(result.origin)}: "
        f"{result.units_forecast} units forecast, {result.units_blocked} blocked"
    )


def override_demo(context: DemoContext) -> str:
    """The field worker overrides one forecast, with a justification."""
    workspace = context.open_workspace
    run_id = context.extra["run_id"]
    if list_overrides(workspace, run_id=run_id):
        return "an override of this run is already recorded"
    run = read_run(workspace, run_id)
    unit = _busiest_forecast_unit(run)
    if unit is None:
        return "no forecast to override (every unit was blocked)"
    forecast = run.forecast(unit)
    assert forecast is not None
    point = float(forecast.point[0])
    person = find_person(workspace, DEMO_FIELD_WORKER[0])
    assert isinstance(person, Person)
    value = float(np.floor(point / 4))
    record_override(
        workspace,
        person,
        run_id,
        unit,
        1,
        value,
        0.0,
        float(np.floor(point / 2)),
        "local_knowledge",
        OVERRIDE_JUSTIFICATION,
    )
    return f"override recorded for {unit}, 1 month ahead: {point:g} -> {value:g}"


def _busiest_forecast_unit(run: StoredRun) -> str | None:
    """The unit with the largest forecast one month ahead (None when all blocked)."""
    if not run.units:
        return None
    return run.units[int(np.argmax(run.point[:, 0]))]


FULL_DEMO_STEPS: list[tuple[str, DemoStep]] = [
    *DEMO_STEPS,
    ("build", build_demo_bundle),
    ("activate", activate_demo_bundle),
    ("people", add_demo_people),
    ("forecast", forecast_demo),
    ("override", override_demo),
]
