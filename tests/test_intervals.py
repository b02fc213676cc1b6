"""Highest density intervals: shortest, nested, holding their share, equal to arviz."""

from __future__ import annotations

import math

import numpy as np
import pytest
from arviz_stats.base import array_stats
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from engine.errors import BundleError
from engine.intervals import hdi, summarise


def _brute_force_shortest(row: np.ndarray, share: float) -> float:
    """The width of the shortest interval holding ``floor(share * n) + 1`` draws."""
    values = np.sort(row)
    need = math.floor(share * len(values)) + 1
    best = math.inf
    for low in values:
        for high in values:
            if high >= low and ((values >= low) & (values <= high)).sum() >= need:
                best = min(best, float(high) - float(low))
    return best


def _held_share(row: np.ndarray, low: float, high: float) -> float:
    return float(((row >= low) & (row <= high)).mean())


def _conflict_draws(rng: np.random.Generator, rows: int, count: int) -> np.ndarray:
    """Draws shaped like fatality forecasts: many zeros, a heavy right tail."""
    zero = rng.random((rows, count)) < rng.uniform(0.0, 0.95, (rows, 1))
    sizes = np.floor(rng.pareto(1.2, (rows, count)) * rng.uniform(1, 50, (rows, 1)))
    return np.where(zero, 0.0, sizes).astype(np.float32)


def _bimodal_draws(rng: np.random.Generator, rows: int, count: int) -> np.ndarray:
    """Two separate modes: a tight one and a wide one, in varying proportions."""
    tight = rng.normal(100.0, 1.0, (rows, count))
    wide = rng.normal(0.0, 30.0, (rows, count))
    pick = rng.random((rows, count)) < rng.uniform(0.3, 0.6, (rows, 1))
    return np.abs(np.where(pick, tight, wide)).astype(np.float32)


@pytest.mark.parametrize("share", [0.5, 0.9])
def test_the_interval_is_the_shortest_holding_the_share(share):
    rng = np.random.default_rng(1)
    draws = np.concatenate([_conflict_draws(rng, 20, 21), _bimodal_draws(rng, 20, 21)])
    low, high = hdi(draws, share)
    for row in range(len(draws)):
        width = float(high[row]) - float(low[row])
        assert width == pytest.approx(_brute_force_shortest(draws[row], share))
        assert _held_share(draws[row], low[row], high[row]) >= share


@pytest.mark.parametrize("count", [1000, 256, 7])
@pytest.mark.parametrize("share", [0.5, 0.9])
def test_bounds_equal_arviz_stats_hdi(share, count):
    rng = np.random.default_rng(count)
    draws = np.concatenate(
        [
            _conflict_draws(rng, 200, count),
            rng.gamma(2.0, 3.0, (200, count)).astype(np.float32),
            np.zeros((3, count), dtype=np.float32),
        ]
    )
    low, high = hdi(draws, share)
    expected = array_stats.hdi(draws, share, axis=-1)
    np.testing.assert_array_equal(low, expected[:, 0])
    np.testing.assert_array_equal(high, expected[:, 1])


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(
        np.float32,
        hnp.array_shapes(min_dims=2, max_dims=2, min_side=2, max_side=40),
        elements=st.floats(0, 1e6, width=32, allow_nan=False),
    ),
    st.sampled_from([0.5, 0.9, 0.8, 0.95]),
)
def test_bounds_equal_arviz_for_generated_draws(draws, share):
    if math.floor(share * draws.shape[1]) >= draws.shape[1]:
        return
    low, high = hdi(draws, share)
    expected = array_stats.hdi(draws, share, axis=-1)
    np.testing.assert_array_equal(low, expected[:, 0])
    np.testing.assert_array_equal(high, expected[:, 1])


def test_summary_intervals_equal_arviz_where_arviz_is_nested():
    """The 90% HDI always equals arviz; the 50% wherever arviz's 50% lies inside."""
    rng = np.random.default_rng(5)
    draws = np.concatenate(
        [_conflict_draws(rng, 300, 256), rng.gamma(3.0, 2.0, (300, 256))]
    ).astype(np.float32)
    summary = summarise(draws)
    wide = array_stats.hdi(draws, 0.9, axis=-1)
    narrow = array_stats.hdi(draws, 0.5, axis=-1)
    np.testing.assert_array_equal(summary.hdi90_low, wide[:, 0])
    np.testing.assert_array_equal(summary.hdi90_high, wide[:, 1])

    nested = (narrow[:, 0] >= wide[:, 0]) & (narrow[:, 1] <= wide[:, 1])
    assert nested.mean() > 0.95
    np.testing.assert_array_equal(summary.hdi50_low[nested], narrow[nested, 0])
    np.testing.assert_array_equal(summary.hdi50_high[nested], narrow[nested, 1])


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(
        np.float32,
        st.tuples(st.integers(1, 5), st.integers(4, 60)),
        elements=st.floats(0, 1000, width=32, allow_nan=False),
    )
)
def test_the_50_interval_is_nested_in_the_90_interval(draws):
    summary = summarise(draws)
    assert (summary.hdi90_low <= summary.hdi50_low).all()
    assert (summary.hdi50_low <= summary.hdi50_high).all()
    assert (summary.hdi50_high <= summary.hdi90_high).all()
    for row in range(len(draws)):
        assert (
            _held_share(draws[row], summary.hdi50_low[row], summary.hdi50_high[row])
            >= 0.5
        )
        assert (
            _held_share(draws[row], summary.hdi90_low[row], summary.hdi90_high[row])
            >= 0.9
        )


