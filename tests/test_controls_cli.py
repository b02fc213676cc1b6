"""End to end on the command line: import, activate, revoke, and a blocked unit."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from desktop.cli import main
from engine import controls
from engine.months import format_month
from engine.workspace import Workspace
from tests.factories import LAST_MONTH, SOURCE, make_bundle, make_workspace

ORIGIN = format_month(LAST_MONTH)
STALE_UNIT = "Unit 01"


@pytest.fixture
def setup(tmp_path):
    """A workspace with one unit whose data stopped four months early, and a bundle."""
    folder = tmp_path / "ws"
    with make_workspace(folder) as workspace:
        bundle = make_bundle(
            tmp_path / "bundle",
            workspace,
            bundle_id="cm-r1",
            valid_until="2099-12-31T00:00:00+00:00",
        )
        unit_id = workspace.unit_ids()[STALE_UNIT]
        with workspace.atomic():
            workspace.db.execute(
                "DELETE FROM observations WHERE unit_id = ? AND month > ?",
                (unit_id, LAST_MONTH - 4),
            )
            workspace.db.execute(
                "UPDATE coverage SET last_month = ? WHERE unit_id = ? AND source = ?",
                (LAST_MONTH - 4, unit_id, SOURCE),
            )
    return folder, bundle


def fieldcast(folder, *args):
    result = CliRunner().invoke(
        main, ["--workspace", str(folder), *args], catch_exceptions=False
    )
    return result


def test_a_blocked_unit_shows_its_reasons_and_no_number(setup):
    folder, bundle = setup
    imported = fieldcast(folder, "bundle", "import", str(bundle), "--person", "amina")
    assert imported.exit_code == 0, imported.output
    assert "Imported bundle cm-r1" in imported.output
    activated = fieldcast(folder, "bundle", "activate", "cm-r1", "--person", "amina")
    assert activated.exit_code == 0, activated.output
    assert "self-test passed" in activated.output

    result = fieldcast(folder, "forecast", "--origin", ORIGIN, "--person", "amina")
    assert result.exit_code == 0, result.output
    stale_rows = [
        line for line in result.output.splitlines() if line.startswith(STALE_UNIT)
    ]
    table_rows = [line for line in stale_rows if "BLOCKED" in line.split()[-1:]]
    assert table_rows, result.output
    for line in table_rows:
        # Month names hold a year; nothing else on a blocked row may be a number.
        without_month = re.sub(r"[A-Z][a-z]+ \d{4}", "", line[len(STALE_UNIT) :])
        assert not re.search(r"\d", without_month), line
    assert any(
        "ends in February 2024" in line and "Import the April 2024" in line
        for line in stale_rows
    ), result.output

    # The other units have numbers.
    other = [line for line in result.output.splitlines() if line.startswith("Unit 02")]
    assert other and all(re.search(r"\d+\.\d", line) for line in other)


def test_a_revoked_bundle_blocks_the_run_and_says_why(setup):
    folder, bundle = setup
    fieldcast(folder, "bundle", "import", str(bundle), "--activate")
    revoked = fieldcast(
        folder, "revoke", "cm-r1", "--reason", "trained on bad data", "--person", "kofi"
    )
    assert revoked.exit_code == 0, revoked.output

    result = fieldcast(folder, "forecast", "--origin", ORIGIN)
    assert result.exit_code == 1
    assert "trained on bad data" in result.output
    assert "No forecast was made." in result.output
    assert not re.search(
        r"\d+\.\d", result.output.split("No forecast")[0].split("\n", 2)[2]
    )

    lifted = fieldcast(folder, "unrevoke", "cm-r1", "--reason", "data checked")
    assert lifted.exit_code == 0, lifted.output
    assert fieldcast(folder, "forecast", "--origin", ORIGIN).exit_code == 0
    with Workspace.open(folder) as workspace:
        kinds = [r["kind"] for r in workspace.query("SELECT kind FROM audit_events")]
        (switch,) = controls.kill_switches(workspace, "cm-r1")
    assert switch.set_by == "kofi"
    assert "kill_switch_set" in kinds and "kill_switch_lifted" in kinds


def test_rollback_and_refused_older_release_on_the_command_line(setup, tmp_path):
    folder, bundle = setup
    with Workspace.open(folder) as workspace:
        newer = make_bundle(
            tmp_path / "r2",
            workspace,
            bundle_id="cm-r2",
            release=2,
            valid_until="2099-12-31T00:00:00+00:00",
        )
    assert (
        fieldcast(folder, "bundle", "import", str(bundle), "--activate").exit_code == 0
    )
    assert (
        fieldcast(folder, "bundle", "import", str(newer), "--activate").exit_code == 0
    )

    rolled = fieldcast(folder, "bundle", "rollback", "--reason", "r2 misbehaves")
    assert rolled.exit_code == 0, rolled.output
    assert "to bundle cm-r1" in rolled.output
    listing = fieldcast(folder, "bundle", "list")
    assert "cm-r1  release 1" in listing.output and "[ACTIVE]" in listing.output

    with Workspace.open(folder) as workspace:
        older = make_bundle(tmp_path / "r0", workspace, bundle_id="cm-r0", release=0)
    refused = fieldcast(folder, "bundle", "import", str(older))
    assert refused.exit_code == 2
    assert "never goes back to an older release" in refused.output


def test_gate_selftest_on_the_command_line(setup):
    folder, bundle = setup
    result = fieldcast(folder, "gate", "selftest", "--bundle", str(bundle))
    assert result.exit_code == 0, result.output
    assert "every detector fired" in result.output
