"""engine.neighbors equals scikit-learn's brute-force KNN: distances, indices and predictions, ties and chunking."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.model_selection import StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from threadpoolctl import threadpool_limits

from engine import neighbors
from engine.data import DataSpec, load_dataset

TINY = 20 * 40 * 40  # a budget of 40×40 blocks: many query and training blocks, smaller than k


@pytest.fixture(scope="module")
def digits():
    ds = load_dataset(DataSpec("digits"))
    return ds.X_train.reshape(len(ds.X_train), -1), ds.y_train, ds.X_test.reshape(len(ds.X_test), -1)


def sklearn_knn(train, y, k, metric="euclidean"):
    return KNeighborsClassifier(k, algorithm="brute", metric=metric).fit(train.astype(np.float64), y)


@pytest.mark.parametrize("budget", [neighbors.DEFAULT_BUDGET, TINY])
@pytest.mark.parametrize("metric", ["euclidean", "manhattan"])
@pytest.mark.parametrize("k", [1, 5, 50])
def test_kneighbors_equal_sklearn_in_any_chunking(digits, budget, metric, k) -> None:
    X, y, X_test = digits
    seen = []
    dist, ind = neighbors.kneighbors(X, X_test, k, metric, lambda done, total: seen.append((done, total)), budget)
    with threadpool_limits(1):
        ref_dist, ref_ind = sklearn_knn(X, y, k, metric).kneighbors(X_test.astype(np.float64))
    assert dist.dtype == np.float64 and ind.dtype == np.int64 and dist.shape == (len(X_test), k)
    assert np.array_equal(dist, ref_dist) and np.array_equal(ind, ref_ind)
    assert seen[-1][0] == seen[-1][1] and len(seen) == seen[-1][1] and (budget != TINY or len(seen) > 50)


@pytest.mark.parametrize("budget", [neighbors.DEFAULT_BUDGET, TINY])
def test_ties_come_out_as_sklearn_with_one_thread_leaves_them(digits, budget) -> None:
    """Binarised pixels plus duplicated rows: most rows tie at the k-th neighbour and inside the k."""
    X, y, X_test = digits
    Xb = np.vstack([(X > 8) * 255, (X[:150] > 8) * 255]).astype(np.uint8)
    yb = np.concatenate([y, y[:150]])
    Qb = ((X_test > 8) * 255).astype(np.uint8)
    for k in (3, 4, 9):
        values, _ = neighbors.nearest(Xb, Qb, k + 1)
        assert np.mean(values[:, k - 1] == values[:, k]) > 0.3
        dist, ind = neighbors.kneighbors(Xb, Qb, k, budget_bytes=budget)
        with threadpool_limits(1):
            model = sklearn_knn(Xb, yb, k)
            ref_dist, ref_ind = model.kneighbors(Qb.astype(np.float64))
            assert np.array_equal(dist, ref_dist) and np.array_equal(ind, ref_ind)
            for weights in ("uniform", "distance"):
                model.set_params(weights=weights)
                assert np.array_equal(neighbors.predict(yb, dist, ind, weights), model.predict(Qb.astype(np.float64)))


def test_classify_equals_sklearn_predict_on_float_input(digits) -> None:
    X, y, X_test = digits
    for weights in ("uniform", "distance"):
        ours = neighbors.classify(X.astype(np.float64), y, X_test.astype(np.float32), 7, weights, budget_bytes=TINY)
        ref = KNeighborsClassifier(7, weights=weights).fit(X.astype(np.float64), y).predict(X_test.astype(np.float64))
        assert np.array_equal(ours, ref)


def test_nearest_across_folds_equals_one_query_per_fold(digits) -> None:
    X, y, _ = digits
    folds = list(StratifiedKFold(4).split(X, y))
    fold_of = np.empty(len(X), dtype=int)
    for f, (_, test) in enumerate(folds):
        fold_of[test] = f
    got = {f: (rows, v, i) for f, rows, v, i in neighbors.nearest_across_folds(X, fold_of, 6, budget_bytes=TINY)}
    assert sorted(got) == [0, 1, 2, 3]
    for f, (train, test) in enumerate(folds):
        rows, values, index = got[f]
        ref_values, ref_index = neighbors.nearest(X[train], X[test], 6)
        assert np.array_equal(rows, test) and np.array_equal(values, ref_values)
        assert np.array_equal(index, train[ref_index])


def test_inputs_that_cannot_be_exact_are_told_apart() -> None:
    assert neighbors.exact_input(np.zeros((3, 4), dtype=np.uint8) + 255)
    assert not neighbors.exact_input(np.full((3, 4), 0.5))
    assert neighbors.exact_metric("minkowski", 1) == "manhattan" and neighbors.exact_metric("cosine") is None
