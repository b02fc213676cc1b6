"""Highest density intervals and the other per-row summaries of predictive draws.

Every function works on a float matrix ``draws [rows, S]`` (one row per unit and
horizon) and returns one value per row, vectorised over rows: the sort of each row is
the main cost, so ``summarise`` sorts once and derives everything from the sorted rows.
Rows are sorted and their interval widths measured a block at a time, so that a
block's sorted draws and widths are still in the processor's cache for the next step.

The HDI follows the sample convention of arviz-stats' ``hdi`` (method "nearest"), so
the two give identical bounds: with ``n`` draws and share ``p`` an interval runs from
sorted draw ``i`` to sorted draw ``i + floor(p * n)`` (it holds ``floor(p * n) + 1``
draws, at least the stated share), widths are compared in float64, and among equally
short intervals the lowest one wins.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from engine.errors import BundleError

HDI_SHARES = (0.5, 0.9)

# Bytes of draws sorted and measured together: a block, its widths and the sort's
# scratch space fit in a laptop core's L2 cache.
BLOCK_BYTES = 256 * 1024
# Draws per row up to which zeros are counted by scanning (see _sorted_with_shortest).
SCAN_ZEROS_UP_TO = 512


@dataclass(frozen=True)
class Summary:
    """Per-row summaries of draws, each an array of length ``rows``.

    The arrays are float32 for float32 draws (what bundles give). ``point`` is the
    median of the draws: conflict fatalities are skewed, heavy-tailed and often exactly
    zero, so the mean is pulled by a few extreme draws while the median is the value a
    person can read as "as likely above as below", is never a fraction of a fatality
    when most draws are zero, and is the best single guess under absolute error.
    ``p_any`` is the share of draws above zero.
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
    array = _matrix(draws)
    span = _span(share, array.shape[1])
    result = _sorted_with_shortest(array, (span,), in_place=False)
    return result.lows[0], result.highs[0]


def summarise(draws: np.ndarray, *, in_place: bool = False) -> Summary:
    """Median, nested 50% and 90% HDIs and probability of any fatality per row.

    The 50% HDI always lies inside the 90% HDI. For unimodal draws the two shortest
    intervals are nested anyway (and then equal arviz-stats' bounds); for multimodal
    draws the shortest 50% interval can sit on a mode the 90% interval leaves out, and
    then the 50% HDI is the shortest interval holding half the draws among those lying
    inside the 90% HDI, so the bands a person sees never cross.

    With ``in_place`` the rows of ``draws`` are sorted where they are (no copy: a
    forecast run's draws are dropped after their summary anyway).
    """
    array = _matrix(draws)
    count = array.shape[1]
    span90 = _span(0.9, count)
    span50 = _span(0.5, count)
    middle = count // 2
    result = _sorted_with_shortest(
        array,
        (span90, span50),
        in_place=in_place,
        columns=(middle,) if count % 2 else (middle - 1, middle),
        count_positives=True,
    )
    ordered, (_, start50) = result.ordered, result.starts
    low90, low50 = result.lows
    high90, high50 = result.highs

    # Rows whose shortest 50% interval crosses the 90% one (rare: multimodal draws)
    # take the shortest 50% window among those inside the 90% interval. Sorted rows
    # make those windows one run of start positions: from the first draw at or above
    # the 90% interval's low end, to the last start whose window ends at or below its
    # high end. Where the rows are nested already the result is the same, so only the
    # crossing rows are redone.
    crossing = np.flatnonzero((low50 < low90) | (high50 > high90))
    if len(crossing):
        rows = ordered[crossing]
        first = _count_below(rows, low90[crossing], inclusive=False)
        last = _count_below(rows, high90[crossing], inclusive=True) - 1 - span50
        widths = np.subtract(
            rows[:, span50:], rows[:, : count - span50], dtype=np.float64
        )
        positions = np.arange(count - span50)
        outside = (positions < first[:, None]) | (positions > last[:, None])
        widths[outside] = np.inf
        start50[crossing] = np.argmin(widths, axis=1)
        low50, high50 = _bounds(ordered, start50, span50)

    # The median from the sorted rows, as numpy's median defines it.
    if count % 2:
        point = result.columns[0].astype(np.float32)
    else:
        below, above = (column.astype(np.float64) for column in result.columns)
        point = ((below + above) / 2).astype(np.float32)

    p_any = (result.positives / count).astype(np.float32)
    return Summary(point, low50, high50, low90, high90, p_any)


def _matrix(draws: np.ndarray) -> np.ndarray:
    """The draws as a float matrix with at least one draw a row."""
    array = np.asarray(draws)
    if array.ndim != 2 or array.shape[1] == 0:
        raise BundleError(
            f"Draws must be a matrix with one row per unit and horizon and at least "
            f"one draw per row; got shape {array.shape}."
        )
    if not np.issubdtype(array.dtype, np.floating):
        array = array.astype(np.float64)
    return array


