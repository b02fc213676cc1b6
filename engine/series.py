"""Each variable's observations packed into one array per unit, for fast panel reads.

``series`` is derived from ``observations`` and never the record: one row per variable
and unit holding the unit's first month and its values from there on as little-endian
float64, NaN for a month without an observation. Triggers on ``observations`` mark
every (variable, unit) a write touches in ``series_stale``, whoever writes, and reads
rebuild the marked pairs before trusting the cache, so a panel read here always equals
one read from ``observations``. Reading one array per unit costs a few milliseconds
where reading a grid's half a million observations row by row costs a third of a second.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence

import numpy as np

from engine.workspace import Workspace

log = logging.getLogger(__name__)

# Units rebuilt per query: bounds the memory of a rebuild over long histories.
REFRESH_UNITS = 1_000
# Up to this many units are asked for by id; more read the whole variable and filter.
QUERY_UNITS = 500
PACKING = np.dtype("<f8")
# Keys of (unit, month) while rebuilding: unit_id * MONTH_KEYS + month + MONTH_KEYS / 2,
# exact in float64 for any month id within half a million months of 1980.
MONTH_KEYS = 2**20


def refresh_series(workspace: Workspace, variable: str | None = None) -> int:
    """Rebuild the stale series of ``variable`` (of every variable when None).

    Runs in one transaction (a savepoint inside the caller's) and returns how many
    (variable, unit) pairs were rebuilt.
    """
    rebuilt = 0
    with workspace.atomic():
        if variable is None:
            variables = [
                str(row[0])
                for row in workspace.db.execute(
                    "SELECT DISTINCT variable FROM series_stale"
                )
            ]
        else:
            variables = [variable]
        for name in variables:
            units = [
                int(row[0])
                for row in workspace.db.execute(
                    "SELECT unit_id FROM series_stale WHERE variable = ? "
                    "ORDER BY unit_id",
                    (name,),
                )
            ]
            for start in range(0, len(units), REFRESH_UNITS):
                _rebuild(workspace, name, units[start : start + REFRESH_UNITS])
            rebuilt += len(units)
    if rebuilt:
        log.debug("rebuilt %s series of %s", rebuilt, variables)
    return rebuilt


def _rebuild(workspace: Workspace, variable: str, units: list[int]) -> None:
    """Pack the observations of ``units`` afresh and clear their stale marks."""
    db = workspace.db
    marks = ", ".join("?" for _ in units)
    # Unit and month travel as one integer (two values a row are read a third faster
    # than three), straight into numpy: row tuples would cost ten times the memory.
    cursor = db.execute(
        "SELECT unit_id * ?1 + month + ?2, value FROM observations "
        f"WHERE variable = ?3 AND unit_id IN ({marks}) ORDER BY unit_id, month",
        (MONTH_KEYS, MONTH_KEYS // 2, variable, *units),
    )
    flat = np.fromiter(itertools.chain.from_iterable(cursor), dtype=np.float64)
    rows = flat.reshape(-1, 2)
    unit_ids, months = np.divmod(rows[:, 0].astype(np.int64), MONTH_KEYS)
    months -= MONTH_KEYS // 2

    # Each unit's rows are consecutive and ordered by month.
    boundary = np.ones(len(unit_ids), dtype=bool)
    boundary[1:] = unit_ids[1:] != unit_ids[:-1]
    starts = np.flatnonzero(boundary)
    ends = np.r_[starts[1:], len(rows)].astype(np.int64)
    firsts = months[starts]
    spans = months[ends - 1] - firsts + 1
    offsets = np.r_[0, np.cumsum(spans)]
    packed = np.full(int(offsets[-1]), np.nan, dtype=PACKING)
    unit_of_row = np.repeat(np.arange(len(starts)), ends - starts)
    packed[offsets[unit_of_row] + months - firsts[unit_of_row]] = rows[:, 1]
    data = packed.tobytes()
    width = PACKING.itemsize

    db.execute(
        f"DELETE FROM series WHERE variable = ? AND unit_id IN ({marks})",
        (variable, *units),
    )
    db.conn.executemany(
        "INSERT INTO series (variable, unit_id, first_month, packed_values) "
        "VALUES (?, ?, ?, ?)",
        (
            (variable, unit, first, data[width * low : width * high])
            for unit, first, low, high in zip(
                unit_ids[starts].tolist(),
                firsts.tolist(),
                offsets[:-1].tolist(),
                offsets[1:].tolist(),
                strict=True,
            )
        ),
    )
    db.execute(
        f"DELETE FROM series_stale WHERE variable = ? AND unit_id IN ({marks})",
        (variable, *units),
    )


def read_series(
    workspace: Workspace,
    variable: str,
    first_month: int,
    last_month: int,
    unit_ids: Sequence[int] | np.ndarray,
) -> np.ndarray:
    """``variable`` for ``unit_ids`` over the months, float64 ``[units, months]``.

    NaN where a unit has no observation (also for an id no unit has, such as -1).
    Stale series of the variable are rebuilt first, which writes to the workspace.
    """
    asked = np.asarray(unit_ids, dtype=np.int64).reshape(-1)
    months = last_month - first_month + 1
    values = np.full((len(asked), max(months, 0)), np.nan, dtype=np.float64)
    if months <= 0 or not len(asked):
        return values

    if workspace.scalar(
        "SELECT 1 FROM series_stale WHERE variable = ? LIMIT 1", (variable,)
    ):
        refresh_series(workspace, variable)

    # Each series cut to the months asked in SQL, so only those bytes reach Python.
    wanted = np.unique(asked)
    sql = (
        "SELECT unit_id, first_month, substr(packed_values, "
        "8 * (MAX(first_month, ?1) - first_month) + 1, "
        "8 * (?2 - MAX(first_month, ?1) + 1)) "
        "FROM series WHERE variable = ?3 AND first_month <= ?2"
    )
    params: list[object] = [first_month, last_month, variable]
    if len(wanted) <= QUERY_UNITS:
        sql += f" AND unit_id IN ({', '.join('?' for _ in wanted)})"
        params.extend(wanted.tolist())
    found = workspace.db.execute(sql, params).fetchall()
    if not found:
        return values
    ids, firsts, pieces = zip(*found, strict=True)

    # Where each series read goes: its row in a block of the distinct ids asked, its
    # first column, and how many months it has there (none if it ends before).
    series_ids = np.array(ids, dtype=np.int64)
    rows = np.minimum(np.searchsorted(wanted, series_ids), len(wanted) - 1)
    inside = wanted[rows] == series_ids
    columns = np.maximum(np.array(firsts, dtype=np.int64), first_month) - first_month
    counts = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
    counts //= PACKING.itemsize
    data = np.frombuffer(b"".join(pieces), dtype=PACKING)
    block = np.full((len(wanted), months), np.nan, dtype=np.float64)
    if (counts == months).all():
        # Every series covers the whole span (the usual case): one row each.
        block[rows[inside]] = data.reshape(-1, months)[inside]
    else:
        starts = np.cumsum(counts) - counts
        within = np.arange(len(data)) - np.repeat(starts, counts)
        keep = np.repeat(inside, counts)
        value_rows = np.repeat(rows, counts)[keep]
        value_columns = (np.repeat(columns, counts) + within)[keep]
        block[value_rows, value_columns] = data[keep]
    if len(wanted) == len(asked) and (wanted == asked).all():
        return block
    return block[np.searchsorted(wanted, asked)]
