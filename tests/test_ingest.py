"""Ingest: the real UCDP file, source validation, vintages, outliers and every rule."""

from __future__ import annotations

import datetime as dt
import hashlib

import numpy as np
import pandas as pd
import pytest

from engine.errors import MappingError
from engine.ingest import IngestRejected, ingest_file
from engine.mapping import find_mapping, load_mapping
from engine.months import month_index, parse_month
from engine.workspace import Workspace
from tests.ingest_support import (
    HEADER,
    MAPPING_TEXT,
    SOURCE,
    dump,
    mapping,
    series_rows,
    write_csv,
)

UCDP_SHA256 = "b7a9b7416e5036e528d8ad2a7736e5c8c2c9961218a4efefd0f2a4745d4d11a7"


@pytest.fixture
def workspace(tmp_path):
    with Workspace.open(tmp_path / "ws") as opened:
        yield opened


def rules(error: IngestRejected) -> set[str]:
    return {finding.rule for finding in error.value.report.findings}


# The real UCDP file ---------------------------------------------------------------


@pytest.mark.realdata
def test_the_real_ucdp_file_is_ingested_whole(workspace, ucdp_file):
    report = ingest_file(workspace, ucdp_file, "ucdp_ged_cm", person="amina")
    raw = pd.read_csv(ucdp_file)

    assert report.status == "accepted"
    assert report.rows_read == len(raw) == 77_945
    # Rows of one country and month under two VIEWS ids (border changes) are added.
    pairs = raw.groupby(["country", "month_id"])["ucdp_ged_sb_best_sum"].sum()
    assert workspace.scalar("SELECT COUNT(*) FROM observations") == len(pairs)
    assert workspace.scalar("SELECT COUNT(*) FROM units") == raw["country"].nunique()
    assert workspace.scalar("SELECT SUM(value) FROM observations") == pytest.approx(
        raw["ucdp_ged_sb_best_sum"].sum()
    )
    assert (report.first_month, report.last_month) == ("1990-01", "2024-07")

    batch = workspace.query("SELECT * FROM batches")[0]
    assert (
        batch["sha256"]
        == UCDP_SHA256
        == hashlib.sha256(ucdp_file.read_bytes()).hexdigest()
    )
    assert (batch["status"], batch["vintage"], batch["person"]) == (
        "accepted",
        1,
        "amina",
    )
    assert batch["first_month"] == month_index(1990, 1)
    assert batch["last_month"] == month_index(2024, 7)

    sudan = workspace.query("SELECT code, unit_group FROM units WHERE name = 'Sudan'")[
        0
    ]
    assert sudan == {"code": "SDN", "unit_group": "Africa"}
    groups = {
        row["unit_group"] for row in workspace.query("SELECT unit_group FROM units")
    }
    assert groups == {"Americas", "Europe", "Africa", "Middle East", "Asia and Oceania"}
    yugoslavia = workspace.scalar(
        "SELECT value FROM observations o JOIN units u ON u.id = o.unit_id "
        "WHERE u.name = 'Yugoslavia' AND o.month = ?",
        (month_index(1991, 11),),
    )
    assert yugoslavia == 839.0  # 0 + 839 from the two country_ids of that month

    coverage = workspace.query(
        "SELECT MIN(first_month) AS first, MAX(last_month) AS last, COUNT(*) AS n "
        "FROM coverage WHERE source = 'ucdp_ged_cm'"
    )[0]
    assert coverage == {
        "first": month_index(1990, 1),
        "last": month_index(2024, 7),
        "n": 199,
    }
    assert workspace.time_floor() == dt.datetime(2024, 7, 1, tzinfo=dt.UTC)
    flagged = workspace.scalar("SELECT SUM(outlier) FROM observations")
    assert 0 < flagged == report.outlier_count < 0.01 * len(pairs)


@pytest.mark.realdata
def test_reimporting_the_identical_file_changes_nothing(workspace, ucdp_file):
    ingest_file(workspace, ucdp_file, "ucdp_ged_cm")
    before = dump(workspace)

    again = ingest_file(workspace, ucdp_file, "ucdp_ged_cm")

    assert again.status == "unchanged"
    assert "already imported as batch 1" in again.describe()[0]
    assert dump(workspace) == before


