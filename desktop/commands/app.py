"""``fieldcast app``: open the desktop window (or paint it to a file and exit)."""

from __future__ import annotations

from pathlib import Path

import click

from engine.errors import WorkspaceError
from engine.workspace import DATABASE_NAME


@click.command("app")
@click.option(
    "--screenshot",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Paint the window to this PNG file once its data has loaded, then exit.",
)
@click.pass_obj
def app_command(context, screenshot: Path | None) -> None:
    """Open the fieldcast window on the workspace (the first-run setup if none)."""
    from desktop.app import run_app

    folder: Path = context.workspace
    if screenshot is not None and not (folder / DATABASE_NAME).exists():
        # Without a workspace the window opens the first-run setup, which needs a
        # person: a screenshot cannot wait for one.
        raise WorkspaceError(
            f"There is no workspace at {folder}. Run 'fieldcast demo' to create the "
            "demo workspace, or pass --workspace with the folder of yours."
        )
    code = run_app(folder, context.log_file, screenshot)
    if screenshot is not None:
        if code == 0:
            click.echo(f"Screenshot written to {screenshot}")
        else:
            click.echo(f"The window could not be painted to {screenshot}.", err=True)
    raise SystemExit(code)


COMMANDS = [app_command]
