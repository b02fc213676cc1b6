"""The desktop's typed, versioned settings, kept in a JSON file in the config folder.

The file is ``desktop.json`` in ``engine.settings.config_folder()`` (which
``FIELDCAST_HOME`` moves, so tests never touch a person's real settings);
``FIELDCAST_DESKTOP_SETTINGS`` names another file. A missing or unreadable file gives
the defaults, with a warning in the log; writes are atomic.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.settings import config_folder

log = logging.getLogger(__name__)

SETTINGS_VERSION = 1
FILE_NAME = "desktop.json"


@dataclass(frozen=True)
class AlertThresholds:
    """When a forecast raises an alert, on its point forecast or its probability.

    A unit's level is the higher of the two judgements: *elevated* from
    ``elevated_fatalities`` or ``elevated_probability``, *high* from
    ``high_fatalities`` or ``high_probability``.
    """

    elevated_fatalities: float = 10.0
    high_fatalities: float = 100.0
    elevated_probability: float = 0.5
    high_probability: float = 0.9


@dataclass(frozen=True)
class DesktopSettings:
    """What a person may tune in the window; everything else is the bundle's call."""

    alerts: AlertThresholds = AlertThresholds()
    bundle_expiry_warning_days: int = 30
    default_horizon: int = 1
    history_months_shown: int = 60
    version: int = SETTINGS_VERSION

    def with_changes(self, **changes: Any) -> DesktopSettings:
        return dataclasses.replace(self, **changes)


def settings_path() -> Path:
    if explicit := os.environ.get("FIELDCAST_DESKTOP_SETTINGS"):
        return Path(explicit).expanduser()
    return config_folder() / FILE_NAME


def load_settings(path: Path | None = None) -> DesktopSettings:
    """The saved settings, or the defaults where the file is missing or unreadable."""
    path = path or settings_path()
    if not path.exists():
        return DesktopSettings()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return _from_dict(data)
    except (OSError, ValueError, TypeError, KeyError) as err:
        log.warning("settings file %s unreadable; using defaults: %s", path, err)
        return DesktopSettings()


def save_settings(settings: DesktopSettings, path: Path | None = None) -> Path:
    """Write the settings atomically (a temporary file, then a rename)."""
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(dataclasses.asdict(settings), indent=2, sort_keys=True) + "\n"
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".desktop-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _from_dict(data: dict[str, Any]) -> DesktopSettings:
    version = int(data.get("version", 0))
    if version > SETTINGS_VERSION:
        raise ValueError(f"settings version {version} is newer than this fieldcast")
    # Version 1 is the first; later versions migrate here, step by step.
    alerts = AlertThresholds(
        **{
            key: float(value)
            for key, value in data.get("alerts", {}).items()
            if key in AlertThresholds.__dataclass_fields__
        }
    )
    if not (
        0 <= alerts.elevated_fatalities <= alerts.high_fatalities
        and 0 <= alerts.elevated_probability <= alerts.high_probability <= 1
    ):
        raise ValueError("alert thresholds must be ordered: elevated, then high")
    defaults = DesktopSettings()
    return DesktopSettings(
        alerts=alerts,
        bundle_expiry_warning_days=max(
            0,
            int(
                data.get(
                    "bundle_expiry_warning_days", defaults.bundle_expiry_warning_days
                )
            ),
        ),
        default_horizon=int(data.get("default_horizon", defaults.default_horizon)),
        history_months_shown=int(
            data.get("history_months_shown", defaults.history_months_shown)
        ),
    )