def test_the_kept_mapping_is_found_by_source_name():
    found = find_mapping("ucdp_ged_cm")
    assert found.month.form == "views_month_id"
    assert [v.name for v in found.variables] == ["sb_fatalities"]
    assert found.unit.group_of(475) == "Africa"
    assert found.unit.group_of(627) is None


def test_a_source_without_a_mapping_says_what_to_do():
    with pytest.raises(MappingError, match="--mapping"):
        find_mapping("no-such-source")


def test_a_source_name_cannot_climb_out_of_the_mappings_folder():
    with pytest.raises(MappingError, match="not a usable source name"):
        find_mapping("../../etc/passwd")


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ("[source]\ncadence_months = 0\n", "cadence_months"),
        (MAPPING_TEXT.replace('tag = "stochastic"', 'tag = "random"'), "tag"),
        (MAPPING_TEXT.replace('column = "month"', 'year_column = "y"'), "month"),
        (MAPPING_TEXT + "[file]\ndelimiter = ':'\n", "delimiter"),
        ("this is = = not toml", "not valid TOML"),
    ],
)
def test_a_broken_mapping_names_what_to_fix(tmp_path, broken, message):
    path = tmp_path / "broken.toml"
    path.write_text(broken)
    with pytest.raises(MappingError, match=message):
        load_mapping(path, SOURCE)


# Source validation: vintages and changes --------------------------------------------


def test_a_file_changing_held_values_becomes_a_new_vintage(workspace, tmp_path):
    rules_ = mapping(tmp_path)
    first = write_csv(tmp_path, series_rows({"Mali": [0, 3, 5], "Niger": [1, 0, 0]}))
    ingest_file(workspace, first, SOURCE, rules_)

    second = write_csv(
        tmp_path,
        series_rows({"Mali": [0, 30, 5, 2], "Niger": [1, 0, 7, 1]}),
        name="second.csv",
    )
    report = ingest_file(workspace, second, SOURCE, rules_)

    assert report.status == "accepted"
    assert report.vintage == 2
    assert (report.values_changed, report.values_new, report.values_unchanged) == (
        2,
        2,
        4,
    )
    assert [(c.unit, c.month, c.old, c.new) for c in report.changes] == [
        ("Mali", "2020-02", 3.0, 30.0),
        ("Niger", "2020-03", 0.0, 7.0),
    ]
    assert any("Mali 2020-02 deaths: 3 -> 30" in line for line in report.describe())
    revisions = workspace.query(
        "SELECT u.name, r.month, r.value, r.batch_id, r.superseded_by "
        "FROM observation_revisions r JOIN units u ON u.id = r.unit_id ORDER BY u.name"
    )
    assert revisions == [
        {"name": "Mali", "month": parse_month("2020-02"), "value": 3.0,
         "batch_id": 1, "superseded_by": 2},
        {"name": "Niger", "month": parse_month("2020-03"), "value": 0.0,
         "batch_id": 1, "superseded_by": 2},
    ]  # fmt: skip
    held = {
        (row["name"], row["month"]): (row["value"], row["batch_id"])
        for row in workspace.query(
            "SELECT u.name, o.month, o.value, o.batch_id FROM observations o "
            "JOIN units u ON u.id = o.unit_id"
        )
    }
    assert held[("Mali", parse_month("2020-02"))] == (30.0, 2)
    assert held[("Mali", parse_month("2020-01"))] == (
        0.0,
        1,
    )  # unchanged keeps its batch
    assert held[("Niger", parse_month("2020-04"))] == (1.0, 2)
    assert workspace.scalar("SELECT values_changed FROM batches WHERE id = 2") == 2
    assert workspace.query(
        "SELECT last_month FROM coverage c JOIN units u ON u.id = c.unit_id "
        "WHERE u.name = 'Mali'"
    ) == [{"last_month": parse_month("2020-04")}]
    assert workspace.time_floor() == dt.datetime(2020, 4, 1, tzinfo=dt.UTC)


