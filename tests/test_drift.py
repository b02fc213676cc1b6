"""Drift statistics against a reference kept as bins and 101 quantiles."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from engine import drift
from engine.drift import ks_statistic, psi, reference_from_values, wasserstein
from engine.spec import ReferenceDistribution

UNIFORM = tuple(np.linspace(0.0, 1.0, 101))


def test_psi_is_zero_for_the_reference_shares():
    values = np.concatenate([np.full(30, -1.0), np.full(50, 0.5), np.full(20, 3.0)])
    assert psi(values, (0.0, 1.0), (0.3, 0.5, 0.2)) == pytest.approx(0.0, abs=1e-12)


def test_psi_by_hand_and_values_on_an_edge_fall_in_the_lower_bin():
    values = np.array([0.0, 0.0, 0.0, 2.0])  # edges (1.0,): 0.0 below, 2.0 above
    current, reference = np.array([0.75, 0.25]), np.array([0.5, 0.5])
    expected = float(np.sum((current - reference) * np.log(current / reference)))
    assert psi(values, (1.0,), (0.5, 0.5)) == pytest.approx(expected)
    assert psi(np.array([1.0, 2.0]), (1.0,), (0.5, 0.5)) == pytest.approx(0.0)


def test_psi_of_an_empty_bin_is_large_but_finite():
    value = psi(np.full(100, 5.0), (1.0,), (1.0, 0.0))
    assert math.isfinite(value)
    assert value > 5


def test_ks_against_a_uniform_reference_equals_scipy():
    values = np.random.default_rng(3).uniform(-0.2, 1.1, 500)
    expected = stats.kstest(values, "uniform").statistic
    assert ks_statistic(values, UNIFORM) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("kind", ["normal", "zero_heavy", "integers"])
def test_ks_and_wasserstein_are_close_to_scipy_on_the_full_sample(kind):
    rng = np.random.default_rng(5)

    def sample(size):
        if kind == "normal":
            return rng.normal(size=size)
        if kind == "zero_heavy":
            return np.log1p(np.where(rng.random(size) < 0.6, 0, rng.pareto(1.5, size)))
        return rng.integers(0, 6, size).astype(float)

    training, current = sample(100_000), sample(2_000) + 0.2
    reference = reference_from_values(training)
    ks_full = stats.ks_2samp(current, training).statistic
    # Documented bound: the quantile reference moves the CDF by at most 0.01.
    assert abs(ks_statistic(current, reference.quantiles) - ks_full) <= 0.0101
    w_full = stats.wasserstein_distance(current, training)
    assert wasserstein(current, reference.quantiles) == pytest.approx(w_full, rel=0.1)


def test_wasserstein_of_a_shift_is_the_shift():
    levels = (np.arange(100_000) + 0.5) / 100_000
    assert wasserstein(levels + 0.3, UNIFORM) == pytest.approx(0.3, abs=1e-4)
    assert wasserstein(levels, UNIFORM) == pytest.approx(0.0, abs=1e-4)


def test_point_masses_are_handled():
    reference = reference_from_values(np.concatenate([np.zeros(700), np.ones(300)]))
    same = np.concatenate([np.zeros(70), np.ones(30)])
    assert ks_statistic(same, reference.quantiles) <= 0.01 + 1e-12
    assert psi(same, reference.bin_edges, reference.bin_shares) < 1e-9
    all_ones = np.ones(100)
    assert ks_statistic(all_ones, reference.quantiles) == pytest.approx(0.7, abs=0.011)


def test_empty_current_values_measure_zero():
    reference = reference_from_values(np.arange(10.0))
    assert drift.measure(np.array([np.nan]), reference) == (0.0, 0.0, 0.0)


def _batch():
    """Columns of several kinds and sizes, float32 and float64, one of them empty."""
    rng = np.random.default_rng(11)
    zero_heavy = np.log1p(np.where(rng.random(5_000) < 0.6, 0, rng.pareto(1.5, 5_000)))
    references = [
        reference_from_values(zero_heavy),
        reference_from_values(rng.normal(size=3_000), bins=7),
        reference_from_values(rng.integers(0, 6, 2_000).astype(float)),
        reference_from_values(np.full(50, 2.0)),
        reference_from_values(zero_heavy),
    ]
    columns = [
        zero_heavy[:300].astype(np.float32),
        rng.normal(0.3, 1.2, 257),
        rng.integers(0, 8, 1_000).astype(np.float32),
        np.array([2.0]),
        np.array([], dtype=np.float32),
    ]
    return columns, references


def test_features_measured_together_match_each_measured_alone():
    columns, references = _batch()
    together = drift.measure_all(columns, references)
    alone = [drift.measure(c, r) for c, r in zip(columns, references, strict=True)]
    assert together == alone  # to the bit
    assert together[-1] == (0.0, 0.0, 0.0)
    # The order of the features changes nothing.
    assert drift.measure_all(columns[::-1], references[::-1]) == together[::-1]


def test_ks_of_features_measured_together_equals_scipy():
    rng = np.random.default_rng(2)
    spans = [(0.0, 1.0), (-3.0, 5.0), (10.0, 10.5)]
    # Uniform references, one kept as 51 quantiles instead of 101.
    counts = [101, 51, 101]
    references = [
        ReferenceDistribution(tuple(np.linspace(low, high, count)), (), (1.0,), 1)
        for (low, high), count in zip(spans, counts, strict=True)
    ]
    columns = [rng.uniform(low - 0.5, high + 0.2, 400) for low, high in spans]
    measured = drift.measure_all(columns, references)
    for (low, high), values, (_, ks, _) in zip(spans, columns, measured, strict=True):
        expected = stats.kstest(values, "uniform", args=(low, high - low)).statistic
        assert ks == pytest.approx(expected, abs=1e-12)


def test_measure_all_refuses_mismatched_inputs():
    columns, references = _batch()
    with pytest.raises(ValueError):
        drift.measure_all(columns[:2], references[:3])
    broken = ReferenceDistribution((0.0, 1.0), (0.5,), (1.0,), 1)
    with pytest.raises(ValueError):
        drift.measure_all([np.array([], dtype=np.float32)], [broken])
