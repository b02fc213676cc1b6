"""Forecast runs: gated, summarised in chunks, stored whole with provenance or not."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import numpy as np
import pytest
from click.testing import CliRunner

import engine.summaries
from desktop.cli import main
from engine import gate
from engine.bundle import Bundle
from engine.errors import BundleError
from engine.features import LOOKBACK_MONTHS, design_matrix, load_panel
from engine.forecast import (
    RUN_CANCELLED,
    _distinct_units,
    data_lags,
    default_origin,
    input_snapshot_digest,
    latest_run,
    list_runs,
    read_run,
    run_forecast,
)
from engine.intervals import summarise
from engine.months import first_day, format_month, of_date
from engine.runner import Runner
from engine.workspace import utc_now
from tests.factories import (
    LAST_MONTH,
    NOW,
    SOURCE,
    TARGET,
    graph_bytes,
    make_archive,
    make_bundle,
    make_workspace,
)

UNITS = 120  # enough units for the gate to check drift


@pytest.fixture
def workspace(tmp_path):
    workspace = make_workspace(tmp_path / "workspace", units=UNITS)
    yield workspace
    workspace.close()


@pytest.fixture
def bundle(tmp_path, workspace):
    return Bundle.open(make_bundle(tmp_path / "bundle", workspace))


@pytest.fixture
def inferred_rows(monkeypatch):
    """Rows passed to the model, one entry per chunk inferred."""
    rows: list[int] = []
    original = Runner.infer

    def counting(self, features):
        rows.append(len(features))
        return original(self, features)

    monkeypatch.setattr(Runner, "infer", counting)
    return rows


def _count(workspace, run_id):
    """Units the run stored numbers for."""
    return engine.summaries.count_units(workspace.db.conn, run_id)


def _expected_summaries(workspace, bundle, units):
    spec = bundle.manifest.input_spec
    panel = load_panel(
        workspace, TARGET, LAST_MONTH - LOOKBACK_MONTHS + 1, LAST_MONTH, units
    )
    features = design_matrix(
        panel, spec.feature_names, [LAST_MONTH], bundle.manifest.output_spec.horizons
    )
    return features, summarise(Runner(bundle).infer(features))


def _make_stale(workspace, unit, months_behind=5):
    workspace.db.execute(
        "UPDATE coverage SET last_month = ? WHERE unit_id = "
        "(SELECT id FROM units WHERE name = ?)",
        (LAST_MONTH - months_behind, unit),
    )


def test_a_run_stores_summaries_and_provenance(workspace, bundle):
    result = run_forecast(workspace, bundle, person="Amina", now=NOW)
    assert result.status == "passed", result.decision.all_reasons()
    assert result.origin == LAST_MONTH
    assert result.units_forecast == UNITS

    run = read_run(workspace, result.run_id)
    info = run.info
    assert info.bundle_id == bundle.id
    assert info.bundle_digest == bundle.digest
    assert info.person == "Amina"
    assert info.horizons == (1, 2, 3)
    assert info.data_through == {SOURCE: "2024-06"}
    assert info.parameters["point"] == "median"
    assert info.finished_at is not None
    assert len(run.drift) == len(bundle.manifest.input_spec.features)

    names = tuple(sorted(workspace.unit_ids()))
    features, expected = _expected_summaries(workspace, bundle, names)
    assert info.input_digest == input_snapshot_digest(
        features, names, LAST_MONTH, (1, 2, 3)
    )
    assert run.units == names
    for name in ("point", "hdi50_low", "hdi50_high", "hdi90_low", "hdi90_high"):
        np.testing.assert_array_equal(
            getattr(run, name), getattr(expected, name).reshape(UNITS, 3)
        )
    np.testing.assert_array_equal(run.p_any, expected.p_any.reshape(UNITS, 3))
    blob = workspace.scalar(
        "SELECT hdi90_high FROM forecast_sets WHERE run_id = ?", (result.run_id,)
    )
    assert len(blob) == UNITS * 3 * 4  # float32 over the run's units and horizons

    assert latest_run(workspace).info.id == result.run_id
    assert [r.id for r in list_runs(workspace)] == [result.run_id]


def test_a_bundle_that_lists_its_units_passes_the_gate_on_a_clean_workspace(
    workspace, bundle
):
    """Built bundles list the units they were trained on; the self-test copes."""
    assert bundle.manifest.input_spec.units == tuple(sorted(workspace.unit_ids()))
    gate.forget_self_tests()  # the run's own check runs the self-test
    result = run_forecast(workspace, bundle, person="a", now=NOW)
    assert result.status == "passed", result.decision.all_reasons()
    assert result.units_forecast == UNITS
    assert not result.decision.all_reasons()


def test_a_chunked_run_equals_an_unchunked_one(workspace, bundle):
    whole = run_forecast(workspace, bundle, person="a", now=NOW, chunk_rows=10**6)
    chunked = run_forecast(workspace, bundle, person="a", now=NOW, chunk_rows=7)
    first, second = (
        read_run(workspace, whole.run_id),
        read_run(workspace, chunked.run_id),
    )
    assert first.info.input_digest == second.info.input_digest
    for name in (
        "point",
        "hdi50_low",
        "hdi50_high",
        "hdi90_low",
        "hdi90_high",
        "p_any",
    ):
        np.testing.assert_array_equal(getattr(first, name), getattr(second, name))


def test_a_blocked_unit_gets_no_number_and_is_never_inferred(
    workspace, bundle, inferred_rows
):
    _make_stale(workspace, "Unit 03")
    result = run_forecast(workspace, bundle, person="a", now=NOW, chunk_rows=50)

    assert result.status == "warned"
    assert result.units_blocked == 1
    assert sum(inferred_rows) == (UNITS - 1) * 3
    run = read_run(workspace, result.run_id)
    assert run.forecast("Unit 03") is None
    assert run.unit_verdict("Unit 03").value == "block"
    assert run.unit_reasons["Unit 03"][0].code == "stale_data"
    assert "Unit 03" not in run.units
    assert run.forecast("Unit 04") is not None
    assert _count(workspace, result.run_id) == UNITS - 1


def test_a_blocked_run_stores_its_reasons_and_infers_nothing(
    workspace, bundle, monkeypatch
):
    monkeypatch.setattr(Runner, "infer", lambda *a: pytest.fail("inferred"))
    late = NOW + dt.timedelta(days=800)  # after the bundle's valid_until
    result = run_forecast(workspace, bundle, person="a", now=late, origin=LAST_MONTH)
    assert result.status == "blocked"
    run = read_run(workspace, result.run_id)
    assert run.run_blocked
    assert any(reason.code == "bundle_expired" for reason in run.run_reasons)
    assert _count(workspace, result.run_id) == 0


def test_a_cancelled_run_is_stored_as_failed_with_no_forecasts(workspace, bundle):
    calls = []

    def cancel():
        calls.append(1)
        return len(calls) > 2

    result = run_forecast(
        workspace, bundle, person="a", now=NOW, chunk_rows=30, cancel=cancel
    )
    assert result.status == "failed" and result.cancelled
    run = read_run(workspace, result.run_id)
    assert [reason.code for reason in run.run_reasons] == [RUN_CANCELLED]
    assert _count(workspace, result.run_id) == 0


def test_progress_reports_rows_up_to_the_total(workspace, bundle):
    seen = []
    run_forecast(
        workspace,
        bundle,
        person="a",
        now=NOW,
        chunk_rows=90,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen[0] == (0, UNITS * 3)
    assert seen[-1] == (UNITS * 3, UNITS * 3)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


@pytest.mark.parametrize("failure", ["nan", "negative"])
@pytest.mark.parametrize("chunk_rows", [None, 7])
def test_bad_draws_store_a_failed_run_and_no_forecast(
    tmp_path, workspace, failure, chunk_rows
):
    # In small chunks the bad draws are found on the summary thread while the main
    # thread infers the next chunk: the error must still reach the caller.
    graph = graph_bytes(13, 64, failure=failure)
    bad = Bundle.open(make_bundle(tmp_path / "bad", workspace, graph=graph))
    with pytest.raises(BundleError, match=failure.replace("nan", "NaN")):
        run_forecast(workspace, bad, person="a", now=NOW, chunk_rows=chunk_rows)
    (run,) = list_runs(workspace)
    assert run.status == "failed"
    assert workspace.scalar("SELECT COUNT(*) FROM forecast_sets") == 0


def test_the_default_origin_is_the_last_complete_month_by_the_trusted_clock():
    now = dt.datetime(2024, 7, 10, tzinfo=dt.UTC)
    assert default_origin(now, None) == of_date(now) - 1
    floor = dt.datetime(2024, 9, 2, tzinfo=dt.UTC)  # the clock was set back
    assert default_origin(now, floor) == of_date(floor) - 1


# The command line ------------------------------------------------------------------


@pytest.fixture
def current(tmp_path):
    """A workspace with data to last month and a bundle valid now, as in the field."""
    last = of_date(utc_now()) - 1
    workspace = make_workspace(tmp_path / "cli-ws", units=UNITS, last_month=last)
    folder = make_bundle(
        tmp_path / "cli-bundle",
        workspace,
        now=first_day(last + 1),
    )
    _make_stale(workspace, "Unit 05")
    workspace.close()
    return tmp_path / "cli-ws", folder


def test_the_forecast_command_prints_a_table_and_blocked_units_without_numbers(
    current,
):
    workspace, folder = current
    result = CliRunner().invoke(
        main,
        [
            "--workspace",
            str(workspace),
            "forecast",
            "--bundle",
            str(folder),
            "--unit",
            "Unit 04",
            "--unit",
            "Unit 05",
            "--horizon",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    (unit4,) = [re.split(r"\s{2,}", x) for x in lines if x.startswith("Unit 04 ")]
    (unit5,) = [re.split(r"\s{2,}", x) for x in lines if x.startswith("Unit 05 ")]
    assert unit5[2:] == ["-", "-", "-", "-", "BLOCKED"]
    assert unit4[-2].endswith("%") and unit4[-1] in ("ok", "warning")
    assert any(line.startswith("Unit 05: BLOCKED") for line in lines)


def test_a_blocked_run_prints_its_reasons_and_exits_non_zero(current, tmp_path):
    workspace, folder = current
    archive = make_archive(folder, tmp_path / "bundle.tar.gz")
    result = CliRunner().invoke(
        main,
        [
            "--workspace",
            str(workspace),
            "forecast",
            "--bundle",
            str(archive),
            "--origin",
            "2001-01",
        ],
    )
    assert result.exit_code == 1
    assert "BLOCKED" in result.output
    assert "No forecast was made." in result.output


def test_bundle_verify_and_inspect_commands(current, tmp_path):
    _, folder = current
    archive = make_archive(folder, tmp_path / "bundle.zip")
    verified = CliRunner().invoke(main, ["bundle", "verify", str(archive)])
    assert verified.exit_code == 0, verified.output
    assert "is intact" in verified.output
    inspected = CliRunner().invoke(main, ["bundle", "inspect", str(folder)])
    assert inspected.exit_code == 0, inspected.output
    assert "# Bundle test-cm-r1" in inspected.output
    assert "Intended use" in inspected.output

    (folder / "extra.txt").write_text("x")
    refused = CliRunner().invoke(main, ["bundle", "verify", str(folder)])
    assert refused.exit_code == 2
    assert "extra.txt" in refused.output


def test_a_bundle_changed_on_disk_after_opening_blocks_the_run(
    workspace, bundle, monkeypatch
):
    # The files are hashed again for every run (on the run's helper thread): the
    # session in memory was made from verified bytes, but a bundle whose files
    # changed since is no longer trusted at all.
    monkeypatch.setattr(Runner, "infer", lambda *a: pytest.fail("inferred"))
    graph = bundle.graph_path
    graph.write_bytes(graph.read_bytes() + b"\0")
    result = run_forecast(workspace, bundle, person="a", now=NOW)
    assert result.status == "blocked"
    run = read_run(workspace, result.run_id)
    assert [r.code for r in run.run_reasons] == [gate.BUNDLE_MODIFIED]
    assert "does not match the digest" in run.run_reasons[0].message
    assert _count(workspace, result.run_id) == 0


def test_data_lags_count_from_the_earliest_source_and_only_within_the_limit():
    class Source:
        def __init__(self, limit):
            self.max_staleness_months = limit

    last_months = {
        "a": {"fresh": 600, "late": 598, "stale": 590, "ahead": 602, "both": 599},
        "b": {"both": 597, "only_b": 599},
    }
    names = ["fresh", "late", "stale", "ahead", "both", "only_b", "unknown"]
    lags = data_lags(last_months, [Source(3), Source(4)], names, 600)
    # The tightest source limit (3) applies; a lag past it stays 0 for the gate to
    # block as stale, as do data after the origin and units no source covers.
    assert lags.tolist() == [0, 2, 0, 0, 3, 1, 0]
    assert data_lags({}, [], names, 600).tolist() == [0] * len(names)


def _forecast_args_for_data_ending(tmp_path, last: int) -> list[str]:
    """Command-line arguments over data ending at ``last``, with a bundle built then."""
    workspace = make_workspace(tmp_path / "old-ws", units=UNITS, last_month=last)
    folder = make_bundle(tmp_path / "old-bundle", workspace, now=first_day(last + 1))
    workspace.close()
    return [
        "--workspace",
        str(tmp_path / "old-ws"),
        "forecast",
        "--bundle",
        str(folder),
    ]


def test_a_default_origin_past_all_data_says_which_origin_to_use(tmp_path):
    # Data that end months ago (an old file, or history such as the UCDP release)
    # leave every unit stale at the default origin: the command says what to do.
    last = of_date(utc_now()) - 6
    args = _forecast_args_for_data_ending(tmp_path, last)

    result = CliRunner().invoke(main, args)
    assert "BLOCKED" in result.output
    assert f"run again with --origin {format_month(last)}" in result.output

    given = CliRunner().invoke(main, [*args, "--origin", format_month(last)])
    assert given.exit_code == 0, given.output
    assert "run again with --origin" not in given.output


def test_no_origin_hint_when_something_else_blocks_the_run(tmp_path):
    # The bundle, valid for a year after its data, has expired too.
    args = _forecast_args_for_data_ending(tmp_path, of_date(utc_now()) - 20)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert "expired" in result.output
    assert "run again with --origin" not in result.output


# Distinct units: a deterministic graph infers shared rows once -----------------------


def test_distinct_units_keep_unit_order_and_map_every_unit_to_its_twin():
    horizons, width = 2, 3
    blocks = np.array(
        [[1, 1, 1, 2, 2, 2], [0] * 6, [1, 1, 1, 2, 2, 2], [0] * 6, [5] * 6, [0] * 6],
        dtype=np.float32,
    )
    features = blocks.reshape(-1, width)
    passed = np.array([0, 1, 2, 3, 5])  # unit 4 blocked
    inferred, copy_from = _distinct_units(features, passed, horizons)
    assert inferred.tolist() == [0, 1]
    assert copy_from.tolist() == [0, 1, 0, 1, 1]
    every, same = _distinct_units(features, np.array([4, 0]), horizons)
    assert every.tolist() == [4, 0] and same.tolist() == [0, 1]


def test_a_deterministic_bundle_infers_shared_rows_once_with_the_same_numbers(
    tmp_path, workspace, inferred_rows
):
    # Twelve units quiet for years share every feature row with each other.
    quiet = [f"Unit {index:02d}" for index in range(12)]
    workspace.db.execute(
        "UPDATE observations SET value = 0 WHERE unit_id IN (SELECT id FROM units "
        f"WHERE name IN ({', '.join('?' * len(quiet))}))",
        quiet,
    )
    plain = Bundle.open(make_bundle(tmp_path / "plain", workspace))
    spec = dataclasses.replace(plain.manifest.output_spec, deterministic=True)
    shared = Bundle.open(make_bundle(tmp_path / "shared", workspace, output_spec=spec))
    first = run_forecast(workspace, plain, person="a", now=NOW, chunk_rows=60)
    rows_plain = sum(inferred_rows)
    inferred_rows.clear()
    second = run_forecast(workspace, shared, person="a", now=NOW, chunk_rows=60)
    rows_shared = sum(inferred_rows)

    assert rows_plain == UNITS * 3
    assert rows_shared < UNITS * 3 - 10 * 3  # at least the eleven twins skipped
    a, b = read_run(workspace, first.run_id), read_run(workspace, second.run_id)
    assert a.units == b.units and len(a.units) == UNITS
    for name in ("point", "hdi50_low", "hdi50_high", "hdi90_low", "hdi90_high"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    np.testing.assert_array_equal(a.p_any, b.p_any)
    assert b.info.parameters["units_inferred"] == rows_shared // 3
    assert a.info.parameters["units_inferred"] == UNITS
