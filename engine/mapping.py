"""Column mappings: how a data file's columns become units, months and variables.

A mapping is a small TOML file kept beside the data it describes (the project keeps its
own in ``resources/mappings/<source>.toml``). It names the unit column (with optional
code, group and part columns), the month in one of three forms (a ``YYYY-MM`` column,
year and month columns, or a VIEWS ``month_id`` column), the variables with their tag,
measure and whether they count events, the source's cadence, and whether ingest may
create units the workspace does not know yet. See ``resources/mappings/`` for examples.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from engine.errors import MappingError
from engine.resources import mapping_path

MonthForm = Literal["text", "year_month", "views_month_id"]
Tag = Literal["deterministic", "stochastic"]

SOURCE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
VARIABLE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
DELIMITERS = (",", ";", "\t", "|")


@dataclass(frozen=True)
class GroupRange:
    """Rows whose range column lies in ``first..last`` (inclusive) form ``group``."""

    first: float
    last: float
    group: str


@dataclass(frozen=True)
class UnitMapping:
    column: str
    code_column: str | None = None
    group_column: str | None = None
    group_range_column: str | None = None
    group_ranges: tuple[GroupRange, ...] = ()
    part_column: str | None = None
    kind: str = "country"
    create_unknown: bool = False

    def group_of(self, value: float) -> str | None:
        for item in self.group_ranges:
            if item.first <= value <= item.last:
                return item.group
        return None


@dataclass(frozen=True)
class MonthMapping:
    form: MonthForm
    columns: tuple[str, ...]


@dataclass(frozen=True)
class VariableMapping:
    name: str
    column: str
    tag: Tag
    measure: str
    is_count: bool
    description: str = ""


@dataclass(frozen=True)
class Mapping:
    """A parsed, checked mapping; ``source`` is the name it was loaded for."""

    source: str
    cadence_months: int
    description: str
    unit: UnitMapping
    month: MonthMapping
    variables: tuple[VariableMapping, ...]
    delimiter: str = ","
    encoding: str = "utf-8"
    outlier_threshold: float = 6.0
    outlier_min_scale: float = 1.0
    path: Path | None = None

    @property
    def required_columns(self) -> tuple[str, ...]:
        """Every column the file must have, in the order a person looks for them."""
        columns = [self.unit.column]
        for optional in (
            self.unit.code_column,
            self.unit.group_column,
            self.unit.group_range_column,
            self.unit.part_column,
        ):
            if optional:
                columns.append(optional)
        columns.extend(self.month.columns)
        columns.extend(variable.column for variable in self.variables)
        return tuple(dict.fromkeys(columns))

    @property
    def numeric_columns(self) -> tuple[str, ...]:
        """Columns that must hold numbers."""
        columns = [variable.column for variable in self.variables]
        if self.month.form != "text":
            columns.extend(self.month.columns)
        if self.unit.group_range_column:
            columns.append(self.unit.group_range_column)
        return tuple(dict.fromkeys(columns))


def check_source_name(source: str) -> str:
    """The source name if it is plain enough for a file name, else a MappingError."""
    if not SOURCE_NAME.match(source):
        raise MappingError(
            f"'{source}' is not a usable source name: use letters, digits, '_', '-' "
            "or '.', starting with a letter or digit, at most 64 characters."
        )
    return source


def find_mapping(source: str, explicit: Path | str | None = None) -> Mapping:
    """The mapping named on the command line, else the project's kept one for source."""
    check_source_name(source)
    if explicit is not None:
        return load_mapping(Path(explicit), source)
    kept = mapping_path(source)
    if not kept.exists():
        raise MappingError(
            f"There is no column mapping for the source '{source}'. Pass one with "
            f"--mapping MAPPING.toml, or add it as {kept} (see the other files in "
            "that folder for the format)."
        )
    return load_mapping(kept, source)


