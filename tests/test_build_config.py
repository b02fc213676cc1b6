"""BUNDLE.toml: the examples parse, and every mistake is reported at once, clearly."""

from __future__ import annotations

import copy

import pytest
from build_support import CM_CONFIG, DEMO_CONFIG, raw_config

from engine.build.config import DEFAULT_HORIZONS, load_config, parse_config
from engine.errors import BuildError


def test_the_example_configurations_parse():
    cm = load_config(CM_CONFIG)
    assert cm.model_line == "cm-sb" and cm.draws == 1000
    assert cm.horizons == DEFAULT_HORIZONS
    assert cm.samples_per_leaf * cm.ensemble.trees == cm.draws
    assert [s.name for s in cm.sources] == ["ucdp_ged_cm"]
    assert "CC BY-NC 4.0" in cm.card.licence

    demo = load_config(DEMO_CONFIG)
    assert demo.card.synthetic is True
    assert [s.name for s in demo.sources] == ["synthetic-demo"]
    assert "neighbour_log_sum_12" in demo.features
    assert demo.horizons == DEFAULT_HORIZONS  # the default: 1 to 36


def test_every_problem_is_listed_in_one_error():
    data = copy.deepcopy(raw_config(DEMO_CONFIG))
    data["model"]["release"] = 0
    data["model"]["draws"] = 1001
    data["model"]["line"] = "has space"
    data["features"]["names"] = ["log_lag_1", "no_such_feature"]
    data["sources"][0]["max_staleness_months"] = "two"
    data["card"]["contacts"] = []
    with pytest.raises(BuildError) as caught:
        parse_config(data)
    message = str(caught.value)
    assert "6 problem(s)" in message
    for expected in (
        "model.release must be at least 1",
        "multiple of ensemble.trees",
        "model.line may hold only",
        "unknown feature(s) no_such_feature",
        "sources[1].max_staleness_months must be a whole number",
        "card.contacts must name",
    ):
        assert expected in message


@pytest.mark.parametrize(
    ("table", "key", "value", "expected"),
    [
        ("model", "horizons", [3, 1], "increasing"),
        ("model", "horizons", [0, 1], "between 1 and 120"),
        ("model", "horizons", "1..36", "list of whole numbers"),
        ("features", "max_missing_share", 1.5, "between 0.0 and 1.0"),
        ("training", "first_month", "1990-13", "01 to 12"),
        ("ensemble", "kind", "boosting", "ensemble.kind"),
        ("ensemble", "trees", True, "whole number"),
        ("seeds", "forest", -1, "seeds.forest"),
        ("holdout", "calibration_periods", 0, "holdout.calibration_periods"),
    ],
)
def test_a_bad_value_names_its_key(table, key, value, expected):
    data = copy.deepcopy(raw_config(DEMO_CONFIG))
    data.setdefault(table, {})[key] = value
    with pytest.raises(BuildError, match="problem"):
        parse_config(data)
    with pytest.raises(BuildError) as caught:
        parse_config(data)
    assert expected in str(caught.value)


def test_missing_tables_are_named():
    with pytest.raises(BuildError) as caught:
        parse_config({})
    message = str(caught.value)
    for table in ("[model]", "[features]", "[card]", "[[sources]]"):
        assert table in message


def test_a_missing_or_broken_file_says_what_to_do(tmp_path):
    with pytest.raises(BuildError, match="does not exist"):
        load_config(tmp_path / "nope.toml")
    broken = tmp_path / "BUNDLE.toml"
    broken.write_text("[model\nline = 1")
    with pytest.raises(BuildError, match="not valid TOML"):
        load_config(broken)
