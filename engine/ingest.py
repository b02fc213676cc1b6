"""Ingest: check a data file against its mapping and take it into the workspace.

The whole file is checked in one pass before anything is written, and every problem is
reported with its line numbers (a few per rule, then a count). A file with errors is
rejected: the observation tables, units, variables, coverage and time floor are left
exactly as they were, and only the rejection itself is recorded as a batch with status
``rejected`` (creating the source's row if the workspace did not know it yet). A file
already taken (same source, same sha256) changes nothing. A file that changes values
already held is taken as a new vintage: the old values are kept in
``observation_revisions`` and the changes are reported, never silently overwritten.

Line numbers count the header as line 1; a quoted field that spans lines shifts them.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import itertools
import json
import logging
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from engine.errors import IngestError
from engine.mapping import DELIMITERS, Mapping, find_mapping
from engine.months import (
    VIEWS_MONTH_ID_ORIGIN,
    first_day,
    format_month,
    month_name,
    of_date,
)
from engine.series import refresh_series
from engine.workspace import Workspace, timestamp, utc_now

log = logging.getLogger(__name__)

MAX_LISTED = 20  # lines listed per rule; the rest are counted
MAX_EXAMPLES = 10  # changes and outliers shown in a report
MAX_FILE_BYTES = 2 * 1024**3
MAX_LINE_BYTES = 10_000  # a longer line means a broken or hostile file
MAX_NAME_CHARS = 200  # unit names, codes and groups
EARLIEST_YEAR = 1900
FORMULA_START = re.compile(r"^[=+\-@\t\r]")
MONTH_TEXT = r"^(\d{4})-(\d{1,2})$"
MAD_TO_SD = 1.4826  # the MAD of a normal distribution times this is its sd

# File signatures of things people save by mistake instead of a CSV.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a zip archive or an Excel workbook (.xlsx)"),
    (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls)"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x89PNG", "a PNG image"),
)
PARQUET_MAGIC = b"PAR1"

Severity = Literal["error", "warning"]
Status = Literal["accepted", "rejected", "unchanged"]


class IngestRejected(IngestError):
    """The file failed its checks; ``report`` holds every finding."""

    def __init__(self, report: IngestReport) -> None:
        self.report = report
        super().__init__("\n".join(report.describe()))


@dataclass(frozen=True)
class Finding:
    """One rule's result: what is wrong, where (first lines), how often."""

    rule: str
    severity: Severity
    message: str
    lines: tuple[int, ...] = ()
    count: int = 0

    def describe(self, where: str = "line") -> str:
        text = f"{self.severity}: {self.message}"
        if self.lines:
            shown = ", ".join(str(line) for line in self.lines)
            more = self.count - len(self.lines)
            plural = "s" if self.count > 1 else ""
            text += f" ({where}{plural} {shown}"
            text += f" and {more:,} more)" if more > 0 else ")"
        return text


@dataclass(frozen=True)
class Change:
    unit: str
    month: str
    variable: str
    old: float
    new: float


@dataclass(frozen=True)
class Outlier:
    line: int
    unit: str
    month: str
    variable: str
    value: float
    score: float


