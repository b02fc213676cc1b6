"""Forecast runs: one bundle over the workspace at one origin month, gated, summarised.

A run reads the last ``LOOKBACK_MONTHS`` of the bundle's target variable, builds the
feature matrix (the same feature definitions as the build), asks the gate, and only
then runs the model, and only for the units the gate passed: no number is ever made for
a blocked unit or a blocked run. Draws are summarised chunk by chunk (median, nested 50%
and 90% HDIs, probability of any fatality) and dropped; only the summaries are stored.

Everything a run stores is written in one transaction at its end: the run row with its
status and provenance, the gate's reasons and drift measures, and the summaries. A run
that is cancelled or whose model misbehaves is stored as ``failed`` with its reason and
no forecasts, so nothing half-written is ever seen. Runs are read back with
``read_run``, ``latest_run`` and ``list_runs``.

Not thread-safe: like the workspace it uses, a run belongs to one thread (the desktop's
workspace executor); ``progress`` and ``cancel`` are called from that thread.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

import engine
import engine.summaries
from engine import controls
from engine.bundle import Bundle
from engine.decision import Decision, DriftMeasure, Reason, Severity, Verdict
from engine.errors import BundleError, ForecastError
from engine.features import (
    LOOKBACK_MONTHS,
    design_matrix,
    feature_definition,
    load_panel,
)
from engine.gate import GateInputs, check
from engine.intervals import HDI_SHARES, summarise
from engine.months import format_month, of_date
from engine.runner import Runner, default_threads
from engine.runs import (  # noqa: F401 (RunInfo and list_runs are read from here too)
    RUN_COLUMNS,
    SUMMARY_FIELDS,
    RunInfo,
    list_runs,
    run_info,
)
from engine.workspace import Workspace, timestamp, utc_now

log = logging.getLogger(__name__)

STATUS_OF_VERDICT = {
    Verdict.PASS: "passed",
    Verdict.WARN: "warned",
    Verdict.BLOCK: "blocked",
}

# Chunks of draws: a run is cut into at least MIN_CHUNKS chunks (none smaller than
# MIN_CHUNK_ROWS rows) so that summaries overlap inference even in a small run, and
# at most MAX_PENDING chunks wait for their summaries at once.
MIN_CHUNKS = 8
MIN_CHUNK_ROWS = 512
MAX_PENDING = 2
SUMMARY_THREADS = 2

# Reason codes a run itself gives (beside the gate's own).
RUN_CANCELLED = "run_cancelled"
RUN_FAILED = "run_failed"

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]


@dataclass(frozen=True)
class RunResult:
    """What ``run_forecast`` did: the stored run's id, status and gate decision."""

    run_id: int
    status: str
    origin: int
    decision: Decision
    units_total: int
    units_blocked: int
    units_forecast: int
    input_digest: str
    cancelled: bool = False

    @property
    def blocked(self) -> bool:
        return self.status == "blocked"


@dataclass(frozen=True)
class UnitForecast:
    """One unit's summaries: float32 arrays with one value per horizon of the run."""

    unit: str
    horizons: tuple[int, ...]
    point: np.ndarray
    hdi50_low: np.ndarray
    hdi50_high: np.ndarray
    hdi90_low: np.ndarray
    hdi90_high: np.ndarray
    p_any: np.ndarray


