"""What the dialogs share: how they reach the workspace, inline messages, error wording.

A dialog never touches the database itself: it is handed a ``Submit`` function that
runs ``work(workspace, control)`` on the workspace executor and calls back on the UI
thread (the main window passes ``WorkspaceService.call``; tests pass one built on a
``SerialExecutor``). Expected problems are shown inside the dialog as a
calm message; anything unexpected goes to the application's one error reporter.
"""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QCoreApplication, QLocale, Qt
from PySide6.QtWidgets import QDialog, QLabel, QWidget, QWizard

from desktop.errors import is_expected, log_unexpected
from desktop.tasks import WorkspaceTasks
from engine import months
from engine.overrides import MIN_JUSTIFICATION, OverrideError
from engine.people import (
    MAX_PIN_DIGITS,
    MIN_PIN_DIGITS,
    PinRuleError,
    RoleRefusedError,
    SignInThrottledError,
    WrongPinError,
)

log = logging.getLogger(__name__)


def tr(text: str) -> str:
    return QCoreApplication.translate("", text)


# Run ``work(workspace, control)`` off the UI thread, callbacks on the UI thread:
# ``WorkspaceService.call`` is one (see ``WorkspaceTasks`` for the arguments).
Submit = WorkspaceTasks


class InlineMessage(QLabel):
    """A calm message inside a dialog: a problem to fix, or a note. Hidden when empty.

    The kind is said in words as well as shown by the border, never by colour alone.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inlineMessage")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setMargin(8)
        self.kind = ""
        self.hide()

    def show_problem(self, text: str) -> None:
        self._show("problem", text, "#b45309")

    def show_note(self, text: str) -> None:
        self._show("note", text, "#2563eb")

    def show_failure(self, error: BaseException, context: str) -> None:
        """Say what went wrong while ``context``: the words of an expected error;
        for anything else a pointer to the log, and the error to the reporter."""
        if is_expected(error):
            self.show_problem(describe_error(error))
        else:
            self.show_problem(tr("Something went wrong; the details are in the log."))
            report_unexpected(error, context)

    def clear_message(self) -> None:
        self.kind = ""
        self.setText("")
        self.hide()

    def _show(self, kind: str, text: str, accent: str) -> None:
        self.kind = kind
        self.setText(text)
        self.setAccessibleDescription(text)
        self.setStyleSheet(
            f"QLabel#inlineMessage {{ border-left: 4px solid {accent}; "
            "background: palette(alternate-base); padding-left: 6px; }"
        )
        self.show()
        window = self.window()
        # A wizard lays its pages out itself; plain dialogs grow to fit the message.
        plain_dialog = isinstance(window, QDialog) and not isinstance(window, QWizard)
        if plain_dialog and window.isVisible():
            fit_to_contents(window)


def describe_error(error: BaseException) -> str:
    """The words a person reads for an expected error, in their language."""
    if isinstance(error, PinRuleError):
        return {
            "digits": tr("A PIN is made of digits only (0 to 9)."),
            "short": tr("A PIN needs at least {n} digits.").replace(
                "{n}", str(MIN_PIN_DIGITS)
            ),
            "long": tr("A PIN has at most {n} digits.").replace(
                "{n}", str(MAX_PIN_DIGITS)
            ),
            "trivial": tr(
                "That PIN is too easy to guess (a repeated digit, a run like 1234, "
                "or a common pattern). Choose another."
            ),
        }.get(error.rule, str(error))
    if isinstance(error, SignInThrottledError):
        return tr(
            "Too many wrong PINs. Wait {seconds} seconds and try again, or ask your "
            "supervisor."
        ).replace("{seconds}", str(error.wait_seconds))
    if isinstance(error, WrongPinError):
        return tr("That name and PIN do not match. Check them and try again.")
    if isinstance(error, RoleRefusedError):
        return tr("Only a supervisor can do this. Ask your supervisor to sign in.")
    if isinstance(error, OverrideError):
        return _override_words().get(error.code, str(error))
    # TODO(#5): other engine messages (ingest, bundles) are shown in English; give
    # them stable codes, as the gate's reasons have, so they can be translated.
    return str(error)


def _override_words() -> dict[str, str]:
    return {
        "text_short": tr(
            "Explain the override in at least {n} characters: what you know that the "
            "model does not."
        ).replace("{n}", str(MIN_JUSTIFICATION)),
        "category": tr("Choose why you override the forecast."),
        "value": tr("Fatalities are a count: enter numbers of zero or more."),
        "interval": tr("Your range must hold your value: low ≤ value ≤ high."),
        "person": tr("You are not signed in on this device. Sign in again."),
    }


def report_unexpected(error: BaseException, context: str) -> None:
    """Hand an unexpected error to the application's one reporter (via its hook).

    Without the hook installed (a dialog used alone), the error is only logged.
    """
    if sys.excepthook is not sys.__excepthook__:
        sys.excepthook(type(error), error, error.__traceback__)
        return
    log_unexpected(error, context)


def month_text(index: int) -> str:
    """A month index as the person's locale writes it, e.g. ``August 2024``."""
    year, month = months.year_month(index)
    locale = QLocale()
    return f"{locale.standaloneMonthName(month)} {year}"


def count_text(value: float | None) -> str:
    """A fatality count or expectation: whole above 10, one decimal below."""
    if value is None:
        return "—"
    if value == 0:
        return QLocale().toString(0)
    decimals = 0 if abs(value) >= 10 else 1
    return QLocale().toString(float(value), "f", decimals)


def share_text(value: float | None) -> str:
    """A probability as a whole percentage."""
    if value is None:
        return "—"
    return QLocale().toString(float(value) * 100, "f", 0) + " %"


def fit_to_contents(dialog: QWidget, width: int | None = None) -> None:
    """Size a dialog so that wrapped text is never cut: height from its width.

    Qt's minimum size for a window ignores how tall wrapped labels get at the
    window's width, so the dialog sets it from the layout's height-for-width.
    """
    layout = dialog.layout()
    if layout is None:
        return
    layout.activate()
    width = max(width or dialog.width(), dialog.minimumSizeHint().width())
    height = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else -1
    height = max(
        height, layout.totalSizeHint().height(), dialog.minimumSizeHint().height()
    )
    dialog.setMinimumHeight(height)
    dialog.resize(width, max(height, dialog.height() if dialog.isVisible() else 0))
