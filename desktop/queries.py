"""What the window shows, read from a workspace: plain records for the views.

These functions run on the workspace executor's thread (never on the UI thread) and
return immutable records and numpy arrays the views can hold without touching the
database again. They never return a forecast number for a blocked unit: whatever the
``forecasts`` table holds, a unit the gate blocked reads as NaN here, so no view can
show it by mistake.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import socket
from typing import Any

import numpy as np

from desktop.records import (
    SUMMARY_COLUMNS,
    BundleSummary,
    DataThrough,
    HistoryRecords,
    MonitoringSeries,
    OverrideMark,
    Overview,
    Provenance,
    ReasonRecord,
    RunSummary,
    RunTable,
    SelfTestReport,
    SourceFreshness,
    UnitDetail,
)
from desktop.unit_status import STATUS_BLOCKED, STATUS_OK, STATUS_WARNING
from engine import controls, months, summaries
from engine.runs import RUN_COLUMNS, run_info
from engine.runs import list_runs as stored_runs
from engine.workspace import Workspace, utc_now

log = logging.getLogger(__name__)


# Reading ------------------------------------------------------------------------------


def device_name(workspace: Workspace) -> str:
    return workspace.get_meta("device_name") or socket.gethostname() or "this device"


def active_bundle(workspace: Workspace) -> BundleSummary | None:
    """The bundle the device runs: the latest activation or rollback."""
    # Only the registry's record: opening and verifying the bundle's files is the
    # forecast run's job (and the gate's), not the header's.
    bundle_id = controls.active_bundle_id(workspace)
    if bundle_id is None:
        return None
    return bundle_summary(workspace, bundle_id)


def bundle_summary(workspace: Workspace, bundle_id: str) -> BundleSummary | None:
    rows = workspace.query("SELECT * FROM bundles WHERE id = ?", (bundle_id,))
    if not rows:
        return None
    row = rows[0]
    try:
        manifest = json.loads(row["manifest"])
    except (TypeError, ValueError):
        manifest = {}
    return BundleSummary(
        id=str(row["id"]),
        model_line=str(row["model_line"]),
        release=int(row["release"]),
        digest=str(row["digest"]),
        created=str(row["created"]),
        valid_from=str(row["valid_from"]),
        valid_until=str(row["valid_until"]),
        path=str(row["path"]),
        manifest=manifest if isinstance(manifest, dict) else {},
    )


def freshness(
    workspace: Workspace, now: dt.datetime | None = None
) -> tuple[SourceFreshness, ...]:
    """Each source's newest month against its cadence: fresh, due or overdue.

    A source is *fresh* while its newest month is no older than its cadence allows
    (data for a month arrives after the month ends), *due* for one more cadence, and
    *overdue* after that.
    """
    current = months.of_date(now or utc_now())
    rows = workspace.query(
        "SELECT s.name, s.cadence_months, s.description, "
        "(SELECT MAX(c.last_month) FROM coverage c WHERE c.source = s.name) "
        "AS covered, "
        "(SELECT MAX(b.last_month) FROM batches b "
        " WHERE b.source = s.name AND b.status = 'accepted') AS batched "
        "FROM sources s ORDER BY s.name"
    )
    result = []
    for row in rows:
        last = row["covered"] if row["covered"] is not None else row["batched"]
        cadence = int(row["cadence_months"])
        if last is None:
            result.append(
                SourceFreshness(row["name"], "empty", None, cadence, row["description"])
            )
            continue
        behind = current - int(last)
        if behind <= cadence:
            state = "fresh"
        elif behind <= 2 * cadence:
            state = "due"
        else:
            state = "overdue"
        result.append(
            SourceFreshness(
                row["name"], state, int(last), cadence, row["description"], behind
            )
        )
    return tuple(result)


def run_summary(workspace: Workspace, run_id: int) -> RunSummary | None:
    row = workspace.db.execute(
        f"SELECT {RUN_COLUMNS} FROM forecast_runs WHERE id = ?", (run_id,)
    ).fetchone()
    return None if row is None else run_info(row)


def latest_run(workspace: Workspace, before: int | None = None) -> RunSummary | None:
    """The newest finished run (before run ``before``, when given)."""
    sql = (
        f"SELECT {RUN_COLUMNS} FROM forecast_runs "
        "WHERE status NOT IN ('running', 'failed')"
    )
    params: list[Any] = []
    if before is not None:
        sql += " AND id < ?"
        params.append(before)
    row = workspace.db.execute(sql + " ORDER BY id DESC LIMIT 1", params).fetchone()
    return None if row is None else run_info(row)


def list_runs(workspace: Workspace, limit: int = 200) -> tuple[RunSummary, ...]:
    return tuple(stored_runs(workspace, limit))


def overview(workspace: Workspace) -> Overview:
    bundle = active_bundle(workspace)
    return Overview(
        folder=str(workspace.folder),
        device=device_name(workspace),
        synthetic=(workspace.get_meta("synthetic") or "").lower()
        in {"1", "true", "yes"},
        bundle=bundle,
        freshness=freshness(workspace),
        latest_run=latest_run(workspace),
        unit_count=int(workspace.scalar("SELECT COUNT(*) FROM units") or 0),
    )


def gate_self_test(workspace: Workspace) -> SelfTestReport | None:
    """Run the gate's self-test on the active bundle's input spec (None: no bundle).

    The spec is read from the bundle's registry record; a spec that cannot be read
    fails the self-test with the reason, since no detector can be checked on it.
    """
    from engine import gate
    from engine.errors import BundleError
    from engine.spec import InputSpec

    bundle = active_bundle(workspace)
    if bundle is None:
        return None
    try:
        spec = InputSpec.from_dict(bundle.manifest.get("input_spec") or {})
    except BundleError as err:
        failures: tuple[str, ...] = (str(err),)
    else:
        try:
            failures = tuple(reason.message for reason in gate.self_test(spec))
        except Exception as err:  # a self-test that crashes proves nothing: block
            log.warning("the gate's self-test raised", exc_info=True)
            failures = (
                f"The gate's self-test could not run ({err}), so no forecast can be "
                "trusted; report this to the regional office.",
            )
    if failures:
        log.warning("gate self-test failed for bundle %s", bundle.id)
    else:
        log.info("gate self-test passed for bundle %s", bundle.id)
    return SelfTestReport(bundle.id, bundle.name, failures)


def _blocked_unit_ids(workspace: Workspace, run_id: int) -> tuple[set[int], set[int]]:
    """Units with a blocking reason and units with a warning, in one run."""
    blocked: set[int] = set()
    warned: set[int] = set()
    for unit_id, severity in workspace.db.execute(
        "SELECT DISTINCT unit_id, severity FROM gate_reasons "
        "WHERE run_id = ? AND unit_id IS NOT NULL",
        (run_id,),
    ):
        (blocked if severity == "block" else warned).add(int(unit_id))
    return blocked, warned


def _run_wide_severities(workspace: Workspace, run_id: int) -> set[str]:
    return {
        str(severity)
        for (severity,) in workspace.db.execute(
            "SELECT DISTINCT severity FROM gate_reasons "
            "WHERE run_id = ? AND unit_id IS NULL",
            (run_id,),
        )
    }


def _summaries(
    workspace: Workspace, run_id: int, horizons: int
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Unit ids and each summary as ``[rows, horizons]`` float32, in unit id order."""
    stored = summaries.read(workspace.db.conn, run_id, horizons)
    return stored.unit_ids, dict(stored.arrays)