@dataclass(frozen=True)
class StoredRun:
    """A stored run: its header, the gate's reasons and drift, and the summaries.

    ``units`` are the units with numbers, in the row order of the summary arrays
    (each ``[len(units), len(horizons)]`` float32). A blocked unit has no row: only its
    reasons, in ``unit_reasons``.
    """

    info: RunInfo
    run_reasons: tuple[Reason, ...]
    unit_reasons: Mapping[str, tuple[Reason, ...]]
    drift: tuple[DriftMeasure, ...]
    units: tuple[str, ...]
    point: np.ndarray
    hdi50_low: np.ndarray
    hdi50_high: np.ndarray
    hdi90_low: np.ndarray
    hdi90_high: np.ndarray
    p_any: np.ndarray
    _rows: dict[str, int] = field(default_factory=dict, repr=False)

    @property
    def horizons(self) -> tuple[int, ...]:
        return self.info.horizons

    @property
    def run_blocked(self) -> bool:
        return any(reason.severity is Severity.BLOCK for reason in self.run_reasons)

    def forecast(self, unit: str) -> UnitForecast | None:
        """The unit's numbers, or None when the run made none for it (blocked)."""
        row = self._rows.get(unit)
        if row is None:
            return None
        return UnitForecast(
            unit,
            self.horizons,
            *(getattr(self, name)[row] for name in SUMMARY_FIELDS),
        )

    def reasons_for(self, unit: str) -> tuple[Reason, ...]:
        """Run-wide reasons first, then the unit's own."""
        return self.run_reasons + tuple(self.unit_reasons.get(unit, ()))

    def unit_verdict(self, unit: str) -> Verdict:
        reasons = self.reasons_for(unit)
        if unit not in self._rows or any(r.severity is Severity.BLOCK for r in reasons):
            return Verdict.BLOCK
        return Verdict.WARN if reasons else Verdict.PASS

    def covered_units(self) -> tuple[str, ...]:
        """Every unit the run speaks about: with numbers or with reasons."""
        return tuple(sorted({*self.units, *self.unit_reasons}))


# The origin ---------------------------------------------------------------------------


def default_origin(now: datetime, time_floor: datetime | None) -> int:
    """The last complete month by the trusted clock: the month before the current one.

    The device clock is never believed below the time floor, so a clock set back in
    time cannot move the origin back to a month whose data look fresh.
    """
    trusted = now if time_floor is None else max(now, time_floor)
    return of_date(trusted) - 1


# The run ------------------------------------------------------------------------


class _Cancelled(Exception):
    pass


