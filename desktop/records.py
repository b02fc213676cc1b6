"""What the views hold: plain, immutable records of what the workspace says.

The records and status codes are kept apart from the reading functions
(``desktop.queries``) so that the window can be built and painted before numpy or
the workspace store is imported: nothing here imports numpy at run time, although
``RunTable`` and ``UnitDetail`` carry numpy arrays once a read fills them. The views
import these names for their annotations only; the reads create the records.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from desktop.unit_status import STATUS_BLOCKED
from engine.runs import SUMMARY_FIELDS, RunInfo

if TYPE_CHECKING:
    import numpy as np

# The engine's own, from its numpy-free module: a run's stored summary columns, and
# one run as lists and headers show it.
SUMMARY_COLUMNS = SUMMARY_FIELDS
RunSummary = RunInfo


# Records ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BundleSummary:
    """The active bundle as the header shows it."""

    id: str
    model_line: str
    release: int
    digest: str
    created: str
    valid_from: str
    valid_until: str
    path: str
    manifest: dict[str, Any]

    @property
    def name(self) -> str:
        card = self.manifest.get("model_card") or {}
        title = (
            card.get("name") or card.get("title") if isinstance(card, dict) else None
        )
        return str(title or self.model_line)

    @property
    def target_variable(self) -> str | None:
        spec = self.manifest.get("input_spec") or {}
        target = spec.get("target_variable") if isinstance(spec, dict) else None
        return str(target) if target else None

    def days_left(self, now: dt.datetime | None = None) -> float:
        from engine.workspace import parse_timestamp, utc_now

        now = now or utc_now()
        return (parse_timestamp(self.valid_until) - now).total_seconds() / 86400


@dataclass(frozen=True)
class SourceFreshness:
    """How current a source's data is: ``fresh``, ``due``, ``overdue`` or ``empty``."""

    source: str
    state: str
    last_month: int | None
    cadence_months: int
    description: str = ""
    months_behind: int | None = None


@dataclass(frozen=True)
class Overview:
    """What the header needs, read once when the window opens or data changes."""

    folder: str
    device: str
    synthetic: bool
    bundle: BundleSummary | None
    freshness: tuple[SourceFreshness, ...]
    latest_run: RunSummary | None
    unit_count: int


@dataclass(frozen=True)
class RunTable:
    """Every unit of one run in columns: arrays, no per-cell Python objects.

    Summary arrays are float32 ``[units, horizons]`` and NaN wherever the unit is
    blocked. ``previous_point`` and ``previous_p_any`` hold the run before it, aligned
    to the same units (NaN where that run had no forecast), for alerts.
    """

    run: RunSummary
    unit_ids: np.ndarray
    names: tuple[str, ...]
    status: np.ndarray
    point: np.ndarray
    hdi50_low: np.ndarray
    hdi50_high: np.ndarray
    hdi90_low: np.ndarray
    hdi90_high: np.ndarray
    p_any: np.ndarray
    overrides: np.ndarray
    previous_run: RunSummary | None = None
    previous_point: np.ndarray | None = None
    previous_p_any: np.ndarray | None = None
    # Each name's rank in case-insensitive order, for sorting by name (computed off
    # the UI thread with the table).
    name_ranks: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.names)

    def horizon_column(self, horizon: int) -> int:
        return self.run.horizons.index(horizon)


@dataclass(frozen=True)
class ReasonRecord:
    """One stored gate reason."""

    code: str
    severity: str
    message: str
    feature: str | None = None
    source: str | None = None
    measured: str | None = None
    limit: str | None = None
    run_wide: bool = False


@dataclass(frozen=True)
class DataThrough:
    """Which data a run used from one source: the last month and the batch."""

    source: str
    last_month: int | None
    batch_id: int | None
    file_name: str | None
    batch_sha256: str | None
    imported_at: str | None


@dataclass(frozen=True)
class Provenance:
    """Where a run's numbers came from, for "Why this number?"."""

    run: RunSummary
    bundle: BundleSummary | None
    data: tuple[DataThrough, ...]


@dataclass(frozen=True)
class OverrideMark:
    """An override of one unit's forecast, for the chart and the unit view."""

    id: int
    horizon: int
    value: float
    person: str
    created_at: str
    reason_category: str
    field_estimate: bool


@dataclass(frozen=True)
class UnitDetail:
    """One unit in one run: history, forecast (absent when blocked), reasons."""

    unit_id: int
    name: str
    run: RunSummary
    status: int
    reasons: tuple[ReasonRecord, ...]
    history_months: np.ndarray
    history_values: np.ndarray
    target_variable: str | None
    horizons: tuple[int, ...]
    forecast: dict[str, np.ndarray] | None
    overrides: tuple[OverrideMark, ...]
    provenance: Provenance

    @property
    def blocked(self) -> bool:
        return self.status == STATUS_BLOCKED


@dataclass(frozen=True)
class MonitoringSeries:
    """Small series for the monitoring plots, oldest run first."""

    run_ids: tuple[int, ...]
    run_labels: tuple[str, ...]
    features: tuple[str, ...]
    psi: np.ndarray  # [features, runs], NaN where a run measured nothing
    psi_warning: float
    psi_block: float
    blocked_units: np.ndarray
    total_units: np.ndarray
    run_blocked: np.ndarray
    releases: tuple[str, ...]
    overrides_per_release: np.ndarray


@dataclass(frozen=True)
class SelfTestReport:
    """The gate's self-test on the active bundle: empty ``failures`` when it passed.

    Each failure is one plain sentence saying which check does not work.
    """

    bundle_id: str
    bundle_name: str
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


@dataclass(frozen=True)
class HistoryRecords:
    """The read-only record: runs, blocks and overrides, newest first."""

    runs: tuple[RunSummary, ...]
    blocks: tuple[dict[str, Any], ...]
    overrides: tuple[dict[str, Any], ...]