class _Sorted(NamedTuple):
    """Sorted rows, their shortest windows, and values read from the sorted rows."""

    ordered: np.ndarray  # each row sorted
    starts: list[np.ndarray]  # per span, the start of each row's first shortest window
    lows: list[np.ndarray]  # per span, that window's first draw
    highs: list[np.ndarray]  # per span, that window's last draw
    columns: list[np.ndarray]  # the sorted rows' draws at the asked positions
    positives: np.ndarray  # per row, how many draws are above zero (if asked)


def _sorted_with_shortest(
    array: np.ndarray,
    spans: tuple[int, ...],
    *,
    in_place: bool,
    columns: tuple[int, ...] = (),
    count_positives: bool = False,
) -> _Sorted:
    """Each row sorted, its shortest window per span, and a few derived values.

    NaN (sorted last) and negative draws (sorted first) are refused.
    """
    rows, count = array.shape
    for span in spans:
        if span >= count:
            raise ValueError("too few draws for an interval of this share")
    if in_place and array.flags.c_contiguous and array.flags.writeable:
        ordered, copy = array, False
    else:
        ordered, copy = np.empty_like(array, order="C"), True
    block = max(1, BLOCK_BYTES // (count * array.itemsize))
    # One widths buffer per span, reused block after block. Widths are compared in
    # float64 (exact for float32 draws, and arviz-stats' convention for all).
    widths = [np.empty((min(block, rows), count - span)) for span in spans]
    starts = [np.empty(rows, dtype=np.intp) for _ in spans]
    picked = [np.empty(rows, dtype=array.dtype) for _ in columns]
    positives = np.zeros(rows, dtype=np.intp)
    # Zeros are counted by a scan of each block while it is in cache where rows are
    # short, by a binary search over the sorted rows where they are long.
    scan_zeros = count_positives and count <= SCAN_ZEROS_UP_TO

    for first in range(0, rows, block):
        end = min(rows, first + block)
        part = ordered[first:end]
        if copy:
            np.copyto(part, array[first:end])
        part.sort(axis=1)
        for span, buffer, start in zip(spans, widths, starts, strict=True):
            measured = buffer[: end - first]
            # dtype: without it numpy subtracts in float32 and only then widens,
            # and two windows a rounding apart would tie.
            np.subtract(
                part[:, span:], part[:, : count - span], out=measured, dtype=np.float64
            )
            np.argmin(measured, axis=1, out=start[first:end])
        for column, values in zip(columns, picked, strict=True):
            values[first:end] = part[:, column]
        if scan_zeros:
            # Sorted non-negative rows start with their zeros: the first draw above
            # zero is where the row's positives begin.
            above = part > 0
            found = above.argmax(axis=1)
            positives[first:end] = np.where(above[:, -1], count - found, 0)

    if rows and np.isnan(ordered[:, -1]).any():
        raise BundleError("The model produced NaN draws; no forecast can be made.")
    if rows and (ordered[:, 0] < 0).any():
        raise BundleError(
            "The model produced negative fatality draws; no forecast can be made."
        )
    bounds = [
        _bounds(ordered, start, span) for span, start in zip(spans, starts, strict=True)
    ]
    if count_positives and not scan_zeros:
        positives = count - _count_below(ordered, np.zeros(rows), inclusive=True)
    return _Sorted(
        ordered,
        starts,
        [low for low, _ in bounds],
        [high for _, high in bounds],
        picked,
        positives,
    )


def _count_below(
    ordered: np.ndarray, values: np.ndarray, *, inclusive: bool
) -> np.ndarray:
    """Per sorted row, how many draws are below (or at, if inclusive) its value.

    A binary search over all rows at once: a sorted row's count is the first position
    whose draw is not below the value, found in ``log2(S)`` steps.
    """
    rows, count = ordered.shape
    index = np.arange(rows)
    low = np.zeros(rows, dtype=np.intp)
    high = np.full(rows, count, dtype=np.intp)
    for _ in range(count.bit_length()):
        middle = (low + high) // 2
        probe = ordered[index, np.minimum(middle, count - 1)]
        below = probe <= values if inclusive else probe < values
        below &= middle < high
        low = np.where(below, middle + 1, low)
        high = np.where(below, high, middle)
    return low


def _span(share: float, count: int) -> int:
    """How many sorted positions an interval spans (it holds one draw more)."""
    if not 0 < share <= 1:
        raise ValueError(f"an HDI share must be in (0, 1], got {share}")
    return math.floor(share * count)


def _bounds(
    ordered: np.ndarray, start: np.ndarray, span: int
) -> tuple[np.ndarray, np.ndarray]:
    rows = np.arange(ordered.shape[0])
    return ordered[rows, start], ordered[rows, start + span]