def run_forecast(
    workspace: Workspace,
    bundle: Bundle,
    *,
    origin: int | None = None,
    person: str,
    units: Sequence[str] | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    chunk_rows: int | None = None,
    threads: int | None = None,
) -> RunResult:
    """Run ``bundle`` over the workspace at ``origin``; store and return the run.

    ``units`` defaults to every unit of the workspace; ``origin`` to
    ``default_origin``; ``now`` (the device clock) to the current UTC time.
    ``progress(done, total)`` is called with feature rows inferred so far; when
    ``cancel()`` returns true the run stops before its next chunk and is stored as
    failed. A BundleError from the model (NaN, negative or missing draws) is raised
    after the run is stored as failed; no forecast is stored.
    """
    now = now or utc_now()
    started_at = timestamp(now)
    manifest = bundle.manifest
    spec, output = manifest.input_spec, manifest.output_spec
    horizons = tuple(output.horizons)
    if origin is None:
        origin = default_origin(now, workspace.time_floor())
    known = workspace.unit_ids()
    names = tuple(units) if units is not None else tuple(sorted(known))
    if not names:
        raise ForecastError(
            "The workspace holds no units to forecast; import a data file first."
        )
    if len(set(names)) != len(names):
        raise ForecastError("A unit is named twice in the forecast request.")

    # The run's helper threads hash the bundle's files and the inputs while features
    # are read and the gate decides, then summarise each chunk of draws while
    # onnxruntime infers the next.
    with ThreadPoolExecutor(
        SUMMARY_THREADS, thread_name_prefix="fieldcast-run"
    ) as helper:
        files = helper.submit(_file_problems, bundle)
        # Features, exactly as the build defines them, for the lookback ending at
        # origin; a unit whose data end within the staleness limit is read at its
        # own last month.
        last_months = _last_months(workspace, spec.sources, spec.target_variable, known)
        lags = data_lags(last_months, spec.sources, names, origin)
        features = _features(workspace, bundle, names, origin, lags, known)
        # hashlib releases the GIL over large buffers: the matrix is hashed meanwhile.
        digest = helper.submit(input_snapshot_digest, features, names, origin, horizons)
        decision = _decide(
            workspace,
            bundle,
            origin,
            names,
            features,
            horizons,
            known,
            last_months,
            now,
            files.result(),
        )
        input_digest = digest.result()
        passed = _passed_rows(decision, names)
        parameters = {
            "point": "median",
            "hdi_shares": list(HDI_SHARES),
            "units_requested": len(names),
            "units_digest": hashlib.sha256("\n".join(names).encode()).hexdigest(),
            "units_given": units is not None,
            "lookback_months": _lookback(bundle),
            "chunk_rows": chunk_rows or 0,
            "threads": threads or default_threads(),
            "units_inferred": 0,
        }
        record = _RunRecord(
            workspace=workspace,
            bundle=bundle,
            origin=origin,
            person=person,
            names=names,
            known=known,
            horizons=horizons,
            started_at=started_at,
            input_digest=input_digest,
            parameters=parameters,
            data_through=_data_through(last_months, names),
            decision=decision,
        )

        if decision.run_blocked:
            log.info("forecast run at %s blocked by the gate", format_month(origin))
            return record.store("blocked", passed_rows=np.empty(0, dtype=np.int64))

        # A deterministic graph gives the same draws for the same rows: units whose
        # feature rows are identical (quiet cells, by the thousand on a grid) are
        # inferred once and their summaries copied.
        if output.deterministic:
            inferred, copy_from = _distinct_units(features, passed, len(horizons))
        else:
            inferred, copy_from = passed, None
        parameters["units_inferred"] = len(inferred)
        try:
            summaries = _infer(
                bundle,
                features,
                inferred,
                len(horizons),
                chunk_rows,
                threads,
                progress,
                cancel,
                helper,
            )
            if copy_from is not None:
                summaries = {
                    name: values[copy_from] for name, values in summaries.items()
                }
        except _Cancelled:
            log.info("forecast run at %s cancelled", format_month(origin))
            return record.store_failure(
                RUN_CANCELLED,
                "The forecast run was cancelled before it finished; nothing was "
                "stored. Start it again when ready.",
            )
        except BundleError as err:
            record.store_failure(RUN_FAILED, str(err))
            raise

        status = STATUS_OF_VERDICT[decision.verdict]
        return record.store(status, passed_rows=passed, summaries=summaries)


def _passed_rows(decision: Decision, names: Sequence[str]) -> np.ndarray:
    """Rows of ``names`` the gate lets through, ascending."""
    if decision.run_blocked:
        return np.empty(0, dtype=np.int64)
    # Only units with reasons can be blocked: few, even when the units are many.
    row_of = {name: row for row, name in enumerate(names)}
    keep = np.ones(len(names), dtype=bool)
    for unit in decision.unit_reasons:
        if unit in row_of and decision.unit_blocked(unit):
            keep[row_of[unit]] = False
    return np.flatnonzero(keep).astype(np.int64)


def input_snapshot_digest(
    features: np.ndarray,
    units: Sequence[str],
    origin: int,
    horizons: Sequence[int],
) -> str:
    """sha256 of exactly what the model would see: origin, units, horizons, matrix.

    The matrix enters as little-endian float32 bytes in row order; units, origin and
    horizons as canonical JSON before it, so two runs over the same inputs always give
    the same digest and any change of a value, a unit or its order gives another.
    """
    header = json.dumps(
        {
            "version": 1,
            "origin": format_month(origin),
            "units": list(units),
            "horizons": list(horizons),
            "shape": list(features.shape),
        },
        sort_keys=True,
        separators=(",", ":"),
    ).encode("utf-8")
    digest = hashlib.sha256(header + b"\n")
    digest.update(np.ascontiguousarray(features, dtype="<f4").tobytes())
    return digest.hexdigest()


def _lookback(bundle: Bundle) -> int:
    return max(bundle.manifest.input_spec.lookback_months, LOOKBACK_MONTHS)


