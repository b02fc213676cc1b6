"""The gate's rules at their boundaries: at the limit passes, one step past blocks."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pytest

from engine import drift, gate
from engine.decision import Severity, Verdict
from engine.errors import GateError
from engine.spec import DriftLimits, SourceSpec
from tests.gate_support import (
    NOW,
    ORIGIN,
    SOURCE,
    make_inputs,
    make_spec,
    stochastic,
    unit_names,
    with_last_month,
    with_values,
)

UNIT = "Unit 00001"


def codes(decision, unit=None):
    reasons = decision.all_reasons() if unit is None else decision.reasons_for(unit)
    return sorted(reason.code for reason in reasons)


def blocking_codes(decision, unit):
    return sorted(
        r.code for r in decision.reasons_for(unit) if r.severity is Severity.BLOCK
    )


def test_clean_inputs_pass():
    decision = gate.check(make_inputs(units=200))
    assert decision.verdict is Verdict.PASS, decision.all_reasons()
    assert len(decision.drift) == 5
    assert all(measure.status == "ok" for measure in decision.drift)


# Stale data --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("staleness", "months_behind", "blocked"),
    [(2, 2, False), (2, 3, True), (0, 0, False), (0, 1, True), (6, 6, False)],
)
def test_stale_data_blocks_only_that_unit(staleness, months_behind, blocked):
    inputs = make_inputs(make_spec(staleness=staleness))
    inputs = with_last_month(inputs, UNIT, ORIGIN - months_behind)
    decision = gate.evaluate(inputs)
    assert decision.unit_blocked(UNIT) is blocked
    assert not decision.run_blocked
    assert not decision.unit_blocked("Unit 00002")
    if blocked:
        (reason,) = decision.unit_reasons[UNIT]
        assert reason.code == gate.STALE_DATA
        assert reason.source == SOURCE
        assert reason.measured == f"{months_behind} months"
        assert reason.limit == f"{staleness} months"


def test_stale_message_names_the_unit_the_month_and_what_to_import():
    inputs = with_last_month(make_inputs(), UNIT, ORIGIN - 3)
    (reason,) = gate.evaluate(inputs).unit_reasons[UNIT]
    assert reason.message == (
        "Data from source 'ucdp' for Unit 00001 ends in March 2024; this model needs "
        "data up to at least April 2024 for a forecast from June 2024. Import the "
        "April 2024 data package or sync."
    )


def test_a_unit_with_no_data_at_all_is_stale():
    inputs = with_last_month(make_inputs(), UNIT, None)
    (reason,) = gate.evaluate(inputs).unit_reasons[UNIT]
    assert reason.code == gate.STALE_DATA
    assert reason.measured == "no data"


def test_a_source_stale_for_every_unit_blocks_the_run_with_one_reason():
    inputs = make_inputs(last=ORIGIN - 3)
    decision = gate.evaluate(inputs)
    assert decision.run_blocked
    assert codes(decision).count(gate.STALE_SOURCE) == 1
    assert gate.STALE_DATA not in codes(decision)
    assert decision.verdict is Verdict.BLOCK


def test_a_source_fresh_for_one_unit_does_not_block_the_run():
    inputs = make_inputs(last=ORIGIN - 3)
    inputs = with_last_month(inputs, UNIT, ORIGIN)
    decision = gate.evaluate(inputs)
    assert not decision.run_blocked
    assert not decision.unit_blocked(UNIT)
    assert decision.unit_blocked("Unit 00002")


def test_staleness_hides_the_missing_values_it_causes():
    inputs = with_last_month(make_inputs(), UNIT, ORIGIN - 5)
    inputs = with_values(inputs, 1, 0, np.nan)
    inputs = with_values(inputs, 1, 1, np.nan)
    assert codes(gate.evaluate(inputs), UNIT) == [gate.STALE_DATA]


def test_a_source_without_a_staleness_limit_is_a_gate_error():
    spec = make_spec(features=(stochastic("a", sources=("elsewhere",)),))
    with pytest.raises(GateError, match="elsewhere"):
        gate.evaluate(make_inputs(spec))


# Out of spec ------------------------------------------------------------------------


def test_a_missing_required_value_blocks_only_that_unit():
    inputs = with_values(make_inputs(), 1, 0, np.nan)
    decision = gate.evaluate(inputs)
    assert blocking_codes(decision, UNIT) == [gate.MISSING_FEATURE]
    (reason,) = decision.unit_reasons[UNIT]
    assert reason.feature == "log_lag_1"
    assert not decision.unit_blocked("Unit 00000")


def test_a_missing_value_where_the_model_tolerates_some_passes():
    inputs = with_values(make_inputs(), 1, 2, np.nan)  # share_active allows 20%
    assert not gate.evaluate(inputs).unit_blocked(UNIT)


@pytest.mark.parametrize(("missing", "blocked"), [(12, False), (13, True)])
def test_missing_share_over_the_limit_blocks_the_run(missing, blocked):
    inputs = make_inputs(units=60)  # share_active allows 20%: 12 of 60
    for row in range(missing):
        inputs = with_values(inputs, row, 2, np.nan)
    decision = gate.evaluate(inputs)
    assert decision.run_blocked is blocked
    assert (gate.MISSING_SHARE in codes(decision)) is blocked


def test_stale_units_are_left_out_of_the_missing_share():
    inputs = make_inputs(units=60)
    for row in range(20):  # 20 of 60 missing, but 10 of them are stale
        inputs = with_values(inputs, row, 2, np.nan)
    for row in range(10):
        inputs = with_last_month(inputs, f"Unit {row:05d}", ORIGIN - 3)
    decision = gate.evaluate(inputs)  # 10 of 50 = 20%: at the limit
    assert gate.MISSING_SHARE not in codes(decision)


@pytest.mark.parametrize("value", [np.inf, -np.inf])
def test_an_infinite_value_blocks_the_unit(value):
    inputs = with_values(make_inputs(), 1, 0, value)
    decision = gate.evaluate(inputs)
    assert blocking_codes(decision, UNIT) == [gate.NON_FINITE]
    assert not decision.unit_blocked("Unit 00002")


@pytest.mark.parametrize(
    ("column", "value", "blocked"),
    [
        (0, 20.0, False),  # log_lag_1 accepts 0 to 20
        (0, float(np.nextafter(np.float32(20.0), np.float32(30.0))), True),
        (0, 0.0, False),
        (0, float(np.nextafter(np.float32(0.0), np.float32(-1.0))), True),
        (2, 1.0, False),  # share_active accepts 0 to 1
        (2, float(np.nextafter(np.float32(1.0), np.float32(2.0))), True),
    ],
)
def test_values_out_of_range_block_the_unit(column, value, blocked):
    inputs = with_values(make_inputs(), 1, column, value)
    decision = gate.evaluate(inputs)
    assert decision.unit_blocked(UNIT) is blocked
    if blocked:
        (reason,) = decision.unit_reasons[UNIT]
        assert reason.code == gate.OUT_OF_RANGE
        assert reason.feature == inputs.manifest.input_spec.features[column].name


def test_open_ended_ranges_accept_any_finite_value():
    spec = make_spec(features=(stochastic("a", minimum=None, maximum=None),))
    inputs = with_values(make_inputs(spec), 1, 0, -1e30)
    assert not gate.evaluate(inputs).unit_blocked(UNIT)


def test_a_unit_not_in_the_workspace_is_blocked_with_one_reason():
    inputs = make_inputs()
    inputs = replace(inputs, known_units=inputs.known_units - {UNIT})
    inputs = with_values(inputs, 1, 0, np.nan)
    decision = gate.evaluate(inputs)
    (reason,) = decision.unit_reasons[UNIT]
    assert reason.code == gate.UNKNOWN_UNIT
    assert "not a unit in this workspace" in reason.message


def test_a_unit_the_model_was_not_built_for_is_blocked():
    names = tuple(f"Unit {i:05d}" for i in range(120))
    spec = make_spec(units=tuple(n for n in names if n != UNIT))
    decision = gate.evaluate(make_inputs(spec, names))
    (reason,) = decision.unit_reasons[UNIT]
    assert reason.code == gate.UNKNOWN_UNIT
    assert "not built for" in reason.message
    assert not decision.unit_blocked("Unit 00002")


@pytest.mark.parametrize(
    "matrix",
    [
        lambda m: m.astype(np.float64),
        lambda m: m[:-1],
        lambda m: m[:, :-1],
        lambda m: m.reshape(-1),
    ],
)
def test_a_matrix_of_the_wrong_type_or_shape_blocks_the_run(matrix):
    inputs = make_inputs()
    inputs = replace(inputs, features=matrix(inputs.features))
    decision = gate.evaluate(inputs)
    assert decision.run_blocked
    assert codes(decision) == [gate.WRONG_TYPE]


def test_a_fractional_value_for_a_whole_number_feature_blocks_the_unit():
    spec = make_spec()
    features = list(spec.features)
    features[0] = replace(features[0], dtype="int32")
    spec = replace(spec, features=tuple(features))
    inputs = make_inputs(spec)
    matrix = inputs.features.copy()
    matrix[:, 0] = np.round(matrix[:, 0])
    matrix[3:6, 0] = 1.5
    decision = gate.evaluate(replace(inputs, features=matrix))
    assert [r.code for r in decision.unit_reasons[UNIT]] == [gate.WRONG_TYPE]
    assert "Unit 00000" not in decision.unit_reasons


def test_a_feature_type_fieldcast_cannot_supply_blocks_the_run():
    spec = make_spec()
    spec = replace(
        spec, features=(replace(spec.features[0], dtype="text"), *spec.features[1:])
    )
    assert codes(gate.evaluate(make_inputs(spec))) == [gate.WRONG_TYPE]


# Drift -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("psi", "ks", "status"),
    [
        (0.1, 0.1, drift.OK),
        (float(np.nextafter(0.1, 1)), 0.0, drift.WARNING),
        (0.0, float(np.nextafter(0.1, 1)), drift.WARNING),
        (0.25, 0.2, drift.WARNING),
        (float(np.nextafter(0.25, 1)), 0.0, drift.DRIFTED),
        (0.0, float(np.nextafter(0.2, 1)), drift.DRIFTED),
    ],
)
def test_drift_classification_at_its_limits(psi, ks, status):
    assert drift.classify(psi, ks, DriftLimits()) == status


def _shift(inputs, columns, amount=30.0):
    matrix = inputs.features.copy()
    matrix[:, columns] += amount
    return replace(inputs, features=matrix)


def _drift_spec(max_share):
    features = tuple(stochastic(f"f{i}", minimum=None, maximum=None) for i in range(4))
    return make_spec(features=features, drift=DriftLimits(max_drifted_share=max_share))


@pytest.mark.parametrize(
    ("drifted", "max_share", "blocked"),
    [(1, 0.25, False), (2, 0.25, True), (2, 0.5, False), (3, 0.5, True)],
)
def test_drift_in_more_than_the_allowed_share_blocks_the_run(
    drifted, max_share, blocked
):
    inputs = _shift(
        make_inputs(_drift_spec(max_share), units=200), list(range(drifted))
    )
    decision = gate.evaluate(inputs)
    assert decision.run_blocked is blocked
    assert [m.status for m in decision.drift] == (
        ["drifted"] * drifted + ["ok"] * (4 - drifted)
    )
    if blocked:
        assert codes(decision) == [gate.DRIFT]
    else:
        assert codes(decision) == [gate.DRIFT_WARNING] * drifted
        assert decision.verdict is Verdict.WARN


def test_drift_is_measured_for_every_feature_but_judged_on_stochastic_ones():
    inputs = make_inputs(units=200)
    matrix = inputs.features.copy()
    matrix[:, 4] = 1.0  # every row says horizon 1: far from the reference
    decision = gate.evaluate(replace(inputs, features=matrix))
    horizon = decision.drift[4]
    assert horizon.feature == "horizon"
    assert horizon.ks > 0.5
    assert horizon.status == "ok"
    assert not decision.run_blocked


def test_drift_is_not_judged_on_a_handful_of_units():
    inputs = _shift(
        make_inputs(_drift_spec(0.25), units=gate.MIN_DRIFT_UNITS - 1), [0, 1]
    )
    decision = gate.evaluate(inputs)
    assert not decision.run_blocked
    assert codes(decision) == [gate.DRIFT_NOT_CHECKED]
    inputs = _shift(make_inputs(_drift_spec(0.25), units=gate.MIN_DRIFT_UNITS), [0, 1])
    assert gate.evaluate(inputs).run_blocked


# The bundle and the clock ---------------------------------------------------------

VALID_FROM = dt.datetime(2024, 7, 1, tzinfo=dt.UTC)
VALID_UNTIL = dt.datetime(2025, 6, 30, tzinfo=dt.UTC)
TICK = dt.timedelta(microseconds=1)


@pytest.mark.parametrize(
    ("now", "code"),
    [
        (VALID_FROM, None),
        (VALID_FROM - TICK, gate.BUNDLE_NOT_YET_VALID),
        (VALID_UNTIL, None),
        (VALID_UNTIL + TICK, gate.BUNDLE_EXPIRED),
    ],
)
def test_validity_span_at_its_ends(now, code):
    decision = gate.evaluate(make_inputs(now=now))
    assert codes(decision) == ([] if code is None else [code])
    assert decision.run_blocked is (code is not None)


def test_a_date_only_valid_until_holds_through_that_day():
    inputs = make_inputs()
    inputs = replace(
        inputs, manifest=replace(inputs.manifest, valid_until="2025-06-30")
    )
    last = dt.datetime(2025, 6, 30, 23, 59, 59, 999999, tzinfo=dt.UTC)
    assert not gate.evaluate(replace(inputs, now=last)).run_blocked
    assert gate.evaluate(replace(inputs, now=last + TICK)).run_blocked


def test_unreadable_validity_blocks():
    inputs = make_inputs()
    inputs = replace(inputs, manifest=replace(inputs.manifest, valid_until="soon"))
    assert codes(gate.evaluate(inputs)) == [gate.BUNDLE_VALIDITY_UNREADABLE]


def test_a_clock_behind_the_floor_is_reported_and_the_floor_is_used():
    # The clock says the bundle is valid; the floor says it has expired.
    inputs = make_inputs(now=NOW, time_floor=VALID_UNTIL + TICK)
    decision = gate.evaluate(inputs)
    assert codes(decision) == [gate.BUNDLE_EXPIRED, gate.CLOCK_BEHIND_FLOOR]
    clock = next(r for r in decision.run_reasons if r.code == gate.CLOCK_BEHIND_FLOOR)
    assert clock.severity is Severity.WARNING


def test_a_clock_behind_the_floor_cannot_make_a_bundle_not_yet_valid():
    inputs = make_inputs(now=VALID_FROM - dt.timedelta(days=5), time_floor=NOW)
    decision = gate.evaluate(inputs)
    assert codes(decision) == [gate.CLOCK_BEHIND_FLOOR]
    assert decision.verdict is Verdict.WARN


def test_a_clock_exactly_at_the_floor_is_fine():
    assert codes(gate.evaluate(make_inputs(now=NOW, time_floor=NOW))) == []


@pytest.mark.parametrize(
    ("highest", "blocked"), [(None, False), (2, False), (3, False), (4, True)]
)
def test_a_release_lower_than_one_seen_blocks(highest, blocked):
    inputs = make_inputs()  # release 3
    status = replace(inputs.bundle_status, highest_release_seen=highest)
    decision = gate.evaluate(replace(inputs, bundle_status=status))
    assert decision.run_blocked is blocked
    assert (gate.RELEASE_ROLLBACK in codes(decision)) is blocked


def test_a_revoked_bundle_blocks_with_the_reason():
    inputs = make_inputs()
    status = replace(inputs.bundle_status, revoked="wrong training data")
    (reason,) = gate.evaluate(replace(inputs, bundle_status=status)).run_reasons
    assert reason.code == gate.BUNDLE_REVOKED
    assert "wrong training data" in reason.message


def test_a_modified_bundle_blocks_with_what_was_found():
    inputs = make_inputs()
    status = replace(
        inputs.bundle_status, files_intact=False, problems=("model.onnx changed",)
    )
    (reason,) = gate.evaluate(replace(inputs, bundle_status=status)).run_reasons
    assert reason.code == gate.BUNDLE_MODIFIED
    assert "model.onnx changed" in reason.message


def test_every_reason_has_a_code_a_limit_and_one_plain_sentence():
    inputs = make_inputs(
        now=VALID_UNTIL + TICK,
        time_floor=VALID_UNTIL + 2 * TICK,
        bundle_status=gate.BundleStatus("test", False, 9, ("x",)),
    )
    inputs = with_last_month(inputs, UNIT, ORIGIN - 9)
    inputs = with_values(inputs, 2, 0, np.inf)
    inputs = with_values(inputs, 3, 1, 99.0)
    inputs = with_values(inputs, 4, 0, np.nan)
    inputs = replace(inputs, known_units=inputs.known_units - {"Unit 00005"})
    decision = gate.evaluate(inputs)
    assert len(decision.all_reasons()) >= 9
    for reason in decision.all_reasons():
        assert reason.code and reason.measured
        assert reason.message.endswith(".")
        assert reason.message.count(". ") <= 1  # one sentence (maybe with "Import")
        assert "\n" not in reason.message


# The self-test ----------------------------------------------------------------------


def test_self_test_passes_when_every_detector_fires():
    assert gate.self_test(make_spec()) == []


def test_self_test_passes_on_a_spec_that_lists_its_units():
    """Built bundles list their units; the self-test's synthetic units are not them."""
    spec = make_spec(units=unit_names(150))
    assert gate.self_test(spec) == []


