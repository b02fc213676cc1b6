"""A whole forecast run against raw onnxruntime inference of the same graph.

Both workloads of ARCHITECTURE.md on synthetic workspaces: country-month (191 units,
36 horizons, 1,000 draws: 50 trees x 20 samples a leaf) and grid-month (13,110 units,
36 horizons, 256 draws: 32 trees x 8 samples). The graph is shaped like a built
bundle's (``benchmarks.graphs.leaf_table_graph``: trees of at most 512 leaves grown on
the workspace's own feature rows, Cast, Gather from a leaf table, Reshape), and the
bundle lists its units as built bundles do.

The run is timed in a fresh subprocess that has opened the bundle and warmed its
session on 100 rows, as ``fieldcast forecast`` runs (features, gate with its
first-check self-test, inference, HDIs, storing; the process also reports its peak
memory), and warm (the best of three more runs in that process, as a desktop that
stays open runs). The reference is raw inference of the whole feature matrix,
preloaded from a file, in one call with the same session options, at its best: warm,
the best of three calls after a first one in its own fresh process. Children are
interleaved and each figure keeps the fastest of its repeats, so a busy moment of the
shared machine does not decide the ratio.

Built bundles declare their graphs deterministic, so a run infers a block of feature
rows shared by several units once: the synthetic grid has quiet units with identical
rows, as real grids have by the thousand. The same graph without that declaration is
timed too (reported), so the gain of it is seen apart.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import Result
from benchmarks.graphs import leaf_table_graph
from engine.features import DEFAULT_FEATURES, LOOKBACK_MONTHS, design_matrix, load_panel
from engine.series import refresh_series
from engine.spec import OutputSpec
from engine.workspace import Workspace
from tests.factories import LAST_MONTH, TARGET, make_bundle, make_workspace

# name, units, trees, samples per leaf (draws = trees x samples)
WORKLOADS = (("country-month", 191, 50, 20), ("grid-month", 13_110, 32, 8))
HORIZONS = tuple(range(1, 37))
LEAVES = 512  # the build's default ensemble.max_leaf_nodes
MEMORY_GOAL_BYTES = 1.5 * 1024**3
GOAL = 1.3
REPEATS = 5  # the shared machine's noise moved single raw timings by 2-3x
# TODO(#3): country-month misses the 1.3x goal (about 3.3x first, 2.2x warm): its
# raw inference takes 12 ms on both cores, while the summaries of its 6.9 million
# draws need 14 ms of CPU (the sort alone 6 ms with AVX-512) and the run's fixed
# work (reading features, the gate, storing with a durable commit) about 5 ms more,
# plus a fresh process's first-use costs. On two cores even perfect overlap leaves
# the run near twice raw inference; HDIs from fewer sorted draws per row, or more
# cores, would be needed.

_CHILD = """
import json, resource, sys, time
from pathlib import Path
import numpy as np
from engine.bundle import Bundle
from engine.forecast import run_forecast
from engine.workspace import Workspace
from tests.factories import NOW
mode, folder, bundle_name = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
workspace = Workspace.open(folder / "workspace")
bundle = Bundle.open(folder / bundle_name)
spec = bundle.manifest
name = spec.output_spec.input_name
warm = np.zeros((100, len(spec.input_spec.features)), dtype=np.float32)
bundle.session.run(None, {name: warm})
matrix = np.load(folder / "matrix.npy") if mode == "raw" else None
timings, status, forecast, inferred = [], None, 0, 0
for _ in range(WARM_REPEATS + 1):  # the first in a fresh process, then warm
    started = time.perf_counter()
    if mode == "raw":
        bundle.session.run(None, {name: matrix})
    else:
        result = run_forecast(workspace, bundle, person="bench", now=NOW)
        status, forecast = result.status, result.units_forecast
    timings.append(time.perf_counter() - started)
if mode == "run":
    inferred = workspace.scalar(
        "SELECT json_extract(parameters, '$.units_inferred') FROM forecast_runs "
        "ORDER BY id DESC LIMIT 1"
    )
# VmHWM is this process's own peak; ru_maxrss would include the parent's at fork.
status_file = Path("/proc/self/status")
if status_file.exists():
    lines = status_file.read_text().splitlines()
    peak = int(next(x for x in lines if x.startswith("VmHWM")).split()[1]) * 1024
else:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"first": timings[0], "warm": min(timings[1:]), "peak": peak,
                  "status": status, "forecast": forecast, "inferred": inferred}))