def load_mapping(path: Path, source: str) -> Mapping:
    """Read and check a mapping file; every problem names the key to fix."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise MappingError(f"The mapping file {path} does not exist.") from err
    except (OSError, UnicodeDecodeError) as err:
        raise MappingError(f"Cannot read the mapping file {path}: {err}.") from err
    except tomllib.TOMLDecodeError as err:
        raise MappingError(
            f"The mapping file {path} is not valid TOML ({err}). Fix it and retry."
        ) from err
    try:
        return _parse(raw, source, path)
    except MappingError as err:
        raise MappingError(f"In the mapping {path}: {err}") from err


def _parse(raw: dict[str, Any], source: str, path: Path) -> Mapping:
    source_table = _table(raw, "source")
    declared = source_table.get("name")
    if declared is not None and declared != source:
        raise MappingError(
            f"it is written for the source '{declared}', not '{source}'. Use "
            f"--source {declared}, or the mapping meant for '{source}'."
        )
    cadence = source_table.get("cadence_months", 1)
    if not isinstance(cadence, int) or isinstance(cadence, bool) or cadence < 1:
        raise MappingError("[source] cadence_months must be a whole number of months.")

    file_table = raw.get("file", {})
    delimiter = _text(file_table, "delimiter", default=",")
    if delimiter not in DELIMITERS:
        raise MappingError(
            f"[file] delimiter must be one of {', '.join(map(repr, DELIMITERS))}."
        )
    encoding = _text(file_table, "encoding", default="utf-8")
    try:
        "".encode(encoding)
    except LookupError as err:
        raise MappingError(f"[file] encoding '{encoding}' is not known.") from err

    outliers = raw.get("outliers", {})
    threshold = float(outliers.get("threshold", 6.0))
    min_scale = float(outliers.get("min_scale", 1.0))
    if threshold <= 0 or min_scale <= 0:
        raise MappingError("[outliers] threshold and min_scale must be positive.")

    return Mapping(
        source=source,
        cadence_months=cadence,
        description=_text(source_table, "description", default=""),
        unit=_unit(_table(raw, "unit")),
        month=_month(_table(raw, "month")),
        variables=_variables(raw.get("variables")),
        delimiter=delimiter,
        encoding=encoding,
        outlier_threshold=threshold,
        outlier_min_scale=min_scale,
        path=path,
    )


def _unit(table: dict[str, Any]) -> UnitMapping:
    ranges_table = table.get("group_from_ranges")
    range_column = None
    ranges: list[GroupRange] = []
    if ranges_table is not None:
        range_column = _text(ranges_table, "column")
        for number, item in enumerate(ranges_table.get("ranges", []), start=1):
            try:
                first, last = float(item["first"]), float(item["last"])
                group = str(item["group"])
            except (KeyError, TypeError, ValueError) as err:
                raise MappingError(
                    f"[unit.group_from_ranges] range {number} needs first, last and "
                    "group."
                ) from err
            if first > last:
                raise MappingError(
                    f"[unit.group_from_ranges] range {number} ends before it starts."
                )
            ranges.append(GroupRange(first, last, group))
        if not ranges:
            raise MappingError("[unit.group_from_ranges] lists no ranges.")
    if ranges_table is not None and table.get("group_column"):
        raise MappingError(
            "[unit] takes either group_column or group_from_ranges, not both."
        )
    create_unknown = table.get("create_unknown", False)
    if not isinstance(create_unknown, bool):
        raise MappingError("[unit] create_unknown must be true or false.")
    return UnitMapping(
        column=_text(table, "column"),
        code_column=_text(table, "code_column", default=None),
        group_column=_text(table, "group_column", default=None),
        group_range_column=range_column,
        group_ranges=tuple(ranges),
        part_column=_text(table, "part_column", default=None),
        kind=_text(table, "kind", default="country"),
        create_unknown=create_unknown,
    )


def _month(table: dict[str, Any]) -> MonthMapping:
    forms: list[MonthMapping] = []
    if "column" in table:
        forms.append(MonthMapping("text", (_text(table, "column"),)))
    if "year_column" in table or "month_column" in table:
        forms.append(
            MonthMapping(
                "year_month",
                (_text(table, "year_column"), _text(table, "month_column")),
            )
        )
    if "views_month_id" in table:
        forms.append(MonthMapping("views_month_id", (_text(table, "views_month_id"),)))
    if len(forms) != 1:
        raise MappingError(
            "[month] needs exactly one of: column (YYYY-MM text), year_column and "
            "month_column, or views_month_id."
        )
    return forms[0]


def _variables(items: Any) -> tuple[VariableMapping, ...]:
    if not isinstance(items, list) or not items:
        raise MappingError("it maps no variables; add at least one [[variables]].")
    variables: list[VariableMapping] = []
    for number, item in enumerate(items, start=1):
        where = f"[[variables]] number {number}"
        name = _text(item, "name")
        if not VARIABLE_NAME.match(name):
            raise MappingError(
                f"{where}: '{name}' is not a usable variable name (lower-case letters, "
                "digits and '_', starting with a letter)."
            )
        tag = _text(item, "tag")
        if tag not in ("deterministic", "stochastic"):
            raise MappingError(f"{where}: tag must be deterministic or stochastic.")
        is_count = item.get("is_count", False)
        if not isinstance(is_count, bool):
            raise MappingError(f"{where}: is_count must be true or false.")
        variables.append(
            VariableMapping(
                name=name,
                column=_text(item, "column"),
                tag=tag,
                measure=_text(item, "measure"),
                is_count=is_count,
                description=_text(item, "description", default=""),
            )
        )
    names = [variable.name for variable in variables]
    if len(set(names)) != len(names):
        raise MappingError("a variable name is mapped twice.")
    columns = [variable.column for variable in variables]
    if len(set(columns)) != len(columns):
        raise MappingError("one column is mapped to two variables.")
    return tuple(variables)


def _table(raw: dict[str, Any], key: str) -> dict[str, Any]:
    table = raw.get(key)
    if not isinstance(table, dict):
        raise MappingError(f"the [{key}] table is missing.")
    return table


_REQUIRED = object()


def _text(table: dict[str, Any], key: str, default: Any = _REQUIRED) -> Any:
    if key not in table:
        if default is _REQUIRED:
            raise MappingError(f"the key '{key}' is missing.")
        return default
    value = table[key]
    if not isinstance(value, str) or not value:
        raise MappingError(f"the key '{key}' must be non-empty text.")
    return value