@dataclass
class IngestReport:
    """What an ingest did or would have done; stored as JSON with its batch."""

    file: str
    source: str
    sha256: str
    status: Status = "rejected"
    message: str = ""
    batch_id: int | None = None
    vintage: int | None = None
    rows_read: int = 0
    rows_accepted: int = 0
    units_created: int = 0
    values_new: int = 0
    values_changed: int = 0
    values_unchanged: int = 0
    first_month: str | None = None
    last_month: str | None = None
    changes: list[Change] = field(default_factory=list)
    outliers: list[Outlier] = field(default_factory=list)
    outlier_count: int = 0
    findings: list[Finding] = field(default_factory=list)
    where: str = "line"

    @property
    def errors(self) -> list[Finding]:
        return [item for item in self.findings if item.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [item for item in self.findings if item.severity == "warning"]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> list[str]:
        """The report as lines a person reads (the CLI and the import dialog)."""
        lines: list[str] = []
        if self.status == "rejected":
            lines.append(
                f"Rejected {self.file} for source {self.source}: "
                f"{len(self.errors)} problem(s) found. No data was changed; the "
                "rejection is recorded."
            )
        elif self.status == "unchanged":
            lines.append(f"{self.file}: {self.message}")
        else:
            lines.append(
                f"Imported {self.file} as batch {self.batch_id}, vintage "
                f"{self.vintage} of {self.source}: {self.rows_accepted:,} rows, "
                f"{self.first_month} to {self.last_month}."
            )
            lines.append(
                f"  {self.values_new:,} new values, {self.values_changed:,} changed, "
                f"{self.values_unchanged:,} unchanged; {self.units_created} new units."
            )
        lines.extend(f"  {item.describe(self.where)}" for item in self.findings)
        if self.values_changed:
            lines.append(
                f"  {self.values_changed:,} values differ from what the workspace "
                "held; the old values are kept as revisions. Largest changes:"
            )
            lines.extend(
                f"    {c.unit} {c.month} {c.variable}: {c.old:g} -> {c.new:g}"
                for c in self.changes
            )
        if self.outlier_count:
            lines.append(
                f"  {self.outlier_count:,} values are unusual for their unit "
                "(flagged, not dropped), for example:"
            )
            lines.extend(
                f"    {self.where} {o.line}: {o.unit} {o.month} {o.variable} = "
                f"{o.value:g} (robust z {o.score:.1f})"
                for o in self.outliers
            )
        return lines


# The entry point ---------------------------------------------------------------------


def ingest_file(
    workspace: Workspace,
    path: Path | str,
    source: str,
    mapping: Mapping | Path | str | None = None,
    *,
    person: str = "unknown",
    now: dt.datetime | None = None,
) -> IngestReport:
    """Check ``path`` and take it into ``workspace`` as a batch of ``source``.

    Returns the report of an accepted or unchanged file; raises ``IngestRejected``
    (with the report) when the file fails its checks, and ``IngestError`` when it
    cannot be read at all.
    """
    path = Path(path)
    if not isinstance(mapping, Mapping):
        mapping = find_mapping(source, mapping)
    data = _read_bytes(path)
    report = IngestReport(
        file=path.name, source=source, sha256=hashlib.sha256(data).hexdigest()
    )

    earlier = workspace.query(
        "SELECT id, vintage, created_at FROM batches WHERE source = ? AND sha256 = ? "
        "AND status = 'accepted' ORDER BY id DESC LIMIT 1",
        (source, report.sha256),
    )
    if earlier:
        report.status = "unchanged"
        report.batch_id = earlier[0]["id"]
        report.vintage = earlier[0]["vintage"]
        report.message = (
            f"this exact file was already imported as batch {earlier[0]['id']} "
            f"(vintage {earlier[0]['vintage']} of {source}, on "
            f"{earlier[0]['created_at']}); nothing changed."
        )
        log.info("ingest of %s skipped: identical to batch %s", path, earlier[0]["id"])
        return report

    floor = workspace.time_floor()
    clock = now or utc_now()
    current_month = of_date(max(clock, floor) if floor else clock)

    table = _parse_file(data, path, mapping, report)
    rows = None
    if table is not None:
        rows = _check_rows(table, mapping, workspace, current_month, report)
    if rows is not None:
        _check_variables(workspace, mapping, report)
    _check_truncation(data, report)
    if report.errors or rows is None:
        _record_rejection(workspace, mapping, report, path, person)
        log.warning(
            "rejected %s for %s: %s", path, source, [f.rule for f in report.errors]
        )
        raise IngestRejected(report)

    _take(workspace, rows, mapping, report, path, person)
    return report


# Reading and file-level checks -------------------------------------------------------


def _check_truncation(data: bytes, report: IngestReport) -> None:
    """Name the likely cause when the last line is broken and has no line break."""
    if report.where != "line" or not data.strip() or data.endswith(b"\n"):
        return
    last_line = data.count(b"\n") + 1
    if any(last_line in finding.lines for finding in report.errors):
        report.findings.append(
            Finding(
                "truncated",
                "error",
                "The file ends in the middle of a line: it looks cut off. Copy or "
                "export it again.",
                (last_line,),
                1,
            )
        )


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise IngestError(
                f"{path.name} is {size / 1024**3:.1f} GB, more than fieldcast takes "
                f"in one file ({MAX_FILE_BYTES / 1024**3:.0f} GB). Split it by year."
            )
        return path.read_bytes()
    except FileNotFoundError as err:
        raise IngestError(f"There is no file {path}. Check the name.") from err
    except IsADirectoryError as err:
        raise IngestError(f"{path} is a folder; name a data file.") from err
    except OSError as err:
        raise IngestError(f"Cannot read {path}: {err}.") from err


def _parse_file(
    data: bytes, path: Path, mapping: Mapping, report: IngestReport
) -> pd.DataFrame | None:
    """The file as a table of text (CSV) or typed columns (Parquet), or None."""
    findings = report.findings
    if not data.strip():
        findings.append(
            Finding(
                "empty", "error", "The file is empty: it holds no header and no rows."
            )
        )
        return None
    if data.startswith(PARQUET_MAGIC) or path.suffix.lower() in (".parquet", ".pq"):
        report.where = "row"
        return _parse_parquet(path, mapping, report)
    for signature, what in SIGNATURES:
        if data.startswith(signature):
            findings.append(
                Finding(
                    "binary",
                    "error",
                    f"The file is {what}, not a CSV text file. Export the data as CSV "
                    "(comma-separated, UTF-8) and import that.",
                )
            )
            return None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        findings.append(
            Finding(
                "encoding",
                "error",
                "The file is saved as UTF-16; save it as UTF-8 (in a spreadsheet: "
                "'CSV UTF-8') and import it again.",
            )
        )
        return None
    if b"\x00" in data:
        first = data.index(b"\x00")
        findings.append(
            Finding(
                "binary",
                "error",
                "The file holds binary data (NUL bytes), not CSV text. Check that "
                "you picked the right file.",
                (data.count(b"\n", 0, first) + 1,),
                data.count(b"\x00"),
            )
        )
        return None

    text = _decode(data, mapping, report)
    _check_line_lengths(data, report)
    if text is None or report.errors:
        return None
    return _parse_csv(text, mapping, report)


def _decode(data: bytes, mapping: Mapping, report: IngestReport) -> str | None:
    encoding = "utf-8-sig" if mapping.encoding.lower() in ("utf-8", "utf8") else None
    try:
        return data.decode(encoding or mapping.encoding)
    except UnicodeDecodeError:
        pass
    # Only on the error path: find which lines hold the bad bytes.
    bad_lines = [
        number
        for number, line in enumerate(data.split(b"\n"), start=1)
        if not _decodes(line, mapping.encoding)
    ]
    report.findings.append(
        Finding(
            "encoding",
            "error",
            f"The file is not valid {mapping.encoding} text (perhaps saved as Latin-1 "
            "or Windows-1252). Save it as UTF-8, or set encoding under [file] in the "
            "mapping.",
            tuple(bad_lines[:MAX_LISTED]),
            len(bad_lines),
        )
    )
    return None


def _decodes(line: bytes, encoding: str) -> bool:
    try:
        line.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _check_line_lengths(data: bytes, report: IngestReport) -> None:
    raw = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(raw == 10)
    bounds = np.concatenate(([-1], ends, [len(raw)]))
    lengths = np.diff(bounds) - 1
    long_lines = np.flatnonzero(lengths > MAX_LINE_BYTES) + 1
    if len(long_lines):
        report.findings.append(
            Finding(
                "field_size",
                "error",
                f"Some lines are longer than {MAX_LINE_BYTES:,} bytes: a field is far "
                "too large for a data file (broken export or a hostile file).",
                tuple(int(line) for line in long_lines[:MAX_LISTED]),
                len(long_lines),
            )
        )


def _parse_csv(
    text: str, mapping: Mapping, report: IngestReport
) -> pd.DataFrame | None:
    header_line = text.split("\n", 1)[0].rstrip("\r")
    header = _split_header(header_line, mapping.delimiter)
    required = mapping.required_columns
    missing = [column for column in required if column not in header]
    if missing:
        for other in DELIMITERS:
            if other != mapping.delimiter and all(
                column in _split_header(header_line, other) for column in required
            ):
                report.findings.append(
                    Finding(
                        "delimiter",
                        "error",
                        f"The file separates its columns with {other!r}, but the "
                        f"mapping expects {mapping.delimiter!r}. Save it with "
                        f"{mapping.delimiter!r} or set delimiter under [file] in the "
                        "mapping.",
                        (1,),
                        1,
                    )
                )
                return None
        found = ", ".join(repr(name) for name in header[:12])
        report.findings.append(
            Finding(
                "required_columns",
                "error",
                f"Required columns are missing: {', '.join(missing)}. The header on "
                f"line 1 has {found}{' ...' if len(header) > 12 else ''}. Rename the "
                "columns or fix the mapping.",
                (1,),
                1,
            )
        )
        return None
    repeated = [name for name, count in Counter(header).items() if count > 1]
    if any(name in required for name in repeated):
        report.findings.append(
            Finding(
                "required_columns",
                "error",
                f"Columns appear twice in the header: {', '.join(repeated)}.",
                (1,),
                1,
            )
        )
        return None

    names = _unique_names(header)
    options: dict[str, Any] = {
        "sep": mapping.delimiter,
        "keep_default_na": False,
        "na_filter": False,
        "skip_blank_lines": False,
        "header": 0,
        "names": names,
        "engine": "c",
    }
    # Fast path: numeric columns parsed as numbers in C. Any empty field or text in
    # them raises, and the file is read again as text so each cell can be judged.
    text_roles = {
        mapping.unit.column,
        mapping.unit.code_column,
        mapping.unit.group_column,
        mapping.unit.part_column,
    }
    numeric = {
        column: "float64"
        for column in mapping.numeric_columns
        if column not in text_roles
    }
    typed = {name: numeric.get(name, object) for name in names}
    try:
        try:
            table = pd.read_csv(io.StringIO(text), dtype=typed, **options)
        except ValueError as err:
            if isinstance(err, pd.errors.ParserError):
                raise
            table = pd.read_csv(io.StringIO(text), dtype=object, **options)
        table.index = pd.RangeIndex(2, len(table) + 2)
    except pd.errors.ParserError:
        table = _parse_ragged_csv(text, header, {**options, "dtype": object}, report)
    except (ValueError, MemoryError) as err:
        report.findings.append(
            Finding("format", "error", f"The file cannot be read as CSV: {err}.")
        )
        return None
    if len(table) == 0:
        report.findings.append(
            Finding("empty", "error", "The file has a header but no data rows.")
        )
        return None
    return table[list(required)]


def _unique_names(header: list[str]) -> list[str]:
    """Header names made unique (pandas refuses repeats) without touching the first."""
    seen: Counter[str] = Counter()
    names = []
    for name in header:
        seen[name] += 1
        names.append(name if seen[name] == 1 else f"{name}.{seen[name] - 1}")
    return names


def _split_header(line: str, delimiter: str) -> list[str]:
    fields = next(csv.reader([line], delimiter=delimiter), [])
    return [name.strip() for name in fields]


def _parse_ragged_csv(
    text: str, header: list[str], options: dict[str, Any], report: IngestReport
) -> pd.DataFrame:
    """Rows with too many fields: list them all, and keep the rest for other checks."""
    reader = csv.reader(io.StringIO(text), delimiter=options["sep"])
    next(reader)
    good_lines: list[int] = []
    bad_lines: list[int] = []
    start = 2
    for fields in reader:
        if len(fields) > len(header):
            bad_lines.append(start)
        else:
            good_lines.append(start)
        start = reader.line_num + 1
    report.findings.append(
        Finding(
            "field_count",
            "error",
            f"Some lines have more fields than the header's {len(header)} (a stray "
            f"{options['sep']!r} or a broken line).",
            tuple(bad_lines[:MAX_LISTED]),
            len(bad_lines),
        )
    )
    table = pd.read_csv(io.StringIO(text), on_bad_lines="skip", **options)
    if len(table) == len(good_lines):
        table.index = pd.Index(good_lines)
    else:  # quoted line breaks: line numbers are approximate
        table.index = pd.RangeIndex(2, len(table) + 2)
    return table


def _parse_parquet(
    path: Path, mapping: Mapping, report: IngestReport
) -> pd.DataFrame | None:
    try:
        import pyarrow.parquet as parquet
    except ImportError as err:
        raise IngestError(
            "Reading Parquet files needs pyarrow, which is not installed here. "
            "Install fieldcast with the 'parquet' extra, or export the data as CSV."
        ) from err
    try:
        names = parquet.ParquetFile(path).schema_arrow.names
        missing = [c for c in mapping.required_columns if c not in names]
        if missing:
            report.findings.append(
                Finding(
                    "required_columns",
                    "error",
                    f"Required columns are missing: {', '.join(missing)}. The file "
                    f"has {', '.join(names[:12])}. Rename the columns or fix the "
                    "mapping.",
                )
            )
            return None
        table = pd.read_parquet(path, columns=list(mapping.required_columns))
    except (OSError, ValueError) as err:
        report.findings.append(
            Finding(
                "format",
                "error",
                f"The file cannot be read as Parquet ({err}); it may be truncated.",
            )
        )
        return None
    if len(table) == 0:
        report.findings.append(Finding("empty", "error", "The file has no data rows."))
        return None
    table.index = pd.RangeIndex(1, len(table) + 1)
    return table


# Row checks --------------------------------------------------------------------------


@dataclass
class _Rows:
    """The checked rows in long form; units are positions in ``unit_names``."""

    unit_names: np.ndarray  # each unit's name, once
    unit_codes: list[str | None]  # per unit name
    unit_groups: list[str | None]
    unit: np.ndarray  # per row: position in unit_names
    month: np.ndarray
    variable: np.ndarray  # per row: position in variable_names
    variable_names: list[str]
    value: np.ndarray
    line: np.ndarray

    def unit_name(self, row: int) -> str:
        return str(self.unit_names[self.unit[row]])

    def variable_name(self, row: int) -> str:
        return self.variable_names[int(self.variable[row])]


class _Checker:
    """Collects findings for one table; each rule lists its lines and a count."""

    def __init__(self, report: IngestReport, index: pd.Index) -> None:
        self.report = report
        self.index = index

    def flag(self, rule: str, severity: Severity, message: str, mask: Any) -> None:
        mask = np.asarray(mask, dtype=bool)
        count = int(mask.sum())
        if count:
            lines = tuple(int(line) for line in self.index[mask][:MAX_LISTED])
            self.report.findings.append(Finding(rule, severity, message, lines, count))


@dataclass
class _Text:
    """A text column as codes into its distinct stripped values (checks run once each).

    Names, codes and groups repeat on every row of a unit, so checking the few
    distinct values and mapping the result back is far faster than checking rows.
    """

    codes: np.ndarray
    values: np.ndarray  # object array of distinct stripped values

    @classmethod
    def of(cls, series: pd.Series) -> _Text:
        if pd.api.types.is_float_dtype(series):
            # A numeric column used as text (Parquet): 12.0 reads as 12.
            whole = series.notna() & (series % 1 == 0)
            series = series.astype(object).where(~whole, series.astype("Int64"))
        raw_codes, raw_values = pd.factorize(
            series.astype(object), use_na_sentinel=True
        )
        stripped = np.array(
            ["" if value is None else str(value).strip() for value in raw_values]
            + [""],
            dtype=object,
        )
        codes, values = pd.factorize(stripped)
        return cls(codes[raw_codes], np.asarray(values, dtype=object))

    def rows(self, per_value: np.ndarray) -> np.ndarray:
        return per_value[self.codes]

    def test(self, predicate: Any) -> np.ndarray:
        """A row mask from a predicate on each distinct value."""
        per_value = np.fromiter(
            (bool(predicate(value)) for value in self.values),
            dtype=bool,
            count=len(self.values),
        )
        return self.rows(per_value)

    @property
    def empty(self) -> np.ndarray:
        return self.test(lambda value: value == "")


def _number_column(series: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Values, missing mask and not-a-number mask of a column."""
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        nothing = np.zeros(len(series), dtype=bool)
        return values, nothing, nothing
    text = _Text.of(series)
    missing = text.empty
    numbers = pd.to_numeric(pd.Series(text.values), errors="coerce").to_numpy(
        dtype=np.float64
    )
    nan_text = np.array(
        [str(value).lower() in ("nan", "+nan", "-nan") for value in text.values],
        dtype=bool,
    )
    values = text.rows(numbers)
    not_number = text.rows(np.isnan(numbers) & ~nan_text) & ~missing
    return values, missing, not_number


def _check_rows(
    table: pd.DataFrame,
    mapping: Mapping,
    workspace: Workspace,
    current_month: int,
    report: IngestReport,
) -> _Rows | None:
    unit_map = mapping.unit
    texts = {
        column: _Text.of(table[column])
        for column in table.columns
        if column not in mapping.numeric_columns or table[column].dtype == object
    }

    # Fully blank lines (hand-edited files often end with some) are skipped.
    if len(texts) == len(table.columns):
        blank = np.logical_and.reduce([text.empty for text in texts.values()])
        if blank.any():
            _Checker(report, table.index).flag(
                "blank", "warning", "Blank lines were skipped.", blank
            )
            table = table[~blank]
            texts = {
                column: _Text(text.codes[~blank], text.values)
                for column, text in texts.items()
            }
    report.rows_read = len(table)
    check = _Checker(report, table.index)

    # Units, codes and groups: present, short, no spreadsheet formulas.
    units = texts[unit_map.column]
    unit_empty = units.empty
    check.flag(
        "missing_value", "error", f"The unit ({unit_map.column}) is empty.", unit_empty
    )
    for column in (unit_map.column, unit_map.code_column, unit_map.group_column):
        if not column:
            continue
        text = texts[column]
        check.flag(
            "formula_injection",
            "error",
            f"Values in {column} start with =, +, -, @ or a tab: a spreadsheet would "
            "run them as formulas. Remove the leading character.",
            text.test(lambda value: FORMULA_START.match(value)),
        )
        check.flag(
            "field_size",
            "error",
            f"Values in {column} are longer than {MAX_NAME_CHARS} characters.",
            text.test(lambda value: len(value) > MAX_NAME_CHARS),
        )

    months = _months(table, texts, mapping, check)
    valid_month = months >= 0
    check.flag(
        "future_month",
        "error",
        f"Months after {month_name(current_month)} (this device's current month): "
        "data cannot come from the future. Check the month column and the clock.",
        valid_month & (months > current_month),
    )

    # Variables: numbers, finite, not negative where they count events.
    values: dict[str, np.ndarray] = {}
    for variable in mapping.variables:
        column = variable.column
        numbers, missing, not_number = _number_column(table[column])
        check.flag(
            "missing_value",
            "error",
            f"{column} is empty; write 0 where nothing was recorded.",
            missing,
        )
        check.flag(
            "type", "error", f"{column} holds text that is not a number.", not_number
        )
        check.flag(
            "nan",
            "error",
            f"{column} holds NaN (not a number); write the value or 0.",
            np.isnan(numbers) & ~missing & ~not_number,
        )
        check.flag(
            "infinite", "error", f"{column} holds an infinite value.", np.isinf(numbers)
        )
        if variable.is_count:
            check.flag(
                "negative_count",
                "error",
                f"{column} counts events but holds negative values.",
                numbers < 0,
            )
        values[variable.name] = numbers

    # Unknown units.
    if not unit_map.create_unknown:
        known = set(workspace.unit_ids())
        unknown_values = [
            value for value in units.values if value and value not in known
        ]
        check.flag(
            "unknown_unit",
            "error",
            f"Units the workspace does not know (e.g. "
            f"{', '.join(sorted(unknown_values)[:5])}). Add them first, or set "
            "create_unknown = true under [unit] in the mapping.",
            units.test(lambda value: value and value not in known),
        )

    # Duplicates: the same unit (and part) and month twice.
    usable = ~unit_empty & valid_month
    unit_month = units.codes.astype(np.int64) * 65_536 + np.maximum(months, 0)
    if unit_map.part_column:
        part = texts[unit_map.part_column].codes.astype(np.int64)
        key = pd.DataFrame({"unit_month": unit_month, "part": part})
    else:
        key = pd.DataFrame({"unit_month": unit_month})
    check.flag(
        "duplicate",
        "error",
        "Rows repeat a unit and month already given on an earlier line"
        + (f" (with the same {unit_map.part_column})" if unit_map.part_column else "")
        + ".",
        key.duplicated().to_numpy() & usable,
    )
    has_parts = bool(
        unit_map.part_column and pd.Series(unit_month[usable]).duplicated().any()
    )
    not_counts = [v.column for v in mapping.variables if not v.is_count]
    if has_parts and not_counts:
        check.flag(
            "parts",
            "error",
            f"A unit has several parts ({unit_map.part_column}) in one month, and "
            f"{', '.join(not_counts)} are not counts, so they cannot be added up.",
            pd.Series(unit_month).duplicated(keep=False).to_numpy() & usable,
        )

    groups = _unit_groups(table, texts, mapping, units, check)
    if report.errors:
        return None

    # Everything below works on clean rows.
    lines = table.index.to_numpy(dtype=np.int64)
    unit_rows = units.codes.astype(np.int64)
    first_row = _first_rows(unit_rows, len(units.values))
    if has_parts:
        wide = pd.DataFrame(values)
        wide["unit"], wide["month"], wide["line"] = unit_rows, months, lines
        wide = wide.groupby(["unit", "month"], as_index=False, sort=False).agg(
            {**{name: "sum" for name in values}, "line": "min"}
        )
        unit_rows = wide["unit"].to_numpy(dtype=np.int64)
        months = wide["month"].to_numpy(dtype=np.int64)
        lines = wide["line"].to_numpy(dtype=np.int64)
        values = {name: wide[name].to_numpy(dtype=np.float64) for name in values}
    _check_gaps(units.values, unit_rows, months, lines, workspace, mapping, report)

    codes = (
        texts[unit_map.code_column].rows(texts[unit_map.code_column].values)[first_row]
        if unit_map.code_column
        else np.full(len(units.values), "", dtype=object)
    )
    names = sorted(values)  # the primary key's order: unit, variable, month
    count = len(unit_rows)
    return _Rows(
        unit_names=units.values,
        unit_codes=[code or None for code in codes.tolist()],
        unit_groups=[group or None for group in groups[first_row].tolist()],
        unit=np.tile(unit_rows, len(names)),
        month=np.tile(months.astype(np.int64), len(names)),
        variable=np.repeat(np.arange(len(names), dtype=np.int64), count),
        variable_names=names,
        value=np.concatenate([values[name] for name in names]),
        line=np.tile(lines, len(names)),
    )


def _first_rows(unit_rows: np.ndarray, count: int) -> np.ndarray:
    """The first row of each unit (0 for a unit with no rows, e.g. the blank value)."""
    first = np.zeros(count, dtype=np.int64)
    distinct, where = np.unique(unit_rows, return_index=True)
    first[distinct] = where
    return first


def _months(
    table: pd.DataFrame, texts: dict[str, _Text], mapping: Mapping, check: _Checker
) -> np.ndarray:
    """Month indexes, -1 where the month is missing, not a month or impossible."""
    form, columns = mapping.month.form, mapping.month.columns
    label = " and ".join(columns)
    if form == "text":
        text = texts[columns[0]]
        parts = pd.Series(text.values).str.extract(MONTH_TEXT)
        year = text.rows(pd.to_numeric(parts[0]).to_numpy(dtype=np.float64))
        month = text.rows(pd.to_numeric(parts[1]).to_numpy(dtype=np.float64))
        missing = text.empty
        not_month = np.isnan(year) & ~missing
        check.flag(
            "type",
            "error",
            f"{label} is not a month written as YYYY-MM (e.g. 2024-03).",
            not_month,
        )
    else:
        numbers = [_number_column(table[column]) for column in columns]
        missing = np.logical_or.reduce([item[1] for item in numbers])
        whole = [
            np.isfinite(item[0]) & (np.floor(item[0]) == item[0]) for item in numbers
        ]
        not_month = ~np.logical_and.reduce(whole) & ~missing
        check.flag("type", "error", f"{label} must be whole numbers.", not_month)
        if form == "year_month":
            year, month = numbers[0][0], numbers[1][0]
        else:
            month_id = numbers[0][0]
            usable = month_id >= 1
            index = VIEWS_MONTH_ID_ORIGIN + np.where(usable, month_id, 1) - 1
            year = np.where(usable, index // 12, np.nan)
            month = np.where(usable, index % 12 + 1, 0)
    check.flag("missing_value", "error", f"The month ({label}) is empty.", missing)
    with np.errstate(invalid="ignore"):
        impossible = (
            ~missing
            & ~not_month
            & (~((month >= 1) & (month <= 12)) | ~(year >= EARLIEST_YEAR))
        )
    check.flag(
        "impossible_month",
        "error",
        f"{label} gives impossible months (month outside 1-12, a month_id below 1, "
        f"or a year before {EARLIEST_YEAR}).",
        impossible,
    )
    bad = missing | not_month | impossible
    safe_year = np.where(bad, 0, year).astype(np.int64)
    safe_month = np.where(bad, 1, month).astype(np.int64)
    return np.where(bad, -1, safe_year * 12 + safe_month - 1)


def _unit_groups(
    table: pd.DataFrame,
    texts: dict[str, _Text],
    mapping: Mapping,
    units: _Text,
    check: _Checker,
) -> np.ndarray:
    """Each row's group ('' for none)."""
    unit_map = mapping.unit
    if unit_map.group_column:
        text = texts[unit_map.group_column]
        return text.rows(text.values)
    groups = np.full(len(table), "", dtype=object)
    if unit_map.group_range_column:
        numbers, _, _ = _number_column(table[unit_map.group_range_column])
        for item in unit_map.group_ranges:
            groups[(numbers >= item.first) & (numbers <= item.last)] = item.group
        check.flag(
            "no_group",
            "warning",
            f"{unit_map.group_range_column} falls in none of the mapping's group "
            "ranges; those units get no group.",
            groups == "",
        )
    return groups


def _check_gaps(
    unit_names: np.ndarray,
    unit: np.ndarray,
    month: np.ndarray,
    line: np.ndarray,
    workspace: Workspace,
    mapping: Mapping,
    report: IngestReport,
) -> None:
    """Months missing inside a unit's series, in the file or against the workspace.

    A gap is a warning, not an error: units legitimately pause (a state that splits,
    a source that stops covering a place for a while), a gap corrupts no value, and
    the gate blocks any forecast whose features would need the missing months.
    """
    order = np.lexsort((month, unit))
    unit, month, line = unit[order], month[order], line[order]
    after_gap = (unit[1:] == unit[:-1]) & (np.diff(month) > 1)
    gap_lines = line[1:][after_gap].tolist()
    gap_units = set(unit_names[unit[1:][after_gap]].tolist())

    # A gap between what the workspace holds for this source and the file's start.
    held = {
        row["unit"]: row["last_month"]
        for row in workspace.query(
            "SELECT u.name AS unit, MAX(c.last_month) AS last_month FROM coverage c "
            "JOIN units u ON u.id = c.unit_id WHERE c.source = ? GROUP BY u.name",
            (mapping.source,),
        )
    }
    if held:
        starts = np.ones(len(unit), dtype=bool)
        starts[1:] = unit[1:] != unit[:-1]
        for position in np.flatnonzero(starts):
            name = unit_names[unit[position]]
            if name in held and month[position] > held[name] + 1:
                gap_lines.append(int(line[position]))
                gap_units.add(name)
    if gap_lines:
        listed = sorted(gap_units)
        shown = ", ".join(listed[:5]) + (" ..." if len(listed) > 5 else "")
        report.findings.append(
            Finding(
                "gap",
                "warning",
                f"{len(listed)} unit(s) have months missing inside their series "
                f"({shown}); the line given is the first after each gap.",
                tuple(sorted(gap_lines)[:MAX_LISTED]),
                len(gap_lines),
            )
        )


def _check_variables(
    workspace: Workspace, mapping: Mapping, report: IngestReport
) -> None:
    held = {
        row["name"]: row
        for row in workspace.query("SELECT name, tag, measure, is_count FROM variables")
    }
    for variable in mapping.variables:
        known = held.get(variable.name)
        if known is None:
            continue
        if (known["tag"], known["measure"], bool(known["is_count"])) != (
            variable.tag,
            variable.measure,
            variable.is_count,
        ):
            report.findings.append(
                Finding(
                    "variable_conflict",
                    "error",
                    f"The workspace holds {variable.name} as {known['tag']}, measured "
                    f"in {known['measure']}; the mapping says {variable.tag}, measured "
                    f"in {variable.measure}. Fix the mapping or use another variable "
                    "name.",
                )
            )


# Writing -----------------------------------------------------------------------------


def _record_rejection(
    workspace: Workspace,
    mapping: Mapping,
    report: IngestReport,
    path: Path,
    person: str,
) -> None:
    report.status = "rejected"
    reason = "; ".join(item.message for item in report.errors[:3])
    with workspace.atomic():
        workspace.db.execute(
            "INSERT INTO sources (name, cadence_months, description) VALUES (?, ?, ?) "
            "ON CONFLICT(name) DO NOTHING",
            (mapping.source, mapping.cadence_months, mapping.description),
        )
        cursor = workspace.db.execute(
            "INSERT INTO batches (source, file_name, sha256, rows_read, rows_accepted, "
            "created_at, person, status, reason, vintage, report) "
            "VALUES (?, ?, ?, ?, 0, ?, ?, 'rejected', ?, 0, ?)",
            (
                mapping.source,
                path.name,
                report.sha256,
                report.rows_read,
                timestamp(),
                person,
                reason,
                json.dumps(report.to_dict()),
            ),
        )
        report.batch_id = cursor.lastrowid


def _take(
    workspace: Workspace,
    rows: _Rows,
    mapping: Mapping,
    report: IngestReport,
    path: Path,
    person: str,
) -> None:
    """Write the checked rows in one transaction (or nothing, if nothing is new)."""
    db = workspace.db
    with workspace.atomic():
        known = workspace.unit_ids()
        present = np.zeros(len(rows.unit_names), dtype=bool)
        present[rows.unit] = True
        next_id = int(workspace.scalar("SELECT COALESCE(MAX(id), 0) FROM units")) + 1
        ids = np.zeros(len(rows.unit_names), dtype=np.int64)
        new_units: list[int] = []
        for slot in np.flatnonzero(present):
            name = rows.unit_names[slot]
            if name in known:
                ids[slot] = known[name]
            else:
                ids[slot] = next_id
                next_id += 1
                new_units.append(int(slot))
        unit_id = ids[rows.unit]

        existing = _existing(workspace, rows.variable_names)
        key = _key(unit_id, rows.variable, rows.month)
        position: np.ndarray
        if len(existing):
            position = np.asarray(existing.index.get_indexer(pd.Index(key)))
            held_values = existing["value"].to_numpy(dtype=np.float64)
        else:
            position = np.full(len(key), -1)
            held_values = np.full(1, np.nan)
        held = position >= 0
        old = np.where(held, held_values[np.maximum(position, 0)], np.nan)
        changed = held & ~np.isclose(old, rows.value, rtol=1e-12, atol=0.0)
        new = ~held
        written = new | changed

        report.rows_accepted = report.rows_read
        report.values_new = int(new.sum())
        report.values_changed = int(changed.sum())
        report.values_unchanged = int((held & ~changed).sum())
        report.first_month = format_month(int(rows.month.min()))
        report.last_month = format_month(int(rows.month.max()))
        if not written.any():
            report.status = "unchanged"
            report.message = (
                "every value in it is already in the workspace with the same value; "
                "nothing changed."
            )
            return

        flags, scores, existing_flags = _outliers(
            existing, position, unit_id, key, rows, mapping
        )
        _report_changes(report, rows, old, changed)
        _report_outliers(report, rows, flags & written, scores)

        report.status = "accepted"
        report.units_created = len(new_units)
        report.vintage = 1 + int(
            workspace.scalar(
                "SELECT COALESCE(MAX(vintage), 0) FROM batches "
                "WHERE source = ? AND status = 'accepted'",
                (mapping.source,),
            )
        )
        batch_id = 1 + int(workspace.scalar("SELECT COALESCE(MAX(id), 0) FROM batches"))
        report.batch_id = batch_id

        db.execute(
            "INSERT INTO sources (name, cadence_months, description) VALUES (?, ?, ?) "
            "ON CONFLICT(name) DO UPDATE SET cadence_months = excluded.cadence_months, "
            "description = excluded.description",
            (mapping.source, mapping.cadence_months, mapping.description),
        )
        db.conn.executemany(
            "INSERT INTO variables (name, tag, measure, is_count, description) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(name) DO NOTHING",
            [
                (v.name, v.tag, v.measure, int(v.is_count), v.description)
                for v in mapping.variables
            ],
        )
        # The batch row is written complete: batches are append-only.
        db.execute(
            "INSERT INTO batches (id, source, file_name, sha256, rows_read, "
            "rows_accepted, values_changed, created_at, person, status, reason, "
            "vintage, first_month, last_month, report) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'accepted', '', ?, ?, ?, ?)",
            (
                batch_id,
                mapping.source,
                path.name,
                report.sha256,
                report.rows_read,
                report.rows_accepted,
                report.values_changed,
                timestamp(),
                person,
                report.vintage,
                int(rows.month.min()),
                int(rows.month.max()),
                json.dumps(report.to_dict()),
            ),
        )
        db.conn.executemany(
            "INSERT INTO units (id, name, code, unit_group, kind, created_by_batch) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (
                    int(ids[slot]),
                    str(rows.unit_names[slot]),
                    rows.unit_codes[slot],
                    rows.unit_groups[slot],
                    mapping.unit.kind,
                    batch_id,
                )
                for slot in new_units
            ],
        )
        # Known units gain a code or group they lacked; nothing they had is replaced.
        db.conn.executemany(
            "UPDATE units SET code = COALESCE(code, ?), "
            "unit_group = COALESCE(unit_group, ?) "
            "WHERE id = ? AND (code IS NULL OR unit_group IS NULL)",
            [
                (rows.unit_codes[slot], rows.unit_groups[slot], int(ids[slot]))
                for slot in np.flatnonzero(present)
                if rows.unit_names[slot] in known
            ],
        )

        if changed.any():
            where = np.flatnonzero(changed)
            db.conn.executemany(
                "INSERT INTO observation_revisions "
                "(unit_id, month, variable, value, batch_id, superseded_by) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                zip(
                    unit_id[where].tolist(),
                    rows.month[where].tolist(),
                    [rows.variable_names[i] for i in rows.variable[where]],
                    old[where].tolist(),
                    existing["batch_id"].to_numpy()[position[where]].tolist(),
                    [batch_id] * len(where),
                    strict=True,
                ),
            )
        # In primary-key order: SQLite appends to its B-tree far faster than it
        # inserts at random places.
        where = np.flatnonzero(written)
        where = where[np.argsort(key[where], kind="stable")]
        db.conn.executemany(
            "INSERT INTO observations "
            "(unit_id, month, variable, value, batch_id, outlier) "
            "VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(unit_id, variable, month) DO UPDATE SET "
            "value = excluded.value, batch_id = excluded.batch_id, "
            "outlier = excluded.outlier",
            zip(
                unit_id[where].tolist(),
                rows.month[where].tolist(),
                np.array(rows.variable_names, dtype=object)[
                    rows.variable[where]
                ].tolist(),
                rows.value[where].tolist(),
                itertools.repeat(batch_id),
                flags[where].astype(np.int64).tolist(),
            ),
        )
        if existing_flags:
            db.conn.executemany(
                "UPDATE observations SET outlier = ? "
                "WHERE unit_id = ? AND variable = ? AND month = ?",
                existing_flags,
            )

        _update_coverage(workspace, unit_id, rows, mapping.source)
        workspace.raise_time_floor(
            first_day(int(rows.month.max())),
            f"newest month of ingest batch {batch_id} ({mapping.source})",
        )
        # Packed now, so the first forecast after an ingest does not wait for it.
        refresh_series(workspace)
    log.info(
        "ingested %s as batch %s of %s: %s new, %s changed values",
        path,
        batch_id,
        mapping.source,
        report.values_new,
        report.values_changed,
    )


