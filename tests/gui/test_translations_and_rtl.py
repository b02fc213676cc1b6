"""The French catalogue, and every dialog laid out right to left without overlaps."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from itertools import combinations
from pathlib import Path
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, QRect, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QLabel,
    QWidget,
)
from stored_runs import store_person, store_run

from desktop.dialogs.first_run import FirstRunWizard
from desktop.dialogs.import_folder import ImportDialog
from desktop.dialogs.model_card import ModelCardDialog
from desktop.dialogs.override import OverrideDialog
from desktop.dialogs.sign_in import NewPersonDialog, SignInDialog
from desktop.dialogs.supervisor import SupervisorDialog
from desktop.i18n import TRANSLATIONS, fieldcast_translator

CATALOGUE = TRANSLATIONS / "fieldcast_fr.ts"
ROOT = Path(__file__).resolve().parents[2]

KEY_STRINGS = {
    ("", "Record override"): "Enregistrer la correction",
    ("", "Sign in"): "Se connecter",
    ("", "Local knowledge of events"): "Connaissance locale des événements",
    ("", "Import from a folder"): "Importer depuis un dossier",
    ("", "Supervisor controls"): "Contrôles du superviseur",
    # Other modules name their own context at run time; lupdate files them under "".
    ("Errors", "Something went wrong"): "Un problème est survenu",
    ("UnitsModel", "Blocked"): "Bloquées",
}


@pytest.fixture
def french(qapp):
    translator = fieldcast_translator(QLocale(QLocale.Language.French))
    assert translator is not None, "fieldcast_fr.qm is missing: run make translations"
    qapp.installTranslator(translator)
    yield translator
    qapp.removeTranslator(translator)


def test_the_key_strings_are_translated(french):
    for (context, source), expected in KEY_STRINGS.items():
        assert QCoreApplication.translate(context, source) == expected


def test_every_string_in_the_catalogue_is_translated():
    root = ET.parse(CATALOGUE).getroot()
    messages = list(root.iter("message"))
    assert len(messages) > 300
    unfinished = [
        m.findtext("source")
        for m in messages
        if m.find("translation").get("type") in ("unfinished", "vanished", "obsolete")
    ]
    assert unfinished == []


@pytest.mark.skipif(
    shutil.which("pyside6-lupdate", path=str(Path(sys.executable).parent)) is None,
    reason="pyside6-lupdate is not installed beside this Python",
)
def test_the_catalogue_holds_every_string_the_code_shows(tmp_path):
    """A string added to the code without a French translation fails here."""
    lupdate = Path(sys.executable).parent / "pyside6-lupdate"
    fresh = tmp_path / "fresh.ts"
    files = sorted(str(p) for p in (ROOT / "desktop").glob("*.py"))
    files += sorted(str(p) for p in (ROOT / "desktop" / "dialogs").glob("*.py"))
    subprocess.run(
        [str(lupdate), *files, "-ts", str(fresh)], check=True, capture_output=True
    )
    in_code = {m.findtext("source") for m in ET.parse(fresh).getroot().iter("message")}
    translated = {
        m.findtext("source") for m in ET.parse(CATALOGUE).getroot().iter("message")
    }
    assert sorted(in_code - translated) == []


def test_a_dialog_speaks_french(qtbot, french, runner, workspace):
    store_person(workspace, "Amina Diallo", "supervisor")
    jean = store_person(workspace, "Jean Ouedraogo", "field")
    dialog = OverrideDialog(runner, jean, store_run(workspace), "Mali", 2)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.original is not None, timeout=10_000)
    assert dialog.windowTitle() == "Corriger une prévision"
    assert dialog.record_button.text() == "Enregistrer la correction"
    assert "dans 2 mois" in dialog.heading.text()
    assert "ne peut être ni modifiée ni supprimée" in dialog.recorded_note.text()


# Right to left ---------------------------------------------------------------------


@pytest.fixture
def right_to_left(qapp):
    qapp.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    yield
    qapp.setLayoutDirection(Qt.LayoutDirection.LeftToRight)


def _visible_children(widget: QWidget) -> list[QWidget]:
    return [
        child
        for child in widget.findChildren(
            QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly
        )
        if child.isVisible() and not child.isWindow()
    ]


def layout_problems(widget: QWidget) -> list[str]:
    """Overlapping siblings, children outside their parent, text cut short."""
    problems: list[str] = []
    children = [
        c
        for c in _visible_children(widget)
        if c.objectName() != "qt_scrollarea_viewport"
    ]
    inside = QRect(0, 0, widget.width(), widget.height())
    for child in children:
        name = f"{type(child).__name__} '{_text(child)}' in {type(widget).__name__}"
        if not inside.contains(child.geometry()):
            problems.append(f"{name} sticks out of its parent")
        if _cut(child):
            problems.append(f"{name} is cut short")
        problems += layout_problems(child)
    for first, second in combinations(children, 2):
        if first.geometry().intersects(second.geometry()):
            problems.append(
                f"{type(first).__name__} '{_text(first)}' overlaps "
                f"{type(second).__name__} '{_text(second)}' in {type(widget).__name__}"
            )
    return problems


def _cut(child: QWidget) -> bool:
    """True when a label's or a button's text does not fit its size."""
    if isinstance(child, QLabel) and child.text():
        if child.wordWrap():
            return child.height() < child.heightForWidth(child.width())
        return child.width() < child.minimumSizeHint().width()
    if isinstance(child, QAbstractButton) and child.text():
        return child.width() < child.minimumSizeHint().width()
    return False


def test_the_layout_check_finds_overlaps_and_cut_text(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.resize(200, 100)
    first = QLabel("A label with a long text that cannot fit", parent)
    second = QLabel("Another", parent)
    first.setGeometry(0, 0, 60, 20)
    second.setGeometry(30, 0, 60, 20)
    parent.show()
    problems = layout_problems(parent)
    assert any("overlaps" in problem for problem in problems)
    assert any("cut short" in problem for problem in problems)


def _text(widget: QWidget) -> str:
    for attribute in ("text", "title", "currentText", "placeholderText"):
        method = getattr(widget, attribute, None)
        if callable(method):
            try:
                return str(method())[:30]
            except TypeError:
                continue
    return widget.objectName()


def _label_is_right_of_its_field(dialog: QWidget, field: QWidget) -> bool:
    label = next(
        each
        for each in dialog.findChildren(QLabel)
        if each.buddy() is field and each.isVisible()
    )
    return (
        label.mapTo(dialog, label.rect().center()).x()
        > field.mapTo(dialog, field.rect().center()).x()
    )


def _dialogs(runner, workspace, tmp_path):
    store_person(workspace, "Amina Diallo", "supervisor")
    jean = store_person(workspace, "Jean Ouedraogo", "field")
    message = "Fatality data for Chad ends in March 2024; import the April package."
    run_id = store_run(workspace, blocked={"Chad": message})
    card = SimpleNamespace(
        manifest={
            "id": "cm-r3",
            "release": 3,
            "valid_until": "2025-06-30",
            "model_card": {"title": "Country-month", "summary": "Forecasts."},
        },
        path=None,
    )
    return [
        SignInDialog(runner, names=["Amina Diallo", "Jean Ouedraogo"]),
        NewPersonDialog(runner, first_person=True),
        OverrideDialog(runner, jean, run_id, "Mali", 2),
        OverrideDialog(runner, jean, run_id, "Chad", 1),
        SupervisorDialog(runner, jean),
        ImportDialog(runner, jean, folder=tmp_path),
        ModelCardDialog(card),
    ]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_dialog_lays_out_right_to_left_without_overlaps(
    qtbot, qapp, right_to_left, runner, workspace, tmp_path, language
):
    translator = None
    if language == "fr":
        translator = fieldcast_translator(QLocale(QLocale.Language.French))
        qapp.installTranslator(translator)
    try:
        dialogs = _dialogs(runner, workspace, tmp_path)
        for dialog in dialogs:
            qtbot.addWidget(dialog)
            dialog.show()
            qtbot.waitExposed(dialog)
        runner.wait_idle(qtbot)
        qtbot.wait(50)
        for dialog in dialogs:
            assert dialog.layoutDirection() == Qt.LayoutDirection.RightToLeft
            assert layout_problems(dialog) == [], type(dialog).__name__
        # Mirrored: a form's label stands to the right of its field.
        sign_in, new_person = dialogs[0], dialogs[1]
        assert _label_is_right_of_its_field(new_person, new_person.name_field)
        assert _label_is_right_of_its_field(sign_in, sign_in.pin_field)
    finally:
        if translator is not None:
            qapp.removeTranslator(translator)


def test_the_first_run_wizard_lays_out_right_to_left(qtbot, right_to_left):
    wizard = FirstRunWizard()
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    try:
        page = wizard.currentPage()
        assert page.layoutDirection() == Qt.LayoutDirection.RightToLeft
        assert layout_problems(page) == []
        # Mirrored: the radio buttons' text starts at the right edge.
        button = wizard.choice.demo_choice
        assert (
            button.mapTo(wizard, button.rect().center()).x() > wizard.width() / 2 - 50
        )
    finally:
        wizard.runner.close()
