"""Every dialog the main window opens, opened from the window itself, and first run."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from stored_runs import PIN, store_person
from window_data import window_workspace

from desktop.app import build_window, create_application, open_app
from desktop.dialogs.first_run import FirstRunWizard
from desktop.dialogs.import_folder import ImportDialog
from desktop.dialogs.model_card import ModelCardDialog
from desktop.dialogs.override import OverrideDialog
from desktop.dialogs.sign_in import SignInDialog
from desktop.dialogs.supervisor import SupervisorDialog
from desktop.errors import ErrorReporter
from desktop.main_window import MainWindow
from engine.people import list_people
from engine.workspace import DATABASE_NAME, Workspace


@pytest.fixture
def window(qtbot, tmp_path):
    folder = tmp_path / "ws"
    with window_workspace(folder) as workspace:
        store_person(workspace, "Amina Diallo", "supervisor")
    create_application()
    reporter = ErrorReporter(None)
    reporter.dialogs_enabled = False
    window, service = build_window(folder, reporter)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.first_data_shown, timeout=20_000):
        window.start()
    qtbot.waitUntil(lambda: window.unit_view.detail is not None, timeout=10_000)
    yield window
    for dialog in window.findChildren(object):
        if hasattr(dialog, "reject") and dialog is not window:
            dialog.reject()
    qtbot.waitUntil(lambda: not service.executor.busy, timeout=10_000)
    service.close()


def _opened(window: MainWindow, kind: type):
    found = [d for d in window.findChildren(kind) if d.isVisible()]
    assert len(found) == 1, f"{kind.__name__} did not open"
    return found[0]


def _sign_in(qtbot, window: MainWindow) -> None:
    window.open_sign_in()
    dialog = _opened(window, SignInDialog)
    qtbot.waitUntil(lambda: dialog.name_field.count() > 0, timeout=10_000)
    dialog.pin_field.setText(PIN)
    with qtbot.waitSignal(dialog.signed_in, timeout=20_000):
        dialog.sign_in_button.click()
    assert window.person.name == "Amina Diallo"


def test_sign_in_opens_on_the_service_and_signs_the_window_in(qtbot, window):
    _sign_in(qtbot, window)
    assert "Amina Diallo" in window.header.person_label.text()
    assert window.supervisor_action.isEnabled()


def test_override_import_and_supervisor_dialogs_open_from_the_window(qtbot, window):
    _sign_in(qtbot, window)
    detail = window.unit_view.detail

    window.open_override()
    override = _opened(window, OverrideDialog)
    qtbot.waitUntil(lambda: override.original is not None, timeout=10_000)
    assert detail.name in override.heading.text()
    override.reject()

    window.open_import()
    importer = _opened(window, ImportDialog)
    assert importer.person == window.person
    importer.reject()

    window.open_supervisor_controls()
    supervisor = _opened(window, SupervisorDialog)
    assert supervisor.person == window.person
    qtbot.waitUntil(lambda: supervisor.view is not None, timeout=10_000)
    supervisor.reject()


def test_the_model_card_opens_with_the_active_bundle(qtbot, window):
    """The card dialog gets the bundle and reads the card file through the service."""
    kinds: list[str] = []
    call = window.service.call

    def recording_call(kind, *args, **kwargs):
        kinds.append(kind)
        return call(kind, *args, **kwargs)

    window.service.call = recording_call
    window.open_model_card()
    card = _opened(window, ModelCardDialog)
    assert "model_card.read" in kinds
    assert card.bundle is window.overview.bundle
    assert "Country fatalities (test)" in card.windowTitle() + card.summary.text() + (
        card.browser.toPlainText()
    )
    card.reject()


def test_without_a_workspace_the_app_opens_the_first_run_setup(qtbot, tmp_path):
    """The setup makes the workspace, then the window opens on it, signed in."""
    create_application()
    folder = tmp_path / "new"
    wizard = open_app(folder)
    assert isinstance(wizard, FirstRunWizard)
    qtbot.addWidget(wizard)
    wizard.show()
    assert wizard.choice.folder_field.text() == str(folder)
    wizard.choice.own_choice.setChecked(True)
    wizard.next()
    qtbot.waitUntil(wizard.setup.isComplete, timeout=30_000)
    wizard.next()
    form = wizard.person_page.form
    form.name_field.setText("Amina Diallo")
    form.pin_field.setText("4821")
    form.repeat_field.setText("4821")
    with qtbot.waitSignal(wizard.finished_setup, timeout=30_000):
        wizard.accept()

    window = wizard.opened_window
    qtbot.addWidget(window)
    assert window.service.folder == folder
    assert window.person.name == "Amina Diallo"
    with qtbot.waitSignal(window.first_data_shown, timeout=20_000):
        pass  # reading starts at the window's first paint
    assert window.table is None  # a new workspace: no run yet, said in words
    assert "No forecast has been run" in window.run_label.text()
    window.service.close()
    with Workspace.open(folder, create=False) as workspace:
        assert [p.name for p in list_people(workspace)] == ["Amina Diallo"]


def test_a_screenshot_without_a_workspace_is_refused_with_a_message(tmp_path):
    from desktop.cli import main

    folder = tmp_path / "none"
    result = CliRunner().invoke(
        main,
        ["--workspace", str(folder), "app", "--screenshot", str(tmp_path / "s.png")],
    )
    assert result.exit_code == 2
    assert "fieldcast demo" in result.output
    assert not (folder / DATABASE_NAME).exists()
