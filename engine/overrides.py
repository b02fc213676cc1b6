"""Overrides: a person's replacement of a forecast, with a justification, never edited.

Each override stores the forecast it replaces exactly as the run gave it (point, 50%
and 90% HDI and the probability of any fatality at that horizon) and the run's
provenance (run id, bundle id and digest, input digest, origin, code version), beside
the person's value, reason and text, name, role and time. The ``overrides`` table
refuses updates and deletes (triggers in ``engine.schema``), and every override also
appends an audit event holding the sha256 of the override's canonical JSON record, so
the signed ledger that comes later can chain these records unchanged.

A blocked unit has no forecast to replace, yet the person may know what is happening
there. They may still record their own estimate: the stored original then says the
forecast was blocked and lists the gate's reasons instead of numbers, and the record
reads as a field estimate, not as a corrected model forecast.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import engine.summaries
from engine.errors import FieldcastError
from engine.manifest import canonical_json
from engine.months import format_month
from engine.people import Person, Role
from engine.workspace import Workspace, timestamp

log = logging.getLogger(__name__)

MIN_JUSTIFICATION = 20
MAX_JUSTIFICATION = 4000
AUDIT_OVERRIDE = "override"
RECORD_VERSION = 1


class ReasonCategory(StrEnum):
    LOCAL_KNOWLEDGE = "local_knowledge"
    DATA_ERROR = "data_error"
    MODEL_WEAKNESS = "model_weakness"
    OTHER = "other"


REASON_LABELS = {
    ReasonCategory.LOCAL_KNOWLEDGE: "local knowledge of events",
    ReasonCategory.DATA_ERROR: "data error",
    ReasonCategory.MODEL_WEAKNESS: "known model weakness",
    ReasonCategory.OTHER: "other",
}


class OverrideError(FieldcastError):
    """An override cannot be recorded as given; ``code`` names the problem.

    Codes: ``person``, ``run``, ``unit``, ``horizon``, ``category``, ``text_short``,
    ``text_long``, ``value``, ``interval``.
    """

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class OriginalForecast:
    """The forecast an override replaces, at one unit and horizon, as the run gave it.

    For a blocked unit ``blocked`` is true, every number is None and ``reasons`` holds
    the gate's reasons (code and message).
    """

    blocked: bool
    point: float | None = None
    hdi50: tuple[float, float] | None = None
    hdi90: tuple[float, float] | None = None
    p_any: float | None = None
    reasons: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "blocked": self.blocked,
            "point": self.point,
            "hdi50": list(self.hdi50) if self.hdi50 else None,
            "hdi90": list(self.hdi90) if self.hdi90 else None,
            "p_any": self.p_any,
            "reasons": [{"code": c, "message": m} for c, m in self.reasons],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OriginalForecast:
        def pair(value: Any) -> tuple[float, float] | None:
            return None if value is None else (float(value[0]), float(value[1]))

        return cls(
            blocked=bool(data["blocked"]),
            point=data.get("point"),
            hdi50=pair(data.get("hdi50")),
            hdi90=pair(data.get("hdi90")),
            p_any=data.get("p_any"),
            reasons=tuple(
                (str(r["code"]), str(r["message"])) for r in data.get("reasons", ())
            ),
        )


@dataclass(frozen=True)
class Provenance:
    """Where the original forecast came from: enough for an auditor to find it again."""

    run_id: int
    bundle_id: str
    bundle_digest: str
    input_digest: str
    origin: str
    code_version: str
    run_finished_at: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "bundle_id": self.bundle_id,
            "bundle_digest": self.bundle_digest,
            "input_digest": self.input_digest,
            "origin": self.origin,
            "code_version": self.code_version,
            "run_finished_at": self.run_finished_at,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Provenance:
        return cls(
            run_id=int(data["run_id"]),
            bundle_id=str(data["bundle_id"]),
            bundle_digest=str(data["bundle_digest"]),
            input_digest=str(data["input_digest"]),
            origin=str(data["origin"]),
            code_version=str(data["code_version"]),
            run_finished_at=data.get("run_finished_at"),
        )


@dataclass(frozen=True)
class Override:
    """One recorded override, exactly as stored."""

    id: int
    run_id: int
    unit: str
    horizon: int
    target_month: str
    original: OriginalForecast
    value: float
    low: float | None
    high: float | None
    reason_category: ReasonCategory
    justification: str
    person: str
    role: Role
    created_at: str
    provenance: Provenance

    @property
    def is_field_estimate(self) -> bool:
        """True when the forecast was blocked: the value is the person's own."""
        return self.original.blocked

    def to_record(self) -> dict[str, Any]:
        """The override as a plain dictionary, the form the signed ledger will carry."""
        return {
            "record_version": RECORD_VERSION,
            "id": self.id,
            "run_id": self.run_id,
            "unit": self.unit,
            "horizon": self.horizon,
            "target_month": self.target_month,
            "original": self.original.to_dict(),
            "value": self.value,
            "low": self.low,
            "high": self.high,
            "reason_category": self.reason_category.value,
            "justification": self.justification,
            "person": self.person,
            "role": self.role.value,
            "created_at": self.created_at,
            "provenance": self.provenance.to_dict(),
        }

    def canonical_bytes(self) -> bytes:
        """Stable canonical JSON of :meth:`to_record` (same record, same bytes)."""
        return canonical_json(self.to_record())

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.canonical_bytes()).hexdigest()


