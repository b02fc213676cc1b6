"""Scoring forecasts on a time-ordered holdout: the model against naive baselines.

Every forecaster is scored row by row (one row per origin, unit and horizon) with the
same scores, then the scores are averaged overall, by horizon and by group of units:

- CRPS (continuous ranked probability score, scoringrules' ensemble form) on counts
  and on ``log1p`` counts: lower is better, 0 is a perfect certain forecast;
- MSLE: squared error of the point forecast (the median) on ``log1p`` counts;
- Brier score of the probability of any fatality;
- coverage of the 50% and 90% highest density intervals (engine.intervals, the same
  intervals a field device shows), beside what each interval claims: the share of
  the forecast's own draws inside it, which is more than the nominal share where a
  point mass sits at its end (an interval of "0 to 0" claims every zero draw), so a
  calibrated model's coverage matches the claim, not the nominal share;
- a randomised PIT histogram (Czado, Gneiting and Held, 2009), which is flat for a
  calibrated forecast of counts.

The baselines: ``zeros`` (always no fatalities), ``last_value`` (the last observed
month repeated) and ``unit_history`` (the unit's own history up to the origin as an
empirical distribution).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scoringrules

from engine.intervals import summarise

BASELINES: tuple[str, ...] = ("zeros", "last_value", "unit_history")
SCORES: tuple[str, ...] = (
    "crps",
    "crps_log",
    "msle",
    "brier",
    "coverage50",
    "coverage90",
    "claimed50",
    "claimed90",
)
PIT_BINS = 10
HISTORY_DRAWS = 100
CHUNK_ROWS = 8_000


@dataclass
class RowScores:
    """Per-row scores of one forecaster; every array has one entry per row."""

    crps: np.ndarray
    crps_log: np.ndarray
    msle: np.ndarray
    brier: np.ndarray
    coverage50: np.ndarray
    coverage90: np.ndarray
    claimed50: np.ndarray
    claimed90: np.ndarray
    interval_above_zero: np.ndarray
    pit: np.ndarray

    def mean(self, mask: np.ndarray | None = None) -> dict[str, float | None]:
        picked = slice(None) if mask is None else mask
        result: dict[str, float | None] = {}
        for name in SCORES:
            values = getattr(self, name)[picked]
            result[name] = float(values.mean()) if len(values) else None
        above = self.interval_above_zero[picked]
        covered = self.coverage90[picked][above]
        result["coverage90_where_interval_above_zero"] = (
            float(covered.mean()) if len(covered) else None
        )
        result["share_interval_only_zero"] = (
            float(1 - above.mean()) if len(above) else None
        )
        return result

    @classmethod
    def concatenate(cls, parts: Sequence[RowScores]) -> RowScores:
        return cls(
            **{
                name: np.concatenate([getattr(part, name) for part in parts])
                for name in cls.__dataclass_fields__
            }
        )


def score_draws(
    outcomes: np.ndarray, draws: np.ndarray, rng: np.random.Generator
) -> RowScores:
    """Scores of draws ``[rows, S]`` (counts) against outcomes ``[rows]`` (counts)."""
    outcomes = np.asarray(outcomes, dtype=np.float64)
    draws = np.asarray(draws, dtype=np.float64)
    ordered = np.sort(draws, axis=1)
    summary = summarise(ordered)

    crps = scoringrules.crps_ensemble(outcomes, ordered, sorted_ensemble=True)
    crps_log = scoringrules.crps_ensemble(
        np.log1p(outcomes), np.log1p(ordered), sorted_ensemble=True
    )
    point = summary.point.astype(np.float64)
    msle = (np.log1p(point) - np.log1p(outcomes)) ** 2
    brier = (summary.p_any.astype(np.float64) - (outcomes > 0)) ** 2
    inside50 = (outcomes >= summary.hdi50_low) & (outcomes <= summary.hdi50_high)
    inside90 = (outcomes >= summary.hdi90_low) & (outcomes <= summary.hdi90_high)
    # What each interval claims: the share of the forecast's own draws inside it. At
    # least the nominal share, and more where a point mass sits at an end ('0 to 0'
    # holds every zero draw); a calibrated model's coverage matches this claim.
    claimed50 = _share_inside(ordered, summary.hdi50_low, summary.hdi50_high)
    claimed90 = _share_inside(ordered, summary.hdi90_low, summary.hdi90_high)

    # Randomised PIT: uniform between F(y-) and F(y) where F is the draws' CDF.
    count = ordered.shape[1]
    below = (ordered < outcomes[:, None]).sum(axis=1)
    upto = (ordered <= outcomes[:, None]).sum(axis=1)
    pit = (below + rng.random(len(outcomes)) * (upto - below)) / count
    return RowScores(
        crps=np.asarray(crps, dtype=np.float64),
        crps_log=np.asarray(crps_log, dtype=np.float64),
        msle=msle,
        brier=brier,
        coverage50=inside50.astype(np.float64),
        coverage90=inside90.astype(np.float64),
        claimed50=claimed50,
        claimed90=claimed90,
        interval_above_zero=np.asarray(summary.hdi90_high > 0),
        pit=pit,
    )


def _share_inside(ordered: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Per sorted row, the share of its draws from ``low`` to ``high`` inclusive."""
    count = ordered.shape[1]
    below = (ordered < np.asarray(low, dtype=np.float64)[:, None]).sum(axis=1)
    upto = (ordered <= np.asarray(high, dtype=np.float64)[:, None]).sum(axis=1)
    return (upto - below) / count


