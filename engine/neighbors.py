"""Exact k-nearest neighbours in bounded memory, equal to scikit-learn's brute-force ``KNeighborsClassifier``.

Every KNN user in the engine (the shared-neighbour search, ``fit``, augmentation jobs) goes through this module.

Public API:

- :func:`kneighbors` ``(train, query, k, metric="euclidean", progress=None, budget_bytes=DEFAULT_BUDGET)`` →
  ``(distances float64 (n_query, k), indices int64 (n_query, k))``, equal to
  ``KNeighborsClassifier(n_neighbors=k, algorithm="brute", metric=metric).fit(train, y).kneighbors(query)`` with the
  inputs as float32 or float64 (its fast path), ties included (see below).
- :func:`predict` ``(y_train, distances, indices, weights="uniform")`` → labels equal to
  ``KNeighborsClassifier.predict`` given those neighbours; :func:`classify` does both in one call.
- :func:`nearest` / :func:`nearest_across_folds`: the ``m`` nearest training rows of each query sorted by
  (distance, training row), across a train/query pair or among the rows of the other folds of a partition (the
  search's symmetric computation: each pair of rows in different folds is computed once and serves both).
- :func:`exact_metric` / :func:`exact_input`: whether a metric / an array can be computed exactly here.

How, and why it is exact:

- Inputs stay as given (uint8 images, flattened with ``reshape``) and are converted one block at a time. Pixels are
  whole numbers, so squared Euclidean and Manhattan distances are whole numbers; scikit-learn computes them in
  float64, exactly. Here the dot products run as float32 matrix products over groups of columns small enough that
  every partial sum stays below 2**24 (so float32 is exact too, and twice as fast as float64), summed in float64.
- Queries and training rows go in blocks sized to ``budget_bytes`` (the block's distances plus the index array of
  its partition); each query row keeps a running top ``m``, so memory is O(n·m) plus one block, never a whole
  query × train matrix. ``progress(done, total)`` is called after each block.
- Ties: scikit-learn (one OpenMP thread, ``OMP_NUM_THREADS=1``, which is also what ``GridSearchCV(n_jobs=-1)`` gives
  each worker) pushes training rows in order into a fixed-size max-heap per query that keeps a value only if it is
  strictly below the root, then sorts it with its own introsort. Which tied rows make the cut, and their order, depend
  on that heap, so rows whose nearest distances tie are replayed through a port of it (:func:`sklearn_neighbours`) on
  their full distance row. With several threads scikit-learn merges per-thread heaps and picks other tied points.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

DEFAULT_BUDGET = 256 * 2**20
Progress = Callable[[int, int], None]

_F32_EXACT = 2**24  # float32 holds every whole number below this
_METRICS = {
    "euclidean": "euclidean",
    "l2": "euclidean",
    "manhattan": "manhattan",
    "l1": "manhattan",
    "cityblock": "manhattan",
}


def exact_metric(metric: str, p: float | int | None = 2) -> str | None:
    """The metric a config computes ("euclidean" or "manhattan"), or None if this module cannot reproduce it."""
    if metric == "minkowski":
        return {1.0: "manhattan", 2.0: "euclidean"}.get(float(p)) if isinstance(p, (int, float)) else None
    return _METRICS.get(metric) if isinstance(metric, str) else None


def exact_input(X: np.ndarray) -> bool:
    """True when ``X`` holds whole numbers small enough that every distance is exact in float64."""
    rows = _rows(X)
    if rows.size == 0:
        return False
    if rows.dtype.kind not in "ui" and not all(np.array_equal(c, np.rint(c)) for c in _chunks(rows)):
        return False
    return rows.shape[1] * (2 * _biggest(rows)) ** 2 < 2.0**52


def kneighbors(
    train: np.ndarray,
    query: np.ndarray,
    k: int,
    metric: str = "euclidean",
    progress: Progress | None = None,
    budget_bytes: int = DEFAULT_BUDGET,
) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` nearest training rows of each query row: (distances float64, indices int64), both (n_query, k).

    Equal to scikit-learn's brute-force ``kneighbors`` (see the module docstring); ``metric`` is "euclidean" or
    "manhattan" (or an alias :func:`exact_metric` accepts); inputs must pass :func:`exact_input`.
    """
    train, query = _rows(train), _rows(query)
    metric = _metric(metric)
    if not 1 <= k <= len(train):
        raise ValueError(f"k must be between 1 and the {len(train)} training rows, got {k}")
    values, index = nearest(train, query, min(k + 1, len(train)), metric, progress, budget_bytes)
    replay = _tied(values, k, within=True)
    values, index = values[:, :k].copy(), index[:, :k].copy()
    if replay.any():
        rows = np.flatnonzero(replay)
        values[rows], index[rows] = replay_rows(train, query[rows], k, metric, len(query), budget_bytes)
    return (np.sqrt(values) if metric == "euclidean" else values), index


