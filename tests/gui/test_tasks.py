"""The serial executor: order, supersession, cancellation, errors, progress, threads."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QThreadPool

from desktop.tasks import SerialExecutor, TaskCancelled


@pytest.fixture(autouse=True)
def no_pool_threads(qtbot):
    """Nothing here may leave work in Qt's global thread pool."""
    yield
    assert QThreadPool.globalInstance().activeThreadCount() == 0


@pytest.fixture
def executor(qtbot):
    executor = SerialExecutor("test")
    yield executor
    assert executor.shutdown(10_000)
    assert not executor.running


def test_results_arrive_on_the_ui_thread_and_work_runs_off_it(qtbot, executor):
    seen = {}

    def work(_control):
        seen["worker"] = threading.current_thread()
        return 42

    def done(result):
        seen["result"] = result
        seen["callback"] = threading.current_thread()

    executor.submit("answer", work, on_done=done)
    qtbot.waitUntil(lambda: "result" in seen)
    assert seen["result"] == 42
    assert seen["callback"] is threading.main_thread()
    assert seen["worker"] is not threading.main_thread()


def test_tasks_run_in_the_order_they_were_submitted(qtbot, executor):
    order = []
    for number in range(5):
        executor.submit(f"kind{number}", lambda _c, n=number: n, on_done=order.append)
    qtbot.waitUntil(lambda: len(order) == 5)
    assert order == [0, 1, 2, 3, 4]


def test_a_newer_request_of_the_same_kind_supersedes_an_older_one(qtbot, executor):
    release = threading.Event()
    started = threading.Event()
    delivered, cancelled = [], []

    def slow(_control):
        started.set()
        release.wait(5)
        return "old"

    executor.submit("unit", slow, on_done=delivered.append,
                    on_cancelled=lambda: cancelled.append("old"))  # fmt: skip
    started.wait(5)
    queued_ran = []
    executor.submit(
        "unit",
        lambda _c: queued_ran.append(1) or "middle",
        on_done=delivered.append,
        on_cancelled=lambda: cancelled.append("middle"),
    )
    executor.submit("unit", lambda _c: "new", on_done=delivered.append)
    release.set()
    qtbot.waitUntil(lambda: not executor.busy)
    assert delivered == ["new"]
    assert sorted(cancelled) == ["middle", "old"]
    assert queued_ran == []  # a superseded task that had not started never runs


def test_tasks_of_other_kinds_are_not_superseded(qtbot, executor):
    delivered = []
    executor.submit("overview", lambda _c: "overview", on_done=delivered.append)
    executor.submit("run", lambda _c: "run", on_done=delivered.append)
    qtbot.waitUntil(lambda: not executor.busy)
    assert delivered == ["overview", "run"]


def test_a_cancelled_task_stops_at_its_next_check(qtbot, executor):
    started = threading.Event()
    steps = []
    ended = []

    def long(control):
        started.set()
        for step in range(10_000):
            control.check()
            steps.append(step)
            threading.Event().wait(0.001)
        return "finished"

    handle = executor.submit(
        "forecast",
        long,
        on_done=ended.append,
        on_cancelled=lambda: ended.append("cancelled"),
    )
    started.wait(5)
    handle.cancel()
    qtbot.waitUntil(lambda: ended == ["cancelled"])
    assert len(steps) < 10_000


def test_errors_reach_the_error_callback(qtbot, executor):
    errors = []
    executor.submit("boom", lambda _c: 1 / 0, on_error=errors.append)
    qtbot.waitUntil(lambda: bool(errors))
    assert isinstance(errors[0], ZeroDivisionError)


def test_progress_reaches_the_ui_thread(qtbot, executor):
    reports = []

    def work(control):
        control.progress(0.0, "start")
        control._last_report = 0.0  # make the next report due at once
        control.progress(0.5, "half")
        control.progress(1.0, "done")
        return None

    with qtbot.waitSignal(executor.busy_changed, check_params_cb=lambda b: not b):
        executor.submit("p", work, on_progress=lambda f, m: reports.append((f, m)))
    assert reports[0] == (0.0, "start")
    assert reports[-1] == (1.0, "done")


def test_busy_changes_when_work_starts_and_ends(qtbot, executor):
    states = []
    executor.busy_changed.connect(states.append)
    executor.submit("a", lambda _c: None)
    qtbot.waitUntil(lambda: states == [True, False])


def test_task_cancelled_is_not_reported_as_an_error(qtbot, executor):
    errors, cancelled = [], []

    def work(_control):
        raise TaskCancelled

    executor.submit(
        "x", work, on_error=errors.append, on_cancelled=lambda: cancelled.append(1)
    )
    qtbot.waitUntil(lambda: bool(cancelled))
    assert errors == []


def test_shutdown_stops_the_thread_and_refuses_new_work(qtbot):
    executor = SerialExecutor("short-lived")
    assert executor.running
    assert executor.shutdown(5_000)
    assert not executor.running
    with pytest.raises(RuntimeError):
        executor.submit("late", lambda _c: None)
