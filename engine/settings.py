"""Where fieldcast keeps things on this machine, bound to the application name once.

Every path can be overridden by an environment variable, so tests and scripts never
touch a person's real workspace or settings: ``FIELDCAST_HOME`` moves everything
under one folder; ``FIELDCAST_WORKSPACE`` and ``FIELDCAST_LOG_DIR`` move one thing each.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "fieldcast"
APP_AUTHOR = "fieldcast"


def _home() -> Path | None:
    home = os.environ.get("FIELDCAST_HOME")
    return Path(home).expanduser() if home else None


def default_workspace() -> Path:
    """The workspace used when none is named: platformdirs' user data folder."""
    if explicit := os.environ.get("FIELDCAST_WORKSPACE"):
        return Path(explicit).expanduser()
    if home := _home():
        return home / "workspace"
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR)) / "workspace"


def log_folder() -> Path:
    """Where the rotating log file lives: platformdirs' user log folder."""
    if explicit := os.environ.get("FIELDCAST_LOG_DIR"):
        return Path(explicit).expanduser()
    if home := _home():
        return home / "logs"
    return Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR))


def config_folder() -> Path:
    """Where settings live: platformdirs' user config folder."""
    if home := _home():
        return home / "config"
    return Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR))


def default_demo_workspace() -> Path:
    """The demo's workspace: a ``demo`` folder beside the default workspace."""
    return default_workspace().parent / "demo"
