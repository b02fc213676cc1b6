"""The gate: the decision before every forecast run, pass or block with reasons.

``check`` is pure: it reads only its ``GateInputs`` (the feature matrix, what the
workspace knows, the clock, the bundle's status) and returns a ``Decision``; callers
gather those inputs and store the decision with the run. Rules hold per unit (a unit's
stale or faulty data blocks that unit only) and for the whole run (a source stale for
every unit, too many missing values, drift in too many features, a bundle that is
expired, revoked, modified or rolled back). Each reason has a stable code, the unit,
feature or source it is about, the measured value, the limit, and one plain sentence a
field worker can act on.

The checks run on the whole matrix at once with numpy; Python loops only visit units
that have a reason. ``self_test`` perturbs clean synthetic inputs built from the
bundle's reference distributions and makes sure every detector fires, like the test
button of a smoke alarm; ``check`` runs it once per input spec and blocks when a
detector stays silent.

Choices made here, where the issue leaves room:

- A feature whose ``max_missing_share`` is 0 requires a value: a unit without one is
  blocked (``missing_feature``). A feature with a positive share tolerates a missing
  value in some units (the model was trained with them); only a share of units over the
  limit blocks the run (``missing_share``).
- Missing values that a unit's stale data explains are not listed again, and units
  blocked as stale are left out of the missing share.
- Drift is judged on stochastic features only, one value per unit (the row of the first
  horizon; unit-level features repeat across horizons), over known units whose data is
  fresh. Deterministic features (horizon, calendar) are measured and reported but never
  judged: their distribution follows the horizons asked for, not the world.
- Drift statistics from a handful of units are noise, so drift is judged only when at
  least ``MIN_DRIFT_UNITS`` units have values; a smaller run gets a warning that drift
  was not checked.
- A ``valid_until`` given as a date (no time) holds through the end of that day (UTC).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from itertools import repeat

import numpy as np

from engine import drift
from engine.decision import Decision, DriftMeasure, Reason, Severity
from engine.errors import GateError
from engine.manifest import Manifest, TrainingSnapshot
from engine.months import first_day, month_index, month_name
from engine.spec import FeatureSpec, InputSpec, OutputSpec

log = logging.getLogger(__name__)

# Fewest units with values for a feature's drift to be judged.
MIN_DRIFT_UNITS = 100
# Units per block when looking for units with a problem value (see _Matrix._values).
_INSPECTION_BLOCK_UNITS = 32
# Rows sampled from the matrix to measure a deterministic feature (reported only).
DETERMINISTIC_SAMPLE_ROWS = 5_000

# Stable reason codes.
STALE_DATA = "stale_data"
STALE_SOURCE = "stale_source"
MISSING_FEATURE = "missing_feature"
NON_FINITE = "non_finite"
MISSING_SHARE = "missing_share"
OUT_OF_RANGE = "out_of_range"
UNKNOWN_UNIT = "unknown_unit"
WRONG_TYPE = "wrong_type"
DRIFT = "drift"
DRIFT_WARNING = "drift_warning"
DRIFT_NOT_CHECKED = "drift_not_checked"
BUNDLE_NOT_YET_VALID = "bundle_not_yet_valid"
BUNDLE_EXPIRED = "bundle_expired"
BUNDLE_VALIDITY_UNREADABLE = "bundle_validity_unreadable"
BUNDLE_REVOKED = "bundle_revoked"
BUNDLE_MODIFIED = "bundle_modified"
RELEASE_ROLLBACK = "release_rollback"
CLOCK_BEHIND_FLOOR = "clock_behind_floor"
SELF_TEST_FAILED = "self_test_failed"


@dataclass(frozen=True)
class BundleStatus:
    """What the workspace knows about the bundle beyond its manifest."""

    revoked: str | None  # the kill-switch's reason when revoked, else None
    files_intact: bool  # Bundle.verify() found no changed, missing or extra file
    highest_release_seen: int | None  # for its model line, before this bundle
    problems: tuple[str, ...] = ()  # what verify found, for the message


@dataclass(frozen=True)
class GateInputs:
    """Everything the gate looks at for one forecast run."""

    manifest: Manifest
    origin: int  # month index (engine.months)
    units: tuple[str, ...]  # units asked for, the row order of `features`
    features: np.ndarray  # float32 [len(units) * len(horizons), F], unit-major
    horizons: tuple[int, ...]
    known_units: frozenset[str]  # units in the workspace
    last_months: Mapping[str, Mapping[str, int]]  # source -> unit -> last month
    now: dt.datetime  # the device clock (UTC)
    time_floor: dt.datetime | None
    bundle_status: BundleStatus


def check(inputs: GateInputs) -> Decision:
    """The gate's decision for one forecast run, including the self-test's verdict.

    The self-test runs once per input spec in this process (see ``self_test``); when
    any detector failed it, its reasons block the run.
    """
    decision = evaluate(inputs)
    failures = _self_test_cached(inputs.manifest.input_spec)
    if not failures:
        return decision
    return Decision(
        run_reasons=decision.run_reasons + tuple(failures),
        unit_reasons=decision.unit_reasons,
        drift=decision.drift,
    )


def evaluate(inputs: GateInputs) -> Decision:
    """Every rule over ``inputs``, without the self-test."""
    return _evaluate(inputs, _DriftMemo())


def _evaluate(inputs: GateInputs, memo: _DriftMemo) -> Decision:
    spec = inputs.manifest.input_spec
    run_reasons = _bundle_and_time_reasons(inputs)

    shape_reasons = _matrix_type_reasons(inputs, spec)
    if shape_reasons:
        return Decision(run_reasons=tuple(run_reasons + shape_reasons))

    matrix = _Matrix(inputs, spec)
    run_reasons.extend(matrix.stale_source_reasons)
    run_reasons.extend(matrix.missing_share_reasons())
    measures, drift_reasons = matrix.drift(memo)
    run_reasons.extend(drift_reasons)
    return Decision(
        run_reasons=tuple(run_reasons),
        unit_reasons=matrix.unit_reasons(),
        drift=tuple(measures),
    )


# The bundle and the clock ------------------------------------------------------------


def _bundle_and_time_reasons(inputs: GateInputs) -> list[Reason]:
    manifest = inputs.manifest
    status = inputs.bundle_status
    reasons: list[Reason] = []
    now = _aware(inputs.now)
    floor = None if inputs.time_floor is None else _aware(inputs.time_floor)

    # The clock is never believed below the floor.
    effective = now
    if floor is not None and now < floor:
        effective = floor
        reasons.append(
            Reason(
                CLOCK_BEHIND_FLOOR,
                Severity.WARNING,
                f"This computer's clock shows {_when(now)}, earlier than "
                f"{_when(floor)}, a time this device has already seen; fieldcast "
                "judged the model's validity against the later time. Set the "
                "computer's clock right.",
                measured=_iso(now),
                limit=_iso(floor),
            )
        )

    try:
        valid_from = _parse_moment(manifest.valid_from, end_of_day=False)
        valid_until = _parse_moment(manifest.valid_until, end_of_day=True)
    except ValueError:
        reasons.append(
            Reason(
                BUNDLE_VALIDITY_UNREADABLE,
                Severity.BLOCK,
                f"Model {manifest.id} states its validity as '{manifest.valid_from}' "
                f"to '{manifest.valid_until}', which fieldcast cannot read; ask the "
                "regional office for a rebuilt model.",
                measured=f"{manifest.valid_from} to {manifest.valid_until}",
            )
        )
    else:
        if effective < valid_from:
            reasons.append(
                Reason(
                    BUNDLE_NOT_YET_VALID,
                    Severity.BLOCK,
                    f"Model {manifest.id} may be used only from {_when(valid_from)}; "
                    "until then activate the previous model, or check the "
                    "computer's clock if that date has passed.",
                    measured=_iso(effective),
                    limit=_iso(valid_from),
                )
            )
        if effective > valid_until:
            reasons.append(
                Reason(
                    BUNDLE_EXPIRED,
                    Severity.BLOCK,
                    f"Model {manifest.id} expired on {_when(valid_until)}; import a "
                    "newer model from the regional office, or sync.",
                    measured=_iso(effective),
                    limit=_iso(valid_until),
                )
            )

    if status.revoked is not None:
        reasons.append(
            Reason(
                BUNDLE_REVOKED,
                Severity.BLOCK,
                f"Model {manifest.id} was withdrawn ({status.revoked}); activate "
                "another model or import its replacement from the regional office.",
                measured="revoked",
            )
        )
    if not status.files_intact:
        found = "; ".join(status.problems) or "a file changed"
        reasons.append(
            Reason(
                BUNDLE_MODIFIED,
                Severity.BLOCK,
                f"The files of model {manifest.id} changed on disk after it was "
                f"imported ({found}); import it again from its original package.",
                measured="modified",
            )
        )
    highest = status.highest_release_seen
    if highest is not None and manifest.release < highest:
        reasons.append(
            Reason(
                RELEASE_ROLLBACK,
                Severity.BLOCK,
                f"Model {manifest.id} is release {manifest.release} of "
                f"'{manifest.model_line}', older than release {highest} already "
                f"seen on this device; import release {highest} or newer.",
                measured=str(manifest.release),
                limit=str(highest),
            )
        )
    return reasons


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _parse_moment(text: str, *, end_of_day: bool) -> dt.datetime:
    text = str(text).strip()
    if len(text) == 10:  # a date: valid from its start, until its end
        day = dt.date.fromisoformat(text)
        start = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
        if end_of_day:
            return start + dt.timedelta(days=1) - dt.timedelta(microseconds=1)
        return start
    return _aware(dt.datetime.fromisoformat(text))


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat()


def _when(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%d %B %Y, %H:%M UTC")


# The matrix's type and shape ----------------------------------------------------------

_INTEGRAL_KINDS = "iub"


def _matrix_type_reasons(inputs: GateInputs, spec: InputSpec) -> list[Reason]:
    """Run-level reasons when the matrix cannot be what the spec describes."""
    features = inputs.features
    expected = (len(inputs.units) * len(inputs.horizons), len(spec.features))
    problem = None
    if not isinstance(features, np.ndarray):
        problem = f"a {type(features).__name__}, not a numeric table"
    elif features.dtype != np.float32:
        problem = f"of type {features.dtype}, not float32"
    elif features.shape != expected:
        problem = (
            f"shaped {features.shape}, not {expected} (units x horizons, features)"
        )
    elif len(inputs.units) and not len(inputs.horizons):
        problem = "without any horizon"
    if problem is not None:
        return [
            Reason(
                WRONG_TYPE,
                Severity.BLOCK,
                f"The model's input table is {problem}; this is a fault in "
                "fieldcast or the model, so report it to the regional office.",
                measured=problem,
                limit=f"float32 {expected}",
            )
        ]

    reasons = []
    for feature in spec.features:
        try:
            numeric = np.dtype(feature.dtype).kind in "fiub"
        except TypeError:
            numeric = False
        if not numeric:
            reasons.append(
                Reason(
                    WRONG_TYPE,
                    Severity.BLOCK,
                    f"The model declares its input {feature.name} as "
                    f"'{feature.dtype}', a type fieldcast cannot supply; ask the "
                    "regional office for a rebuilt model.",
                    feature=feature.name,
                    measured=feature.dtype,
                    limit="a numeric type",
                )
            )
    return reasons


# The per-unit and per-feature rules ---------------------------------------------------


class _Matrix:
    """The feature matrix's checks, computed once as masks over units and features."""

    def __init__(self, inputs: GateInputs, spec: InputSpec) -> None:
        self.inputs = inputs
        self.spec = spec
        self.features = spec.features
        units = len(inputs.units)
        horizons = max(len(inputs.horizons), 1)
        self.cube = inputs.features.reshape(units, horizons, len(spec.features))

        self.unknown_workspace = _not_in(inputs.units, inputs.known_units)
        if not spec.units or spec.units == inputs.units:
            self.unknown_model = np.zeros(units, dtype=bool)
        else:
            self.unknown_model = _not_in(inputs.units, frozenset(spec.units))
        self.unknown = self.unknown_workspace | self.unknown_model
        self.known = ~self.unknown

        self._staleness()
        self._values()

    # Staleness ---------------------------------------------------------------------

    def _staleness(self) -> None:
        inputs, spec = self.inputs, self.spec
        units = len(inputs.units)
        sources: list[str] = []
        for feature in self.features:
            sources.extend(s for s in feature.sources if s not in sources)

        self.sources = sources
        self.stale_by_source: dict[str, np.ndarray] = {}  # unit-level only
        self.last_by_source: dict[str, np.ndarray] = {}
        self.run_stale_sources: set[str] = set()
        self.stale_source_reasons: list[Reason] = []
        never = np.iinfo(np.int64).min

        for source in sources:
            try:
                limit = spec.source(source).max_staleness_months
            except KeyError:
                raise GateError(
                    f"The model's input spec uses the source '{source}' but gives no "
                    "staleness limit for it; ask the regional office for a rebuilt "
                    "model."
                ) from None
            seen = inputs.last_months.get(source, {})
            last = np.fromiter(
                map(seen.get, inputs.units, repeat(never)), dtype=np.int64, count=units
            )
            # Months of lag past the limit; units with no data at all are stale too.
            stale = (last == never) | (inputs.origin - last > limit)
            self.last_by_source[source] = last

            known_count = int(self.known.sum())
            if known_count >= 2 and bool(stale[self.known].all()):
                self.run_stale_sources.add(source)
                self.stale_source_reasons.append(
                    self._stale_source_reason(source, limit, last)
                )
                stale = np.zeros(units, dtype=bool)
            self.stale_by_source[source] = stale & self.known

        # Which unit and feature pairs a stale source explains.
        self.feature_stale = np.zeros((units, len(self.features)), dtype=bool)
        for column, feature in enumerate(self.features):
            for source in feature.sources:
                if source in self.run_stale_sources:
                    self.feature_stale[:, column] = True
                else:
                    self.feature_stale[:, column] |= self.stale_by_source[source]

    def _stale_source_reason(self, source: str, limit: int, last: np.ndarray) -> Reason:
        origin = self.inputs.origin
        needed = origin - limit
        known_last = last[self.known]
        observed = known_last[known_last != np.iinfo(np.int64).min]
        if observed.size:
            latest = int(observed.max())
            ends = f"ends in {month_name(latest)} for every unit"
            measured = f"{origin - latest} months"
        else:
            ends = "is missing for every unit"
            measured = "no data"
        return Reason(
            STALE_SOURCE,
            Severity.BLOCK,
            f"Data from {_source_label(self.spec, source)} {ends}; this model needs "
            f"data up to at least {month_name(needed)} for a forecast from "
            f"{month_name(origin)}. Import the {month_name(needed)} data package or "
            "sync.",
            source=source,
            measured=measured,
            limit=f"{limit} months",
        )

    # Values ------------------------------------------------------------------------

    def _values(self) -> None:
        cube = self.cube
        units, features = cube.shape[0], cube.shape[2]
        lower = np.array(
            [-np.inf if f.minimum is None else f.minimum for f in self.features]
        )
        upper = np.array(
            [np.inf if f.maximum is None else f.maximum for f in self.features]
        )

        # Each unit's smallest and largest value per feature (``lowest``, ``highest``)
        # are kept only for units looked at closely: the others have no missing,
        # infinite or out-of-range value.
        self.lowest = np.zeros((units, features), dtype=cube.dtype)
        self.highest = np.zeros((units, features), dtype=cube.dtype)
        self.nan = np.zeros((units, features), dtype=bool)
        self.inf = np.zeros((units, features), dtype=bool)
        self.low = np.zeros((units, features), dtype=bool)
        self.high = np.zeros((units, features), dtype=bool)
        suspects = self._units_to_inspect(lower, upper)
        if suspects is None:
            self._inspect(slice(None), cube, lower, upper)
        elif suspects.size:
            self._inspect(suspects, cube[suspects], lower, upper)

        self.fraction = np.zeros((units, features), dtype=bool)
        for column, feature in enumerate(self.features):
            if _integral(feature):
                values = cube[:, :, column]
                whole = np.where(np.isfinite(values), values, 0.0)
                self.fraction[:, column] = (whole != np.round(whole)).any(axis=1)

        required = np.array([f.max_missing_share == 0 for f in self.features])
        self.missing = self.nan & required[None, :] & ~self.feature_stale

    def _units_to_inspect(
        self, lower: np.ndarray, upper: np.ndarray
    ) -> np.ndarray | None:
        """Units that may have a missing, infinite or out-of-range value; None: all.

        Found from the smallest and largest values of blocks of units: one pass over
        the matrix, its rows read a unit at a time (a contiguous run of horizons x
        features), instead of a pass a horizon at a time per unit.
        """
        units, horizons, features = self.cube.shape
        if units == 0:
            return np.zeros(0, dtype=np.int64)
        rows = self.inputs.features.reshape(units, horizons * features)
        size = _INSPECTION_BLOCK_UNITS
        whole = units // size
        blocks = -(-units // size)
        smallest = np.empty((blocks, horizons * features), dtype=rows.dtype)
        largest = np.empty((blocks, horizons * features), dtype=rows.dtype)
        grouped = rows[: whole * size].reshape(whole, size, horizons * features)
        np.minimum.reduce(grouped, axis=1, out=smallest[:whole])
        np.maximum.reduce(grouped, axis=1, out=largest[:whole])
        if whole < blocks:
            np.minimum.reduce(rows[whole * size :], axis=0, out=smallest[whole])
            np.maximum.reduce(rows[whole * size :], axis=0, out=largest[whole])
        # Both carry NaN where any value is NaN.
        smallest = np.minimum.reduce(
            smallest.reshape(blocks, horizons, features), axis=1
        )
        largest = np.maximum.reduce(largest.reshape(blocks, horizons, features), axis=1)
        clean = (
            np.isfinite(smallest)
            & np.isfinite(largest)
            & (smallest >= lower)
            & (largest <= upper)
        ).all(axis=1)

        flagged = np.flatnonzero(~clean)
        if flagged.size * size * 2 > units:
            return None  # most units: cheaper than copying them out
        suspects = (flagged[:, None] * size + np.arange(size)).ravel()
        return suspects[suspects < units]

    def _inspect(
        self,
        rows: np.ndarray | slice,
        cube: np.ndarray,
        lower: np.ndarray,
        upper: np.ndarray,
    ) -> None:
        """The masks of ``_values`` for some units: ``cube`` holds their rows."""
        # Each unit's smallest and largest value per feature, a horizon at a time.
        # Both carry NaN where any value is NaN, and one of them an infinity where any
        # value is infinite: only those units are then looked at closely.
        lowest = cube[:, 0, :].copy()
        highest = cube[:, 0, :].copy()
        for horizon in range(1, cube.shape[1]):
            np.minimum(lowest, cube[:, horizon, :], out=lowest)
            np.maximum(highest, cube[:, horizon, :], out=highest)
        suspect = ~(np.isfinite(lowest) & np.isfinite(highest))
        suspect_units = np.flatnonzero(suspect.any(axis=1))
        nan = np.zeros(lowest.shape, dtype=bool)
        inf = np.zeros(lowest.shape, dtype=bool)
        if suspect_units.size:
            suspects = cube[suspect_units]
            nan[suspect_units] = np.isnan(suspects).any(axis=1)
            inf[suspect_units] = np.isinf(suspects).any(axis=1)
            # fmin and fmax skip NaN: missing values are their own rule.
            lowest[suspect_units] = np.fmin.reduce(suspects, axis=1)
            highest[suspect_units] = np.fmax.reduce(suspects, axis=1)

        # Infinities are their own rule too.
        self.low[rows] = np.isfinite(lowest) & (lowest < lower[None, :])
        self.high[rows] = np.isfinite(highest) & (highest > upper[None, :])
        self.lowest[rows] = lowest
        self.highest[rows] = highest
        self.nan[rows] = nan
        self.inf[rows] = inf

    def missing_share_reasons(self) -> list[Reason]:
        # Per feature: the known units with fresh data, and how many lack a value.
        eligible = self.known[:, None] & ~self.feature_stale
        counts = eligible.sum(axis=0).tolist()
        missing = (self.nan & eligible).sum(axis=0).tolist()
        reasons = []
        for column, feature in enumerate(self.features):
            if feature.max_missing_share == 0:
                continue  # each unit's own missing_feature rule covers it
            count = counts[column]
            if not count:
                continue
            share = float(missing[column]) / count
            if share > feature.max_missing_share:
                reasons.append(
                    Reason(
                        MISSING_SHARE,
                        Severity.BLOCK,
                        f"{share:.1%} of units have no value for {feature.name} "
                        f"({_describe(feature)}), more than the "
                        f"{feature.max_missing_share:.1%} this model allows; import "
                        "the missing data or sync before forecasting.",
                        feature=feature.name,
                        measured=f"{share:.6g}",
                        limit=f"{feature.max_missing_share:.6g}",
                    )
                )
        return reasons

    # Drift -------------------------------------------------------------------------

    def _drift_columns(self) -> list[np.ndarray]:
        """Each feature's finite values that drift is measured on.

        Stochastic features: one value per known unit with fresh data (the first
        horizon's row). Deterministic ones: an even sample of all rows.
        """
        rows = _row_sample_slice(len(self.inputs.features), len(self.inputs.horizons))
        sampled = self.inputs.features[rows]
        first = self.cube[:, 0, :]
        keep = self.known[:, None] & ~self.feature_stale & np.isfinite(first)
        columns = []
        for column, feature in enumerate(self.features):
            if feature.tag == "stochastic":
                columns.append(first[:, column][keep[:, column]])
            else:
                values = sampled[:, column]
                columns.append(values[np.isfinite(values)])
        return columns

    def drift(self, memo: _DriftMemo) -> tuple[list[DriftMeasure], list[Reason]]:
        limits = self.spec.drift
        measures: list[DriftMeasure] = []
        judged: list[str] = []
        flagged: list[tuple[FeatureSpec, float, float, str]] = []
        too_few: list[str] = []
        columns = self._drift_columns()
        measured = memo.measure(self.features, columns)

        for feature, values, (psi, ks, wasserstein) in zip(
            self.features, columns, measured, strict=True
        ):
            status = drift.OK
            if feature.tag == "stochastic":
                if values.size >= MIN_DRIFT_UNITS:
                    judged.append(feature.name)
                    status = drift.classify(psi, ks, limits)
                    if status != drift.OK:
                        flagged.append((feature, psi, ks, status))
                else:
                    too_few.append(feature.name)
            measures.append(
                DriftMeasure(feature.name, psi, ks, wasserstein, status=status)
            )

        reasons: list[Reason] = []
        drifted = [item for item in flagged if item[3] == drift.DRIFTED]
        share = len(drifted) / len(judged) if judged else 0.0
        if judged and share > limits.max_drifted_share:
            names = ", ".join(item[0].name for item in drifted)
            reasons.append(
                Reason(
                    DRIFT,
                    Severity.BLOCK,
                    f"{len(drifted)} of {len(judged)} inputs ({names}) differ "
                    "strongly from the data this model was trained on, more than "
                    f"the {limits.max_drifted_share:.0%} of inputs it allows; its "
                    "forecasts could mislead, so ask the regional office for a "
                    "newer model.",
                    measured=f"{share:.6g}",
                    limit=f"{limits.max_drifted_share:.6g}",
                )
            )
        else:
            for feature, psi, ks, status in flagged:
                strongly = "strongly " if status == drift.DRIFTED else ""
                reasons.append(
                    Reason(
                        DRIFT_WARNING,
                        Severity.WARNING,
                        f"Current values of {feature.name} ({_describe(feature)}) "
                        f"differ {strongly}from the data this model was trained on; "
                        "read its forecasts with extra care and tell the regional "
                        "office if this persists.",
                        feature=feature.name,
                        measured=f"PSI {psi:.3g}, KS {ks:.3g}",
                        limit=(
                            f"PSI {limits.psi_warning:.3g}, KS {limits.ks_warning:.3g}"
                        ),
                    )
                )
        if too_few:
            reasons.append(
                Reason(
                    DRIFT_NOT_CHECKED,
                    Severity.WARNING,
                    f"Drift from the training data was not checked: fewer than "
                    f"{MIN_DRIFT_UNITS} units had current values. Forecast all "
                    "units together to have it checked.",
                    measured=f"{len(too_few)} inputs",
                    limit=f"{MIN_DRIFT_UNITS} units",
                )
            )
        return measures, reasons

    # Reasons per unit --------------------------------------------------------------

    def unit_reasons(self) -> dict[str, tuple[Reason, ...]]:
        per_unit_feature = (
            self.missing | self.inf | self.low | self.high | self.fraction
        ).any(axis=1)
        any_stale = np.zeros(len(self.inputs.units), dtype=bool)
        for stale in self.stale_by_source.values():
            any_stale |= stale
        flagged = np.flatnonzero(self.unknown | any_stale | per_unit_feature)

        result: dict[str, tuple[Reason, ...]] = {}
        for row in flagged.tolist():
            unit = self.inputs.units[row]
            if self.unknown[row]:
                result[unit] = (self._unknown_reason(row, unit),)
                continue
            reasons = [
                self._stale_reason(unit, source, int(self.last_by_source[source][row]))
                for source in self.sources
                if self.stale_by_source[source][row]
            ]
            for column in np.flatnonzero(self.missing[row]):
                reasons.append(self._missing_reason(unit, self.features[column]))
            for column in np.flatnonzero(self.inf[row]):
                reasons.append(self._non_finite_reason(unit, self.features[column]))
            for column in np.flatnonzero(self.low[row] | self.high[row]):
                value = (
                    self.lowest[row, column]
                    if self.low[row, column]
                    else self.highest[row, column]
                )
                reasons.append(
                    self._range_reason(unit, self.features[column], float(value))
                )
            for column in np.flatnonzero(self.fraction[row]):
                reasons.append(self._fraction_reason(unit, self.features[column]))
            result[unit] = tuple(reasons)
        return result

    def _unknown_reason(self, row: int, unit: str) -> Reason:
        if self.unknown_workspace[row]:
            return Reason(
                UNKNOWN_UNIT,
                Severity.BLOCK,
                f"{unit} is not a unit in this workspace; check the name, or "
                "import its data first.",
                unit=unit,
                measured="not in the workspace",
            )
        return Reason(
            UNKNOWN_UNIT,
            Severity.BLOCK,
            f"This model was not built for {unit}, so it cannot forecast it; ask "
            "the regional office for a model that covers it.",
            unit=unit,
            measured="not in the model",
        )

    def _stale_reason(self, unit: str, source: str, last: int) -> Reason:
        origin = self.inputs.origin
        limit = self.spec.source(source).max_staleness_months
        needed = origin - limit
        label = _source_label(self.spec, source)
        if last == np.iinfo(np.int64).min:
            return Reason(
                STALE_DATA,
                Severity.BLOCK,
                f"There is no data from {label} for {unit}; this model needs data "
                f"up to at least {month_name(needed)} for a forecast from "
                f"{month_name(origin)}. Import a data package from {label} that "
                f"covers {unit}, or sync.",
                unit=unit,
                source=source,
                measured="no data",
                limit=f"{limit} months",
            )
        return Reason(
            STALE_DATA,
            Severity.BLOCK,
            f"Data from {label} for {unit} ends in {month_name(last)}; this model "
            f"needs data up to at least {month_name(needed)} for a forecast from "
            f"{month_name(origin)}. Import the {month_name(needed)} data package or "
            "sync.",
            unit=unit,
            source=source,
            measured=f"{origin - last} months",
            limit=f"{limit} months",
        )

    def _missing_reason(self, unit: str, feature: FeatureSpec) -> Reason:
        return Reason(
            MISSING_FEATURE,
            Severity.BLOCK,
            f"{unit} has no value for {feature.name} ({_describe(feature)}), which "
            f"this model requires; import {unit}'s missing data for the months "
            f"before {month_name(self.inputs.origin)}, or sync.",
            unit=unit,
            feature=feature.name,
            measured="missing",
            limit="required",
        )

    def _non_finite_reason(self, unit: str, feature: FeatureSpec) -> Reason:
        return Reason(
            NON_FINITE,
            Severity.BLOCK,
            f"{unit} has an infinite value for {feature.name} "
            f"({_describe(feature)}), so the data behind it is damaged; import "
            f"{unit}'s data again or ask the regional office.",
            unit=unit,
            feature=feature.name,
            measured="infinite",
            limit="a finite number",
        )

    def _range_reason(self, unit: str, feature: FeatureSpec, value: float) -> Reason:
        span = f"{_number(feature.minimum)} to {_number(feature.maximum)}"
        return Reason(
            OUT_OF_RANGE,
            Severity.BLOCK,
            f"{unit}'s value {value:.6g} for {feature.name} ({_describe(feature)}) "
            f"is outside what this model accepts ({span}); check {unit}'s data for "
            "errors and import a corrected file.",
            unit=unit,
            feature=feature.name,
            measured=f"{value:.6g}",
            limit=span,
        )

    def _fraction_reason(self, unit: str, feature: FeatureSpec) -> Reason:
        return Reason(
            WRONG_TYPE,
            Severity.BLOCK,
            f"{unit} has a fractional value for {feature.name}, which this model "
            f"takes as whole numbers ({feature.dtype}); check {unit}'s data for "
            "errors and import a corrected file.",
            unit=unit,
            feature=feature.name,
            measured="fractional",
            limit=feature.dtype,
        )


def _not_in(units: tuple[str, ...], known: frozenset[str]) -> np.ndarray:
    """Which of ``units`` are not in ``known``, as a mask."""
    if known.issuperset(units):  # the usual case, at C speed
        return np.zeros(len(units), dtype=bool)
    return np.array([unit not in known for unit in units], dtype=bool)


class _DriftMemo:
    """Drift measures already taken, by feature reference and exact current values.

    A check starts with an empty one. The self-test shares one between its clean
    inputs and its probes, so a probe measures afresh only the features whose values
    it changed, through the same code as a check.
    """

    def __init__(self) -> None:
        # (reference id, value count) -> (reference, values, measures); the reference
        # is held so that its id stays its own.
        self._seen: dict[
            tuple[int, int], list[tuple[object, np.ndarray, tuple[float, float, float]]]
        ] = {}

    def _find(
        self, feature: FeatureSpec, values: np.ndarray
    ) -> tuple[float, float, float] | None:
        for reference, seen, measures in self._seen.get(
            (id(feature.reference), len(values)), ()
        ):
            if (
                reference is feature.reference
                and seen.dtype == values.dtype
                and seen.tobytes() == values.tobytes()
            ):
                return measures
        return None

    def measure(
        self, features: tuple[FeatureSpec, ...], columns: list[np.ndarray]
    ) -> list[tuple[float, float, float]]:
        results = [
            self._find(feature, values)
            for feature, values in zip(features, columns, strict=True)
        ]
        missing = [i for i, result in enumerate(results) if result is None]
        if missing:
            measured = drift.measure_all(
                [columns[i] for i in missing],
                [features[i].reference for i in missing],
            )
            for i, measures in zip(missing, measured, strict=True):
                results[i] = measures
                reference = features[i].reference
                self._seen.setdefault((id(reference), len(columns[i])), []).append(
                    (reference, columns[i].copy(), measures)
                )
        return [result for result in results if result is not None]


def _integral(feature: FeatureSpec) -> bool:
    try:
        return np.dtype(feature.dtype).kind in _INTEGRAL_KINDS
    except TypeError:
        return False


def _row_sample_slice(rows: int, horizons: int) -> slice:
    """At most about DETERMINISTIC_SAMPLE_ROWS rows, evenly over units and horizons.

    A stride that shares no factor with the number of horizons visits every horizon
    equally often.
    """
    stride = max(1, rows // DETERMINISTIC_SAMPLE_ROWS)
    while math.gcd(stride, max(horizons, 1)) != 1:
        stride += 1
    return slice(None, None, stride)


def _source_label(spec: InputSpec, source: str) -> str:
    description = spec.source(source).description.strip()
    return description or f"source '{source}'"


def _describe(feature: FeatureSpec) -> str:
    text = feature.description.strip().rstrip(".") or feature.name
    return text[:1].lower() + text[1:] if not text[:2].isupper() else text


def _number(value: float | None) -> str:
    if value is None:
        return "any"
    return f"{value:.6g}"


# The self-test -----------------------------------------------------------------------

_SELF_TEST_UNITS = 120
_SELF_TEST_HORIZONS = (1, 2, 3)
_SELF_TEST_ORIGIN = month_index(2024, 6)
_SELF_TEST_NOW = first_day(_SELF_TEST_ORIGIN + 1)
_self_test_results: dict[InputSpec, tuple[Reason, ...]] = {}


@dataclass(frozen=True)
class _Probe:
    """One detector's test: a perturbation of clean inputs and the code it must raise.

    ``perturb`` returns None when the detector cannot apply to this spec (no feature
    with a range has no range check to test).
    """

    what: str  # the detector in plain words
    code: str
    perturb: Callable[[GateInputs, InputSpec], GateInputs | None]


def self_test(spec: InputSpec) -> list[Reason]:
    """Perturb clean inputs made from ``spec``; empty when every detector fires.

    The clean inputs are synthetic units whose values follow each feature's reference
    distribution, with fresh data and a valid, intact bundle; they must pass without a
    block. Then each probe breaks one thing (stale coverage, a missing or infinite
    value, a value out of range, an unknown unit, the wrong type, a shifted
    distribution, an expired, future, revoked, modified or rolled-back bundle, a clock
    behind the floor) and its detector must fire. Each failure is a blocking reason.
    Every probe runs the whole of ``evaluate``'s code; drift measures are shared
    between them (``_DriftMemo``), so a probe measures afresh only the features whose
    values it changed.
    """
    # Synthetic units stand in for the model's own; one probe restores the check.
    spec = replace(spec, units=())
    clean = _clean_inputs(spec)
    memo = _DriftMemo()
    baseline = _evaluate(clean, memo)
    failures: list[Reason] = []
    baseline_codes = {reason.code for reason in baseline.all_reasons()}
    blocking = [r for r in baseline.all_reasons() if r.severity is Severity.BLOCK]
    if blocking:
        failures.append(
            _self_test_failure(
                "clean inputs",
                "the gate blocked clean inputs made from this model's own "
                f"reference data ({blocking[0].code})",
            )
        )

    for probe in _PROBES:
        perturbed = probe.perturb(clean, spec)
        if perturbed is None:
            continue
        try:
            decision = _evaluate(perturbed, memo)
            codes = {reason.code for reason in decision.all_reasons()}
        except Exception as err:  # a detector that crashes has not fired
            log.warning("self-test probe %s raised", probe.code, exc_info=True)
            codes = set()
            failures.append(_self_test_failure(probe.what, f"it failed ({err})"))
            continue
        if probe.code not in codes or probe.code in baseline_codes:
            failures.append(_self_test_failure(probe.what, "it did not fire"))
    if failures:
        log.warning("gate self-test failed: %s", [r.measured for r in failures])
    return failures


def _self_test_cached(spec: InputSpec) -> tuple[Reason, ...]:
    if spec not in _self_test_results:
        _self_test_results[spec] = tuple(self_test(spec))
    return _self_test_results[spec]


def forget_self_tests() -> None:
    """Drop remembered self-test results, so the next ``check`` runs it afresh."""
    _self_test_results.clear()


def _self_test_failure(what: str, detail: str) -> Reason:
    return Reason(
        SELF_TEST_FAILED,
        Severity.BLOCK,
        f"The gate's self-test found that its check for {what} does not work "
        f"({detail}), so no forecast can be trusted; report this to the regional "
        "office.",
        measured=what,
        limit="every check fires",
    )


def _clean_inputs(spec: InputSpec) -> GateInputs:
    units = tuple(f"self-test unit {i:03d}" for i in range(_SELF_TEST_UNITS))
    horizons = _SELF_TEST_HORIZONS
    matrix = np.empty((len(units) * len(horizons), len(spec.features)), np.float32)
    for column, feature in enumerate(spec.features):
        # Values spread evenly over the reference's quantile function.
        quantiles = np.asarray(feature.reference.quantiles, dtype=np.float64)
        steps = np.linspace(0.0, 1.0, len(quantiles))
        if feature.tag == "stochastic":
            values = np.interp(_spread(len(units), column), steps, quantiles)
            values = np.repeat(values, len(horizons))
        else:
            values = np.interp(_spread(matrix.shape[0], column), steps, quantiles)
        matrix[:, column] = np.round(values) if _integral(feature) else values
    sources = {source for feature in spec.features for source in feature.sources}
    return GateInputs(
        manifest=_self_test_manifest(spec),
        origin=_SELF_TEST_ORIGIN,
        units=units,
        features=matrix,
        horizons=horizons,
        known_units=frozenset(units),
        last_months={s: dict.fromkeys(units, _SELF_TEST_ORIGIN) for s in sources},
        now=_SELF_TEST_NOW,
        time_floor=_SELF_TEST_NOW - dt.timedelta(days=1),
        bundle_status=BundleStatus(
            revoked=None, files_intact=True, highest_release_seen=2
        ),
    )


def _spread(count: int, shift: int) -> np.ndarray:
    """Levels ``(i + 0.5) / count`` for i below ``count``, in a scrambled order.

    A stride that shares no factor with ``count`` visits every level once; each shift
    gives another order, so features do not all rise together across units. (No
    random generator: importing numpy.random alone costs a first check 15 ms.)
    """
    stride = 7
    while math.gcd(stride, count) != 1:
        stride += 2
    order = (np.arange(count) * stride + shift) % count
    return (order + 0.5) / count


def _self_test_manifest(spec: InputSpec) -> Manifest:
    day = dt.timedelta(days=1)
    return Manifest(
        id="self-test",
        model_line="self-test",
        release=2,
        created=_iso(_SELF_TEST_NOW - 2 * day),
        valid_from=_iso(_SELF_TEST_NOW - day),
        valid_until=_iso(_SELF_TEST_NOW + 30 * day),
        code_version="self-test",
        training=TrainingSnapshot("", 0, "", "", {}, 0),
        parameters={},
        seeds={},
        priors={},
        input_spec=spec,
        output_spec=OutputSpec(
            target=spec.target_variable,
            transform="identity",
            draws=1,
            horizons=_SELF_TEST_HORIZONS,
        ),
        evaluation={},
        model_card={},
        files={},
        graph="self-test.onnx",
    )


def _first_source(spec: InputSpec) -> tuple[str, int] | None:
    for feature in spec.features:
        for source in feature.sources:
            return source, spec.source(source).max_staleness_months
    return None


def _stale_one(inputs: GateInputs, spec: InputSpec) -> GateInputs | None:
    found = _first_source(spec)
    if found is None:
        return None
    source, limit = found
    last = dict(inputs.last_months[source])
    last[inputs.units[0]] = inputs.origin - limit - 1
    return replace(inputs, last_months={**inputs.last_months, source: last})


def _stale_all(inputs: GateInputs, spec: InputSpec) -> GateInputs | None:
    found = _first_source(spec)
    if found is None:
        return None
    source, limit = found
    last = dict.fromkeys(inputs.units, inputs.origin - limit - 1)
    return replace(inputs, last_months={**inputs.last_months, source: last})


def _with_cell(
    inputs: GateInputs, column: int, value: float, every_unit: bool = False
) -> GateInputs:
    matrix = inputs.features.copy()
    rows = slice(None) if every_unit else slice(0, len(inputs.horizons))
    matrix[rows, column] = value
    return replace(inputs, features=matrix)


def _missing_value(inputs: GateInputs, spec: InputSpec) -> GateInputs | None:
    for column, feature in enumerate(spec.features):
        if feature.max_missing_share == 0:
            return _with_cell(inputs, column, np.nan)
    return None


def _missing_share(inputs: GateInputs, spec: InputSpec) -> GateInputs | None:
    for column, feature in enumerate(spec.features):
        if 0 < feature.max_missing_share < 1:
            return _with_cell(inputs, column, np.nan, every_unit=True)
    return None


def _infinite_value(inputs: GateInputs, spec: InputSpec) -> GateInputs | None:
    return _with_cell(inputs, 0, np.inf)


def _out_of_range(inputs: GateInputs, spec: InputSpec) -> GateInputs | None:
    for column, feature in enumerate(spec.features):
        if feature.maximum is not None:
            return _with_cell(inputs, column, _beyond(feature.maximum, +1))
        if feature.minimum is not None:
            return _with_cell(inputs, column, _beyond(feature.minimum, -1))
    return None


def _beyond(bound: float, direction: int) -> float:
    # Far enough past the bound to survive float32 rounding.
    return float(bound) + direction * max(1.0, abs(float(bound)) * 1e-3)


def _unknown_unit(inputs: GateInputs, spec: InputSpec) -> GateInputs | None:
    return replace(inputs, known_units=inputs.known_units - {inputs.units[0]})


def _not_in_model(inputs: GateInputs, spec: InputSpec) -> GateInputs | None:
    narrowed = replace(spec, units=inputs.units[1:])
    return replace(inputs, manifest=replace(inputs.manifest, input_spec=narrowed))


def _wrong_type(inputs: GateInputs, spec: InputSpec) -> GateInputs | None:
    return replace(inputs, features=inputs.features.astype(np.float64))


def _stochastic_columns(spec: InputSpec) -> list[int]:
    return [i for i, feature in enumerate(spec.features) if feature.tag == "stochastic"]


def _shifted(inputs: GateInputs, spec: InputSpec, columns: list[int]) -> GateInputs:
    matrix = inputs.features.copy()
    for column in columns:
        quantiles = spec.features[column].reference.quantiles
        spread = float(quantiles[-1]) - float(quantiles[0])
        matrix[:, column] += np.float32(spread + 1.0)
    return replace(inputs, features=matrix)


def _drift_many(inputs: GateInputs, spec: InputSpec) -> GateInputs | None:
    columns = _stochastic_columns(spec)
    if not columns or spec.drift.max_drifted_share >= 1:
        return None
    return _shifted(inputs, spec, columns)


def _drift_one(inputs: GateInputs, spec: InputSpec) -> GateInputs | None:
    columns = _stochastic_columns(spec)
    if not columns or 1 / len(columns) > spec.drift.max_drifted_share:
        return None
    return _shifted(inputs, spec, columns[:1])


def _at(inputs: GateInputs, moment: dt.datetime) -> GateInputs:
    return replace(inputs, now=moment, time_floor=None)


def _expired(inputs: GateInputs, spec: InputSpec) -> GateInputs | None:
    until = _parse_moment(inputs.manifest.valid_until, end_of_day=True)
    return _at(inputs, until + dt.timedelta(seconds=1))


def _not_yet_valid(inputs: GateInputs, spec: InputSpec) -> GateInputs | None:
    start = _parse_moment(inputs.manifest.valid_from, end_of_day=False)
    return _at(inputs, start - dt.timedelta(seconds=1))


def _revoked(inputs: GateInputs, spec: InputSpec) -> GateInputs | None:
    status = replace(inputs.bundle_status, revoked="self-test")
    return replace(inputs, bundle_status=status)


def _modified(inputs: GateInputs, spec: InputSpec) -> GateInputs | None:
    status = replace(inputs.bundle_status, files_intact=False)
    return replace(inputs, bundle_status=status)


def _rolled_back(inputs: GateInputs, spec: InputSpec) -> GateInputs | None:
    status = replace(
        inputs.bundle_status, highest_release_seen=inputs.manifest.release + 1
    )
    return replace(inputs, bundle_status=status)


def _clock_behind(inputs: GateInputs, spec: InputSpec) -> GateInputs | None:
    return replace(inputs, time_floor=inputs.now + dt.timedelta(hours=1))


_PROBES: tuple[_Probe, ...] = (
    _Probe("stale data for one unit", STALE_DATA, _stale_one),
    _Probe("a source stale for every unit", STALE_SOURCE, _stale_all),
    _Probe("missing values", MISSING_FEATURE, _missing_value),
    _Probe("too many missing values", MISSING_SHARE, _missing_share),
    _Probe("infinite values", NON_FINITE, _infinite_value),
    _Probe("values out of range", OUT_OF_RANGE, _out_of_range),
    _Probe("units unknown to the workspace", UNKNOWN_UNIT, _unknown_unit),
    _Probe("units unknown to the model", UNKNOWN_UNIT, _not_in_model),
    _Probe("the input table's type", WRONG_TYPE, _wrong_type),
    _Probe("drift in many inputs", DRIFT, _drift_many),
    _Probe("drift in one input", DRIFT_WARNING, _drift_one),
    _Probe("an expired model", BUNDLE_EXPIRED, _expired),
    _Probe("a model not yet valid", BUNDLE_NOT_YET_VALID, _not_yet_valid),
    _Probe("a withdrawn model", BUNDLE_REVOKED, _revoked),
    _Probe("a model changed on disk", BUNDLE_MODIFIED, _modified),
    _Probe("an older model release", RELEASE_ROLLBACK, _rolled_back),
    _Probe("a clock set back", CLOCK_BEHIND_FLOOR, _clock_behind),
)
