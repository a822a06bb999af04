"""Shared-neighbour KNN search: one neighbour query per fold (and metric) serves every (n_neighbors, weights).

For each fold the distances from the held-out rows to the fold's training rows are computed once; every config's
neighbours follow from the ``max(n_neighbors)`` nearest. Predictions equal ``KNeighborsClassifier``'s bit for bit:

- Distances are exact: pixels are whole numbers, so squared Euclidean and Manhattan distances are whole numbers
  below 2**53, which scikit-learn's float64 code also computes exactly (:func:`exact_metric` checks this; otherwise
  the search falls back to plain fits).
- Ties are broken as scikit-learn does with one OpenMP thread (``OMP_NUM_THREADS=1``, which is also what
  ``GridSearchCV(n_jobs=-1)`` gives each worker): when the k-th and (k+1)-th distances of a row are equal, which
  tied points are neighbours depends on scikit-learn's fixed-size max-heap fed in training-row order, so such rows
  are replayed through a port of that heap (:func:`sklearn_neighbours`), then sorted by its own introsort. With several
  threads scikit-learn itself picks other tied points (its per-thread heaps are merged), which is why GridSearchCV
  with ``n_jobs=1`` and ``n_jobs=-1`` can disagree with each other on tie-heavy data.
- Uniform votes go to the smallest label among the most voted; distance weights are ``1/d`` except that a row
  with a zero distance weights its zero-distance neighbours 1 and the others 0, and class weights are summed exactly
  as ``sklearn.utils.extmath.weighted_mode`` sums them.
"""

from __future__ import annotations

import time

import numpy as np

from engine.leaderboard import Fit, FitKey

SHARED_PARAMS = frozenset({"n_neighbors", "weights", "metric", "p"})
_METRICS = {
    "euclidean": "euclidean",
    "l2": "euclidean",
    "manhattan": "manhattan",
    "l1": "manhattan",
    "cityblock": "manhattan",
}


def exact_metric(metric: str, p: float | int | None) -> str | None:
    """The metric a config computes ("euclidean" or "manhattan"), or None if this module cannot reproduce it."""
    if metric == "minkowski":
        return {1: "manhattan", 2: "euclidean"}.get(p) if isinstance(p, (int, float)) else None
    return _METRICS.get(metric) if isinstance(metric, str) else None


def usable(configs: list[dict], X: np.ndarray, min_train: int) -> bool:
    """True when every config only varies what a shared neighbour query can serve, and distances are exact."""
    for config in configs:
        if not set(config) <= SHARED_PARAMS:
            return False
        if config.get("weights", "uniform") not in ("uniform", "distance"):
            return False
        k = config.get("n_neighbors", 5)
        if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= min_train:
            return False
        if exact_metric(config.get("metric", "minkowski"), config.get("p", 2)) is None:
            return False
    if X.size == 0 or not np.array_equal(X, np.rint(X)):
        return False
    biggest = float(np.abs(X).max())
    return X.shape[1] * (2 * biggest) ** 2 < 2.0**52


def fold_scores(
    X: np.ndarray, y: np.ndarray, train: np.ndarray, test: np.ndarray, fold: int, configs: dict[int, dict]
) -> list[tuple[FitKey, Fit]]:
    """Scores of ``configs`` (index → params) on one fold, one neighbour query per metric."""
    by_metric: dict[str, dict[int, dict]] = {}
    for index, config in configs.items():
        metric = exact_metric(config.get("metric", "minkowski"), config.get("p", 2))
        by_metric.setdefault(metric, {})[index] = config
    classes, y_enc = np.unique(y[train], return_inverse=True)
    y_test = y[test]
    out = []
    for metric, group in by_metric.items():
        started = time.perf_counter()
        values, shift = distances(X, test, train, metric)
        kmax = max(c.get("n_neighbors", 5) for c in group.values())
        order, sorted_values = nearest(values, kmax)
        sorted_values += shift[:, None]
        query_time = (time.perf_counter() - started) / len(group)
        replayed: dict = {}
        for index, config in group.items():
            started = time.perf_counter()
            pred = predict(
                values,
                shift,
                order,
                sorted_values,
                y_enc,
                config.get("n_neighbors", 5),
                config.get("weights", "uniform"),
                metric,
                replayed,
            )
            score = float(np.average(y_test == classes[pred]))
            out.append(((index, fold), Fit(score, query_time, time.perf_counter() - started)))
    return out