def data_lags(
    last_months: Mapping[str, Mapping[str, int]],
    sources: Sequence[Any],
    names: Sequence[str],
    origin: int,
) -> np.ndarray:
    """Per unit, how many months before the origin its data end, within the limit.

    A unit whose data end later than the staleness limit allows gets 0: its features
    stay missing and the gate blocks it as stale, with that reason alone.
    """
    limit = min((source.max_staleness_months for source in sources), default=0)
    # Per unit, the earliest last month over the sources that cover it.
    none = np.iinfo(np.int64).max
    earliest = np.full(len(names), none, dtype=np.int64)
    for per_unit in last_months.values():
        months = np.fromiter(
            (per_unit.get(name, none) for name in names), np.int64, len(names)
        )
        np.minimum(earliest, months, out=earliest)
    lags = np.zeros(len(names), dtype=np.int64)
    covered = earliest != none
    lag = origin - earliest[covered]
    lags[covered] = np.where((lag > 0) & (lag <= limit), lag, 0)
    return lags


def _features(
    workspace: Workspace,
    bundle: Bundle,
    names: tuple[str, ...],
    origin: int,
    lags: np.ndarray,
    known: Mapping[str, int],
) -> np.ndarray:
    spec = bundle.manifest.input_spec
    try:
        definitions = [feature_definition(name) for name in spec.feature_names]
    except KeyError as err:
        raise BundleError(
            f"Bundle {bundle.id} needs a feature this fieldcast does not know ({err}); "
            "update fieldcast."
        ) from err
    variables = {v for feature in spec.features for v in feature.variables}
    if variables - {spec.target_variable}:
        # TODO(#3): features of variables other than the target need one panel each;
        # the shared feature definitions read one panel today.
        raise BundleError(
            f"Bundle {bundle.id} needs variables {sorted(variables)}; this fieldcast "
            f"computes features of the target variable only."
        )
    panel = load_panel(
        workspace,
        spec.target_variable,
        origin - _lookback(bundle) - int(lags.max(initial=0)) + 1,
        origin,
        names,
        with_neighbours=any(definition.needs_neighbours for definition in definitions),
        known=known,
    )
    return design_matrix(
        panel,
        spec.feature_names,
        [origin],
        bundle.manifest.output_spec.horizons,
        data_lags=lags,
    )


def _last_months(
    workspace: Workspace,
    sources: Sequence[Any],
    variable: str,
    known: Mapping[str, int],
) -> dict[str, dict[str, int]]:
    """Per source the bundle names, the last observed month of each unit.

    ``known`` is the workspace's unit ids by name. Coverage holds one row per unit,
    variable and source, so no grouping is needed.
    """
    result: dict[str, dict[str, int]] = {source.name: {} for source in sources}
    name_of = {unit_id: name for name, unit_id in known.items()}
    cursor = workspace.db.conn.execute(
        "SELECT source, unit_id, last_month FROM coverage WHERE variable = ?",
        (variable,),
    )
    for source, unit_id, month in cursor:
        per_unit = result.get(source)
        name = name_of.get(unit_id)
        if per_unit is not None and name is not None:
            per_unit[name] = int(month)
    return result


def _data_through(
    last_months: Mapping[str, Mapping[str, int]], names: Sequence[str]
) -> dict[str, str]:
    """Per source, the newest month observed for any unit of the run."""
    through: dict[str, str] = {}
    for source, per_unit in last_months.items():
        months = [per_unit[name] for name in names if name in per_unit]
        if months:
            through[source] = format_month(max(months))
    return through


def _decide(
    workspace: Workspace,
    bundle: Bundle,
    origin: int,
    names: tuple[str, ...],
    features: np.ndarray,
    horizons: tuple[int, ...],
    known: Mapping[str, int],
    last_months: Mapping[str, Mapping[str, int]],
    now: datetime,
    file_problems: Sequence[str],
) -> Decision:
    """The gate's decision for this run; ``file_problems`` from ``_file_problems``."""
    inputs = GateInputs(
        manifest=bundle.manifest,
        origin=origin,
        units=names,
        features=features,
        horizons=horizons,
        known_units=frozenset(known),
        last_months=last_months,
        now=now,
        time_floor=workspace.time_floor(),
        bundle_status=controls.bundle_status(
            workspace, bundle, file_problems=file_problems
        ),
    )
    return check(inputs)