def test_a_spec_that_lists_its_units_passes_clean_inputs_and_still_checks_units():
    names = unit_names(150)
    spec = make_spec(units=names[:-1])
    gate.forget_self_tests()
    try:
        decision = gate.check(make_inputs(spec, names))
    finally:
        gate.forget_self_tests()
    assert not decision.run_blocked, decision.all_reasons()
    assert all(r.code != gate.SELF_TEST_FAILED for r in decision.all_reasons())
    assert [unit for unit in names if decision.unit_blocked(unit)] == [names[-1]]


def test_self_test_passes_on_a_spec_without_ranges_or_tolerated_missing():
    features = (
        stochastic("a", minimum=None, maximum=None),
        stochastic("b", minimum=None, maximum=None),
    )
    spec = make_spec(
        features=features,
        extra_sources=(SourceSpec("unused", 1),),
        drift=DriftLimits(max_drifted_share=0.5),
    )
    assert gate.self_test(spec) == []


@pytest.mark.parametrize(
    ("target", "broken", "what"),
    [
        ("engine.gate.drift.classify", lambda *args: "ok", "drift in many inputs"),
        ("engine.gate._Matrix._stale_reason", None, "stale data for one unit"),
        ("engine.gate._bundle_and_time_reasons", lambda inputs: [], "an expired model"),
    ],
)
def test_a_broken_detector_makes_the_self_test_and_the_gate_block(
    monkeypatch, target, broken, what
):
    if broken is None:
        # A stale-data detector that stays silent: no unit is ever stale.
        monkeypatch.setattr(
            "engine.gate._Matrix._staleness",
            _silent_staleness(gate._Matrix._staleness),
        )
    else:
        monkeypatch.setattr(target, broken)
    failures = gate.self_test(make_spec())
    assert failures
    assert all(r.code == gate.SELF_TEST_FAILED for r in failures)
    assert what in [r.measured for r in failures]

    gate.forget_self_tests()
    try:
        decision = gate.check(make_inputs(units=200))
        assert decision.run_blocked
        assert gate.SELF_TEST_FAILED in codes(decision)
    finally:
        gate.forget_self_tests()