def run_table(workspace: Workspace, run_id: int | None = None) -> RunTable | None:
    """Every unit of a run (the latest when ``run_id`` is None), blocked ones as NaN."""
    run = latest_run(workspace) if run_id is None else run_summary(workspace, run_id)
    if run is None:
        return None
    width = len(run.horizons)

    # Units: every unit the run knew of: those with a forecast or a reason; when the
    # run was blocked as a whole, every unit in the workspace.
    names_by_id = {
        int(unit_id): str(name)
        for unit_id, name in workspace.db.execute("SELECT id, name FROM units")
    }
    forecast_ids, summaries = _summaries(workspace, run.id, width)
    blocked, warned = _blocked_unit_ids(workspace, run.id)
    run_wide = _run_wide_severities(workspace, run.id)
    run_blocked = run.status == "blocked" or "block" in run_wide
    if run_blocked:
        wanted = set(names_by_id)
    else:
        wanted = set(forecast_ids.tolist()) | blocked | warned
    unit_ids = np.array(sorted(wanted), dtype=np.int64)
    names = tuple(names_by_id.get(int(i), f"unit {i}") for i in unit_ids)
    count = len(unit_ids)

    # Place each stored summary at its unit's row.
    rows_of = np.searchsorted(unit_ids, forecast_ids)
    arrays: dict[str, np.ndarray] = {}
    for name in SUMMARY_COLUMNS:
        full = np.full((count, width), np.nan, dtype=np.float32)
        if len(forecast_ids):
            full[rows_of] = summaries[name]
        arrays[name] = full
    has_forecast = np.zeros(count, dtype=bool)
    has_forecast[rows_of] = True

    status = np.full(count, STATUS_OK, dtype=np.int8)
    if "warning" in run_wide:
        status[:] = STATUS_WARNING
    status[np.isin(unit_ids, list(warned))] = STATUS_WARNING
    blocked_mask = np.isin(unit_ids, list(blocked)) | ~has_forecast
    if run_blocked:
        blocked_mask[:] = True
    status[blocked_mask] = STATUS_BLOCKED
    for name in SUMMARY_COLUMNS:
        arrays[name][blocked_mask] = np.nan  # never a number for a blocked unit

    overrides = np.zeros(count, dtype=np.int32)
    for unit_id, number in workspace.db.execute(
        "SELECT unit_id, COUNT(*) FROM overrides WHERE run_id = ? GROUP BY unit_id",
        (run.id,),
    ):
        row = int(np.searchsorted(unit_ids, unit_id))
        if row < count and unit_ids[row] == unit_id:
            overrides[row] = number

    previous = latest_run(workspace, before=run.id)
    previous_point = previous_p_any = None
    if previous is not None and previous.horizons == run.horizons:
        old_ids, old = _summaries(workspace, previous.id, width)
        old_blocked, _ = _blocked_unit_ids(workspace, previous.id)
        keep = ~np.isin(old_ids, list(old_blocked))
        previous_point = np.full((count, width), np.nan, dtype=np.float32)
        previous_p_any = np.full((count, width), np.nan, dtype=np.float32)
        if previous.status != "blocked":
            positions = np.searchsorted(unit_ids, old_ids)
            inside = (positions < count) & keep
            inside[inside] &= unit_ids[positions[inside]] == old_ids[inside]
            previous_point[positions[inside]] = old["point"][inside]
            previous_p_any[positions[inside]] = old["p_any"][inside]

    return RunTable(
        run=run,
        unit_ids=unit_ids,
        names=names,
        status=status,
        overrides=overrides,
        previous_run=previous,
        previous_point=previous_point,
        previous_p_any=previous_p_any,
        name_ranks=name_ranks(names),
        **arrays,
    )