def _file_problems(bundle: Bundle) -> tuple[str, ...]:
    """The bundle's files checked again on disk (run on the helper thread)."""
    try:
        bundle.verify()
    except BundleError as err:
        return (str(err),)
    return ()


def _distinct_units(
    features: np.ndarray, passed: np.ndarray, horizon_count: int
) -> tuple[np.ndarray, np.ndarray]:
    """Passed units with distinct feature rows, and where each passed unit's are.

    Returns ``(inferred, copy_from)``: ``inferred`` holds, in unit order, the first
    of the passed units (rows of ``names``) with each distinct block of feature rows
    (all its horizons, compared byte for byte); ``copy_from[i]`` is the position in
    ``inferred`` of the unit whose rows equal those of ``passed[i]``.
    """
    if len(passed) == 0:
        return passed, np.zeros(0, dtype=np.int64)
    width = horizon_count * features.shape[1]
    blocks = np.ascontiguousarray(features.reshape(-1, width)[passed])
    keys = blocks.view(np.dtype((np.void, blocks.itemsize * width))).ravel()
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    order = np.argsort(first)  # the distinct blocks in unit order
    position = np.empty(len(first), dtype=np.int64)
    position[order] = np.arange(len(first))
    return passed[first[order]], position[inverse.reshape(-1)]