def holdout_score(
    X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray, y_test: np.ndarray, config: dict
) -> float:
    """Accuracy on a test set of ``config`` fitted on the whole training set (equal to scikit-learn's)."""
    X = np.concatenate([X_train, X_test])
    y = np.concatenate([y_train, y_test])
    n = len(X_train)
    return fold_scores(X, y, np.arange(n), np.arange(n, len(X)), 0, {0: config})[0][1].score


def distances(X: np.ndarray, test: np.ndarray, train: np.ndarray, metric: str) -> tuple[np.ndarray, np.ndarray]:
    """Distances from ``X[test]`` to ``X[train]`` up to a per-row ``shift`` (value + shift = distance).

    Euclidean: ``|b|² - 2a·b`` (squared distance minus ``|a|²``, which ranks the same), from one matrix product
    over the pixels that are not zero in every image; Manhattan: the distances themselves (shift 0).
    """
    if metric == "manhattan":
        from scipy.spatial.distance import cdist

        return cdist(X[test], X[train], "cityblock"), np.zeros(len(test))
    cols = np.flatnonzero(X.any(axis=0))  # an always-zero pixel adds nothing to any product
    A, B = X[np.ix_(test, cols)], X[np.ix_(train, cols)]
    values = A @ B.T
    values *= -2.0
    values += np.einsum("ij,ij->i", B, B)[None, :]
    return values, np.einsum("ij,ij->i", A, A)


