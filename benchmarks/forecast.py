"""A whole forecast run against raw onnxruntime inference of the same graph.

Both workloads of ARCHITECTURE.md on synthetic workspaces: country-month (191 units,
36 horizons, 1,000 draws: 50 trees x 20 samples a leaf) and grid-month (13,110 units,
36 horizons, 256 draws: 32 trees x 8 samples). The graph is shaped like a built
bundle's (``benchmarks.graphs.leaf_table_graph``: trees of at most 512 leaves grown on
the workspace's own feature rows, Cast, Gather from a leaf table, Reshape), and the
bundle lists its units as built bundles do.

The run (features, gate, inference, HDIs, storing) happens in a fresh subprocess,
which also reports its peak memory; its session is warmed up as the reference's is,
and its first gate check runs the self-test. Raw inference runs here, on the feature
matrix preloaded, in one call, with the same session options. The two are interleaved
and each keeps the fastest of its repeats, so a busy moment of the shared machine
does not decide the ratio.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks import Result
from benchmarks.graphs import leaf_table_graph
from engine.bundle import Bundle
from engine.features import DEFAULT_FEATURES, LOOKBACK_MONTHS, design_matrix, load_panel
from engine.runner import new_session
from engine.series import refresh_series
from engine.workspace import Workspace
from tests.factories import LAST_MONTH, TARGET, make_bundle, make_workspace

# name, units, trees, samples per leaf (draws = trees x samples)
WORKLOADS = (("country-month", 191, 50, 20), ("grid-month", 13_110, 32, 8))
HORIZONS = tuple(range(1, 37))
LEAVES = 512  # the build's default ensemble.max_leaf_nodes
MEMORY_GOAL_BYTES = 1.5 * 1024**3
GOAL = 1.3
REPEATS = 5  # the shared machine's noise moved single raw timings by 2-3x
# TODO(#3): the 1.3x goal is not met. Profiled on grid-month (raw inference about
# 0.5 s, run about 1.55 s): features about 0.4 s (load_panel's SQLite read 0.25 s,
# bound by Python's per-row cost of sqlite3, design_matrix 0.13 s), HDIs and the other
# summaries 0.28 s, storing 0.15 s (half of it the commit), gate 0.1 s with its
# self-test, the input digest 0.03 s. Running each chunk's HDIs in a second thread
# while onnxruntime infers the next gave nothing with the session's two threads (both
# cores are busy), nor did splitting a chunk's summaries over two threads (the GIL);
# the fixed costs before inference (features, gate) alone exceed 0.3x raw.
# Country-month's raw inference takes 20 ms; its run about 0.11 s, of which the gate's
# first-check self-test is 70 ms and the drift measures 10 ms.

_CHILD = """
import json, resource, sys, time
from pathlib import Path
import numpy as np
from engine.bundle import Bundle
from engine.forecast import run_forecast
from engine.workspace import Workspace
from tests.factories import NOW
workspace = Workspace.open(Path(sys.argv[1]))
bundle = Bundle.open(Path(sys.argv[2]))
spec = bundle.manifest
warm = np.zeros((100, len(spec.input_spec.features)), dtype=np.float32)
bundle.session.run(None, {spec.output_spec.input_name: warm})  # as the reference
started = time.perf_counter()
result = run_forecast(workspace, bundle, person="bench", now=NOW)
seconds = time.perf_counter() - started
# VmHWM is this process's own peak; ru_maxrss would include the parent's at fork.
status = Path("/proc/self/status")
if status.exists():
    line = next(x for x in status.read_text().splitlines() if x.startswith("VmHWM"))
    peak = int(line.split()[1]) * 1024
else:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": seconds, "peak": peak, "status": result.status,
                  "forecast": result.units_forecast}))
"""


def _matrix(workspace: Workspace) -> np.ndarray:
    """The run's feature matrix, computed as a forecast run computes it."""
    panel = load_panel(workspace, TARGET, LAST_MONTH - LOOKBACK_MONTHS + 1, LAST_MONTH)
    return design_matrix(panel, DEFAULT_FEATURES, [LAST_MONTH], HORIZONS)


def _prepare(folder: Path, units: int, trees: int, samples: int) -> np.ndarray:
    """Workspace and bundle under ``folder``; returns the preloaded feature matrix."""
    workspace = make_workspace(
        folder / "workspace", units=units, months=LOOKBACK_MONTHS + 30
    )
    # As an ingest leaves it: the packed series built (the factory writes rows).
    refresh_series(workspace)
    matrix = _matrix(workspace)
    rng = np.random.default_rng(5)
    grown_on = matrix[rng.integers(0, len(matrix), min(len(matrix), 20_000))]
    graph = leaf_table_graph(
        len(DEFAULT_FEATURES), trees, samples, LEAVES, sample_rows=grown_on
    )
    make_bundle(
        folder / "bundle",
        workspace,
        draws=trees * samples,
        horizons=HORIZONS,
        graph=graph,
    )
    workspace.close()
    return matrix


def _raw_inference(session: object, matrix: np.ndarray) -> float:
    started = time.perf_counter()
    session.run(["draws"], {"features": matrix})  # type: ignore[attr-defined]
    return time.perf_counter() - started


def _forecast_run(folder: Path) -> dict[str, float]:
    root = Path(__file__).resolve().parents[1]
    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            _CHILD,
            str(folder / "workspace"),
            str(folder / "bundle"),
        ],
        capture_output=True,
        text=True,
        cwd=root,
        check=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def run() -> list[Result]:
    results = []
    for name, units, trees, samples in WORKLOADS:
        draws = trees * samples
        with tempfile.TemporaryDirectory(prefix="fieldcast-bench-") as scratch:
            folder = Path(scratch)
            matrix = _prepare(folder, units, trees, samples)
            session = new_session(Bundle.open(folder / "bundle").read_graph())
            session.run(["draws"], {"features": matrix[:100]})  # warm up
            raws, runs = [], []
            for _ in range(REPEATS):
                raws.append(_raw_inference(session, matrix))
                runs.append(_forecast_run(folder))
            del session
        raw = min(raws)
        whole = min(runs, key=lambda item: item["seconds"])
        peak = max(item["peak"] for item in runs)
        ratio = whole["seconds"] / raw
        run_times = ", ".join(f"{item['seconds']:.2f}" for item in runs)
        raw_times = ", ".join(f"{seconds:.2f}" for seconds in raws)
        results.append(
            Result(
                "forecast",
                f"{name}: whole run time / raw inference time",
                ratio,
                "x",
                f"<= {GOAL}x",
                ratio <= GOAL and whole["status"] != "blocked",
                f"{units:,} units x 36 horizons x {draws} draws; run "
                f"{whole['seconds']:.2f} s ({whole['status']}, "
                f"{whole['forecast']:,} units forecast), raw {raw:.2f} s; best of "
                f"{REPEATS} (runs {run_times}; raw {raw_times})",
            )
        )
        results.append(
            Result(
                "forecast",
                f"{name}: peak memory of the run (RSS)",
                peak / 1024**2,
                "MiB",
                "< 1536 MiB" if name == "grid-month" else "(reported)",
                peak < MEMORY_GOAL_BYTES if name == "grid-month" else None,
                "whole process, measured in a subprocess",
            )
        )
    return results
