"""The first-run setup: the demo or a workspace (and a bundle), then a supervisor.

Three short pages. First the person chooses: the demo workspace (SYNTHETIC data, for
trying fieldcast out), or a workspace folder of their own, with a bundle folder or
archive to import if they have one. Then the setup runs (on the wizard's own worker
thread: there is no workspace service yet) with progress. Last, if nobody can sign in
on that workspace yet, the first person is added, as its supervisor. ``folder`` and
``person`` hold the result once the wizard is accepted; the window then opens there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from desktop.dialogs.common import (
    InlineMessage,
    tr,
)
from desktop.dialogs.sign_in import NewPersonDialog
from desktop.tasks import SerialExecutor, TaskControl, TaskHandle, WorkspaceTasks
from engine import controls
from engine.people import Person, has_people
from engine.settings import default_demo_workspace, default_workspace
from engine.workspace import Workspace

log = logging.getLogger(__name__)

SETUP_PERSON = "setup"  # who imports during setup, before anyone can sign in


class SetupRunner(WorkspaceTasks):
    """The wizard's own ``Submit``: one worker thread and the workspace it opened."""

    def __init__(self) -> None:
        super().__init__(SerialExecutor("setup"), self._open)
        self.folder: Path | None = None
        self._workspace: Workspace | None = None  # touched on the worker thread only

    def run(
        self,
        kind: str,
        work: Callable[[TaskControl], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
        on_progress: Callable[[float, str], None],
    ) -> TaskHandle:
        """Work that opens no workspace first (it creates or replaces one)."""
        return self.executor.submit(
            kind,
            work,
            on_done=on_done,
            on_error=on_error,
            on_progress=on_progress,
            supersede=False,
        )

    def _open(self) -> Workspace:
        if self._workspace is None:
            if self.folder is None:
                raise RuntimeError("the setup has no workspace folder yet")
            self._workspace = Workspace.open(self.folder)
        return self._workspace

    def reset(self) -> bool:
        """Close the workspace (worker thread only) so the next use opens afresh."""
        self._close()
        self.folder = None
        return True

    def _close(self) -> None:
        if self._workspace is not None:
            self._workspace.close()
            self._workspace = None

    def close(self) -> None:
        """Close the workspace on its thread and stop the thread."""
        if self.executor.running:
            try:
                self.executor.run_and_wait(self._close, 10_000)
            except (TimeoutError, RuntimeError) as err:
                log.warning("setup workspace did not close cleanly: %s", err)
        self.executor.shutdown(10_000)


def _ignore(*_args: Any) -> None:
    return None


class ChoicePage(QWizardPage):
    """The demo, or a workspace folder of one's own with an optional bundle."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(tr("Welcome to fieldcast"))
        self.setSubTitle(
            tr("Choose where your forecasts live. You can change this later.")
        )
        self.demo_choice = QRadioButton(
            tr(
                "Open the &demo: made-up (synthetic) data, to learn how fieldcast works"
            ),
            self,
        )
        self.own_choice = QRadioButton(tr("Use &my workspace folder"), self)
        group = QButtonGroup(self)
        group.addButton(self.demo_choice)
        group.addButton(self.own_choice)
        self.demo_choice.setChecked(True)

        self.folder_field = QLineEdit(str(default_workspace()), self)
        self.folder_field.setAccessibleName(tr("Workspace folder"))
        folder_button = QPushButton(tr("Choose…"), self)
        folder_button.clicked.connect(self._choose_folder)
        self.bundle_field = QLineEdit(self)
        self.bundle_field.setPlaceholderText(tr("Optional: a bundle folder or archive"))
        self.bundle_field.setAccessibleName(tr("Model bundle"))
        bundle_button = QPushButton(tr("Choose…"), self)
        bundle_button.clicked.connect(self._choose_bundle)

        form = QFormLayout()
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_field, 1)
        folder_row.addWidget(folder_button)
        bundle_row = QHBoxLayout()
        bundle_row.addWidget(self.bundle_field, 1)
        bundle_row.addWidget(bundle_button)
        form.addRow(tr("Workspace folder:"), folder_row)
        form.addRow(tr("Model bundle:"), bundle_row)
        self._own_widgets = [self.folder_field, folder_button]
        self._own_widgets += [self.bundle_field, bundle_button]

        layout = QVBoxLayout(self)
        layout.addWidget(self.demo_choice)
        layout.addWidget(self.own_choice)
        layout.addLayout(form)
        self.demo_choice.toggled.connect(self._toggled)
        self.folder_field.textChanged.connect(self.completeChanged)
        self._toggled()

    @property
    def use_demo(self) -> bool:
        return self.demo_choice.isChecked()

    @property
    def folder(self) -> Path:
        if self.use_demo:
            return default_demo_workspace()
        return Path(self.folder_field.text().strip()).expanduser()

    @property
    def bundle(self) -> Path | None:
        text = self.bundle_field.text().strip()
        return Path(text).expanduser() if text and not self.use_demo else None

    def isComplete(self) -> bool:
        return self.use_demo or bool(self.folder_field.text().strip())

    @Slot()
    def _toggled(self) -> None:
        for widget in self._own_widgets:
            widget.setEnabled(not self.use_demo)
        self.completeChanged.emit()

    @Slot()
    def _choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, tr("Choose a workspace folder"))
        if chosen:
            self.folder_field.setText(chosen)

    @Slot()
    def _choose_bundle(self) -> None:
        chosen, _filter = QFileDialog.getOpenFileName(
            self,
            tr("Choose a bundle archive"),
            "",
            tr("Bundle archives (*.tar.gz *.tgz *.tar *.zip);;All files (*)"),
        )
        if chosen:
            self.bundle_field.setText(chosen)


class SetupPage(QWizardPage):
    """Runs the chosen setup with progress; Next only once it has finished."""

    def __init__(self, runner: SetupRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.setTitle(tr("Setting up"))
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 100)
        self.progress.setAccessibleName(tr("Setup progress"))
        self.message = InlineMessage(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self.done = False
        self.has_people = False
        self._task: TaskHandle | None = None

    def initializePage(self) -> None:
        choice = self.wizard().choice  # type: ignore[attr-defined]
        self.done = False
        self.message.clear_message()
        self.progress.setValue(0)
        folder, bundle, demo = choice.folder, choice.bundle, choice.use_demo
        # A workspace opened for an earlier choice is closed first, on its thread.
        self.runner.run(
            "setup.close", lambda _c: self.runner.reset(), _ignore, _ignore, _ignore
        )
        self.status.setText(
            tr("Building the demo workspace in {folder}…").replace(
                "{folder}", str(folder)
            )
            if demo
            else tr("Opening the workspace in {folder}…").replace(
                "{folder}", str(folder)
            )
        )
        self._task = self.runner.run(
            "setup.prepare",
            lambda control: prepare(folder, bundle, demo, control),
            self._finished,
            self._failed,
            self._on_progress,
        )
        self.completeChanged.emit()

    def _on_progress(self, fraction: float, text: str) -> None:
        self.progress.setValue(int(fraction * 100))
        if text:
            self.status.setText(text)

    def _finished(self, result: tuple[bool, list[str]]) -> None:
        self._task = None
        self.has_people, lines = result
        self.runner.folder = self.wizard().choice.folder  # type: ignore[attr-defined]
        self.progress.setValue(100)
        self.status.setText("\n".join([tr("Ready."), *lines]))
        self.done = True
        self.completeChanged.emit()

    def _failed(self, error: BaseException) -> None:
        self._task = None
        self.progress.setValue(0)
        self.message.show_failure(error, "setting up")
        self.status.setText(tr("The setup did not finish. Go back to choose again."))

    def isComplete(self) -> bool:
        return self.done

    def cleanupPage(self) -> None:
        if self._task is not None:
            self._task.cancel()


def prepare(
    folder: Path, bundle: Path | None, demo: bool, control: TaskControl
) -> tuple[bool, list[str]]:
    """Create the workspace (or the demo), import and activate a bundle if given.

    Returns whether anyone can already sign in there, and lines saying what was done.
    """
    lines: list[str] = []
    if demo:
        from engine.demo import DEMO_STEPS, run_demo

        names = [name for name, _step in DEMO_STEPS]

        def progress(name: str, message: str) -> None:
            control.check()
            step = names.index(name) + 1 if name in names else len(names)
            control.progress(step / (len(names) + 1), message)

        context = run_demo(folder, person=SETUP_PERSON, progress=progress)
        lines += [
            tr("Demo workspace (SYNTHETIC data) in {folder}.").replace(
                "{folder}", str(folder)
            )
        ]
        log.info("demo built for first run: %s", context.messages)
    with Workspace.open(folder) as workspace:
        if not demo:
            lines.append(tr("Workspace in {folder}.").replace("{folder}", str(folder)))
        if bundle is not None:
            control.progress(0.8, tr("Checking the bundle…"))
            result = controls.import_bundle(workspace, bundle, SETUP_PERSON)
            controls.activate(workspace, result.bundle.id, SETUP_PERSON)
            lines.append(
                tr("Bundle {id} imported and active.").replace("{id}", result.bundle.id)
            )
        return has_people(workspace), lines


class PersonPage(QWizardPage):
    """The first person on this workspace: its supervisor."""

    def __init__(self, runner: SetupRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.setTitle(tr("Who is the supervisor?"))
        self.person: Person | None = None
        self.form: NewPersonDialog | None = None
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.layout_ = QVBoxLayout(self)
        self.layout_.addWidget(self.note)

    def initializePage(self) -> None:
        if self.form is not None:
            self.form.deleteLater()
            self.form = None
        setup: SetupPage = self.wizard().setup  # type: ignore[attr-defined]
        if setup.has_people:
            self.note.setText(
                tr(
                    "People are already set up on this workspace. Finish, then sign "
                    "in from the window."
                )
            )
            return
        self.note.setText(tr("Add yourself. You will sign in with this name and PIN."))
        # The new-person form, as a page: its own buttons are hidden.
        self.form = NewPersonDialog(self.runner, self, first_person=True)
        self.form.setWindowFlags(Qt.WindowType.Widget)
        self.form.buttons.hide()
        self.form.person_added.connect(self._added)
        for field in (
            self.form.name_field,
            self.form.pin_field,
            self.form.repeat_field,
        ):
            field.textChanged.connect(self.completeChanged)
        self.layout_.addWidget(self.form)

    def isComplete(self) -> bool:
        if self.form is None:
            return True
        return self.person is not None or self.form.problem() is None

    def validatePage(self) -> bool:
        if self.form is None or self.person is not None:
            return True
        self.form.try_add()
        return False  # the page advances when the person is stored

    def _added(self, person: Person) -> None:
        self.person = person
        self.completeChanged.emit()
        wizard = self.wizard()
        if wizard is not None and wizard.currentPage() is self:
            wizard.accept()


class FirstRunWizard(QWizard):
    """The guided setup; ``folder`` and ``person`` hold the result once accepted."""

    finished_setup = Signal(object, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("firstRunWizard")
        self.setWindowTitle(tr("Set up fieldcast"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.runner = SetupRunner()
        self.choice = ChoicePage(self)
        self.setup = SetupPage(self.runner, self)
        self.person_page = PersonPage(self.runner, self)
        self.addPage(self.choice)
        self.addPage(self.setup)
        self.addPage(self.person_page)
        self.setButtonText(QWizard.WizardButton.NextButton, tr("&Next >"))
        self.setButtonText(QWizard.WizardButton.BackButton, tr("< &Back"))
        self.setButtonText(QWizard.WizardButton.FinishButton, tr("&Finish"))
        self.setButtonText(QWizard.WizardButton.CancelButton, tr("Cancel"))
        self.resize(640, 460)
        self.finished.connect(self._close_runner)
        self.accepted.connect(
            lambda: self.finished_setup.emit(self.folder, self.person)
        )

    @property
    def folder(self) -> Path:
        return self.choice.folder

    @property
    def person(self) -> Person | None:
        return self.person_page.person

    @Slot()
    def _close_runner(self) -> None:
        self.runner.close()