def _silent_staleness(original):
    def staleness(self):
        original(self)
        for source in self.stale_by_source:
            self.stale_by_source[source][:] = False
        self.stale_source_reasons = []
        self.run_stale_sources = set()

    return staleness


def test_the_self_test_blocks_when_clean_reference_data_fails_the_checks():
    # A reference far outside the feature's own allowed range.
    spec = make_spec(
        features=(stochastic("a", sample=np.full(100, 50.0), maximum=20.0),)
    )
    failures = gate.self_test(spec)
    assert "clean inputs" in [r.measured for r in failures]


def test_a_broken_drift_measure_makes_the_self_test_fail(monkeypatch):
    """The self-test reuses measures between probes, yet still catches a bad measure."""

    def measure_nothing(columns, references):
        return [(0.0, 0.0, 0.0)] * len(columns)

    monkeypatch.setattr("engine.gate.drift.measure_all", measure_nothing)
    failures = gate.self_test(make_spec())
    assert "drift in many inputs" in [r.measured for r in failures]


@pytest.mark.parametrize("row", [0, 31, 32, 63, 64, 95, 96, 99])
def test_problem_values_are_found_wherever_the_unit_lies(row):
    # 100 units: whole blocks of units end at 31, 63 and 95, the rest is a part block.
    inputs = make_inputs(units=100)
    unit = inputs.units[row]
    for column, value, code in [
        (0, np.nan, gate.MISSING_FEATURE),
        (1, np.inf, gate.NON_FINITE),
        (1, 99.0, gate.OUT_OF_RANGE),
        (2, -1.0, gate.OUT_OF_RANGE),
    ]:
        decision = gate.evaluate(with_values(inputs, row, column, value))
        assert sorted(decision.unit_reasons) == [unit]
        assert [r.code for r in decision.unit_reasons[unit]] == [code]


def test_problem_values_in_most_units_are_all_found():
    inputs = make_inputs(units=100)
    matrix = inputs.features.copy()
    bad_rows = list(range(0, 100, 3)) + list(range(1, 100, 3))  # 67 units
    for row in bad_rows:
        matrix[row * 3 : row * 3 + 3, 1] = 99.0
    decision = gate.evaluate(replace(inputs, features=matrix))
    blocked = [unit for unit in inputs.units if decision.unit_blocked(unit)]
    assert blocked == [inputs.units[row] for row in sorted(bad_rows)]
    (reason,) = decision.unit_reasons[inputs.units[1]]
    assert reason.code == gate.OUT_OF_RANGE
    assert reason.measured == "99"