def name_ranks(names: tuple[str, ...]) -> np.ndarray:
    """Each name's rank in case-insensitive order (ties by position)."""
    order = sorted(range(len(names)), key=lambda i: names[i].casefold())
    ranks = np.empty(len(names), dtype=np.float64)
    ranks[order] = np.arange(len(names), dtype=np.float64)
    return ranks


def unit_reasons(
    workspace: Workspace, run_id: int, unit_id: int
) -> tuple[ReasonRecord, ...]:
    """Run-wide reasons first, then the unit's own; blocks before warnings."""
    rows = workspace.query(
        "SELECT * FROM gate_reasons "
        "WHERE run_id = ? AND (unit_id = ? OR unit_id IS NULL) "
        "ORDER BY unit_id IS NOT NULL, severity = 'warning', id",
        (run_id, unit_id),
    )
    return tuple(
        ReasonRecord(
            code=str(row["code"]),
            severity=str(row["severity"]),
            message=str(row["message"]),
            feature=row["feature"],
            source=row["source"],
            measured=row["measured"],
            limit=row["limit_value"],
            run_wide=row["unit_id"] is None,
        )
        for row in rows
    )


def provenance(workspace: Workspace, run: RunSummary) -> Provenance:
    """The run's bundle and, per source, the last month and batch its data came from."""
    bundle = bundle_summary(workspace, run.bundle_id)
    data = []
    for source, value in sorted(run.data_through.items()):
        last_month, batch_id = _month_and_batch(value)
        batch = None
        if batch_id is not None:
            found = workspace.query("SELECT * FROM batches WHERE id = ?", (batch_id,))
            batch = found[0] if found else None
        if batch is None:
            # The newest accepted batch of the source imported before the run began.
            found = workspace.query(
                "SELECT * FROM batches WHERE source = ? AND status = 'accepted' "
                "AND created_at <= ? ORDER BY id DESC LIMIT 1",
                (source, run.started_at),
            )
            batch = found[0] if found else None
        data.append(
            DataThrough(
                source=str(source),
                last_month=last_month,
                batch_id=int(batch["id"]) if batch else batch_id,
                file_name=str(batch["file_name"]) if batch else None,
                batch_sha256=str(batch["sha256"]) if batch else None,
                imported_at=str(batch["created_at"]) if batch else None,
            )
        )
    return Provenance(run=run, bundle=bundle, data=tuple(data))


