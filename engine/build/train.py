"""Training: a forest whose leaves keep outcome samples per horizon band, as ONNX.

The model is a quantile-regression-forest in the manner of Meinshausen (2006), made
portable: a random forest on ``log1p`` of the outcome, with a bounded number of leaves
per tree; each leaf keeps ``K`` representative outcomes of the training rows that fall
in it (its empirical quantiles at ``(j + 0.5) / K``, always values actually observed, so
zeros stay exactly zero), one set for each of ``B`` bands of horizons (1-3, 4-6, ...
months ahead): the trees hardly split on the horizon, so a leaf pooling outcomes one
and 36 months ahead would give both the spread of the mix. A leaf-band with too few
rows keeps the leaf's pooled samples. A row's ``S = T * K`` draws are the samples of
the leaves it reaches in the ``T`` trees, for the band of its horizon. The ONNX graph
computes exactly that: a tree ensemble (TreeEnsembleRegressor) whose tree ``t``
writes the global index of the reached leaf to output column ``t``; the band of the
row's ``horizon`` column from a small lookup table; leaf-band ``leaf * B + band``
mapped to its row of a table of the distinct rows of samples, a Gather from it and a
Reshape to ``[rows, S]``. With one band the band stage is left out and the table is
``[leaves, K]``, as before bands.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import FloatTensorType
from sklearn.ensemble import ExtraTreesRegressor, RandomForestRegressor

from engine.build.config import EnsembleConfig
from engine.errors import BuildError
from engine.spec import OutputSpec

log = logging.getLogger(__name__)

ONNX_OPSETS = {"": 17, "ai.onnx.ml": 3}
PRODUCER = "fieldcast.build"


@dataclass
class LeafSampleForest:
    """A fitted forest and, for every leaf and horizon band, ``K`` outcome samples.

    Row ``leaf * B + band`` of ``table`` holds leaf ``leaf``'s samples for the band
    (``B = len(bands)``); ``bands`` are the bands' first horizons and the band of a
    row comes from its feature ``horizon_column``. ``pooled_share`` is, per band, the
    share of leaves that had too few rows in the band and keep their pooled samples.
    """

    forest: RandomForestRegressor | ExtraTreesRegressor
    leaf_rows: list[np.ndarray]
    table: np.ndarray
    features: int
    bands: tuple[int, ...] = (1,)
    horizon_column: int | None = None
    pooled_share: tuple[float, ...] = (0.0,)

    @property
    def trees(self) -> int:
        return len(self.forest.estimators_)

    @property
    def samples_per_leaf(self) -> int:
        return int(self.table.shape[1])

    @property
    def draws(self) -> int:
        return self.trees * self.samples_per_leaf

    @property
    def band_count(self) -> int:
        return len(self.bands)

    def leaves(self, matrix: np.ndarray) -> np.ndarray:
        """The global leaf index each row reaches in each tree, ``[rows, trees]``."""
        nodes = self.forest.apply(np.asarray(matrix, dtype=np.float32))
        return np.stack(
            [self.leaf_rows[t][nodes[:, t]] for t in range(self.trees)], axis=1
        )

    def band_of(self, matrix: np.ndarray) -> np.ndarray:
        """The horizon band of each row, ``[rows]`` int64, as the graph finds it."""
        if self.band_count == 1 or self.horizon_column is None:
            return np.zeros(len(matrix), dtype=np.int64)
        horizon = np.asarray(matrix, dtype=np.float32)[:, self.horizon_column]
        clipped = np.clip(horizon, np.float32(1), np.float32(self.bands[-1]))
        return band_lookup(self.bands)[clipped.astype(np.int64)]

    def sample(self, matrix: np.ndarray) -> np.ndarray:
        """Draws ``[rows, S]`` (float32 counts): the reference for the ONNX graph."""
        leaves = self.leaves(matrix)
        if self.band_count > 1:
            leaves = leaves * self.band_count + self.band_of(matrix)[:, None]
        return self.table[leaves].reshape(len(matrix), self.draws)

    def with_table(self, table: np.ndarray) -> LeafSampleForest:
        return LeafSampleForest(
            self.forest,
            self.leaf_rows,
            table,
            self.features,
            self.bands,
            self.horizon_column,
            self.pooled_share,
        )


def band_lookup(bands: Sequence[int]) -> np.ndarray:
    """Band index of each horizon ``0 .. bands[-1]`` (int64; horizon 0 is band 0)."""
    starts = np.asarray(bands, dtype=np.int64)
    horizons = np.arange(int(starts[-1]) + 1)
    found = np.searchsorted(starts, horizons, side="right") - 1
    return np.maximum(found, 0).astype(np.int64)


def band_labels(bands: Sequence[int]) -> list[str]:
    """Readable bands: '1-3', '4-6', ..., '25+'."""
    ends = [f"-{start - 1}" for start in bands[1:]]
    return [
        f"{start}{end}" if end != f"-{start}" else str(start)
        for start, end in zip(bands, [*ends, "+"], strict=True)
    ]


def band_minimum_rows(config: EnsembleConfig, samples_per_leaf: int) -> int:
    """Fewest training rows a leaf-band needs to keep its own samples.

    ``K`` rows, so each of its ``K`` samples is a distinct observation, and at least
    ``min_samples_leaf``, the fewest rows the forest itself lets describe a leaf.
    """
    return max(samples_per_leaf, config.min_samples_leaf)


def fit_forest(
    matrix: np.ndarray,
    target: np.ndarray,
    config: EnsembleConfig,
    samples_per_leaf: int,
    seed: int,
    bands: Sequence[int] = (1,),
    horizon_column: int | None = None,
) -> LeafSampleForest:
    """Fit the forest on ``log1p(target)`` and keep each leaf's outcome samples.

    ``bands`` are the first horizons of the horizon bands (``(1,)``: one band), read
    from feature ``horizon_column``; without that column there is one band.
    """
    matrix = np.asarray(matrix, dtype=np.float32)
    target = np.asarray(target, dtype=np.float64)
    if len(matrix) < 10 * config.min_samples_leaf:
        raise BuildError(
            f"Only {len(matrix)} complete training rows were found; the model needs "
            f"at least {10 * config.min_samples_leaf}. Ingest more history or lower "
            "ensemble.min_samples_leaf."
        )
    kind = (
        RandomForestRegressor if config.kind == "random_forest" else ExtraTreesRegressor
    )
    forest = kind(
        n_estimators=config.trees,
        max_leaf_nodes=config.max_leaf_nodes,
        min_samples_leaf=config.min_samples_leaf,
        max_features=config.max_features,
        max_samples=config.max_samples,
        bootstrap=True,
        random_state=seed,
        n_jobs=1,
    )
    forest.fit(matrix, np.log1p(target))
    _round_thresholds_to_float32(forest)

    # Every leaf of every tree gets a row in one table; internal nodes map to -1.
    leaf_rows: list[np.ndarray] = []
    offset = 0
    for estimator in forest.estimators_:
        is_leaf = estimator.tree_.children_left == -1
        rows = np.full(estimator.tree_.node_count, -1, dtype=np.int64)
        rows[is_leaf] = offset + np.arange(int(is_leaf.sum()))
        offset += int(is_leaf.sum())
        leaf_rows.append(rows)
    bands = tuple(int(b) for b in bands) if horizon_column is not None else (1,)
    if not bands or bands[0] != 1 or list(bands) != sorted(set(bands)):
        raise BuildError(
            f"The horizon bands {list(bands)} must start at 1 and increase; correct "
            "ensemble.horizon_bands in BUNDLE.toml."
        )
    model = LeafSampleForest(
        forest,
        leaf_rows,
        np.zeros((offset, 0), np.float32),
        matrix.shape[1],
        bands,
        horizon_column,
    )

    pooled = np.zeros((offset, samples_per_leaf), dtype=np.float32)
    leaves = model.leaves(matrix)
    for t in range(model.trees):
        _fill_leaf_samples(pooled, leaves[:, t], target)
    log.info(
        "forest fitted: %s trees, %s leaves, %s rows", model.trees, offset, len(target)
    )
    if len(bands) == 1:
        return model.with_table(pooled)

    # Each leaf-band's own samples where it has enough rows, the pooled ones elsewhere.
    count = len(bands)
    banded = leaves * count + model.band_of(matrix)[:, None]
    rows = np.bincount(banded.reshape(-1), minlength=offset * count)
    table = np.zeros((offset * count, samples_per_leaf), dtype=np.float32)
    for t in range(model.trees):
        _fill_leaf_samples(table, banded[:, t], target)
    enough = rows >= band_minimum_rows(config, samples_per_leaf)
    table[~enough] = np.repeat(pooled, count, axis=0)[~enough]
    pooled_share = tuple(
        float(share) for share in 1.0 - enough.reshape(offset, count).mean(axis=0)
    )
    log.info(
        "leaf samples per horizon band %s; share of leaves pooled per band %s",
        band_labels(bands),
        [round(share, 3) for share in pooled_share],
    )
    return LeafSampleForest(
        forest,
        leaf_rows,
        table,
        matrix.shape[1],
        bands,
        horizon_column,
        pooled_share,
    )


def _fill_leaf_samples(table: np.ndarray, leaves: np.ndarray, target: np.ndarray):
    """Each leaf's empirical quantiles at (j + 0.5) / K, as observed values."""
    samples = table.shape[1]
    order = np.lexsort((target, leaves))
    sorted_leaves = leaves[order]
    sorted_target = target[order]
    present, starts, counts = np.unique(
        sorted_leaves, return_index=True, return_counts=True
    )
    positions = (np.arange(samples) + 0.5) / samples
    picks = starts[:, None] + np.minimum(
        np.floor(positions[None, :] * counts[:, None]).astype(np.int64),
        counts[:, None] - 1,
    )
    table[present] = sorted_target[picks].astype(np.float32)


