"""The data commands through click: ingest, status and demo."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from desktop.cli import main
from engine.settings import default_demo_workspace
from engine.workspace import Workspace
from tests.ingest_support import HEADER, SOURCE, series_rows, write_csv, write_mapping


def fieldcast(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_ingest_then_status(tmp_path):
    folder = str(tmp_path / "ws")
    data = write_csv(tmp_path, series_rows({"Mali": [0, 3], "Niger": [1, 0]}))
    rules = str(write_mapping(tmp_path))

    taken = fieldcast("--workspace", folder, "ingest", str(data), "--source", SOURCE,
                      "--mapping", rules, "--person", "amina")  # fmt: skip
    assert taken.exit_code == 0, taken.output
    assert "Imported data.csv as batch 1, vintage 1 of field-reports" in taken.output

    again = fieldcast("--workspace", folder, "ingest", str(data), "--source", SOURCE,
                      "--mapping", rules)  # fmt: skip
    assert again.exit_code == 0
    assert "already imported as batch 1" in again.output

    shown = fieldcast("--workspace", folder, "status")
    assert shown.exit_code == 0
    assert "Units: 2" in shown.output
    assert "deaths: stochastic, count of deaths, 4 observations" in shown.output
    assert "field-reports: data to 2020-02" in shown.output
    assert "OVERDUE" in shown.output
    assert "by amina: accepted, vintage 1" in shown.output


def test_a_rejected_file_prints_every_finding_and_exits_2(tmp_path):
    folder = str(tmp_path / "ws")
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "Mali,MLI,N,2020-01,-1\n=evil,X,N,2020-01,1\n")
    result = CliRunner().invoke(
        main,
        ["--workspace", folder, "ingest", str(bad), "--source", SOURCE,
         "--mapping", str(write_mapping(tmp_path))],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "Rejected bad.csv" in result.output
    assert "negative values. (line 2)" in result.output
    assert "formulas. Remove the leading character. (line 3)" in result.output
    with Workspace.open(folder) as workspace:
        assert workspace.scalar("SELECT COUNT(*) FROM observations") == 0


def test_ingest_without_a_mapping_says_how_to_give_one(tmp_path):
    data = write_csv(tmp_path, series_rows({"Mali": [1]}))
    result = CliRunner().invoke(
        main,
        ["--workspace", str(tmp_path / "ws"), "ingest", str(data), "--source", "x"],
    )
    assert result.exit_code == 2
    assert "--mapping MAPPING.toml" in result.output


def test_status_of_a_missing_workspace_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["--workspace", str(tmp_path / "none"), "status"])
    assert result.exit_code == 2
    assert "no workspace" in result.output


@pytest.mark.slow
def test_demo_without_a_window_builds_the_demo_workspace(tmp_path):
    folder = tmp_path / "demo"
    result = fieldcast(
        "--workspace", str(folder), "demo", "--no-window", "--end", "2020-12"
    )
    assert result.exit_code == 0, result.output
    assert "SYNTHETIC" in result.output
    assert "ingest: Imported synthetic_demo.csv" in result.output
    status = fieldcast("--workspace", str(folder), "status")
    assert "synthetic-demo: data to 2020-12" in status.output
    assert "Units: 240" in status.output


@pytest.mark.slow
def test_demo_uses_its_own_folder_by_default():
    result = fieldcast("demo", "--no-window", "--end", "2001-06")
    assert result.exit_code == 0, result.output
    assert str(default_demo_workspace()) in result.output
    assert (default_demo_workspace() / "workspace.sqlite").exists()


@pytest.mark.slow
def test_demo_without_a_screen_says_how_to_open_the_window(tmp_path, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    folder = tmp_path / "demo"
    result = fieldcast("--workspace", str(folder), "demo", "--end", "2020-12")
    assert result.exit_code == 0, result.output
    assert "No screen" in result.output
    assert f"fieldcast --workspace {folder} app" in result.output
