"""The data commands: ``ingest``, ``status`` and ``demo``.

Thin layers over ``engine.ingest``, ``engine.status`` and ``engine.demo`` that report
to the terminal. A rejected file prints every finding and exits with code 2.
"""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path
from typing import Any

import click

from engine.demo import DEMO_SEED, run_demo
from engine.errors import WorkspaceError
from engine.ingest import IngestRejected, ingest_file
from engine.mapping import find_mapping
from engine.months import format_month, parse_month
from engine.settings import default_demo_workspace
from engine.status import Freshness, workspace_status
from engine.workspace import Workspace

FRESHNESS_WORDS = {
    Freshness.FRESH: "fresh",
    Freshness.DUE: "due: a new release is expected about now",
    Freshness.OVERDUE: "OVERDUE: a release has been missed; import it or sync",
    Freshness.NO_DATA: "no data yet",
}


def _person(person: str | None) -> str:
    if person:
        return person
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@click.command("ingest")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--source", required=True, help="The source the file comes from.")
@click.option(
    "--mapping",
    "mapping_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Column mapping (default: resources/mappings/SOURCE.toml).",
)
@click.option("--person", default=None, help="Who imports the file (default: you).")
@click.pass_obj
def ingest(
    obj: Any, file: Path, source: str, mapping_path: Path | None, person: str | None
) -> None:
    """Check a CSV or Parquet data file and import it into the workspace."""
    mapping = find_mapping(source, mapping_path)
    with Workspace.open(obj.workspace) as workspace:
        try:
            report = ingest_file(
                workspace, file, source, mapping, person=_person(person)
            )
        except IngestRejected as err:
            for line in err.report.describe():
                click.echo(line, err=True)
            sys.exit(2)
    for line in report.describe():
        click.echo(line)


@click.command("status")
@click.option("--batches", default=10, show_default=True, help="Recent batches shown.")
@click.pass_obj
def status(obj: Any, batches: int) -> None:
    """Show what the workspace holds and how fresh each source is."""
    with Workspace.open(obj.workspace, create=False) as workspace:
        held = workspace_status(workspace, recent=batches)

    click.echo(f"Workspace {held.folder} (now: {format_month(held.current_month)})")
    groups = ", ".join(f"{name} {count}" for name, count in held.unit_groups.items())
    click.echo(f"Units: {held.units}" + (f" ({groups})" if groups else ""))
    click.echo(
        f"Observations: {held.observations:,}, of which {held.outliers:,} flagged as "
        "unusual for their unit"
    )
    click.echo("Variables:")
    if not held.variables:
        click.echo("  none yet: import a data file with 'fieldcast ingest'")
    for variable in held.variables:
        kind = "count" if variable.is_count else "value"
        click.echo(
            f"  {variable.name}: {variable.tag}, {kind} of {variable.measure}, "
            f"{variable.observations:,} observations"
        )
    click.echo("Sources:")
    if not held.sources:
        click.echo("  none yet")
    for source in held.sources:
        age = "" if source.age_months is None else f", {source.age_months} months ago"
        click.echo(
            f"  {source.name}: data to {source.last_month_text}{age}, every "
            f"{source.cadence_months} month(s): {FRESHNESS_WORDS[source.freshness]}"
        )
        click.echo(
            f"    vintage {source.vintage}, {source.batches_accepted} accepted and "
            f"{source.batches_rejected} rejected batches; {source.units} units, "
            f"{source.units_behind} of them ending earlier"
        )
        if source.description:
            click.echo(f"    {source.description}")
    click.echo("Recent batches:")
    if not held.recent_batches:
        click.echo("  none")
    for batch in held.recent_batches:
        line = (
            f"  #{batch.id} {batch.created_at} {batch.source} {batch.file_name} "
            f"by {batch.person}: {batch.status}"
        )
        if batch.status == "accepted":
            line += (
                f", vintage {batch.vintage}, {batch.rows_accepted:,} rows, "
                f"{batch.values_changed:,} values changed"
            )
        else:
            line += f": {batch.reason}"
        click.echo(line)


@click.command("demo")
@click.option(
    "--no-window", is_flag=True, help="Build the demo workspace without opening it."
)
@click.option("--end", help="Last month of the synthetic data, YYYY-MM.")
@click.option("--seed", default=DEMO_SEED, show_default=True, type=int)
@click.pass_context
def demo(ctx: click.Context, no_window: bool, end: str | None, seed: int) -> None:
    """Create or refresh a demo workspace of SYNTHETIC data."""
    try:
        end_month = parse_month(end) if end else None
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--end") from err
    chosen = ctx.find_root().params.get("workspace")
    folder = Path(chosen) if chosen else default_demo_workspace()

    try:
        # The bundle, people, forecast and override steps need the build extra.
        from engine.build.demo import FULL_DEMO_STEPS as steps
    except ImportError as err:
        raise WorkspaceError(
            f"The demo builds its own model bundle and needs the build extra ({err}). "
            "Install it with: pip install 'fieldcast[build]' (make demo does this)."
        ) from err

    click.echo(f"Demo workspace: {folder} (SYNTHETIC data, not real events)")
    run_demo(
        folder,
        end_month=end_month,
        seed=seed,
        person="demo",
        steps=steps,
        progress=lambda name, message: click.echo(f"  {name}: {message}"),
    )
    click.echo(f"Done. See it with: fieldcast --workspace {folder} status")
    if no_window:
        return
    if not _has_screen():
        click.echo(
            "No screen to open the window on (no DISPLAY or WAYLAND_DISPLAY). Open it "
            f"where there is one with: fieldcast --workspace {folder} app"
        )
        return
    from desktop.app import run_app

    click.echo("Opening the window; sign in with a PIN printed above.")
    raise SystemExit(run_app(folder, ctx.obj.log_file))


def _has_screen() -> bool:
    """Whether Qt can show a window here: always off Linux, else with a display."""
    if not sys.platform.startswith("linux"):
        return True
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith(("xcb", "wayland")):
        return True  # offscreen, vnc, ...: Qt needs no display server
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


COMMANDS = [ingest, status, demo]
