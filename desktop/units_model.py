"""The units table's item models: every unit of a run, sortable and filterable.

``UnitsModel`` keeps a run's columns as numpy arrays (no Python object per cell) and
formats a cell only when the view asks for it, so 13,110 units scroll smoothly.
Sorting is done here with one numpy ``argsort`` over a column rather than by the
proxy comparing cells one pair at a time; ``UnitsProxy`` filters by status and by a
search text through a precomputed boolean mask, and hands sorting to the model.
A blocked unit never shows a number: its cells read as a dash, its status in words.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from desktop.alerts import LEVEL_ELEVATED, LEVEL_HIGH, LEVEL_LOW, alert_levels
from desktop.settings_store import AlertThresholds
from desktop.unit_status import STATUS_BLOCKED, STATUS_OK, STATUS_WARNING

if TYPE_CHECKING:
    import numpy as np

    from desktop.records import RunTable

NO_VALUE = "—"

COLUMN_UNIT, COLUMN_STATUS, COLUMN_POINT, COLUMN_HDI90 = 0, 1, 2, 3
COLUMN_P_ANY, COLUMN_ALERT, COLUMN_OVERRIDES = 4, 5, 6
COLUMN_COUNT = 7

# Roles beyond Qt's: the unit's row in the run table, and its status code.
UNIT_ROW_ROLE = Qt.ItemDataRole.UserRole + 1
STATUS_ROLE = Qt.ItemDataRole.UserRole + 2

Index = QModelIndex | QPersistentModelIndex


def tr(text: str) -> str:
    return QCoreApplication.translate("UnitsModel", text)


def status_words() -> dict[int, str]:
    return {
        STATUS_OK: tr("OK"),
        STATUS_WARNING: tr("Warning"),
        STATUS_BLOCKED: tr("Blocked"),
    }


def alert_words() -> dict[int, str]:
    return {
        -1: NO_VALUE,
        LEVEL_LOW: tr("Low"),
        LEVEL_ELEVATED: tr("Elevated"),
        LEVEL_HIGH: tr("High"),
    }


def format_count(value: float) -> str:
    """A forecast count of fatalities as a person reads it."""
    if value < 10:
        return f"{value:.1f}"
    return f"{value:,.0f}"


class UnitsModel(QAbstractTableModel):
    """One run's units at one horizon; rows stay in the order of ``_order``."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._table: RunTable | None = None
        self._thresholds = AlertThresholds()
        self._column = 0
        self._horizon = 1
        # Empty until a run arrives; numpy is imported with the first run (by then
        # the workspace thread has loaded it), so the empty window paints sooner.
        self._order: Any = ()
        self._levels: Any = ()
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._headers = [
            tr("Unit"),
            tr("Status"),
            tr("Forecast"),
            tr("90% interval"),
            tr("Chance of any"),
            tr("Alert"),
            tr("Overrides"),
        ]
        self._tooltips = [
            tr("The area the forecast is about"),
            tr("OK, Warning (read the reasons) or Blocked (no forecast shown)"),
            tr("Most likely number of fatalities (the median of the forecast)"),
            tr("The range that holds the outcome 9 times out of 10"),
            tr("The probability of at least one fatality"),
            tr("Alert level against your thresholds (Settings)"),
            tr("Overrides recorded for this unit in this run"),
        ]
        self._status_text = status_words()
        self._alert_text = alert_words()
        self._colours = {
            STATUS_WARNING: QBrush(QColor("#b26a00")),
            STATUS_BLOCKED: QBrush(QColor("#b3261e")),
        }

    # Loading and settings -------------------------------------------------------------

    @property
    def table(self) -> RunTable | None:
        return self._table

    @property
    def horizon(self) -> int:
        return self._horizon

    def set_table(self, table: RunTable | None, horizon: int | None = None) -> None:
        import numpy as np

        self.beginResetModel()
        self._table = table
        if table is not None:
            wanted = horizon if horizon is not None else self._horizon
            if wanted not in table.run.horizons:
                wanted = table.run.horizons[0]
            self._horizon = wanted
            self._column = table.horizon_column(wanted)
            self._order = np.arange(len(table), dtype=np.int64)
        else:
            self._order = np.zeros(0, dtype=np.int64)
        self._compute_levels()
        if self._sort is not None and table is not None:
            self._order = self._sorted_order(*self._sort)
        self.endResetModel()

    def set_horizon(self, horizon: int) -> None:
        if self._table is None or horizon not in self._table.run.horizons:
            self._horizon = horizon
            return
        self._horizon = horizon
        self._column = self._table.horizon_column(horizon)
        self._compute_levels()
        self._resort()
        if self.rowCount():
            self.dataChanged.emit(
                self.index(0, COLUMN_POINT),
                self.index(self.rowCount() - 1, COLUMN_ALERT),
            )

    def set_thresholds(self, thresholds: AlertThresholds) -> None:
        self._thresholds = thresholds
        self._compute_levels()
        self._resort()
        if self.rowCount():
            self.dataChanged.emit(
                self.index(0, COLUMN_ALERT),
                self.index(self.rowCount() - 1, COLUMN_ALERT),
            )

    def _compute_levels(self) -> None:
        table = self._table
        if table is None:
            self._levels = ()
            return
        self._levels = alert_levels(
            table.point[:, self._column], table.p_any[:, self._column], self._thresholds
        )

    # Reading by the proxy and the views ---------------------------------------------

    def unit_row(self, row: int) -> int:
        """The run table's row for the model's row."""
        return int(self._order[row])

    def order(self) -> np.ndarray:
        """The run table's row shown at each model row."""
        return self._order

    def model_row_of(self, unit_row: int) -> int:
        if self._table is None:
            return -1
        rows = (self._order == unit_row).nonzero()[0]
        return int(rows[0]) if len(rows) else -1

    def levels(self) -> np.ndarray:
        """Alert level per run-table row at the current horizon."""
        return self._levels

    # QAbstractTableModel -----------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._order)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else COLUMN_COUNT

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltips[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        table = self._table
        if table is None or not index.isValid():
            return None
        row = int(self._order[index.row()])
        column = index.column()
        status = int(table.status[row])

        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(table, row, column, status)
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= COLUMN_POINT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column == COLUMN_STATUS:
            return self._colours.get(status)
        if role == UNIT_ROW_ROLE:
            return row
        if role == STATUS_ROLE:
            return status
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self._display(table, row, column, status)
        return None

    def _display(self, table: RunTable, row: int, column: int, status: int) -> str:
        if column == COLUMN_UNIT:
            return table.names[row]
        if column == COLUMN_STATUS:
            return self._status_text[status]
        if column == COLUMN_OVERRIDES:
            count = int(table.overrides[row])
            return str(count) if count else ""
        if status == STATUS_BLOCKED:
            return NO_VALUE  # a blocked unit shows no number, whatever is stored
        c = self._column
        if column == COLUMN_POINT:
            value = float(table.point[row, c])
            return NO_VALUE if math.isnan(value) else format_count(value)
        if column == COLUMN_HDI90:
            low, high = float(table.hdi90_low[row, c]), float(table.hdi90_high[row, c])
            if math.isnan(low) or math.isnan(high):
                return NO_VALUE
            return f"{format_count(low)} – {format_count(high)}"
        if column == COLUMN_P_ANY:
            value = float(table.p_any[row, c])
            return NO_VALUE if math.isnan(value) else f"{value:.0%}"
        if column == COLUMN_ALERT:
            return self._alert_text[int(self._levels[row])]
        return ""

    # Sorting with numpy ------------------------------------------------------------

    def sort(
        self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder
    ) -> None:
        if self._table is None:
            self._sort = (column, order)
            return
        self._sort = (column, order)
        self._apply_order(self._sorted_order(column, order))

    def _resort(self) -> None:
        if self._sort is not None and self._table is not None:
            self._apply_order(self._sorted_order(*self._sort))

    def _sort_key(self, column: int) -> np.ndarray:
        import numpy as np

        table = self._table
        assert table is not None
        c = self._column
        if column == COLUMN_UNIT:
            return _name_ranks(table)
        if column == COLUMN_STATUS:
            return table.status.astype(np.float64)
        if column == COLUMN_POINT:
            return table.point[:, c].astype(np.float64)
        if column == COLUMN_HDI90:
            return (table.hdi90_high[:, c] - table.hdi90_low[:, c]).astype(np.float64)
        if column == COLUMN_P_ANY:
            return table.p_any[:, c].astype(np.float64)
        if column == COLUMN_ALERT:
            return self._levels.astype(np.float64)
        return table.overrides.astype(np.float64)

    def _sorted_order(self, column: int, order: Qt.SortOrder) -> np.ndarray:
        import numpy as np

        key = self._sort_key(column)
        # Units without a value (blocked) go last in either direction; ties keep
        # the unit name order so the table never jumps around.
        missing = np.isnan(key)
        signed = -key if order == Qt.SortOrder.DescendingOrder else key
        signed = np.where(missing, 0.0, signed)
        names = _name_ranks(self._table) if self._table else key
        return np.lexsort((names, signed, missing)).astype(np.int64)

    def _apply_order(self, new_order: np.ndarray) -> None:
        import numpy as np

        self.layoutAboutToBeChanged.emit()
        old_positions = np.empty_like(self._order)
        position_of = np.empty(len(new_order), dtype=np.int64)
        position_of[new_order] = np.arange(len(new_order))
        old_positions[:] = self._order
        persistent = self.persistentIndexList()
        moved = [
            self.index(int(position_of[old_positions[index.row()]]), index.column())
            for index in persistent
        ]
        self._order = new_order
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()


_rank_cache: dict[int, np.ndarray] = {}


def _name_ranks(table: RunTable) -> np.ndarray:
    """Each name's rank in case-insensitive order (the table's own, or computed)."""
    if table.name_ranks is not None:
        return table.name_ranks
    import numpy as np

    names = table.names
    key = id(names)
    cached = _rank_cache.get(key)
    if cached is not None and len(cached) == len(names):
        return cached
    order = sorted(range(len(names)), key=lambda i: names[i].casefold())
    ranks = np.empty(len(names), dtype=np.float64)
    ranks[order] = np.arange(len(names), dtype=np.float64)
    _rank_cache.clear()
    _rank_cache[key] = ranks
    return ranks


class UnitsProxy(QSortFilterProxyModel):
    """Filters units by status and by a search in their names; sorting is the model's.

    The accepted rows are computed once per change as a numpy mask, then kept as a
    plain list in the model's row order, so ``filterAcceptsRow`` is one lookup.
    Dynamic filtering is off: the proxy re-filters when the model is reset or
    re-sorted, and when a filter changes, not on every changed cell.
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setDynamicSortFilter(False)
        self._statuses: frozenset[int] | None = None
        self._search = ""
        self._only_alerts = False
        self._accepted: list[bool] | None = None
        self._folded: tuple[str, ...] = ()
        self._folded_for: int | None = None

    def units(self) -> UnitsModel:
        model = self.sourceModel()
        assert isinstance(model, UnitsModel)
        return model

    def setSourceModel(self, model) -> None:
        super().setSourceModel(model)
        model.modelAboutToBeReset.connect(self._forget)
        model.layoutAboutToBeChanged.connect(self._forget)
        model.dataChanged.connect(self._on_data_change)

    # Filters ----------------------------------------------------------------------

    def set_statuses(self, statuses: frozenset[int] | None) -> None:
        """Show only units with these statuses (None: all)."""
        self._statuses = statuses
        self.refilter()

    def set_search(self, text: str) -> None:
        self._search = text.strip().casefold()
        self.refilter()

    def set_only_alerts(self, only: bool) -> None:
        self._only_alerts = only
        self.refilter()

    @property
    def search(self) -> str:
        return self._search

    def refilter(self) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt 6.9 and newer
            self.beginFilterChange()
            self._forget()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._forget()
            self.invalidateRowsFilter()

    def _forget(self) -> None:
        self._accepted = None

    def _on_data_change(self, *_args) -> None:
        # Only the alert filter depends on values that change in place (horizon).
        if self._only_alerts:
            self.refilter()

    def _accepted_rows(self) -> list[bool]:
        model = self.units()
        table = model.table
        if table is None:
            return []
        import numpy as np

        mask = np.ones(len(table), dtype=bool)
        if self._statuses is not None:
            mask &= np.isin(table.status, list(self._statuses))
        if self._only_alerts:
            mask &= model.levels() >= LEVEL_ELEVATED
        if self._search:
            if self._folded_for != id(table.names):
                self._folded = tuple(name.casefold() for name in table.names)
                self._folded_for = id(table.names)
            needle = self._search
            mask &= np.fromiter(
                (needle in name for name in self._folded), dtype=bool, count=len(table)
            )
        return mask[model.order()].tolist()

    # TODO(#5): on each model reset Qt calls this once per unit (13,110 Python calls,
    # about 10 ms of the UI thread when a run reloads, the largest share of the
    # stall left); filtering inside UnitsModel's row order would drop the calls.
    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        accepted = self._accepted
        if accepted is None:
            accepted = self._accepted = self._accepted_rows()
        return source_row < len(accepted) and accepted[source_row]

    def sort(
        self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder
    ) -> None:
        # The model sorts all rows with numpy; the proxy keeps the model's order.
        self.units().sort(column, order)
