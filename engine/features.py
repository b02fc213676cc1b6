"""Model features: one definition of each, shared by the build and the forecast run.

A feature is computed from a panel of one variable (units by months) for every origin
month at once, using only data up to that origin. The build asks for many origins over
the whole history; a forecast run asks for one origin over a panel of the last
``LOOKBACK_MONTHS`` months. Every feature is written so that both give the same value:
windows never reach further back than the lookback.

Rows of a design matrix are ordered origin, then unit, then horizon (unit-major for one
origin); columns follow the bundle's input spec.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine.series import read_series
from engine.spec import Tag
from engine.workspace import Workspace

LOOKBACK_MONTHS = 36


@dataclass
class Panel:
    """One variable for units by consecutive months; NaN where nothing is known."""

    variable: str
    unit_ids: np.ndarray
    unit_names: tuple[str, ...]
    first_month: int
    values: np.ndarray
    neighbours: tuple[np.ndarray, ...] | None = None
    # Intermediate results shared by several features (see _panel_window_sum); the
    # values must not change once features are computed from them. Not an argument
    # of __init__, so a copy made with dataclasses.replace starts without it.
    cache: dict[str, Any] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def last_month(self) -> int:
        return self.first_month + self.values.shape[1] - 1

    @property
    def months(self) -> np.ndarray:
        return np.arange(self.first_month, self.last_month + 1)

    def column(self, month: int) -> int:
        index = month - self.first_month
        if not 0 <= index < self.values.shape[1]:
            raise IndexError(f"month {month} is outside the panel")
        return index


@dataclass(frozen=True)
class FeatureDefinition:
    """How to compute one feature, and what it means in plain words."""

    name: str
    description: str
    tag: Tag
    uses_target: bool
    compute: Callable[[Panel], np.ndarray] | None = None
    per_row: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None
    needs_neighbours: bool = False


def load_panel(
    workspace: Workspace,
    variable: str,
    first_month: int,
    last_month: int,
    units: Sequence[str] | None = None,
    with_neighbours: bool = False,
    known: Mapping[str, int] | None = None,
) -> Panel:
    """Read one variable for ``units`` (all when None) over a span of months.

    ``known`` is the workspace's unit ids by name, when the caller has just read them.
    """
    known = workspace.unit_ids() if known is None else known
    names = tuple(sorted(known)) if units is None else tuple(units)
    unit_ids = np.array([known.get(name, -1) for name in names], dtype=np.int64)
    # From the packed series (engine/series.py): one array per unit, not a row a month.
    values = read_series(workspace, variable, first_month, last_month, unit_ids)
    row_of = {int(unit_id): row for row, unit_id in enumerate(unit_ids) if unit_id >= 0}

    neighbours = None
    if with_neighbours:
        adjacency: list[list[int]] = [[] for _ in names]
        for unit_id, neighbour_id in workspace.db.execute(
            "SELECT unit_id, neighbour_id FROM unit_neighbours"
        ):
            if unit_id in row_of and neighbour_id in row_of:
                adjacency[row_of[unit_id]].append(row_of[neighbour_id])
        neighbours = tuple(np.array(items, dtype=np.int64) for items in adjacency)
    return Panel(variable, unit_ids, names, first_month, values, neighbours)


# Window arithmetic -----------------------------------------------------------------


def _running(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Running totals (missing months as 0) and running counts of missing months.

    Both ``[units, months + 1]`` with a leading zero column, so the sum over months
    ``a`` to ``b`` is ``totals[:, b + 1] - totals[:, a]``. Accumulated along the
    months axis of the transposed array: the same sums in the same order, computed a
    month at a time across all units instead of a unit at a time.
    """
    units, months = values.shape
    missing = np.isnan(values)
    totals = np.zeros((months + 1, units))
    gaps = np.zeros((months + 1, units))
    np.cumsum(np.where(missing, 0.0, values).T, axis=0, out=totals[1:])
    np.cumsum(missing.T, axis=0, out=gaps[1:])
    return totals.T, gaps.T


