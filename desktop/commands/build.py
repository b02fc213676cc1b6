"""``fieldcast bundle build``: train, evaluate and export a bundle (regional office).

Needs the ``build`` extra (scikit-learn, skl2onnx, onnx); a field install without it
gets a plain message instead of a traceback.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from desktop.commands.bundle import bundle_group
from engine.errors import BuildError
from engine.workspace import Workspace


@click.command("build")
@click.option(
    "--config",
    "config_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The bundle's BUNDLE.toml (examples in resources/bundles/).",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the bundle folder and its .tar.gz archive into.",
)
@click.option(
    "--created",
    type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
    default=None,
    help="Creation time (UTC) to record; default: SOURCE_DATE_EPOCH if set, else the "
    "end of the last month of training data, so rebuilds are byte-identical.",
)
@click.pass_obj
def build_command(
    context: Any, config_path: Path, out: Path, created: dt.datetime | None
) -> None:
    """Build a model bundle from the workspace's data."""
    try:
        from engine.build.config import load_config
        from engine.build.pipeline import build_bundle
    except ImportError as err:
        raise BuildError(
            f"Building bundles needs the regional office install ({err.name} is "
            "missing): pip install 'fieldcast[build]'."
        ) from err

    config = load_config(config_path)
    with Workspace.open(context.workspace, create=False) as workspace:
        result = build_bundle(
            workspace,
            config,
            out,
            created=None if created is None else created.replace(tzinfo=dt.UTC),
            progress=click.echo,
        )
    manifest = result.manifest
    overall = manifest.evaluation["overall"]["model"]
    click.echo(
        f"Holdout: 90% HDI held {100 * overall['coverage90']:.1f}% of outcomes, "
        f"50% HDI {100 * overall['coverage50']:.1f}%; CRPS {overall['crps']:.4g} "
        f"(beats every naive baseline: "
        f"{'yes' if manifest.evaluation['beats_every_baseline'] else 'NO'})."
    )
    click.echo(f"Folder:  {result.folder}")
    click.echo(f"Archive: {result.archive}")


bundle_group.add_command(build_command)

# Registered on the ``bundle`` group above; nothing to add at the top level.
COMMANDS: list[click.Command] = []