def _month_and_batch(value: Any) -> tuple[int | None, int | None]:
    """``data_through`` values may be a month, ``YYYY-MM`` text, or a small record."""
    month: Any = value
    batch: Any = None
    if isinstance(value, dict):
        month = value.get("last_month", value.get("month"))
        batch = value.get("batch_id", value.get("batch"))
    try:
        if isinstance(month, str):
            month = months.parse_month(month)
        month = int(month) if month is not None else None
    except (TypeError, ValueError):
        month = None
    try:
        batch = int(batch) if batch is not None else None
    except (TypeError, ValueError):
        batch = None
    return month, batch


def unit_detail(
    workspace: Workspace, run_id: int, unit_id: int, history_months: int = 60
) -> UnitDetail:
    run = run_summary(workspace, run_id)
    if run is None:
        raise LookupError(f"run {run_id} is not in the workspace")
    name = str(
        workspace.scalar("SELECT name FROM units WHERE id = ?", (unit_id,)) or unit_id
    )
    reasons = unit_reasons(workspace, run_id, unit_id)
    prov = provenance(workspace, run)
    bundle = prov.bundle
    target = bundle.target_variable if bundle else None

    blocked = run.status == "blocked" or any(r.severity == "block" for r in reasons)
    forecast: dict[str, np.ndarray] | None = None
    if not blocked:
        forecast = summaries.read_unit(
            workspace.db.conn, run_id, unit_id, len(run.horizons)
        )
        if forecast is None:
            blocked = True
            reasons = (
                ReasonRecord(
                    code="no_forecast",
                    severity="block",
                    message="This run holds no forecast for this unit.",
                ),
                *reasons,
            )
    if blocked:
        status = STATUS_BLOCKED
    elif reasons:
        status = STATUS_WARNING
    else:
        status = STATUS_OK

    history_m = np.zeros(0, dtype=np.int64)
    history_v = np.zeros(0, dtype=np.float64)
    if target is not None:
        rows = workspace.db.execute(
            "SELECT month, value FROM observations WHERE unit_id = ? AND variable = ? "
            "AND month > ? AND month <= ? ORDER BY month",
            (unit_id, target, run.origin - history_months, run.origin),
        ).fetchall()
        if rows:
            history_m = np.array([r[0] for r in rows], dtype=np.int64)
            history_v = np.array([r[1] for r in rows], dtype=np.float64)

    marks = tuple(
        OverrideMark(
            id=int(row["id"]),
            horizon=int(row["horizon"]),
            value=float(row["value"]),
            person=str(row["person"]),
            created_at=str(row["created_at"]),
            reason_category=str(row["reason_category"]),
            field_estimate=bool(json.loads(row["original"]).get("blocked", False)),
        )
        for row in workspace.query(
            "SELECT * FROM overrides WHERE run_id = ? AND unit_id = ? ORDER BY id",
            (run_id, unit_id),
        )
    )
    return UnitDetail(
        unit_id=unit_id,
        name=name,
        run=run,
        status=status,
        reasons=reasons,
        history_months=history_m,
        history_values=history_v,
        target_variable=target,
        horizons=run.horizons,
        forecast=forecast,
        overrides=marks,
        provenance=prov,
    )


