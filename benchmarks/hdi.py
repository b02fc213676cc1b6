"""The HDI step against arviz-stats' ``hdi`` on the same draws, with identical bounds.

Both workloads of ARCHITECTURE.md: country-month (191 x 36 rows, 1,000 draws) and
grid-month (13,110 x 36 rows, 256 draws), with draws shaped like fatality forecasts.
fieldcast's side is the whole summary (median, 50% and 90% HDIs, probability of any
fatality) from one sort; arviz's side is its ``hdi`` at 0.5 and at 0.9.
"""

from __future__ import annotations

import time

import numpy as np
from arviz_stats.base import array_stats

from benchmarks import Result
from engine.intervals import summarise

# name, rows, draws, repeats (arviz takes about 6 s a repeat on grid-month)
WORKLOADS = (
    ("country-month", 191 * 36, 1000, 9),
    ("grid-month", 13_110 * 36, 256, 3),
)
CHUNK = 32_768  # summarised in chunks, as a forecast run does


def _draws(rows: int, count: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    zero = rng.random((rows, count), dtype=np.float32) < rng.uniform(
        0, 0.95, (rows, 1)
    ).astype(np.float32)
    sizes = np.floor(rng.pareto(1.3, (rows, count)).astype(np.float32) * 20)
    return np.where(zero, np.float32(0), sizes).astype(np.float32)


def _ours(draws: np.ndarray) -> tuple[np.ndarray, ...]:
    parts = [summarise(draws[s : s + CHUNK]) for s in range(0, len(draws), CHUNK)]
    return tuple(
        np.concatenate([getattr(p, name) for p in parts])
        for name in ("hdi50_low", "hdi50_high", "hdi90_low", "hdi90_high")
    )


def run() -> list[Result]:
    results = []
    for name, rows, count, repeats in WORKLOADS:
        draws = _draws(rows, count, seed=count)

        # Interleaved repeats, the fastest of each kept (the machine is shared).
        ours = theirs = float("inf")
        for _ in range(repeats):
            started = time.perf_counter()
            low50, high50, low90, high90 = _ours(draws)
            ours = min(ours, time.perf_counter() - started)

            started = time.perf_counter()
            narrow = array_stats.hdi(draws, 0.5, axis=-1)
            wide = array_stats.hdi(draws, 0.9, axis=-1)
            theirs = min(theirs, time.perf_counter() - started)

        # Identical bounds: the 90% always; the 50% wherever arviz's lies inside its
        # 90% (elsewhere fieldcast nests it on purpose).
        nested = (narrow[:, 0] >= wide[:, 0]) & (narrow[:, 1] <= wide[:, 1])
        identical = (
            np.array_equal(low90, wide[:, 0])
            and np.array_equal(high90, wide[:, 1])
            and np.array_equal(low50[nested], narrow[nested, 0])
            and np.array_equal(high50[nested], narrow[nested, 1])
        )
        ratio = theirs / ours
        results.append(
            Result(
                "hdi",
                f"{name}: arviz-stats hdi time / fieldcast summary time",
                ratio,
                "x",
                ">= 5x, identical bounds",
                ratio >= 5 and identical,
                f"{rows:,} rows x {count} draws; fieldcast {ours * 1000:.1f} ms, "
                f"arviz {theirs * 1000:.1f} ms (best of {repeats}, interleaved); "
                f"bounds identical: {identical} ({(~nested).sum()} rows re-nested)",
            )
        )
    return results
