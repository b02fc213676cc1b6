"""A corpus of malformed files: each refused clearly, the data left untouched."""

from __future__ import annotations

import gzip
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from engine.errors import IngestError
from engine.ingest import MAX_LISTED, IngestRejected, ingest_file
from engine.workspace import Workspace
from tests.ingest_support import HEADER, SOURCE, dump, mapping, series_rows

GOOD_ROWS = series_rows({"Mali": [0, 4, 1], "Niger": [2, 0, 0]})


def text_file(body: str, encoding: str = "utf-8") -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / "bad.csv"
        path.write_bytes(body.encode(encoding))
        return path

    return build


def bytes_file(content: bytes, name: str = "bad.csv") -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(content)
        return path

    return build


def million_duplicates(folder: Path) -> Path:
    path = folder / "duplicates.csv"
    path.write_bytes(HEADER.encode() + b"Mali,MLI,North,2020-01,1\n" * 1_000_000)
    return path


def truncated_parquet(folder: Path) -> Path:
    pytest.importorskip("pyarrow")
    import pandas as pd

    whole = folder / "whole.parquet"
    pd.DataFrame(
        {"unit": ["Mali"] * 50, "code": ["MLI"] * 50, "region": ["N"] * 50,
         "month": ["2020-01"] * 50, "deaths": range(50)}
    ).to_parquet(whole)  # fmt: skip
    path = folder / "bad.parquet"
    path.write_bytes(whole.read_bytes()[:-40])
    return path


CORPUS: list[tuple[str, Callable[[Path], Path], str, str]] = [
    (
        "truncated mid-line",
        text_file(HEADER + GOOD_ROWS + "Mali,MLI,No"),
        "truncated",
        "cut off",
    ),
    (
        "wrong encoding (Windows-1252)",
        text_file(HEADER + "Côte d'Ivoire,CIV,West,2020-01,3\n", "cp1252"),
        "encoding",
        "not valid utf-8",
    ),
    (
        "UTF-16",
        text_file(HEADER + GOOD_ROWS, "utf-16"),
        "encoding",
        "UTF-16",
    ),
    (
        "semicolons for commas",
        text_file((HEADER + GOOD_ROWS).replace(",", ";")),
        "delimiter",
        "';'",
    ),
    (
        "tabs for commas",
        text_file((HEADER + GOOD_ROWS).replace(",", "\t")),
        "delimiter",
        "'\\t'",
    ),
    (
        "a huge field",
        text_file(
            HEADER + "Mali,MLI,North,2020-01,1\n" + "M" * 1_000_000 + ",X,N,2020-02,1\n"
        ),
        "field_size",
        "longer than",
    ),
    (
        "a long unit name",
        text_file(HEADER + "A" * 500 + ",X,N,2020-02,1\n"),
        "field_size",
        "longer than 200",
    ),
    (
        "formula-injection unit name",
        text_file(HEADER + '=HYPERLINK("http://x.invalid"),X,N,2020-01,1\n'),
        "formula_injection",
        "formulas",
    ),
    (
        "formula-injection with @ and +",
        text_file(HEADER + "@SUM(A1),X,N,2020-01,1\n+cmd,X,N,2020-01,1\n"),
        "formula_injection",
        "formulas",
    ),
    (
        "NaN values",
        text_file(HEADER + "Mali,MLI,N,2020-01,NaN\nMali,MLI,N,2020-02,nan\n"),
        "nan",
        "NaN",
    ),
    (
        "infinite values",
        text_file(HEADER + "Mali,MLI,N,2020-01,inf\nMali,MLI,N,2020-02,-Infinity\n"),
        "infinite",
        "infinite",
    ),
    (
        "future months",
        text_file(HEADER + "Mali,MLI,N,2999-01,1\n"),
        "future_month",
        "future",
    ),
    ("a million duplicate rows", million_duplicates, "duplicate", "repeat"),
    ("an empty file", bytes_file(b""), "empty", "empty"),
    ("only blanks", bytes_file(b"  \n\n \r\n"), "empty", "empty"),
    ("a header and no rows", text_file(HEADER), "empty", "no data rows"),
    ("binary noise", bytes_file(os.urandom(2048) + b"\x00"), "binary", "binary"),
    (
        "an Excel workbook",
        bytes_file(b"PK\x03\x04" + os.urandom(500), "data.xlsx"),
        "binary",
        "Excel",
    ),
    (
        "a gzip archive",
        bytes_file(gzip.compress((HEADER + GOOD_ROWS).encode())),
        "binary",
        "gzip",
    ),
    (
        "a required column missing",
        text_file("unit,code,region,month\nMali,MLI,N,2020-01\n"),
        "required_columns",
        "deaths",
    ),
    ("no header", text_file(GOOD_ROWS), "required_columns", "missing"),
    (
        "too many fields on a line",
        text_file(HEADER + GOOD_ROWS + "Mali,MLI,N,2020-09,1,7,8\n"),
        "field_count",
        "more fields",
    ),
    (
        "negative counts",
        text_file(HEADER + "Mali,MLI,N,2020-01,-3\n"),
        "negative_count",
        "negative",
    ),
    (
        "impossible months",
        text_file(HEADER + "Mali,MLI,N,2020-00,1\nMali,MLI,N,2020-13,1\n"),
        "impossible_month",
        "impossible",
    ),
    (
        "a year before 1900",
        text_file(HEADER + "Mali,MLI,N,1850-01,1\n"),
        "impossible_month",
        "1900",
    ),
    (
        "months written in words",
        text_file(HEADER + "Mali,MLI,N,January 2020,1\n"),
        "type",
        "YYYY-MM",
    ),
    (
        "text for a number",
        text_file(HEADER + "Mali,MLI,N,2020-01,twelve\n"),
        "type",
        "not a number",
    ),
    (
        "a few duplicate rows",
        text_file(HEADER + GOOD_ROWS + GOOD_ROWS.splitlines(keepends=True)[0]),
        "duplicate",
        "repeat",
    ),
    ("a truncated Parquet file", truncated_parquet, "format", "Parquet"),
]


