"""The ``fieldcast`` command: one entry point with a subcommand per job.

Subcommands live in ``desktop/commands/``, one module per group of jobs; each is a thin
layer over the engine that reports to the terminal with click. Errors fieldcast raises
on purpose are shown as one calm message and exit code 2; anything else is logged with
its traceback and shown with the log's path. A subcommand's module is imported only
when needed (``fieldcast app`` must not wait for the ingest code and pandas to load);
``--help`` and an unknown name load them all.
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

# Subcommands whose module holds them whole, loaded without the others.
QUICK_COMMANDS = frozenset({"app"})


class Context:
    """What every subcommand gets: the workspace folder and the log file."""

    def __init__(self, workspace: Path, log_file: Path) -> None:
        self.workspace = workspace
        self.log_file = log_file


class FieldcastGroup(click.Group):
    """A click group that turns fieldcast's errors into one readable message."""

    _all_loaded = False

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            # ``app`` alone is loaded by itself (its start-up is measured); other
            # modules may add subcommands to each other's groups: load them all.
            from desktop.commands import commands_of

            if cmd_name in QUICK_COMMANDS:
                self._add(commands_of(cmd_name))
            if cmd_name not in self.commands:
                self._load_all()
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_all()
        return super().list_commands(ctx)

    def _load_all(self) -> None:
        if not self._all_loaded:
            from desktop.commands import all_commands

            self._add(all_commands())
            self._all_loaded = True

    def _add(self, commands: list[click.Command]) -> None:
        for command in commands:
            if command.name not in self.commands:
                self.add_command(command)

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
