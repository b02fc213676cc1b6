"""GUI test set-up: every test is marked ``gui`` and must leave no thread or timer.

``no_leftover_threads_or_timers`` fails a test that ends with a ``QThread`` still
running or a ``QTimer`` still active (a dialog that forgot to stop its work). The
``runner`` fixture is the dialogs' ``Submit`` over a real ``SerialExecutor`` and a
workspace in ``tmp_path``.
"""

from __future__ import annotations

import gc

import pytest
from dialog_support import WorkspaceRunner
from PySide6.QtCore import QThread, QTimer

from desktop.tasks import SerialExecutor
from engine.workspace import Workspace


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/gui/" in item.nodeid.replace("\\", "/"):
            item.add_marker(pytest.mark.gui)


def _running_threads() -> list[QThread]:
    gc.unfreeze()  # the window freezes what it loaded; list those objects too
    return [
        thing
        for thing in gc.get_objects()
        if isinstance(thing, QThread) and _alive(thing.isRunning)
    ]


def _active_timers() -> list[QTimer]:
    gc.unfreeze()
    return [
        thing
        for thing in gc.get_objects()
        if isinstance(thing, QTimer) and _alive(thing.isActive)
    ]


def _alive(check) -> bool:
    try:
        return bool(check())
    except RuntimeError:  # the C++ object is already gone
        return False


@pytest.fixture(autouse=True)
def no_leftover_threads_or_timers(qtbot):
    """Fail the test if it leaves a QThread running or a QTimer active."""
    threads_before = set(map(id, _running_threads()))
    timers_before = set(map(id, _active_timers()))
    yield
    qtbot.wait(1)  # let queued deletions and finished signals land
    threads = [t for t in _running_threads() if id(t) not in threads_before]
    timers = [t for t in _active_timers() if id(t) not in timers_before]
    problems = [f"thread {t.objectName() or t!r} still running" for t in threads]
    problems += [f"timer {t.objectName() or t!r} still active" for t in timers]
    if problems:
        pytest.fail("left behind: " + "; ".join(problems))


@pytest.fixture
def workspace(tmp_path):
    with Workspace.open(tmp_path / "workspace") as workspace:
        yield workspace


@pytest.fixture
def runner(qtbot, workspace):
    executor = SerialExecutor("workspace-test")
    yield WorkspaceRunner(workspace, executor)
    assert executor.shutdown(10_000)
