"""Building the country-month bundle on the real UCDP data: time, size, graph speed.

The build's time is set against one plain scikit-learn forest fit on the same rows
(the build fits the evaluation forest, one more for each earlier calibration period
(three with cm.toml), and the shipped forest; it calibrates, scores four forecasters
and exports); the
graph's inference for one origin (191 units x 36 horizons x 1,000 draws) is set
against the same draws computed with scikit-learn's ``apply`` and numpy.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
import onnxruntime
from sklearn.ensemble import RandomForestRegressor

from benchmarks import Result
from engine.build.config import load_config
from engine.build.dataset import make_examples
from engine.build.pipeline import build_bundle
from engine.build.train import fit_forest
from engine.features import LOOKBACK_MONTHS, design_matrix, load_panel
from engine.ingest import ingest_file
from engine.manifest import GRAPH_NAME
from engine.resources import resources_folder
from engine.workspace import Workspace

UCDP_FILE = Path(__file__).resolve().parents[2] / "shared" / "data" / "ucdp_ged_cm.csv"
NAME = "build"


def run() -> list[Result]:
    if not UCDP_FILE.exists():
        return [Result(NAME, "skipped", 0, "", "-", None, f"{UCDP_FILE} is absent")]
    config = load_config(resources_folder() / "bundles" / "cm.toml")
    with tempfile.TemporaryDirectory() as scratch:
        workspace = Workspace.open(Path(scratch) / "ws")
        ingest_file(workspace, UCDP_FILE, "ucdp_ged_cm", person="bench")

        started = time.perf_counter()
        result = build_bundle(workspace, config, Path(scratch) / "out")
        build_seconds = time.perf_counter() - started

        # The reference: one plain forest of the same shape on the same rows.
        panel = load_panel(workspace, config.target_variable, *_span(workspace))
        examples = make_examples(
            panel,
            config.features,
            range(panel.first_month + LOOKBACK_MONTHS - 1, panel.last_month, 2),
            config.horizons,
            panel.last_month,
        ).subsample(config.training.max_rows, 7)
        forest = RandomForestRegressor(
            n_estimators=config.ensemble.trees,
            max_leaf_nodes=config.ensemble.max_leaf_nodes,
            min_samples_leaf=config.ensemble.min_samples_leaf,
            max_features=config.ensemble.max_features,
            max_samples=config.ensemble.max_samples,
            random_state=1,
        )
        started = time.perf_counter()
        forest.fit(examples.matrix, np.log1p(examples.outcomes))
        fit_seconds = time.perf_counter() - started

        # Inference for one origin: the graph against sklearn's apply plus numpy.
        spec = result.manifest.input_spec
        last = panel.last_month
        recent = load_panel(
            workspace,
            spec.target_variable,
            last - LOOKBACK_MONTHS + 1,
            last,
            spec.units,
        )
        matrix = design_matrix(recent, spec.feature_names, [last], config.horizons)
        graph = (result.folder / GRAPH_NAME).read_bytes()
        session = onnxruntime.InferenceSession(graph)
        onnx_seconds = _best(lambda: session.run(None, {"features": matrix}))
        model = fit_forest(
            examples.matrix,
            examples.outcomes,
            config.ensemble,
            config.samples_per_leaf,
            config.seeds["forest"],
        )
        numpy_seconds = _best(lambda: model.sample(matrix))
        workspace.close()

    size_mb = len(graph) / 1024**2
    return [
        Result(
            NAME,
            "cm build / one plain forest fit",
            build_seconds / fit_seconds,
            "x",
            "(reported)",
            None,
            f"build {build_seconds:.1f} s, fit {fit_seconds:.1f} s, "
            f"{len(examples)} training rows",
        ),
        Result(NAME, "cm graph size", size_mb, "MB", "<= 5 MB", size_mb <= 5),
        Result(
            NAME,
            "cm graph inference / sklearn apply + numpy",
            onnx_seconds / numpy_seconds,
            "x",
            "(reported)",
            None,
            f"{len(matrix)} rows x {config.draws} draws: onnxruntime "
            f"{1000 * onnx_seconds:.0f} ms, numpy {1000 * numpy_seconds:.0f} ms",
        ),
    ]


def _span(workspace: Workspace) -> tuple[int, int]:
    first, last = workspace.db.execute(
        "SELECT MIN(month), MAX(month) FROM observations"
    ).fetchone()
    return int(first), int(last)


def _best(action, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)
