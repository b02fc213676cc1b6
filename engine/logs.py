"""Logging, configured once at start-up: a rotating file in the platform log folder."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from engine.settings import log_folder

LOG_FILE_NAME = "fieldcast.log"
_configured: Path | None = None


def configure_logging(verbose: bool = False) -> Path:
    """Send fieldcast's log to a rotating file; returns the file's path.

    Console output is left to the commands themselves (they report with click), so the
    log never mixes with what a person reads on the terminal. Warnings from libraries
    are captured into the same file. Calling it again only changes the level.
    """
    global _configured
    root = logging.getLogger()
    level = logging.DEBUG if verbose else logging.INFO
    if _configured is not None:
        root.setLevel(level)
        return _configured

    folder = log_folder()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_FILE_NAME
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
    )
    handler.setFormatter(
        logging.Formatter(
            "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"
        )
    )
    root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(True)
    _configured = path
    return path