# Reading the forecast an override replaces -------------------------------------------


def original_forecast(
    workspace: Workspace, run_id: int, unit: str, horizon: int
) -> tuple[OriginalForecast, Provenance]:
    """The run's forecast for ``unit`` at ``horizon``, and the run's provenance."""
    run = _run(workspace, run_id)
    unit_id = _unit_id(workspace, unit)
    horizons = _horizons(run)
    if horizon not in horizons:
        raise OverrideError(
            f"This forecast run has no horizon {horizon}; it covers "
            f"{min(horizons)} to {max(horizons)} months ahead.",
            "horizon",
        )
    provenance = Provenance(
        run_id=int(run["id"]),
        bundle_id=str(run["bundle_id"]),
        bundle_digest=str(run["bundle_digest"]),
        input_digest=str(run["input_digest"]),
        origin=format_month(int(run["origin"])),
        code_version=str(run["code_version"]),
        run_finished_at=run["finished_at"],
    )

    blocking = workspace.query(
        "SELECT code, message FROM gate_reasons "
        "WHERE run_id = ? AND severity = 'block' AND (unit_id = ? OR unit_id IS NULL) "
        "ORDER BY unit_id IS NOT NULL, id",
        (run_id, unit_id),
    )
    stored = engine.summaries.read_unit(
        workspace.db.conn, run_id, unit_id, len(horizons)
    )
    if blocking or stored is None:
        reasons = tuple((str(r["code"]), str(r["message"])) for r in blocking)
        return OriginalForecast(blocked=True, reasons=reasons), provenance

    column = horizons.index(horizon)

    def at(name: str) -> float:
        return round(float(stored[name][column]), 6)

    original = OriginalForecast(
        blocked=False,
        point=at("point"),
        hdi50=(at("hdi50_low"), at("hdi50_high")),
        hdi90=(at("hdi90_low"), at("hdi90_high")),
        p_any=at("p_any"),
    )
    return original, provenance


def _run(workspace: Workspace, run_id: int) -> dict[str, Any]:
    rows = workspace.query("SELECT * FROM forecast_runs WHERE id = ?", (run_id,))
    if not rows:
        raise OverrideError(
            f"There is no forecast run {run_id} in this workspace; run the forecast "
            "again and override its result.",
            "run",
        )
    return rows[0]


def _horizons(run: dict[str, Any]) -> list[int]:
    return [int(h) for h in json.loads(run["horizons"])]


def _unit_id(workspace: Workspace, unit: str) -> int:
    unit_id = workspace.scalar("SELECT id FROM units WHERE name = ?", (unit,))
    if unit_id is None:
        raise OverrideError(f"There is no unit called {unit} here.", "unit")
    return int(unit_id)


# Recording ---------------------------------------------------------------------------


def check_justification(text: str) -> str:
    """The justification, trimmed; OverrideError if too short or too long."""
    cleaned = text.strip()
    if len(cleaned) < MIN_JUSTIFICATION:
        raise OverrideError(
            f"Explain the override in at least {MIN_JUSTIFICATION} characters: what "
            "you know that the model does not.",
            "text_short",
        )
    if len(cleaned) > MAX_JUSTIFICATION:
        raise OverrideError(
            f"Keep the explanation under {MAX_JUSTIFICATION} characters.", "text_long"
        )
    return cleaned


def _check_numbers(value: float, low: float | None, high: float | None) -> None:
    numbers = [value] + [x for x in (low, high) if x is not None]
    if any(not math.isfinite(x) or x < 0 for x in numbers):
        raise OverrideError(
            "Fatalities are a count: enter numbers of zero or more.", "value"
        )
    if (low is None) != (high is None):
        raise OverrideError("Give both ends of your range, or neither.", "interval")
    if low is not None and high is not None and not low <= value <= high:
        raise OverrideError(
            "Your range must hold your value: low ≤ value ≤ high.", "interval"
        )