def _infer(
    bundle: Bundle,
    features: np.ndarray,
    passed: np.ndarray,
    horizon_count: int,
    chunk_rows: int | None,
    threads: int | None,
    progress: Progress | None,
    cancel: Cancel | None,
    helper: ThreadPoolExecutor,
) -> dict[str, np.ndarray]:
    """Summaries ``[len(passed), horizons]`` of the passed units, chunk by chunk.

    Inference and summaries overlap: while onnxruntime infers one chunk (it releases
    the GIL, and its tree ensemble keeps barely more than one core busy), the helper
    threads sort and summarise the chunks before (numpy's sort and reductions release
    the GIL too). A run has at least ``MIN_CHUNKS`` chunks where its rows allow, so
    that a small run overlaps too, and at most ``MAX_PENDING`` summaries wait at once,
    so memory stays bounded. Progress and cancellation stay on the calling thread.
    """
    summaries = {
        name: np.empty((len(passed), horizon_count), dtype=np.float32)
        for name in SUMMARY_FIELDS
    }
    if len(passed) == 0:
        return summaries
    runner = Runner(bundle, threads=threads, check_values=False)  # checked sorted
    units_per_chunk = max(1, (chunk_rows or runner.chunk_rows()) // horizon_count)
    if chunk_rows is None:
        units_per_chunk = min(
            units_per_chunk,
            max(-(-len(passed) // MIN_CHUNKS), -(-MIN_CHUNK_ROWS // horizon_count)),
        )
    total = len(passed) * horizon_count
    steps = np.arange(horizon_count)
    if progress:
        progress(0, total)

    def summarise_chunk(start: int, units: int, draws: np.ndarray) -> None:
        try:
            summary = summarise(draws, in_place=True)  # sorts the rows where they are
        except BundleError:
            runner.check_values(draws)  # the runner's own message, naming the bundle
            raise
        if draws.flags.c_contiguous and draws.flags.writeable:
            runner.check_sorted(draws)  # the rows' ends: NaN, infinity, negatives
        else:  # summarise sorted a copy
            runner.check_values(draws)
        for name in SUMMARY_FIELDS:
            summaries[name][start : start + units] = getattr(summary, name).reshape(
                units, horizon_count
            )

    pending: deque[tuple[Future[None], int]] = deque()  # oldest first
    try:
        for start in range(0, len(passed), units_per_chunk):
            if cancel is not None and cancel():
                raise _Cancelled
            chunk = passed[start : start + units_per_chunk]
            if chunk[-1] - chunk[0] == len(chunk) - 1:
                # Consecutive units: a view of the matrix, no copy.
                rows = features[
                    chunk[0] * horizon_count : (chunk[-1] + 1) * horizon_count
                ]
            else:
                rows = features[(chunk[:, None] * horizon_count + steps).ravel()]
            draws = runner.infer(rows)
            while len(pending) >= MAX_PENDING or (pending and pending[0][0].done()):
                future, done = pending.popleft()
                future.result()  # an earlier chunk: its errors surface here
                if progress:
                    progress(done * horizon_count, total)
            future = helper.submit(summarise_chunk, start, len(chunk), draws)
            pending.append((future, start + len(chunk)))
            del draws, rows
        while pending:
            future, done = pending.popleft()
            future.result()
            if progress and done < len(passed):
                progress(done * horizon_count, total)
    finally:
        wait([future for future, _ in pending])  # none left writing after we return
    if progress:
        progress(total, total)
    return summaries


@dataclass
class _RunRecord:
    """Everything a run stores, written in one transaction."""

    workspace: Workspace
    bundle: Bundle
    origin: int
    person: str
    names: tuple[str, ...]
    known: Mapping[str, int]
    horizons: tuple[int, ...]
    started_at: str
    input_digest: str
    parameters: dict[str, Any]
    data_through: dict[str, str]
    decision: Decision

    def store(
        self,
        status: str,
        *,
        passed_rows: np.ndarray,
        summaries: dict[str, np.ndarray] | None = None,
        extra_reasons: Sequence[Reason] = (),
    ) -> RunResult:
        workspace, decision = self.workspace, self.decision
        blocked = len(self.names) - len(passed_rows)
        with workspace.atomic():
            run_id = self._insert_run(status, blocked)
            self._insert_reasons(run_id, extra_reasons)
            workspace.db.conn.executemany(
                "INSERT INTO drift_measures (run_id, feature, psi, ks, wasserstein, "
                "status) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (run_id, m.feature, m.psi, m.ks, m.wasserstein, m.status)
                    for m in decision.drift
                ],
            )
            if summaries is not None and len(passed_rows):
                self._insert_forecasts(run_id, passed_rows, summaries)
        log.info(
            "forecast run %s at %s: %s, %s of %s units blocked",
            run_id,
            format_month(self.origin),
            status,
            blocked,
            len(self.names),
        )
        return RunResult(
            run_id=run_id,
            status=status,
            origin=self.origin,
            decision=decision,
            units_total=len(self.names),
            units_blocked=blocked,
            units_forecast=len(passed_rows) if summaries is not None else 0,
            input_digest=self.input_digest,
            cancelled=status == "failed"
            and any(r.code == RUN_CANCELLED for r in extra_reasons),
        )

    def store_failure(self, code: str, message: str) -> RunResult:
        reason = Reason(code=code, severity=Severity.BLOCK, message=message)
        return self.store(
            "failed", passed_rows=np.empty(0, dtype=np.int64), extra_reasons=(reason,)
        )

    def _insert_run(self, status: str, blocked: int) -> int:
        cursor = self.workspace.db.execute(
            "INSERT INTO forecast_runs (bundle_id, bundle_digest, origin, "
            "input_digest, code_version, parameters, horizons, started_at, "
            "finished_at, person, status, units_total, units_blocked, data_through) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                self.bundle.id,
                self.bundle.digest,
                self.origin,
                self.input_digest,
                engine.__version__,
                json.dumps(self.parameters, sort_keys=True),
                json.dumps(list(self.horizons)),
                self.started_at,
                timestamp(),
                self.person,
                status,
                len(self.names),
                len(self.names) if status in ("blocked", "failed") else blocked,
                json.dumps(self.data_through, sort_keys=True),
            ),
        )
        return int(cursor.lastrowid or 0)

    def _insert_reasons(self, run_id: int, extra: Sequence[Reason]) -> None:
        rows = []
        for reason in (*self.decision.run_reasons, *extra):
            rows.append(_reason_row(run_id, None, None, reason))
        for unit, reasons in self.decision.unit_reasons.items():
            for reason in reasons:
                rows.append(_reason_row(run_id, self.known.get(unit), unit, reason))
        self.workspace.db.conn.executemany(
            "INSERT INTO gate_reasons (run_id, unit_id, unit_name, code, severity, "
            "feature, source, measured, limit_value, message) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    def _insert_forecasts(
        self, run_id: int, passed_rows: np.ndarray, summaries: dict[str, np.ndarray]
    ) -> None:
        ids = np.array([self.known[self.names[row]] for row in passed_rows])
        engine.summaries.write(self.workspace.db.conn, run_id, ids, summaries)


def _reason_row(
    run_id: int, unit_id: int | None, unit: str | None, reason: Reason
) -> tuple[Any, ...]:
    return (
        run_id,
        unit_id,
        unit if unit is not None else reason.unit,
        reason.code,
        str(reason.severity),
        reason.feature,
        reason.source,
        reason.measured,
        reason.limit,
        reason.message,
    )


# Reading stored runs ----------------------------------------------------------------


def latest_run(workspace: Workspace) -> StoredRun | None:
    """The newest stored run, whatever its status, or None."""
    run_id = workspace.scalar("SELECT MAX(id) FROM forecast_runs")
    return None if run_id is None else read_run(workspace, int(run_id))


def read_run(workspace: Workspace, run_id: int) -> StoredRun:
    """One stored run with its reasons, drift measures and per-unit summaries."""
    row = workspace.db.execute(
        f"SELECT {RUN_COLUMNS} FROM forecast_runs WHERE id = ?", (run_id,)
    ).fetchone()
    if row is None:
        raise ForecastError(f"There is no forecast run {run_id} in this workspace.")
    info = run_info(row)

    run_reasons: list[Reason] = []
    unit_reasons: dict[str, list[Reason]] = {}
    for values in workspace.db.execute(
        "SELECT gate_reasons.code, gate_reasons.severity, gate_reasons.message, "
        "COALESCE(gate_reasons.unit_name, units.name), gate_reasons.feature, "
        "gate_reasons.source, gate_reasons.measured, gate_reasons.limit_value "
        "FROM gate_reasons LEFT JOIN units ON units.id = gate_reasons.unit_id "
        "WHERE gate_reasons.run_id = ? ORDER BY gate_reasons.id",
        (run_id,),
    ):
        reason = Reason(
            code=values[0],
            severity=Severity(values[1]),
            message=values[2],
            unit=values[3],
            feature=values[4],
            source=values[5],
            measured=values[6],
            limit=values[7],
        )
        if reason.unit is None:
            run_reasons.append(reason)
        else:
            unit_reasons.setdefault(reason.unit, []).append(reason)

    drift = tuple(
        DriftMeasure(feature, psi, ks, wasserstein, status)
        for feature, psi, ks, wasserstein, status in workspace.db.execute(
            "SELECT feature, psi, ks, wasserstein, status FROM drift_measures "
            "WHERE run_id = ? ORDER BY feature",
            (run_id,),
        )
    )

    stored = engine.summaries.read(workspace.db.conn, run_id, len(info.horizons))
    name_of = {unit_id: name for name, unit_id in workspace.unit_ids().items()}
    stored_names = [name_of.get(int(unit_id), "") for unit_id in stored.unit_ids]
    if "" in stored_names:
        raise ForecastError(
            f"Run {run_id} holds numbers for a unit this workspace no longer has; the "
            "workspace may be damaged. Run the forecast again."
        )
    order = sorted(range(len(stored_names)), key=stored_names.__getitem__)
    units = tuple(stored_names[row] for row in order)
    arrays = {name: values[order] for name, values in stored.arrays.items()}
    return StoredRun(
        info=info,
        run_reasons=tuple(run_reasons),
        unit_reasons={unit: tuple(items) for unit, items in unit_reasons.items()},
        drift=drift,
        units=units,
        _rows={unit: row for row, unit in enumerate(units)},
        **arrays,
    )
