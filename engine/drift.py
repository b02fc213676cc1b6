"""Drift statistics: how far a feature's current inputs are from its reference.

Pure numpy functions, no I/O. A bundle keeps each feature's training distribution small
(``engine.spec.ReferenceDistribution``): a PSI histogram (interior bin edges and the
share of training rows in each bin) and 101 quantiles at levels 0, 0.01, ..., 1.

PSI is computed on the reference's own bins. KS and Wasserstein-1 need the reference's
distribution function, which 101 quantiles only approximate: here the reference is taken
to be the distribution whose quantile function is the straight-line interpolation of
those quantiles, that is 1% of the mass spread evenly between each pair of neighbouring
quantiles (or sitting on the value, where two neighbouring quantiles are equal, as they
are for the many zeros of conflict data). Against the true training rows this moves the
distribution function by at most 0.01, so the KS statistic is exact to within 0.01; the
Wasserstein distance is exact to within the spread of the widest 1% slice of the
reference. Both are computed exactly against that piecewise-linear reference.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.spec import DriftLimits, ReferenceDistribution

# Shares below this are raised to it before PSI's logarithm, so an empty bin on either
# side gives a large but finite contribution instead of infinity.
PSI_EPSILON = 1e-4

OK = "ok"
WARNING = "warning"
DRIFTED = "drifted"


@dataclass(frozen=True)
class _Sample:
    """Finite current values as distinct sorted values with cumulative counts."""

    values: np.ndarray  # distinct, increasing
    counts: np.ndarray
    cumulative: np.ndarray  # values at or below each distinct value
    size: int

    @classmethod
    def of(cls, values: np.ndarray) -> _Sample:
        # Conflict data repeat values a lot (zeros above all): working on distinct
        # values with counts keeps every step below one sort of the input.
        distinct, counts = np.unique(
            np.asarray(values, dtype=np.float64), return_counts=True
        )
        return cls(distinct, counts, np.cumsum(counts), int(counts.sum()))


def psi(
    values: np.ndarray,
    bin_edges: np.ndarray | tuple[float, ...],
    bin_shares: np.ndarray | tuple[float, ...],
    epsilon: float = PSI_EPSILON,
) -> float:
    """Population stability index of ``values`` against the reference bins.

    Bins are ``(-inf, e0], (e0, e1], ..., (e_last, inf)``; ``values`` must be finite.
    PSI is ``sum((current - reference) * ln(current / reference))`` over the bins, both
    shares floored at ``epsilon``.
    """
    return _psi(_Sample.of(values), bin_edges, bin_shares, epsilon)


def _psi(
    sample: _Sample,
    bin_edges: np.ndarray | tuple[float, ...],
    bin_shares: np.ndarray | tuple[float, ...],
    epsilon: float = PSI_EPSILON,
) -> float:
    edges = np.asarray(bin_edges, dtype=np.float64)
    reference = np.asarray(bin_shares, dtype=np.float64)
    if len(reference) != len(edges) + 1:
        raise ValueError("bin_shares must have one more entry than bin_edges")
    if sample.size == 0:
        return 0.0

    # searchsorted 'left' counts the edges strictly below a value: its bin's index.
    bins = np.searchsorted(edges, sample.values, side="left")
    counts = np.bincount(bins, weights=sample.counts, minlength=len(reference))
    current = np.maximum(counts / sample.size, epsilon)
    reference = np.maximum(reference, epsilon)
    return float(np.sum((current - reference) * np.log(current / reference)))


def _reference_cdf(
    quantiles: np.ndarray, points: np.ndarray, *, left: bool
) -> np.ndarray:
    """The piecewise-linear reference's distribution function at ``points``.

    With ``left`` it is the limit from the left, ``F(x-)``; otherwise ``F(x)``.
    """
    steps = len(quantiles) - 1
    # Quantiles at or below x (or strictly below, for the left limit).
    k = np.searchsorted(quantiles, points, side="left" if left else "right")
    inside = (k > 0) & (k <= steps)
    cdf = np.where(k > steps, 1.0, 0.0)
    lower_index = np.clip(k - 1, 0, steps)
    upper_index = np.clip(k, 0, steps)
    lower = quantiles[lower_index]
    upper = quantiles[upper_index]
    width = upper - lower
    safe = np.where(width > 0, width, 1.0)
    fraction = np.where(width > 0, (points - lower) / safe, 1.0 if left else 0.0)
    within = (lower_index + np.clip(fraction, 0.0, 1.0)) / steps
    return np.where(inside, within, cdf)


def ks_statistic(
    values: np.ndarray, quantiles: np.ndarray | tuple[float, ...]
) -> float:
    """Kolmogorov-Smirnov distance between ``values`` and the quantile reference.

    The largest gap between the two distribution functions; both are monotone, and
    between the jumps of either one the gap is monotone too, so it is enough to look
    just at and just before every current value and every reference quantile.
    """
    return _ks(_Sample.of(values), np.asarray(quantiles, dtype=np.float64))


def _ks(sample: _Sample, reference: np.ndarray) -> float:
    if sample.size == 0:
        return 0.0
    n = sample.size
    # At the current values: the current function's own steps.
    at = sample.cumulative / n
    before = (sample.cumulative - sample.counts) / n
    gap = max(
        np.abs(at - _reference_cdf(reference, sample.values, left=False)).max(),
        np.abs(before - _reference_cdf(reference, sample.values, left=True)).max(),
    )
    # At the reference quantiles.
    right = np.searchsorted(sample.values, reference, side="right")
    left = np.searchsorted(sample.values, reference, side="left")
    cumulative = np.concatenate([[0], sample.cumulative])
    gap_q = max(
        np.abs(
            cumulative[right] / n - _reference_cdf(reference, reference, left=False)
        ).max(),
        np.abs(
            cumulative[left] / n - _reference_cdf(reference, reference, left=True)
        ).max(),
    )
    return float(max(gap, gap_q))


def wasserstein(values: np.ndarray, quantiles: np.ndarray | tuple[float, ...]) -> float:
    """Wasserstein-1 distance between ``values`` and the quantile reference.

    The area between the two quantile functions over levels 0 to 1: the current one is
    a step function (the sorted values), the reference one the straight lines through
    the quantiles, so on each piece between breakpoints the gap is linear and its
    absolute value integrates exactly.
    """
    return _wasserstein(_Sample.of(values), np.asarray(quantiles, dtype=np.float64))


def _wasserstein(sample: _Sample, reference: np.ndarray) -> float:
    if sample.size == 0:
        return 0.0
    steps = len(reference) - 1
    levels = np.linspace(0.0, 1.0, steps + 1)
    jumps = sample.cumulative / sample.size
    grid = np.union1d(np.concatenate([[0.0], jumps]), levels)
    low, high = grid[:-1], grid[1:]

    # The current quantile function is constant on each piece; take it at the middle.
    middle = (low + high) / 2
    index = np.minimum(np.searchsorted(jumps, middle, side="left"), len(jumps) - 1)
    step_value = sample.values[index]
    gap_low = step_value - np.interp(low, levels, reference)
    gap_high = step_value - np.interp(high, levels, reference)
    width = high - low

    same_sign = gap_low * gap_high >= 0
    trapezoid = np.abs(gap_low + gap_high) / 2 * width
    spread = np.abs(gap_low) + np.abs(gap_high)
    crossing = (gap_low**2 + gap_high**2) / (2 * np.where(spread > 0, spread, 1.0))
    area = np.where(same_sign, trapezoid, crossing * width)
    return float(area.sum())


def measure(
    values: np.ndarray, reference: ReferenceDistribution
) -> tuple[float, float, float]:
    """PSI, KS and Wasserstein-1 of the finite ``values`` against ``reference``."""
    finite = np.asarray(values, dtype=np.float64)
    sample = _Sample.of(finite[np.isfinite(finite)])
    quantiles = np.asarray(reference.quantiles, dtype=np.float64)
    return (
        _psi(sample, reference.bin_edges, reference.bin_shares),
        _ks(sample, quantiles),
        _wasserstein(sample, quantiles),
    )


def classify(psi_value: float, ks_value: float, limits: DriftLimits) -> str:
    """``drifted`` past either block limit, ``warning`` past either warning limit.

    A value exactly at a limit is still within it.
    """
    if psi_value > limits.psi_block or ks_value > limits.ks_block:
        return DRIFTED
    if psi_value > limits.psi_warning or ks_value > limits.ks_warning:
        return WARNING
    return OK


def reference_from_values(values: np.ndarray, bins: int = 10) -> ReferenceDistribution:
    """A reference distribution summarising ``values`` the way a bundle keeps it.

    Quantile bin edges (duplicates merged, so point masses get their own bin). The
    build writes references of its own; this one serves the gate's self-test, tests and
    benchmarks.
    """
    finite = np.asarray(values, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        raise ValueError("a reference needs at least one finite value")
    levels = np.linspace(0.0, 1.0, 101)
    quantiles = np.quantile(finite, levels)
    edges = np.unique(np.quantile(finite, np.linspace(0, 1, bins + 1)[1:-1]))
    bins_of = np.searchsorted(edges, finite, side="left")
    shares = np.bincount(bins_of, minlength=len(edges) + 1) / finite.size
    return ReferenceDistribution(
        quantiles=tuple(float(q) for q in quantiles),
        bin_edges=tuple(float(e) for e in edges),
        bin_shares=tuple(float(s) for s in shares),
        count=int(finite.size),
    )
