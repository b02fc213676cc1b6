"""Helpers for the ingest tests: a small mapping, CSV writers and a workspace dump."""

from __future__ import annotations

from pathlib import Path

from engine.mapping import Mapping, load_mapping
from engine.workspace import Workspace

SOURCE = "field-reports"

MAPPING_TEXT = """
[source]
cadence_months = 1
description = "test reports"

[unit]
column = "unit"
code_column = "code"
group_column = "region"
create_unknown = true

[month]
column = "month"

[[variables]]
name = "deaths"
column = "deaths"
tag = "stochastic"
measure = "deaths"
is_count = true
"""

HEADER = "unit,code,region,month,deaths\n"


def write_mapping(folder: Path, text: str = MAPPING_TEXT, name: str = "m.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def mapping(folder: Path, text: str = MAPPING_TEXT) -> Mapping:
    return load_mapping(write_mapping(folder, text), SOURCE)


def series_rows(
    units: dict[str, list[float]], first_year: int = 2020, first_month: int = 1
) -> str:
    """CSV rows (no header) for each unit's consecutive monthly values."""
    lines = []
    for name, values in units.items():
        for offset, value in enumerate(values):
            index = first_year * 12 + first_month - 1 + offset
            month = f"{index // 12:04d}-{index % 12 + 1:02d}"
            lines.append(f"{name},{name[:3].upper()},North,{month},{value:g}\n")
    return "".join(lines)


def write_csv(folder: Path, body: str, name: str = "data.csv") -> Path:
    path = folder / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def dump(workspace: Workspace, skip: tuple[str, ...] = ()) -> list[str]:
    """Every statement of a full SQL dump, leaving out rows of the named tables."""
    prefixes = tuple(f'INSERT INTO "{table}"' for table in skip)
    return [
        line for line in workspace.db.conn.iterdump() if not line.startswith(prefixes)
    ]
