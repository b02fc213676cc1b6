"""The dialogs' ``Submit`` for tests: a workspace behind a real serial executor."""

from __future__ import annotations

from typing import Any

from desktop.tasks import SerialExecutor, TaskHandle, WorkspaceTasks
from engine.workspace import Workspace


class WorkspaceRunner(WorkspaceTasks):
    """The dialogs' ``Submit`` on a serial executor, as ``WorkspaceService.call``.

    ``kinds`` lists the kinds of the tasks submitted, in order.
    """

    def __init__(self, workspace: Workspace, executor: SerialExecutor) -> None:
        super().__init__(executor, lambda: workspace)
        self.workspace = workspace
        self.kinds: list[str] = []

    def __call__(self, kind: str, *args: Any, **options: Any) -> TaskHandle:
        self.kinds.append(kind)
        return super().__call__(kind, *args, **options)

    def wait_idle(self, qtbot: Any, timeout: int = 10_000) -> None:
        qtbot.waitUntil(lambda: not self.executor.busy, timeout=timeout)
