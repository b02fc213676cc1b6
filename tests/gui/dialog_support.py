"""The dialogs' ``Submit`` for tests: a workspace behind a real serial executor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from desktop.tasks import SerialExecutor, TaskControl, TaskHandle
from engine.workspace import Workspace


class WorkspaceRunner:
    """The dialogs' ``Submit`` on a serial executor, as ``WorkspaceService.call``."""

    def __init__(self, workspace: Workspace, executor: SerialExecutor) -> None:
        self.workspace = workspace
        self.executor = executor
        self.kinds: list[str] = []

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
        self.kinds.append(kind)
        return self.executor.submit(
            kind,
            lambda control: work(self.workspace, control),
            on_done=on_done,
            on_error=on_error,
            on_progress=on_progress,
            on_cancelled=on_cancelled,
            supersede=supersede,
        )

    def wait_idle(self, qtbot: Any, timeout: int = 10_000) -> None:
        qtbot.waitUntil(lambda: not self.executor.busy, timeout=timeout)