def test_multimodal_draws_get_a_nested_50_interval_inside_the_90_interval():
    # 52% of draws on a tight mode near 100, the rest spread near 0: the unconstrained
    # shortest 50% interval sits on the mode at 100, which the 90% one may leave out.
    rng = np.random.default_rng(9)
    draws = _bimodal_draws(rng, 400, 200)
    unconstrained = hdi(draws, 0.5)
    summary = summarise(draws)
    crossed = (unconstrained[0] < summary.hdi90_low) | (
        unconstrained[1] > summary.hdi90_high
    )
    assert crossed.any(), "the case under test never arose"
    assert (summary.hdi90_low <= summary.hdi50_low).all()
    assert (summary.hdi50_high <= summary.hdi90_high).all()
    # Where they crossed, the 50% interval is the shortest one inside the 90% one.
    for row in np.flatnonzero(crossed)[:20]:
        inside = draws[row][
            (draws[row] >= summary.hdi90_low[row])
            & (draws[row] <= summary.hdi90_high[row])
        ]
        values = np.sort(inside)
        span = math.floor(0.5 * draws.shape[1])
        best = (values[span:] - values[: len(values) - span].astype(np.float64)).min()
        width = float(summary.hdi50_high[row]) - float(summary.hdi50_low[row])
        assert width == pytest.approx(best)


def test_a_point_mass_at_zero():
    draws = np.zeros((3, 100), dtype=np.float32)
    draws[1, 95:] = [3, 4, 5, 6, 7]  # 95% zeros: both intervals are [0, 0]
    draws[2, 60:] = np.arange(1, 41)  # 60% zeros: the 50% interval is [0, 0]
    summary = summarise(draws)
    assert summary.point.tolist() == [0, 0, 0]
    assert summary.hdi90_low.tolist() == [0, 0, 0]
    # Intervals hold floor(0.9 * 100) + 1 = 91 draws: 60 zeros and 1 to 31.
    assert summary.hdi90_high.tolist() == [0, 0, 31]
    assert summary.hdi50_low.tolist() == [0, 0, 0]
    assert summary.hdi50_high.tolist() == [0, 0, 0]
    assert summary.p_any.tolist() == pytest.approx([0.0, 0.05, 0.4])


def test_point_is_the_median_and_p_any_the_share_above_zero():
    rng = np.random.default_rng(2)
    for count in (255, 256):
        draws = _conflict_draws(rng, 50, count)
        summary = summarise(draws)
        np.testing.assert_allclose(summary.point, np.median(draws, axis=1), rtol=1e-6)
        np.testing.assert_allclose(summary.p_any, (draws > 0).mean(axis=1), rtol=1e-6)


@pytest.mark.parametrize(
    "bad",
    [
        np.array([[1.0, np.nan, 2.0]], dtype=np.float32),
        np.array([[1.0, -0.5, 2.0]], dtype=np.float32),
        np.array([1.0, 2.0], dtype=np.float32),
    ],
    ids=["nan", "negative", "not-a-matrix"],
)
def test_bad_draws_are_refused(bad):
    with pytest.raises(BundleError):
        summarise(bad)
    with pytest.raises(BundleError):
        hdi(bad, 0.9)


def test_a_share_outside_zero_to_one_is_refused():
    with pytest.raises(ValueError, match="share"):
        hdi(np.ones((1, 10), dtype=np.float32), 1.5)


def test_summarising_in_place_sorts_the_draws_and_gives_the_same_summary():
    rng = np.random.default_rng(4)
    draws = _conflict_draws(rng, 150, 300)  # several blocks of rows
    expected = summarise(draws.copy())
    summary = summarise(draws, in_place=True)
    for name in ("point", "hdi50_low", "hdi50_high", "hdi90_low", "hdi90_high"):
        np.testing.assert_array_equal(getattr(summary, name), getattr(expected, name))
    np.testing.assert_array_equal(summary.p_any, expected.p_any)
    assert (np.diff(draws, axis=1) >= 0).all()


def test_summarising_leaves_the_draws_alone_unless_asked():
    rng = np.random.default_rng(6)
    draws = _conflict_draws(rng, 10, 50)
    before = draws.copy()
    summarise(draws)
    hdi(draws, 0.9)
    np.testing.assert_array_equal(draws, before)
    # A read-only or non-contiguous matrix is summarised from a copy, in place or not.
    strided = np.asfortranarray(draws)
    strided.flags.writeable = False
    summary = summarise(strided, in_place=True)
    np.testing.assert_array_equal(summary.point, np.median(before, axis=1))
