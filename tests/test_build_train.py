"""The leaf-sample forest and its ONNX graph: exact draws, kept zeros, a valid graph."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime
import pytest

from engine.build.config import EnsembleConfig
from engine.build.train import (
    band_labels,
    band_lookup,
    band_minimum_rows,
    export_onnx,
    fit_forest,
    onnx_bytes,
    widen,
    widen_bands,
)
from engine.errors import BuildError
from engine.spec import OutputSpec


def _data(rows: int = 4000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    matrix = rng.normal(size=(rows, 5)).astype(np.float32)
    rate = np.exp(1.5 * matrix[:, 0] + 1.0)
    outcome = np.where(rng.random(rows) < 0.6, 0.0, rng.poisson(rate))
    return matrix, outcome.astype(np.float64)


@pytest.fixture(scope="module")
def model():
    matrix, outcome = _data()
    config = EnsembleConfig(trees=8, max_leaf_nodes=24, min_samples_leaf=10)
    return fit_forest(matrix, outcome, config, samples_per_leaf=5, seed=3), outcome


def _output(draws: int) -> OutputSpec:
    return OutputSpec("y", "identity", draws, (1,))


def test_the_graph_passes_the_onnx_checker_and_declares_its_io(model):
    forest, _ = model
    proto = export_onnx(forest, _output(40))
    onnx.checker.check_model(proto, full_check=True)
    assert [i.name for i in proto.graph.input] == ["features"]
    assert [o.name for o in proto.graph.output] == ["draws"]
    imports = {o.domain: o.version for o in proto.opset_import}
    assert imports == {"": 17, "ai.onnx.ml": 3}


def test_onnx_draws_equal_the_numpy_reference_from_the_sklearn_trees(model):
    forest, _ = model
    graph = onnx_bytes(export_onnx(forest, _output(40)))
    rng = np.random.default_rng(9)
    matrix = rng.normal(size=(3000, 5)).astype(np.float32)
    matrix[:200] = _data()[0][:200]  # rows seen in training too

    # The reference, computed here from sklearn's apply() and the leaf table.
    nodes = forest.forest.apply(matrix)
    expected = np.concatenate(
        [forest.table[forest.leaf_rows[t][nodes[:, t]]] for t in range(forest.trees)],
        axis=1,
    )
    session = onnxruntime.InferenceSession(graph)
    draws = session.run(["draws"], {"features": matrix})[0]
    assert draws.shape == (3000, 40)
    np.testing.assert_array_equal(draws, expected)
    np.testing.assert_array_equal(forest.sample(matrix), expected)


def test_split_thresholds_are_exact_in_float32(model):
    forest, _ = model
    for estimator in forest.forest.estimators_:
        thresholds = estimator.tree_.threshold
        assert np.array_equal(thresholds.astype(np.float32).astype(float), thresholds)


def test_leaf_samples_are_observed_outcomes_and_zeros_stay_zero(model):
    forest, outcome = model
    observed = set(outcome.tolist())
    assert set(np.unique(forest.table).tolist()) <= observed
    assert (forest.table == 0).any()
    # Each leaf's samples are its rows' empirical quantiles, so they are sorted.
    assert (np.diff(forest.table, axis=1) >= 0).all()


def test_a_leaf_keeps_the_empirical_quantiles_of_its_rows(model):
    forest, outcome = model
    matrix, _ = _data()
    leaves = forest.leaves(matrix)[:, 0]
    leaf = np.bincount(leaves).argmax()
    values = np.sort(outcome[leaves == leaf])
    picks = np.floor((np.arange(5) + 0.5) / 5 * len(values)).astype(int)
    np.testing.assert_array_equal(forest.table[leaf], values[picks])


def test_widening_keeps_zeros_and_the_chance_of_any_fatality():
    table = np.array([[0, 0, 2, 5, 40], [0, 0, 0, 0, 0], [1, 3, 9, 27, 81]], np.float32)
    wide = widen(table, 1.5)
    assert ((wide == 0) == (table == 0)).all()
    assert (wide[table > 0] >= 1).all()
    assert wide[0, 4] > 40 and wide[2, 0] == 1 and wide[2, 4] > 81
    assert wide[2, 2] == 9  # the median stays put
    narrow = widen(table, 0.5)
    assert narrow[2, 4] < 81 and narrow[2, 0] > 1
    np.testing.assert_array_equal(widen(table, 1.0), table)


def test_a_draw_count_that_does_not_match_the_model_is_refused(model):
    forest, _ = model
    with pytest.raises(BuildError, match="draws"):
        export_onnx(forest, _output(41))


def test_too_few_rows_is_a_clear_error():
    matrix, outcome = _data(rows=50)
    with pytest.raises(BuildError, match="complete training rows"):
        fit_forest(matrix, outcome, EnsembleConfig(), samples_per_leaf=5, seed=1)


def test_the_same_seed_gives_the_same_graph_bytes():
    matrix, outcome = _data()
    config = EnsembleConfig(trees=4, max_leaf_nodes=16)
    graphs = [
        onnx_bytes(export_onnx(fit_forest(matrix, outcome, config, 5, 7), _output(20)))
        for _ in range(2)
    ]
    assert graphs[0] == graphs[1]
    other = fit_forest(matrix, outcome, config, 5, 8)
    assert onnx_bytes(export_onnx(other, _output(20))) != graphs[0]


# Leaf samples per horizon band ------------------------------------------------------

BANDS = (1, 4, 7, 13, 25)
HORIZON = 4  # the column of the horizon in the banded data


def _banded_data(rows: int = 6000, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Outcomes whose spread grows with the horizon (column 4, 1 to 40)."""
    rng = np.random.default_rng(seed)
    matrix = rng.normal(size=(rows, 5)).astype(np.float32)
    horizon = rng.integers(1, 41, rows)
    matrix[:, HORIZON] = horizon
    rate = np.exp(1.0 * matrix[:, 0] + 1.0 + rng.normal(size=rows) * horizon / 15)
    outcome = np.where(rng.random(rows) < 0.5, 0.0, rng.poisson(rate))
    return matrix, outcome.astype(np.float64)


