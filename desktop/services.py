"""WorkspaceService: the only way the window's widgets reach the engine.

One service per open workspace. Every request runs on the service's serial workspace
executor (``desktop.tasks``), where the workspace's SQLite connection is opened, used
and closed; no widget ever holds a connection, runs SQL or opens an ONNX session.
Answers come back as signals on the UI thread carrying immutable records
(``desktop.queries``); a newer request of the same kind supersedes an older one, so a
person clicking through units only ever sees the unit clicked last. Errors go to the
one ``ErrorReporter``; the service never shows anything itself.

Start-up: the reading code (numpy, the workspace store, the engine's runs) is
imported on the worker thread with the first request, so the window paints first.
The one read on the UI thread is ``glance``: a handful of rows by key, through the
standard library's sqlite3, read-only, so the header can name the bundle at once.
"""

from __future__ import annotations

import gc
import logging
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from desktop.errors import ErrorReporter
from desktop.tasks import SerialExecutor, TaskControl, TaskHandle, WorkspaceTasks
from engine.errors import ForecastBlockedError, ForecastError
from engine.workspace import DATABASE_NAME, Workspace

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Glance:
    """The header's first words, read at start-up before the overview arrives.

    ``id`` and the fields after it name the active bundle (``id`` is None when no
    bundle is active), as a ``BundleSummary`` would.
    """

    device: str
    synthetic: bool
    id: str | None = None
    name: str = ""
    release: int = 0
    valid_until: str = ""
    digest: str = ""


