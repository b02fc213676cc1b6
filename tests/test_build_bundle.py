"""Building a bundle end to end on demo-shaped data: files, manifest, repeatability."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import tarfile
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import pytest
from build_support import (
    DEMO_CONFIG,
    DEMO_SOURCE,
    demo_shaped_workspace,
    fast_demo_config,
    raw_config,
)
from click.testing import CliRunner

from desktop.cli import main
from engine.build.pipeline import build_bundle
from engine.bundle import Bundle, extract_archive
from engine.errors import BuildError
from engine.features import design_matrix, load_panel
from engine.manifest import GRAPH_NAME, MANIFEST_NAME, Manifest
from engine.months import month_index
from engine.spec import QUANTILE_LEVELS


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    """One fast build on demo-shaped data, shared by the tests that only read it."""
    root = tmp_path_factory.mktemp("build")
    workspace = demo_shaped_workspace(root / "ws")
    result = build_bundle(workspace, fast_demo_config(), root / "out")
    yield workspace, result
    workspace.close()


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_the_bundle_folder_holds_the_manifest_graph_and_card(built):
    _, result = built
    names = sorted(path.name for path in result.folder.iterdir())
    assert names == sorted(
        [MANIFEST_NAME, GRAPH_NAME, "model_card.md", "model_card.html"]
    )
    manifest = result.manifest
    for name, digest in manifest.files.items():
        data = (result.folder / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest
    assert MANIFEST_NAME not in manifest.files


def test_the_field_side_opens_and_verifies_the_built_bundle(built, tmp_path):
    _, result = built
    bundle = Bundle.open(result.folder)
    assert bundle.manifest == result.manifest

    extracted = extract_archive(result.archive, tmp_path / "from-archive")
    assert _files(extracted) == _files(result.folder)


def test_the_graph_passes_the_checker_and_runs_on_forecast_rows(built):
    workspace, result = built
    graph = (result.folder / GRAPH_NAME).read_bytes()
    onnx.checker.check_model(onnx.load_from_string(graph), full_check=True)

    # Rows as a forecast run makes them: the last month, every unit and horizon.
    manifest = result.manifest
    spec, output = manifest.input_spec, manifest.output_spec
    last = month_index(2024, 6)
    panel = load_panel(
        workspace, spec.target_variable, last - 35, last, spec.units, True
    )
    matrix = design_matrix(panel, spec.feature_names, [last], output.horizons)
    session = onnxruntime.InferenceSession(graph)
    draws = session.run([output.output_name], {output.input_name: matrix})[0]
    assert draws.shape == (len(spec.units) * len(output.horizons), output.draws)
    assert draws.dtype == np.float32
    assert (draws >= 0).all() and np.isfinite(draws).all()
    assert (draws == 0).any() and (draws > 0).any()
    assert np.array_equal(draws, np.round(draws))  # counts stay whole


def test_the_manifest_describes_inputs_outputs_and_training(built):
    workspace, result = built
    manifest = result.manifest
    config = fast_demo_config()
    assert manifest.model_line == "demo-sb" and manifest.release == 1
    assert manifest.input_spec.feature_names == config.features
    assert manifest.output_spec.draws == 100
    assert manifest.output_spec.horizons == (1, 2, 3, 6)
    assert manifest.output_spec.transform == "identity"
    assert manifest.output_spec.deterministic is True  # no random operator in it
    assert manifest.training.last_month_per_source == {DEMO_SOURCE: "2024-06"}
    assert manifest.training.rows == workspace.scalar(
        "SELECT COUNT(*) FROM observations"
    )
    assert manifest.seeds == {"forest": 1234, "subsample": 7}
    assert [s.name for s in manifest.input_spec.sources] == [DEMO_SOURCE]
    assert len(manifest.input_spec.units) == 30

    neighbour = next(
        f for f in manifest.input_spec.features if f.name == "neighbour_log_sum_12"
    )
    assert neighbour.sources == (DEMO_SOURCE,)
    horizon = next(f for f in manifest.input_spec.features if f.name == "horizon")
    assert horizon.sources == () and horizon.tag == "deterministic"
    # Horizons 1 to 6, plus 7 and 8 for units up to two months behind (staleness 2).
    assert (horizon.minimum, horizon.maximum) == (1.0, 8.0)


def test_created_defaults_to_the_end_of_the_training_data(built):
    _, result = built
    manifest = result.manifest
    assert manifest.created == "2024-07-01T00:00:00+00:00"
    assert manifest.valid_from == manifest.created
    assert manifest.valid_until == "2025-07-01T00:00:00+00:00"  # 365 days later


def test_every_feature_has_a_reference_distribution_from_training(built):
    _, result = built
    for feature in result.manifest.input_spec.features:
        reference = feature.reference
        assert len(reference.quantiles) == len(QUANTILE_LEVELS)
        assert list(reference.quantiles) == sorted(reference.quantiles)
        assert list(reference.bin_edges) == sorted(set(reference.bin_edges))
        assert len(reference.bin_shares) == len(reference.bin_edges) + 1
        assert sum(reference.bin_shares) == pytest.approx(1.0)
        assert reference.count == result.manifest.parameters["training_examples"]
        assert feature.minimum is not None and feature.maximum is not None
        assert feature.minimum <= reference.quantiles[0]
        assert reference.quantiles[-1] <= feature.maximum


def test_the_evaluation_scores_the_model_and_each_baseline_by_horizon_and_group(
    built,
):
    _, result = built
    evaluation = result.manifest.evaluation
    assert set(evaluation["overall"]) == {
        "model",
        "zeros",
        "last_value",
        "unit_history",
    }
    assert [row["horizon"] for row in evaluation["by_horizon"]] == [1, 2, 3, 6]
    assert [row["group"] for row in evaluation["by_group"]] == [
        "East",
        "North",
        "South",
        "West",
    ]
    gap = evaluation["largest_group_gap"]["coverage90"]
    coverages = [row["model"]["coverage90"] for row in evaluation["by_group"]]
    assert gap["gap"] == pytest.approx(max(coverages) - min(coverages), abs=1e-5)
    assert len(evaluation["pit_histogram"]) == 10
    assert sum(evaluation["pit_histogram"]) == pytest.approx(1.0)
    # The fast demo's horizons 1, 2, 3 and 6 (and 7, 8 for stale units) span three
    # bands; the last has no calibration rows and takes the factor before it.
    bands = evaluation["calibration"]["bands"]
    assert [band["horizons"] for band in bands] == ["1-3", "4-6", "7+"]
    assert all(band["factor"] > 0 for band in bands)
    assert [band["rows"] > 0 for band in bands] == [True, True, False]
    assert bands[2]["factor"] == bands[1]["factor"] and "4-6" in bands[2]["note"]
    assert result.manifest.parameters["spread_factors"] == [b["factor"] for b in bands]


def test_the_card_is_in_the_manifest_and_rendered(built):
    _, result = built
    card = result.manifest.model_card
    for key in (
        "intended_use",
        "out_of_scope",
        "how_to_read_an_hdi",
        "limitations",
        "known_failure_modes",
        "groups",
        "data",
        "ethical_considerations",
        "contacts",
    ):
        assert card[key], key
    assert card["data"]["synthetic"] is True
    assert [row["group"] for row in card["groups"]["results"]] == [
        "East",
        "North",
        "South",
        "West",
    ]
    markdown = (result.folder / "model_card.md").read_text()
    assert "SYNTHETIC DATA" in markdown and "## Groups of units" in markdown
    html = (result.folder / "model_card.html").read_text()
    assert html.startswith("<!DOCTYPE html>") and "SYNTHETIC DATA" in html


def test_two_builds_are_byte_identical_archive_included(tmp_path):
    workspace = demo_shaped_workspace(tmp_path / "ws")
    config = fast_demo_config()
    first = build_bundle(workspace, config, tmp_path / "one")
    second = build_bundle(workspace, config, tmp_path / "two")
    workspace.close()

    assert first.manifest.id == second.manifest.id
    assert _files(first.folder) == _files(second.folder)
    assert first.archive.read_bytes() == second.archive.read_bytes()


def test_the_archive_is_normalised(built):
    _, result = built
    raw = result.archive.read_bytes()
    assert raw[4:8] == b"\0\0\0\0"  # gzip header mtime
    created = dt.datetime.fromisoformat(result.manifest.created).timestamp()
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(raw))) as archive:
        members = archive.getmembers()
    names = [member.name for member in members]
    top = result.manifest.id
    assert names == [top, *sorted(f"{top}/{name}" for name in _files(result.folder))]
    for member in members:
        assert (member.uid, member.gid, member.uname, member.gname) == (0, 0, "", "")
        assert member.mtime == created


def test_other_data_gives_another_bundle(tmp_path, built):
    _, result = built
    workspace = demo_shaped_workspace(tmp_path / "ws", seed=12)
    other = build_bundle(workspace, fast_demo_config(), tmp_path / "out")
    workspace.close()
    assert other.manifest.training.data_digest != result.manifest.training.data_digest
    assert other.manifest.id != result.manifest.id


def test_created_can_be_given_or_taken_from_source_date_epoch(tmp_path, monkeypatch):
    workspace = demo_shaped_workspace(tmp_path / "ws")
    config = fast_demo_config()
    given = build_bundle(
        workspace,
        config,
        tmp_path / "given",
        created=dt.datetime(2024, 8, 15, 12, tzinfo=dt.UTC),
    )
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1725000000")
    from_epoch = build_bundle(workspace, config, tmp_path / "epoch")
    workspace.close()
    assert given.manifest.created == "2024-08-15T12:00:00+00:00"
    assert from_epoch.manifest.created == "2024-08-30T06:40:00+00:00"


def test_html_card_escapes_text_from_the_configuration(tmp_path):
    workspace = demo_shaped_workspace(tmp_path / "ws")
    config = fast_demo_config(
        card={"title": "<script>alert(1)</script>", "contacts": ["a & b <x@y>"]}
    )
    result = build_bundle(workspace, config, tmp_path / "out")
    workspace.close()
    html = (result.folder / "model_card.html").read_text()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "a &amp; b &lt;x@y&gt;" in html


def test_a_missing_source_is_a_clear_error(tmp_path):
    workspace = demo_shaped_workspace(tmp_path / "ws")
    data = raw_config(DEMO_CONFIG)
    config = fast_demo_config()
    config = type(config)(
        **{
            **config.__dict__,
            "sources": (type(config.sources[0])("no-such-source", 2),),
        }
    )
    with pytest.raises(BuildError, match="no source 'no-such-source'"):
        build_bundle(workspace, config, tmp_path / "out")
    assert data  # the example itself is untouched
    assert not (tmp_path / "out").exists()
    workspace.close()


def test_each_calibration_period_is_scored_by_a_forest_that_never_saw_it(
    tmp_path, monkeypatch
):
    from engine.build import pipeline

    fitted_through: list[int] = []
    original = pipeline._training_examples

    def recording(config, panel, last_outcome):
        fitted_through.append(last_outcome)
        return original(config, panel, last_outcome)

    monkeypatch.setattr(pipeline, "_training_examples", recording)
    workspace = demo_shaped_workspace(tmp_path / "ws")
    config = fast_demo_config(holdout={"calibration_periods": 3})
    result = build_bundle(workspace, config, tmp_path / "out")
    workspace.close()

    calibration = result.manifest.evaluation["calibration"]
    periods = calibration["periods"]
    starts = [month_index(*map(int, p["origins"][:7].split("-"))) for p in periods]
    holdout_start = month_index(2024, 6) - config.holdout.months
    # Periods of 12 months step back from the holdout, latest first; each forest
    # learnt from outcomes up to its period's first origin, never beyond.
    assert starts == [holdout_start - 12, holdout_start - 24, holdout_start - 36]
    assert [p["forest_outcomes_through"] for p in periods] == [
        p["origins"][:7] for p in periods
    ]
    assert all(p["rows"] > 0 for p in periods)
    # The evaluation forest (the first period's), two calibration forests, the
    # shipped one: each fitted on outcomes up to the month recorded.
    assert fitted_through == [*starts, month_index(2024, 6)]
    for band in calibration["bands"]:
        if band["rows"]:
            assert len(band["coverage90_where_interval_above_zero_by_period"]) == 3
    assert "over 3 calibration periods" in " ".join(
        result.manifest.model_card["performance"]
    )


def test_too_many_calibration_periods_for_the_history_is_a_clear_error(tmp_path):
    workspace = demo_shaped_workspace(tmp_path / "ws")
    config = fast_demo_config(holdout={"calibration_periods": 6})
    with pytest.raises(BuildError, match="6 calibration period"):
        build_bundle(workspace, config, tmp_path / "out")
    workspace.close()


def test_too_short_a_history_is_a_clear_error(tmp_path):
    workspace = demo_shaped_workspace(tmp_path / "ws", months=60)
    with pytest.raises(BuildError, match="too short"):
        build_bundle(workspace, fast_demo_config(), tmp_path / "out")
    workspace.close()


def test_the_command_builds_a_bundle(tmp_path):
    demo_shaped_workspace(tmp_path / "ws").close()
    config = tmp_path / "BUNDLE.toml"
    text = DEMO_CONFIG.read_text()
    text = text.replace("draws = 1000", "draws = 100\nhorizons = [1, 2, 3]")
    text = text.replace("trees = 40", "trees = 10").replace("= 256", "= 32")
    text = text.replace("months = 36", "months = 12")
    config.write_text(text)

    runner = CliRunner()
    out = tmp_path / "bundles"
    result = runner.invoke(
        main,
        [
            "--workspace",
            str(tmp_path / "ws"),
            "bundle",
            "build",
            "--config",
            str(config),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "beats every naive baseline" in result.output
    folders = [path for path in out.iterdir() if path.is_dir()]
    assert len(folders) == 1
    assert Manifest.from_json_bytes((folders[0] / MANIFEST_NAME).read_bytes())
    assert (out / f"{folders[0].name}.tar.gz").exists()


def test_the_command_reports_a_bad_configuration(tmp_path):
    demo_shaped_workspace(tmp_path / "ws").close()
    config = tmp_path / "BUNDLE.toml"
    config.write_text('[model]\nline = "x"\n')
    result = CliRunner().invoke(
        main,
        [
            *("--workspace", str(tmp_path / "ws"), "bundle", "build"),
            *("--config", str(config), "--out", str(tmp_path / "out")),
        ],
    )
    assert result.exit_code == 2
    assert "model.release is required" in result.output
    assert "[card] is missing" in result.output


def test_a_built_bundle_imports_activates_and_forecasts_on_a_field_device(
    built, tmp_path
):
    """The whole way: build, archive, import, activate, gate and run."""
    from engine.controls import activate, import_bundle
    from engine.forecast import read_run, run_forecast

    _, result = built
    device = demo_shaped_workspace(tmp_path / "device")
    imported = import_bundle(device, result.archive, person="tester")
    bundle = activate(device, imported.bundle.id, person="tester")
    run = run_forecast(
        device,
        bundle,
        origin=month_index(2024, 6),
        person="tester",
        now=dt.datetime(2024, 7, 10, tzinfo=dt.UTC),
    )
    assert run.status in ("passed", "warned"), run.decision
    assert run.units_forecast == 30
    stored = read_run(device, run.run_id)
    assert len(stored.units) == 30
    assert stored.horizons == (1, 2, 3, 6)
    assert (stored.hdi90_low <= stored.hdi50_low).all()
    assert (stored.hdi50_high <= stored.hdi90_high).all()
    assert ((stored.p_any >= 0) & (stored.p_any <= 1)).all()
    device.close()


def test_reference_bins_hold_float32_atoms_where_the_training_rows_were():
    """Values at an edge (log1p of small counts, as float32) stay in the edge's bin."""
    from engine.build.pipeline import _reference
    from engine.drift import measure

    rng = np.random.default_rng(5)
    counts = np.where(rng.random(5000) < 0.7, 0, rng.integers(1, 4, 5000))
    values = np.log1p(counts).astype(np.float32)
    reference = _reference(values)
    psi, ks, _ = measure(values, reference)
    assert psi == pytest.approx(0.0, abs=1e-9)
    assert ks <= 0.011


def test_a_graph_that_draws_at_random_is_never_declared_deterministic(
    tmp_path, monkeypatch
):
    # Runs infer a shared row once only for deterministic graphs: a random operator
    # in the export stops the build rather than ship a false declaration.
    from engine.build import pipeline

    exported = pipeline.export_onnx

    def with_noise(model, output):
        proto = exported(model, output)
        proto.graph.node.append(
            onnx.helper.make_node("RandomNormal", [], ["noise"], shape=[1])
        )
        return proto

    monkeypatch.setattr(pipeline, "export_onnx", with_noise)
    workspace = demo_shaped_workspace(tmp_path / "ws")
    with pytest.raises(BuildError, match="draws at random"):
        build_bundle(workspace, fast_demo_config(), tmp_path / "out")
    assert not (tmp_path / "out").exists()
    workspace.close()