@pytest.fixture(scope="module")
def banded():
    matrix, outcome = _banded_data()
    config = EnsembleConfig(trees=6, max_leaf_nodes=20, min_samples_leaf=10)
    forest = fit_forest(matrix, outcome, config, 5, 3, BANDS, HORIZON)
    return forest, matrix, outcome, config


def test_each_leaf_band_keeps_the_quantiles_of_its_rows_or_falls_back(banded):
    forest, matrix, outcome, config = banded
    pooled = fit_forest(matrix, outcome, config, 5, 3)  # the same forest, one band
    count = len(BANDS)
    assert forest.band_count == count and forest.table.shape == (
        pooled.table.shape[0] * count,
        5,
    )
    band = np.searchsorted(BANDS, matrix[:, HORIZON], side="right") - 1
    minimum = band_minimum_rows(config, 5)
    assert minimum == 10
    fell_back = np.zeros((pooled.table.shape[0], count), dtype=bool)
    for leaves in forest.leaves(matrix).T:
        for leaf in np.unique(leaves):
            for b in range(count):
                values = np.sort(outcome[(leaves == leaf) & (band == b)])
                row = forest.table[leaf * count + b]
                if len(values) >= minimum:
                    picks = np.floor((np.arange(5) + 0.5) / 5 * len(values))
                    np.testing.assert_array_equal(row, values[picks.astype(int)])
                else:
                    np.testing.assert_array_equal(row, pooled.table[leaf])
                    fell_back[leaf, b] = True
    assert fell_back.any() and not fell_back.all()  # both cases occur in this data
    np.testing.assert_allclose(forest.pooled_share, fell_back.mean(axis=0))


def test_far_horizon_bands_are_wider_than_near_ones(banded):
    forest, _, _, _ = banded
    logs = np.log1p(forest.table.astype(np.float64)).reshape(-1, len(BANDS), 5)
    spread = (logs[..., -1] - logs[..., 0]).mean(axis=0)
    assert spread[-1] > spread[0]


