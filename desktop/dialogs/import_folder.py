"""Import from a folder (a USB stick): data through ingest, bundles through verify.

The folder and its direct sub-folders are searched for data files (CSV or Parquet)
and for bundles (an archive, or a folder holding ``manifest.json`` at most two levels
down, as in ``bundles/cm-r3/``). A data file needs
a column mapping: a TOML file beside it with the same name (``april.csv`` and
``april.toml``), or one ``mapping.toml`` in its folder, or, failing both, the name of
a source the project keeps a mapping for at the start of its file name
(``ucdp_ged_cm_2024-04.csv``). Everything found is listed; the person unticks what
they do not want, and the import runs on the workspace executor with progress. It
can be cancelled between files (a file being taken is finished or refused whole,
never half-written). At the end the dialog gives a plain account of what was
accepted, what was already there and what was refused, and why.
"""

from __future__ import annotations

import logging
import threading
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.dialogs.common import (
    InlineMessage,
    Submit,
    tr,
)
from desktop.tasks import TaskCancelled, TaskControl, TaskHandle
from engine import controls
from engine.bundle import ARCHIVE_SUFFIXES
from engine.errors import FieldcastError
from engine.ingest import IngestRejected, ingest_file
from engine.people import Person
from engine.resources import MAPPINGS_FOLDER, resources_folder
from engine.workspace import Workspace

log = logging.getLogger(__name__)

DATA_SUFFIXES = (".csv", ".parquet")
MAX_ENTRIES = 2_000  # a stick with more than this in one folder is not a data package


@dataclass(frozen=True)
class FoundItem:
    """One thing found in the folder, and how it would be imported."""

    kind: str  # "data" or "bundle"
    path: Path
    source: str | None = None
    mapping: Path | None = None  # None: the project's kept mapping for ``source``
    problem: str | None = None  # why it cannot be imported, or None

    @property
    def usable(self) -> bool:
        return self.problem is None


@dataclass
class ItemOutcome:
    """What happened to one item: accepted, unchanged, refused or skipped."""

    item: FoundItem
    status: str
    lines: list[str] = field(default_factory=list)


# Finding things in a folder -------------------------------------------------------


def scan_folder(folder: Path) -> list[FoundItem]:
    """Everything importable in ``folder`` and its direct sub-folders, in name order."""
    if not folder.is_dir():
        return []
    if (folder / "manifest.json").is_file():
        return [FoundItem("bundle", folder)]
    kept = _kept_sources()
    found: list[FoundItem] = []
    for place in [folder, *_subfolders(folder)]:
        if (place / "manifest.json").is_file():
            found.append(FoundItem("bundle", place))
            continue
        for path in _entries(place):
            name = path.name.lower()
            if place != folder and path.is_dir() and (path / "manifest.json").is_file():
                found.append(FoundItem("bundle", path))  # e.g. bundles/cm-r1/
            if path.is_file() and name.endswith(ARCHIVE_SUFFIXES):
                found.append(FoundItem("bundle", path))
            elif path.is_file() and name.endswith(DATA_SUFFIXES):
                found.append(_data_item(path, kept))
    return found


def _entries(place: Path) -> list[Path]:
    try:
        entries = sorted(place.iterdir())[:MAX_ENTRIES]
    except OSError as err:
        log.warning("cannot list %s: %s", place, err)
        return []
    return [entry for entry in entries if not entry.name.startswith(".")]


def _subfolders(folder: Path) -> list[Path]:
    return [entry for entry in _entries(folder) if entry.is_dir()]


def _kept_sources() -> list[str]:
    folder = resources_folder() / MAPPINGS_FOLDER
    return sorted((p.stem for p in folder.glob("*.toml")), key=len, reverse=True)


def _data_item(path: Path, kept: list[str]) -> FoundItem:
    for mapping in (path.with_suffix(".toml"), path.parent / "mapping.toml"):
        if mapping.is_file():
            return FoundItem(
                "data", path, _declared_source(mapping) or path.stem, mapping
            )
    stem = path.stem.lower()
    for source in kept:
        name = source.lower()
        if stem == name or stem.startswith((f"{name}_", f"{name}-")):
            return FoundItem("data", path, source, None)
    return FoundItem(
        "data",
        path,
        problem=tr(
            "No column mapping: put one beside it as {name}, or name the file after "
            "its source."
        ).replace("{name}", path.with_suffix(".toml").name),
    )