def predict(y_train: np.ndarray, distances: np.ndarray, indices: np.ndarray, weights: str = "uniform") -> np.ndarray:
    """``KNeighborsClassifier.predict`` given its neighbours (from :func:`kneighbors`): labels of ``y_train``'s type.

    Uniform votes go to the smallest label among the most voted; distance weights are ``1/d``, except that a row
    with a zero distance weights its zero-distance neighbours 1 and the others 0; class weights are summed exactly as
    ``sklearn.utils.extmath.weighted_mode`` sums them.
    """
    classes, y_enc = np.unique(y_train, return_inverse=True)
    return classes[vote(y_enc[indices], distances, weights, len(classes))]


def classify(
    train: np.ndarray,
    y_train: np.ndarray,
    query: np.ndarray,
    k: int,
    weights: str = "uniform",
    metric: str = "euclidean",
    progress: Progress | None = None,
    budget_bytes: int = DEFAULT_BUDGET,
) -> np.ndarray:
    """``KNeighborsClassifier(k, weights=weights, metric=metric).fit(train, y_train).predict(query)``, in blocks."""
    distances, indices = kneighbors(train, query, k, metric, progress, budget_bytes)
    return predict(y_train, distances, indices, weights)


def vote(labels: np.ndarray, distances: np.ndarray, weights: str, n_classes: int) -> np.ndarray:
    """Encoded predictions from the neighbours' encoded ``labels`` and their ``distances`` (both (n, k))."""
    if weights == "uniform":
        counts = np.zeros((len(labels), n_classes))
        rows = np.arange(len(labels))
        for column in labels.T:
            counts[rows, column] += 1
        return np.argmax(counts, axis=1)
    if weights != "distance":
        raise ValueError(f"weights must be 'uniform' or 'distance', got {weights!r}")
    with np.errstate(divide="ignore"):
        w = 1.0 / distances
    inf_mask = np.isinf(w)
    inf_row = np.any(inf_mask, axis=1)
    w[inf_row] = inf_mask[inf_row]
    best = np.zeros(len(labels))
    best_count = np.zeros(len(labels))
    for label in np.unique(labels):  # weighted_mode's loop: np.sum over a masked copy, summed pairwise the same way
        counts = np.sum(np.where(labels == label, w, 0.0), axis=1)
        best = np.where(counts > best_count, label, best)
        best_count = np.maximum(counts, best_count)
    return best.astype(np.intp)


def needs_replay(values: np.ndarray, labels: np.ndarray, k: int, weights: str) -> np.ndarray:
    """Rows whose prediction for (k, weights) depends on scikit-learn's heap, given ``k + 1`` sorted candidates.

    The set of neighbours does when the k-th and (k+1)-th distances tie; with distance weights and ``k >= 8`` so
    does the order of tied neighbours of different labels (numpy sums 8 or more weights pairwise).
    """
    replay = _tied(values, k, within=False)
    if weights == "distance" and k >= 8:
        v, lab = values[:, :k], labels[:, :k]
        replay |= np.any((v[:, 1:] == v[:, :-1]) & (lab[:, 1:] != lab[:, :-1]), axis=1)
    return replay


