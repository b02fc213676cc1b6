"""The units table's item model: every unit of a run, sortable and filterable.

``UnitsModel`` keeps a run's columns as numpy arrays (no Python object per cell) and
formats a cell only when the view asks for it, so 13,110 units scroll smoothly.
Sorting and filtering are both done here with numpy, with no proxy model in between:
one ``lexsort`` over a column orders the units, one boolean mask (status, alert
level, a search in the names) picks those shown, and the model exposes only the
rows shown, in order. Qt therefore never calls back once per unit when a run
reloads. A blocked unit never shows a number: its cells read as a dash, its status
in words.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
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
    """One run's units at one horizon, sorted and filtered; only shown rows exist.

    ``_order`` holds every run-table row in sort order; ``_shown`` the rows the
    filters accept, in that order: model row ``r`` is run-table row ``_shown[r]``.
    A new run resets the model; a new sort or filter is a layout change that keeps
    the selection on the unit it was on (or drops it, when the unit is hidden).
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._table: RunTable | None = None
        self._thresholds = AlertThresholds()
        self._column = 0
        self._horizon = 1
        # Empty until a run arrives; numpy is imported with the first run (by then
        # the workspace thread has loaded it), so the empty window paints sooner.
        self._order: Any = ()
        self._shown: Any = ()
        self._levels: Any = ()
        self._sort: tuple[int, Qt.SortOrder] | None = None
        # Filters: statuses shown (None: all), only units at an alert, a search.
        self._statuses: frozenset[int] | None = None
        self._only_alerts = False
        self._search = ""
        self._folded: tuple[str, ...] = ()
        self._folded_for: int | None = None
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
        self._shown = self._filtered(self._order)
        self.endResetModel()

    def set_horizon(self, horizon: int) -> None:
        if self._table is None or horizon not in self._table.run.horizons:
            self._horizon = horizon
            return
        self._horizon = horizon
        self._column = self._table.horizon_column(horizon)
        self._levels_changed()
        if self.rowCount():
            self.dataChanged.emit(
                self.index(0, COLUMN_POINT),
                self.index(self.rowCount() - 1, COLUMN_ALERT),
            )

    def set_thresholds(self, thresholds: AlertThresholds) -> None:
        self._thresholds = thresholds
        self._levels_changed()
        if self.rowCount():
            self.dataChanged.emit(
                self.index(0, COLUMN_ALERT),
                self.index(self.rowCount() - 1, COLUMN_ALERT),
            )

    def _levels_changed(self) -> None:
        """New values in place (horizon, thresholds): re-sort, re-filter by alert."""
        self._compute_levels()
        if self._table is None:
            return
        if self._sort is not None or self._only_alerts:
            order = self._order
            if self._sort is not None:
                order = self._sorted_order(*self._sort)
            self._apply(order)

    def _compute_levels(self) -> None:
        table = self._table
        if table is None:
            self._levels = ()
            return
        self._levels = alert_levels(
            table.point[:, self._column], table.p_any[:, self._column], self._thresholds
        )

    # Filters ----------------------------------------------------------------------

    def set_statuses(self, statuses: frozenset[int] | None) -> None:
        """Show only units with these statuses (None: all)."""
        self._statuses = statuses
        self.refilter()

    def set_search(self, text: str) -> None:
        """Show only units whose name holds ``text`` (any case, anywhere)."""
        self._search = text.strip().casefold()
        self.refilter()

    def set_only_alerts(self, only: bool) -> None:
        self._only_alerts = only
        self.refilter()

    @property
    def search(self) -> str:
        return self._search

    def refilter(self) -> None:
        if self._table is not None:
            self._apply(self._order)

    def _filtered(self, order: np.ndarray) -> np.ndarray:
        """The rows of ``order`` the filters accept, in the same order."""
        import numpy as np

        table = self._table
        if table is None:
            return order
        if self._statuses is None and not self._only_alerts and not self._search:
            return order
        mask = np.ones(len(table), dtype=bool)
        if self._statuses is not None:
            mask &= np.isin(table.status, list(self._statuses))
        if self._only_alerts:
            mask &= self._levels >= LEVEL_ELEVATED
        if self._search:
            if self._folded_for != id(table.names):
                self._folded = tuple(name.casefold() for name in table.names)
                self._folded_for = id(table.names)
            needle = self._search
            mask &= np.fromiter(
                (needle in name for name in self._folded), dtype=bool, count=len(table)
            )
        return order[mask[order]]

    # Reading by the views -----------------------------------------------------------

    def unit_row(self, row: int) -> int:
        """The run table's row for the model's row."""
        return int(self._shown[row])

    def order(self) -> np.ndarray:
        """The run table's row shown at each model row."""
        return self._shown

    def model_row_of(self, unit_row: int) -> int:
        """The model row showing a run-table row; -1 when hidden by a filter."""
        if self._table is None:
            return -1
        rows = (self._shown == unit_row).nonzero()[0]
        return int(rows[0]) if len(rows) else -1

    def levels(self) -> np.ndarray:
        """Alert level per run-table row at the current horizon."""
        return self._levels

    # QAbstractTableModel -----------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._shown)

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
        row = int(self._shown[index.row()])
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
        # A column below zero (a view with no sort column yet) keeps the run's order.
        self._sort = (column, order) if column >= 0 else None
        if self._table is None:
            return
        if self._sort is None:
            import numpy as np

            self._apply(np.arange(len(self._table), dtype=np.int64))
        else:
            self._apply(self._sorted_order(column, order))

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

    def _apply(self, order: np.ndarray) -> None:
        """Show ``order`` through the filters, as a layout change.

        Persistent indexes (the view's selection and current row) follow their
        unit to its new row, or become invalid when a filter hides it.
        """
        import numpy as np

        table = self._table
        assert table is not None
        shown = self._filtered(order)
        self.layoutAboutToBeChanged.emit()
        new_row_of = np.full(len(table), -1, dtype=np.int64)
        new_row_of[shown] = np.arange(len(shown), dtype=np.int64)
        old_shown = self._shown
        persistent = self.persistentIndexList()
        moved = []
        for index in persistent:
            row = int(new_row_of[old_shown[index.row()]])
            moved.append(self.index(row, index.column()) if row >= 0 else QModelIndex())
        self._order = order
        self._shown = shown
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