def _declared_source(mapping: Path) -> str | None:
    try:
        raw = tomllib.loads(mapping.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None  # ingest reports the broken mapping with its reason
    name = raw.get("source", {}).get("name") if isinstance(raw, dict) else None
    return str(name) if isinstance(name, str) else None


# Importing ------------------------------------------------------------------------


def import_items(
    workspace: Workspace,
    items: list[FoundItem],
    person: Person,
    activate: bool,
    control: TaskControl,
    stop: threading.Event | None = None,
) -> list[ItemOutcome]:
    """Import ``items`` one after another: data first, then bundles.

    ``stop`` (the dialog's Stop button) is checked between items: what was done is
    kept and reported, the rest is marked skipped.
    """
    ordered = [i for i in items if i.kind == "data"] + [
        i for i in items if i.kind == "bundle"
    ]
    outcomes: list[ItemOutcome] = []
    for index, item in enumerate(ordered):
        if control.cancelled or (stop is not None and stop.is_set()):
            outcomes.append(
                ItemOutcome(item, "skipped", [tr("Not imported: cancelled.")])
            )
            continue
        control.progress(
            index / max(1, len(ordered)),
            tr("Checking {name}…").replace("{name}", item.path.name),
        )
        try:
            if item.kind == "data":
                outcomes.append(_import_data(workspace, item, person))
            else:
                outcomes.append(_import_bundle(workspace, item, person, activate))
        except IngestRejected as err:
            outcomes.append(ItemOutcome(item, "refused", err.report.describe()))
        except FieldcastError as err:
            outcomes.append(ItemOutcome(item, "refused", [str(err)]))
    control.progress(1.0, tr("Done."))
    return outcomes


def _import_data(workspace: Workspace, item: FoundItem, person: Person) -> ItemOutcome:
    assert item.source is not None
    report = ingest_file(
        workspace, item.path, item.source, item.mapping, person=person.name
    )
    status = "unchanged" if report.status == "unchanged" else "accepted"
    return ItemOutcome(item, status, report.describe())


def _import_bundle(
    workspace: Workspace, item: FoundItem, person: Person, activate: bool
) -> ItemOutcome:
    result = controls.import_bundle(workspace, item.path, person.name)
    bundle = result.bundle
    manifest = bundle.manifest
    lines = [
        (
            tr("Imported bundle {id}, release {release}, valid until {until}.")
            if result.imported
            else tr("Bundle {id} (release {release}) was already on this device.")
        )
        .replace("{id}", bundle.id)
        .replace("{release}", str(manifest.release))
        .replace("{until}", manifest.valid_until[:10])
    ]
    if activate:
        already = controls.active_bundle_id(workspace) == bundle.id
        try:
            controls.activate(workspace, bundle.id, person.name)
        except FieldcastError as err:
            lines.append(
                tr("It was not made active: {reason}").replace("{reason}", str(err))
            )
            return ItemOutcome(
                item, "accepted" if result.imported else "unchanged", lines
            )
        if not already:
            lines.append(tr("It is now the active bundle."))
            return ItemOutcome(item, "accepted", lines)
    return ItemOutcome(item, "accepted" if result.imported else "unchanged", lines)


def account_text(outcomes: list[ItemOutcome]) -> str:
    """The plain account shown at the end: one paragraph per item."""
    if not outcomes:
        return tr("Nothing was imported.")
    headings = {
        "accepted": tr("ACCEPTED"),
        "unchanged": tr("ALREADY HERE"),
        "refused": tr("REFUSED"),
        "skipped": tr("SKIPPED"),
    }
    counts = {status: 0 for status in headings}
    paragraphs = []
    for outcome in outcomes:
        counts[outcome.status] += 1
        body = "\n".join(f"  {line.strip()}" for line in outcome.lines)
        paragraphs.append(
            f"{headings[outcome.status]}: {outcome.item.path.name}\n{body}"
        )
    summary = (
        tr(
            "{accepted} accepted, {unchanged} already here, {refused} refused, "
            "{skipped} skipped."
        )
        .replace("{accepted}", str(counts["accepted"]))
        .replace("{unchanged}", str(counts["unchanged"]))
        .replace("{refused}", str(counts["refused"]))
        .replace("{skipped}", str(counts["skipped"]))
    )
    return summary + "\n\n" + "\n\n".join(paragraphs)


# The dialog -----------------------------------------------------------------------


class ImportDialog(QDialog):
    """Choose a folder, tick what to import, import it, read what happened."""

    imported = Signal()

    def __init__(
        self,
        submit: Submit,
        person: Person | None,
        parent: QWidget | None = None,
        *,
        folder: Path | str | None = None,
    ) -> None:
        super().__init__(parent)
        self._submit = submit
        self.person = person
        self.found: list[FoundItem] = []
        self.outcomes: list[ItemOutcome] | None = None
        self._task: TaskHandle | None = None
        self._stop = threading.Event()
        self.setObjectName("importDialog")
        self.setWindowTitle(tr("Import from a folder"))

        intro = QLabel(
            tr(
                "Choose the folder of a data package or a model bundle, for example "
                "on a USB stick. Every file is checked before anything changes; a "
                "file that fails its checks changes nothing."
            ),
            self,
        )
        intro.setWordWrap(True)
        self.folder_field = QLineEdit(self)
        self.folder_field.setReadOnly(True)
        self.folder_field.setPlaceholderText(tr("No folder chosen"))
        self.folder_field.setAccessibleName(tr("Folder"))
        self.choose_button = QPushButton(tr("C&hoose folder…"), self)
        self.choose_button.clicked.connect(self.choose_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_field, 1)
        folder_row.addWidget(self.choose_button)

        self.found_list = QTreeWidget(self)
        self.found_list.setHeaderLabels([tr("File"), tr("What it is")])
        self.found_list.setRootIsDecorated(False)
        self.found_list.header().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents
        )
        self.found_list.header().setStretchLastSection(True)
        self.found_list.setMinimumHeight(140)
        self.found_list.itemChanged.connect(self._refresh)
        self.activate_check = QCheckBox(tr("Make an imported bundle &active"), self)
        self.activate_check.setChecked(True)

        self.progress = QProgressBar(self)
        self.progress.setRange(0, 100)
        self.progress.setAccessibleName(tr("Import progress"))
        self.progress.hide()
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.account = QPlainTextEdit(self)
        self.account.setReadOnly(True)
        self.account.setObjectName("account")
        self.account.setAccessibleName(tr("What was imported"))
        self.account.hide()
        self.message = InlineMessage(self)

        self.buttons = QDialogButtonBox(self)
        self.import_button = self.buttons.addButton(
            tr("&Import"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.cancel_button = self.buttons.addButton(
            tr("Stop"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.cancel_button.hide()
        self.close_button = self.buttons.addButton(
            QDialogButtonBox.StandardButton.Close
        )
        self.close_button.setText(tr("Close"))
        self.import_button.clicked.connect(self.start_import)
        self.cancel_button.clicked.connect(self.cancel_import)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(folder_row)
        layout.addWidget(self.found_list, 1)
        layout.addWidget(self.activate_check)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.account, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(680, 520)

        if person is None:
            self.message.show_problem(
                tr("Sign in first: every import records who made it.")
            )
        self._refresh()
        if folder is not None:
            self.set_folder(Path(folder))

    # Choosing and scanning ---------------------------------------------------------

    @Slot()
    def choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(
            self, tr("Choose the folder to import from")
        )
        if chosen:
            self.set_folder(Path(chosen))

    def set_folder(self, folder: Path) -> None:
        """Search ``folder`` (off the UI thread) and list what it holds."""
        self.folder_field.setText(str(folder))
        self.found_list.clear()
        self.found = []
        self.account.hide()
        self.status.setText(tr("Looking in the folder…"))

        def scan(_workspace: Workspace, _control: TaskControl) -> list[FoundItem]:
            return scan_folder(folder)

        self._submit("import.scan", scan, self.show_found, on_error=self._failed)

    def show_found(self, found: list[FoundItem]) -> None:
        self.found = found
        self.found_list.blockSignals(True)
        self.found_list.clear()
        for item in found:
            row = QTreeWidgetItem(self.found_list, [item.path.name, _what(item)])
            row.setToolTip(0, str(item.path))
            row.setToolTip(1, _what(item))
            if item.usable:
                row.setFlags(row.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                row.setCheckState(0, Qt.CheckState.Checked)
            else:
                row.setFlags(row.flags() & ~Qt.ItemFlag.ItemIsEnabled)
        self.found_list.blockSignals(False)
        if not found:
            self.status.setText(
                tr(
                    "Nothing to import here: no data files (CSV or Parquet) and no "
                    "model bundles (a folder with manifest.json, or an archive)."
                )
            )
        else:
            usable = sum(item.usable for item in found)
            self.status.setText(
                tr("Found {n} item(s); {usable} can be imported.")
                .replace("{n}", str(len(found)))
                .replace("{usable}", str(usable))
            )
        self._refresh()

    def chosen_items(self) -> list[FoundItem]:
        chosen = []
        for index, item in enumerate(self.found):
            row = self.found_list.topLevelItem(index)
            if item.usable and row.checkState(0) == Qt.CheckState.Checked:
                chosen.append(item)
        return chosen

    def set_checked(self, name: str, checked: bool) -> None:
        for index in range(self.found_list.topLevelItemCount()):
            row = self.found_list.topLevelItem(index)
            if row.text(0) == name:
                row.setCheckState(
                    0, Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
                )

    @Slot()
    def _refresh(self) -> None:
        running = self._task is not None
        self.import_button.setEnabled(
            not running and self.person is not None and bool(self.chosen_items())
        )
        self.choose_button.setEnabled(not running)
        self.found_list.setEnabled(not running)
        self.activate_check.setEnabled(not running)
        self.cancel_button.setVisible(running)
        self.close_button.setEnabled(not running)

    # Importing ---------------------------------------------------------------------

    @Slot()
    def start_import(self) -> None:
        items = self.chosen_items()
        person = self.person
        if not items or person is None or self._task is not None:
            return
        activate = self.activate_check.isChecked()
        stop = self._stop = threading.Event()

        def work(workspace: Workspace, control: TaskControl) -> list[ItemOutcome]:
            return import_items(workspace, items, person, activate, control, stop)

        self.message.clear_message()
        self.account.hide()
        self.progress.setValue(0)
        self.progress.show()
        self._task = self._submit(
            "import.run",
            work,
            self._finished,
            on_error=self._failed,
            on_progress=self._on_progress,
            on_cancelled=self._cancelled,
            supersede=False,
        )
        self._refresh()

    @Slot()
    def cancel_import(self) -> None:
        if self._task is not None:
            self.status.setText(tr("Stopping after the current file…"))
            self._stop.set()

    def _on_progress(self, fraction: float, text: str) -> None:
        self.progress.setValue(int(fraction * 100))
        if text:
            self.status.setText(text)

    def _finished(self, outcomes: list[ItemOutcome]) -> None:
        self._task = None
        self.outcomes = outcomes
        self.progress.hide()
        self.status.setText(tr("Finished. Here is what happened:"))
        self.account.setPlainText(account_text(outcomes))
        self.account.show()
        self._refresh()
        if any(o.status == "accepted" for o in outcomes):
            self.imported.emit()

    def _cancelled(self) -> None:
        # Cancelled by the executor (the window closing): the result is dropped.
        self._task = None
        self.progress.hide()
        self.status.setText(
            tr(
                "Stopped. Files taken before you stopped are kept; the rest were not "
                "imported. Open History to see which."
            )
        )
        self.imported.emit()
        self._refresh()

    def _failed(self, error: BaseException) -> None:
        self._task = None
        self.progress.hide()
        if isinstance(error, TaskCancelled):
            return
        self.message.show_failure(error, "importing from a folder")
        self._refresh()

    def reject(self) -> None:
        if self._task is not None:
            return  # wait for the import to stop; Stop asks it to
        super().reject()


def _what(item: FoundItem) -> str:
    if item.problem is not None:
        return item.problem
    if item.kind == "bundle":
        if item.path.is_dir():
            return tr("Model bundle (folder)")
        return tr("Model bundle (archive)")
    if item.mapping is not None:
        return (
            tr("Data for source {source}, with the mapping {mapping}")
            .replace("{source}", item.source or "?")
            .replace("{mapping}", item.mapping.name)
        )
    return tr("Data for source {source}, with the kept mapping").replace(
        "{source}", item.source or "?"
    )
