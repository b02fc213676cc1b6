"""Import from a folder: what is found, what is taken, refused and why, and Stop."""

from __future__ import annotations

import shutil
import threading

import pytest
from PySide6.QtCore import Qt
from stored_runs import store_person

from desktop.dialogs.import_folder import ImportDialog, scan_folder
from engine import controls
from tests.factories import make_archive, make_bundle

HEADER = ",country_id,month_id,country,gwcode,isoab,year,month,ucdp_ged_sb_best_sum\n"


def ucdp_rows(months=range(400, 406), units=(("Mali", 432), ("Niger", 436))):
    lines = [HEADER]
    index = 0
    for month_id in months:
        for number, (name, gwcode) in enumerate(units, start=1):
            year, month = 1980 + (month_id - 1) // 12, (month_id - 1) % 12 + 1
            value = float((month_id * number) % 7)
            lines.append(
                f"{index},{number},{month_id},{name},{gwcode},{name[:3].upper()},"
                f"{year},{month},{value}\n"
            )
            index += 1
    return "".join(lines)


@pytest.fixture
def stick(tmp_path):
    """A USB stick: one good data file, one without a mapping, one good bundle."""
    folder = tmp_path / "stick"
    folder.mkdir()
    (folder / "ucdp_ged_cm_2013.csv").write_text(ucdp_rows(), encoding="utf-8")
    (folder / "field_reports.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    built = make_bundle(tmp_path / "built" / "cm-r1", bundle_id="cm-r1", release=1)
    make_archive(built, folder / "cm-r1.tar.gz")
    return folder


@pytest.fixture
def jean(workspace):
    store_person(workspace, "Amina Diallo", "supervisor")
    return store_person(workspace, "Jean Ouedraogo", "field")


def _open(qtbot, runner, person, folder) -> ImportDialog:
    dialog = ImportDialog(runner, person, folder=folder)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.found_list.topLevelItemCount() > 0, timeout=10_000)
    return dialog


def test_scan_finds_data_with_their_mapping_and_bundles(stick, tmp_path):
    (stick / "april.csv").write_text(ucdp_rows(), encoding="utf-8")
    shutil.copy("resources/mappings/ucdp_ged_cm.toml", stick / "april.toml")
    sub = stick / "bundles"
    shutil.copytree(tmp_path / "built" / "cm-r1", sub / "cm-r1")
    found = {item.path.name: item for item in scan_folder(stick)}

    assert found["april.csv"].source == "ucdp_ged_cm"
    assert found["april.csv"].mapping == stick / "april.toml"
    assert found["ucdp_ged_cm_2013.csv"].source == "ucdp_ged_cm"
    assert found["ucdp_ged_cm_2013.csv"].mapping is None
    assert not found["field_reports.csv"].usable
    assert "field_reports.toml" in found["field_reports.csv"].problem
    assert found["cm-r1.tar.gz"].kind == "bundle"
    assert found["cm-r1"].kind == "bundle" and found["cm-r1"].path.is_dir()


def test_a_bundle_folder_chosen_directly_is_one_item(tmp_path):
    built = make_bundle(tmp_path / "cm-r1", bundle_id="cm-r1", release=1)
    (item,) = scan_folder(built)
    assert item.kind == "bundle" and item.path == built


