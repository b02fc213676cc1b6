"""Workspaces for the main window's tests and benchmark, written straight through SQL.

``window_workspace`` makes what the window shows on a normal morning: units with a
history, an active bundle, two finished runs (so alerts can compare), one unit the
gate blocked (with a forecast row planted in the table on purpose, to prove the
window never shows a blocked unit's numbers), one unit with a warning, drift
measures and an override. ``grid_workspace`` makes the grid-month workload (13,110
units, 36 horizons) quickly, for the start-up benchmark.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
from gate_support import make_spec

import engine.summaries
from engine.months import format_month, month_index
from engine.spec import DriftLimits
from engine.workspace import Workspace, timestamp, utc_now

TARGET = "ged_sb"
SOURCE = "ucdp"
HORIZONS = tuple(range(1, 37))
ORIGIN = month_index(2024, 6)
BUNDLE_ID = "cm-fatalities-r3"
# A forecast value no real run would give: the tests search the window for it.
PLANTED = 777.25
BLOCK_MESSAGE = (
    "Fatality data for Atlantis ends in January 2024; this model needs data no older "
    "than two months before the forecast month. Import the latest data package."
)


def _manifest(valid_until: str) -> dict:
    return {
        "id": BUNDLE_ID,
        "model_line": "cm-fatalities",
        "release": 3,
        "valid_until": valid_until,
        "model_card": {"name": "Country fatalities (test)"},
        # A readable input spec, so the window's start-up self-test of the gate
        # runs on it (and passes).
        "input_spec": make_spec(
            drift=DriftLimits(psi_warning=0.1, psi_block=0.25)
        ).to_dict(),
    }


def _base(folder: Path, names: list[str], history: int, seed: int) -> Workspace:
    rng = np.random.default_rng(seed)
    workspace = Workspace.open(folder)
    now = utc_now()
    valid_until = (now + dt.timedelta(days=20)).date().isoformat()
    with workspace.atomic():
        db = workspace.db
        db.execute("INSERT INTO sources VALUES (?, 1, 'UCDP GED (test)')", (SOURCE,))
        db.execute(
            "INSERT INTO variables VALUES (?, 'stochastic', 'deaths', 1, '')", (TARGET,)
        )
        first = ORIGIN - history + 1
        batch = db.execute(
            "INSERT INTO batches (source, file_name, sha256, rows_read, rows_accepted, "
            "created_at, person, status, vintage, first_month, last_month) "
            "VALUES (?, 'ged_2024_06.csv', ?, 0, 0, ?, 'test', 'accepted', 1, ?, ?)",
            (SOURCE, "a" * 64, timestamp(now - dt.timedelta(days=40)), first, ORIGIN),
        ).lastrowid
        db.conn.executemany(
            "INSERT INTO units (name, kind) VALUES (?, 'country')",
            [(n,) for n in names],
        )
        ids = workspace.unit_ids()
        values = np.floor(rng.pareto(1.5, (len(names), history)) * 4)
        values[rng.random((len(names), history)) < 0.6] = 0
        db.conn.executemany(
            "INSERT INTO observations (unit_id, month, variable, value, batch_id) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                (ids[name], first + m, TARGET, float(values[i, m]), batch)
                for i, name in enumerate(names)
                for m in range(history)
            ),
        )
        db.conn.executemany(
            "INSERT INTO coverage VALUES (?, ?, ?, ?, ?)",
            ((ids[name], TARGET, SOURCE, first, ORIGIN) for name in names),
        )
        db.execute(
            "INSERT INTO bundles VALUES "
            "(?, 'cm-fatalities', 3, ?, 'bundles/x', ?, ?, ?, "
            "?, 'test', ?)",
            (
                BUNDLE_ID,
                "c" * 64,
                timestamp(now - dt.timedelta(days=100)),
                (now - dt.timedelta(days=100)).date().isoformat(),
                valid_until,
                timestamp(now - dt.timedelta(days=50)),
                json.dumps(_manifest(valid_until)),
            ),
        )
        db.execute(
            "INSERT INTO activations (bundle_id, at, person, action) "
            "VALUES (?, ?, 'test', 'activate')",
            (BUNDLE_ID, timestamp(now - dt.timedelta(days=50))),
        )
        workspace.set_meta("device_name", "field-laptop-07")
    return workspace


def _store_run(
    workspace: Workspace,
    points: np.ndarray,
    *,
    ids: np.ndarray,
    blocked: dict[int, str] | None = None,
    plant: bool = False,
    status: str = "passed",
) -> int:
    """One finished run; ``points`` is ``[units, horizons]`` in the order of ``ids``."""
    blocked = blocked or {}
    db = workspace.db
    run_id = int(
        db.execute(
            "INSERT INTO forecast_runs (bundle_id, bundle_digest, origin, "
            "input_digest, "
            "code_version, parameters, horizons, started_at, finished_at, person, "
            "status, units_total, units_blocked, data_through) "
            "VALUES (?, ?, ?, ?, '0.1.0', '{}', ?, ?, ?, 'Amina Diallo', ?, ?, ?, ?)",
            (
                BUNDLE_ID,
                "c" * 64,
                ORIGIN,
                "d" * 64,
                json.dumps(list(HORIZONS)),
                timestamp(),
                timestamp(),
                status,
                len(ids),
                len(blocked),
                json.dumps({SOURCE: format_month(ORIGIN)}),
            ),
        ).lastrowid
    )
    points = points.astype("<f4")
    kept, values = [], []
    for row, unit_id in enumerate(ids.tolist()):
        if unit_id in blocked and not plant:
            continue
        p = points[row]
        if unit_id in blocked:
            p = np.full(len(HORIZONS), PLANTED, dtype="<f4")
        kept.append(unit_id)
        values.append(p)
    p = np.array(values, dtype="<f4").reshape(len(kept), len(HORIZONS))
    engine.summaries.write(
        db.conn,
        run_id,
        np.array(kept, dtype=np.int64),
        {
            "point": p,
            "hdi50_low": p * 0.6,
            "hdi50_high": p * 1.6,
            "hdi90_low": p * 0.2,
            "hdi90_high": p * 3.0 + 1,
            "p_any": np.clip(p / (p + 3.0), 0, 1),
        },
    )
    for unit_id, message in blocked.items():
        db.execute(
            "INSERT INTO gate_reasons "
            "(run_id, unit_id, code, severity, source, message) "
            "VALUES (?, ?, 'stale_data', 'block', ?, ?)",
            (run_id, unit_id, SOURCE, message),
        )
    return run_id


def window_workspace(folder: Path) -> Workspace:
    """A small workspace the window can show in full (see the module docstring)."""
    names = [
        "Atlantis", "Borduria", "Carpania", "Elbonia", "Freedonia",
        "Genovia", "Latveria", "Molvania", "Syldavia", "Zubrowka",
    ]  # fmt: skip
    workspace = _base(folder, names, history=72, seed=5)
    ids = np.array(sorted(workspace.unit_ids().values()), dtype=np.int64)
    by_name = workspace.unit_ids()
    rng = np.random.default_rng(9)
    base = rng.gamma(0.8, 12.0, len(ids))
    growth = np.linspace(1.0, 1.8, len(HORIZONS))
    with workspace.atomic():
        older = _store_run(workspace, np.outer(base * 0.3, growth), ids=ids)
        latest = _store_run(
            workspace,
            np.outer(base, growth),
            ids=ids,
            blocked={by_name["Atlantis"]: BLOCK_MESSAGE},
            plant=True,
            status="warned",
        )
        workspace.db.execute(
            "INSERT INTO gate_reasons (run_id, unit_id, code, severity, feature, "
            "message) VALUES (?, ?, 'drift_warning', 'warning', 'ged_sb_lag1', ?)",
            (
                latest,
                by_name["Borduria"],
                "Recent fatalities in Borduria are unlike the training data; read this "
                "forecast with care.",
            ),
        )
        for run, shift in ((older, 0.02), (latest, 0.12)):
            for index, feature in enumerate(("ged_sb_lag1", "ged_sb_sum12", "month")):
                workspace.db.execute(
                    "INSERT INTO drift_measures VALUES (?, ?, ?, 0.05, 0.1, 'ok')",
                    (run, feature, shift * (index + 1)),
                )
        workspace.db.execute(
            "INSERT INTO overrides (run_id, unit_id, horizon, original, value, "
            "reason_category, justification, person, role, created_at, provenance) "
            "VALUES (?, ?, 3, ?, 40.0, 'local_knowledge', ?, 'Amina Diallo', "
            "'supervisor', ?, '{}')",
            (
                latest,
                by_name["Carpania"],
                json.dumps({"blocked": False, "point": 10.0}),
                "Clashes reported by partners in the north since last week.",
                timestamp(),
            ),
        )
    return workspace


def grid_workspace(folder: Path, units: int = 13_110, history: int = 24) -> Workspace:
    """The grid-month workload: ``units`` cells with one stored 36-horizon run."""
    names = [f"PG {index:06d}" for index in range(units)]
    workspace = _base(folder, names, history=history, seed=3)
    ids = np.array(sorted(workspace.unit_ids().values()), dtype=np.int64)
    rng = np.random.default_rng(4)
    points = np.outer(rng.gamma(0.3, 5.0, units), np.linspace(1, 1.5, len(HORIZONS)))
    blocked = {int(unit_id): BLOCK_MESSAGE for unit_id in ids[:: max(1, units // 40)]}
    with workspace.atomic():
        _store_run(workspace, points * 0.8, ids=ids)
        _store_run(workspace, points, ids=ids, blocked=blocked, status="warned")
    return workspace
