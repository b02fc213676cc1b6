"""The main window a field worker opens every morning: header, units, unit, tabs.

The window only shows what ``WorkspaceService`` sends it and asks the service for
everything else; it never touches the workspace. Dialogs owned by other modules
(sign-in, override, import, supervisor controls, model card) are imported when first
opened.

Start-up: this module and what it imports stay free of numpy, pyqtgraph and the
workspace store, so the window's shell (header, an empty units table saying it is
loading) paints at once; the data arrive from the service's thread afterwards.
"""

from __future__ import annotations

import html
import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QCoreApplication,
    QItemSelectionModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop import alerts as alert_rules
from desktop.alerts_view import AlertsView
from desktop.errors import ErrorReporter, MessageBanner
from desktop.history_view import HistoryView
from desktop.monitoring_view import MonitoringView
from desktop.preload import start_loading_charts, when_charts_ready
from desktop.services import Glance, WorkspaceService, freeze_loaded_objects
from desktop.settings_store import DesktopSettings, save_settings
from desktop.unit_status import STATUS_BLOCKED, STATUS_OK, STATUS_WARNING
from desktop.unit_view import UnitView
from desktop.units_model import UNIT_ROW_ROLE, UnitsModel
from engine import months

if TYPE_CHECKING:
    from desktop.records import (
        Overview,
        RunTable,
        SelfTestReport,
        SourceFreshness,
        UnitDetail,
    )

log = logging.getLogger(__name__)

_UNTESTED = object()

# Freshness is told by a word and a mark, and coloured as well, never colour alone.
FRESHNESS_STYLE = {
    "fresh": ("✓", "#1e6b3a", "#e3f1e7"),
    "due": ("!", "#7a4b00", "#fbeccc"),
    "overdue": ("✕", "#8c1d18", "#f9dedc"),
    "empty": ("–", "#444444", "#e8e8e8"),
}


def tr(text: str) -> str:
    return QCoreApplication.translate("MainWindow", text)


def freshness_words() -> dict[str, str]:
    return {
        "fresh": tr("fresh"),
        "due": tr("due"),
        "overdue": tr("overdue"),
        "empty": tr("no data"),
    }