def _round_thresholds_to_float32(forest: RandomForestRegressor | ExtraTreesRegressor):
    """Make every split threshold a float32, so float32 graphs split exactly alike.

    Features are float32; for a float32 ``x``, ``x <= t`` holds exactly when
    ``x <= f`` where ``f`` is the largest float32 not above ``t``.
    """
    for estimator in forest.estimators_:
        thresholds = estimator.tree_.threshold
        rounded = thresholds.astype(np.float32)
        too_high = rounded.astype(np.float64) > thresholds
        rounded[too_high] = np.nextafter(
            rounded[too_high], np.float32(-np.inf), dtype=np.float32
        )
        thresholds[:] = rounded.astype(np.float64)


def widen(table: np.ndarray, factor: float) -> np.ndarray:
    """Spread each leaf's positive samples by ``factor`` around their median (log1p).

    Zeros stay zero and positive samples stay at least one fatality, so the chance of
    any fatality is unchanged; only the size of the fatalities is widened (factor
    above 1) or narrowed (below 1). Results are rounded to whole counts.
    """
    if factor == 1.0:
        return table.copy()
    logs = np.log1p(table.astype(np.float64))
    positive: np.ndarray = np.asarray(table > 0)
    masked = np.where(positive, logs, np.nan)
    with np.errstate(all="ignore"):
        any_positive = np.any(positive, axis=1, keepdims=True)
        centre = np.nanmedian(np.where(any_positive, masked, 0.0), axis=1)
    spread = np.expm1(centre[:, None] + factor * (logs - centre[:, None]))
    widened = np.where(positive, np.maximum(np.rint(spread), 1.0), 0.0)
    return widened.astype(np.float32)