def _key(unit_id: np.ndarray, variable: np.ndarray, month: np.ndarray) -> np.ndarray:
    """One int64 per (unit, variable, month), ordered like the primary key."""
    return (
        (unit_id.astype(np.int64) << 28)
        | (variable.astype(np.int64) << 20)
        | month.astype(np.int64)
    )


def _existing(workspace: Workspace, variables: list[str]) -> pd.DataFrame:
    """What the workspace holds for these variables, indexed by the same key as rows."""
    # TODO(#2): at grid-month scale (millions of rows) read only the units in the file.
    placeholders = ", ".join("?" for _ in variables)
    cursor = workspace.db.execute(
        "SELECT unit_id, variable, month, value, batch_id, outlier FROM observations "
        f"WHERE variable IN ({placeholders})",
        variables,
    )
    frame = pd.DataFrame(
        cursor.fetchall(),
        columns=["unit_id", "variable", "month", "value", "batch_id", "outlier"],
    )
    if frame.empty:
        return frame
    frame["variable"] = (
        frame["variable"].map({name: i for i, name in enumerate(variables)}).astype(int)
    )
    frame.index = pd.Index(
        _key(
            frame["unit_id"].to_numpy(),
            frame["variable"].to_numpy(),
            frame["month"].to_numpy(),
        )
    )
    return frame