class FreshnessChip(QLabel):
    """One source's freshness: mark, name and word, on a matching colour."""

    def __init__(self, record: SourceFreshness, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.record = record
        mark, foreground, background = FRESHNESS_STYLE[record.state]
        word = freshness_words()[record.state]
        self.setText(f"{mark} {record.source}: {word}")
        self.setObjectName(f"freshness_{record.state}")
        self.setStyleSheet(
            f"QLabel {{ color: {foreground}; background: {background}; "
            "border-radius: 4px; padding: 2px 8px; }"
        )
        detail = (
            tr("Newest data: {month}. New data is expected every {n} month(s).")
            .replace(
                "{month}",
                months.month_name(record.last_month)
                if record.last_month is not None
                else tr("none"),
            )
            .replace("{n}", str(record.cadence_months))
        )
        self.setToolTip(detail)
        self.setAccessibleName(f"{record.source}: {word}. {detail}")


class Header(QFrame):
    """The active bundle, data freshness, device and person, and the sync panel."""

    model_card_requested = Signal()
    sign_in_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("header")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        grid = QGridLayout(self)
        grid.setContentsMargins(10, 6, 10, 6)
        grid.setHorizontalSpacing(16)

        self.bundle_label = QLabel(tr("No model bundle is active."))
        self.bundle_label.setObjectName("bundleLabel")
        self.bundle_label.setTextFormat(Qt.TextFormat.RichText)
        self.model_card_button = QPushButton(tr("Model &card"))
        self.model_card_button.setToolTip(
            tr("What this model is for, how good it is, and its limits")
        )
        self.model_card_button.setEnabled(False)
        self.model_card_button.clicked.connect(self.model_card_requested)
        bundle_row = QHBoxLayout()
        bundle_row.addWidget(self.bundle_label, 1)
        bundle_row.addWidget(self.model_card_button)
        grid.addLayout(bundle_row, 0, 0)

        self.freshness_row = QHBoxLayout()
        self.freshness_row.setSpacing(6)
        freshness_title = QLabel(tr("Data:"))
        self.freshness_row.addWidget(freshness_title)
        self.freshness_chips: list[FreshnessChip] = []
        self.freshness_row.addStretch(1)
        grid.addLayout(self.freshness_row, 1, 0)

        self.device_label = QLabel()
        self.device_label.setObjectName("deviceLabel")
        self.person_label = QLabel(tr("Not signed in"))
        self.person_label.setObjectName("personLabel")
        self.sign_in_button = QPushButton(tr("&Sign in…"))
        self.sign_in_button.clicked.connect(self.sign_in_requested)
        who = QHBoxLayout()
        who.addWidget(self.person_label)
        who.addWidget(self.sign_in_button)
        grid.addWidget(self.device_label, 0, 1, Qt.AlignmentFlag.AlignRight)
        grid.addLayout(who, 1, 1, Qt.AlignmentFlag.AlignRight)

        # Signed sync comes in a later release: say so plainly, offer the USB path.
        self.sync_panel = QLabel(
            tr(
                "Sync: not available yet. Signed sync with your regional hub arrives "
                "in a later release; until then bring data packages and bundles on a "
                "USB stick (File ▸ Import from folder)."
            )
        )
        self.sync_panel.setObjectName("syncPanel")
        self.sync_panel.setWordWrap(True)
        self.sync_panel.setEnabled(False)
        grid.addWidget(self.sync_panel, 2, 0, 1, 2)
        grid.setColumnStretch(0, 1)

    def show_glance(self, glance: Glance) -> None:
        """The bundle and device, read at start-up before the overview arrives."""
        self._show_bundle(glance, glance.synthetic)
        self.model_card_button.setEnabled(False)  # the card needs the full manifest
        self.device_label.setText(
            tr("Device: {device}").replace("{device}", glance.device)
        )

    def show_overview(self, overview: Overview) -> None:
        self._show_bundle(overview.bundle, overview.synthetic)
        self.model_card_button.setEnabled(overview.bundle is not None)

        for chip in self.freshness_chips:
            self.freshness_row.removeWidget(chip)
            chip.deleteLater()
        self.freshness_chips = []
        for position, record in enumerate(overview.freshness, start=1):
            chip = FreshnessChip(record, self)
            self.freshness_chips.append(chip)
            self.freshness_row.insertWidget(position, chip)
        self.device_label.setText(
            tr("Device: {device}").replace("{device}", overview.device)
        )

    def _show_bundle(self, bundle: Any, synthetic_data: bool) -> None:
        """Name the bundle (a ``BundleSummary``, or a ``Glance`` naming one)."""
        if isinstance(bundle, Glance) and bundle.id is None:
            bundle = None
        synthetic = (
            " <i>" + html.escape(tr("(synthetic demo data)")) + "</i>"
            if synthetic_data
            else ""
        )
        if bundle is None:
            self.bundle_label.setText(
                "<b>"
                + html.escape(tr("No model bundle is active."))
                + "</b> "
                + html.escape(tr("Import one from a folder (File ▸ Import)."))
                + synthetic
            )
        else:
            self.bundle_label.setText(
                tr("Model <b>{name}</b>, release {release}, valid until {until}")
                .replace("{name}", html.escape(bundle.name))
                .replace("{release}", str(bundle.release))
                .replace("{until}", html.escape(bundle.valid_until[:10]))
                + synthetic
            )
            self.bundle_label.setToolTip(f"{bundle.id}\n{bundle.digest}")

    def show_person(self, person: Any) -> None:
        if person is None:
            self.person_label.setText(tr("Not signed in"))
            self.sign_in_button.setText(tr("&Sign in…"))
            return
        role = getattr(person, "role_label", "") or str(getattr(person, "role", ""))
        self.person_label.setText(
            tr("Signed in: {name} ({role})")
            .replace("{name}", str(person.name))
            .replace("{role}", tr(role))
        )
        self.sign_in_button.setText(tr("&Switch person…"))


class MainWindow(QMainWindow):
    """Header, the units table on the left, the unit and other tabs on the right.

    ``first_data_shown`` fires once the overview and the first run have been shown
    (the screenshot command and the start-up benchmark wait for it).
    """

    first_data_shown = Signal()
    first_painted = Signal()

    def __init__(
        self,
        service: WorkspaceService,
        settings: DesktopSettings,
        reporter: ErrorReporter | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.settings = settings
        self.reporter = reporter
        self.person: Any = None
        self.overview: Overview | None = None
        self.table: RunTable | None = None
        self._pending_unit: int | None = None
        self._loaded = {"overview": False, "run": False}
        self._announced = False
        self._painted = False
        self._running = False
        # The gate's self-test: the bundle last tested (``_UNTESTED`` before any)
        # and its report; a failed report blocks forecasts.
        self._tested_bundle: str | object | None = _UNTESTED
        self.self_test: SelfTestReport | None = None
        self.setWindowTitle(tr("fieldcast"))
        self.setObjectName("mainWindow")
        self.resize(1280, 800)

        self._build_widgets()
        self._build_actions()
        self._connect()
        self.service.history_months = settings.history_months_shown
        self.model.set_thresholds(settings.alerts)
        self.horizon.setValue(settings.default_horizon)

    # Building ---------------------------------------------------------------------

    def _build_widgets(self) -> None:
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.setSpacing(6)

        self.header = Header(central)
        self.banner = MessageBanner(central)
        # Stays while the gate's self-test fails: forecasts are blocked until then.
        self.gate_banner = MessageBanner(central, dismissable=False)
        self.gate_banner.setObjectName("gateBanner")
        self.gate_banner.label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.header)
        layout.addWidget(self.gate_banner)
        layout.addWidget(self.banner)

        run_row = QHBoxLayout()
        self.run_label = QLabel(tr("Loading the workspace…"))
        self.run_label.setObjectName("runLabel")
        self.run_label.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setMaximumWidth(220)
        self.progress.hide()
        self.run_button = QPushButton(tr("&Run forecast"))
        self.run_button.setToolTip(tr("Check the inputs and run the model (Ctrl+R)"))
        self.cancel_button = QPushButton(tr("Cancel"))
        self.cancel_button.hide()
        run_row.addWidget(self.run_label, 1)
        run_row.addWidget(self.progress)
        run_row.addWidget(self.cancel_button)
        run_row.addWidget(self.run_button)
        layout.addLayout(run_row)

        splitter = QSplitter(Qt.Orientation.Horizontal, central)
        splitter.setChildrenCollapsible(False)
        layout.addWidget(splitter, 1)

        # The units panel: filters over the table.
        units_panel = QWidget(splitter)
        units_layout = QVBoxLayout(units_panel)
        units_layout.setContentsMargins(0, 0, 0, 0)
        filters = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("Search units (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName(tr("Search units by name"))
        self.status_filter = QComboBox()
        self.status_filter.setAccessibleName(tr("Show units by status"))
        for label, statuses in (
            (tr("All units"), None),
            (tr("OK"), frozenset({STATUS_OK})),
            (tr("Warning"), frozenset({STATUS_WARNING})),
            (tr("Blocked"), frozenset({STATUS_BLOCKED})),
            (tr("OK or warning"), frozenset({STATUS_OK, STATUS_WARNING})),
        ):
            self.status_filter.addItem(label, statuses)
        self.alerts_only = QCheckBox(tr("&Alerts only"))
        horizon_label = QLabel(tr("&Months ahead:"))
        self.horizon = QSpinBox()
        self.horizon.setRange(1, 36)
        self.horizon.setAccessibleName(tr("Forecast horizon in months"))
        self.horizon.setToolTip(
            tr("How many months after the data the forecast is for")
        )
        horizon_label.setBuddy(self.horizon)
        filters.addWidget(self.search, 2)
        filters.addWidget(self.status_filter)
        filters.addWidget(self.alerts_only)
        filters.addWidget(horizon_label)
        filters.addWidget(self.horizon)
        units_layout.addLayout(filters)

        self.model = UnitsModel(self)
        self.units_view = QTableView()
        self.units_view.setObjectName("unitsTable")
        self.units_view.setModel(self.model)
        self.units_view.setSortingEnabled(True)
        self.units_view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.units_view.setSelectionBehavior(
            QAbstractItemView.SelectionBehavior.SelectRows
        )
        self.units_view.setSelectionMode(
            QAbstractItemView.SelectionMode.SingleSelection
        )
        self.units_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.units_view.setAlternatingRowColors(True)
        self.units_view.setWordWrap(False)
        self.units_view.setAccessibleName(tr("Units"))
        vertical = self.units_view.verticalHeader()
        vertical.hide()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 8)
        horizontal = self.units_view.horizontalHeader()
        horizontal.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        horizontal.setStretchLastSection(True)
        # Wide enough for each heading in the language shown, and its sort arrow.
        metrics = horizontal.fontMetrics()
        for column, width in enumerate((130, 70, 70, 95, 70, 70, 60)):
            heading = str(self.model.headerData(column, Qt.Orientation.Horizontal))
            horizontal.resizeSection(
                column, max(width, metrics.horizontalAdvance(heading) + 28)
            )
        # A calm word over the empty table until the first run arrives: both in one
        # grid cell, the word centred on top.
        table_cell = QGridLayout()
        table_cell.addWidget(self.units_view, 0, 0)
        self.loading_label = QLabel(tr("Loading forecasts…"))
        self.loading_label.setObjectName("loadingLabel")
        self.loading_label.setEnabled(False)
        self.loading_label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        table_cell.addWidget(self.loading_label, 0, 0, Qt.AlignmentFlag.AlignCenter)
        units_layout.addLayout(table_cell, 1)
        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        units_layout.addWidget(self.count_label)

        # The right-hand tabs.
        self.tabs = QTabWidget(splitter)
        self.unit_view = UnitView()
        self.alerts_view = AlertsView()
        self.monitoring_view = MonitoringView()
        self.history_view = HistoryView()
        self.tabs.addTab(self.unit_view, tr("&Unit"))
        self.tabs.addTab(self.alerts_view, tr("Ale&rts"))
        self.tabs.addTab(self.monitoring_view, tr("&Monitoring"))
        self.tabs.addTab(self.history_view, tr("&History"))
        splitter.setStretchFactor(0, 5)
        splitter.setStretchFactor(1, 6)
        splitter.setSizes([640, 640])
        self.setCentralWidget(central)
        self.statusBar().showMessage(tr("Ready"))

        self.setTabOrder(self.search, self.status_filter)
        self.setTabOrder(self.status_filter, self.alerts_only)
        self.setTabOrder(self.alerts_only, self.horizon)
        self.setTabOrder(self.horizon, self.units_view)
        self.setTabOrder(self.units_view, self.tabs)

    def _build_actions(self) -> None:
        menu = self.menuBar()

        def action(text: str, slot: Any, shortcut: Any = None) -> QAction:
            item = QAction(text, self)
            if shortcut is not None:
                item.setShortcut(QKeySequence(shortcut))
            item.triggered.connect(slot)
            self.addAction(item)
            return item

        file_menu = menu.addMenu(tr("&File"))
        self.import_action = action(
            tr("&Import from folder…"), self.open_import, QKeySequence.StandardKey.Open
        )
        self.settings_action = action(tr("&Settings…"), self.open_settings)
        self.quit_action = action(
            tr("&Quit"), self.close, QKeySequence.StandardKey.Quit
        )
        for item in (self.import_action, self.settings_action, self.quit_action):
            file_menu.addAction(item)

        forecast_menu = menu.addMenu(tr("F&orecast"))
        self.run_action = action(tr("&Run forecast"), self.run_forecast, "Ctrl+R")
        self.refresh_action = action(
            tr("Re&load"), self.service.refresh, QKeySequence.StandardKey.Refresh
        )
        self.override_action = action(
            tr("&Override this forecast…"), self.open_override, "Ctrl+E"
        )
        self.find_action = action(
            tr("&Find a unit"), self.focus_search, QKeySequence.StandardKey.Find
        )
        for item in (
            self.run_action,
            self.refresh_action,
            self.override_action,
            self.find_action,
        ):
            forecast_menu.addAction(item)

        people_menu = menu.addMenu(tr("&People"))
        self.sign_in_action = action(tr("&Sign in…"), self.open_sign_in, "Ctrl+L")
        self.supervisor_action = action(
            tr("Supervisor &controls…"), self.open_supervisor_controls
        )
        people_menu.addAction(self.sign_in_action)
        people_menu.addAction(self.supervisor_action)

        help_menu = menu.addMenu(tr("&Help"))
        self.model_card_action = action(tr("&Model card"), self.open_model_card, "F1")
        help_menu.addAction(self.model_card_action)

        for number in range(4):
            action(
                f"tab {number + 1}",
                lambda _=False, n=number: self.tabs.setCurrentIndex(n),
                f"Ctrl+{number + 1}",
            )

    def _connect(self) -> None:
        service = self.service
        service.overview_loaded.connect(self.show_overview)
        service.run_loaded.connect(self.show_run)
        service.unit_loaded.connect(self.show_unit)
        service.monitoring_loaded.connect(self.monitoring_view.show_series)
        service.history_loaded.connect(self.history_view.show_records)
        service.self_test_loaded.connect(self.show_self_test)
        service.forecast_running.connect(self._on_forecast_running)
        service.forecast_progress.connect(self._on_forecast_progress)
        service.busy_changed.connect(self._on_busy_change)
        if self.reporter is not None:
            self.reporter.expected.connect(self.banner.show_message)

        self.header.model_card_requested.connect(self.open_model_card)
        self.header.sign_in_requested.connect(self.open_sign_in)
        self.run_button.clicked.connect(self.run_forecast)
        self.cancel_button.clicked.connect(service.cancel_forecast)
        self.search.textChanged.connect(self._on_search_change)
        self.status_filter.currentIndexChanged.connect(self._on_status_filter_change)
        self.alerts_only.toggled.connect(self._on_alerts_only_change)
        self.horizon.valueChanged.connect(self._on_horizon_change)
        self.units_view.selectionModel().currentRowChanged.connect(
            self._on_current_unit_change
        )
        self.model.modelReset.connect(self._update_count)
        self.model.layoutChanged.connect(self._update_count)
        self.alerts_view.unit_activated.connect(self.select_unit_row)
        self.unit_view.override_requested.connect(lambda _detail: self.open_override())

    # Start ---------------------------------------------------------------------------

    def start(self) -> None:
        """Ask the service for everything the window shows (answers arrive later)."""
        self.service.refresh()

    def show_glance(self, glance: Glance | None) -> None:
        """Show what was read at start-up (``WorkspaceService.glance``), if anything."""
        if glance is not None and self.overview is None:
            self.header.show_glance(glance)

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            # Announced once this paint pass (the children too) has been flushed.
            QTimer.singleShot(0, self.first_painted.emit)

    # Showing what the service sends ------------------------------------------------

    def show_overview(self, overview: Overview) -> None:
        self.overview = overview
        self.header.show_overview(overview)
        self._update_alerts()
        self._check_gate(overview)
        self._mark_loaded("overview")

    def _check_gate(self, overview: Overview) -> None:
        """Self-test the gate at start-up and whenever another bundle is active."""
        bundle_id = overview.bundle.id if overview.bundle is not None else None
        if bundle_id == self._tested_bundle:
            return
        self._tested_bundle = bundle_id
        if bundle_id is None:
            self.show_self_test(None)
        else:
            self.service.check_gate()  # on the workspace thread; answered later

    def show_self_test(self, report: SelfTestReport | None) -> None:
        """Block forecasts with a standing banner while the gate's self-test fails."""
        self.self_test = report
        if report is None or report.passed:
            self.gate_banner.hide()
        else:
            lines = [
                tr(
                    "Forecasts are blocked: the safety checks of model {name} failed "
                    "their self-test, so a forecast could not be trusted. Report this "
                    "to your regional office; they can send a corrected bundle."
                ).replace("{name}", report.bundle_name)
            ]
            lines += [f"• {failure}" for failure in report.failures]
            self.gate_banner.show_message("\n".join(lines))
        self._update_run_enabled()

    @property
    def forecasts_blocked(self) -> bool:
        """True while the gate's self-test has failed for the active bundle."""
        return self.self_test is not None and not self.self_test.passed

    def show_run(self, table: RunTable | None) -> None:
        previous_unit = self.selected_unit_id()
        self.table = table
        self.loading_label.hide()
        self.model.set_table(table, self.horizon.value())
        if table is None:
            self.run_label.setText(
                tr(
                    "No forecast has been run in this workspace yet. "
                    "Press Run forecast."
                )
            )
            self.unit_view.clear()
        else:
            self.horizon.setRange(min(table.run.horizons), max(table.run.horizons))
            self.run_label.setText(run_sentence(table))
            row = None
            if previous_unit is not None:
                found = (table.unit_ids == previous_unit).nonzero()[0]
                row = int(found[0]) if len(found) else None
            self.select_unit_row(row)
        self._update_count()
        self._update_alerts()
        self._mark_loaded("run")

    def show_unit(self, detail: UnitDetail) -> None:
        if self.table is None or detail.run.id != self.table.run.id:
            return  # an answer about a run no longer shown
        self.unit_view.show_detail(detail, self.horizon.value())

    def _mark_loaded(self, what: str) -> None:
        self._loaded[what] = True
        if all(self._loaded.values()) and not self._announced:
            self._announced = True
            self.statusBar().showMessage(tr("Ready"))
            # Ahead of need, in the background: pyqtgraph and the chart, the engine.
            start_loading_charts()
            self.unit_view.prepare_chart()
            self.service.warm_up()
            when_charts_ready(freeze_loaded_objects)
            # Let the views paint what they were given before announcing it.
            QTimer.singleShot(0, self.first_data_shown.emit)

    # Selection -----------------------------------------------------------------------

    def selected_unit_id(self) -> int | None:
        index = self.units_view.currentIndex()
        if not index.isValid() or self.table is None:
            return None
        row = index.data(UNIT_ROW_ROLE)
        return int(self.table.unit_ids[row]) if row is not None else None

    def select_unit_row(self, unit_row: int | None) -> None:
        """Select a run-table row (the first visible row when None)."""
        if unit_row is None:
            if self.model.rowCount() == 0:
                self.unit_view.clear()
                return
            index = self.model.index(0, 0)
        else:
            index = self.model.index(self.model.model_row_of(unit_row), 0)
            if not index.isValid():
                # Hidden by a filter: clear the filters so the person sees it.
                self.search.clear()
                self.status_filter.setCurrentIndex(0)
                self.alerts_only.setChecked(False)
                index = self.model.index(self.model.model_row_of(unit_row), 0)
        self.units_view.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.units_view.scrollTo(index)
        if unit_row is not None:
            self.tabs.setCurrentWidget(self.unit_view)

    def _on_current_unit_change(self, current, _previous) -> None:
        if not current.isValid() or self.table is None:
            return
        row = current.data(UNIT_ROW_ROLE)
        if row is None:
            return
        self.service.load_unit(self.table.run.id, int(self.table.unit_ids[row]))

    # Filters and horizon ------------------------------------------------------------

    def _on_search_change(self, text: str) -> None:
        self.model.set_search(text)
        self._update_count()

    def _on_status_filter_change(self, _index: int) -> None:
        self.model.set_statuses(self.status_filter.currentData())
        self._update_count()

    def _on_alerts_only_change(self, only: bool) -> None:
        self.model.set_only_alerts(only)
        self._update_count()

    def _on_horizon_change(self, horizon: int) -> None:
        self.model.set_horizon(horizon)
        if self.unit_view.detail is not None and not self.unit_view.detail.blocked:
            self.unit_view.show_detail(self.unit_view.detail, horizon)
        self._update_alerts()

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _update_count(self) -> None:
        if self.table is None:
            self.count_label.setText("")
            return
        shown = self.model.rowCount()
        blocked = int((self.table.status == STATUS_BLOCKED).sum())
        self.count_label.setText(
            tr("{shown} of {total} units shown; {blocked} blocked.")
            .replace("{shown}", f"{shown:,}")
            .replace("{total}", f"{len(self.table):,}")
            .replace("{blocked}", f"{blocked:,}")
        )

    def _update_alerts(self) -> None:
        found: list[alert_rules.Alert] = []
        if self.table is not None:
            horizon = self.horizon.value()
            if horizon in self.table.run.horizons:
                found += alert_rules.crossed_units(
                    self.table, horizon, self.settings.alerts
                )
        if self.overview is not None:
            found += alert_rules.data_alerts(self.overview.freshness)
            found += alert_rules.bundle_alerts(
                self.overview.bundle, self.settings.bundle_expiry_warning_days
            )
        self.alerts_view.show_alerts(found)
        index = self.tabs.indexOf(self.alerts_view)
        self.tabs.setTabText(
            index,
            tr("Ale&rts ({n})").replace("{n}", str(len(found)))
            if found
            else tr("Ale&rts"),
        )

    # Forecast runs --------------------------------------------------------------------

    def run_forecast(self) -> None:
        if self.service.forecast_is_running or self.forecasts_blocked:
            return
        self.service.run_forecast()

    def _update_run_enabled(self) -> None:
        allowed = not self._running and not self.forecasts_blocked
        self.run_button.setEnabled(allowed)
        self.run_action.setEnabled(allowed)

    def _on_forecast_running(self, running: bool) -> None:
        self._running = running
        self._update_run_enabled()
        self.cancel_button.setVisible(running)
        self.progress.setVisible(running)
        self.progress.setValue(0)
        self.statusBar().showMessage(
            tr("Running the forecast…") if running else tr("Ready")
        )

    def _on_forecast_progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(round(fraction * 100))
        if message:
            self.statusBar().showMessage(message)

    def _on_busy_change(self, busy: bool) -> None:
        if busy:
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()

    # People and dialogs (other modules; imported when first used) --------------------

    def set_person(self, person: Any) -> None:
        self.person = person
        self.service.person = person
        self.header.show_person(person)
        supervisor = bool(getattr(person, "is_supervisor", False))
        self.supervisor_action.setEnabled(supervisor)

    def open_sign_in(self) -> None:
        from desktop.dialogs.sign_in import SignInDialog

        window = SignInDialog(self.service.call, self)
        window.signed_in.connect(self.set_person)
        window.open()

    def open_override(self) -> None:
        detail = self.unit_view.detail
        if detail is None:
            self.banner.show_message(tr("Choose a unit in the table first."))
            return
        if self.person is None:
            self.banner.show_message(
                tr("Sign in first: every override records who made it.")
            )
            self.open_sign_in()
            return
        from desktop.dialogs.override import OverrideDialog

        window = OverrideDialog(
            self.service.call,
            self.person,
            detail.run.id,
            detail.name,
            self.horizon.value(),
            self,
        )
        window.recorded.connect(lambda _override: self.service.refresh())
        window.open()

    def open_import(self) -> None:
        from desktop.dialogs.import_folder import ImportDialog

        window = ImportDialog(self.service.call, self.person, self)
        window.imported.connect(self.service.refresh)
        window.open()

    def open_supervisor_controls(self) -> None:
        from desktop.dialogs.supervisor import SupervisorDialog

        window = SupervisorDialog(self.service.call, self.person, self)
        window.changed.connect(self.service.refresh)
        window.open()

    def open_model_card(self) -> None:
        bundle = self.overview.bundle if self.overview else None
        if bundle is None:
            self.banner.show_message(tr("No model bundle is active on this device."))
            return
        from desktop.dialogs.model_card import ModelCardDialog

        window = ModelCardDialog(bundle, self, submit=self.service.call)
        window.open()

    def open_settings(self) -> None:
        from desktop.settings_dialog import SettingsDialog

        window = SettingsDialog(self.settings, self)
        window.accepted.connect(lambda: self.apply_settings(window.settings()))
        window.open()

    def apply_settings(self, settings: DesktopSettings) -> None:
        self.settings = settings
        save_settings(settings)
        self.model.set_thresholds(settings.alerts)
        self.service.history_months = settings.history_months_shown
        self._update_alerts()

    # Closing --------------------------------------------------------------------------

    def closeEvent(self, event) -> None:
        self.service.close()
        super().closeEvent(event)


def run_sentence(table: RunTable) -> str:
    run = table.run
    blocked = int((table.status == STATUS_BLOCKED).sum())
    if run.status == "blocked":
        return (
            tr(
                "The last forecast (from {origin} data, {when}) was blocked as a "
                "whole: "
                "no numbers are shown. Choose any unit to read why."
            )
            .replace("{origin}", months.month_name(run.origin))
            .replace("{when}", (run.finished_at or run.started_at)[:10])
        )
    return (
        tr(
            "Forecast from {origin} data, run {when} by {person}: {n} units, "
            "{blocked} blocked."
        )
        .replace("{origin}", months.month_name(run.origin))
        .replace("{when}", (run.finished_at or run.started_at)[:16].replace("T", " "))
        .replace("{person}", run.person)
        .replace("{n}", f"{len(table):,}")
        .replace("{blocked}", f"{blocked:,}")
    )
