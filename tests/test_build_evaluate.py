"""Evaluation scores against small cases worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from engine.build.evaluate import (
    beats_every_baseline,
    history_draws,
    largest_group_gap,
    pit_histogram,
    rounded,
    score_draws,
    summarise_scores,
)


def _scores(outcomes, draws, seed=0):
    return score_draws(
        np.asarray(outcomes, float),
        np.asarray(draws, float),
        np.random.default_rng(seed),
    )


def test_crps_of_a_single_value_is_the_absolute_error():
    scores = _scores([3.0, 0.0], [[1.0], [4.0]])
    np.testing.assert_allclose(scores.crps, [2.0, 4.0])
    np.testing.assert_allclose(scores.crps_log, [np.log(4) - np.log(2), np.log(5)])


def test_crps_of_two_draws_matches_the_energy_form():
    # E|X - y| - E|X - X'| / 2, X uniform on {1, 5}, y = 3: E|X - y| = 2 and
    # E|X - X'| = (0 + 4 + 4 + 0) / 4 = 2, so the CRPS is 2 - 1 = 1.
    scores = _scores([3.0], [[1.0, 5.0]])
    assert scores.crps[0] == pytest.approx(1.0)


def test_msle_uses_the_median_and_brier_the_share_of_positive_draws():
    draws = [[0, 0, 0, 7, 7], [0, 1, 3, 3, 9]]
    scores = _scores([7.0, 0.0], draws)
    np.testing.assert_allclose(scores.msle, [np.log(8) ** 2, np.log(4) ** 2])
    np.testing.assert_allclose(scores.brier, [(0.4 - 1) ** 2, 0.8**2])


def test_hdi_coverage_counts_outcomes_inside_the_intervals():
    draws = np.array([np.arange(100.0), np.zeros(100)])
    # 90% HDI of 0..99 spans 90 positions: [0, 90]; of all zeros: [0, 0].
    scores = _scores([95.0, 0.0], draws)
    assert scores.coverage90.tolist() == [0.0, 1.0]
    assert scores.interval_above_zero.tolist() == [True, False]
    scores = _scores([90.0, 1.0], draws)
    assert scores.coverage90.tolist() == [1.0, 0.0]
    assert scores.coverage50.tolist() == [0.0, 0.0]


def test_randomised_pit_falls_within_the_outcomes_step_of_the_cdf():
    draws = np.tile([0.0, 0.0, 0.0, 2.0, 4.0], (200, 1))
    outcomes = np.zeros(200)
    scores = _scores(outcomes, draws)
    assert ((scores.pit >= 0) & (scores.pit <= 0.6)).all()
    assert scores.pit.std() > 0.1  # spread across the step, not a point
    assert _scores([4.0], [[0.0, 0, 0, 2, 4]]).pit[0] >= 0.8
    assert _scores([9.0], [[0.0, 0, 0, 2, 4]]).pit[0] == 1.0


def test_pit_histogram_is_flat_for_a_calibrated_forecast():
    rng = np.random.default_rng(4)
    draws = rng.poisson(5.0, size=(4000, 200)).astype(float)
    outcomes = rng.poisson(5.0, size=4000).astype(float)
    shares = pit_histogram(_scores(outcomes, draws))
    assert len(shares) == 10 and sum(shares) == pytest.approx(1.0)
    assert max(shares) < 0.13 and min(shares) > 0.07


def test_history_draws_are_evenly_spaced_observed_values():
    history = np.array([np.nan, 0.0, 0.0, 5.0, 1.0])
    draws = history_draws(history, draws=8)
    assert sorted(set(draws.tolist())) == [0.0, 1.0, 5.0]
    assert draws.tolist() == [0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 5.0, 5.0]
    assert history_draws(np.array([np.nan]), draws=3).tolist() == [0.0, 0.0, 0.0]


def test_summaries_by_horizon_and_group_and_the_largest_gap():
    outcomes = np.array([0.0, 0.0, 5.0, 5.0])
    model = _scores(outcomes, [[0.0], [0.0], [5.0], [0.0]])
    zeros = _scores(outcomes, np.zeros((4, 1)))
    summary = summarise_scores(
        {"model": model, "zeros": zeros},
        horizons=np.array([1, 2, 1, 2]),
        groups=np.array(["a", "a", "b", "c"], dtype=object),
    )
    assert summary["overall"]["model"]["crps"] == pytest.approx(5 / 4)
    assert summary["overall"]["zeros"]["crps"] == pytest.approx(10 / 4)
    assert summary["beats_every_baseline"] is True
    horizon1 = summary["by_horizon"][0]
    assert horizon1["horizon"] == 1 and horizon1["model"]["crps"] == 0.0
    groups = {entry["group"]: entry for entry in summary["by_group"]}
    assert groups["b"]["model"]["coverage90"] == 1.0
    assert groups["c"]["model"]["coverage90"] == 0.0
    gap = summary["largest_group_gap"]["coverage90"]
    assert (gap["worst_group"], gap["best_group"], gap["gap"]) == ("c", "a", 1.0)


def test_the_model_must_beat_each_baseline_on_both_crps_scales():
    overall = {
        "model": {"crps": 1.0, "crps_log": 0.5},
        "zeros": {"crps": 2.0, "crps_log": 0.4},
    }
    assert beats_every_baseline(overall) is False
    overall["zeros"]["crps_log"] = 0.6
    assert beats_every_baseline(overall) is True


def test_largest_gap_needs_two_groups():
    assert largest_group_gap([{"group": "a", "crps_skill": 0.2, "model": {}}]) == {}


def test_rounding_gives_json_ready_values():
    value = {"a": np.float32(0.1234567891), "b": [np.int64(3), float("nan")]}
    assert rounded(value) == {"a": 0.123457, "b": [3, None]}


def test_the_card_names_the_horizons_where_a_baseline_does_better():
    from engine.build.card import _horizons_behind_a_baseline

    def row(horizon, model, zeros):
        return {"horizon": horizon, "model": {"crps": model}, "zeros": {"crps": zeros}}

    evaluation = {
        "by_horizon": [
            row(1, 1.0, 2.0),
            row(2, 3.0, 2.0),
            row(3, 3.0, 2.0),
            row(4, 3.0, 2.0),
            row(5, 1.0, 2.0),
            row(6, 3.0, 2.0),
        ]
    }
    assert _horizons_behind_a_baseline(evaluation) == "2-4, 6"
    assert _horizons_behind_a_baseline({"by_horizon": [row(1, 1.0, 2.0)]}) == ""
