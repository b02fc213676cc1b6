"""ONNX graphs shaped like a built bundle's, for benchmarks that need raw inference.

``leaf_table_graph`` mirrors ``engine.build.train.export_onnx``: one
TreeEnsembleRegressor (ai.onnx.ml, SUM, no post-transform) whose tree ``t`` writes the
global index of the leaf a row reaches to output column ``t``, a Cast to int64, the
band stage (the ``horizon`` column gathered, clipped, cast and looked up in a band
table; leaf-band ``leaf * B + band`` mapped to a row of distinct samples), a Gather
from a float32 table of outcome samples, and a Reshape to ``[rows, trees * K]`` draws,
with the build's tensor names; without a horizon column or with one band, the band
stage is left out and the table is ``[leaves, K]``, as the build does. The trees are
grown as the build's forests are, best first up to a number of leaves: the most
populated leaf of a sample of feature rows is split next, at a value taken from the
rows that reach it, so the trees are as deep and as unbalanced as the data make them.
The build's defaults are 50 trees of at most 512 leaves; 20 samples a leaf give
country-month's 1,000 draws.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from engine.build.train import band_stage
from engine.features import DEFAULT_FEATURES

INPUT_NAME = "features"
OUTPUT_NAME = "draws"
# The build's default horizon bands (engine.build.config.DEFAULT_HORIZON_BANDS): one.
HORIZON_BANDS: tuple[int, ...] = (1,)


def leaf_table_graph(
    features: int,
    trees: int = 16,
    samples: int = 16,
    leaves: int = 256,
    seed: int = 3,
    sample_rows: np.ndarray | None = None,
    feature_names: Sequence[str] | None = None,
    bands: Sequence[int] = HORIZON_BANDS,
) -> bytes:
    """Serialised graph: ``features [rows, F]`` float32 to ``draws [rows, T * K]``.

    ``sample_rows`` (float32 ``[n, F]``) are the rows the trees are grown on; without
    them, rows uniform on [0, 3) stand in. ``feature_names`` name the columns (by
    default ``DEFAULT_FEATURES`` when ``features`` matches their count); the band of
    a row comes from the one named ``horizon``.
    """
    if feature_names is None and features == len(DEFAULT_FEATURES):
        feature_names = DEFAULT_FEATURES
    names = list(feature_names or ())
    horizon_column = names.index("horizon") if "horizon" in names else None
    band_count = len(bands) if horizon_column is not None else 1
    rng = np.random.default_rng(seed)
    if sample_rows is None:
        sample_rows = rng.uniform(0.0, 3.0, (4096, features)).astype(np.float32)
    sample_rows = np.nan_to_num(np.asarray(sample_rows, dtype=np.float32))

    attributes: dict[str, list] = {
        name: []
        for name in (
            "nodes_treeids",
            "nodes_nodeids",
            "nodes_featureids",
            "nodes_values",
            "nodes_modes",
            "nodes_truenodeids",
            "nodes_falsenodeids",
            "target_treeids",
            "target_nodeids",
            "target_weights",
        )
    }
    leaf_count = 0
    for tree in range(trees):
        bootstrap = sample_rows[rng.integers(0, len(sample_rows), len(sample_rows))]
        nodes = _grow(bootstrap, leaves, rng)
        for node_id, (feature, threshold, left, right) in enumerate(nodes):
            attributes["nodes_treeids"].append(tree)
            attributes["nodes_nodeids"].append(node_id)
            attributes["nodes_featureids"].append(max(feature, 0))
            attributes["nodes_values"].append(float(threshold))
            attributes["nodes_modes"].append("LEAF" if left < 0 else "BRANCH_LEQ")
            attributes["nodes_truenodeids"].append(max(left, 0))
            attributes["nodes_falsenodeids"].append(max(right, 0))
            if left < 0:
                attributes["target_treeids"].append(tree)
                attributes["target_nodeids"].append(node_id)
                attributes["target_weights"].append(float(leaf_count))
                leaf_count += 1
    ensemble = helper.make_node(
        "TreeEnsembleRegressor",
        [INPUT_NAME],
        ["leaf_float"],
        domain="ai.onnx.ml",
        n_targets=trees,
        aggregate_function="SUM",
        post_transform="NONE",
        target_ids=attributes["target_treeids"],
        nodes_missing_value_tracks_true=[0] * len(attributes["nodes_nodeids"]),
        nodes_hitrates=[1.0] * len(attributes["nodes_nodeids"]),
        **attributes,
    )
    # Samples per leaf: counts with many zeros and a long tail, like fatality draws,
    # each leaf's sorted as the build's empirical quantiles are.
    rows = leaf_count * band_count
    table = np.sort(
        np.where(
            rng.random((rows, samples)) < rng.uniform(0.2, 0.9, (rows, 1)),
            0.0,
            np.floor(rng.pareto(1.3, (rows, samples)) * 10),
        ).astype(np.float32),
        axis=1,
    )
    band_nodes: list[onnx.NodeProto] = []
    band_tensors: list[onnx.TensorProto] = []
    sample_index = "leaf_index"
    if horizon_column is not None and band_count > 1:
        band_nodes, band_tensors, table = band_stage(
            table, INPUT_NAME, horizon_column, bands
        )
        sample_index = "sample_row"
    nodes = [
        ensemble,
        helper.make_node("Cast", ["leaf_float"], ["leaf_index"], to=TensorProto.INT64),
        *band_nodes,
        helper.make_node("Gather", ["leaf_samples", sample_index], ["picked"], axis=0),
        helper.make_node("Reshape", ["picked", "draw_shape"], [OUTPUT_NAME]),
    ]
    graph = helper.make_graph(
        nodes,
        "fieldcast_leaf_sample_forest",
        [
            helper.make_tensor_value_info(
                INPUT_NAME, TensorProto.FLOAT, ["rows", features]
            )
        ],
        [
            helper.make_tensor_value_info(
                OUTPUT_NAME, TensorProto.FLOAT, ["rows", trees * samples]
            )
        ],
        [
            numpy_helper.from_array(table, "leaf_samples"),
            numpy_helper.from_array(
                np.array([-1, trees * samples], dtype=np.int64), "draw_shape"
            ),
            *band_tensors,
        ],
    )
    model = helper.make_model(
        graph,
        opset_imports=[
            helper.make_opsetid("", 17),
            helper.make_opsetid("ai.onnx.ml", 3),
        ],
        producer_name="fieldcast.benchmarks",
    )
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


def _grow(
    rows: np.ndarray, leaves: int, rng: np.random.Generator
) -> list[tuple[int, float, int, int]]:
    """One tree, best first: ``(feature, threshold, left, right)`` per node, preorder.

    Leaves have feature, left and right -1. The most populated leaf is split next, on
    a random feature at a value of a random row reaching it (rows equal to it go
    left); a leaf whose rows cannot be split stays a leaf.
    """
    # Node i: its rows, children and split; heap of (-rows, node) for open leaves.
    members: list[np.ndarray | None] = [np.arange(len(rows))]
    splits: list[tuple[int, float, int, int]] = [(-1, 0.0, -1, -1)]
    heap = [(-len(rows), 0)]
    count = 1
    while heap and count < leaves:
        _, node = heapq.heappop(heap)
        index = members[node]
        assert index is not None
        for _attempt in range(8):
            feature = int(rng.integers(0, rows.shape[1]))
            values = rows[index, feature]
            threshold = values[rng.integers(0, len(values))]
            left = values <= threshold
            if 0 < left.sum() < len(values):
                break
        else:
            continue  # nothing splits this leaf's rows
        members.extend([index[left], index[~left]])
        splits.extend([(-1, 0.0, -1, -1)] * 2)
        splits[node] = (feature, float(threshold), len(splits) - 2, len(splits) - 1)
        members[node] = None
        for child in (len(splits) - 2, len(splits) - 1):
            size = len(members[child])  # type: ignore[arg-type]
            if size > 1:
                heapq.heappush(heap, (-size, child))
        count += 1

    # Renumber in preorder, as scikit-learn numbers its nodes.
    order: list[int] = []
    stack = [0]
    while stack:
        node = stack.pop()
        order.append(node)
        _, _, left_child, right_child = splits[node]
        if left_child >= 0:
            stack.extend([right_child, left_child])
    number = {node: position for position, node in enumerate(order)}
    return [
        (
            splits[node][0],
            splits[node][1],
            number.get(splits[node][2], -1),
            number.get(splits[node][3], -1),
        )
        for node in order
    ]