def widen_bands(table: np.ndarray, factors: Sequence[float]) -> np.ndarray:
    """``widen`` each band's rows (``leaf * B + band``) by the band's own factor."""
    count = len(factors)
    if count == 1:
        return widen(table, factors[0])
    widened = np.empty_like(table)
    for band, factor in enumerate(factors):
        widened[band::count] = widen(table[band::count], factor)
    return widened


def export_onnx(model: LeafSampleForest, output: OutputSpec) -> onnx.ModelProto:
    """The graph: features ``[rows, F]`` float32 to draws ``[rows, S]`` float32."""
    if model.draws != output.draws:
        raise BuildError(
            f"The model gives {model.draws} draws but the output spec asks for "
            f"{output.draws}; make model.draws a multiple of ensemble.trees."
        )
    try:
        converted = convert_sklearn(
            model.forest,
            initial_types=[
                (output.input_name, FloatTensorType([None, model.features]))
            ],
            target_opset=dict(ONNX_OPSETS),
        )
    except Exception as err:  # skl2onnx raises many kinds; all mean the same here
        raise BuildError(f"The forest could not be converted to ONNX: {err}") from err
    trees = [n for n in converted.graph.node if n.op_type == "TreeEnsembleRegressor"]
    if len(trees) != 1:
        raise BuildError("skl2onnx gave an unexpected graph for the forest")
    ensemble = _retarget(trees[0], model)

    trees_count, samples = model.trees, model.samples_per_leaf
    band_nodes, band_initializers, sample_index, table = _band_stage(model, output)
    nodes = [
        ensemble,
        helper.make_node("Cast", ["leaf_float"], ["leaf_index"], to=TensorProto.INT64),
        *band_nodes,
        helper.make_node("Gather", ["leaf_samples", sample_index], ["picked"], axis=0),
        helper.make_node("Reshape", ["picked", "draw_shape"], [output.output_name]),
    ]
    initializers = [
        numpy_helper.from_array(
            np.ascontiguousarray(table, dtype=np.float32), "leaf_samples"
        ),
        numpy_helper.from_array(
            np.array([-1, trees_count * samples], dtype=np.int64), "draw_shape"
        ),
        *band_initializers,
    ]
    graph = helper.make_graph(
        nodes,
        "fieldcast_leaf_sample_forest",
        [
            helper.make_tensor_value_info(
                output.input_name, TensorProto.FLOAT, ["rows", model.features]
            )
        ],
        [
            helper.make_tensor_value_info(
                output.output_name, TensorProto.FLOAT, ["rows", output.draws]
            )
        ],
        initializer=initializers,
    )
    proto = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid(d, v) for d, v in ONNX_OPSETS.items()],
        producer_name=PRODUCER,
        producer_version="1",
    )
    proto.ir_version = 8
    onnx.checker.check_model(proto, full_check=True)
    return proto


