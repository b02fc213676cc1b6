"""A bundle's build configuration (``BUNDLE.toml``), read and checked in one pass.

Every mistake in the file is collected and reported together, each naming the key and
what to write instead, so the person at the regional office fixes the file once.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.errors import BuildError
from engine.features import FEATURES
from engine.months import parse_month

DEFAULT_HORIZONS: tuple[int, ...] = tuple(range(1, 37))
# First horizon of each band of leaf samples; one band by default: bands of their own
# (e.g. 1, 4, 7, 13, 25) did not improve the real holdout and doubled the graph (see
# resources/bundles/cm.toml), so they are an option for data where they do.
DEFAULT_HORIZON_BANDS: tuple[int, ...] = (1,)


@dataclass(frozen=True)
class SourceConfig:
    """A source the model reads, and how old its data may be at a forecast origin."""

    name: str
    max_staleness_months: int
    description: str = ""


@dataclass(frozen=True)
class TrainingConfig:
    """Which months train the model, and how many rows at most."""

    first_month: int | None = None
    last_month: int | None = None
    origin_step: int = 1
    max_rows: int = 400_000


@dataclass(frozen=True)
class HoldoutConfig:
    """The time-ordered evaluation: calibration periods, then a holdout period.

    The evaluation model learns from targets before the calibration period just
    before the holdout; the calibration periods fit the widening of the predictive
    distribution; the holdout period (the last ``months`` of data) is scored at
    rolling origins every ``origin_step`` months. The shipped model is then refit on
    all the data. ``calibration_periods`` above 1 adds earlier periods of
    ``calibration_months`` each, stepping back in time, each scored by a forest that
    learnt only from outcomes before its own start, so the spread is chosen over
    several years of change rather than one.
    """

    months: int = 48
    calibration_months: int = 48
    origin_step: int = 1
    calibration_periods: int = 1


@dataclass(frozen=True)
class EnsembleConfig:
    """The forest: trees, leaves per tree and how each tree sees the data.

    ``horizon_bands`` are the first horizons of the bands for which each leaf keeps
    its own outcome samples (and the draws their own spread factor); ``(1,)`` keeps
    one set of samples per leaf for every horizon.
    """

    trees: int = 50
    max_leaf_nodes: int = 512
    min_samples_leaf: int = 20
    max_features: float = 0.5
    max_samples: float = 0.5
    kind: str = "random_forest"
    horizon_bands: tuple[int, ...] = DEFAULT_HORIZON_BANDS


@dataclass(frozen=True)
class CardConfig:
    """The model card's texts written by people (the figures come from the build)."""

    title: str
    summary: str
    intended_use: str
    out_of_scope: tuple[str, ...]
    limitations: tuple[str, ...]
    ethical_considerations: tuple[str, ...]
    contacts: tuple[str, ...]
    data_description: str
    licence: str
    citation: str
    synthetic: bool = False


@dataclass(frozen=True)
class BuildConfig:
    """Everything ``fieldcast bundle build`` needs besides the workspace."""

    model_line: str
    release: int
    target_variable: str
    sources: tuple[SourceConfig, ...]
    features: tuple[str, ...]
    horizons: tuple[int, ...]
    draws: int
    validity_days: int
    max_missing_share: float
    training: TrainingConfig
    holdout: HoldoutConfig
    ensemble: EnsembleConfig
    seeds: dict[str, int]
    card: CardConfig
    group_label: str = "region"
    raw: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def samples_per_leaf(self) -> int:
        return self.draws // self.ensemble.trees


