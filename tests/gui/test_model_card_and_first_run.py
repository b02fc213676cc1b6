"""The model card viewer and the first-run setup."""

from __future__ import annotations

import hashlib
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QApplication

from desktop.dialogs.first_run import FirstRunWizard
from desktop.dialogs.model_card import ModelCardDialog, read_card_file
from engine import controls
from engine.people import Role, list_people
from engine.workspace import Workspace
from tests.factories import make_bundle

CARD = {
    "title": "Country-month fatalities",
    "summary": "Forecasts of state-based fatalities <b>per country</b>.",
    "limitations": ["Knows nothing of elections."],
}


def _manifest(files=None):
    return {
        "id": "cm-r3",
        "release": 3,
        "valid_until": "2025-06-30T00:00:00+00:00",
        "model_card": CARD,
        "files": files or {},
    }


def test_the_structured_card_is_shown_escaped(qtbot):
    dialog = ModelCardDialog(SimpleNamespace(manifest=_manifest(), path=None))
    qtbot.addWidget(dialog)
    text = dialog.browser.toPlainText()
    assert "Country-month fatalities" in text
    assert "<b>per country</b>" in text  # shown as text, not as markup
    assert "Knows nothing of elections." in text
    assert "release 3" in dialog.summary.text()
    assert dialog.source == "manifest"


def test_the_shipped_html_is_read_when_its_digest_matches(qtbot, runner, tmp_path):
    page = b"<html><body><h1>Shipped card</h1><a href='https://example.org'>x</a></body></html>"
    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / "model_card.html").write_bytes(page)
    files = {"model_card.html": hashlib.sha256(page).hexdigest()}
    bundle = SimpleNamespace(manifest=_manifest(files), path=str(folder))
    dialog = ModelCardDialog(bundle, submit=runner)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.source == "model_card.html", timeout=10_000)
    assert "Shipped card" in dialog.browser.toPlainText()


def test_a_changed_card_file_is_not_shown(tmp_path):
    (tmp_path / "model_card.html").write_text("<h1>Changed</h1>")
    assert read_card_file(tmp_path, {"model_card.html": "0" * 64}) is None


def test_links_are_never_followed(qtbot):
    dialog = ModelCardDialog(SimpleNamespace(manifest=_manifest(), path=None))
    qtbot.addWidget(dialog)
    assert not dialog.browser.openLinks() and not dialog.browser.openExternalLinks()
    with qtbot.waitSignal(dialog.browser.link_refused):
        dialog.browser.anchorClicked.emit(QUrl("https://example.org/card"))
    assert "not opened" in dialog.link_note.text()
    assert QApplication.clipboard().text() == "https://example.org/card"
    assert dialog.browser.loadResource(2, QUrl("file:///etc/passwd")) is None


@pytest.fixture
def wizard(qtbot):
    wizard = FirstRunWizard()
    qtbot.addWidget(wizard)
    yield wizard
    wizard.runner.close()


def test_first_run_on_a_new_folder_with_a_bundle_adds_the_supervisor(
    qtbot, wizard, tmp_path
):
    bundle = make_bundle(tmp_path / "built" / "cm-r1", bundle_id="cm-r1", release=1)
    folder = tmp_path / "my-workspace"
    wizard.show()
    wizard.choice.own_choice.setChecked(True)
    wizard.choice.folder_field.setText(str(folder))
    wizard.choice.bundle_field.setText(str(bundle))
    wizard.next()
    qtbot.waitUntil(lambda: wizard.setup.isComplete(), timeout=30_000)
    assert "cm-r1 imported and active" in wizard.setup.status.text()

    wizard.next()
    form = wizard.person_page.form
    assert form is not None and form.role is Role.SUPERVISOR
    assert not wizard.person_page.isComplete()
    form.name_field.setText("Amina Diallo")
    form.pin_field.setText("4821")
    form.repeat_field.setText("4821")
    assert wizard.person_page.isComplete()
    with qtbot.waitSignal(wizard.finished_setup, timeout=30_000) as finished:
        wizard.accept()
    assert finished.args[0] == folder
    assert finished.args[1].name == "Amina Diallo"

    with Workspace.open(folder) as workspace:
        assert controls.active_bundle_id(workspace) == "cm-r1"
        assert [(p.name, p.role) for p in list_people(workspace)] == [
            ("Amina Diallo", Role.SUPERVISOR)
        ]


def test_first_run_refuses_a_bad_bundle_and_stays(qtbot, wizard, tmp_path):
    bad = tmp_path / "bad.tar.gz"
    bad.write_bytes(b"not an archive")
    wizard.show()
    wizard.choice.own_choice.setChecked(True)
    wizard.choice.folder_field.setText(str(tmp_path / "ws"))
    wizard.choice.bundle_field.setText(str(bad))
    wizard.next()
    qtbot.waitUntil(lambda: wizard.setup.message.kind == "problem", timeout=30_000)
    assert not wizard.setup.isComplete()
    assert "did not finish" in wizard.setup.status.text()


def test_first_run_builds_the_demo(qtbot, wizard):
    wizard.show()
    assert wizard.choice.use_demo
    wizard.next()
    qtbot.waitUntil(lambda: wizard.setup.isComplete(), timeout=120_000)
    assert "SYNTHETIC" in wizard.setup.status.text()