def test_the_same_values_in_another_order_change_nothing(workspace, tmp_path):
    rules_ = mapping(tmp_path)
    body = series_rows({"Mali": [0, 3, 5], "Niger": [1, 0, 0]})
    ingest_file(workspace, write_csv(tmp_path, body), SOURCE, rules_)
    before = dump(workspace)

    shuffled = "".join(reversed(body.splitlines(keepends=True)))
    report = ingest_file(
        workspace, write_csv(tmp_path, shuffled, "b.csv"), SOURCE, rules_
    )

    assert report.status == "unchanged"
    assert "nothing changed" in report.describe()[0]
    assert dump(workspace) == before


def test_a_rejected_file_is_recorded_but_changes_no_data(workspace, tmp_path):
    rules_ = mapping(tmp_path)
    ingest_file(
        workspace, write_csv(tmp_path, series_rows({"Mali": [1, 2]})), SOURCE, rules_
    )
    before = dump(workspace, skip=("batches",))

    bad = write_csv(tmp_path, series_rows({"Mali": [1, -2, 4]}), "bad.csv")
    with pytest.raises(IngestRejected, match="negative"):
        ingest_file(workspace, bad, SOURCE, rules_, person="amina")

    assert dump(workspace, skip=("batches",)) == before
    rejected = workspace.query("SELECT * FROM batches WHERE status = 'rejected'")
    assert len(rejected) == 1
    assert rejected[0]["person"] == "amina"
    assert "negative" in rejected[0]["reason"]
    assert rejected[0]["vintage"] == 0
    # A corrected file is still taken afterwards, as vintage 2.
    fixed = write_csv(tmp_path, series_rows({"Mali": [1, 2, 4]}), "fixed.csv")
    assert ingest_file(workspace, fixed, SOURCE, rules_).vintage == 2


# Outliers ---------------------------------------------------------------------------


def test_a_spike_is_flagged_not_dropped(workspace, tmp_path):
    quiet = [0.0] * 30 + [2.0, 0.0, 1.0, 0.0]
    spiky = [0.0] * 30 + [5000.0, 0.0, 0.0, 0.0]
    path = write_csv(tmp_path, series_rows({"Quiet": quiet, "Spiky": spiky}))

    report = ingest_file(workspace, path, SOURCE, mapping(tmp_path))

    assert report.outlier_count == 1
    assert (report.outliers[0].unit, report.outliers[0].month) == ("Spiky", "2022-07")
    assert report.outliers[0].line == 2 + len(quiet) + 30
    flagged = workspace.query(
        "SELECT u.name, o.value FROM observations o JOIN units u ON u.id = o.unit_id "
        "WHERE o.outlier = 1"
    )
    assert flagged == [{"name": "Spiky", "value": 5000.0}]
    assert workspace.scalar("SELECT COUNT(*) FROM observations") == 2 * len(quiet)


def test_a_busy_series_does_not_flag_its_ordinary_months(workspace, tmp_path):
    rng = np.random.default_rng(1)
    busy = rng.negative_binomial(2, 0.02, 120).astype(float).tolist()
    report = ingest_file(
        workspace,
        write_csv(tmp_path, series_rows({"Busy": busy}, 2010)),
        SOURCE,
        mapping(tmp_path),
    )
    assert report.outlier_count == 0


def test_a_zero_month_in_a_violent_series_is_flagged(workspace, tmp_path):
    violent = [800.0, 950.0, 1200.0, 700.0, 1000.0] * 6
    violent[17] = 0.0  # looks like missing data written as zero
    report = ingest_file(
        workspace,
        write_csv(tmp_path, series_rows({"War": violent})),
        SOURCE,
        mapping(tmp_path),
    )
    assert [(o.month, o.value) for o in report.outliers] == [("2021-06", 0.0)]


def test_outlier_flags_are_recomputed_over_the_whole_series(workspace, tmp_path):
    rules_ = mapping(tmp_path)
    ingest_file(
        workspace,
        write_csv(tmp_path, series_rows({"Mali": [0.0] * 24})),
        SOURCE,
        rules_,
    )
    later = series_rows({"Mali": [900.0]}, first_year=2022, first_month=1)
    report = ingest_file(
        workspace, write_csv(tmp_path, later, "later.csv"), SOURCE, rules_
    )
    assert report.outlier_count == 1
    assert workspace.scalar("SELECT SUM(outlier) FROM observations") == 1


# Forms of the month and other file kinds -------------------------------------------