def monitoring(workspace: Workspace, runs: int = 24) -> MonitoringSeries:
    recent = list(
        reversed(
            workspace.query(
                "SELECT id, origin, units_total, units_blocked, status "
                "FROM forecast_runs WHERE status != 'running' ORDER BY id DESC LIMIT ?",
                (int(runs),),
            )
        )
    )
    run_ids = tuple(int(r["id"]) for r in recent)
    labels = tuple(
        f"#{r['id']} {months.format_month(int(r['origin']))}" for r in recent
    )
    features: list[str] = []
    psi = np.zeros((0, len(run_ids)))
    if run_ids:
        marks = ",".join("?" * len(run_ids))
        drift_rows = workspace.db.execute(
            "SELECT run_id, feature, psi FROM drift_measures "
            f"WHERE run_id IN ({marks})",
            run_ids,
        ).fetchall()
        features = sorted({str(r[1]) for r in drift_rows})
        psi = np.full((len(features), len(run_ids)), np.nan)
        column = {run_id: i for i, run_id in enumerate(run_ids)}
        row_of = {feature: i for i, feature in enumerate(features)}
        for run_id, feature, value in drift_rows:
            psi[row_of[str(feature)], column[int(run_id)]] = float(value)

    limits = _drift_limits(workspace)
    per_release = workspace.query(
        "SELECT b.model_line AS line, b.release AS release, COUNT(o.id) AS n "
        "FROM bundles b LEFT JOIN forecast_runs r ON r.bundle_id = b.id "
        "LEFT JOIN overrides o ON o.run_id = r.id "
        "GROUP BY b.id ORDER BY b.model_line, b.release"
    )
    return MonitoringSeries(
        run_ids=run_ids,
        run_labels=labels,
        features=tuple(features),
        psi=psi,
        psi_warning=limits[0],
        psi_block=limits[1],
        blocked_units=np.array([r["units_blocked"] for r in recent], dtype=np.int64),
        total_units=np.array([r["units_total"] for r in recent], dtype=np.int64),
        run_blocked=np.array([r["status"] == "blocked" for r in recent], dtype=bool),
        releases=tuple(f"{r['line']} r{r['release']}" for r in per_release),
        overrides_per_release=np.array([r["n"] for r in per_release], dtype=np.int64),
    )


def _drift_limits(workspace: Workspace) -> tuple[float, float]:
    bundle = active_bundle(workspace)
    drift = (
        ((bundle.manifest.get("input_spec") or {}).get("drift") or {}) if bundle else {}
    )
    return float(drift.get("psi_warning", 0.1)), float(drift.get("psi_block", 0.25))


def history(workspace: Workspace, limit: int = 500) -> HistoryRecords:
    runs = list_runs(workspace, limit)
    blocks = workspace.query(
        "SELECT g.run_id, r.origin, r.started_at, COALESCE(u.name, '') AS unit, "
        "g.code, g.message FROM gate_reasons g JOIN forecast_runs r ON r.id = g.run_id "
        "LEFT JOIN units u ON u.id = g.unit_id WHERE g.severity = 'block' "
        "ORDER BY g.id DESC LIMIT ?",
        (int(limit),),
    )
    overrides = workspace.query(
        "SELECT o.id, o.created_at, o.person, o.role, u.name AS unit, o.horizon, "
        "r.origin, o.value, o.reason_category, o.justification, o.original "
        "FROM overrides o JOIN units u ON u.id = o.unit_id "
        "JOIN forecast_runs r ON r.id = o.run_id ORDER BY o.id DESC LIMIT ?",
        (int(limit),),
    )
    return HistoryRecords(runs=runs, blocks=tuple(blocks), overrides=tuple(overrides))
