"""Where the project's data files live: the ``resources/`` folder beside the code."""

from __future__ import annotations

from pathlib import Path

MAPPINGS_FOLDER = "mappings"


def resources_folder() -> Path:
    """The repository's ``resources/`` folder (mappings, demo configuration, icons)."""
    return Path(__file__).resolve().parents[1] / "resources"


def mapping_path(source: str) -> Path:
    """Where a source's kept column mapping would be: ``mappings/<source>.toml``."""
    return resources_folder() / MAPPINGS_FOLDER / f"{source}.toml"
