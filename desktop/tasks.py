"""Background executors: every slow step runs here, never on the UI thread.

A ``SerialExecutor`` owns one worker thread and runs its tasks one after another, in
the order they were submitted; the workspace executor is one of these, so the
workspace's SQLite connection is opened, used and closed on that one thread only.
Each task has a *kind*: a newer task of the same kind supersedes an older one, which is
skipped if it has not started, asked to stop if it has, and whose result is dropped
either way. Progress, results and errors reach the UI thread through queued signals;
callbacks always run on the thread that owns the executor (the UI thread).
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

if TYPE_CHECKING:
    from engine.workspace import Workspace

log = logging.getLogger(__name__)

# Progress reports closer together than this are coalesced, so a chatty task cannot
# flood the UI thread's event queue.
PROGRESS_INTERVAL_SECONDS = 0.05


class TaskCancelled(Exception):
    """Raised inside a task when it was cancelled or superseded; never shown."""


class TaskControl:
    """What a running task sees: report progress, ask whether it should stop."""

    def __init__(self, report: Callable[[float, str], None]) -> None:
        self._report = report
        self._cancelled = threading.Event()
        self._last_report = 0.0

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def cancel(self) -> None:
        self._cancelled.set()

    def check(self) -> None:
        """Raise ``TaskCancelled`` if the task should stop now."""
        if self._cancelled.is_set():
            raise TaskCancelled

    def progress(self, fraction: float, message: str = "") -> None:
        """Report progress from 0 to 1; reports closer than 50 ms are coalesced."""
        now = time.monotonic()
        if fraction < 1.0 and now - self._last_report < PROGRESS_INTERVAL_SECONDS:
            return
        self._last_report = now
        self._report(max(0.0, min(1.0, float(fraction))), message)


@dataclass
class TaskHandle:
    """A submitted task, as the caller holds it: cancel it, ask whether it ended."""

    id: int
    kind: str
    control: TaskControl
    done: bool = False

    def cancel(self) -> None:
        self.control.cancel()


@dataclass
class _Job:
    handle: TaskHandle
    function: Callable[[TaskControl], Any]
    on_done: Callable[[Any], None] | None
    on_error: Callable[[BaseException], None] | None
    on_progress: Callable[[float, str], None] | None
    on_cancelled: Callable[[], None] | None = None
    started: float = field(default_factory=time.monotonic)


class _Worker(QThread):
    """Runs queued jobs one at a time until it is handed ``None``."""

    job_finished = Signal(int, object)
    job_failed = Signal(int, object)
    job_cancelled = Signal(int)
    job_progress = Signal(int, float, str)

    def __init__(self, name: str, jobs: queue.SimpleQueue[_Job | None]) -> None:
        super().__init__()
        self.setObjectName(name)
        self._jobs = jobs

    def run(self) -> None:
        threading.current_thread().name = self.objectName()
        while True:
            job = self._jobs.get()
            if job is None:
                return
            handle = job.handle
            if handle.control.cancelled:
                self.job_cancelled.emit(handle.id)
                continue
            try:
                result = job.function(handle.control)
            except TaskCancelled:
                self.job_cancelled.emit(handle.id)
            except BaseException as err:
                self.job_failed.emit(handle.id, err)
            else:
                if handle.control.cancelled:
                    self.job_cancelled.emit(handle.id)
                else:
                    self.job_finished.emit(handle.id, result)


class SerialExecutor(QObject):
    """One worker thread running tasks in order; callbacks run on the owner's thread.

    ``busy_changed`` tells the UI whether anything is queued or running (for a busy
    indicator); ``progress`` relays the running task's progress with its kind.
    """

    busy_changed = Signal(bool)
    progress = Signal(str, float, str)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._pending: dict[int, _Job] = {}
        self._latest_of_kind: dict[str, int] = {}
        self._ids = itertools.count(1)
        self._worker = _Worker(name, self._jobs)
        self._worker.job_finished.connect(self._on_finished)
        self._worker.job_failed.connect(self._on_failed)
        self._worker.job_cancelled.connect(self._on_cancelled)
        self._worker.job_progress.connect(self._on_progress)
        self._worker.start()
        self._stopped = False

    # Submitting ------------------------------------------------------------------

    def submit(
        self,
        kind: str,
        function: Callable[[TaskControl], Any],
        *,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[float, str], None] | None = None,
        on_cancelled: Callable[[], None] | None = None,
        supersede: bool = True,
    ) -> TaskHandle:
        """Queue ``function(control)``; a newer task of the same kind supersedes it.

        Exactly one of ``on_done``, ``on_error`` and ``on_cancelled`` is called once
        the task ends. With ``supersede`` false, tasks of this kind all run and all
        report (writes).
        """
        if self._stopped:
            raise RuntimeError(f"the {self.name} executor has been shut down")
        task_id = next(self._ids)
        worker = self._worker
        control = TaskControl(
            lambda fraction, message: worker.job_progress.emit(
                task_id, fraction, message
            )
        )
        handle = TaskHandle(task_id, kind, control)
        if supersede:
            older = self._latest_of_kind.get(kind)
            if older is not None and older in self._pending:
                self._pending[older].handle.cancel()
            self._latest_of_kind[kind] = task_id

        was_idle = not self._pending
        self._pending[task_id] = _Job(
            handle, function, on_done, on_error, on_progress, on_cancelled
        )
        self._jobs.put(self._pending[task_id])
        if was_idle:
            self.busy_changed.emit(True)
        log.debug("%s: queued %s task %s", self.name, kind, task_id)
        return handle

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    @property
    def running(self) -> bool:
        """Whether the worker thread is alive (tests check none is left behind)."""
        return self._worker.isRunning()

    def cancel_all(self) -> None:
        for job in self._pending.values():
            job.handle.cancel()

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        """Cancel what is queued, let the worker finish its task, stop its thread.

        Returns False if the worker did not stop in time (it is left to end alone).
        """
        if self._stopped:
            return True
        self._stopped = True
        self.cancel_all()
        self._jobs.put(None)
        stopped = self._worker.wait(timeout_ms)
        if not stopped:
            log.warning("%s executor did not stop within %s ms", self.name, timeout_ms)
        self._pending.clear()
        return bool(stopped)

    def run_and_wait(
        self, function: Callable[[], Any], timeout_ms: int = 30_000
    ) -> Any:
        """Run ``function`` on the worker thread and block for it (shut-down only)."""
        box: dict[str, Any] = {}
        finished = threading.Event()

        def call(_control: TaskControl) -> None:
            try:
                box["result"] = function()
            except BaseException as err:
                box["error"] = err
            finally:
                finished.set()

        self.submit(f"__wait_{id(box)}", call, supersede=False)
        if not finished.wait(timeout_ms / 1000):
            raise TimeoutError(f"the {self.name} executor did not answer in time")
        if "error" in box:
            raise box["error"]
        return box.get("result")

    # Delivering on the owner's thread ----------------------------------------------

    def _take(self, task_id: int) -> _Job | None:
        job = self._pending.pop(task_id, None)
        if job is not None:
            job.handle.done = True
            if self._latest_of_kind.get(job.handle.kind) == task_id:
                del self._latest_of_kind[job.handle.kind]
        if not self._pending and job is not None:
            self.busy_changed.emit(False)
        return job

    @Slot(int, object)
    def _on_finished(self, task_id: int, result: Any) -> None:
        job = self._take(task_id)
        if job is None:
            return
        if job.handle.control.cancelled:
            self._cancelled(job)  # superseded or cancelled while on the way
            return
        log.debug(
            "%s: %s task %s done in %.3f s",
            self.name,
            job.handle.kind,
            task_id,
            time.monotonic() - job.started,
        )
        if job.on_done is not None:
            job.on_done(result)

    @Slot(int, object)
    def _on_failed(self, task_id: int, error: BaseException) -> None:
        job = self._take(task_id)
        if job is None:
            return
        if job.handle.control.cancelled:
            log.debug("%s: cancelled task %s failed: %s", self.name, task_id, error)
            self._cancelled(job)
            return
        if job.on_error is not None:
            job.on_error(error)
        else:
            log.error(
                "%s: %s task failed",
                self.name,
                job.handle.kind,
                exc_info=(type(error), error, error.__traceback__),
            )

    @Slot(int)
    def _on_cancelled(self, task_id: int) -> None:
        job = self._take(task_id)
        if job is not None:
            log.debug("%s: %s task %s cancelled", self.name, job.handle.kind, task_id)
            self._cancelled(job)

    def _cancelled(self, job: _Job) -> None:
        if job.on_cancelled is not None:
            job.on_cancelled()

    @Slot(int, float, str)
    def _on_progress(self, task_id: int, fraction: float, message: str) -> None:
        job = self._pending.get(task_id)
        if job is None or job.handle.control.cancelled:
            return
        self.progress.emit(job.handle.kind, fraction, message)
        if job.on_progress is not None:
            job.on_progress(fraction, message)


class WorkspaceTasks:
    """Runs ``work(workspace, control)`` on a serial executor: the dialogs' ``Submit``.

    ``open_workspace`` is called on the worker thread at the start of each task and
    gives the workspace to work on (opened there, on first use). ``report`` is the
    error callback of a task submitted without its own. ``WorkspaceService.call``,
    the first-run setup and the tests' runner are each one of these.
    """

    def __init__(
        self,
        executor: SerialExecutor,
        open_workspace: Callable[[], Workspace],
        report: Callable[[BaseException, str], None] | None = None,
    ) -> None:
        self.executor = executor
        self._open_workspace = open_workspace
        self._report = report

    def __call__(
        self,
        kind: str,
        work: Callable[[Workspace, TaskControl], Any],
        on_done: Callable[[Any], None],
        *,
        supersede: bool = True,
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[float, str], None] | None = None,
        on_cancelled: Callable[[], None] | None = None,
    ) -> TaskHandle:
        """Queue the work; a newer task of the same kind supersedes an older one
        unless ``supersede`` is false (writes pass false). Callbacks run on the
        executor owner's thread (the UI thread)."""
        report = self._report
        if on_error is None and report is not None:

            def on_error(error: BaseException) -> None:
                report(error, kind)

        return self.executor.submit(
            kind,
            lambda control: work(self._open_workspace(), control),
            on_done=on_done,
            on_error=on_error,
            on_progress=on_progress,
            on_cancelled=on_cancelled,
            supersede=supersede,
        )