def nearest(values: np.ndarray, kmax: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``kmax + 1`` smallest values of each row, sorted by (value, training row)."""
    m = min(kmax + 1, values.shape[1])
    part = (
        np.argpartition(values, m - 1, axis=1)[:, :m]
        if m < values.shape[1]
        else np.tile(np.arange(values.shape[1]), (len(values), 1))
    )
    vals = np.take_along_axis(values, part, axis=1)
    order = np.lexsort((part, vals), axis=1)
    return np.take_along_axis(part, order, axis=1), np.take_along_axis(vals, order, axis=1)


def predict(
    values: np.ndarray,
    shift: np.ndarray,
    order: np.ndarray,
    sorted_values: np.ndarray,
    y_enc: np.ndarray,
    k: int,
    weights: str,
    metric: str,
    replayed: dict | None = None,
) -> np.ndarray:
    """Encoded predictions of one (k, weights) config, equal to ``KNeighborsClassifier.predict``.

    ``values + shift[:, None]`` are the distances (squared for Euclidean); ``order``/``sorted_values`` the nearest
    training rows of each query and their distances. ``replayed`` caches heap replays by (k, row) between configs.
    """
    replayed = {} if replayed is None else replayed
    neigh = order[:, :k].copy()
    dist_values = sorted_values[:, :k].copy()
    n_train = values.shape[1]
    replay = np.zeros(len(values), dtype=bool)
    if k < n_train:
        replay |= sorted_values[:, k - 1] == sorted_values[:, k]  # which tied points make the cut is heap-dependent
    if weights == "distance" and k >= 8:  # numpy sums 8+ weights pairwise, so the order of tied neighbours matters
        labels = y_enc[neigh]
        replay |= np.any((dist_values[:, 1:] == dist_values[:, :-1]) & (labels[:, 1:] != labels[:, :-1]), axis=1)
    strategy_on_x = parallel_on_x(len(values), n_train)
    for row in np.flatnonzero(replay):
        key = (k, int(row))
        if key not in replayed:
            replayed[key] = sklearn_neighbours(values[row] + shift[row], k, strategy_on_x)
        neigh[row], dist_values[row] = replayed[key]
    labels = y_enc[neigh]
    n_classes = int(y_enc.max()) + 1
    if weights == "uniform":
        counts = np.zeros((len(values), n_classes))
        for column in labels.T:
            counts[np.arange(len(values)), column] += 1
        return np.argmax(counts, axis=1)
    dist = np.sqrt(dist_values) if metric == "euclidean" else dist_values
    with np.errstate(divide="ignore"):
        w = 1.0 / dist
    inf_mask = np.isinf(w)
    inf_row = np.any(inf_mask, axis=1)
    w[inf_row] = inf_mask[inf_row]
    return _weighted_mode(labels, w)


def parallel_on_x(n_queries: int, n_train: int) -> bool:
    """scikit-learn's "auto" strategy with one thread: parallelise on queries (else on training rows)."""
    from sklearn import get_config

    chunk_size = get_config().get("pairwise_dist_chunk_size", 256)
    return n_train < n_queries or 4 * chunk_size < n_queries


def _weighted_mode(labels: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``sklearn.utils.extmath.weighted_mode(labels, w, axis=1)``'s mode, summed the same way."""
    best = np.zeros(len(labels))
    best_count = np.zeros(len(labels))
    for label in np.unique(labels):
        template = np.where(labels == label, w, 0.0)
        counts = np.sum(template, axis=1)
        best = np.where(counts > best_count, label, best)
        best_count = np.maximum(counts, best_count)
    return best.astype(np.intp)


def sklearn_neighbours(row: np.ndarray, k: int, strategy_on_x: bool) -> tuple[np.ndarray, np.ndarray]:
    """The k neighbours (training rows, values) scikit-learn's one-thread brute-force search returns for ``row``.

    Training rows are pushed in order into a fixed-size max-heap that keeps a new value only if it is strictly
    smaller than the root; with the parallel-on-training-rows strategy the thread's heap is then pushed into the
    main heap; finally the heap is sorted by scikit-learn's own ``simultaneous_sort`` (an introsort).
    """
    heap_v = [np.inf] * k
    heap_i = [-1] * k
    for j in range(k):
        _heap_push(heap_v, heap_i, float(row[j]), j)
    pos = k
    while pos < len(row):  # only values below the root change the heap: jump to the next one
        below = row[pos:] < heap_v[0]
        step = int(below.argmax())
        if not below[step]:
            break
        pos += step
        _heap_push(heap_v, heap_i, float(row[pos]), pos)
        pos += 1
    if not strategy_on_x:
        thread_v, thread_i = heap_v, heap_i
        heap_v, heap_i = [np.inf] * k, [-1] * k
        for value, j in zip(thread_v, thread_i):
            _heap_push(heap_v, heap_i, value, j)
    from sklearn.utils._sorting import _py_simultaneous_sort  # the very sort scikit-learn applies to its heaps

    values = np.array(heap_v, dtype=np.float64)
    indices = np.array(heap_i, dtype=np.intp)
    _py_simultaneous_sort(values, indices, k, use_three_way_partition=False)
    return indices, values


def _heap_push(values: list[float], indices: list[int], val: float, val_idx: int) -> None:
    """Port of ``sklearn.utils._heap.heap_push`` (a max-heap of fixed size)."""
    size = len(values)
    if val >= values[0]:
        return
    current = 0
    while True:
        left = 2 * current + 1
        right = left + 1
        if left >= size:
            break
        if right >= size:
            if values[left] > val:
                swap = left
            else:
                break
        elif values[left] >= values[right]:
            if val < values[left]:
                swap = left
            else:
                break
        else:
            if val < values[right]:
                swap = right
            else:
                break
        values[current] = values[swap]
        indices[current] = indices[swap]
        current = swap
    values[current] = val
    indices[current] = val_idx