class WorkspaceService(QObject):
    """Reads and runs on one workspace, off the UI thread, answering with signals."""

    overview_loaded = Signal(object)
    run_loaded = Signal(object)
    unit_loaded = Signal(object)
    monitoring_loaded = Signal(object)
    history_loaded = Signal(object)
    self_test_loaded = Signal(object)
    forecast_running = Signal(bool)
    forecast_progress = Signal(float, str)
    forecast_finished = Signal(object)
    workspace_changed = Signal()
    busy_changed = Signal(bool)

    def __init__(
        self,
        folder: Path | str,
        reporter: ErrorReporter | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.folder = Path(folder)
        self.reporter = reporter
        self.person: Any = None  # the signed-in engine.people.Person, or None
        self.history_months = 60
        self.executor = SerialExecutor("workspace", self)
        self.executor.busy_changed.connect(self.busy_changed)
        self._workspace: Workspace | None = None  # touched on the worker thread only
        self._forecast: TaskHandle | None = None
        # ``call(kind, work, on_done, ...)`` runs ``work(workspace, control)`` on the
        # workspace thread and answers on this one; the dialogs use it for their own
        # reads and writes. Errors without a callback of their own are reported.
        self.call = WorkspaceTasks(self.executor, self._open, self._report)

    # The workspace, on the worker thread ----------------------------------------------

    def _open(self) -> Workspace:
        if self._workspace is None:
            self._workspace = Workspace.open(self.folder, create=False)
        return self._workspace

    def _close(self) -> None:
        if self._workspace is not None:
            self._workspace.close()
            self._workspace = None

    def _report(self, error: BaseException, what: str) -> None:
        if self.reporter is not None:
            self.reporter.report(error, what.replace("_", " "))
        else:
            log.error("%s failed", what, exc_info=(type(error), error, None))

    # Reads ----------------------------------------------------------------------------

    def glance(self) -> Glance | None:
        """The header's first words, read at once on this thread (see the module)."""
        return header_glance(self.folder)

    def load_overview(self) -> TaskHandle:
        return self.call(
            "overview",
            lambda ws, _c: _queries().overview(ws),
            self.overview_loaded.emit,
        )

    def load_run(self, run_id: int | None = None) -> TaskHandle:
        """Load a run's table (the latest run when ``run_id`` is None)."""
        return self.call(
            "run",
            lambda ws, _c: _queries().run_table(ws, run_id),
            self.run_loaded.emit,
        )

    def load_unit(self, run_id: int, unit_id: int) -> TaskHandle:
        months = self.history_months
        return self.call(
            "unit",
            lambda ws, _c: _queries().unit_detail(ws, run_id, unit_id, months),
            self.unit_loaded.emit,
        )

    def load_monitoring(self) -> TaskHandle:
        return self.call(
            "monitoring",
            lambda ws, _c: _queries().monitoring(ws),
            self.monitoring_loaded.emit,
        )

    def load_history(self) -> TaskHandle:
        return self.call(
            "history",
            lambda ws, _c: _queries().history(ws),
            self.history_loaded.emit,
        )

    def check_gate(self) -> TaskHandle:
        """Run the gate's self-test on the active bundle (a ``SelfTestReport``)."""
        return self.call(
            "self_test",
            lambda ws, _c: _queries().gate_self_test(ws),
            self.self_test_loaded.emit,
        )

    def refresh(self) -> None:
        """Reload everything the window shows (after a run, an import, an override)."""
        self.load_overview()
        self.load_run()
        self.load_monitoring()
        self.load_history()

    def warm_up(self) -> TaskHandle:
        """Import the forecast engine on the workspace thread before the first run.

        Loading onnxruntime's library holds the GIL for tens of milliseconds; done
        here, once the window has its data, it does not stall a run's progress.
        """
        return self.call(
            "warm_up",
            lambda _ws, _c: _import_engine(),
            lambda _r: freeze_loaded_objects(),
        )

    # Forecast runs --------------------------------------------------------------------

    @property
    def forecast_is_running(self) -> bool:
        return self._forecast is not None and not self._forecast.done

    def run_forecast(self, origin: int | None = None) -> TaskHandle:
        """Run the active bundle over the workspace (the gate first, inside the run)."""
        person = self.person
        self.forecast_running.emit(True)

        def work(workspace: Workspace, control: TaskControl) -> Any:
            return _run_forecast(workspace, origin, person, control)

        def finished(result: Any) -> None:
            self.forecast_running.emit(False)
            self.forecast_finished.emit(result)
            self.refresh()

        def failed(error: BaseException) -> None:
            self.forecast_running.emit(False)
            self._report(error, "running the forecast")
            if isinstance(error, ForecastBlockedError):
                self.refresh()  # the blocked run is stored with its reasons

        self._forecast = self.call(
            "forecast",
            work,
            finished,
            supersede=False,
            on_error=failed,
            on_progress=self.forecast_progress.emit,
            on_cancelled=lambda: self.forecast_running.emit(False),
        )
        return self._forecast

    def cancel_forecast(self) -> None:
        if self._forecast is not None:
            self._forecast.cancel()

    # Ending ---------------------------------------------------------------------------

    def close(self) -> None:
        """Cancel what is queued, close the workspace on its thread, stop the thread."""
        self.executor.cancel_all()
        if self.executor.running:
            try:
                self.executor.run_and_wait(self._close)
            except (TimeoutError, RuntimeError) as err:
                log.warning("the workspace did not close cleanly: %s", err)
        self.executor.shutdown()


def _run_forecast(
    workspace: Workspace, origin: int | None, person: Any, control: TaskControl
) -> Any:
    """Call the engine's forecast run with progress and cancellation wired through."""
    from engine import controls, forecast

    bundle = controls.active_bundle(workspace)
    if bundle is None:
        raise ForecastError(
            "No model bundle is active on this device. Import one from a folder or "
            "USB stick (File, Import from folder) and try again."
        )
    name = getattr(person, "name", None) or "unknown"

    def progress(done: int, total: int) -> None:
        control.progress(done / total if total else 0.0, "")

    result = forecast.run_forecast(
        workspace,
        bundle,
        origin=origin,
        person=name,
        progress=progress,
        cancel=lambda: control.cancelled,
    )
    control.check()  # a cancelled run is stored as failed; nothing to show
    return result


def _queries() -> Any:
    """``desktop.queries``, imported on first use (on the workspace thread)."""
    from desktop import queries

    return queries


def freeze_loaded_objects() -> None:
    """Keep what is loaded so far (modules, Qt wrappers, the engine) out of the
    garbage collector's full passes.

    With PySide6, pyqtgraph, numpy and onnxruntime loaded, a full collection walks
    several hundred thousand objects and holds the GIL for 30-40 ms; one triggered on
    the workspace thread in the middle of a forecast run froze the window that long.
    Objects loaded at start-up live as long as the process, so nothing is lost by
    leaving them out (``gc.freeze``); later objects are collected as usual.
    """
    gc.freeze()
    log.debug("%d objects left out of full garbage collections", gc.get_freeze_count())


def _import_engine() -> None:
    import importlib

    from engine import controls, forecast  # noqa: F401 (imported to load them)

    try:
        importlib.import_module("onnxruntime")
    except ImportError:
        log.debug("onnxruntime is not installed; forecasts will say so")


def header_glance(folder: Path) -> Glance | None:
    """The device, the demo label and the active bundle, read in a few milliseconds.

    A read-only connection with a short busy timeout; any trouble (no database yet,
    a lock, an older schema) gives None, and the header waits for the overview.
    """
    database = Path(folder) / DATABASE_NAME
    if not database.exists():
        return None
    try:
        connection = sqlite3.connect(
            f"{database.as_uri()}?mode=ro", uri=True, timeout=0.2
        )
    except sqlite3.Error:
        return None
    try:
        meta = dict(
            connection.execute(
                "SELECT key, value FROM meta WHERE key IN ('device_name', 'synthetic')"
            ).fetchall()
        )
        # The last activation or rollback names the bundle the device runs now.
        active = connection.execute(
            "SELECT bundle_id FROM activations ORDER BY id DESC LIMIT 1"
        ).fetchone()
        bundle = None
        if active is not None:
            bundle = connection.execute(
                "SELECT id, COALESCE(json_extract(manifest, '$.model_card.name'), "
                "json_extract(manifest, '$.model_card.title'), model_line), "
                "release, valid_until, digest FROM bundles WHERE id = ?",
                (active[0],),
            ).fetchone()
    except (sqlite3.Error, ValueError, TypeError) as err:
        log.debug("no glance at %s: %s", folder, err)
        return None
    finally:
        connection.close()
    device = meta.get("device_name") or os.uname().nodename or "this device"
    synthetic = str(meta.get("synthetic") or "").lower() in {"1", "true", "yes"}
    if bundle is None:
        return Glance(str(device), synthetic)
    return Glance(
        str(device),
        synthetic,
        id=str(bundle[0]),
        name=str(bundle[1]),
        release=int(bundle[2]),
        valid_until=str(bundle[3]),
        digest=str(bundle[4]),
    )
