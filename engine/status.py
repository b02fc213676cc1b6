"""What a workspace holds and how fresh each source is, as typed records.

Freshness compares a source's newest month with the current month and the source's
cadence ``c`` (in months). With ``age = current month - last month``:

- fresh: ``age <= c`` (the newest release that could exist is in);
- due: ``c < age <= 2c`` (a release is expected about now; import it when it comes);
- overdue: ``age > 2c`` (a release has been missed; find it or sync);
- no data: the source is known but none of its files has been accepted.

The current month is taken from the device clock, but never below the workspace's
time floor, so a clock set back does not make old data look fresh. The desktop header
and ``fieldcast status`` both read these records.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from engine.months import format_month, of_date
from engine.workspace import Workspace, utc_now

RECENT_BATCHES = 10


class Freshness(enum.StrEnum):
    FRESH = "fresh"
    DUE = "due"
    OVERDUE = "overdue"
    NO_DATA = "no data"


def freshness(last_month: int | None, current_month: int, cadence: int) -> Freshness:
    """The freshness of a source whose newest month is ``last_month``."""
    if last_month is None:
        return Freshness.NO_DATA
    age = current_month - last_month
    if age <= cadence:
        return Freshness.FRESH
    if age <= 2 * cadence:
        return Freshness.DUE
    return Freshness.OVERDUE


@dataclass(frozen=True)
class SourceStatus:
    name: str
    description: str
    cadence_months: int
    last_month: int | None  # month index of the newest observation, None if none
    age_months: int | None  # current month minus last month
    freshness: Freshness
    units: int  # units with data from this source
    units_behind: int  # units whose data ends before the source's newest month
    batches_accepted: int
    batches_rejected: int
    vintage: int  # the newest accepted vintage, 0 if none

    @property
    def last_month_text(self) -> str:
        return "-" if self.last_month is None else format_month(self.last_month)


@dataclass(frozen=True)
class VariableStatus:
    name: str
    tag: str
    measure: str
    is_count: bool
    observations: int


@dataclass(frozen=True)
class BatchStatus:
    id: int
    source: str
    file_name: str
    created_at: str
    person: str
    status: str
    vintage: int
    rows_read: int
    rows_accepted: int
    values_changed: int
    reason: str


@dataclass(frozen=True)
class WorkspaceStatus:
    folder: str
    current_month: int
    units: int
    unit_groups: dict[str, int]
    observations: int
    outliers: int
    variables: list[VariableStatus]
    sources: list[SourceStatus]
    recent_batches: list[BatchStatus]


def current_month(workspace: Workspace, now: dt.datetime | None = None) -> int:
    """The month it is now: the device clock, never below the time floor."""
    moment = now or utc_now()
    floor = workspace.time_floor()
    if floor is not None and floor > moment:
        moment = floor
    return of_date(moment)


def source_statuses(
    workspace: Workspace, now: dt.datetime | None = None
) -> list[SourceStatus]:
    """Every source's newest month and freshness (what the desktop header shows)."""
    month_now = current_month(workspace, now)
    batches = {
        row["source"]: row
        for row in workspace.query(
            "SELECT source, SUM(status = 'accepted') AS accepted, "
            "SUM(status = 'rejected') AS rejected, "
            "COALESCE(MAX(CASE WHEN status = 'accepted' THEN vintage END), 0) "
            "AS vintage FROM batches GROUP BY source"
        )
    }
    spans = {
        row["source"]: row
        for row in workspace.query(
            "SELECT source, MAX(last_month) AS last_month, "
            "COUNT(DISTINCT unit_id) AS units FROM coverage GROUP BY source"
        )
    }
    behind = {
        row["source"]: row["behind"]
        for row in workspace.query(
            "WITH per_unit AS (SELECT source, unit_id, MAX(last_month) AS last "
            "FROM coverage GROUP BY source, unit_id), "
            "newest AS (SELECT source, MAX(last) AS last FROM per_unit "
            "GROUP BY source) "
            "SELECT p.source, SUM(p.last < n.last) AS behind FROM per_unit p "
            "JOIN newest n ON n.source = p.source GROUP BY p.source"
        )
    }
    statuses = []
    for row in workspace.query(
        "SELECT name, cadence_months, description FROM sources ORDER BY name"
    ):
        name = row["name"]
        span = spans.get(name, {})
        counts = batches.get(name, {})
        last = span.get("last_month")
        statuses.append(
            SourceStatus(
                name=name,
                description=row["description"],
                cadence_months=int(row["cadence_months"]),
                last_month=None if last is None else int(last),
                age_months=None if last is None else month_now - int(last),
                freshness=freshness(last, month_now, int(row["cadence_months"])),
                units=int(span.get("units") or 0),
                units_behind=int(behind.get(name) or 0),
                batches_accepted=int(counts.get("accepted") or 0),
                batches_rejected=int(counts.get("rejected") or 0),
                vintage=int(counts.get("vintage") or 0),
            )
        )
    return statuses


def workspace_status(
    workspace: Workspace, now: dt.datetime | None = None, recent: int = RECENT_BATCHES
) -> WorkspaceStatus:
    """Everything ``fieldcast status`` shows."""
    groups = {
        str(row["grp"] or "(no group)"): int(row["n"])
        for row in workspace.query(
            "SELECT unit_group AS grp, COUNT(*) AS n FROM units "
            "GROUP BY unit_group ORDER BY unit_group"
        )
    }
    variables = [
        VariableStatus(
            name=row["name"],
            tag=row["tag"],
            measure=row["measure"],
            is_count=bool(row["is_count"]),
            observations=int(row["n"]),
        )
        for row in workspace.query(
            "SELECT v.name, v.tag, v.measure, v.is_count, "
            "(SELECT COUNT(*) FROM observations o WHERE o.variable = v.name) AS n "
            "FROM variables v ORDER BY v.name"
        )
    ]
    batches = [
        BatchStatus(**row)
        for row in workspace.query(
            "SELECT id, source, file_name, created_at, person, status, vintage, "
            "rows_read, rows_accepted, values_changed, reason FROM batches "
            "ORDER BY id DESC LIMIT ?",
            (recent,),
        )
    ]
    return WorkspaceStatus(
        folder=str(workspace.folder),
        current_month=current_month(workspace, now),
        units=sum(groups.values()),
        unit_groups=groups,
        observations=int(workspace.scalar("SELECT COUNT(*) FROM observations")),
        outliers=int(
            workspace.scalar("SELECT COUNT(*) FROM observations WHERE outlier = 1")
        ),
        variables=variables,
        sources=source_statuses(workspace, now),
        recent_batches=batches,
    )