def _band_stage(
    model: LeafSampleForest, output: OutputSpec
) -> tuple[list[onnx.NodeProto], list[onnx.TensorProto], str, np.ndarray]:
    """Nodes giving each row's rows of the sample table, that tensor and the table.

    One band needs no stage: the leaf index is the table's row, as before bands.
    """
    if model.band_count == 1 or model.horizon_column is None:
        return [], [], "leaf_index", model.table
    nodes, initializers, table = band_stage(
        model.table, output.input_name, model.horizon_column, model.bands
    )
    return nodes, initializers, "sample_row", table


def band_stage(
    table: np.ndarray, input_name: str, horizon_column: int, bands: Sequence[int]
) -> tuple[list[onnx.NodeProto], list[onnx.TensorProto], np.ndarray]:
    """The graph's band stage over a ``[leaves * B, K]`` table (row ``leaf * B + b``).

    Returns nodes turning ``leaf_index`` into ``sample_row``, their initializers,
    and the table of distinct sample rows they index. The band comes from the
    horizon column: Gather it, Clip to ``[1, last band's start]`` (a forecast run
    feeds horizons up to the last training horizon), Cast to int64 and look the band
    up; the leaf-band is ``leaf * B + band``. Many leaf-bands hold the same samples
    (a leaf's pooled ones, or all zeros), so each distinct row is kept once and
    leaf-bands are mapped to it. benchmarks/graphs.py builds its graphs with it too.
    """
    distinct, row_of = np.unique(table, axis=0, return_inverse=True)
    nodes = [
        helper.make_node("Gather", [input_name, "horizon_column"], ["horizon"], axis=1),
        helper.make_node(
            "Clip", ["horizon", "horizon_low", "horizon_high"], ["horizon_clipped"]
        ),
        helper.make_node(
            "Cast", ["horizon_clipped"], ["horizon_index"], to=TensorProto.INT64
        ),
        helper.make_node(
            "Gather", ["band_of_horizon", "horizon_index"], ["band"], axis=0
        ),
        helper.make_node("Mul", ["leaf_index", "band_count"], ["leaf_first_band"]),
        helper.make_node("Add", ["leaf_first_band", "band"], ["leaf_band"]),
        helper.make_node(
            "Gather", ["sample_row_of_leaf_band", "leaf_band"], ["sample_row"], axis=0
        ),
    ]
    initializers = [
        numpy_helper.from_array(
            np.array([horizon_column], dtype=np.int64), "horizon_column"
        ),
        numpy_helper.from_array(np.array(1.0, dtype=np.float32), "horizon_low"),
        numpy_helper.from_array(np.array(bands[-1], dtype=np.float32), "horizon_high"),
        numpy_helper.from_array(band_lookup(bands), "band_of_horizon"),
        numpy_helper.from_array(np.array(len(bands), dtype=np.int64), "band_count"),
        numpy_helper.from_array(
            np.asarray(row_of, dtype=np.int32).reshape(-1), "sample_row_of_leaf_band"
        ),
    ]
    return nodes, initializers, distinct