def _outliers(
    existing: pd.DataFrame,
    position: np.ndarray,
    unit_id: np.ndarray,
    key: np.ndarray,
    rows: _Rows,
    mapping: Mapping,
) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int, str, int]]]:
    """Robust z per unit and variable series, over held and incoming values together.

    x is log1p(value) for counts (the raw value otherwise); the score is
    |x - median| / max(1.4826 * MAD, min_scale). The scale floor keeps a series of
    mostly zeros (MAD 0) from flagging every non-zero month. Deterministic variables
    are known exactly and never flagged.
    """
    by_name = {v.name: v for v in mapping.variables}
    kinds = [by_name[name] for name in rows.variable_names]
    stochastic = np.array([v.tag == "stochastic" for v in kinds], dtype=bool)
    counts = np.array([v.is_count for v in kinds], dtype=bool)

    kept = existing
    if len(existing):
        replaced = np.zeros(len(existing), dtype=bool)
        replaced[position[position >= 0]] = True
        kept = existing[~replaced]
    n = len(key)
    series_of = np.concatenate(
        [key >> 20, kept.index.to_numpy(dtype=np.int64) >> 20]
    )  # unit and variable
    variable = np.concatenate(
        [rows.variable, kept["variable"].to_numpy(dtype=np.int64)]
    )
    value = np.concatenate([rows.value, kept["value"].to_numpy(dtype=np.float64)])
    x = np.where(counts[variable], np.log1p(np.maximum(value, 0.0)), value)

    groups = pd.Series(x).groupby(series_of)
    median = groups.transform("median").to_numpy()
    deviation = np.abs(x - median)
    spread = pd.Series(deviation).groupby(series_of).transform("median").to_numpy()
    score = deviation / np.maximum(spread * MAD_TO_SD, mapping.outlier_min_scale)
    flag = (score > mapping.outlier_threshold) & stochastic[variable]

    changed_flags: list[tuple[int, int, str, int]] = []
    if len(kept):
        was = kept["outlier"].to_numpy(dtype=bool)
        differ = np.flatnonzero(was != flag[n:])
        kept_unit = kept["unit_id"].to_numpy(dtype=np.int64)
        kept_variable = kept["variable"].to_numpy(dtype=np.int64)
        kept_month = kept["month"].to_numpy(dtype=np.int64)
        changed_flags = [
            (
                int(flag[n + i]),
                int(kept_unit[i]),
                rows.variable_names[int(kept_variable[i])],
                int(kept_month[i]),
            )
            for i in differ
        ]
    return flag[:n], score[:n], changed_flags


