"""Features: one definition gives the same values over a full history and a lookback."""

from __future__ import annotations

import numpy as np
import pytest

from engine.features import (
    DEFAULT_FEATURES,
    LOOKBACK_MONTHS,
    Panel,
    design_matrix,
    feature_definition,
)


def _panel(values: np.ndarray, first_month: int = 100) -> Panel:
    names = tuple(f"u{i}" for i in range(values.shape[0]))
    return Panel("x", np.arange(len(names)), names, first_month, values)


def test_a_lookback_panel_gives_the_same_features_as_the_full_history():
    rng = np.random.default_rng(3)
    values = np.where(rng.random((6, 150)) < 0.3, rng.poisson(4, (6, 150)), 0.0)
    full = _panel(values)
    origin = full.last_month - 7
    start = full.column(origin) - LOOKBACK_MONTHS + 1
    short = _panel(
        values[:, start : full.column(origin) + 1], origin - LOOKBACK_MONTHS + 1
    )

    expected = design_matrix(full, DEFAULT_FEATURES, [origin], range(1, 37))
    actual = design_matrix(short, DEFAULT_FEATURES, [origin], range(1, 37))
    np.testing.assert_array_equal(actual, expected)
    assert not np.isnan(actual).any()


def test_rows_are_unit_major_then_horizon():
    values = np.arange(2 * 40, dtype=float).reshape(2, 40)
    panel = _panel(values)
    matrix = design_matrix(
        panel, ("log_lag_1", "horizon"), [panel.last_month], [1, 2, 3]
    )
    assert matrix[:, 1].tolist() == [1, 2, 3, 1, 2, 3]
    assert matrix[:3, 0].tolist() == pytest.approx([np.log1p(39.0)] * 3)
    assert matrix[3:, 0].tolist() == pytest.approx([np.log1p(79.0)] * 3)


def test_a_missing_month_inside_a_window_makes_the_window_missing():
    values = np.ones((1, 40))
    values[0, 30] = np.nan
    panel = _panel(values)
    matrix = design_matrix(panel, ("log_sum_3", "log_sum_12"), [panel.last_month], [1])
    assert np.isnan(matrix[0, 1])  # month 30 is inside the last 12
    assert matrix[0, 0] == pytest.approx(np.log1p(3.0))


def test_months_since_event_is_capped_at_the_lookback():
    values = np.zeros((2, 80))
    values[0, 75] = 5.0
    panel = _panel(values)
    matrix = design_matrix(panel, ("months_since_event",), [panel.last_month], [1])
    assert matrix[:, 0].tolist() == [4.0, float(LOOKBACK_MONTHS)]


def test_an_unknown_feature_names_the_known_ones():
    with pytest.raises(KeyError, match="known features"):
        feature_definition("no_such_feature")


def test_a_lagging_unit_reads_its_features_at_its_own_last_month():
    rng = np.random.default_rng(5)
    values = np.where(rng.random((3, 60)) < 0.4, rng.poisson(6, (3, 60)), 0.0)
    panel = _panel(values)
    origin = panel.last_month
    lagging = values.copy()
    lagging[1, -2:] = np.nan  # unit 1's data end two months before the origin
    names = ("log_lag_1", "log_sum_12", "horizon", "target_month_sin")

    shifted = design_matrix(
        _panel(lagging), names, [origin], [1, 2], data_lags=np.array([0, 2, 0])
    )
    at_own_month = design_matrix(panel, names, [origin - 2], [3, 4])
    plain = design_matrix(panel, names, [origin], [1, 2])

    np.testing.assert_array_equal(shifted[2:4], at_own_month[2:4])
    np.testing.assert_array_equal(shifted[:2], plain[:2])
    np.testing.assert_array_equal(shifted[4:], plain[4:])
    # The forecast month is the same: origin + 1 read as March + 3 is still May.
    assert shifted[2, 3] == pytest.approx(plain[2, 3])


def test_window_sums_shared_by_features_follow_a_copied_panel():
    # Running sums are kept on the panel for the features that share them; a copy
    # with other values must not reuse them.
    import dataclasses

    ones = _panel(np.ones((2, 40)))
    names = ["log_sum_3", "log_sum_12"]
    first = design_matrix(ones, names, [ones.last_month], [1])
    zeros = dataclasses.replace(ones, values=np.zeros((2, 40)))
    second = design_matrix(zeros, names, [ones.last_month], [1])
    np.testing.assert_allclose(first, np.log1p([[3.0, 12.0], [3.0, 12.0]]))
    assert (second == 0).all()
