"""ONNX graphs shaped like a built bundle's, for benchmarks that need raw inference.

``leaf_table_graph`` gives the build's draw-making shape: one TreeEnsembleRegressor
(ai.onnx.ml) with one output column per tree whose leaves hold their own global leaf
index, a Cast to int64, a Gather from a float32 table of ``samples`` draws per leaf, and
a Reshape to ``[rows, trees * samples]`` draws. With 16 trees of 256 leaves and 16
samples a leaf it gives the grid-month workload's 256 draws.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def leaf_table_graph(
    features: int,
    trees: int = 16,
    samples: int = 16,
    depth: int = 8,
    seed: int = 3,
    input_name: str = "features",
    output_name: str = "draws",
) -> bytes:
    """Complete binary trees of ``depth`` on random features; draws from leaves."""
    rng = np.random.default_rng(seed)
    inner = 2**depth - 1
    leaves = 2**depth
    per_tree = inner + leaves
    local = np.arange(per_tree)
    is_leaf = np.tile(local >= inner, trees)
    thresholds = rng.uniform(0.0, 3.0, trees * per_tree)
    feature_ids = rng.integers(0, features, trees * per_tree)

    leaf_tree = np.repeat(np.arange(trees), leaves)
    leaf_node = np.tile(np.arange(inner, per_tree), trees)
    leaf_index = np.arange(trees * leaves, dtype=np.float32)  # global, exact in f32
    ensemble = helper.make_node(
        "TreeEnsembleRegressor",
        [input_name],
        ["leaf_ids"],
        domain="ai.onnx.ml",
        n_targets=trees,
        aggregate_function="SUM",
        nodes_treeids=np.repeat(np.arange(trees), per_tree).tolist(),
        nodes_nodeids=np.tile(local, trees).tolist(),
        nodes_featureids=np.where(is_leaf, 0, feature_ids).tolist(),
        nodes_values=np.where(is_leaf, 0.0, thresholds).astype(np.float32).tolist(),
        nodes_modes=["LEAF" if leaf else "BRANCH_LEQ" for leaf in is_leaf],
        nodes_truenodeids=np.tile(
            np.where(local < inner, 2 * local + 1, 0), trees
        ).tolist(),
        nodes_falsenodeids=np.tile(
            np.where(local < inner, 2 * local + 2, 0), trees
        ).tolist(),
        nodes_missing_value_tracks_true=[0] * (trees * per_tree),
        nodes_hitrates=[1.0] * (trees * per_tree),
        target_treeids=leaf_tree.tolist(),
        target_nodeids=leaf_node.tolist(),
        target_ids=leaf_tree.tolist(),
        target_weights=leaf_index.tolist(),
    )
    # Draws per leaf: counts with many zeros and a long tail, like fatality draws.
    table = np.where(
        rng.random((trees * leaves, samples)) < 0.5,
        0.0,
        np.floor(rng.pareto(1.3, (trees * leaves, samples))),
    ).astype(np.float32)
    nodes = [
        ensemble,
        helper.make_node("Cast", ["leaf_ids"], ["leaf_index"], to=TensorProto.INT64),
        helper.make_node("Gather", ["leaf_table", "leaf_index"], ["gathered"], axis=0),
        helper.make_node("Reshape", ["gathered", "draw_shape"], [output_name]),
    ]
    graph = helper.make_graph(
        nodes,
        "leaf_table_draws",
        [
            helper.make_tensor_value_info(
                input_name, TensorProto.FLOAT, [None, features]
            )
        ],
        [
            helper.make_tensor_value_info(
                output_name, TensorProto.FLOAT, [None, trees * samples]
            )
        ],
        [
            numpy_helper.from_array(table, "leaf_table"),
            numpy_helper.from_array(
                np.array([-1, trees * samples], dtype=np.int64), "draw_shape"
            ),
        ],
    )
    model = helper.make_model(
        graph,
        opset_imports=[
            helper.make_opsetid("", 17),
            helper.make_opsetid("ai.onnx.ml", 3),
        ],
    )
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()