def _report_changes(
    report: IngestReport, rows: _Rows, old: np.ndarray, changed: np.ndarray
) -> None:
    where = np.flatnonzero(changed)
    largest = where[np.argsort(-np.abs(rows.value[where] - old[where]), kind="stable")]
    report.changes = [
        Change(
            unit=rows.unit_name(i),
            month=format_month(int(rows.month[i])),
            variable=rows.variable_name(i),
            old=float(old[i]),
            new=float(rows.value[i]),
        )
        for i in largest[:MAX_EXAMPLES]
    ]


def _report_outliers(
    report: IngestReport, rows: _Rows, flags: np.ndarray, scores: np.ndarray
) -> None:
    where = np.flatnonzero(flags)
    report.outlier_count = len(where)
    strongest = where[np.argsort(-scores[where], kind="stable")]
    report.outliers = [
        Outlier(
            line=int(rows.line[i]),
            unit=rows.unit_name(i),
            month=format_month(int(rows.month[i])),
            variable=rows.variable_name(i),
            value=float(rows.value[i]),
            score=float(scores[i]),
        )
        for i in strongest[:MAX_EXAMPLES]
    ]


def _update_coverage(
    workspace: Workspace, unit_id: np.ndarray, rows: _Rows, source: str
) -> None:
    spans = (
        pd.DataFrame(
            {"unit_id": unit_id, "variable": rows.variable, "month": rows.month}
        )
        .groupby(["unit_id", "variable"], sort=False)["month"]
        .agg(["min", "max"])
        .reset_index()
    )
    workspace.db.conn.executemany(
        "INSERT INTO coverage (unit_id, variable, source, first_month, last_month) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT(unit_id, variable, source) DO UPDATE SET "
        "first_month = MIN(first_month, excluded.first_month), "
        "last_month = MAX(last_month, excluded.last_month)",
        zip(
            spans["unit_id"].tolist(),
            [rows.variable_names[i] for i in spans["variable"]],
            [source] * len(spans),
            spans["min"].tolist(),
            spans["max"].tolist(),
            strict=True,
        ),
    )