def load_config(path: Path | str) -> BuildConfig:
    """Read and check ``BUNDLE.toml``; a BuildError lists every problem found."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise BuildError(
            f"The build configuration {path} does not exist. Give the path of a "
            "BUNDLE.toml (examples are in resources/bundles/)."
        ) from err
    except (OSError, UnicodeDecodeError) as err:
        raise BuildError(f"Cannot read the build configuration {path}: {err}") from err
    except tomllib.TOMLDecodeError as err:
        raise BuildError(
            f"The build configuration {path} is not valid TOML ({err}). Fix the line "
            "named and build again."
        ) from err
    return parse_config(data, str(path))


def parse_config(data: dict[str, Any], origin: str = "BUNDLE.toml") -> BuildConfig:
    """Check a parsed configuration; a BuildError lists every problem found."""
    reader = _Reader(data)
    model = reader.table("model")
    line = reader.text(model, "model.line")
    release = reader.integer(model, "model.release", minimum=1)
    target = reader.text(model, "model.target")
    draws = reader.integer(model, "model.draws", default=1000, minimum=10)
    validity = reader.integer(model, "model.validity_days", default=180, minimum=1)
    group_label = reader.text(model, "model.group_label", default="region")
    if line and not all(c.isalnum() or c in "-_." for c in line):
        reader.problem(
            "model.line may hold only letters, digits, '-', '_' and '.' "
            f"(it names files); got '{line}'"
        )

    horizons = _horizons(reader, model.get("horizons"))
    sources = _sources(reader, data.get("sources"))
    features_table = reader.table("features")
    features = _features(reader, features_table.get("names"))
    max_missing = reader.number(
        features_table, "features.max_missing_share", default=0.05, low=0.0, high=1.0
    )

    training_table = reader.table("training", required=False)
    training = TrainingConfig(
        first_month=reader.month(training_table, "training.first_month"),
        last_month=reader.month(training_table, "training.last_month"),
        origin_step=reader.integer(
            training_table, "training.origin_step", default=1, minimum=1
        ),
        max_rows=reader.integer(
            training_table, "training.max_rows", default=400_000, minimum=1000
        ),
    )
    holdout_table = reader.table("holdout", required=False)
    holdout = HoldoutConfig(
        months=reader.integer(holdout_table, "holdout.months", default=48, minimum=1),
        calibration_months=reader.integer(
            holdout_table, "holdout.calibration_months", default=48, minimum=1
        ),
        origin_step=reader.integer(
            holdout_table, "holdout.origin_step", default=1, minimum=1
        ),
        calibration_periods=reader.integer(
            holdout_table, "holdout.calibration_periods", default=1, minimum=1
        ),
    )
    ensemble = _ensemble(reader, reader.table("ensemble", required=False))
    if ensemble.trees and draws % ensemble.trees:
        reader.problem(
            f"model.draws ({draws}) must be a multiple of ensemble.trees "
            f"({ensemble.trees}): each tree gives the same number of draws"
        )
    seeds = _seeds(reader, reader.table("seeds", required=False))
    card = _card(reader, reader.table("card"))

    if reader.problems:
        listed = "\n".join(f"  - {problem}" for problem in reader.problems)
        raise BuildError(
            f"The build configuration {origin} has {len(reader.problems)} "
            f"problem(s):\n{listed}"
        )
    return BuildConfig(
        model_line=line,
        release=release,
        target_variable=target,
        sources=sources,
        features=features,
        horizons=horizons,
        draws=draws,
        validity_days=validity,
        max_missing_share=max_missing,
        training=training,
        holdout=holdout,
        ensemble=ensemble,
        seeds=seeds,
        card=card,
        group_label=group_label,
        raw=data,
    )


class _Reader:
    """Reads typed values from TOML tables, collecting problems instead of raising."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.problems: list[str] = []

    def problem(self, text: str) -> None:
        self.problems.append(text)

    def table(self, key: str, required: bool = True) -> dict[str, Any]:
        value = self.data.get(key)
        if value is None:
            if required:
                self.problem(f"the table [{key}] is missing")
            return {}
        if not isinstance(value, dict):
            self.problem(f"[{key}] must be a table, got {type(value).__name__}")
            return {}
        return value

    def text(self, table: dict[str, Any], key: str, default: str | None = None) -> str:
        value = table.get(key.rsplit(".", 1)[-1], default)
        if value is None:
            self.problem(f"{key} is required (a text)")
            return ""
        if not isinstance(value, str) or not value.strip():
            self.problem(f"{key} must be a non-empty text, got {value!r}")
            return ""
        return value.strip()

    def integer(
        self,
        table: dict[str, Any],
        key: str,
        default: int | None = None,
        minimum: int | None = None,
    ) -> int:
        value = table.get(key.rsplit(".", 1)[-1], default)
        if value is None:
            self.problem(f"{key} is required (a whole number)")
            return 0
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(f"{key} must be a whole number, got {value!r}")
            return 0
        if minimum is not None and value < minimum:
            self.problem(f"{key} must be at least {minimum}, got {value}")
        return value

    def number(
        self,
        table: dict[str, Any],
        key: str,
        default: float,
        low: float,
        high: float,
    ) -> float:
        value = table.get(key.rsplit(".", 1)[-1], default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(f"{key} must be a number, got {value!r}")
            return default
        if not low <= value <= high:
            self.problem(f"{key} must be between {low} and {high}, got {value}")
        return float(value)

    def month(self, table: dict[str, Any], key: str) -> int | None:
        value = table.get(key.rsplit(".", 1)[-1])
        if value is None:
            return None
        try:
            return parse_month(str(value))
        except ValueError as err:
            self.problem(f"{key}: {err}")
            return None

    def texts(self, table: dict[str, Any], key: str) -> tuple[str, ...]:
        value = table.get(key.rsplit(".", 1)[-1], [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(f"{key} must be a list of texts")
            return ()
        return tuple(v.strip() for v in value if v.strip())


def _horizons(reader: _Reader, value: Any) -> tuple[int, ...]:
    if value is None:
        return DEFAULT_HORIZONS
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(h, int) and not isinstance(h, bool) for h in value)
    ):
        reader.problem(
            "model.horizons must be a list of whole numbers of months, e.g. [1, 2, 3]"
        )
        return DEFAULT_HORIZONS
    if min(value) < 1 or max(value) > 120:
        reader.problem("model.horizons must lie between 1 and 120 months")
    if len(set(value)) != len(value) or sorted(value) != value:
        reader.problem("model.horizons must be increasing, without repeats")
    return tuple(value)


def _sources(reader: _Reader, value: Any) -> tuple[SourceConfig, ...]:
    if not isinstance(value, list) or not value:
        reader.problem(
            "at least one [[sources]] entry is required, with name and "
            "max_staleness_months"
        )
        return ()
    sources: list[SourceConfig] = []
    for position, item in enumerate(value, start=1):
        if not isinstance(item, dict):
            reader.problem(f"[[sources]] entry {position} must be a table")
            continue
        sources.append(
            SourceConfig(
                name=reader.text(item, f"sources[{position}].name"),
                max_staleness_months=reader.integer(
                    item, f"sources[{position}].max_staleness_months", minimum=0
                ),
                description=str(item.get("description", "")),
            )
        )
    names = [source.name for source in sources]
    if len(set(names)) != len(names):
        reader.problem("each source may be listed only once in [[sources]]")
    return tuple(sources)


def _features(reader: _Reader, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        reader.problem("features.names must list the model's features")
        return ()
    unknown = [name for name in value if name not in FEATURES]
    if unknown:
        reader.problem(
            f"features.names has unknown feature(s) {', '.join(map(str, unknown))}; "
            f"known features: {', '.join(FEATURES)}"
        )
    if len(set(value)) != len(value):
        reader.problem("features.names lists a feature twice")
    return tuple(str(name) for name in value)


def _ensemble(reader: _Reader, table: dict[str, Any]) -> EnsembleConfig:
    kind = table.get("kind", "random_forest")
    if kind not in ("random_forest", "extra_trees"):
        reader.problem(
            f"ensemble.kind must be 'random_forest' or 'extra_trees', got {kind!r}"
        )
    return EnsembleConfig(
        trees=reader.integer(table, "ensemble.trees", default=50, minimum=1),
        max_leaf_nodes=reader.integer(
            table, "ensemble.max_leaf_nodes", default=512, minimum=2
        ),
        min_samples_leaf=reader.integer(
            table, "ensemble.min_samples_leaf", default=20, minimum=1
        ),
        max_features=reader.number(
            table, "ensemble.max_features", default=0.5, low=0.01, high=1.0
        ),
        max_samples=reader.number(
            table, "ensemble.max_samples", default=0.5, low=0.01, high=1.0
        ),
        kind=str(kind),
        horizon_bands=_horizon_bands(reader, table.get("horizon_bands")),
    )


def _horizon_bands(reader: _Reader, value: Any) -> tuple[int, ...]:
    if value is None:
        return DEFAULT_HORIZON_BANDS
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(h, int) and not isinstance(h, bool) for h in value)
    ):
        reader.problem(
            "ensemble.horizon_bands must list the first horizon of each band, "
            "e.g. [1, 4, 7, 13, 25]; [1] keeps one band for every horizon"
        )
        return DEFAULT_HORIZON_BANDS
    if value[0] != 1:
        reader.problem("ensemble.horizon_bands must start at 1 (the first band)")
    if sorted(set(value)) != value:
        reader.problem("ensemble.horizon_bands must be increasing, without repeats")
    if max(value) > 120:
        reader.problem("ensemble.horizon_bands must lie between 1 and 120 months")
    return tuple(value)


def _seeds(reader: _Reader, table: dict[str, Any]) -> dict[str, int]:
    seeds = {"forest": 20240801, "subsample": 7}
    for key, value in table.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            reader.problem(f"seeds.{key} must be a whole number of 0 or more")
            continue
        seeds[key] = value
    return dict(sorted(seeds.items()))


def _card(reader: _Reader, table: dict[str, Any]) -> CardConfig:
    return CardConfig(
        title=reader.text(table, "card.title"),
        summary=reader.text(table, "card.summary"),
        intended_use=reader.text(table, "card.intended_use"),
        out_of_scope=reader.texts(table, "card.out_of_scope"),
        limitations=reader.texts(table, "card.limitations"),
        ethical_considerations=reader.texts(table, "card.ethical_considerations"),
        contacts=reader.texts(table, "card.contacts") or _missing_contacts(reader),
        data_description=reader.text(table, "card.data_description"),
        licence=reader.text(table, "card.licence"),
        citation=reader.text(table, "card.citation", default="-"),
        synthetic=bool(table.get("synthetic", False)),
    )


def _missing_contacts(reader: _Reader) -> tuple[str, ...]:
    reader.problem("card.contacts must name at least one person or office to ask")
    return ()