@pytest.fixture
def held(tmp_path):
    """A workspace that already holds one good batch of the source."""
    rules = mapping(tmp_path)
    good = tmp_path / "good.csv"
    good.write_text(HEADER + GOOD_ROWS)
    with Workspace.open(tmp_path / "ws") as workspace:
        ingest_file(workspace, good, SOURCE, rules)
        yield workspace, rules


def test_the_corpus_is_large_enough():
    assert len(CORPUS) >= 20


@pytest.mark.parametrize(
    ("build", "rule", "fragment"),
    [case[1:] for case in CORPUS],
    ids=[case[0] for case in CORPUS],
)
def test_a_malformed_file_is_refused_and_changes_no_data(
    held, tmp_path, build, rule, fragment
):
    workspace, rules = held
    path = build(tmp_path)
    before = dump(workspace, skip=("batches",))
    batches_before = workspace.scalar("SELECT COUNT(*) FROM batches")

    with pytest.raises(IngestRejected) as error:
        ingest_file(workspace, path, SOURCE, rules)

    report = error.value.report
    found = [finding for finding in report.errors if finding.rule == rule]
    assert found, f"expected {rule}, got {[f.rule for f in report.findings]}"
    assert fragment.lower() in str(error.value).lower()
    assert str(error.value).startswith(f"Rejected {path.name}")
    assert all(len(finding.lines) <= MAX_LISTED for finding in report.findings)
    assert len(str(error.value)) < 4_000  # short, whatever the file's size

    assert dump(workspace, skip=("batches",)) == before
    rejected = workspace.query("SELECT * FROM batches WHERE id > 1")
    assert workspace.scalar("SELECT COUNT(*) FROM batches") == batches_before + 1
    assert rejected[0]["status"] == "rejected"
    assert rejected[0]["rows_accepted"] == 0
    assert rejected[0]["reason"]


def test_a_million_duplicates_are_counted_not_listed(held, tmp_path):
    workspace, rules = held
    with pytest.raises(IngestRejected) as error:
        ingest_file(workspace, million_duplicates(tmp_path), SOURCE, rules)
    (finding,) = error.value.report.errors
    assert finding.count == 999_999
    assert finding.lines == tuple(range(3, 3 + MAX_LISTED))
    assert "and 999,979 more" in str(error.value)


def test_a_file_that_is_not_there_is_an_error_and_nothing_is_recorded(held, tmp_path):
    workspace, rules = held
    before = dump(workspace)
    with pytest.raises(IngestError, match="no file"):
        ingest_file(workspace, tmp_path / "absent.csv", SOURCE, rules)
    with pytest.raises(IngestError, match="folder"):
        ingest_file(workspace, tmp_path, SOURCE, rules)
    assert dump(workspace) == before


def test_a_rejection_from_a_new_source_records_the_source(tmp_path):
    """The rejected batch needs its source row; no data table gains anything else."""
    rules = mapping(tmp_path)
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "Mali,MLI,N,2020-01,-1\n")
    with Workspace.open(tmp_path / "ws") as workspace:
        with pytest.raises(IngestRejected):
            ingest_file(workspace, bad, SOURCE, rules)
        assert workspace.query("SELECT name FROM sources") == [{"name": SOURCE}]
        for table in ("units", "variables", "observations", "coverage", "meta"):
            assert workspace.scalar(f"SELECT COUNT(*) FROM {table}") == 0
