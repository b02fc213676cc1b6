"""Stored forecast runs' headers: the record and how it is read from its row.

Kept apart from ``engine.forecast`` and free of numpy, so the desktop can name runs
(and the summary columns) without loading the forecast engine at start-up.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from engine.months import format_month

if TYPE_CHECKING:
    from engine.workspace import Workspace

# The per-unit summaries stored for each horizon, in the order of their columns.
SUMMARY_FIELDS = (
    "point",
    "hdi50_low",
    "hdi50_high",
    "hdi90_low",
    "hdi90_high",
    "p_any",
)

# The columns of ``forecast_runs`` that ``run_info`` reads, in its order.
RUN_COLUMNS = (
    "id, bundle_id, bundle_digest, origin, input_digest, code_version, parameters, "
    "horizons, started_at, finished_at, person, status, units_total, units_blocked, "
    "data_through"
)


@dataclass(frozen=True)
class RunInfo:
    """One stored run's header: provenance and status, without its numbers."""

    id: int
    bundle_id: str
    bundle_digest: str
    origin: int
    input_digest: str
    code_version: str
    parameters: dict[str, Any]
    horizons: tuple[int, ...]
    started_at: str
    finished_at: str | None
    person: str
    status: str
    units_total: int
    units_blocked: int
    data_through: dict[str, Any] = field(default_factory=dict)

    @property
    def origin_text(self) -> str:
        return format_month(self.origin)


def run_info(row: Sequence[Any]) -> RunInfo:
    """A ``RunInfo`` from a row of ``RUN_COLUMNS``."""
    return RunInfo(
        id=int(row[0]),
        bundle_id=str(row[1]),
        bundle_digest=str(row[2]),
        origin=int(row[3]),
        input_digest=str(row[4]),
        code_version=str(row[5]),
        parameters=_json_object(row[6]),
        horizons=tuple(int(h) for h in json.loads(row[7])),
        started_at=str(row[8]),
        finished_at=None if row[9] is None else str(row[9]),
        person=str(row[10]),
        status=str(row[11]),
        units_total=int(row[12]),
        units_blocked=int(row[13]),
        data_through=_json_object(row[14]),
    )


def _json_object(text: str | None) -> dict[str, Any]:
    """A JSON object kept in a column; an empty one where it is absent or not one."""
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def list_runs(workspace: Workspace, limit: int | None = None) -> list[RunInfo]:
    """Stored runs, newest first (headers only)."""
    sql = f"SELECT {RUN_COLUMNS} FROM forecast_runs ORDER BY id DESC"
    params: tuple[Any, ...] = ()
    if limit is not None:
        sql += " LIMIT ?"
        params = (int(limit),)
    return [run_info(row) for row in workspace.db.execute(sql, params)]
