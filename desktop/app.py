"""The Qt application: names, high-DPI, palette, translations, direction; and run.

``run_app`` is what ``fieldcast app`` calls. It builds one ``QApplication``, one
``ErrorReporter`` with hooks on ``sys`` and ``threading``, one ``WorkspaceService``
and the ``MainWindow``; the window appears at once and fills in as the service's
answers arrive. With a screenshot path it paints the window to a PNG once the first
data is shown, and exits.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, Qt, QTimer, QTranslator
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from desktop.errors import ErrorReporter, install_hooks
from desktop.main_window import MainWindow
from desktop.services import WorkspaceService
from desktop.settings_store import load_settings
from desktop.units_model import COLUMN_POINT
from engine.settings import APP_NAME

log = logging.getLogger(__name__)

TRANSLATIONS = Path(__file__).resolve().parents[1] / "resources" / "translations"
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
    ours = QTranslator(app)
    if ours.load(locale, "fieldcast", "_", str(TRANSLATIONS)):
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
    """Open the window on ``folder`` and run until it closes; the exit code."""
    app = create_application(sys.argv[:1])
    reporter = ErrorReporter(log_file)
    undo_hooks = install_hooks(reporter)
    try:
        window, _service = build_window(folder, reporter)
        if screenshot is not None:
            reporter.dialogs_enabled = False
            result = {"code": 1}
            _screenshot_when_ready(window, screenshot, result)
            window.show()
            window.start()
            app.exec()
            return result["code"]
        window.show()
        window.start()
        return app.exec()
    finally:
        undo_hooks()


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

    def after_first_data() -> None:
        # Wait for the selected unit's view too, so the picture is complete.
        has_units = window.table is not None and len(window.table) > 0
        if has_units and window.unit_view.detail is None:
            window.service.unit_loaded.connect(lambda _d: QTimer.singleShot(150, save))
            return
        QTimer.singleShot(150, save)

    def give_up() -> None:
        if path.exists():
            return
        log.warning("the window did not load its data in time; saving what is shown")
        save()
        result["code"] = 1

    window.first_data_shown.connect(after_first_data)
    QTimer.singleShot(SCREENSHOT_TIMEOUT_MS, give_up)