def test_import_takes_data_and_bundle_and_gives_an_account(
    qtbot, runner, workspace, jean, stick
):
    dialog = _open(qtbot, runner, jean, stick)
    names = [dialog.found_list.topLevelItem(i).text(0) for i in range(3)]
    assert sorted(names) == [
        "cm-r1.tar.gz",
        "field_reports.csv",
        "ucdp_ged_cm_2013.csv",
    ]
    assert [item.path.name for item in dialog.chosen_items()] == [
        "cm-r1.tar.gz",
        "ucdp_ged_cm_2013.csv",
    ]
    assert dialog.import_button.isEnabled()

    with qtbot.waitSignal(dialog.imported, timeout=30_000):
        dialog.import_button.click()
    assert not dialog.progress.isVisible()
    account = dialog.account.toPlainText()
    assert "2 accepted, 0 already here, 0 refused, 0 skipped" in account
    assert "ACCEPTED: ucdp_ged_cm_2013.csv" in account
    assert "now the active bundle" in account

    assert controls.active_bundle_id(workspace) == "cm-r1"
    batch = workspace.query("SELECT person, status FROM batches")
    assert batch == [{"person": "Jean Ouedraogo", "status": "accepted"}]
    assert workspace.scalar("SELECT COUNT(*) FROM observations") == 12

    # The same stick again: nothing changes, and the account says so.
    dialog.start_import()
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=30_000)
    assert "0 accepted, 2 already here" in dialog.account.toPlainText()


def test_a_broken_data_file_and_bundle_are_refused_with_reasons(
    qtbot, runner, workspace, jean, stick
):
    (stick / "ucdp_ged_cm_2013.csv").write_text(
        ucdp_rows().replace(",5.0\n", ",-5.0\n"), encoding="utf-8"
    )
    archive = stick / "cm-r1.tar.gz"
    archive.write_bytes(archive.read_bytes()[:300])
    dialog = _open(qtbot, runner, jean, stick)
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.outcomes is not None, timeout=30_000)
    account = dialog.account.toPlainText()
    assert "0 accepted, 0 already here, 2 refused" in account
    assert "REFUSED: ucdp_ged_cm_2013.csv" in account
    assert "negative" in account.lower()
    assert "REFUSED: cm-r1.tar.gz" in account
    assert workspace.scalar("SELECT COUNT(*) FROM observations") == 0
    assert controls.list_bundles(workspace) == []


def test_unticked_items_are_left_alone(qtbot, runner, workspace, jean, stick):
    dialog = _open(qtbot, runner, jean, stick)
    dialog.set_checked("cm-r1.tar.gz", False)
    dialog.activate_check.setChecked(False)
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.outcomes is not None, timeout=30_000)
    assert [o.item.path.name for o in dialog.outcomes] == ["ucdp_ged_cm_2013.csv"]
    assert controls.list_bundles(workspace) == []


def test_stop_keeps_what_was_done_and_skips_the_rest(
    qtbot, runner, workspace, jean, stick
):
    dialog = _open(qtbot, runner, jean, stick)
    # Hold the workspace thread so Stop is pressed before the first file starts.
    release = threading.Event()
    runner.executor.submit("hold", lambda _c: release.wait(10), supersede=False)
    dialog.start_import()
    assert not dialog.import_button.isEnabled()
    assert not dialog.close_button.isEnabled()
    dialog.cancel_import()
    assert "Stopping" in dialog.status.text()
    release.set()
    qtbot.waitUntil(lambda: dialog.outcomes is not None, timeout=30_000)
    assert {o.status for o in dialog.outcomes} == {"skipped"}
    assert "Not imported: cancelled" in dialog.account.toPlainText()
    assert controls.list_bundles(workspace) == []
    assert dialog.close_button.isEnabled()


def test_nobody_signed_in_cannot_import(qtbot, runner, stick):
    dialog = _open(qtbot, runner, None, stick)
    assert "Sign in first" in dialog.message.text()
    assert not dialog.import_button.isEnabled()


def test_an_empty_folder_says_what_it_looked_for(qtbot, runner, jean, tmp_path):
    dialog = ImportDialog(runner, jean, folder=tmp_path / "empty-stick")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: "Nothing to import" in dialog.status.text(), timeout=10_000)
    assert "manifest.json" in dialog.status.text()
    assert not dialog.import_button.isEnabled()


def test_closing_is_refused_while_an_import_runs(qtbot, runner, jean, stick):
    dialog = _open(qtbot, runner, jean, stick)
    dialog.show()
    dialog.import_button.click()
    dialog.reject()
    assert dialog.isVisible() or dialog.outcomes is not None
    qtbot.waitUntil(lambda: dialog.outcomes is not None, timeout=30_000)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
