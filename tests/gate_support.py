"""Small input specs, manifests and gate inputs for the gate's tests and benchmark."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import numpy as np

from engine.drift import reference_from_values
from engine.gate import BundleStatus, GateInputs
from engine.manifest import Manifest, TrainingSnapshot
from engine.months import first_day, month_index
from engine.spec import (
    DriftLimits,
    FeatureSpec,
    InputSpec,
    OutputSpec,
    SourceSpec,
)

ORIGIN = month_index(2024, 6)
NOW = first_day(ORIGIN + 1) + dt.timedelta(days=3)
SOURCE = "ucdp"
HORIZONS = (1, 2, 3)

# A training-like sample per feature: zero-heavy log counts and a share in [0, 1].
_RNG = np.random.default_rng(7)
_LOG_COUNTS = np.log1p(
    np.where(_RNG.random(20_000) < 0.6, 0.0, _RNG.lognormal(1.5, 1.2, 20_000))
)
_SHARES = np.clip(_RNG.beta(0.6, 2.0, 20_000), 0, 1)


def stochastic(
    name: str,
    sample: np.ndarray = _LOG_COUNTS,
    minimum: float | None = 0.0,
    maximum: float | None = 20.0,
    max_missing_share: float = 0.0,
    sources: tuple[str, ...] = (SOURCE,),
) -> FeatureSpec:
    return FeatureSpec(
        name=name,
        description=f"Test feature {name}",
        dtype="float32",
        tag="stochastic",
        variables=("ged_sb",),
        sources=sources,
        minimum=minimum,
        maximum=maximum,
        max_missing_share=max_missing_share,
        reference=reference_from_values(sample),
    )


def horizon_feature() -> FeatureSpec:
    horizons = np.tile(np.arange(1, 37, dtype=np.float64), 100)
    return FeatureSpec(
        name="horizon",
        description="Months ahead of the origin",
        dtype="float32",
        tag="deterministic",
        variables=(),
        sources=(),
        minimum=1.0,
        maximum=36.0,
        max_missing_share=0.0,
        reference=reference_from_values(horizons),
    )


def make_spec(
    features: tuple[FeatureSpec, ...] | None = None,
    units: tuple[str, ...] = (),
    staleness: int = 2,
    drift: DriftLimits | None = None,
    extra_sources: tuple[SourceSpec, ...] = (),
) -> InputSpec:
    if features is None:
        features = (
            stochastic("log_lag_1"),
            stochastic("log_sum_12"),
            stochastic("share_active", _SHARES, 0.0, 1.0, max_missing_share=0.2),
            stochastic("log_lag_2"),
            horizon_feature(),
        )
    return InputSpec(
        features=features,
        sources=(SourceSpec(SOURCE, staleness), *extra_sources),
        units=units,
        target_variable="ged_sb",
        lookback_months=36,
        drift=drift or DriftLimits(),
    )


def make_manifest(spec: InputSpec, **changes: Any) -> Manifest:
    manifest = Manifest(
        id="test-bundle-r3",
        model_line="test-line",
        release=3,
        created="2024-06-15T00:00:00+00:00",
        valid_from="2024-07-01T00:00:00+00:00",
        valid_until="2025-06-30T00:00:00+00:00",
        code_version="test",
        training=TrainingSnapshot("0" * 64, 100, "1990-01", "2024-05", {}, 10),
        parameters={},
        seeds={},
        priors={},
        input_spec=spec,
        output_spec=OutputSpec(
            target="ged_sb", transform="identity", draws=8, horizons=HORIZONS
        ),
        evaluation={},
        model_card={},
        files={},
    )
    return replace(manifest, **changes)


def clean_matrix(
    spec: InputSpec, units: int, horizons: tuple[int, ...] = HORIZONS, seed: int = 1
) -> np.ndarray:
    """Values spread evenly over each feature's reference, in shuffled unit order.

    Even spreading (rather than random draws) keeps drift statistics of clean inputs
    near zero, so tests of drift limits are not at the mercy of sampling noise.
    """
    rng = np.random.default_rng(seed)
    matrix = np.empty((units * len(horizons), len(spec.features)), dtype=np.float32)
    levels = np.linspace(0, 1, 101)
    for column, feature in enumerate(spec.features):
        if feature.name == "horizon":
            matrix[:, column] = np.tile(np.asarray(horizons, np.float32), units)
            continue
        spread = rng.permutation((np.arange(units) + 0.5) / units)
        per_unit = np.interp(spread, levels, feature.reference.quantiles)
        matrix[:, column] = np.repeat(per_unit, len(horizons))
    return matrix


def unit_names(count: int) -> tuple[str, ...]:
    return tuple(f"Unit {i:05d}" for i in range(count))


def make_inputs(
    spec: InputSpec | None = None,
    units: int | tuple[str, ...] = 120,
    matrix: np.ndarray | None = None,
    *,
    last: int | None = None,
    **changes: Any,
) -> GateInputs:
    """Clean inputs that pass the gate; keyword arguments replace single fields."""
    spec = spec or make_spec()
    names = unit_names(units) if isinstance(units, int) else units
    if matrix is None:
        matrix = clean_matrix(spec, len(names))
    sources = {s for feature in spec.features for s in feature.sources}
    inputs = GateInputs(
        manifest=make_manifest(spec),
        origin=ORIGIN,
        units=names,
        features=matrix,
        horizons=HORIZONS,
        known_units=frozenset(names),
        last_months={
            s: dict.fromkeys(names, ORIGIN if last is None else last) for s in sources
        },
        now=NOW,
        time_floor=None,
        bundle_status=BundleStatus(
            revoked=None, files_intact=True, highest_release_seen=3
        ),
    )
    return replace(inputs, **changes)


def with_last_month(inputs: GateInputs, unit: str, month: int | None) -> GateInputs:
    """The inputs with one unit's last month of the test source changed (None: none)."""
    last = dict(inputs.last_months[SOURCE])
    if month is None:
        last.pop(unit, None)
    else:
        last[unit] = month
    return replace(inputs, last_months={**inputs.last_months, SOURCE: last})


def with_values(
    inputs: GateInputs, unit_row: int, column: int, value: float
) -> GateInputs:
    """The inputs with every horizon row of one unit set to ``value`` in a column."""
    matrix = inputs.features.copy()
    horizons = len(inputs.horizons)
    matrix[unit_row * horizons : (unit_row + 1) * horizons, column] = value
    return replace(inputs, features=matrix)
