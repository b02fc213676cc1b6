"""Signing in with a name and PIN, and adding a person (the first one a supervisor).

Both dialogs hash or check the PIN on the workspace executor (a third of a second of
scrypt), never on the UI thread; while that runs, the form is disabled and says so.
The PIN field is masked and takes digits only; it is cleared after a refusal.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QRegularExpression, Qt, Signal, Slot
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.dialogs.common import (
    InlineMessage,
    Submit,
    describe_error,
    fit_to_contents,
    tr,
)
from desktop.tasks import TaskControl, TaskHandle
from engine.errors import AuthError
from engine.people import (
    MAX_NAME_LENGTH,
    MAX_PIN_DIGITS,
    MIN_PIN_DIGITS,
    Person,
    Role,
    add_person,
    check_pin,
    list_people,
    sign_in,
)
from engine.workspace import Workspace

log = logging.getLogger(__name__)


def _pin_field(parent: QWidget) -> QLineEdit:
    field = QLineEdit(parent)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setMaxLength(MAX_PIN_DIGITS)
    field.setInputMethodHints(
        Qt.InputMethodHint.ImhDigitsOnly | Qt.InputMethodHint.ImhSensitiveData
    )
    field.setValidator(
        QRegularExpressionValidator(QRegularExpression(r"[0-9]*"), field)
    )
    return field


class _WorkDialog(QDialog):
    """A dialog whose OK runs one task; the form is disabled while it runs."""

    def __init__(self, submit: Submit, parent: QWidget | None) -> None:
        super().__init__(parent)
        self._submit = submit
        self._task: TaskHandle | None = None
        self._inputs: list[QWidget] = []
        self.message = InlineMessage(self)
        self.buttons = QDialogButtonBox(self)
        self.buttons.rejected.connect(self.reject)

    def _lay_out(self, intro: QWidget, form: QFormLayout, accept: str) -> QPushButton:
        """Intro, form, message and buttons, top to bottom; the accept button."""
        button = self.buttons.addButton(accept, QDialogButtonBox.ButtonRole.AcceptRole)
        button.setDefault(True)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel).setText(
            tr("Cancel")
        )
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        return button

    @property
    def busy(self) -> bool:
        return self._task is not None

    def _run(self, kind: str, function: Any, on_done: Any) -> None:
        self._set_busy(True)

        def done(result: Any) -> None:
            self._task = None
            self._set_busy(False)
            on_done(result)

        self._task = self._submit(
            kind, function, done, on_error=self._failed, supersede=False
        )

    def _failed(self, error: BaseException) -> None:
        self._task = None
        self._set_busy(False)
        self.message.show_failure(error, "signing in")

    def _set_busy(self, busy: bool) -> None:
        for field in self._inputs:
            field.setEnabled(not busy)
        self._refresh()
        if busy:
            self.message.show_note(tr("Checking…"))
        elif self.message.kind == "note":
            self.message.clear_message()

    def _refresh(self) -> None:
        """Enable OK when the form is complete (subclasses say what that means)."""

    def reject(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        super().reject()


class SignInDialog(_WorkDialog):
    """Name and PIN; ``person`` holds who signed in once the dialog is accepted."""

    signed_in = Signal(object)

    def __init__(
        self,
        submit: Submit,
        parent: QWidget | None = None,
        *,
        names: list[str] | None = None,
    ) -> None:
        super().__init__(submit, parent)
        self.person: Person | None = None
        self.setWindowTitle(tr("Sign in"))
        self.setObjectName("signInDialog")

        intro = QLabel(
            tr("Sign in so that what you record on this device carries your name."),
            self,
        )
        intro.setWordWrap(True)
        self.name_field = QComboBox(self)
        self.name_field.setEditable(True)
        self.name_field.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.name_field.setMinimumContentsLength(20)
        line = self.name_field.lineEdit()
        line.setMaxLength(MAX_NAME_LENGTH)
        line.setPlaceholderText(tr("Your name"))
        self.pin_field = _pin_field(self)
        self.pin_field.setPlaceholderText(tr("Your PIN"))

        form = QFormLayout()
        form.addRow(tr("&Name:"), self.name_field)
        form.addRow(tr("&PIN:"), self.pin_field)

        self.sign_in_button = self._lay_out(intro, form, tr("Sign in"))
        self.buttons.accepted.connect(self.try_sign_in)

        self._inputs = [self.name_field, self.pin_field]
        line.textChanged.connect(self._refresh)
        self.pin_field.textChanged.connect(self._refresh)
        if names is None:
            self._submit("people.names", _names, self.set_names)
        else:
            self.set_names(names)
        self._refresh()
        fit_to_contents(self, 420)

    @Slot(object)
    def set_names(self, names: list[str]) -> None:
        typed = self.name_field.currentText()
        self.name_field.clear()
        self.name_field.addItems(names)
        self.name_field.setEditText(typed)
        if not typed and len(names) == 1:
            self.name_field.setEditText(names[0])
            self.pin_field.setFocus()

    def _refresh(self) -> None:
        ready = (
            bool(self.name_field.currentText().strip())
            and len(self.pin_field.text()) >= MIN_PIN_DIGITS
            and not self.busy
        )
        self.sign_in_button.setEnabled(ready)

    @Slot()
    def try_sign_in(self) -> None:
        if not self.sign_in_button.isEnabled():
            return
        self.message.clear_message()
        name, pin = self.name_field.currentText(), self.pin_field.text()

        def check(workspace: Workspace, _control: TaskControl) -> Person:
            return sign_in(workspace, name, pin)

        self._run("people.sign_in", check, self._signed_in)

    def _failed(self, error: BaseException) -> None:
        self.pin_field.clear()
        super()._failed(error)
        self.pin_field.setFocus()

    def _signed_in(self, person: Person) -> None:
        self.person = person
        self.signed_in.emit(person)
        self.accept()


class NewPersonDialog(_WorkDialog):
    """Add a person; on a device with nobody yet, the first person is its supervisor."""

    person_added = Signal(object)

    def __init__(
        self,
        submit: Submit,
        parent: QWidget | None = None,
        *,
        first_person: bool,
        added_by: Person | None = None,
    ) -> None:
        super().__init__(submit, parent)
        self.person: Person | None = None
        self.first_person = first_person
        self.added_by = added_by
        self.setObjectName("newPersonDialog")
        self.setWindowTitle(
            tr("Add the first person") if first_person else tr("Add a person")
        )

        if first_person:
            intro_text = tr(
                "Nobody can sign in on this device yet. The first person is its "
                "supervisor: they can add others, set a kill-switch on a model and "
                "roll back to the previous one."
            )
        else:
            intro_text = tr(
                "Add someone who works on this device. Field staff read and override "
                "forecasts; a supervisor can also stop or roll back a model."
            )
        intro = QLabel(intro_text, self)
        intro.setWordWrap(True)

        self.name_field = QLineEdit(self)
        self.name_field.setMaxLength(MAX_NAME_LENGTH)
        self.name_field.setPlaceholderText(tr("Full name"))
        self.role_field = QComboBox(self)
        self.role_field.addItem(tr("Field staff"), Role.FIELD.value)
        self.role_field.addItem(tr("Supervisor"), Role.SUPERVISOR.value)
        if first_person:
            self.role_field.setCurrentIndex(1)
            self.role_field.setEnabled(False)
        self.pin_field = _pin_field(self)
        self.repeat_field = _pin_field(self)
        rules = QLabel(
            tr(
                "{min} to {max} digits. Not a repeated digit or a run like 1234. "
                "The PIN is stored only as a salted hash: nobody can read it back, "
                "so remember it."
            )
            .replace("{min}", str(MIN_PIN_DIGITS))
            .replace("{max}", str(MAX_PIN_DIGITS)),
            self,
        )
        rules.setWordWrap(True)
        rules.setObjectName("hint")

        form = QFormLayout()
        form.addRow(tr("&Name:"), self.name_field)
        form.addRow(tr("&Role:"), self.role_field)
        form.addRow(tr("&PIN:"), self.pin_field)
        form.addRow(tr("PIN &again:"), self.repeat_field)
        form.addRow("", rules)

        self.ok_button = self._lay_out(intro, form, tr("Add person"))
        self.buttons.accepted.connect(self.try_add)

        self._inputs = [self.name_field, self.pin_field, self.repeat_field]
        if not first_person:
            self._inputs.append(self.role_field)
        for field in (self.name_field, self.pin_field, self.repeat_field):
            field.textChanged.connect(self._refresh)
        self._refresh()
        fit_to_contents(self, 460)

    @property
    def role(self) -> Role:
        return Role(self.role_field.currentData())

    def problem(self) -> str | None:
        """What still stops the form, in words, or None when it can be sent."""
        if not self.name_field.text().strip():
            return tr("Enter the person's name.")
        pin = self.pin_field.text()
        try:
            check_pin(pin)
        except AuthError as err:
            return describe_error(err)
        if self.repeat_field.text() != pin:
            return tr("The two PINs differ.")
        return None

    def _refresh(self) -> None:
        problem = self.problem()
        self.ok_button.setEnabled(problem is None and not self.busy)
        if self.busy:
            return
        # Say what is wrong only once the person has typed a full PIN.
        typed_pin = len(self.pin_field.text()) >= MIN_PIN_DIGITS
        if problem and typed_pin:
            self.message.show_problem(problem)
        elif self.message.kind == "problem":
            self.message.clear_message()

    @Slot()
    def try_add(self) -> None:
        if not self.ok_button.isEnabled():
            return
        name, role, pin = self.name_field.text(), self.role, self.pin_field.text()
        added_by = self.added_by

        def add(workspace: Workspace, _control: TaskControl) -> Person:
            return add_person(workspace, name, role, pin, added_by=added_by)

        self._run("people.add", add, self._added)

    def _added(self, person: Person) -> None:
        self.person = person
        self.person_added.emit(person)
        self.accept()


def _names(workspace: Workspace, _control: TaskControl) -> list[str]:
    return [person.name for person in list_people(workspace)]
