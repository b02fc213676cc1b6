"""Training and evaluation examples from a workspace: features, outcomes, coordinates.

One example is one origin month, unit and horizon: the features known at the origin
(engine.features, the same definitions a forecast run uses) and the outcome observed
``horizon`` months later. Examples with any missing feature or outcome are left out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.errors import BuildError
from engine.features import Panel, design_matrix
from engine.months import format_month
from engine.workspace import Workspace


@dataclass
class Examples:
    """Rows of examples: features ``[n, F]`` float32 and their coordinates."""

    matrix: np.ndarray
    outcomes: np.ndarray
    origins: np.ndarray
    horizons: np.ndarray
    units: np.ndarray

    def __len__(self) -> int:
        return len(self.outcomes)

    def take(self, rows: np.ndarray) -> Examples:
        return Examples(
            self.matrix[rows],
            self.outcomes[rows],
            self.origins[rows],
            self.horizons[rows],
            self.units[rows],
        )

    def subsample(self, limit: int, seed: int) -> Examples:
        """At most ``limit`` rows drawn without replacement, kept in their order."""
        if len(self) <= limit:
            return self
        rng = np.random.default_rng(seed)
        return self.take(np.sort(rng.choice(len(self), size=limit, replace=False)))


def make_examples(
    panel: Panel,
    features: Sequence[str],
    origins: Sequence[int],
    horizons: Sequence[int],
    last_outcome_month: int,
) -> Examples:
    """Complete examples for ``origins`` whose outcome month is at most the limit."""
    origin_array = np.asarray(list(origins), dtype=np.int64)
    horizon_array = np.asarray(list(horizons), dtype=np.int64)
    units = len(panel.unit_names)
    if not len(origin_array):
        return _empty(len(features))

    matrix = design_matrix(
        panel, features, origin_array.tolist(), horizon_array.tolist()
    )
    shape = (len(origin_array), units, len(horizon_array))
    row_origins = np.broadcast_to(origin_array[:, None, None], shape).reshape(-1)
    row_units = np.broadcast_to(np.arange(units)[None, :, None], shape).reshape(-1)
    row_horizons = np.broadcast_to(horizon_array[None, None, :], shape).reshape(-1)

    target_months = row_origins + row_horizons
    reachable = (target_months <= min(last_outcome_month, panel.last_month)) & (
        target_months >= panel.first_month
    )
    outcomes = np.full(len(row_origins), np.nan)
    columns = target_months[reachable] - panel.first_month
    outcomes[reachable] = panel.values[row_units[reachable], columns]

    keep = ~np.isnan(outcomes) & ~np.isnan(matrix).any(axis=1)
    return Examples(
        matrix[keep],
        outcomes[keep],
        row_origins[keep],
        row_horizons[keep],
        row_units[keep],
    )


def _empty(features: int) -> Examples:
    empty = np.zeros(0, dtype=np.int64)
    return Examples(
        np.zeros((0, features), np.float32), np.zeros(0), empty, empty, empty
    )


def unit_groups(workspace: Workspace, names: Sequence[str]) -> np.ndarray:
    """Each unit's group (region) by name; units without one are 'unassigned'."""
    groups = {
        str(name): str(group) if group else "unassigned"
        for name, group in workspace.db.execute("SELECT name, unit_group FROM units")
    }
    return np.array([groups.get(name, "unassigned") for name in names], dtype=object)


def data_span(workspace: Workspace, variable: str) -> tuple[int, int]:
    """The first and last month holding observations of ``variable``."""
    first, last = workspace.db.execute(
        "SELECT MIN(month), MAX(month) FROM observations WHERE variable = ?",
        (variable,),
    ).fetchone()
    if first is None:
        raise BuildError(
            f"The workspace holds no observations of '{variable}'. Ingest its data "
            "first ('fieldcast ingest'), or name another target in BUNDLE.toml."
        )
    return int(first), int(last)


def last_month_per_source(
    workspace: Workspace, variable: str, sources: Sequence[str], limit: int
) -> dict[str, str]:
    """The last month each source covers for ``variable`` (capped at ``limit``)."""
    result: dict[str, str] = {}
    for source in sources:
        last = workspace.scalar(
            "SELECT MAX(last_month) FROM coverage WHERE variable = ? AND source = ?",
            (variable, source),
        )
        if last is None:
            last = workspace.scalar(
                "SELECT MAX(last_month) FROM batches "
                "WHERE source = ? AND status = 'accepted'",
                (source,),
            )
        if last is None:
            raise BuildError(
                f"The source '{source}' named in BUNDLE.toml has no accepted data in "
                "this workspace. Ingest it first, or correct [[sources]]."
            )
        result[source] = format_month(min(int(last), limit))
    return result


def observations_digest(panel: Panel) -> tuple[str, int]:
    """sha256 of the exact observations the model learnt from, and their count.

    Lines ``unit<TAB>YYYY-MM<TAB>value`` in unit then month order, values written with
    ``repr`` so that any change of any value changes the digest.
    """
    digest = hashlib.sha256()
    count = 0
    months = panel.months
    for row, name in sorted(enumerate(panel.unit_names), key=lambda item: item[1]):
        values = panel.values[row]
        known = ~np.isnan(values)
        count += int(known.sum())
        lines = "".join(
            f"{name}\t{format_month(int(month))}\t{float(value)!r}\n"
            for month, value in zip(months[known], values[known], strict=True)
        )
        digest.update(lines.encode("utf-8"))
    return digest.hexdigest(), count
