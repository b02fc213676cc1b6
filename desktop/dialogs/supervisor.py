"""Supervisor controls: set or lift a local kill-switch on a bundle, roll back a bundle.

Only a supervisor may act; field staff see the same dialog with every action disabled
and a calm sentence saying who can act. The role is checked again inside each task
(``require_role``), so a dialog driven past its disabled buttons still cannot act. A
reason is required for every action; the engine records the action, the person and
the reason in the same transaction (``activations``, ``kill_switches``, audit).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.dialogs.common import (
    InlineMessage,
    Submit,
    fit_to_contents,
    tr,
)
from desktop.tasks import TaskControl, TaskHandle
from engine import controls
from engine.people import Person, Role, require_role
from engine.workspace import Workspace

log = logging.getLogger(__name__)

MIN_REASON = 10


@dataclass(frozen=True)
class BundleRow:
    """One imported bundle as the supervisor sees it."""

    id: str
    model_line: str
    release: int
    valid_until: str
    active: bool
    withdrawn: str | None  # the reason of a kill-switch in force, or None
    withdrawn_locally: bool


@dataclass(frozen=True)
class SupervisorView:
    bundles: tuple[BundleRow, ...]
    active_id: str | None
    previous_id: str | None


def load_view(
    workspace: Workspace, _control: TaskControl | None = None
) -> SupervisorView:
    """Every imported bundle with its state, and where a rollback would go."""
    active = controls.active_bundle_id(workspace)
    # TODO(#5): engine.controls has no public "previous bundle"; the activation
    # stack is read through its private helper until it gains one.
    stack = controls._activation_stack(workspace)
    rows = []
    for record in controls.list_bundles(workspace):
        in_force = [
            switch
            for switch in controls.kill_switches(workspace, record.id)
            if switch.lifted_at is None
        ]
        rows.append(
            BundleRow(
                id=record.id,
                model_line=record.model_line,
                release=record.release,
                valid_until=record.valid_until,
                active=record.id == active,
                withdrawn=in_force[0].reason if in_force else None,
                withdrawn_locally=any(s.origin == "local" for s in in_force),
            )
        )
    previous = stack[-2] if len(stack) >= 2 else None
    return SupervisorView(tuple(rows), active, previous)


class SupervisorDialog(QDialog):
    """Kill-switches and rollback for ``person``, who must be a supervisor to act."""

    changed = Signal()

    def __init__(
        self,
        submit: Submit,
        person: Person | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._submit = submit
        self.person = person
        self.view: SupervisorView | None = None
        self._task: TaskHandle | None = None
        self.setObjectName("supervisorDialog")
        self.setWindowTitle(tr("Supervisor controls"))

        intro = QLabel(
            tr(
                "Stop a model at once with a kill-switch (its forecasts are then "
                "blocked on this device), lift a kill-switch set here, or go back to "
                "the model that was active before. Each action is recorded with your "
                "name and reason."
            ),
            self,
        )
        intro.setWordWrap(True)
        self.refusal = InlineMessage(self)

        self.bundle_list = QTreeWidget(self)
        self.bundle_list.setHeaderLabels(
            [tr("Bundle"), tr("Release"), tr("Valid until"), tr("State")]
        )
        self.bundle_list.setRootIsDecorated(False)
        self.bundle_list.setSelectionMode(
            QAbstractItemView.SelectionMode.SingleSelection
        )
        self.bundle_list.header().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.bundle_list.header().setStretchLastSection(True)
        self.bundle_list.setMinimumHeight(120)
        self.bundle_list.itemSelectionChanged.connect(self._refresh)

        self.reason_field = QLineEdit(self)
        self.reason_field.setPlaceholderText(
            tr("Why? For example: the forecasts for the north are clearly wrong.")
        )
        self.reason_field.textChanged.connect(self._refresh)
        self.kill_button = QPushButton(tr("Set &kill-switch"), self)
        self.lift_button = QPushButton(tr("&Lift kill-switch"), self)
        self.rollback_button = QPushButton(tr("&Roll back"), self)
        self.rollback_label = QLabel(self)
        self.rollback_label.setWordWrap(True)
        self.kill_button.clicked.connect(self.set_kill_switch)
        self.lift_button.clicked.connect(self.lift_kill_switch)
        self.rollback_button.clicked.connect(self.roll_back)

        actions = QGroupBox(tr("Act"), self)
        form = QFormLayout(actions)
        form.addRow(tr("&Reason:"), self.reason_field)
        row = QHBoxLayout()
        row.addWidget(self.kill_button)
        row.addWidget(self.lift_button)
        row.addStretch(1)
        form.addRow(tr("Selected bundle:"), row)
        rollback_row = QHBoxLayout()
        rollback_row.addWidget(self.rollback_button)
        rollback_row.addWidget(self.rollback_label, 1)
        form.addRow(tr("Active bundle:"), rollback_row)
        for label in actions.findChildren(QLabel):
            if label.text() == tr("&Reason:"):
                label.setBuddy(self.reason_field)

        self.message = InlineMessage(self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(tr("Close"))
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.refusal)
        layout.addWidget(self.bundle_list, 1)
        layout.addWidget(actions)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

        if not self.may_act:
            self.refusal.show_problem(self._refusal_text())
        self._refresh()
        fit_to_contents(self, 640)
        self.reload()

    # State ------------------------------------------------------------------------

    @property
    def may_act(self) -> bool:
        return self.person is not None and self.person.role is Role.SUPERVISOR

    def _refusal_text(self) -> str:
        if self.person is None:
            return tr("Sign in as a supervisor to use these controls.")
        return tr(
            "Only a supervisor can set a kill-switch or roll back. You are signed "
            "in as {name} (field staff); ask your supervisor."
        ).replace("{name}", self.person.name)

    def selected(self) -> BundleRow | None:
        items = self.bundle_list.selectedItems()
        if not items or self.view is None:
            return None
        bundle_id = items[0].text(0)
        return next((b for b in self.view.bundles if b.id == bundle_id), None)

    def select(self, bundle_id: str) -> None:
        for index in range(self.bundle_list.topLevelItemCount()):
            item = self.bundle_list.topLevelItem(index)
            item.setSelected(item.text(0) == bundle_id)

    @property
    def reason(self) -> str:
        return self.reason_field.text().strip()

    @Slot()
    def _refresh(self) -> None:
        idle = self._task is None and self.may_act
        reason_ok = len(self.reason) >= MIN_REASON
        chosen = self.selected()
        self.reason_field.setEnabled(self.may_act)
        self.kill_button.setEnabled(
            idle and reason_ok and chosen is not None and chosen.withdrawn is None
        )
        self.lift_button.setEnabled(
            idle and reason_ok and chosen is not None and chosen.withdrawn_locally
        )
        previous = self.view.previous_id if self.view else None
        self.rollback_button.setEnabled(idle and reason_ok and previous is not None)
        if self.view is None:
            self.rollback_label.setText(tr("Loading…"))
        elif previous is None:
            self.rollback_label.setText(tr("There is no earlier bundle to go back to."))
        else:
            self.rollback_label.setText(
                tr("Go back from {current} to {previous}.")
                .replace("{current}", self.view.active_id or "—")
                .replace("{previous}", previous)
            )
        if self.may_act and not reason_ok and self.view is not None:
            self.reason_field.setToolTip(
                tr("Give a reason of at least {n} characters.").replace(
                    "{n}", str(MIN_REASON)
                )
            )

    # Loading ----------------------------------------------------------------------

    def reload(self) -> None:
        self._submit(
            "supervisor.view", load_view, self.show_view, on_error=self._failed
        )

    def show_view(self, view: SupervisorView) -> None:
        chosen = self.selected()
        self.view = view
        self.bundle_list.clear()
        for bundle in view.bundles:
            if bundle.withdrawn is not None:
                state = tr("Withdrawn: {reason}").replace("{reason}", bundle.withdrawn)
            elif bundle.active:
                state = tr("Active")
            else:
                state = tr("Available")
            QTreeWidgetItem(
                self.bundle_list,
                [bundle.id, str(bundle.release), bundle.valid_until[:10], state],
            )
        keep = chosen.id if chosen else view.active_id
        if keep:
            self.select(keep)
        self._refresh()

    # Acting -----------------------------------------------------------------------

    @Slot()
    def set_kill_switch(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        bundle_id = chosen.id
        self._act(
            "supervisor.kill_switch",
            lambda ws, name, reason: controls.set_kill_switch(
                ws, bundle_id, name, reason
            ),
            tr("Kill-switch set on {bundle}; its forecasts are blocked.").replace(
                "{bundle}", bundle_id
            ),
            tr("set a kill-switch"),
        )

    @Slot()
    def lift_kill_switch(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        bundle_id = chosen.id
        self._act(
            "supervisor.lift",
            lambda ws, name, reason: controls.lift_kill_switch(
                ws, bundle_id, name, reason
            ),
            tr("Kill-switch lifted on {bundle}.").replace("{bundle}", bundle_id),
            tr("lift a kill-switch"),
        )

    @Slot()
    def roll_back(self) -> None:
        if self.view is None or self.view.previous_id is None:
            return
        self._act(
            "supervisor.rollback",
            lambda ws, name, reason: controls.rollback(ws, name, reason),
            tr("Rolled back to {bundle}.").replace("{bundle}", self.view.previous_id),
            tr("roll back"),
        )

    def _act(
        self,
        kind: str,
        action: Callable[[Workspace, str, str], Any],
        done_text: str,
        what: str,
    ) -> None:
        if not self.may_act:
            self.message.show_problem(self._refusal_text())
            return
        if len(self.reason) < MIN_REASON:
            self.message.show_problem(
                tr("Give a reason of at least {n} characters.").replace(
                    "{n}", str(MIN_REASON)
                )
            )
            return
        person, reason = self.person, self.reason

        def work(workspace: Workspace, _control: TaskControl) -> SupervisorView:
            acting = require_role(person, Role.SUPERVISOR, what)
            action(workspace, acting.name, reason)
            return load_view(workspace)

        def done(view: SupervisorView) -> None:
            self._task = None
            self.reason_field.clear()
            self.message.show_note(done_text)
            self.show_view(view)
            self.changed.emit()

        self.message.clear_message()
        self._task = self._submit(
            kind, work, done, on_error=self._failed, supersede=False
        )
        self._refresh()

    def _failed(self, error: BaseException) -> None:
        self._task = None
        self.message.show_failure(error, "using the supervisor controls")
        self._refresh()