def test_year_and_month_columns(workspace, tmp_path):
    text = MAPPING_TEXT.replace(
        'column = "month"', 'year_column = "y"\nmonth_column = "m"'
    )
    path = tmp_path / "ym.csv"
    path.write_text(
        "unit,code,region,y,m,deaths\nMali,MLI,Sahel,2021,12,4\nMali,MLI,Sahel,2022,1,0\n"
    )
    report = ingest_file(workspace, path, SOURCE, mapping(tmp_path, text))
    assert (report.first_month, report.last_month) == ("2021-12", "2022-01")


def test_views_month_ids(workspace, tmp_path):
    text = MAPPING_TEXT.replace('column = "month"', 'views_month_id = "month_id"')
    path = tmp_path / "views.csv"
    path.write_text(
        "unit,code,region,month_id,deaths\nMali,MLI,Sahel,121,4\nMali,MLI,Sahel,535,0\n"
    )
    report = ingest_file(workspace, path, SOURCE, mapping(tmp_path, text))
    assert (report.first_month, report.last_month) == ("1990-01", "2024-07")


def test_parquet_files_are_taken_too(workspace, tmp_path):
    pytest.importorskip("pyarrow")
    frame = pd.DataFrame(
        {
            "unit": ["Mali", "Mali", "Chad"],
            "code": ["MLI", "MLI", "TCD"],
            "region": ["Sahel"] * 3,
            "month": ["2021-01", "2021-02", "2021-01"],
            "deaths": [3, 0, 12],
        }
    )
    path = tmp_path / "data.parquet"
    frame.to_parquet(path)
    report = ingest_file(workspace, path, SOURCE, mapping(tmp_path))
    assert report.status == "accepted" and report.rows_read == 3
    assert workspace.scalar("SELECT SUM(value) FROM observations") == 15.0


def test_parquet_with_negative_counts_is_rejected_with_row_numbers(workspace, tmp_path):
    pytest.importorskip("pyarrow")
    frame = pd.DataFrame(
        {"unit": ["Mali"] * 3, "code": ["MLI"] * 3, "region": ["Sahel"] * 3,
         "month": ["2021-01", "2021-02", "2021-03"], "deaths": [3.0, -1.0, np.nan]}
    )  # fmt: skip
    path = tmp_path / "data.parquet"
    frame.to_parquet(path)
    with pytest.raises(IngestRejected) as error:
        ingest_file(workspace, path, SOURCE, mapping(tmp_path))
    found = {f.rule: f.lines for f in error.value.report.findings}
    assert found["negative_count"] == (2,)
    assert found["nan"] == (3,)
    assert "row 2" in str(error.value)


# Each integrity rule, in one pass --------------------------------------------------


def test_every_problem_is_reported_in_one_pass_with_line_numbers(workspace, tmp_path):
    body = (
        "Mali,MLI,Sahel,2020-01,1\n"  # line 2: fine
        "Mali,MLI,Sahel,2020-01,2\n"  # 3: duplicate
        "Mali,MLI,Sahel,2020-13,2\n"  # 4: impossible month
        "Mali,MLI,Sahel,2999-01,2\n"  # 5: future
        "Mali,MLI,Sahel,2020-03,-4\n"  # 6: negative count
        "Mali,MLI,Sahel,2020-04,many\n"  # 7: not a number
        "Mali,MLI,Sahel,2020-05,nan\n"  # 8: NaN
        "Mali,MLI,Sahel,2020-06,inf\n"  # 9: infinite
        "=cmd(),EVL,Sahel,2020-01,0\n"  # 10: formula injection
        ",MLI,Sahel,2020-07,0\n"  # 11: missing unit
        "Mali,MLI,Sahel,March,0\n"  # 12: month not a month
        "Mali,MLI,Sahel,2020-08,\n"  # 13: missing value
        f"{'x' * 300},XXX,Sahel,2020-01,0\n"  # 14: absurd name
    )
    with pytest.raises(IngestRejected) as error:
        ingest_file(workspace, write_csv(tmp_path, body), SOURCE, mapping(tmp_path))

    lines: dict[str, set[int]] = {}
    for finding in error.value.report.findings:
        lines.setdefault(finding.rule, set()).update(finding.lines)
    assert lines == {
        "duplicate": {3},
        "impossible_month": {4},
        "future_month": {5},
        "negative_count": {6},
        "type": {7, 12},
        "nan": {8},
        "infinite": {9},
        "formula_injection": {10},
        "missing_value": {11, 13},
        "field_size": {14},
    }
    assert workspace.scalar("SELECT COUNT(*) FROM observations") == 0


