"""Stored forecast summaries: every unit's numbers of one run, packed in one row.

A run's summaries are arrays ``[units, horizons]`` (point, nested HDIs, chance of any
fatality). They are stored as they are made: one ``forecast_sets`` row per run holding
the unit ids (ascending little-endian int64) and each summary as little-endian float32
in the same row order. Writing a grid-month run is then one insert of about 11 MB
instead of 13,110 rows, and one unit's numbers are read by binary search over the ids
and a slice of each column (SQLite's incremental blob reads), without loading the rest.

A unit blocked by the gate has no row here: only its reasons, in ``gate_reasons``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from engine.errors import ForecastError
from engine.runs import SUMMARY_FIELDS

TABLE = "forecast_sets"

_DAMAGED = (
    "The stored forecasts of run {run} do not match its horizons or units; the "
    "workspace may be damaged. Run the forecast again."
)


@dataclass(frozen=True)
class Summaries:
    """One run's stored numbers: ``unit_ids`` ascending, arrays in the same rows."""

    unit_ids: np.ndarray
    arrays: Mapping[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.unit_ids)


def write(
    connection: sqlite3.Connection,
    run_id: int,
    unit_ids: np.ndarray,
    arrays: Mapping[str, np.ndarray],
) -> None:
    """Store a run's summaries (rows in any order; sorted by unit id here)."""
    ids = np.asarray(unit_ids, dtype=np.int64)
    # A run's units usually come in id order already: then nothing is copied.
    ordered = bool((np.diff(ids) > 0).all())
    order = None if ordered else np.argsort(ids, kind="stable")
    if order is not None and (np.diff(ids[order]) == 0).any():
        raise ValueError("a unit appears twice in a run's summaries")
    columns = []
    for name in SUMMARY_FIELDS:
        values = np.asarray(arrays[name])
        if values.ndim != 2 or len(values) != len(ids):
            raise ValueError(f"summary {name} needs one row per unit")
        picked = values if order is None else values[order]
        columns.append(np.ascontiguousarray(picked, dtype="<f4"))
    horizons = columns[0].shape[1]
    if any(column.shape[1] != horizons for column in columns):
        raise ValueError("every summary needs the same horizons")
    sorted_ids = ids if order is None else ids[order]
    connection.execute(
        f"INSERT INTO {TABLE} (run_id, units, horizons, unit_ids, "
        f"{', '.join(SUMMARY_FIELDS)}) VALUES ({', '.join('?' * 10)})",
        (
            run_id,
            len(ids),
            horizons,
            np.ascontiguousarray(sorted_ids, dtype="<i8").data,
            # Bound straight from the arrays' memory: no copy into bytes first.
            *(column.data for column in columns),
        ),
    )


def read(connection: sqlite3.Connection, run_id: int, horizons: int) -> Summaries:
    """A run's summaries; empty arrays when it stored none (blocked or failed)."""
    row = connection.execute(
        f"SELECT units, horizons, unit_ids, {', '.join(SUMMARY_FIELDS)} "
        f"FROM {TABLE} WHERE run_id = ?",
        (run_id,),
    ).fetchone()
    if row is None:
        return Summaries(
            np.empty(0, dtype=np.int64),
            {
                name: np.empty((0, horizons), dtype=np.float32)
                for name in SUMMARY_FIELDS
            },
        )
    units, stored_horizons, ids, *blobs = row
    if stored_horizons != horizons or len(ids) != 8 * units:
        raise ForecastError(_DAMAGED.format(run=run_id))
    arrays = {}
    for name, blob in zip(SUMMARY_FIELDS, blobs, strict=True):
        if len(blob) != 4 * units * horizons:
            raise ForecastError(_DAMAGED.format(run=run_id))
        values = np.frombuffer(blob, dtype="<f4").astype(np.float32)
        arrays[name] = values.reshape(units, horizons)
    return Summaries(np.frombuffer(ids, dtype="<i8").astype(np.int64), arrays)


def read_unit(
    connection: sqlite3.Connection, run_id: int, unit_id: int, horizons: int
) -> dict[str, np.ndarray] | None:
    """One unit's summaries (float32, one value per horizon), or None if it has none."""
    row = connection.execute(
        f"SELECT units, horizons FROM {TABLE} WHERE run_id = ?", (run_id,)
    ).fetchone()
    if row is None:
        return None
    units, stored_horizons = row
    if stored_horizons != horizons:
        raise ForecastError(_DAMAGED.format(run=run_id))
    try:
        with connection.blobopen(TABLE, "unit_ids", run_id, readonly=True) as blob:
            if len(blob) != 8 * units:
                raise ForecastError(_DAMAGED.format(run=run_id))
            ids = np.frombuffer(blob.read(), dtype="<i8")
        position = int(np.searchsorted(ids, unit_id))
        if position == len(ids) or ids[position] != unit_id:
            return None
        width = 4 * horizons
        result = {}
        for name in SUMMARY_FIELDS:
            with connection.blobopen(TABLE, name, run_id, readonly=True) as blob:
                if len(blob) != width * units:
                    raise ForecastError(_DAMAGED.format(run=run_id))
                blob.seek(position * width)
                result[name] = np.frombuffer(blob.read(width), dtype="<f4").astype(
                    np.float32
                )
    except sqlite3.Error as err:
        raise ForecastError(_DAMAGED.format(run=run_id)) from err
    return result


def count_units(connection: sqlite3.Connection, run_id: int) -> int:
    """How many units a run stored numbers for."""
    row = connection.execute(
        f"SELECT units FROM {TABLE} WHERE run_id = ?", (run_id,)
    ).fetchone()
    return 0 if row is None else int(row[0])


def pack_rows(connection: sqlite3.Connection) -> None:
    """Migration step: move per-unit ``forecasts`` rows into ``forecast_sets``.

    Each run's rows, in unit id order, become one row; the bytes of every summary are
    joined unchanged, so the numbers are exactly those stored before.
    """
    runs = [
        int(run_id)
        for (run_id,) in connection.execute(
            "SELECT DISTINCT run_id FROM forecasts ORDER BY run_id"
        )
    ]
    for run_id in runs:
        rows = connection.execute(
            f"SELECT unit_id, {', '.join(SUMMARY_FIELDS)} FROM forecasts "
            "WHERE run_id = ? ORDER BY unit_id",
            (run_id,),
        ).fetchall()
        widths = {len(blob) for row in rows for blob in row[1:]}
        if len(widths) != 1 or next(iter(widths)) % 4:
            raise ForecastError(_DAMAGED.format(run=run_id))
        horizons = next(iter(widths)) // 4
        arrays = {
            name: np.frombuffer(
                b"".join(row[column] for row in rows), dtype="<f4"
            ).reshape(len(rows), horizons)
            for column, name in enumerate(SUMMARY_FIELDS, start=1)
        }
        write(connection, run_id, np.array([row[0] for row in rows]), arrays)
