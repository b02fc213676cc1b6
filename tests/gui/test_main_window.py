"""The main window, its units table, unit view, tabs and the service behind them."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import QLocale, QModelIndex, Qt, QThreadPool
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QTabWidget,
    QTextBrowser,
)
from window_data import BLOCK_MESSAGE, PLANTED, window_workspace

from desktop import queries
from desktop.alerts import LEVEL_ELEVATED, LEVEL_HIGH, alert_levels, crossed_units
from desktop.app import build_window, create_application, load_translations
from desktop.errors import ErrorReporter
from desktop.preload import charts_ready
from desktop.queries import STATUS_BLOCKED, STATUS_OK, STATUS_WARNING
from desktop.settings_store import (
    AlertThresholds,
    DesktopSettings,
    load_settings,
    save_settings,
    settings_path,
)
from desktop.units_model import (
    COLUMN_ALERT,
    COLUMN_HDI90,
    COLUMN_POINT,
    COLUMN_STATUS,
    COLUMN_UNIT,
    NO_VALUE,
    UnitsModel,
)


@pytest.fixture(autouse=True)
def no_pool_threads(qtbot):
    yield
    assert QThreadPool.globalInstance().activeThreadCount() == 0


@pytest.fixture
def folder(tmp_path):
    window_workspace(tmp_path / "ws").close()
    return tmp_path / "ws"


@pytest.fixture
def window(qtbot, folder):
    create_application()
    reporter = ErrorReporter(None)
    reporter.dialogs_enabled = False
    window, service = build_window(folder, reporter)
    window.reporter_for_tests = reporter
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.first_data_shown, timeout=20_000):
        window.start()
    qtbot.waitUntil(lambda: window.unit_view.detail is not None, timeout=10_000)
    # pyqtgraph loads in the background; the charts are drawn once it is in.
    qtbot.waitUntil(charts_ready, timeout=20_000)
    yield window
    service.close()
    assert not service.executor.running


def _row_texts(model, row: int) -> list[str]:
    return [
        str(model.index(row, column).data() or "")
        for column in range(model.columnCount(QModelIndex()))
    ]


def _find_row(window, name: str) -> int:
    model = window.model
    for row in range(model.rowCount()):
        if model.index(row, COLUMN_UNIT).data() == name:
            return row
    raise AssertionError(f"{name} not in the table")


def _select(qtbot, window, name: str):
    row = _find_row(window, name)
    with qtbot.waitSignal(window.service.unit_loaded, timeout=10_000):
        window.units_view.selectRow(row)
    qtbot.waitUntil(lambda: window.unit_view.detail.name == name)
    qtbot.wait(1)  # the chart is drawn in the event loop's next pass
    return window.unit_view.detail


def _all_text(widget) -> str:
    """Every piece of text the window shows, including every table cell."""
    parts = [widget.windowTitle()]
    for child in [widget, *widget.findChildren(object)]:
        if isinstance(child, QLabel | QAbstractButton | QLineEdit) and (
            child.isVisibleTo(widget)
        ):
            parts.append(child.text())
        elif isinstance(child, QTextBrowser) and child.isVisibleTo(widget):
            parts.append(child.toPlainText())
        elif isinstance(child, QGroupBox) and child.isVisibleTo(widget):
            parts.append(child.title())
        elif isinstance(child, QTabWidget):
            parts += [child.tabText(i) for i in range(child.count())]
        elif isinstance(child, QListWidget):
            parts += [child.item(i).text() for i in range(child.count())]
        elif isinstance(child, QAbstractItemView) and child.model() is not None:
            model = child.model()
            for row in range(model.rowCount(QModelIndex())):
                parts += _row_texts(model, row)
    return "\n".join(parts)


# Model to view ----------------------------------------------------------------------


def test_loading_a_run_fills_the_table_and_the_header(window):
    assert window.model.rowCount() == 10
    assert "Country fatalities (test)" in window.header.bundle_label.text()
    assert "release 3" in window.header.bundle_label.text()
    assert "field-laptop-07" in window.header.device_label.text()
    # Freshness is told in words as well as colour.
    chips = window.header.freshness_chips
    assert [chip.record.source for chip in chips] == ["ucdp"]
    assert chips[0].text().endswith(chips[0].record.state.replace("empty", "no data"))
    assert window.count_label.text() == "10 of 10 units shown; 1 blocked."
    assert "Amina Diallo" in window.run_label.text()


def test_the_table_sorts_largest_forecast_first_with_blocked_units_last(window):
    points = [
        window.model.index(row, COLUMN_POINT).data()
        for row in range(window.model.rowCount())
    ]
    assert points[-1] == NO_VALUE
    values = [float(p.replace(",", "")) for p in points[:-1]]
    assert values == sorted(values, reverse=True)


def test_the_sync_panel_says_plainly_that_sync_comes_later(window):
    text = window.header.sync_panel.text()
    assert "not available yet" in text
    assert "later release" in text


def test_the_first_unit_is_shown_with_its_chart_and_provenance(qtbot, window):
    detail = window.unit_view.detail
    assert detail.forecast is not None
    qtbot.waitUntil(lambda: window.unit_view.chart.isVisibleTo(window))
    why = window.unit_view.why.toPlainText()
    assert "Country fatalities (test)" in why
    assert "ucdp up to June 2024" in why
    assert "ged_2024_06.csv" in why
    assert "c" * 64 in why and "d" * 64 in why and "a" * 64 in why
    assert "0.1.0" in why


# View to model ----------------------------------------------------------------------


def test_changing_the_horizon_changes_the_numbers_shown(qtbot, window):
    row = _find_row(window, "Molvania")
    before = window.model.index(row, COLUMN_POINT).data()
    window.horizon.setValue(36)
    assert window.model.horizon == 36
    row = _find_row(window, "Molvania")
    after = window.model.index(row, COLUMN_POINT).data()
    assert before != after
    table = window.table
    unit_row = table.names.index("Molvania")
    expected = float(table.point[unit_row, 35])
    assert float(after.replace(",", "")) == pytest.approx(expected, rel=0.05)


def test_the_status_filter_and_search_narrow_the_table(qtbot, window):
    window.status_filter.setCurrentIndex(3)  # Blocked
    assert window.model.rowCount() == 1
    assert window.model.index(0, COLUMN_UNIT).data() == "Atlantis"
    window.status_filter.setCurrentIndex(2)  # Warning
    assert [window.model.index(0, COLUMN_UNIT).data()] == ["Borduria"]
    window.status_filter.setCurrentIndex(0)
    window.search.setText("VIA")  # case-insensitive, anywhere in the name
    names = {window.model.index(r, 0).data() for r in range(window.model.rowCount())}
    assert names == {"Genovia", "Syldavia"}
    assert window.count_label.text().startswith("2 of 10")
    window.search.clear()
    assert window.model.rowCount() == 10


def test_the_selection_follows_its_unit_through_filters_and_sorting(qtbot, window):
    _select(qtbot, window, "Syldavia")
    window.search.setText("via")
    assert window.selected_unit_id() is not None
    assert window.units_view.currentIndex().data() == "Syldavia"
    window.units_view.sortByColumn(COLUMN_UNIT, Qt.SortOrder.DescendingOrder)
    assert window.units_view.currentIndex().data() == "Syldavia"
    assert window.units_view.currentIndex().row() == 0  # before Genovia now
    window.search.setText("geno")  # Syldavia is hidden: nothing is selected
    assert not window.units_view.currentIndex().isValid()
    window.search.clear()
    assert window.model.rowCount() == 10


def test_alerts_only_shows_units_at_or_above_elevated(window):
    window.alerts_only.setChecked(True)
    shown = window.model.rowCount()
    levels = window.model.levels()
    assert shown == int((levels >= LEVEL_ELEVATED).sum())
    for row in range(shown):
        assert window.model.index(row, COLUMN_ALERT).data() in {"Elevated", "High"}


def test_clicking_a_header_sorts_the_model(window):
    window.units_view.sortByColumn(COLUMN_UNIT, Qt.SortOrder.AscendingOrder)
    names = [window.model.index(r, 0).data() for r in range(window.model.rowCount())]
    assert names == sorted(names)
    window.units_view.sortByColumn(COLUMN_UNIT, Qt.SortOrder.DescendingOrder)
    names = [window.model.index(r, 0).data() for r in range(window.model.rowCount())]
    assert names == sorted(names, reverse=True)


def test_selecting_a_row_shows_that_unit(qtbot, window):
    detail = _select(qtbot, window, "Carpania")
    assert window.unit_view.title.text() == "Carpania"
    assert detail.overrides and detail.overrides[0].horizon == 3
    assert "1 override(s) recorded" in window.unit_view.summary.text()


def test_a_warned_unit_shows_its_number_and_its_warning(qtbot, window):
    _select(qtbot, window, "Borduria")
    assert window.unit_view.reasons.isVisibleTo(window)
    assert "unlike the training data" in window.unit_view.reasons.text()
    qtbot.waitUntil(lambda: window.unit_view.chart.isVisibleTo(window))


# A blocked unit --------------------------------------------------------------------


def test_a_blocked_unit_shows_its_reasons_and_no_number_anywhere(qtbot, window):
    """The planted forecast row for the blocked unit must never reach the screen."""
    _select(qtbot, window, "Atlantis")
    view = window.unit_view
    assert view.reasons.isVisibleTo(window)
    assert BLOCK_MESSAGE in view.reasons.text()
    assert not view.chart.isVisibleTo(window)
    assert not view.why_box.isVisibleTo(window)

    row = _find_row(window, "Atlantis")
    texts = _row_texts(window.model, row)
    assert texts[COLUMN_STATUS] == "Blocked"
    assert texts[COLUMN_POINT] == texts[COLUMN_HDI90] == NO_VALUE

    everything = _all_text(window)
    for horizon_value in ("777", "1,243", "2,331", "777.2", "155"):
        assert horizon_value not in everything, horizon_value
    assert PLANTED == 777.25  # the value the workspace really holds for Atlantis
    for horizon in (1, 12, 36):
        window.horizon.setValue(horizon)
        assert "777" not in _all_text(window)


def test_a_blocked_unit_reads_as_nan_in_every_summary(folder):
    from engine.workspace import Workspace

    with Workspace.open(folder) as workspace:
        table = queries.run_table(workspace)
        row = table.names.index("Atlantis")
        assert table.status[row] == STATUS_BLOCKED
        for name in queries.SUMMARY_COLUMNS:
            assert np.isnan(getattr(table, name)[row]).all()
        detail = queries.unit_detail(workspace, table.run.id, int(table.unit_ids[row]))
        assert detail.blocked and detail.forecast is None
        assert table.status[table.names.index("Borduria")] == STATUS_WARNING
        assert table.status[table.names.index("Molvania")] == STATUS_OK


# Alerts, monitoring, history ---------------------------------------------------------


def test_alerts_list_crossings_due_data_and_the_expiring_bundle(qtbot, window):
    texts = [
        window.alerts_view.list.item(i).text()
        for i in range(window.alerts_view.list.count())
    ]
    assert any("expires in" in t for t in texts)  # valid 20 days, warned at 30
    assert any("ucdp" in t and "overdue" in t for t in texts)
    crossed = [a for a in window.alerts_view.alerts if a.kind == "unit"]
    assert crossed, "units rose from the older run's lower forecasts"
    assert window.tabs.tabText(1).endswith(f"({len(texts)})")

    # Activating a unit alert selects that unit.
    shown = window.unit_view.detail.name
    first = next(
        i
        for i, a in enumerate(window.alerts_view.alerts)
        if a.kind == "unit" and a.subject != shown
    )
    item = window.alerts_view.list.item(first)
    with qtbot.waitSignal(window.service.unit_loaded, timeout=10_000):
        window.alerts_view.list.itemActivated.emit(item)
    qtbot.waitUntil(
        lambda: window.unit_view.detail.name == window.alerts_view.alerts[first].subject
    )


def test_bundle_expiry_alert_follows_the_setting(window):
    window.apply_settings(window.settings.with_changes(bundle_expiry_warning_days=5))
    texts = [a.kind for a in window.alerts_view.alerts]
    assert "bundle" not in texts
    assert json.loads(settings_path().read_text())["bundle_expiry_warning_days"] == 5


def test_monitoring_and_history_show_what_the_workspace_recorded(qtbot, window):
    qtbot.waitUntil(lambda: window.monitoring_view.series is not None)
    series = window.monitoring_view.series
    assert series.features == ("ged_sb_lag1", "ged_sb_sum12", "month")
    assert series.psi.shape == (3, 2)
    assert list(series.blocked_units) == [0, 1]
    assert list(series.overrides_per_release) == [1]
    qtbot.waitUntil(lambda: window.history_view.runs.rowCount() == 2)
    assert window.history_view.blocks.rowCount() == 1
    assert BLOCK_MESSAGE in window.history_view.blocks.rows[0]
    assert window.history_view.overrides.rowCount() == 1
    assert "Clashes reported" in window.history_view.overrides.rows[0][-1]


# Errors, keyboard, settings, translations ------------------------------------------


def test_an_expected_error_shows_as_a_calm_banner(qtbot, window):
    # The test workspace's bundle has no files: the run is refused with a message.
    with qtbot.waitSignal(window.service.forecast_running, timeout=10_000,
                          check_params_cb=lambda running: not running):  # fmt: skip
        window.run_forecast()
    assert window.banner.isVisibleTo(window)
    assert "bundle" in window.banner.text.lower()
    assert window.run_button.isEnabled()


def test_an_unexpected_error_goes_to_the_dialog_path_with_the_log(qtbot, window):
    reporter = window.reporter_for_tests
    with qtbot.waitSignal(reporter.unexpected, timeout=5_000) as signal:
        window.service.call("boom", lambda _ws, _c: 1 / 0, lambda _r: None)
    assert "ZeroDivisionError" in signal.args[0]
    assert not window.banner.text.startswith("ZeroDivision")


def test_control_f_moves_the_focus_to_search(qtbot, window):
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    window.find_action.trigger()
    assert window.focusWidget() is window.search


def test_settings_round_trip_and_bad_files_fall_back_to_defaults(tmp_path):
    settings = DesktopSettings(
        alerts=AlertThresholds(5, 50, 0.4, 0.8), default_horizon=3
    )
    path = save_settings(settings, tmp_path / "s.json")
    assert load_settings(path) == settings
    path.write_text("{not json")
    assert load_settings(path) == DesktopSettings()
    path.write_text(json.dumps({"version": 99}))
    assert load_settings(path) == DesktopSettings()


def test_a_right_to_left_locale_lays_the_window_out_right_to_left(qtbot):
    app = create_application()
    try:
        load_translations(app, QLocale(QLocale.Language.Arabic))
        assert app.layoutDirection() == Qt.LayoutDirection.RightToLeft
    finally:
        load_translations(app, QLocale(QLocale.Language.English))
    assert app.layoutDirection() == Qt.LayoutDirection.LeftToRight


def test_the_main_window_speaks_french_through_the_apps_catalogue(qtbot, folder):
    """The app loads fieldcast's catalogue so module-level tr() strings are found.

    lupdate files them under the empty context while the window asks in its own
    ("MainWindow"): a plain QTranslator would leave them in English.
    """
    app = create_application()
    try:
        loaded = load_translations(app, QLocale(QLocale.Language.French))
        assert any(path.endswith("fieldcast_fr.qm") for path in loaded)
        window, service = build_window(folder)
        qtbot.addWidget(window)
        assert window.run_button.text() == "&Lancer la prévision"
        assert window.search.placeholderText() == "Rechercher des unités (Ctrl+F)"
        service.close()
    finally:
        load_translations(app, QLocale(QLocale.Language.English))
    english, english_service = build_window(folder)
    qtbot.addWidget(english)
    assert english.run_button.text() == "&Run forecast"
    english_service.close()


def test_alert_levels_take_the_higher_of_count_and_probability():
    thresholds = AlertThresholds(10, 100, 0.5, 0.9)
    point = np.array([0, 12, 0, 150, np.nan], dtype=np.float32)
    p_any = np.array([0.1, 0.1, 0.95, 0.2, 0.5], dtype=np.float32)
    assert alert_levels(point, p_any, thresholds).tolist() == [
        0,
        LEVEL_ELEVATED,
        LEVEL_HIGH,
        LEVEL_HIGH,
        -1,
    ]


def test_crossings_need_a_rise_to_elevated_or_above(folder):
    from engine.workspace import Workspace

    with Workspace.open(folder) as workspace:
        table = queries.run_table(workspace)
    alerts = crossed_units(table, 1, AlertThresholds(10, 100, 0.5, 0.9))
    for alert in alerts:
        assert alert.level_now > alert.level_before
        assert alert.level_now >= LEVEL_ELEVATED
    assert "Atlantis" not in {alert.subject for alert in alerts}


def test_a_grid_sized_table_sorts_and_filters_with_numpy(qtbot, tmp_path):
    from window_data import grid_workspace

    with grid_workspace(tmp_path / "grid", units=3_000, history=2) as workspace:
        table = queries.run_table(workspace)
    model = UnitsModel()
    model.set_table(table, 1)
    assert model.rowCount() == 3_000
    model.sort(COLUMN_POINT, Qt.SortOrder.DescendingOrder)
    first = float(model.index(0, COLUMN_POINT).data().replace(",", ""))
    assert first == pytest.approx(float(np.nanmax(table.point[:, 0])), rel=0.01)
    model.set_statuses(frozenset({STATUS_BLOCKED}))
    assert model.rowCount() == int((table.status == STATUS_BLOCKED).sum())
    model.set_statuses(None)
    model.set_search("pg 0001")
    assert model.rowCount() == 100  # PG 000100 to PG 000199


def test_once_settled_the_window_leaves_start_up_objects_out_of_full_collections(
    qtbot, window
):
    """A full collection over everything loaded would hold the GIL for tens of ms."""
    import gc

    qtbot.waitUntil(lambda: not window.service.executor.busy, timeout=20_000)
    qtbot.waitUntil(lambda: gc.get_freeze_count() > 10_000, timeout=5_000)
