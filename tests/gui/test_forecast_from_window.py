"""A real forecast run started from the window: the gate, the model, the table."""

from __future__ import annotations

import pytest
from factories import LAST_MONTH, make_bundle, make_workspace

from desktop.app import build_window, create_application
from desktop.errors import ErrorReporter
from desktop.queries import STATUS_BLOCKED
from engine import controls
from engine.workspace import utc_now


@pytest.fixture
def folder(tmp_path):
    workspace = make_workspace(tmp_path / "ws", units=6)
    bundle = make_bundle(tmp_path / "bundle", workspace, now=utc_now())
    result = controls.import_bundle(workspace, bundle, "test")
    controls.activate(workspace, result.bundle.id, "test")
    workspace.close()
    return tmp_path / "ws"


def test_running_a_forecast_fills_the_table_without_blocking_the_ui(qtbot, folder):
    create_application()
    reporter = ErrorReporter(None)
    reporter.dialogs_enabled = False
    window, service = build_window(folder, reporter)
    qtbot.addWidget(window)
    try:
        with qtbot.waitSignal(window.first_data_shown, timeout=20_000):
            window.start()
        assert window.table is None  # no run yet
        assert "No forecast has been run" in window.run_label.text()

        with qtbot.waitSignal(service.forecast_finished, timeout=60_000) as finished:
            service.run_forecast(origin=LAST_MONTH)
            assert not window.run_button.isEnabled()  # busy while it runs
        result = finished.args[0]
        qtbot.waitUntil(
            lambda: window.table is not None and window.table.run.id == result.run_id,
            timeout=20_000,
        )
        assert window.run_button.isEnabled()
        assert window.model.rowCount() == 6
        assert len(window.table.run.horizons) == 3
        assert result.units_forecast > 0
        shown = (window.table.status != STATUS_BLOCKED).sum()
        assert shown == result.units_forecast
        assert "forecast is" in window.unit_view.summary.text() or (
            window.unit_view.detail is None
        )
        qtbot.waitUntil(lambda: window.history_view.runs.rowCount() == 1)
    finally:
        service.close()
