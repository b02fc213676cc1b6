"""Shared test set-up: offscreen Qt, a private fieldcast home, the real data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Set before anything imports Qt: no real screen (Xvfb tests set DISPLAY).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
UCDP_FILE = SHARED_DATA / "ucdp_ged_cm.csv"


@pytest.fixture(autouse=True)
def private_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
):
    """Each test gets its own fieldcast home: real settings and workspace untouched."""
    home = tmp_path_factory.mktemp("fieldcast-home")
    monkeypatch.setenv("FIELDCAST_HOME", str(home))
    monkeypatch.delenv("FIELDCAST_WORKSPACE", raising=False)
    monkeypatch.delenv("FIELDCAST_LOG_DIR", raising=False)
    return home


@pytest.fixture
def ucdp_file() -> Path:
    """The real UCDP GED country-month file, or a skip saying why it is absent."""
    if not UCDP_FILE.exists():
        pytest.skip(
            f"real UCDP data not found at {UCDP_FILE} (../shared/data is absent)"
        )
    return UCDP_FILE
