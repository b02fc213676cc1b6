"""The Qt application: names, high-DPI, palette, translations, direction; and run.

``run_app`` is what ``fieldcast app`` calls. It builds one ``QApplication``, one
``ErrorReporter`` with hooks on ``sys`` and ``threading``, one ``WorkspaceService``
and the ``MainWindow``. The window appears at once: its header names the bundle from
a glance at the workspace, its table says it is loading, and only after that first
paint does the service start reading (numpy, the workspace store and the run are
loaded on its thread). With a screenshot path it paints the window to a PNG once the
first data is shown, and exits.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLibraryInfo, QLocale, Qt, QTimer, QTranslator
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory, QWidget

from desktop.errors import ErrorReporter, install_hooks
from desktop.i18n import fieldcast_translator
from desktop.main_window import MainWindow
from desktop.preload import when_charts_ready
from desktop.services import WorkspaceService
from desktop.settings_store import load_settings
from desktop.units_model import COLUMN_POINT
from engine.settings import APP_NAME

log = logging.getLogger(__name__)

SCREENSHOT_TIMEOUT_MS = 120_000


def create_application(argv: list[str] | None = None) -> QApplication:
    """The one QApplication, set up once (an existing one is reused, as in tests)."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        app = existing
    else:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
        )
        app = QApplication(argv if argv is not None else [APP_NAME])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationDisplayName("fieldcast")
    if "Fusion" in QStyleFactory.keys():  # noqa: SIM118 (a list, not a dict)
        app.setStyle("Fusion")
    apply_palette(app)
    app.styleHints().colorSchemeChanged.connect(lambda _scheme: apply_palette(app))
    load_translations(app)
    return app


def apply_palette(app: QApplication) -> None:
    """A light or dark palette, following the system's colour scheme."""
    if app.styleHints().colorScheme() == Qt.ColorScheme.Dark:
        app.setPalette(dark_palette())
    else:
        app.setPalette(app.style().standardPalette())


def dark_palette() -> QPalette:
    palette = QPalette()
    window, base, text = QColor(37, 39, 43), QColor(28, 30, 33), QColor(226, 226, 226)
    roles = {
        QPalette.ColorRole.Window: window,
        QPalette.ColorRole.WindowText: text,
        QPalette.ColorRole.Base: base,
        QPalette.ColorRole.AlternateBase: QColor(44, 47, 51),
        QPalette.ColorRole.ToolTipBase: window,
        QPalette.ColorRole.ToolTipText: text,
        QPalette.ColorRole.Text: text,
        QPalette.ColorRole.Button: QColor(48, 51, 56),
        QPalette.ColorRole.ButtonText: text,
        QPalette.ColorRole.Highlight: QColor(66, 133, 180),
        QPalette.ColorRole.HighlightedText: QColor(255, 255, 255),
        QPalette.ColorRole.Link: QColor(120, 170, 230),
        QPalette.ColorRole.PlaceholderText: QColor(150, 150, 150),
        QPalette.ColorRole.Mid: QColor(90, 90, 90),
    }
    for role, colour in roles.items():
        palette.setColor(role, colour)
    palette.setColor(
        QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor(128, 128, 128)
    )
    palette.setColor(
        QPalette.ColorGroup.Disabled,
        QPalette.ColorRole.WindowText,
        QColor(128, 128, 128),
    )
    return palette


_translators: list[QTranslator] = []


def load_translations(app: QApplication, locale: QLocale | None = None) -> list[str]:
    """Load fieldcast's and Qt's own translations for the locale; set the direction.

    Returns the names of the catalogues loaded (none for English, the source
    language). A right-to-left locale lays the whole window out right to left.
    """
    locale = locale or QLocale.system()
    for translator in _translators:
        app.removeTranslator(translator)
    _translators.clear()
    loaded = []
    # fieldcast's catalogue files module-level tr() strings under the empty context:
    # the FallbackTranslator finds them whatever context a module names.
    ours = fieldcast_translator(locale, app)
    if ours is not None:
        app.installTranslator(ours)
        _translators.append(ours)
        loaded.append(ours.filePath())
    qt_own = QTranslator(app)
    qt_folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if qt_own.load(locale, "qtbase", "_", qt_folder):
        app.installTranslator(qt_own)
        _translators.append(qt_own)
        loaded.append(qt_own.filePath())
    app.setLayoutDirection(
        Qt.LayoutDirection.RightToLeft
        if locale.textDirection() == Qt.LayoutDirection.RightToLeft
        else Qt.LayoutDirection.LeftToRight
    )
    log.debug("locale %s: translations %s", locale.name(), loaded)
    return loaded