def _retarget(node: onnx.NodeProto, model: LeafSampleForest) -> onnx.NodeProto:
    """Rewrite the converted ensemble: tree t writes its reached leaf's index to t."""
    attributes = {a.name: helper.get_attribute_value(a) for a in node.attribute}
    for dropped in (
        "n_targets",
        "target_ids",
        "target_nodeids",
        "target_treeids",
        "target_weights",
        "base_values",
        "aggregate_function",
        "post_transform",
    ):
        attributes.pop(dropped, None)

    tree_ids: list[int] = []
    node_ids: list[int] = []
    weights: list[float] = []
    for t, rows in enumerate(model.leaf_rows):
        leaves = np.flatnonzero(rows >= 0)
        tree_ids.extend([t] * len(leaves))
        node_ids.extend(int(n) for n in leaves)
        weights.extend(float(rows[n]) for n in leaves)
    if max(weights) >= 2**24:
        raise BuildError("too many leaves to index exactly; lower max_leaf_nodes")

    # skl2onnx numbers nodes as scikit-learn does; check that before trusting it.
    numbered = zip(
        attributes["nodes_treeids"], attributes["nodes_nodeids"], strict=True
    )
    expected = [
        (t, n) for t, rows in enumerate(model.leaf_rows) for n in range(len(rows))
    ]
    if sorted(set(numbered)) != expected:
        raise BuildError("skl2onnx numbered the tree nodes unexpectedly")

    return helper.make_node(
        "TreeEnsembleRegressor",
        [node.input[0]],
        ["leaf_float"],
        domain="ai.onnx.ml",
        n_targets=model.trees,
        aggregate_function="SUM",
        post_transform="NONE",
        target_ids=tree_ids,
        target_treeids=tree_ids,
        target_nodeids=node_ids,
        target_weights=weights,
        **attributes,
    )


def onnx_bytes(proto: onnx.ModelProto) -> bytes:
    """The graph's bytes; protobuf serialisation of the same graph is stable."""
    return proto.SerializeToString(deterministic=True)
