"""The gate's self-test as the window starts: silent on a pass, blocking on a fail."""

from __future__ import annotations

from dataclasses import replace

import pytest
from window_data import window_workspace

from desktop.app import build_window, create_application
from desktop.errors import ErrorReporter
from desktop.records import SelfTestReport
from engine import gate
from engine.workspace import Workspace


@pytest.fixture
def open_window(qtbot, tmp_path):
    """Open the window on a fresh workspace once the test has set things up."""
    window_workspace(tmp_path / "ws").close()
    create_application()
    opened = []

    def open_it():
        reporter = ErrorReporter(None)
        reporter.dialogs_enabled = False
        window, service = build_window(tmp_path / "ws", reporter)
        qtbot.addWidget(window)
        opened.append(service)
        with qtbot.waitSignal(service.self_test_loaded, timeout=20_000):
            window.start()
        qtbot.waitUntil(lambda: window._announced, timeout=20_000)
        return window

    yield open_it
    for service in opened:
        service.close()
    gate.forget_self_tests()


def test_a_passing_self_test_shows_nothing_and_forecasts_stay_allowed(open_window):
    window = open_window()
    assert window.self_test is not None
    assert window.self_test.passed
    assert window.self_test.bundle_id == "cm-fatalities-r3"
    assert not window.gate_banner.isVisibleTo(window)
    assert not window.forecasts_blocked
    assert window.run_button.isEnabled()
    assert window.run_action.isEnabled()


def test_a_detector_that_does_not_fire_blocks_forecasts_with_a_standing_banner(
    qtbot, monkeypatch, open_window
):
    # Drift is never found: the self-test's drift probe must notice.
    monkeypatch.setattr("engine.gate.drift.classify", lambda *args: "ok")
    window = open_window()

    assert window.forecasts_blocked
    assert window.gate_banner.isVisibleTo(window)
    text = window.gate_banner.text
    assert "Forecasts are blocked" in text
    assert "Country fatalities (test)" in text
    assert "drift in many inputs" in text
    assert not window.run_button.isEnabled()
    assert not window.run_action.isEnabled()

    # Neither the button's slot nor the shortcut starts a run while blocked.
    window.run_forecast()
    assert not window.service.forecast_is_running

    # A run that ends meanwhile does not lift the block.
    window._on_forecast_running(False)
    assert not window.run_button.isEnabled()

    # A passing report (another bundle, activated later) lifts it.
    window.show_self_test(SelfTestReport("other-r4", "Other model", ()))
    assert not window.gate_banner.isVisibleTo(window)
    assert window.run_button.isEnabled()


def test_a_bundle_whose_input_spec_cannot_be_read_blocks_forecasts(
    qtbot, tmp_path, open_window
):
    with Workspace.open(tmp_path / "ws") as workspace, workspace.atomic():
        workspace.db.execute(
            "UPDATE bundles SET manifest = json_set(manifest, '$.input_spec', "
            "json('{}'))"
        )
    window = open_window()
    assert window.forecasts_blocked
    assert "input spec is malformed" in window.gate_banner.text
    assert not window.run_button.isEnabled()


def test_activating_another_bundle_runs_the_self_test_again(qtbot, open_window):
    window = open_window()
    overview = window.overview
    assert overview is not None and overview.bundle is not None
    with qtbot.assertNotEmitted(window.service.self_test_loaded, wait=50):
        window.show_overview(overview)  # the same bundle: not tested again
    other = replace(overview, bundle=replace(overview.bundle, id="other-r4"))
    with qtbot.waitSignal(window.service.self_test_loaded, timeout=20_000):
        window.show_overview(other)