def record_override(
    workspace: Workspace,
    person: Person,
    run_id: int,
    unit: str,
    horizon: int,
    value: float,
    low: float | None,
    high: float | None,
    reason_category: str | ReasonCategory,
    justification: str,
) -> Override:
    """Record ``person``'s override of one forecast; it is never edited afterwards."""
    try:
        category = ReasonCategory(reason_category)
    except ValueError as err:
        raise OverrideError(
            "Choose why you override: local knowledge of events, a data error, a known "
            "model weakness, or other.",
            "category",
        ) from err
    text = check_justification(justification)
    _check_numbers(value, low, high)
    stored_role = workspace.scalar(
        "SELECT role FROM people WHERE name = ?", (person.name,)
    )
    if stored_role != person.role.value:
        raise OverrideError(
            f"{person.name} is not signed in on this device as {person.role_label}; "
            "sign in again.",
            "person",
        )

    with workspace.atomic():
        original, provenance = original_forecast(workspace, run_id, unit, horizon)
        created_at = timestamp()
        cursor = workspace.db.execute(
            "INSERT INTO overrides (run_id, unit_id, horizon, original, value, low, "
            "high, reason_category, justification, person, role, created_at, "
            "provenance) VALUES (?, (SELECT id FROM units WHERE name = ?), ?, ?, ?, "
            "?, ?, ?, ?, ?, ?, ?, ?)",
            (
                run_id,
                unit,
                horizon,
                json.dumps(original.to_dict(), sort_keys=True),
                float(value),
                None if low is None else float(low),
                None if high is None else float(high),
                category.value,
                text,
                person.name,
                person.role.value,
                created_at,
                json.dumps(provenance.to_dict(), sort_keys=True),
            ),
        )
        override_id = int(cursor.lastrowid or 0)
        override = _read(workspace, "o.id = ?", [override_id])[0]
        workspace.record_audit(
            AUDIT_OVERRIDE,
            person.name,
            {
                "override_id": override.id,
                "run_id": run_id,
                "unit": unit,
                "horizon": horizon,
                "reason_category": category.value,
                "field_estimate": original.blocked,
                "record_sha256": override.digest,
            },
        )
    log.info(
        "override %s recorded by %s for %s at horizon %s",
        override.id,
        person.name,
        unit,
        horizon,
    )
    return override


# Reading -----------------------------------------------------------------------------


def list_overrides(
    workspace: Workspace,
    *,
    run_id: int | None = None,
    unit: str | None = None,
    person: str | None = None,
    bundle_id: str | None = None,
    since: str | None = None,
    limit: int | None = None,
) -> list[Override]:
    """Recorded overrides, newest first, narrowed by any of the filters given.

    ``since`` is an ISO 8601 time; ``bundle_id`` matches the bundle that made the
    original forecast.
    """
    clauses: list[str] = []
    params: list[Any] = []
    for clause, value in (
        ("o.run_id = ?", run_id),
        ("u.name = ?", unit),
        ("o.person = ?", person),
        ("r.bundle_id = ?", bundle_id),
        ("o.created_at >= ?", since),
    ):
        if value is not None:
            clauses.append(clause)
            params.append(value)
    return _read(workspace, " AND ".join(clauses) or "1", params, limit)


def overrides_per_bundle(workspace: Workspace) -> dict[str, int]:
    """How many overrides each bundle's forecasts received (for monitoring)."""
    rows = workspace.query(
        "SELECT r.bundle_id AS bundle, COUNT(*) AS n FROM overrides o "
        "JOIN forecast_runs r ON r.id = o.run_id GROUP BY r.bundle_id ORDER BY bundle"
    )
    return {str(row["bundle"]): int(row["n"]) for row in rows}


def _read(
    workspace: Workspace,
    where: str,
    params: Sequence[Any],
    limit: int | None = None,
) -> list[Override]:
    # ``where`` is built in this module from fixed clauses; values go through params.
    sql = (
        "SELECT o.*, u.name AS unit, r.origin AS origin FROM overrides o "
        "JOIN units u ON u.id = o.unit_id JOIN forecast_runs r ON r.id = o.run_id "
        f"WHERE {where} ORDER BY o.id DESC"
    )
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    rows = workspace.query(sql, list(params))
    return [
        Override(
            id=int(row["id"]),
            run_id=int(row["run_id"]),
            unit=str(row["unit"]),
            horizon=int(row["horizon"]),
            target_month=format_month(int(row["origin"]) + int(row["horizon"])),
            original=OriginalForecast.from_dict(json.loads(row["original"])),
            value=float(row["value"]),
            low=row["low"],
            high=row["high"],
            reason_category=ReasonCategory(row["reason_category"]),
            justification=str(row["justification"]),
            person=str(row["person"]),
            role=Role(row["role"]),
            created_at=str(row["created_at"]),
            provenance=Provenance.from_dict(json.loads(row["provenance"])),
        )
        for row in rows
    ]
