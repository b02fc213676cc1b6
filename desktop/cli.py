"""The ``fieldcast`` command: one entry point with a subcommand per job.

Subcommands live in ``desktop/commands/``, one module per group of jobs; each is a thin
layer over the engine that reports to the terminal with click. Errors fieldcast raises
on purpose are shown as one calm message and exit code 2; anything else is logged with
its traceback and shown with the log's path.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import click

from engine.errors import FieldcastError
from engine.logs import configure_logging
from engine.settings import default_workspace

log = logging.getLogger(__name__)


class Context:
    """What every subcommand gets: the workspace folder and the log file."""

    def __init__(self, workspace: Path, log_file: Path) -> None:
        self.workspace = workspace
        self.log_file = log_file


class FieldcastGroup(click.Group):
    """A click group that turns fieldcast's errors into one readable message."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FieldcastError as err:
            log.warning("command failed: %s", err)
            click.echo(f"Error: {err}", err=True)
            sys.exit(2)


@click.group(cls=FieldcastGroup)
@click.option(
    "--workspace",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Workspace folder (default: your fieldcast data folder).",
)
@click.option("--verbose", is_flag=True, help="Write debug detail to the log file.")
@click.version_option(package_name="fieldcast")
@click.pass_context
def main(ctx: click.Context, workspace: Path | None, verbose: bool) -> None:
    """fieldcast: conflict forecasts a field office can trust, offline first."""
    log_file = configure_logging(verbose)
    ctx.obj = Context(workspace or default_workspace(), log_file)
    log.debug(
        "fieldcast %s with workspace %s", ctx.invoked_subcommand, ctx.obj.workspace
    )


def _register() -> None:
    from desktop.commands import all_commands

    for command in all_commands():
        main.add_command(command)


_register()
