"""The demo: a seeded SYNTHETIC workspace with the shape of real conflict data.

The generator makes a grid of units grouped into regions, monthly from January 1990 to
a given month, where most unit-months are zero, episodes of violence start more easily
next to active neighbours, persist for months, and bring heavy-tailed counts. A few
units' data end some months early, so the gate has stale units to block. Nothing in
it is a real event: the source, its description, the units and the regions all say
so.

``run_demo`` is a sequence of small steps (``DEMO_STEPS``) over one ``DemoContext``;
later work appends steps (a bundle build, forecasts, the window) to the same list.
The data reach the workspace through the normal ingest path, as a CSV and a mapping
written into the workspace folder.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from engine.errors import WorkspaceError
from engine.ingest import IngestReport, ingest_file
from engine.mapping import load_mapping
from engine.months import format_month, month_index, of_date
from engine.workspace import Workspace, utc_now

log = logging.getLogger(__name__)

DEMO_SOURCE = "synthetic-demo"
DEMO_VARIABLE = "sb_fatalities"
DEMO_SEED = 20_240_601
DEMO_FOLDER = "demo-data"
FIRST_MONTH = month_index(1990, 1)
GRID_ROWS, GRID_COLUMNS = 16, 15  # 240 units
REGION_BLOCKS = (2, 3)  # the grid cut into 2 x 3 regions
STALE_UNITS = 5
STALE_MONTHS = (3, 6)  # data of a stale unit end this many months early (inclusive)

DESCRIPTION = (
    "SYNTHETIC demo data from fieldcast's seeded generator: not real events, "
    "places or people. For trying fieldcast out only."
)


@dataclass(frozen=True)
class DemoUnit:
    name: str
    code: str
    region: str
    row: int
    column: int


@dataclass
class DemoData:
    """Generated counts ``[units, months]`` and, per unit, the last month it reports."""

    units: list[DemoUnit]
    first_month: int
    counts: np.ndarray
    last_month: np.ndarray
    neighbours: list[tuple[int, int]]  # pairs of positions in ``units``

    @property
    def months(self) -> int:
        return int(self.counts.shape[1])


def demo_units() -> list[DemoUnit]:
    """The grid's units, named so nobody mistakes them for real places."""
    block_rows = GRID_ROWS // REGION_BLOCKS[0]
    block_columns = GRID_COLUMNS // REGION_BLOCKS[1]
    units = []
    for row in range(GRID_ROWS):
        for column in range(GRID_COLUMNS):
            letter = chr(ord("A") + row)
            region = (
                (row // block_rows) * REGION_BLOCKS[1] + column // block_columns + 1
            )
            units.append(
                DemoUnit(
                    name=f"Synthetic {letter}{column + 1:02d}",
                    code=f"SY{letter}{column + 1:02d}",
                    region=f"Synthetic region {region}",
                    row=row,
                    column=column,
                )
            )
    return units


def grid_neighbours(units: Sequence[DemoUnit]) -> list[tuple[int, int]]:
    """Pairs of units that share an edge on the grid, both directions."""
    where = {(unit.row, unit.column): number for number, unit in enumerate(units)}
    pairs = []
    for number, unit in enumerate(units):
        for step_row, step_column in ((-1, 0), (1, 0), (0, -1), (0, 1)):
            other = where.get((unit.row + step_row, unit.column + step_column))
            if other is not None:
                pairs.append((number, other))
    return pairs


def generate(end_month: int, seed: int = DEMO_SEED) -> DemoData:
    """Synthetic monthly counts from January 1990 to ``end_month``.

    Each unit has a lasting propensity for violence (most units low, a few high), an
    episode state that starts with a probability raised by active neighbours and by
    its own recent past and then persists month to month, and a log intensity that
    drifts while an episode lasts. Counts are negative binomial around that intensity,
    so episodes hold zeros too and the tail is heavy. Months are drawn one after the
    other from one stream, so a later end month extends the same history.
    """
    units = demo_units()
    pairs = grid_neighbours(units)
    count = len(units)
    months = end_month - FIRST_MONTH + 1
    if months < 1:
        raise ValueError("the demo's end month must be January 1990 or later")

    adjacency = np.zeros((count, count))
    for first, second in pairs:
        adjacency[first, second] = 1.0
    degree = adjacency.sum(axis=1)

    rng = np.random.default_rng(seed)
    propensity = rng.normal(-7.0, 1.3, count)
    persistence = rng.beta(22.0, 2.0, count)
    level = rng.normal(2.3, 1.1, count)
    dispersion = 0.6

    counts = np.zeros((count, months), dtype=np.int64)
    active = np.zeros(count, dtype=bool)
    intensity = level.copy()
    memory = np.zeros(count)
    for month in range(months):
        near = adjacency @ active / degree
        onset = 1.0 / (1.0 + np.exp(-(propensity + 5.0 * near + 1.5 * memory)))
        draws = rng.random(count)
        active = np.where(active, draws < persistence, draws < onset)
        noise = rng.normal(0.0, 0.45, count)
        intensity = np.where(
            active, 0.85 * intensity + 0.15 * level + noise + 0.3 * near, level
        )
        mean = np.where(active, np.exp(intensity), 0.01)
        rate = rng.gamma(dispersion, mean / dispersion)
        counts[:, month] = rng.poisson(rate)
        memory = 0.9 * memory + 0.1 * active

    # A few units stop reporting early (drawn from their own stream, so the choice
    # does not depend on the end month).
    stale_rng = np.random.default_rng(seed + 1)
    last_month = np.full(count, end_month, dtype=np.int64)
    stale = stale_rng.choice(count, size=STALE_UNITS, replace=False)
    last_month[stale] -= stale_rng.integers(
        STALE_MONTHS[0], STALE_MONTHS[1] + 1, STALE_UNITS
    )
    return DemoData(units, FIRST_MONTH, counts, last_month, pairs)


def write_csv(data: DemoData, path: Path) -> int:
    """Write the data as the demo's CSV (one row per unit and month); rows written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    written = 0
    with temporary.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["unit", "code", "region", "month", "fatalities"])
        labels = [format_month(data.first_month + m) for m in range(data.months)]
        for number, unit in enumerate(data.units):
            last = int(data.last_month[number]) - data.first_month
            for month in range(last + 1):
                value = int(data.counts[number, month])
                writer.writerow(
                    [unit.name, unit.code, unit.region, labels[month], value]
                )
            written += last + 1
    temporary.replace(path)
    return written


MAPPING = f"""# Column mapping of the SYNTHETIC demo data, written by `fieldcast demo`.
[source]
name = "{DEMO_SOURCE}"
cadence_months = 1
description = "{DESCRIPTION}"

[unit]
column = "unit"
code_column = "code"
group_column = "region"
kind = "synthetic"
create_unknown = true

[month]
column = "month"

[[variables]]
name = "{DEMO_VARIABLE}"
column = "fatalities"
tag = "stochastic"
measure = "deaths"
is_count = true
description = "SYNTHETIC fatalities from the demo generator (not real events)."
"""


# The demo's steps ---------------------------------------------------------------


@dataclass
class DemoContext:
    """What the demo's steps share; a step reads and adds to it."""

    folder: Path
    end_month: int
    seed: int
    person: str
    workspace: Workspace | None = None
    data: DemoData | None = None
    csv_path: Path | None = None
    mapping_path: Path | None = None
    ingest: IngestReport | None = None
    messages: list[str] = field(default_factory=list)
    # What later steps (engine.build.demo) hand to each other.
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def open_workspace(self) -> Workspace:
        if self.workspace is None:
            raise WorkspaceError("the demo workspace is not open yet")
        return self.workspace


def prepare_workspace(context: DemoContext) -> str:
    """Open or create the workspace; refuse one that holds real data."""
    workspace = Workspace.open(context.folder)
    context.workspace = workspace
    others = [
        row["name"]
        for row in workspace.query(
            "SELECT name FROM sources WHERE name != ?", (DEMO_SOURCE,)
        )
    ]
    if others:
        raise WorkspaceError(
            f"{context.folder} holds data from {', '.join(others)}; the demo would mix "
            "synthetic data into it. Run the demo with --workspace pointing to another "
            "folder (by default it uses its own demo folder)."
        )
    workspace.set_meta("demo", "synthetic")
    return f"workspace {context.folder}"


def generate_data(context: DemoContext) -> str:
    """Generate the synthetic data and write its CSV and mapping into the workspace."""
    data = generate(context.end_month, context.seed)
    folder = context.folder / DEMO_FOLDER
    context.csv_path = folder / "synthetic_demo.csv"
    context.mapping_path = folder / "synthetic_demo.toml"
    rows = write_csv(data, context.csv_path)
    temporary = context.mapping_path.with_suffix(".tmp")
    temporary.write_text(MAPPING, encoding="utf-8")
    temporary.replace(context.mapping_path)
    context.data = data
    zeros = float((data.counts == 0).mean())
    return (
        f"generated {rows:,} SYNTHETIC rows: {len(data.units)} units, "
        f"{format_month(data.first_month)} to {format_month(context.end_month)}, "
        f"{zeros:.0%} zeros"
    )


def ingest_data(context: DemoContext) -> str:
    """Take the CSV in through the normal ingest path."""
    if context.csv_path is None or context.mapping_path is None:
        raise WorkspaceError("the demo data were not generated")
    mapping = load_mapping(context.mapping_path, DEMO_SOURCE)
    report = ingest_file(
        context.open_workspace,
        context.csv_path,
        DEMO_SOURCE,
        mapping,
        person=context.person,
    )
    context.ingest = report
    return report.describe()[0]


def link_neighbours(context: DemoContext) -> str:
    """Record which units share an edge on the grid (features use neighbours)."""
    workspace = context.open_workspace
    if context.data is None:
        raise WorkspaceError("the demo data were not generated")
    ids = workspace.unit_ids()
    pairs = [
        (ids[context.data.units[first].name], ids[context.data.units[second].name])
        for first, second in context.data.neighbours
    ]
    with workspace.atomic():
        workspace.db.conn.executemany(
            "INSERT OR IGNORE INTO unit_neighbours (unit_id, neighbour_id) "
            "VALUES (?, ?)",
            pairs,
        )
    return f"{len(pairs):,} neighbour links"


DemoStep = Callable[[DemoContext], str]
DEMO_STEPS: list[tuple[str, DemoStep]] = [
    ("prepare", prepare_workspace),
    ("generate", generate_data),
    ("ingest", ingest_data),
    ("neighbours", link_neighbours),
]


def default_end_month() -> int:
    """The month before the current one (the newest a monthly source could hold)."""
    return of_date(utc_now()) - 1


def run_demo(
    folder: Path,
    *,
    end_month: int | None = None,
    seed: int = DEMO_SEED,
    person: str = "demo",
    steps: Sequence[tuple[str, DemoStep]] | None = None,
    progress: Callable[[str, str], None] | None = None,
) -> DemoContext:
    """Create or refresh the demo workspace in ``folder`` step by step.

    A refresh regenerates the data; an identical file changes nothing, and a later
    end month comes in as a new vintage of the synthetic source.
    """
    context = DemoContext(
        folder=Path(folder),
        end_month=default_end_month() if end_month is None else end_month,
        seed=seed,
        person=person,
    )
    try:
        for name, step in steps or DEMO_STEPS:
            message = step(context)
            context.messages.append(f"{name}: {message}")
            log.info("demo step %s: %s", name, message)
            if progress is not None:
                progress(name, message)
    finally:
        if context.workspace is not None:
            context.workspace.close()
            context.workspace = None
    return context
