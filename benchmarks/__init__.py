"""fieldcast's benchmarks: figures measured as ratios against a same-run reference.

Each benchmark module defines ``run() -> list[Result]``; ``python -m benchmarks``
runs them all (or those named on the command line), prints one table and writes it to
``bench-results/results.md``. Benchmarks are never tests: the machines are shared and
noisy, so a goal is judged on a ratio, not on seconds.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    """One measured figure with its goal."""

    benchmark: str
    figure: str
    value: float
    unit: str
    goal: str
    met: bool | None
    detail: str = ""
