"""The history tab: forecast runs, blocks and overrides as recorded; read-only."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QTabWidget

from engine import months

if TYPE_CHECKING:
    from desktop.records import HistoryRecords


def tr(text: str) -> str:
    return QCoreApplication.translate("HistoryView", text)


class RecordsModel(QAbstractTableModel):
    """A small read-only table of text rows (hundreds, not thousands)."""

    def __init__(self, headers: Sequence[str], parent=None) -> None:
        super().__init__(parent)
        self.headers = list(headers)
        self.rows: list[tuple[str, ...]] = []

    def set_rows(self, rows: list[tuple[str, ...]]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
        ):
            return self.headers[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.rows[index.row()][index.column()]
        return None


def _when(text: Any) -> str:
    return str(text or "")[:16].replace("T", " ")


STATUS_WORDS = {
    "passed": "passed",
    "warned": "passed with warnings",
    "blocked": "blocked",
    "failed": "failed",
    "running": "running",
}


def _read_only_table(model: RecordsModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    return view


class HistoryView(QTabWidget):
    """Runs, blocks and overrides, newest first."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.runs = RecordsModel(
            [tr("When"), tr("Run"), tr("Bundle"), tr("From"), tr("Outcome"),
             tr("Units"), tr("Blocked"), tr("By")]
        )  # fmt: skip
        self.blocks = RecordsModel(
            [tr("When"), tr("Run"), tr("From"), tr("Unit"), tr("Reason")]
        )
        self.overrides = RecordsModel(
            [tr("When"), tr("By"), tr("Role"), tr("Unit"), tr("Month"),
             tr("Value"), tr("Reason"), tr("Justification")]
        )  # fmt: skip
        self.addTab(_read_only_table(self.runs), tr("Forecast runs"))
        self.addTab(_read_only_table(self.blocks), tr("Blocks"))
        self.addTab(_read_only_table(self.overrides), tr("Overrides"))

    def show_records(self, records: HistoryRecords) -> None:
        self.runs.set_rows(
            [
                (
                    _when(run.finished_at or run.started_at),
                    f"#{run.id}",
                    run.bundle_id,
                    months.format_month(run.origin),
                    tr(STATUS_WORDS.get(run.status, run.status)),
                    str(run.units_total),
                    str(run.units_blocked),
                    run.person,
                )
                for run in records.runs
            ]
        )
        self.blocks.set_rows(
            [
                (
                    _when(row["started_at"]),
                    f"#{row['run_id']}",
                    months.format_month(int(row["origin"])),
                    str(row["unit"]) or tr("(whole run)"),
                    str(row["message"]),
                )
                for row in records.blocks
            ]
        )
        self.overrides.set_rows([_override_row(row) for row in records.overrides])


def _override_row(row: dict[str, Any]) -> tuple[str, ...]:
    try:
        field_estimate = bool(json.loads(row["original"]).get("blocked"))
    except (TypeError, ValueError):
        field_estimate = False
    value = f"{float(row['value']):g}"
    if field_estimate:
        value += " " + tr("(field estimate)")
    return (
        _when(row["created_at"]),
        str(row["person"]),
        str(row["role"]),
        str(row["unit"]),
        months.format_month(int(row["origin"]) + int(row["horizon"])),
        value,
        str(row["reason_category"]).replace("_", " "),
        str(row["justification"]),
    )