def test_onnx_draws_equal_the_numpy_reference_with_bands(banded):
    forest, _, _, _ = banded
    proto = export_onnx(forest, _output(30))
    onnx.checker.check_model(proto, full_check=True)
    rng = np.random.default_rng(4)
    matrix = rng.normal(size=(2000, 5)).astype(np.float32)
    # Every horizon a forecast run may feed, and beyond the clip on both sides.
    matrix[:, HORIZON] = rng.integers(-2, 60, 2000)
    draws = onnxruntime.InferenceSession(onnx_bytes(proto)).run(
        ["draws"], {"features": matrix}
    )[0]
    expected = forest.sample(matrix)
    np.testing.assert_array_equal(draws, expected)

    # The reference itself: row leaf * B + band, the band of the clipped horizon.
    horizon = np.clip(matrix[:, HORIZON], 1, 25)
    band = np.searchsorted(BANDS, horizon, side="right") - 1
    rows = forest.leaves(matrix) * len(BANDS) + band[:, None]
    np.testing.assert_array_equal(expected, forest.table[rows].reshape(2000, 30))
    assert (band == 4).any() and (band == 0).any()


def test_bands_take_their_own_spread_factor(banded):
    forest, _, _, _ = banded
    factors = (0.7, 1.0, 1.0, 1.5, 2.0)
    wide = widen_bands(forest.table, factors)
    for b, factor in enumerate(factors):
        np.testing.assert_array_equal(wide[b::5], widen(forest.table[b::5], factor))
    np.testing.assert_array_equal(
        widen_bands(forest.table, (1.2,)), widen(forest.table, 1.2)
    )


def test_one_band_gives_the_same_table_and_graph_as_no_bands():
    matrix, outcome = _banded_data()
    config = EnsembleConfig(trees=4, max_leaf_nodes=16)
    plain = fit_forest(matrix, outcome, config, 5, 7)
    one = fit_forest(matrix, outcome, config, 5, 7, (1,), HORIZON)
    without_column = fit_forest(matrix, outcome, config, 5, 7, BANDS, None)
    for model in (one, without_column):
        assert model.band_count == 1
        np.testing.assert_array_equal(model.table, plain.table)
        assert onnx_bytes(export_onnx(model, _output(20))) == onnx_bytes(
            export_onnx(plain, _output(20))
        )
    ops = [n.op_type for n in export_onnx(one, _output(20)).graph.node]
    assert ops == ["TreeEnsembleRegressor", "Cast", "Gather", "Reshape"]
    banded = export_onnx(
        fit_forest(matrix, outcome, config, 5, 7, BANDS, HORIZON), _output(20)
    )
    assert "Clip" in [n.op_type for n in banded.graph.node]


def test_banded_graphs_are_reproducible_and_bad_bands_are_refused():
    matrix, outcome = _banded_data()
    config = EnsembleConfig(trees=4, max_leaf_nodes=16)
    graphs = [
        onnx_bytes(
            export_onnx(
                fit_forest(matrix, outcome, config, 5, 7, BANDS, HORIZON), _output(20)
            )
        )
        for _ in range(2)
    ]
    assert graphs[0] == graphs[1]
    for bad in ((2, 5), (1, 7, 4), ()):
        with pytest.raises(BuildError, match="horizon bands"):
            fit_forest(matrix, outcome, config, 5, 7, bad, HORIZON)


def test_band_labels_and_lookup():
    assert band_labels(BANDS) == ["1-3", "4-6", "7-12", "13-24", "25+"]
    assert band_labels((1, 2, 4)) == ["1", "2-3", "4+"]
    lookup = band_lookup(BANDS)
    assert lookup.dtype == np.int64 and len(lookup) == 26
    assert [lookup[h] for h in (0, 1, 3, 4, 12, 13, 24, 25)] == [0, 0, 0, 1, 2, 3, 3, 4]