def _window_sum(
    values: np.ndarray,
    width: int,
    running: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Sum over the last ``width`` months up to each month; NaN if any is missing.

    ``running`` is ``_running(values)`` when the caller has it already.
    """
    units, months = values.shape
    totals, gaps = running if running is not None else _running(values)
    result = np.full((units, months), np.nan)
    if width <= months:
        window = totals[:, width:] - totals[:, :-width]
        window_gaps = gaps[:, width:] - gaps[:, :-width]
        result[:, width - 1 :] = np.where(window_gaps > 0, np.nan, window)
    return result


def _panel_window_sum(panel: Panel, width: int) -> np.ndarray:
    """``_window_sum`` of the panel's values, its running sums computed once a panel."""
    running = panel.cache.get("running")
    if running is None:
        running = panel.cache["running"] = _running(panel.values)
    return _window_sum(panel.values, width, running)


def _lag(values: np.ndarray, months_back: int) -> np.ndarray:
    result = np.full(values.shape, np.nan)
    if months_back == 0:
        result[:] = values
    elif months_back < values.shape[1]:
        result[:, months_back:] = values[:, :-months_back]
    return result


def _log_lag(months_back: int) -> Callable[[Panel], np.ndarray]:
    return lambda panel: np.log1p(_lag(panel.values, months_back))


def _log_sum(width: int) -> Callable[[Panel], np.ndarray]:
    return lambda panel: np.log1p(_panel_window_sum(panel, width))


def _months_since_event(panel: Panel) -> np.ndarray:
    """Months since the last month with any fatality, capped at the lookback."""
    values = panel.values
    months = values.shape[1]
    event = np.nan_to_num(values, nan=0.0) > 0
    index = np.where(event, np.arange(months)[None, :], -(10**6))
    # Accumulated along months of the transposed array: all units a month at a time.
    last_event = np.maximum.accumulate(index.T, axis=0).T
    since = np.arange(months)[None, :] - last_event
    return np.minimum(since, LOOKBACK_MONTHS).astype(np.float64)


def _share_active(width: int) -> Callable[[Panel], np.ndarray]:
    def compute(panel: Panel) -> np.ndarray:
        active = np.where(np.isnan(panel.values), np.nan, panel.values > 0)
        return _window_sum(active, width) / width

    return compute


def _neighbour_log_sum(width: int) -> Callable[[Panel], np.ndarray]:
    def compute(panel: Panel) -> np.ndarray:
        own = np.nan_to_num(_panel_window_sum(panel, width), nan=0.0)
        total = np.zeros_like(own)
        for row, neighbours in enumerate(panel.neighbours or ()):
            if len(neighbours):
                total[row] = own[neighbours].sum(axis=0)
        return np.log1p(total)

    return compute


def _target_month_angle(origins: np.ndarray, horizons: np.ndarray) -> np.ndarray:
    return 2 * np.pi * ((origins + horizons) % 12) / 12


FEATURES: dict[str, FeatureDefinition] = {
    definition.name: definition
    for definition in (
        *(
            FeatureDefinition(
                f"log_lag_{k}",
                f"Fatalities {k} month(s) before the forecast origin (log scale)",
                "stochastic",
                True,
                compute=_log_lag(k - 1),
            )
            for k in (1, 2, 3)
        ),
        *(
            FeatureDefinition(
                f"log_sum_{k}",
                f"Total fatalities over the {k} months up to the origin (log scale)",
                "stochastic",
                True,
                compute=_log_sum(k),
            )
            for k in (3, 6, 12, 24, 36)
        ),
        FeatureDefinition(
            "months_since_event",
            f"Months since the last month with fatalities (at most {LOOKBACK_MONTHS})",
            "stochastic",
            True,
            compute=_months_since_event,
        ),
        FeatureDefinition(
            "share_active_36",
            "Share of the last 36 months with any fatality",
            "stochastic",
            True,
            compute=_share_active(36),
        ),
        FeatureDefinition(
            "neighbour_log_sum_12",
            "Fatalities in neighbouring units over the last 12 months (log scale)",
            "stochastic",
            True,
            compute=_neighbour_log_sum(12),
            needs_neighbours=True,
        ),
        FeatureDefinition(
            "horizon",
            "Months ahead of the origin that the forecast is for",
            "deterministic",
            False,
            per_row=lambda origins, horizons: horizons.astype(np.float64),
        ),
        FeatureDefinition(
            "target_month_sin",
            "Calendar month of the forecast month (sine of its angle)",
            "deterministic",
            False,
            per_row=lambda o, h: np.sin(_target_month_angle(o, h)),
        ),
        FeatureDefinition(
            "target_month_cos",
            "Calendar month of the forecast month (cosine of its angle)",
            "deterministic",
            False,
            per_row=lambda o, h: np.cos(_target_month_angle(o, h)),
        ),
    )
}

DEFAULT_FEATURES: tuple[str, ...] = tuple(
    name for name, definition in FEATURES.items() if not definition.needs_neighbours
)


def feature_definition(name: str) -> FeatureDefinition:
    try:
        return FEATURES[name]
    except KeyError:
        known = ", ".join(FEATURES)
        raise KeyError(f"unknown feature '{name}'; known features: {known}") from None


def design_matrix(
    panel: Panel,
    names: Sequence[str],
    origins: Sequence[int],
    horizons: Sequence[int],
    data_lags: np.ndarray | None = None,
) -> np.ndarray:
    """Feature rows for every origin, unit and horizon, as float32 ``[rows, features]``.

    Rows are ordered origin, then unit, then horizon. A feature that cannot be computed
    (missing history) is NaN; the gate decides what that means.

    ``data_lags`` (one per unit, forecast runs only) says how many months before the
    origin a unit's data end. Such a unit's features are read at its own last month
    and its horizon counts from there: a unit with data to March forecasting May from
    an April origin is at horizon 2 from March. The build trains on horizons up to
    the last horizon plus the largest staleness the bundle allows, so every unit the
    gate lets through stays within what the model has seen.
    """
    origin_array = np.asarray(origins, dtype=np.int64)
    horizon_array = np.asarray(horizons, dtype=np.int64)
    units = len(panel.unit_names)
    lags = np.zeros(units, dtype=np.int64) if data_lags is None else data_lags
    lags = np.asarray(lags, dtype=np.int64)
    if lags.shape != (units,) or (lags < 0).any():
        raise ValueError("data_lags needs one non-negative lag per unit")
    if data_lags is not None and len(origin_array) != 1:
        raise ValueError("data_lags applies to a single origin")
    columns = np.array([panel.column(int(origin)) for origin in origin_array])

    # Built as [origins, units, horizons, features]: a unit's features are the same
    # at every horizon, so each is computed once per unit and the unit's row copied
    # over its horizons in one contiguous pass; the per-row features (origin and
    # horizon, and a unit's lag) are written into their columns after.
    per_unit = np.zeros((len(origin_array), units, len(names)), dtype=np.float32)
    per_row: list[tuple[int, FeatureDefinition]] = []
    for position, name in enumerate(names):
        definition = feature_definition(name)
        if definition.per_row is not None:
            per_row.append((position, definition))
            continue
        assert definition.compute is not None
        values = definition.compute(panel)
        if data_lags is None:
            per_unit[..., position] = values[:, columns].T  # [origins, units]
        else:
            unit_columns = np.maximum(columns[0] - lags, 0)
            picked = values[np.arange(units), unit_columns]
            picked[columns[0] - lags < 0] = np.nan
            per_unit[0, :, position] = picked
    matrix = np.empty(
        (len(origin_array), units, len(horizon_array), len(names)), dtype=np.float32
    )
    matrix[...] = per_unit[:, :, None, :]
    if lags.any():
        row_origins = origin_array[:, None, None] - lags[None, :, None]
        row_horizons = horizon_array[None, None, :] + lags[None, :, None]
    else:
        row_origins = origin_array[:, None, None]
        row_horizons = horizon_array[None, None, :]
    for position, definition in per_row:
        assert definition.per_row is not None
        # Counted from the unit's last data month: the target month is unchanged.
        matrix[..., position] = definition.per_row(row_origins, row_horizons)
    return matrix.reshape(-1, len(names))
