"""Alert levels and the alerts list: pure functions over arrays, no Qt, no database.

A unit's alert level at a horizon is the higher of two judgements against the
person's thresholds: its point forecast of fatalities, and its probability of any
fatality. A blocked unit has no level (it has no forecast). Alerts are what changed
and needs a person's eye: units whose level rose since the previous run, sources that
became due or overdue, a bundle about to expire.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop.settings_store import AlertThresholds

if TYPE_CHECKING:
    import numpy as np

    from desktop.records import BundleSummary, RunTable, SourceFreshness

LEVEL_NONE_KNOWN, LEVEL_LOW, LEVEL_ELEVATED, LEVEL_HIGH = -1, 0, 1, 2


def alert_levels(
    point: np.ndarray, p_any: np.ndarray, thresholds: AlertThresholds
) -> np.ndarray:
    """Level per row (int8): -1 without a forecast, else low, elevated or high."""
    import numpy as np  # not at start-up: the window paints before numpy loads

    levels = np.zeros(point.shape, dtype=np.int8)
    with np.errstate(invalid="ignore"):
        elevated = (point >= thresholds.elevated_fatalities) | (
            p_any >= thresholds.elevated_probability
        )
        high = (point >= thresholds.high_fatalities) | (
            p_any >= thresholds.high_probability
        )
    levels[elevated] = LEVEL_ELEVATED
    levels[high] = LEVEL_HIGH
    levels[np.isnan(point) | np.isnan(p_any)] = LEVEL_NONE_KNOWN
    return levels


@dataclass(frozen=True)
class Alert:
    """One thing that needs a person's eye; ``kind`` is unit, data or bundle."""

    kind: str
    severity: str  # "high" or "elevated" (or "overdue", "due", "expiring")
    subject: str
    unit_row: int | None = None
    level_before: int | None = None
    level_now: int | None = None
    days_left: float | None = None
    months_behind: int | None = None


def crossed_units(
    table: RunTable, horizon: int, thresholds: AlertThresholds
) -> list[Alert]:
    """Units whose level at ``horizon`` rose since the previous run, highest first."""
    import numpy as np

    if table.previous_point is None or table.previous_p_any is None:
        return []
    column = table.horizon_column(horizon)
    now = alert_levels(table.point[:, column], table.p_any[:, column], thresholds)
    before = alert_levels(
        table.previous_point[:, column], table.previous_p_any[:, column], thresholds
    )
    # A unit with no earlier forecast counts as low before: reaching elevated is news.
    before = np.where(before == LEVEL_NONE_KNOWN, LEVEL_LOW, before)
    rows = np.flatnonzero((now > before) & (now >= LEVEL_ELEVATED))
    rows = rows[np.lexsort((rows, -now[rows]))]
    return [
        Alert(
            kind="unit",
            severity="high" if now[row] == LEVEL_HIGH else "elevated",
            subject=table.names[row],
            unit_row=int(row),
            level_before=int(before[row]),
            level_now=int(now[row]),
        )
        for row in rows
    ]


def data_alerts(freshness: tuple[SourceFreshness, ...]) -> list[Alert]:
    """Sources whose data is due or overdue (overdue first)."""
    order = {"overdue": 0, "due": 1, "empty": 2}
    late = [f for f in freshness if f.state in order]
    late.sort(key=lambda f: (order[f.state], f.source))
    return [
        Alert(
            kind="data",
            severity=f.state,
            subject=f.source,
            months_behind=f.months_behind,
        )
        for f in late
    ]


def bundle_alerts(
    bundle: BundleSummary | None, warning_days: int, now: dt.datetime | None = None
) -> list[Alert]:
    """The active bundle, when it expires within ``warning_days`` or has expired."""
    if bundle is None:
        return []
    days = bundle.days_left(now)
    if days > warning_days:
        return []
    return [
        Alert(
            kind="bundle",
            severity="expired" if days <= 0 else "expiring",
            subject=bundle.name,
            days_left=days,
        )
    ]
