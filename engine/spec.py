"""What a bundle accepts and produces: the input spec and the output spec.

Both travel inside a bundle's ``manifest.json``; the build writes them, the gate and the
forecast run read them. They are plain frozen dataclasses with a lossless round trip
through JSON-ready dictionaries.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from engine.errors import BundleError

Tag = Literal["deterministic", "stochastic"]


@dataclass(frozen=True)
class ReferenceDistribution:
    """A feature's distribution in the training data, kept small for drift checks.

    ``quantiles`` are the values at ``QUANTILE_LEVELS`` (for KS and Wasserstein);
    ``bin_edges`` are the PSI histogram's interior edges, increasing: the bins are
    ``(-inf, e0], (e0, e1], ..., (e_last, inf)``, so ``bin_shares`` has one more entry
    than ``bin_edges`` (JSON holds no infinities). ``count`` is the reference rows.
    """

    quantiles: tuple[float, ...]
    bin_edges: tuple[float, ...]
    bin_shares: tuple[float, ...]
    count: int


# Levels at which reference quantiles are kept: 0, 0.01, ..., 1.
QUANTILE_LEVELS: tuple[float, ...] = tuple(i / 100 for i in range(101))


@dataclass(frozen=True)
class FeatureSpec:
    """One model input: what it means, where it comes from, what values are allowed."""

    name: str
    description: str
    dtype: str
    tag: Tag
    variables: tuple[str, ...]
    sources: tuple[str, ...]
    minimum: float | None
    maximum: float | None
    max_missing_share: float
    reference: ReferenceDistribution


@dataclass(frozen=True)
class SourceSpec:
    """A source the bundle depends on, and how old its data may be at the origin."""

    name: str
    max_staleness_months: int
    description: str = ""


@dataclass(frozen=True)
class DriftLimits:
    """Thresholds for drift between current inputs and the reference distribution.

    Defaults follow common practice: PSI under 0.1 is stable, 0.1 to 0.25 a moderate
    shift, over 0.25 a major shift; KS statistic limits are set alike. A feature drifts
    when either measure passes its block limit; the run is blocked when more than
    ``max_drifted_share`` of the features drift.
    """

    psi_warning: float = 0.1
    psi_block: float = 0.25
    ks_warning: float = 0.1
    ks_block: float = 0.2
    max_drifted_share: float = 0.25


@dataclass(frozen=True)
class InputSpec:
    """Everything a bundle accepts: features in column order, sources, known units."""

    features: tuple[FeatureSpec, ...]
    sources: tuple[SourceSpec, ...]
    units: tuple[str, ...]
    target_variable: str
    lookback_months: int
    drift: DriftLimits = field(default_factory=DriftLimits)

    @property
    def feature_names(self) -> tuple[str, ...]:
        return tuple(feature.name for feature in self.features)

    def source(self, name: str) -> SourceSpec:
        for source in self.sources:
            if source.name == name:
                return source
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InputSpec:
        try:
            features = tuple(
                FeatureSpec(
                    **{
                        **item,
                        "variables": tuple(item["variables"]),
                        "sources": tuple(item["sources"]),
                        "reference": ReferenceDistribution(
                            quantiles=tuple(item["reference"]["quantiles"]),
                            bin_edges=tuple(item["reference"]["bin_edges"]),
                            bin_shares=tuple(item["reference"]["bin_shares"]),
                            count=int(item["reference"]["count"]),
                        ),
                    }
                )
                for item in data["features"]
            )
            return cls(
                features=features,
                sources=tuple(SourceSpec(**item) for item in data["sources"]),
                units=tuple(data["units"]),
                target_variable=str(data["target_variable"]),
                lookback_months=int(data["lookback_months"]),
                drift=DriftLimits(**data.get("drift", {})),
            )
        except (KeyError, TypeError, ValueError) as err:
            raise BundleError(
                f"The bundle's input spec is malformed ({err!r}); ask the regional "
                "office for a rebuilt bundle."
            ) from err


@dataclass(frozen=True)
class OutputSpec:
    """What the ONNX graph produces: draws of the target at each horizon.

    The graph's input is a float32 matrix ``[rows, len(features)]`` with one row per
    unit and horizon (unit-major: all horizons of the first unit, then the next); its
    output is float32 draws ``[rows, draws]`` on the scale named by ``transform``
    (``"identity"``: counts, not logs). ``point`` names the point estimate.
    ``deterministic`` says the graph has no random operators, so the same input row
    always gives the same draws: a forecast run then infers a row shared by several
    units once (quiet grid cells share theirs by the thousand). Bundles that do not
    say so are run row by row.
    """

    target: str
    transform: str
    draws: int
    horizons: tuple[int, ...]
    point: str = "median"
    input_name: str = "features"
    output_name: str = "draws"
    deterministic: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OutputSpec:
        try:
            if not isinstance(data.get("deterministic", False), bool):
                raise TypeError("deterministic must be true or false")
            return cls(**{**data, "horizons": tuple(int(h) for h in data["horizons"])})
        except (KeyError, TypeError, ValueError) as err:
            raise BundleError(
                f"The bundle's output spec is malformed ({err!r}); ask the regional "
                "office for a rebuilt bundle."
            ) from err