def test_months_after_the_current_one_are_future(workspace, tmp_path):
    now = dt.datetime(2024, 3, 15, tzinfo=dt.UTC)
    this_month = write_csv(tmp_path, series_rows({"Mali": [1]}, 2024, 3))
    assert (
        ingest_file(workspace, this_month, SOURCE, mapping(tmp_path), now=now).status
        == "accepted"
    )

    next_month = write_csv(tmp_path, series_rows({"Mali": [1]}, 2024, 4), "n.csv")
    with pytest.raises(IngestRejected, match="March 2024") as error:
        ingest_file(workspace, next_month, SOURCE, mapping(tmp_path), now=now)
    assert rules(error) == {"future_month"}


def test_unknown_units_are_refused_unless_the_mapping_allows_them(workspace, tmp_path):
    closed = MAPPING_TEXT.replace("create_unknown = true", "create_unknown = false")
    path = write_csv(tmp_path, series_rows({"Mali": [1, 2]}))
    with pytest.raises(IngestRejected, match="create_unknown") as error:
        ingest_file(workspace, path, SOURCE, mapping(tmp_path, closed))
    assert rules(error) == {"unknown_unit"}

    ingest_file(workspace, path, SOURCE, mapping(tmp_path))  # creates Mali
    later = write_csv(tmp_path, series_rows({"Mali": [1, 2, 3]}), "later.csv")
    assert (
        ingest_file(workspace, later, SOURCE, mapping(tmp_path, closed)).values_new == 1
    )


def test_gaps_are_warnings_with_the_line_after_the_gap(workspace, tmp_path):
    body = series_rows({"Mali": [1, 2]}) + series_rows({"Mali": [5]}, 2020, 6)
    report = ingest_file(
        workspace, write_csv(tmp_path, body), SOURCE, mapping(tmp_path)
    )
    gaps = [f for f in report.findings if f.rule == "gap"]
    assert report.status == "accepted"
    assert [(g.severity, g.lines) for g in gaps] == [("warning", (4,))]


def test_a_gap_against_what_the_workspace_holds_is_reported(workspace, tmp_path):
    rules_ = mapping(tmp_path)
    ingest_file(
        workspace, write_csv(tmp_path, series_rows({"Mali": [1, 2]})), SOURCE, rules_
    )
    later = write_csv(tmp_path, series_rows({"Mali": [3]}, 2020, 9), "later.csv")
    report = ingest_file(workspace, later, SOURCE, rules_)
    assert [f.rule for f in report.findings] == ["gap"]


def test_a_variable_held_with_another_tag_is_a_conflict(workspace, tmp_path):
    ingest_file(
        workspace,
        write_csv(tmp_path, series_rows({"Mali": [1]})),
        SOURCE,
        mapping(tmp_path),
    )
    other = MAPPING_TEXT.replace('tag = "stochastic"', 'tag = "deterministic"')
    path = write_csv(tmp_path, series_rows({"Mali": [1, 2]}), "b.csv")
    with pytest.raises(IngestRejected, match="holds deaths as stochastic") as error:
        ingest_file(workspace, path, SOURCE, mapping(tmp_path, other))
    assert rules(error) == {"variable_conflict"}


def test_blank_lines_are_skipped_with_a_warning(workspace, tmp_path):
    path = tmp_path / "blank.csv"
    path.write_text(HEADER + series_rows({"Mali": [1, 2]}) + "\n\n")
    report = ingest_file(workspace, path, SOURCE, mapping(tmp_path))
    assert report.rows_read == 2
    assert [f.rule for f in report.findings] == ["blank"]


def test_whitespace_around_fields_is_ignored(workspace, tmp_path):
    path = tmp_path / "spaced.csv"
    path.write_text(HEADER + " Mali , MLI ,Sahel, 2020-01 , 3 \n")
    ingest_file(workspace, path, SOURCE, mapping(tmp_path))
    assert workspace.unit_ids() == {"Mali": 1}