""".replace("WARM_REPEATS", "3")


def _matrix(workspace: Workspace) -> np.ndarray:
    """The run's feature matrix, computed as a forecast run computes it."""
    panel = load_panel(workspace, TARGET, LAST_MONTH - LOOKBACK_MONTHS + 1, LAST_MONTH)
    return design_matrix(panel, DEFAULT_FEATURES, [LAST_MONTH], HORIZONS)


def _prepare(folder: Path, units: int, trees: int, samples: int) -> int:
    """Workspace, bundles and the preloaded matrix; returns the distinct units.

    ``bundle`` declares its graph deterministic, as every built bundle does (a run
    infers a row shared by several units once); ``bundle-rowwise`` holds the same
    graph without the declaration, so a run infers every unit's rows.
    """
    workspace = make_workspace(
        folder / "workspace", units=units, months=LOOKBACK_MONTHS + 30
    )
    # As an ingest leaves it: the packed series built (the factory writes rows).
    refresh_series(workspace)
    matrix = _matrix(workspace)
    np.save(folder / "matrix.npy", matrix)
    rng = np.random.default_rng(5)
    grown_on = matrix[rng.integers(0, len(matrix), min(len(matrix), 20_000))]
    graph = leaf_table_graph(
        len(DEFAULT_FEATURES), trees, samples, LEAVES, sample_rows=grown_on
    )
    for name, deterministic in (("bundle", True), ("bundle-rowwise", False)):
        output = OutputSpec(
            target=TARGET,
            transform="identity",
            draws=trees * samples,
            horizons=HORIZONS,
            deterministic=deterministic,
        )
        make_bundle(
            folder / name,
            workspace,
            draws=trees * samples,
            horizons=HORIZONS,
            graph=graph,
            output_spec=output,
        )
    workspace.close()
    per_unit = matrix.reshape(units, -1)
    return len(
        np.unique(
            per_unit.view(np.dtype((np.void, per_unit.itemsize * per_unit.shape[1])))
        )
    )


def _child(mode: str, folder: Path, bundle: str = "bundle") -> dict[str, Any]:
    """Timings of a fresh process: ``raw`` inference or a forecast ``run``."""
    root = Path(__file__).resolve().parents[1]
    completed = subprocess.run(
        [sys.executable, "-c", _CHILD, mode, str(folder), bundle],
        capture_output=True,
        text=True,
        cwd=root,
        check=True,
    )
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def run() -> list[Result]:
    results = []
    for name, units, trees, samples in WORKLOADS:
        draws = trees * samples
        with tempfile.TemporaryDirectory(prefix="fieldcast-bench-") as scratch:
            folder = Path(scratch)
            distinct = _prepare(folder, units, trees, samples)
            raws, runs, rowwise = [], [], []
            for _ in range(REPEATS):
                raws.append(_child("raw", folder))
                runs.append(_child("run", folder))
                rowwise.append(_child("run", folder, "bundle-rowwise"))
        # The reference: raw inference at its best, warm (the arena sized, pages
        # touched); a single call's first time in a fresh process is much slower.
        raw = min(item["warm"] for item in raws)
        raw_times = ", ".join(f"{item['warm']:.3f}" for item in raws)
        cases = (
            (runs, "first", "first run in a fresh process", True),
            (runs, "warm", "warm run", False),
            (rowwise, "first", "first run, every unit's rows inferred", False),
        )
        for items, key, label, goal in cases:
            whole = min(items, key=lambda item: item[key])
            ratio = whole[key] / raw
            run_times = ", ".join(f"{item[key]:.3f}" for item in items)
            results.append(
                Result(
                    "forecast",
                    f"{name}: {label} / raw inference (warm)",
                    ratio,
                    "x",
                    f"<= {GOAL}x" if goal else "(reported)",
                    (ratio <= GOAL and whole["status"] != "blocked") if goal else None,
                    f"{units:,} units ({distinct:,} with distinct rows; "
                    f"{whole['inferred']:,} inferred) x 36 horizons x {draws} "
                    f"draws; run {whole[key]:.3f} s ({whole['status']}, "
                    f"{whole['forecast']:,} units forecast), raw {raw:.3f} s; best "
                    f"of {REPEATS} (runs {run_times}; raw {raw_times})",
                )
            )
        peak = max(item["peak"] for item in runs + rowwise)
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
