"""Ingest of the real UCDP file against plain sqlite3 executemany of the same rows.

The reference inserts the very rows ingest stores (its units and observations, read
back from an ingested workspace beforehand, in the file's order as a plain importer
would take them) into a fresh workspace with ``executemany`` in one transaction. Ingest
is timed end to end: reading, every check, outliers, coverage and the write. Each is
run several times in alternation and the best run of each counts.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from benchmarks import Result
from engine.ingest import ingest_file
from engine.workspace import Workspace

UCDP_FILE = Path(__file__).resolve().parents[2] / "shared" / "data" / "ucdp_ged_cm.csv"
SOURCE = "ucdp_ged_cm"
REPEATS = 5
GOAL = 0.5


def _fresh(folder: Path) -> Workspace:
    shutil.rmtree(folder, ignore_errors=True)
    return Workspace.open(folder)


def _time_ingest(folder: Path) -> float:
    with _fresh(folder) as workspace:
        started = time.perf_counter()
        ingest_file(workspace, UCDP_FILE, SOURCE, person="bench")
        return time.perf_counter() - started


def _time_reference(
    folder: Path, units: list[tuple], observations: list[tuple], batch: tuple
) -> float:
    with _fresh(folder) as workspace:
        connection = workspace.db.conn
        connection.execute(
            "INSERT INTO sources (name, cadence_months) VALUES (?, 1)", (SOURCE,)
        )
        connection.execute(
            "INSERT INTO variables (name, tag, measure, is_count) "
            "VALUES ('sb_fatalities', 'stochastic', 'deaths', 1)"
        )
        connection.execute(
            "INSERT INTO batches (id, source, file_name, sha256, rows_read, "
            "rows_accepted, created_at, person, status, vintage) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'accepted', 1)",
            batch,
        )
        started = time.perf_counter()
        with workspace.atomic():
            connection.executemany(
                "INSERT INTO units (id, name, code, unit_group, kind, "
                "created_by_batch) VALUES (?, ?, ?, ?, ?, ?)",
                units,
            )
            connection.executemany(
                "INSERT INTO observations (unit_id, month, variable, value, "
                "batch_id, outlier) VALUES (?, ?, ?, ?, ?, ?)",
                observations,
            )
        return time.perf_counter() - started


def run() -> list[Result]:
    if not UCDP_FILE.exists():
        return [
            Result(
                "ingest",
                "UCDP ingest vs executemany",
                float("nan"),
                "x",
                f">= {GOAL}x",
                None,
                f"skipped: {UCDP_FILE} is absent (../shared/data)",
            )
        ]
    with tempfile.TemporaryDirectory(prefix="fieldcast-bench-") as temporary:
        root = Path(temporary)

        # The rows to insert, exactly as ingest stores them, in the file's order.
        with _fresh(root / "rows") as workspace:
            ingest_file(workspace, UCDP_FILE, SOURCE, person="bench")
            units = workspace.db.execute(
                "SELECT id, name, code, unit_group, kind, created_by_batch FROM units"
            ).fetchall()
            observations = workspace.db.execute(
                "SELECT unit_id, month, variable, value, batch_id, outlier "
                "FROM observations ORDER BY month, unit_id"
            ).fetchall()
            batch = workspace.db.execute(
                "SELECT id, source, file_name, sha256, rows_read, rows_accepted, "
                "created_at, person FROM batches"
            ).fetchone()
        keyed = sorted(observations, key=lambda row: (row[0], row[2], row[1]))

        ingest_times, reference_times, keyed_times = [], [], []
        for _ in range(REPEATS):
            ingest_times.append(_time_ingest(root / "ingest"))
            reference_times.append(
                _time_reference(root / "ref", units, observations, batch)
            )
            keyed_times.append(_time_reference(root / "keyed", units, keyed, batch))

    rows = len(observations)
    ingest_rate = rows / min(ingest_times)
    reference_rate = rows / min(reference_times)
    keyed_rate = rows / min(keyed_times)
    ratio = ingest_rate / reference_rate
    return [
        Result(
            "ingest",
            "UCDP ingest rows/s vs plain executemany (file order)",
            ratio,
            "x",
            f">= {GOAL}x",
            ratio >= GOAL,
            f"{rows:,} rows; ingest {ingest_rate:,.0f} rows/s, "
            f"executemany {reference_rate:,.0f} rows/s (best of {REPEATS})",
        ),
        Result(
            "ingest",
            "UCDP ingest rows/s vs executemany in key order",
            ingest_rate / keyed_rate,
            "x",
            "(reported)",
            None,
            f"executemany of the rows sorted by primary key: {keyed_rate:,.0f} rows/s",
        ),
    ]
