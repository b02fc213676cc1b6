"""The gate over the grid-month workload against raw inference of a bundle-shaped graph.

13,110 units x 36 horizons (471,960 rows) and 15 features (12 stochastic unit-level
features, horizon and two calendar features), with a handful of stale, missing and
out-of-range units so the per-unit reasons are exercised. Raw inference is onnxruntime
on the same preloaded matrix through ``benchmarks.graphs.leaf_table_graph`` shaped as
the forecast benchmark's grid-month bundle (32 trees of at most 512 leaves grown on
the matrix's rows, 8 draws a leaf: 256 draws), with the session options the forecast
run uses. Each figure is the best of five repeats, the two interleaved in this run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from benchmarks import Result
from benchmarks.graphs import leaf_table_graph
from engine import gate
from engine.drift import reference_from_values
from engine.runner import new_session
from engine.spec import FeatureSpec, InputSpec, SourceSpec
from tests.gate_support import ORIGIN, make_manifest

UNITS = 13_110
HORIZONS = tuple(range(1, 37))
STOCHASTIC = 12
REPEATS = 5
GOAL = 0.10


def _spec_and_matrix() -> tuple[InputSpec, np.ndarray, tuple[str, ...]]:
    rng = np.random.default_rng(11)
    units = tuple(f"cell {i:05d}" for i in range(UNITS))
    per_unit = np.log1p(
        np.where(
            rng.random((UNITS, STOCHASTIC)) < 0.7,
            0.0,
            rng.pareto(1.3, (UNITS, STOCHASTIC)) * 5,
        )
    )
    horizons = np.asarray(HORIZONS, dtype=np.float64)
    angle = 2 * np.pi * ((ORIGIN + horizons) % 12) / 12
    per_row = np.stack([horizons, np.sin(angle), np.cos(angle)], axis=1)

    rows = UNITS * len(HORIZONS)
    matrix = np.empty((rows, STOCHASTIC + 3), dtype=np.float32)
    matrix[:, :STOCHASTIC] = np.repeat(per_unit, len(HORIZONS), axis=0)
    matrix[:, STOCHASTIC:] = np.tile(per_row, (UNITS, 1))

    features = []
    for column in range(STOCHASTIC + 3):
        stochastic = column < STOCHASTIC
        sample = per_unit[:, column] if stochastic else per_row[:, column - STOCHASTIC]
        features.append(
            FeatureSpec(
                name=f"feature_{column}",
                description="benchmark feature",
                dtype="float32",
                tag="stochastic" if stochastic else "deterministic",
                variables=("ged_sb",) if stochastic else (),
                sources=("ucdp",) if stochastic else (),
                minimum=0.0 if stochastic else -1.0,
                maximum=None,
                max_missing_share=0.0 if column % 2 else 0.05,
                reference=reference_from_values(
                    np.tile(sample, 4) if stochastic else np.tile(sample, 100)
                ),
            )
        )
    spec = InputSpec(
        features=tuple(features),
        sources=(SourceSpec("ucdp", 2),),
        units=units,
        target_variable="ged_sb",
        lookback_months=36,
    )
    # A few units with problems: missing, out of range.
    for row in range(0, 200, 7):
        matrix[row * 36 : (row + 1) * 36, 1] = np.nan
    for row in range(3, 200, 11):
        matrix[row * 36 : (row + 1) * 36, 2] = -1.0
    return spec, matrix, units


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _best(action: Callable[[], object]) -> float:
    return min(_timed(action) for _ in range(REPEATS))


def run() -> list[Result]:
    spec, matrix, units = _spec_and_matrix()
    last = dict.fromkeys(units, ORIGIN)
    for unit in units[::500]:
        last[unit] = ORIGIN - 5  # stale
    inputs = gate.GateInputs(
        manifest=replace(make_manifest(spec), valid_until="2099-01-01"),
        origin=ORIGIN,
        units=units,
        features=matrix,
        horizons=HORIZONS,
        known_units=frozenset(units),
        last_months={"ucdp": last},
        now=gate._SELF_TEST_NOW,
        time_floor=None,
        bundle_status=gate.BundleStatus(None, True, 3),
    )

    gate.forget_self_tests()
    started = time.perf_counter()
    decision = gate.check(inputs)  # the first check runs the self-test as well
    first = time.perf_counter() - started
    self_test = _best(lambda: gate.self_test(spec))

    rng = np.random.default_rng(5)
    grown_on = matrix[rng.integers(0, len(matrix), 20_000)]
    graph = leaf_table_graph(
        matrix.shape[1], trees=32, samples=8, leaves=512, sample_rows=grown_on
    )
    session = new_session(graph)
    session.run(["draws"], {"features": matrix[:1000]})  # warm up
    # Interleaved, so a busy moment of the machine weighs on both alike.
    gate_times, raw_times = [], []
    for _ in range(REPEATS):
        gate_times.append(_timed(lambda: gate.check(inputs)))
        raw_times.append(_timed(lambda: session.run(["draws"], {"features": matrix})))
    warm, raw = min(gate_times), min(raw_times)

    blocked = sum(decision.unit_blocked(unit) for unit in units)
    ratio = warm / raw
    return [
        Result(
            "gate",
            "grid-month: gate time / raw inference time",
            ratio,
            "x",
            f"<= {GOAL:.2f}x",
            ratio <= GOAL,
            f"{UNITS:,} units x 36 horizons x {matrix.shape[1]} features; gate "
            f"{warm * 1000:.0f} ms ({blocked} units blocked, "
            f"{decision.verdict.value}), raw inference {raw:.2f} s (256 draws)",
        ),
        Result(
            "gate",
            "grid-month: first gate check with self-test / raw inference",
            first / raw,
            "x",
            "(reported)",
            None,
            f"first check {first * 1000:.0f} ms; self-test alone "
            f"{self_test * 1000:.0f} ms",
        ),
    ]
