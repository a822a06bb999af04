"""Shared-neighbour KNN search: one neighbour computation for all folds serves every (n_neighbors, weights).

The folds of a cross-validation partition the training rows and each row is held out in exactly one fold, so each
row needs one list of neighbours: the nearest rows of the *other* folds. :func:`engine.neighbors.nearest_across_folds`
computes each pair of rows in different folds once (for K folds, n²(K−1)/2K distances instead of the n²(K−1)/K of
one query per fold), in budget-sized blocks with a running top ``max(n_neighbors) + 1`` per row; every config's
prediction follows from those candidates. Scores equal ``GridSearchCV``'s bit for bit: distances are exact, ties are
replayed through scikit-learn's own heap order where they matter, and votes are summed as scikit-learn sums them (see
:mod:`engine.neighbors`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import numpy as np

from engine import neighbors
from engine.leaderboard import Fit, FitKey

SHARED_PARAMS = frozenset({"n_neighbors", "weights", "metric", "p"})


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
        if _metric(config) is None:
            return False
    return neighbors.exact_input(X)


def search_scores(
    X: np.ndarray,
    y: np.ndarray,
    folds: list[tuple[np.ndarray, np.ndarray]],
    todo: dict[int, dict[int, dict]],
    progress: Callable[[int, int], None] | None = None,
    budget_bytes: int = neighbors.DEFAULT_BUDGET,
) -> Iterator[list[tuple[FitKey, Fit]]]:
    """Scores of ``todo`` (fold → config index → params), yielded one fold's list at a time as folds complete.

    ``fit_time`` of a (config, fold) is its share of the fold's neighbour computation, ``score_time`` its vote.
    ``progress(done, total)`` counts neighbour blocks (over all metrics).
    """
    by_metric: dict[str, dict[int, dict[int, dict]]] = {}
    for fold, configs in todo.items():
        for index, config in configs.items():
            by_metric.setdefault(_metric(config), {}).setdefault(fold, {})[index] = config
    fold_of = _partition(folds, len(X))
    passes = list(by_metric.items())
    for n_pass, (metric, group) in enumerate(passes):
        kmax = max(c.get("n_neighbors", 5) for configs in group.values() for c in configs.values())
        report = None if progress is None else _scaled(progress, n_pass, len(passes))
        for fold, values, index, query_time in _candidates(
            X, folds, fold_of, group, kmax + 1, metric, report, budget_bytes
        ):
            yield _fold_fits(X, y, folds[fold], fold, group[fold], values, index, metric, query_time, budget_bytes)


def holdout_score(
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_test: np.ndarray,
    y_test: np.ndarray,
    config: dict,
    progress: Callable[[int, int], None] | None = None,
    budget_bytes: int = neighbors.DEFAULT_BUDGET,
) -> float:
    """Accuracy on a test set of ``config`` fitted on the whole training set (equal to scikit-learn's)."""
    pred = neighbors.classify(
        X_train,
        y_train,
        X_test,
        config.get("n_neighbors", 5),
        config.get("weights", "uniform"),
        _metric(config),
        progress,
        budget_bytes,
    )
    return float(np.average(y_test == pred))


def _metric(config: dict) -> str:
    """The metric of a config :func:`usable` accepted (so one this module reproduces)."""
    metric = neighbors.exact_metric(config.get("metric", "minkowski"), config.get("p", 2))
    assert metric is not None, config
    return metric


def _partition(folds: list[tuple[np.ndarray, np.ndarray]], n: int) -> np.ndarray | None:
    """``fold_of[i]`` = the fold row i is held out in, if the test sets partition the rows and each training set is
    the rest (as ``StratifiedKFold``'s do); else None."""
    fold_of = np.full(n, -1)
    for f, (train, test) in enumerate(folds):
        if np.any(fold_of[test] != -1) or len(train) + len(test) != n:
            return None
        fold_of[test] = f
    if np.any(fold_of == -1):
        return None
    for f, (train, _) in enumerate(folds):
        if np.any(fold_of[train] == f):
            return None
    return fold_of


def _candidates(X, folds, fold_of, group, m, metric, progress, budget_bytes):
    """(fold, values, neighbour rows of X, neighbour time) for each fold in ``group``, as each completes."""
    started = time.perf_counter()
    if fold_of is None:  # not a partition: one query per fold
        for fold in group:
            train, test = folds[fold]
            values, index = neighbors.nearest(X[train], X[test], m, metric, budget_bytes=budget_bytes)
            yield fold, values, train[index], time.perf_counter() - started
            started = time.perf_counter()
        return
    blocks_time = {f: 0.0 for f in group}
    last = time.perf_counter()

    def timed(done: int, total: int) -> None:
        nonlocal last
        now = time.perf_counter()
        for f in blocks_time:  # a block serves up to two folds; charge the pending ones equally
            blocks_time[f] += (now - last) / len(blocks_time)
        last = now
        if progress is not None:
            progress(done, total)

    stream = neighbors.nearest_across_folds(X, fold_of, m, metric, set(group), timed, budget_bytes)
    for fold, rows, values, index in stream:
        test = folds[fold][1]
        order = np.searchsorted(rows, test)  # the fold's test rows in its own order
        yield fold, values[order], index[order], blocks_time.pop(fold)


def _fold_fits(X, y, split, fold, configs, values, index, metric, query_time, budget_bytes):
    """Scores of one fold's configs from its ``values``/``index`` candidates (rows of X, sorted)."""
    train, test = split
    pos = np.searchsorted(train, index)  # candidates as positions in the fold's training set
    classes = np.unique(y[train])
    y_enc = np.searchsorted(classes, y[train])
    labels = y_enc[pos]
    y_test = y[test]
    replayed: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
    out = []
    for index_, config in configs.items():
        started = time.perf_counter()
        k, weights = config.get("n_neighbors", 5), config.get("weights", "uniform")
        neigh, dist = pos[:, :k], values[:, :k]
        rows = np.flatnonzero(neighbors.needs_replay(values, labels, k, weights))
        if len(rows):
            neigh, dist = neigh.copy(), dist.copy()
            missing = [r for r in rows.tolist() if (k, r) not in replayed]
            if missing:
                got_v, got_i = neighbors.replay_rows(X[train], X[test[missing]], k, metric, len(test), budget_bytes)
                replayed.update({(k, r): (got_i[j], got_v[j]) for j, r in enumerate(missing)})
            for r in rows.tolist():
                neigh[r], dist[r] = replayed[(k, r)]
        if metric == "euclidean":
            dist = np.sqrt(dist)
        pred = neighbors.vote(y_enc[neigh], dist, weights, len(classes))
        score = float(np.average(y_test == classes[pred]))
        fit_time = query_time / len(configs)
        out.append(((index_, fold), Fit(score, fit_time, time.perf_counter() - started)))
    return out


def _scaled(progress: Callable[[int, int], None], n_pass: int, passes: int) -> Callable[[int, int], None]:
    """Blocks of pass ``n_pass`` of ``passes`` reported on one 0…1000·passes scale."""

    def report(done: int, total: int) -> None:
        progress(n_pass * 1000 + 1000 * done // max(total, 1), 1000 * passes)

    return report