def nearest(
    train: np.ndarray,
    query: np.ndarray,
    m: int,
    metric: str = "euclidean",
    progress: Progress | None = None,
    budget_bytes: int = DEFAULT_BUDGET,
) -> tuple[np.ndarray, np.ndarray]:
    """The ``m`` nearest training rows of each query row, sorted by (distance, training row).

    Returns (values float64, indices int64), both (n_query, m); values are squared distances for Euclidean.
    """
    train, query = _rows(train), _rows(query)
    metric = _metric(metric)
    dist = _Distances(train, query, metric)
    size = _block_size(budget_bytes)
    top = _TopK(len(query), min(m, len(train)))
    workers = _workers()
    q_spans = _spans(len(query), size)
    t_spans = _even_spans(len(train), size, at_least=-(-2 * workers // len(q_spans)))  # work for every thread
    tasks = [(q, t) for t in t_spans for q in q_spans]

    def compute(task):
        (q0, q1), (t0, t1) = task
        return top.candidates(q0, q1, dist.block(q0, q1, t0, t1), t0)

    for done, ((q0, q1), _), found in _run(tasks, compute):
        top.merge(q0, q1, found)
        if progress is not None:
            progress(done, len(tasks))
    return top.values, top.index


def nearest_across_folds(
    X: np.ndarray,
    fold_of: np.ndarray,
    m: int,
    metric: str = "euclidean",
    folds: set[int] | None = None,
    progress: Progress | None = None,
    budget_bytes: int = DEFAULT_BUDGET,
) -> Iterator[tuple[int, np.ndarray, np.ndarray, np.ndarray]]:
    """For each fold f of a partition (``fold_of[i]`` = the fold row i is held out in): the ``m`` nearest rows of
    each of its rows among the rows of the other folds (its training set), sorted by (distance, row).

    Yields ``(f, rows, values, indices)`` (rows and indices are rows of ``X``, ascending rows) as soon as fold f is
    complete, for the folds in ``folds`` (default all). Each pair of rows in different folds is computed once and
    serves both; fold pairs run in order (0, 1), (0, 2), …, so fold 0 is ready after 2/K of the work.
    """
    X = _rows(X)
    metric = _metric(metric)
    names = sorted(set(np.unique(fold_of).tolist()))
    wanted = set(names) if folds is None else set(folds) & set(names)
    members = {f: np.flatnonzero(fold_of == f) for f in names}
    order = np.concatenate([members[f] for f in names])  # X's rows grouped by fold
    start = dict(zip(names, np.cumsum([0] + [len(members[f]) for f in names])[:-1].tolist()))
    dist = _Distances(X[order] if not np.array_equal(order, np.arange(len(X))) else X, None, metric)
    size = _block_size(budget_bytes)
    blocks = {f: [(start[f] + a, start[f] + b) for a, b in _even_spans(len(members[f]), size)] for f in names}
    tops = {f: _TopK(len(members[f]), min(m, len(X) - len(members[f]))) for f in wanted}
    pairs = [(f, g) for i, f in enumerate(names) for g in names[i + 1 :] if f in wanted or g in wanted]
    tasks = [(f, g, a, b) for f, g in pairs for a in blocks[f] for b in blocks[g]]
    last_task = {(f, g): i for i, (f, g, _, _) in enumerate(tasks)}
    remaining = {f: sum(1 for p in pairs if f in p) for f in wanted}

    def compute(task):
        f, g, (a0, a1), (b0, b1) = task
        block = dist.block(a0, a1, b0, b1)
        row_side = tops[f].candidates(a0 - start[f], a1 - start[f], block, b0) if f in tops else None
        column_side = tops[g].candidates(b0 - start[g], b1 - start[g], block.T, a0) if g in tops else None
        return row_side, column_side

    for done, (f, g, (a0, a1), (b0, b1)), (row_side, column_side) in _run(tasks, compute):
        if row_side is not None:
            tops[f].merge(a0 - start[f], a1 - start[f], row_side)
        if column_side is not None:
            tops[g].merge(b0 - start[g], b1 - start[g], column_side)
        if progress is not None:
            progress(done, len(tasks))
        if last_task[(f, g)] != done - 1:
            continue
        for h in (f, g):
            if h in remaining:
                remaining[h] -= 1
                if remaining[h] == 0:
                    top = tops.pop(h)
                    yield h, members[h], top.values, order[top.index]


def _run(tasks: list, compute: Callable) -> Iterator[tuple[int, Any, Any]]:
    """(count done, task, compute(task)) in task order, computed by one thread per core with one BLAS thread each.

    Threads rather than a multithreaded BLAS: the selection after each product runs in parallel too, and a busy
    machine stalls one single-threaded product, not every thread of a shared one. At most one block per thread plus
    one waits in memory.
    """
    from threadpoolctl import threadpool_limits

    workers = min(_workers(), max(1, len(tasks)))
    with threadpool_limits(1, user_api="blas"), ThreadPoolExecutor(workers) as pool:
        pending: deque = deque()
        for done, task in enumerate(tasks, 1):
            pending.append((task, pool.submit(compute, task)))
            if len(pending) > workers:
                t, future = pending.popleft()
                yield done - workers, t, future.result()
        for i, (t, future) in enumerate(pending):
            yield len(tasks) - len(pending) + i + 1, t, future.result()


def replay_rows(
    train: np.ndarray,
    query: np.ndarray,
    k: int,
    metric: str,
    n_queries: int,
    budget_bytes: int = DEFAULT_BUDGET,
) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's own k neighbours (values, indices) of each row of ``query``, ties as its heap leaves them.

    ``n_queries`` is the size of the whole query set scikit-learn was given (it picks its strategy by it). Values
    are squared distances for Euclidean.
    """
    train, query = _rows(train), _rows(query)
    metric = _metric(metric)
    on_x = parallel_on_x(n_queries, len(train))
    dist = _Distances(train, query, metric)
    values = np.empty((len(query), k))
    index = np.empty((len(query), k), dtype=np.int64)
    step = max(1, budget_bytes // (8 * len(train)))
    for q0, q1 in _spans(len(query), step):
        full = dist.block(q0, q1, 0, len(train))
        for r in range(q1 - q0):
            index[q0 + r], values[q0 + r] = sklearn_neighbours(full[r], k, on_x)
    return values, index


def parallel_on_x(n_queries: int, n_train: int) -> bool:
    """scikit-learn's "auto" strategy with one thread: parallelise on queries (else on training rows)."""
    from sklearn import get_config

    chunk_size = get_config().get("pairwise_dist_chunk_size", 256)
    return n_train < n_queries or 4 * chunk_size < n_queries


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
    return indices.astype(np.int64), values


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


class _TopK:
    """A running top ``m`` per row, sorted by (value, index): merging blocks in any order gives the same rows.

    :meth:`candidates` (thread-safe, it only reads) picks a block's entries that may enter; :meth:`merge` (one
    thread) merges them. A threshold read while another block merges is at worst looser, never wrong: a row's m-th
    value only ever decreases.
    """

    def __init__(self, n: int, m: int) -> None:
        self.m = m
        self.values = np.full((n, m), np.inf)
        self.index = np.full((n, m), np.iinfo(np.int64).max, dtype=np.int64)

    def candidates(self, r0: int, r1: int, vals: np.ndarray, offset: int) -> tuple:
        """Entries of ``vals`` (rows r0:r1 × training rows offset…) that may enter those rows' top m."""
        worst = self.values[r0:r1, -1].copy()
        if np.isfinite(worst).all():  # every row full: only values up to its current m-th can enter (ties too)
            rows, cols = np.nonzero(vals <= worst[:, None])
            return rows, vals[rows, cols], cols + offset
        m = min(self.m, vals.shape[1])
        if m == vals.shape[1]:
            return None, np.array(vals), np.broadcast_to(np.arange(m) + offset, vals.shape)
        part = np.argpartition(vals, m - 1, axis=1)[:, :m]
        return None, np.take_along_axis(vals, part, axis=1), part + offset

    def merge(self, r0: int, r1: int, found: tuple) -> None:
        """Merge :meth:`candidates`' result into rows r0:r1: one row-wise sort of the kept and the new entries."""
        rows, vals, index = found
        if rows is not None:  # entries grouped by row (row-major): laid out as rows padded with empty slots
            if len(rows) == 0:
                return
            counts = np.bincount(rows, minlength=r1 - r0)
            slot = np.arange(len(rows)) - (np.cumsum(counts) - counts)[rows]
            padded_vals = np.full((r1 - r0, counts.max()), np.inf)
            padded_index = np.full((r1 - r0, counts.max()), np.iinfo(np.int64).max, dtype=np.int64)
            padded_vals[rows, slot], padded_index[rows, slot] = vals, index
            vals, index = padded_vals, padded_index
        all_vals = np.concatenate([self.values[r0:r1], vals], axis=1)
        all_index = np.concatenate([self.index[r0:r1], np.asarray(index)], axis=1)
        keep = np.lexsort((all_index, all_vals), axis=1)[:, : self.m]  # by (value, row) within each row
        self.values[r0:r1] = np.take_along_axis(all_vals, keep, axis=1)
        self.index[r0:r1] = np.take_along_axis(all_index, keep, axis=1)


class _Distances:
    """Exact distance blocks between rows of ``query`` and ``train`` (query None: train against itself)."""

    def __init__(self, train: np.ndarray, query: np.ndarray | None, metric: str) -> None:
        self.train = train
        self.query = train if query is None else query
        self.metric = metric
        if metric == "euclidean":
            self.cols = np.flatnonzero(_nonzero_columns(train))  # a pixel zero in every training row adds nothing
            biggest = max(_biggest(train), _biggest(self.query), 1)
            self.group = max(1, (_F32_EXACT - 1) // (biggest * biggest))
            self.train_sq = _squared_norms(train)
            self.query_sq = self.train_sq if query is None else _squared_norms(query)

    def block(self, q0: int, q1: int, t0: int, t1: int) -> np.ndarray:
        """Distances (squared for Euclidean), float64 (q1 - q0, t1 - t0)."""
        A, B = self.query[q0:q1], self.train[t0:t1]
        if self.metric == "manhattan":
            from scipy.spatial.distance import cdist

            return cdist(A.astype(np.float64), B.astype(np.float64), "cityblock")
        out = np.zeros((q1 - q0, t1 - t0))
        for c0, c1 in _spans(len(self.cols), self.group):  # float32 products stay exact within a group
            cols = self.cols[c0:c1]
            a = A[:, cols].astype(np.float32)
            b = B[:, cols].astype(np.float32)
            out += a @ b.T
        out *= -2.0
        out += self.train_sq[t0:t1][None, :]
        out += self.query_sq[q0:q1][:, None]
        return out


def _tied(values: np.ndarray, k: int, within: bool) -> np.ndarray:
    """Rows whose k-th and (k+1)-th values tie (and, ``within``, any two of the first k)."""
    tied = values[:, k - 1] == values[:, k] if values.shape[1] > k else np.zeros(len(values), dtype=bool)
    if within and k > 1:
        tied = tied | np.any(values[:, 1:k] == values[:, : k - 1], axis=1)
    return tied


def _metric(metric: str) -> str:
    name = exact_metric(metric)
    if name is None:
        raise ValueError(f"metric {metric!r} is not one this module computes exactly (euclidean, manhattan)")
    return name


def _rows(X: np.ndarray) -> np.ndarray:
    """(n, ...) → (n, features) without a copy where possible."""
    X = np.asarray(X)
    return X.reshape(len(X), -1)


def _chunks(X: np.ndarray, rows: int = 4096) -> Iterator[np.ndarray]:
    for r0, r1 in _spans(len(X), rows):
        yield X[r0:r1]


def _spans(n: int, size: int) -> list[tuple[int, int]]:
    return [(s, min(s + size, n)) for s in range(0, n, max(1, size))]


def _even_spans(n: int, size: int, at_least: int = 1) -> list[tuple[int, int]]:
    """At least ``at_least`` spans of at most ``size``, as equal as can be."""
    count = min(n, max(at_least, -(-n // max(1, size))))
    edges = np.linspace(0, n, count + 1).round().astype(int).tolist()
    return list(zip(edges[:-1], edges[1:]))


def _workers() -> int:
    return len(os.sched_getaffinity(0))


def _block_size(budget_bytes: int) -> int:
    """Rows (and columns) of a square block, one per thread: float64 distances, float32 products and the int64
    partition index (or a mask) of its selection, 20 bytes an entry."""
    return max(1, int((budget_bytes / (20 * _workers())) ** 0.5))


def _biggest(X: np.ndarray) -> int:
    if X.dtype == np.uint8:
        return 255
    return int(max((np.abs(c).max() for c in _chunks(X)), default=0))


def _nonzero_columns(X: np.ndarray) -> np.ndarray:
    nonzero = np.zeros(X.shape[1], dtype=bool)
    for c in _chunks(X):
        nonzero |= c.any(axis=0)
    return nonzero


def _squared_norms(X: np.ndarray) -> np.ndarray:
    """Exact squared row norms, float64."""
    out = np.empty(len(X))
    for r0, r1 in _spans(len(X), 4096):
        c = X[r0:r1].astype(np.float64)
        out[r0:r1] = np.einsum("ij,ij->i", c, c)
    return out