def score_in_chunks(
    outcomes: np.ndarray,
    make_draws: Callable[[slice], np.ndarray],
    seed: int,
    chunk_rows: int = CHUNK_ROWS,
) -> RowScores:
    """Score many rows a chunk at a time, so draws never fill memory."""
    rng = np.random.default_rng(seed)
    parts = [
        score_draws(outcomes[part], make_draws(part), rng)
        for part in (
            slice(start, min(start + chunk_rows, len(outcomes)))
            for start in range(0, len(outcomes), chunk_rows)
        )
    ]
    if not parts:
        return score_draws(np.zeros(0), np.zeros((0, 1)), rng)
    return RowScores.concatenate(parts)


def history_draws(history: np.ndarray, draws: int = HISTORY_DRAWS) -> np.ndarray:
    """A unit's observed history as ``draws`` observed values at evenly spaced ranks."""
    known = np.sort(history[~np.isnan(history)])
    if not len(known):
        return np.zeros(draws)
    picks = np.floor((np.arange(draws) + 0.5) / draws * len(known)).astype(np.int64)
    return known[np.minimum(picks, len(known) - 1)]


def pit_histogram(scores: RowScores, bins: int = PIT_BINS) -> list[float]:
    """Shares of rows in equal PIT bins; all near ``1 / bins`` when calibrated."""
    counts, _ = np.histogram(scores.pit, bins=bins, range=(0.0, 1.0))
    total = max(int(counts.sum()), 1)
    return [float(c) / total for c in counts]


def summarise_scores(
    scores: dict[str, RowScores],
    horizons: np.ndarray,
    groups: np.ndarray,
) -> dict[str, object]:
    """Averages overall, by horizon and by group, and the largest gap between groups."""
    overall = {name: rows.mean() for name, rows in scores.items()}
    by_horizon = [
        {
            "horizon": int(h),
            "rows": int((horizons == h).sum()),
            **{name: rows.mean(horizons == h) for name, rows in scores.items()},
        }
        for h in np.unique(horizons)
    ]
    by_group = []
    for group in sorted(set(groups.tolist())):
        mask = groups == group
        entry: dict[str, object] = {"group": group, "rows": int(mask.sum())}
        entry.update({name: rows.mean(mask) for name, rows in scores.items()})
        entry["crps_skill"] = _skill(entry)
        by_group.append(entry)
    return {
        "overall": overall,
        "beats_every_baseline": beats_every_baseline(overall),
        "crps_skill": _skill(overall),
        "by_horizon": by_horizon,
        "by_group": by_group,
        "largest_group_gap": largest_group_gap(by_group),
        "pit_histogram": pit_histogram(scores["model"]),
    }


def beats_every_baseline(overall: dict[str, dict[str, float | None]]) -> bool:
    """True when the model's CRPS, on counts and on logs, beats each baseline's."""
    model = overall["model"]
    return all(
        (model[score] or 0.0) < (overall[name][score] or 0.0)
        for name in BASELINES
        if name in overall
        for score in ("crps", "crps_log")
    )


def _skill(entry: Mapping[str, object]) -> float | None:
    """CRPS skill on log counts against the best baseline: 1 is perfect, 0 no better."""
    model = entry["model"]
    assert isinstance(model, dict)
    best = [
        baseline["crps_log"]
        for name in BASELINES
        if isinstance(baseline := entry.get(name), dict)
        and baseline["crps_log"] is not None
    ]
    if model["crps_log"] is None or not best or min(best) == 0:
        return None
    return 1.0 - float(model["crps_log"]) / float(min(best))


def largest_group_gap(by_group: list[dict[str, object]]) -> dict[str, object]:
    """Where the model serves one group worse than another: skill and 90% coverage."""
    gaps: dict[str, object] = {}
    for key, label in (
        ("crps_skill", "CRPS skill against the best baseline (log counts)"),
        ("coverage90", "coverage of the 90% HDI"),
    ):
        values = [
            (float(value), str(entry["group"]))
            for entry in by_group
            if (value := _lookup(entry, key)) is not None
        ]
        if len(values) < 2:
            continue
        # Ties go to the group first in alphabetical order, both ways.
        low = min(values)
        high = min(values, key=lambda item: (-item[0], item[1]))
        gaps[key] = {
            "measure": label,
            "gap": high[0] - low[0],
            "worst_group": low[1],
            "worst": low[0],
            "best_group": high[1],
            "best": high[0],
        }
    return gaps


def _lookup(entry: dict[str, object], key: str) -> float | None:
    if key == "crps_skill":
        value = entry.get("crps_skill")
    else:
        model = entry["model"]
        assert isinstance(model, dict)
        value = model.get(key)
    return None if value is None else float(value)  # type: ignore[arg-type]


def rounded(value: object, digits: int = 6) -> object:
    """JSON-ready copy with floats to ``digits`` significant digits and no NaN."""
    if isinstance(value, dict):
        return {str(k): rounded(v, digits) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [rounded(v, digits) for v in value]
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, float | np.floating):
        number = float(value)
        if not np.isfinite(number):
            return None
        return float(f"{number:.{digits}g}")
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    raise TypeError(f"cannot round {type(value).__name__}")