def build_window(
    folder: Path, reporter: ErrorReporter | None = None
) -> tuple[MainWindow, WorkspaceService]:
    """The main window on a workspace, sorted with the largest forecasts first."""
    service = WorkspaceService(folder, reporter)
    window = MainWindow(service, load_settings(), reporter)
    window.units_view.sortByColumn(COLUMN_POINT, Qt.SortOrder.DescendingOrder)
    return window, service


def run_app(folder: Path, log_file: Path | None, screenshot: Path | None = None) -> int:
    """Open the window on ``folder`` and run until it closes; the exit code.

    Where ``folder`` holds no workspace yet, the first-run setup opens instead and
    the window follows on the workspace it sets up (the screenshot path needs an
    existing workspace: the command refuses it before this).
    """
    app = create_application(sys.argv[:1])
    reporter = ErrorReporter(log_file)
    undo_hooks = install_hooks(reporter)
    try:
        opened = open_app(folder, reporter)
        if screenshot is not None and isinstance(opened, MainWindow):
            reporter.dialogs_enabled = False
            result = {"code": 1}
            _screenshot_when_ready(opened, screenshot, result)
            opened.show()
            app.exec()
            return result["code"]
        opened.show()
        return app.exec()
    finally:
        undo_hooks()


def open_app(folder: Path, reporter: ErrorReporter | None = None) -> QWidget:
    """The main window on ``folder`` (not yet shown), or the first-run setup.

    The window reads from the workspace only after its first paint; the setup,
    once finished, opens the window on the workspace it made, signed in as the
    person it added. Cancelling the setup quits.
    """
    from engine.workspace import DATABASE_NAME

    if (folder / DATABASE_NAME).exists():
        return _main_window(folder, reporter, None)

    from desktop.dialogs.first_run import FirstRunWizard

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    wizard = FirstRunWizard()
    wizard.choice.folder_field.setText(str(folder))
    # The wizard hides before the window shows: do not quit in between.
    quits = app.quitOnLastWindowClosed()
    app.setQuitOnLastWindowClosed(False)

    def finished(chosen: Path, person: Any) -> None:
        window = _main_window(chosen, reporter, person)
        wizard.opened_window = window  # kept alive; tests reach it here
        window.show()
        app.setQuitOnLastWindowClosed(quits)

    def cancelled() -> None:
        app.setQuitOnLastWindowClosed(quits)
        app.quit()

    wizard.finished_setup.connect(finished)
    wizard.rejected.connect(cancelled)
    return wizard


def _main_window(
    folder: Path, reporter: ErrorReporter | None, person: Any
) -> MainWindow:
    window, service = build_window(folder, reporter)
    window.show_glance(service.glance())
    if person is not None:
        window.set_person(person)
    # Reading starts once the shell has painted, so the two do not compete.
    window.first_painted.connect(window.start)
    return window


def _screenshot_when_ready(window: MainWindow, path: Path, result: dict) -> None:
    """Paint ``window`` to ``path`` once its first data (and first unit) is shown."""
    app = QApplication.instance()
    assert app is not None

    def save() -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        saved = window.grab().save(str(path), "PNG")
        result["code"] = 0 if saved else 1
        log.info("screenshot written to %s: %s", path, saved)
        window.close()
        app.quit()

    def save_soon() -> None:
        # The chart is drawn once pyqtgraph is in (loaded in the background).
        when_charts_ready(lambda: QTimer.singleShot(150, save))

    def after_first_data() -> None:
        # Wait for the selected unit's view too, so the picture is complete.
        has_units = window.table is not None and len(window.table) > 0
        if has_units and window.unit_view.detail is None:
            window.service.unit_loaded.connect(lambda _d: save_soon())
            return
        save_soon()

    def give_up() -> None:
        if path.exists():
            return
        log.warning("the window did not load its data in time; saving what is shown")
        save()
        result["code"] = 1

    window.first_data_shown.connect(after_first_data)
    QTimer.singleShot(SCREENSHOT_TIMEOUT_MS, give_up)
