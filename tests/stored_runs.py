"""Forecast runs and people written straight into a workspace, for tests of readers.

The schema is the contract between the forecast run and its readers (overrides, the
history, the dialogs); writing rows directly keeps those tests free of a model build.
People get a PIN hash computed once per test session, since a real hash takes a third
of a second (the sign-in tests use ``add_person`` itself).
"""

from __future__ import annotations

import functools
import json

import numpy as np

import engine.summaries
from engine.months import parse_month
from engine.people import Person, Role, hash_pin
from engine.workspace import Workspace, timestamp

PIN = "4821"


@functools.cache
def _pin_hash() -> tuple[str, str]:
    return hash_pin(PIN)


def store_person(workspace: Workspace, name: str, role: str) -> Person:
    """A person who signs in with ``PIN``."""
    pin_hash, salt = _pin_hash()
    workspace.db.execute(
        "INSERT INTO people (name, role, pin_hash, salt, iterations, created_at) "
        "VALUES (?, ?, ?, ?, 0, ?)",
        (name, role, pin_hash, salt, timestamp()),
    )
    return Person(name, Role(role))


HORIZONS = (1, 2, 3, 6, 12)


def store_run(
    workspace: Workspace,
    *,
    units: dict[str, float] | None = None,
    blocked: dict[str, str] | None = None,
    run_blocked: str | None = None,
    origin: str = "2024-06",
    bundle_id: str = "cm-fatalities-r3",
) -> int:
    """A finished run: ``units`` maps a unit to its point at horizon 1 (rising after).

    ``blocked`` maps a unit to a block message (no forecast row); ``run_blocked``
    blocks the whole run with one run-level reason.
    """
    units = units if units is not None else {"Mali": 12.0, "Niger": 3.0}
    blocked = blocked or {}
    with workspace.atomic():
        for name in [*units, *blocked]:
            workspace.db.execute(
                "INSERT OR IGNORE INTO units (name, kind) VALUES (?, 'country')",
                (name,),
            )
        ids = workspace.unit_ids()
        status = "blocked" if run_blocked else ("warned" if blocked else "passed")
        cursor = workspace.db.execute(
            "INSERT INTO forecast_runs (bundle_id, bundle_digest, origin, "
            "input_digest, code_version, parameters, horizons, started_at, "
            "finished_at, person, status, units_total, units_blocked) "
            "VALUES (?, ?, ?, ?, ?, '{}', ?, ?, ?, 'Amina Diallo', ?, ?, ?)",
            (
                bundle_id,
                "b" * 64,
                parse_month(origin),
                "d" * 64,
                "0.1.0",
                json.dumps(list(HORIZONS)),
                timestamp(),
                timestamp(),
                status,
                len(units) + len(blocked),
                len(blocked) if not run_blocked else len(units) + len(blocked),
            ),
        )
        run_id = int(cursor.lastrowid)
        if run_blocked:
            workspace.db.execute(
                "INSERT INTO gate_reasons (run_id, unit_id, code, severity, message) "
                "VALUES (?, NULL, 'bundle_expired', 'block', ?)",
                (run_id, run_blocked),
            )
        else:
            steps = np.arange(len(HORIZONS), dtype="<f4")
            points = np.array(
                [point + steps for point in units.values()], dtype="<f4"
            ).reshape(len(units), len(HORIZONS))
            engine.summaries.write(
                workspace.db.conn,
                run_id,
                np.array([ids[name] for name in units], dtype=np.int64),
                {
                    "point": points,
                    "hdi50_low": points * 0.5,
                    "hdi50_high": points * 1.5,
                    "hdi90_low": np.zeros_like(points),
                    "hdi90_high": points * 3,
                    "p_any": np.full_like(points, 0.75),
                },
            )
        for name, message in blocked.items():
            workspace.db.execute(
                "INSERT INTO gate_reasons (run_id, unit_id, code, severity, source, "
                "message) VALUES (?, ?, 'stale_data', 'block', 'ucdp', ?)",
                (run_id, ids[name], message),
            )
    return run_id
