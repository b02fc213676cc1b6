"""Highest density intervals and the other per-row summaries of predictive draws.

Every function works on a float matrix ``draws [rows, S]`` (one row per unit and
horizon) and returns one value per row, vectorised over rows: the sort of each row is
the main cost, so ``summarise`` sorts once and derives everything from the sorted rows.

The HDI follows the sample convention of arviz-stats' ``hdi`` (method "nearest"), so
the two give identical bounds: with ``n`` draws and share ``p`` an interval runs from
sorted draw ``i`` to sorted draw ``i + floor(p * n)`` (it holds ``floor(p * n) + 1``
draws, at least the stated share), widths are compared in float64, and among equally
short intervals the lowest one wins.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.errors import BundleError

HDI_SHARES = (0.5, 0.9)


@dataclass(frozen=True)
class Summary:
    """Per-row summaries of draws, each a float32 array of length ``rows``.

    ``point`` is the median of the draws: conflict fatalities are skewed, heavy-tailed
    and often exactly zero, so the mean is pulled by a few extreme draws while the
    median is the value a person can read as "as likely above as below", is never a
    fraction of a fatality when most draws are zero, and is the best single guess under
    absolute error. ``p_any`` is the share of draws above zero.
    """

    point: np.ndarray
    hdi50_low: np.ndarray
    hdi50_high: np.ndarray
    hdi90_low: np.ndarray
    hdi90_high: np.ndarray
    p_any: np.ndarray

    def __len__(self) -> int:
        return len(self.point)


def hdi(draws: np.ndarray, share: float) -> tuple[np.ndarray, np.ndarray]:
    """The shortest interval holding ``share`` of each row's draws: ``(low, high)``."""
    ordered = _sorted_checked(draws)
    span = _span(share, ordered.shape[1])
    return _bounds(ordered, _shortest_start(ordered, span), span)


def summarise(draws: np.ndarray) -> Summary:
    """Median, nested 50% and 90% HDIs and probability of any fatality per row.

    The 50% HDI always lies inside the 90% HDI. For unimodal draws the two shortest
    intervals are nested anyway (and then equal arviz-stats' bounds); for multimodal
    draws the shortest 50% interval can sit on a mode the 90% interval leaves out, and
    then the 50% HDI is the shortest interval holding half the draws among those lying
    inside the 90% HDI, so the bands a person sees never cross.
    """
    ordered = _sorted_checked(draws)
    count = ordered.shape[1]

    span90 = _span(0.9, count)
    low90, high90 = _bounds(ordered, _shortest_start(ordered, span90), span90)

    span50 = _span(0.5, count)
    start50 = _shortest_start(ordered, span50)
    low50, high50 = _bounds(ordered, start50, span50)

    # Rows whose shortest 50% interval crosses the 90% one (rare: multimodal draws)
    # take the shortest 50% window among those inside the 90% interval. Sorted rows
    # make those windows one run of start positions: from the first draw at or above
    # the 90% interval's low end, to the last start whose window ends at or below its
    # high end. Where the rows are nested already the result is the same, so only the
    # crossing rows are redone.
    crossing = np.flatnonzero((low50 < low90) | (high50 > high90))
    if len(crossing):
        rows = ordered[crossing]
        first = (rows < low90[crossing, None]).sum(axis=1)
        last = (rows <= high90[crossing, None]).sum(axis=1) - 1 - span50
        widths = np.subtract(
            rows[:, span50:], rows[:, : count - span50], dtype=np.float64
        )
        positions = np.arange(count - span50)
        outside = (positions < first[:, None]) | (positions > last[:, None])
        widths[outside] = np.inf
        start50[crossing] = np.argmin(widths, axis=1)
        low50, high50 = _bounds(ordered, start50, span50)

    # The median from the sorted rows, as numpy's median defines it.
    middle = count // 2
    if count % 2:
        point = ordered[:, middle].astype(np.float32)
    else:
        pair = ordered[:, middle - 1 : middle + 1].astype(np.float64)
        point = pair.mean(axis=1).astype(np.float32)

    # Sorted non-negative rows start with their zeros: the first positive draw's
    # position is the number of zeros (argmax stops at the first True).
    positive = ordered > 0
    zeros = np.where(ordered[:, -1] > 0, np.argmax(positive, axis=1), count)
    p_any = ((count - zeros) / count).astype(np.float32)
    return Summary(point, low50, high50, low90, high90, p_any)


def _sorted_checked(draws: np.ndarray) -> np.ndarray:
    """Each row sorted; NaN (sorted last) or negative draws (sorted first) refused."""
    array = np.asarray(draws)
    if array.ndim != 2 or array.shape[1] == 0:
        raise BundleError(
            f"Draws must be a matrix with one row per unit and horizon and at least "
            f"one draw per row; got shape {array.shape}."
        )
    if not np.issubdtype(array.dtype, np.floating):
        array = array.astype(np.float64)
    ordered = np.sort(array, axis=1)
    if np.isnan(ordered[:, -1]).any():
        raise BundleError("The model produced NaN draws; no forecast can be made.")
    if (ordered[:, 0] < 0).any():
        raise BundleError(
            "The model produced negative fatality draws; no forecast can be made."
        )
    return ordered


def _span(share: float, count: int) -> int:
    """How many sorted positions an interval spans (it holds one draw more)."""
    if not 0 < share <= 1:
        raise ValueError(f"an HDI share must be in (0, 1], got {share}")
    return math.floor(share * count)


def _shortest_start(ordered: np.ndarray, span: int) -> np.ndarray:
    """Index of the first shortest window of ``span + 1`` sorted draws per row."""
    # TODO(#3): with 1,000 draws a row (country-month) the float64 widths cost about
    # as much as the sort, leaving the summary near 4x arviz-stats rather than the 5x
    # goal; float32 widths with a float64 re-check of tied rows was tried and was
    # slower (the reversed argmin for the tie test); a compiled kernel would do it.
    count = ordered.shape[1]
    if span >= count:
        raise ValueError("too few draws for an interval of this share")
    widths = np.subtract(
        ordered[:, span:], ordered[:, : count - span], dtype=np.float64
    )
    return np.argmin(widths, axis=1)


def _bounds(
    ordered: np.ndarray, start: np.ndarray, span: int
) -> tuple[np.ndarray, np.ndarray]:
    rows = np.arange(ordered.shape[0])
    return ordered[rows, start], ordered[rows, start + span]
