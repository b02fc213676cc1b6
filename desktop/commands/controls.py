"""Bundle controls on the command line: import, activate, roll back, revoke, self-test.

``bundle import``, ``bundle activate``, ``bundle rollback`` and ``bundle list`` join the
``bundle`` group; ``revoke``, ``unrevoke`` and ``gate selftest`` stand alone. Who acts
is ``--person`` (default: the operating system's user name) until the desktop's sign-in
exists; the engine records it with every action.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

import click

from desktop.commands.bundle import bundle_group
from engine import controls, gate
from engine.bundle import opened
from engine.workspace import Workspace


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


person_option = click.option(
    "--person",
    default=None,
    help="Who is acting, for the record (default: your user name).",
)


@bundle_group.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--activate", is_flag=True, help="Make it the active bundle as well.")
@person_option
@click.pass_obj
def import_command(obj: Any, path: Path, activate: bool, person: str | None) -> None:
    """Verify a bundle folder or archive and add it to the workspace."""
    person = person or _user()
    with Workspace.open(obj.workspace) as workspace:
        result = controls.import_bundle(workspace, path, person)
        manifest = result.bundle.manifest
        if result.imported:
            click.echo(
                f"Imported bundle {manifest.id} (release {manifest.release} of "
                f"{manifest.model_line}), valid {manifest.valid_from} to "
                f"{manifest.valid_until}."
            )
        else:
            click.echo(f"Bundle {manifest.id} was already imported; nothing changed.")
        if activate:
            controls.activate(workspace, manifest.id, person)
            click.echo(f"Bundle {manifest.id} is now active.")


@bundle_group.command("activate")
@click.argument("bundle_id")
@person_option
@click.pass_obj
def activate_command(obj: Any, bundle_id: str, person: str | None) -> None:
    """Make an imported bundle the active one (after the gate's self-test)."""
    with Workspace.open(obj.workspace, create=False) as workspace:
        controls.activate(workspace, bundle_id, person or _user())
    click.echo(f"Bundle {bundle_id} is now active; the gate's self-test passed.")


@bundle_group.command("rollback")
@click.option("--reason", required=True, help="Why, in a few words (recorded).")
@person_option
@click.pass_obj
def rollback_command(obj: Any, reason: str, person: str | None) -> None:
    """Return to the bundle that was active before the current one (supervisors)."""
    with Workspace.open(obj.workspace, create=False) as workspace:
        current = controls.active_bundle_id(workspace)
        bundle = controls.rollback(workspace, person or _user(), reason)
    click.echo(f"Rolled back from {current} to bundle {bundle.id}; it is now active.")


@bundle_group.command("list")
@click.pass_obj
def list_command(obj: Any) -> None:
    """List the workspace's bundles: which is active, which are withdrawn."""
    with Workspace.open(obj.workspace, create=False) as workspace:
        records = controls.list_bundles(workspace)
        active = controls.active_bundle_id(workspace)
        if not records:
            click.echo("No bundles imported yet; use 'fieldcast bundle import PATH'.")
            return
        for record in records:
            marks = []
            if record.id == active:
                marks.append("ACTIVE")
            revoked = controls.revocation(workspace, record.id)
            if revoked is not None:
                marks.append(f"WITHDRAWN: {revoked}")
            suffix = f"  [{'; '.join(marks)}]" if marks else ""
            click.echo(
                f"{record.id}  release {record.release} of {record.model_line}, "
                f"valid until {record.valid_until}{suffix}"
            )


@click.command("revoke")
@click.argument("bundle_id")
@click.option("--reason", required=True, help="Why it is withdrawn (recorded).")
@person_option
@click.pass_obj
def revoke_command(obj: Any, bundle_id: str, reason: str, person: str | None) -> None:
    """Withdraw a bundle at once with a local kill-switch (supervisors)."""
    with Workspace.open(obj.workspace) as workspace:
        controls.set_kill_switch(workspace, bundle_id, person or _user(), reason)
    click.echo(
        f"Bundle {bundle_id} is withdrawn: no forecast will be made with it until "
        "the kill-switch is lifted."
    )


@click.command("unrevoke")
@click.argument("bundle_id")
@click.option("--reason", required=True, help="Why it may be used again (recorded).")
@person_option
@click.pass_obj
def unrevoke_command(obj: Any, bundle_id: str, reason: str, person: str | None) -> None:
    """Lift the local kill-switch of a bundle (supervisors)."""
    with Workspace.open(obj.workspace, create=False) as workspace:
        controls.lift_kill_switch(workspace, bundle_id, person or _user(), reason)
    click.echo(f"The kill-switch on bundle {bundle_id} is lifted.")


@click.group("gate")
def gate_group() -> None:
    """The gate that checks every forecast run."""


@gate_group.command("selftest")
@click.option(
    "--bundle",
    "bundle_path",
    type=click.Path(exists=True, path_type=Path),
    help="A bundle folder or archive (default: the active bundle).",
)
@click.pass_obj
def selftest_command(obj: Any, bundle_path: Path | None) -> None:
    """Check that every detector of the gate fires on perturbed data."""
    if bundle_path is not None:
        with opened(bundle_path) as bundle:
            spec, name = bundle.manifest.input_spec, bundle.id
    else:
        with Workspace.open(obj.workspace, create=False) as workspace:
            active = controls.active_bundle(workspace)
        if active is None:
            raise click.UsageError(
                "No bundle is active; name one with --bundle PATH or activate one."
            )
        spec, name = active.manifest.input_spec, active.id
    failures = gate.self_test(spec)
    if failures:
        for reason in failures:
            click.echo(f"FAILED: {reason.message}")
        raise SystemExit(1)
    click.echo(f"The gate's self-test passed for bundle {name}: every detector fired.")


COMMANDS = [revoke_command, unrevoke_command, gate_group]
