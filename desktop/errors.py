"""The one place where errors reach a person in the desktop application.

Expected problems (``FieldcastError``: a stale file, a refused bundle, a wrong PIN) are
shown as a calm inline banner that says what to do; anything else is logged with its
traceback and shown in a dialog that names the log file. ``install_hooks`` routes
uncaught exceptions from any thread here, so nothing fails silently.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QToolButton,
    QWidget,
)

from engine.errors import FieldcastError

log = logging.getLogger(__name__)


def tr(text: str) -> str:
    return QCoreApplication.translate("Errors", text)


class ErrorReporter(QObject):
    """Receives every error meant for a person and shows it the right way.

    ``expected`` carries the message of an expected error to the banner;
    ``unexpected`` carries a summary and the log's path to the dialog. ``report`` may
    be called from any thread: the signals are queued to the reporter's thread.
    """

    expected = Signal(str)
    unexpected = Signal(str, str)
    _from_thread = Signal(object, str)

    def __init__(self, log_file: Path | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.log_file = log_file
        self.dialogs_enabled = True
        self._from_thread.connect(self._report_here, Qt.ConnectionType.QueuedConnection)

    def report(self, error: BaseException, context: str = "") -> None:
        """Show ``error`` to the person: inline if expected, in a dialog otherwise."""
        if threading.current_thread() is not threading.main_thread():
            self._from_thread.emit(error, context)
            return
        self._report_here(error, context)

    @Slot(object, str)
    def _report_here(self, error: BaseException, context: str) -> None:
        if is_expected(error):
            log.info("shown to the person: %s", error)
            self.expected.emit(str(error))
            return
        log_unexpected(error, context)
        summary = f"{type(error).__name__}: {error}"
        self.unexpected.emit(summary, str(self.log_file or ""))
        if self.dialogs_enabled:
            show_unexpected_dialog(summary, self.log_file)


def is_expected(error: BaseException) -> bool:
    """Whether ``error`` is one of fieldcast's own, with words for a person."""
    return isinstance(error, FieldcastError)


def log_unexpected(error: BaseException, context: str = "") -> None:
    """Log an unexpected error with its traceback (and what was being done)."""
    log.error(
        "unexpected error%s",
        f" while {context}" if context else "",
        exc_info=(type(error), error, error.__traceback__),
    )


def show_unexpected_dialog(summary: str, log_file: Path | None) -> QMessageBox:
    """A non-blocking dialog for an unexpected error, naming the log file."""
    box = QMessageBox()
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(tr("Something went wrong"))
    box.setText(
        tr(
            "fieldcast met a problem it did not expect. Your data is safe: "
            "nothing was half-written."
        )
    )
    where = str(log_file) if log_file else tr("(no log file)")
    box.setInformativeText(
        tr(
            "The details are in the log file:\n{path}\nSend it to your regional office."
        ).replace("{path}", where)
    )
    box.setDetailedText(summary)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


class MessageBanner(QFrame):
    """A calm inline message across the top of the window, with a close button.

    A banner made with ``dismissable=False`` has no close button: it stays while
    what it says holds (the owner hides it).
    """

    def __init__(
        self, parent: QWidget | None = None, *, dismissable: bool = True
    ) -> None:
        super().__init__(parent)
        self.setObjectName("messageBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(tr("Message"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 8, 8)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label, 1)
        if dismissable:
            close = QToolButton(self)
            close.setText(tr("Dismiss"))
            close.setToolTip(tr("Hide this message"))
            close.clicked.connect(self.hide)
            layout.addWidget(close)
        self.hide()

    @Slot(str)
    def show_message(self, text: str) -> None:
        self.label.setText(text)
        self.show()

    @property
    def text(self) -> str:
        return self.label.text()


_reporter: ErrorReporter | None = None


def install_hooks(reporter: ErrorReporter) -> Callable[[], None]:
    """Route uncaught exceptions of every thread to ``reporter``; returns an undo."""
    global _reporter
    _reporter = reporter
    previous_sys = sys.excepthook
    previous_threading = threading.excepthook

    def sys_hook(
        kind: type[BaseException],
        error: BaseException,
        traceback: TracebackType | None,
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            previous_sys(kind, error, traceback)
            return
        reporter.report(error.with_traceback(traceback), "running the window")

    def threading_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or isinstance(args.exc_value, SystemExit):
            return
        name = args.thread.name if args.thread else "a background thread"
        reporter.report(args.exc_value, f"working in {name}")

    sys.excepthook = sys_hook
    threading.excepthook = threading_hook

    def undo() -> None:
        global _reporter
        sys.excepthook = previous_sys
        threading.excepthook = previous_threading
        _reporter = None

    return undo
