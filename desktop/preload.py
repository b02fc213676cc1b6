"""The chart modules (with pyqtgraph, slow to import), loaded early off the UI thread.

Importing pyqtgraph takes a few hundred milliseconds, nearly all of it Python code,
which a background thread runs while the UI thread keeps the GIL often enough to stay
responsive. Views ask ``when_charts_ready`` for a callback; it runs on the UI thread
once the modules are in, at once when they already are. Until then a view shows its
words without the chart. The UI thread never imports the chart modules itself while
the loader runs (it would wait on the import lock: the very stall this avoids).
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

CHART_MODULES = ("desktop.fan_chart", "desktop.monitoring_plots")


class _Relay(QObject):
    """Carries the loader's news to the thread that started it (the UI thread)."""

    loaded = Signal()


class _Loader:
    def __init__(self) -> None:
        self.ready = False
        self.thread: threading.Thread | None = None
        self.waiting: list[Callable[[], None]] = []
        self.relay: _Relay | None = None

    def start(self) -> None:
        if self.thread is not None:
            return
        self.relay = _Relay()
        self.relay.loaded.connect(self._deliver)
        self.thread = threading.Thread(
            target=self._load, name="chart-modules", daemon=True
        )
        self.thread.start()

    def _load(self) -> None:
        try:
            for name in CHART_MODULES:
                importlib.import_module(name)
        except Exception:
            # The views import again on the UI thread, where the error is reported.
            log.warning("could not load the chart modules ahead", exc_info=True)
        assert self.relay is not None
        self.relay.loaded.emit()

    def _deliver(self) -> None:
        self.ready = True
        waiting, self.waiting = self.waiting, []
        for callback in waiting:
            callback()


_loader = _Loader()


def charts_ready() -> bool:
    """Whether the chart modules are imported (a view may make its charts now)."""
    return _loader.ready


def start_loading_charts() -> None:
    """Begin importing the chart modules in the background (once)."""
    _loader.start()


def when_charts_ready(callback: Callable[[], None]) -> None:
    """Call ``callback`` on the UI thread once the chart modules are imported."""
    if _loader.ready:
        callback()
        return
    _loader.waiting.append(callback)
    _loader.start()
