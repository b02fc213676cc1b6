"""Workspaces and configurations for the build tests.

``demo_shaped_workspace`` fills a workspace through SQL with seeded synthetic counts of
the demo's shape (many zeros, heavy tails, episodes that persist and spread to
neighbours), small enough for fast builds; ``ucdp_workspace`` ingests the real UCDP
file; ``config_from`` reads an example BUNDLE.toml with overrides for speed.
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

import numpy as np

from engine.build.config import BuildConfig, parse_config
from engine.months import month_index
from engine.resources import resources_folder
from engine.workspace import Workspace

DEMO_CONFIG = resources_folder() / "bundles" / "demo.toml"
CM_CONFIG = resources_folder() / "bundles" / "cm.toml"
DEMO_SOURCE = "synthetic-demo"
TARGET = "sb_fatalities"
REGIONS = ("North", "South", "East", "West")


def synthetic_counts(units: int, months: int, seed: int) -> np.ndarray:
    """Counts with persistent episodes that spread along a ring of neighbours."""
    rng = np.random.default_rng(seed)
    intensity = np.zeros(units)
    active = np.zeros(units, dtype=bool)
    counts = np.zeros((units, months))
    for month in range(months):
        spread = np.roll(active, 1) | np.roll(active, -1)
        onset = rng.random(units) < np.where(spread, 0.04, 0.006)
        end = rng.random(units) < 0.06
        active = (active & ~end) | onset
        intensity = np.where(
            active, 0.85 * intensity + 0.15 * rng.normal(3.0, 1.2, units), 0.0
        )
        rate = np.where(active, np.exp(intensity), 0.02)
        counts[:, month] = rng.negative_binomial(1.0, 1.0 / (1.0 + rate))
    return counts


def demo_shaped_workspace(
    folder: Path,
    units: int = 30,
    months: int = 110,
    last_month: int = month_index(2024, 6),
    seed: int = 11,
) -> Workspace:
    """A workspace holding ``sb_fatalities`` from ``synthetic-demo`` for ring units."""
    workspace = Workspace.open(folder)
    counts = synthetic_counts(units, months, seed)
    first = last_month - months + 1
    with workspace.atomic():
        db = workspace.db
        db.execute(
            "INSERT INTO sources (name, cadence_months, description) VALUES (?, 1, ?)",
            (DEMO_SOURCE, "synthetic test data"),
        )
        db.execute(
            "INSERT INTO variables (name, tag, measure, is_count) "
            "VALUES (?, 'stochastic', 'deaths', 1)",
            (TARGET,),
        )
        db.execute(
            "INSERT INTO batches (id, source, file_name, sha256, rows_read, "
            "rows_accepted, created_at, person, status, vintage, first_month, "
            "last_month) VALUES (1, ?, 'synthetic.csv', ?, ?, ?, "
            "'2024-07-01T00:00:00+00:00', 'test', 'accepted', 1, ?, ?)",
            (DEMO_SOURCE, "0" * 64, counts.size, counts.size, first, last_month),
        )
        for unit in range(units):
            db.execute(
                "INSERT INTO units (id, name, unit_group) VALUES (?, ?, ?)",
                (unit + 1, f"Unit {unit:02d}", REGIONS[unit % len(REGIONS)]),
            )
        for unit in range(units):
            for neighbour in ((unit - 1) % units, (unit + 1) % units):
                db.execute(
                    "INSERT INTO unit_neighbours VALUES (?, ?)",
                    (unit + 1, neighbour + 1),
                )
        db.conn.executemany(
            "INSERT INTO observations (unit_id, month, variable, value, batch_id) "
            "VALUES (?, ?, ?, ?, 1)",
            [
                (unit + 1, first + month, TARGET, float(counts[unit, month]))
                for unit in range(units)
                for month in range(months)
            ],
        )
        db.conn.executemany(
            "INSERT INTO coverage VALUES (?, ?, ?, ?, ?)",
            [
                (unit + 1, TARGET, DEMO_SOURCE, first, last_month)
                for unit in range(units)
            ],
        )
    return workspace


def ucdp_workspace(folder: Path, ucdp_file: Path) -> Workspace:
    """A workspace holding the real UCDP file, through the real ingest."""
    from engine.ingest import ingest_file

    workspace = Workspace.open(folder)
    ingest_file(workspace, ucdp_file, "ucdp_ged_cm", person="test")
    return workspace


def raw_config(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def config_from(path: Path, **tables: dict[str, Any]) -> BuildConfig:
    """An example configuration with some tables' keys replaced."""
    data = copy.deepcopy(raw_config(path))
    for table, values in tables.items():
        data.setdefault(table, {}).update(values)
    return parse_config(data, str(path))


def fast_demo_config(**tables: dict[str, Any]) -> BuildConfig:
    """The demo configuration, shrunk to build in a second or two."""
    settings: dict[str, dict[str, Any]] = {
        "model": {"draws": 100, "horizons": [1, 2, 3, 6]},
        "ensemble": {"trees": 10, "max_leaf_nodes": 32, "min_samples_leaf": 10},
        "holdout": {"months": 12, "calibration_months": 12, "origin_step": 1},
        "training": {"origin_step": 1},
    }
    for table, values in tables.items():
        settings.setdefault(table, {}).update(values)
    return config_from(DEMO_CONFIG, **settings)
