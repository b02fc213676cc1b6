"""Run the benchmarks: ``python -m benchmarks [name ...]``."""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

from benchmarks import Result

# Each name is a module in benchmarks/ with a run() -> list[Result].
MODULES: tuple[str, ...] = (
    "ingest",
    "desktop",
    "hdi",
    "forecast",
    "gate",
    "build",
    "panel",
)

RESULTS_FILE = Path("bench-results") / "results.md"


def _table(results: list[Result]) -> str:
    lines = [
        "| benchmark | figure | value | goal | met | detail |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for result in results:
        met = {True: "yes", False: "NO", None: "(reported)"}[result.met]
        lines.append(
            f"| {result.benchmark} | {result.figure} "
            f"| {result.value:.3g} {result.unit} "
            f"| {result.goal} | {met} | {result.detail} |"
        )
    return "\n".join(lines)


def main(names: list[str]) -> int:
    chosen = names or list(MODULES)
    results: list[Result] = []
    for name in chosen:
        module = importlib.import_module(f"benchmarks.{name}")
        started = time.perf_counter()
        print(f"running {name} ...", file=sys.stderr, flush=True)
        results.extend(module.run())
        print(f"  {name}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    table = _table(results)
    print(table)
    RESULTS_FILE.parent.mkdir(exist_ok=True)
    RESULTS_FILE.write_text(
        f"# fieldcast benchmarks, {time.strftime('%Y-%m-%d %H:%M')}\n\n{table}\n"
    )
    print(f"\nwritten to {RESULTS_FILE}", file=sys.stderr)
    return 0 if all(result.met is not False for result in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
