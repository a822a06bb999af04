"""Shift augmentation: the tuned KNN trained on the plain and on the 5× shifted training set, on the test set.

Job kind ``augment``, params ``{"knn": {...}, "search_run": id | None}``: the KNN config (see :func:`knn_config`:
the best config of the newest finished KNN search on the same data, else the study's ``DEFAULT_KNN``) and the
search it came from. The augmented set is the training images followed by their four one-pixel shifts
(:func:`engine.shift.augment`). Both fits are ``KNeighborsClassifier(**knn)`` as computed by
:mod:`engine.neighbors` (exact, equal to scikit-learn's predictions): images stay uint8, the neighbour query runs in
blocks under a memory budget, one progress step per block.

Whether the gain is more than chance on this test set: McNemar's exact test, the two-sided binomial test of the
``fixed`` images (wrong before, right after) among the images whose correctness changed (``fixed`` + ``broken``).

Results: ``params``, ``search_run``, ``y_pred_plain`` and ``y_pred_augmented`` (int64, test order),
``accuracy_plain``, ``accuracy_augmented``, ``gain`` (augmented − plain), ``fixed`` and ``broken`` (int64 test
indices), ``p_value``, ``n_train_augmented``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.data import DataSpec
from engine.jobs.context import JobContext
from engine.store import RunStore

JOB_KIND = "augment"
DEFAULT_KNN: dict = {"weights": "distance", "n_neighbors": 4}  # the study's grid-search result on MNIST
KNN_KEYS = frozenset({"n_neighbors", "weights", "metric", "p"})
IGNORED_KEYS = frozenset({"algorithm", "leaf_size", "n_jobs"})  # change speed, never predictions


def usable_config(params: dict) -> bool:
    """Whether :mod:`engine.neighbors` reproduces this KNN config exactly."""
    from engine.neighbors import exact_metric

    if not set(params) <= KNN_KEYS | IGNORED_KEYS:
        return False
    k = params.get("n_neighbors", 5)
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        return False
    if params.get("weights", "uniform") not in ("uniform", "distance"):
        return False
    return exact_metric(params.get("metric", "minkowski"), params.get("p", 2)) is not None


def knn_config(store: RunStore, spec: DataSpec) -> tuple[dict, int | None]:
    """The best config of the newest finished KNN search on ``spec`` (and its run id), else ``DEFAULT_KNN``."""
    data = spec.to_dict()
    for run in store.list_runs("search"):
        if run.status == "done" and run.params.get("estimator") == "knn" and run.data == data:
            best = store.get_result(run.id, "best_params", None)
            if isinstance(best, dict) and usable_config(best):
                return best, run.id
    return dict(DEFAULT_KNN), None


def job_params(store: RunStore, spec: DataSpec) -> dict:
    """The params of an augment run on ``spec`` started now."""
    knn, search_run = knn_config(store, spec)
    return {"knn": knn, "search_run": search_run}


def mcnemar_exact(fixed: int, broken: int) -> float:
    """Two-sided exact McNemar p-value: ``fixed`` successes of ``fixed + broken`` fair coin flips (1.0 if none)."""
    n = fixed + broken
    if n == 0:
        return 1.0
    from scipy.stats import binomtest

    return float(binomtest(fixed, n, 0.5).pvalue)


@dataclass(frozen=True)
class AugmentResults:
    """A done ``augment`` run's results (numpy only)."""

    run_id: int
    params: dict
    search_run: int | None
    y_pred_plain: np.ndarray
    y_pred_augmented: np.ndarray
    accuracy_plain: float
    accuracy_augmented: float
    gain: float
    fixed: np.ndarray
    broken: np.ndarray
    p_value: float
    n_train_augmented: int

    @classmethod
    def from_store(cls, store: RunStore, run_id: int) -> AugmentResults:
        r = store.results(run_id)
        return cls(
            run_id=run_id,
            params=dict(r["params"]),
            search_run=r.get("search_run"),
            y_pred_plain=r["y_pred_plain"],
            y_pred_augmented=r["y_pred_augmented"],
            accuracy_plain=float(r["accuracy_plain"]),
            accuracy_augmented=float(r["accuracy_augmented"]),
            gain=float(r["gain"]),
            fixed=r["fixed"],
            broken=r["broken"],
            p_value=float(r["p_value"]),
            n_train_augmented=int(r["n_train_augmented"]),
        )

    def to_json(self) -> dict:
        return {
            "run_id": self.run_id,
            "params": self.params,
            "accuracy_plain": self.accuracy_plain,
            "accuracy_augmented": self.accuracy_augmented,
            "gain": self.gain,
            "fixed": int(len(self.fixed)),
            "broken": int(len(self.broken)),
            "p_value": self.p_value,
            "n_train_augmented": self.n_train_augmented,
        }


class _TwoQueries:
    """Progress of two neighbour queries as one count of blocks. The second query's block count is known only when
    it starts, so until then it is estimated from the first's, scaled by its ``ratio`` (its training rows)."""

    def __init__(self, ctx: JobContext, ratio: int) -> None:
        self.ctx = ctx
        self.ratio = ratio
        self.first = 0

    def plain(self, done: int, total: int) -> None:
        self.first = total
        self.ctx.progress(done, total * (1 + self.ratio))

    def augmented(self, done: int, total: int) -> None:
        self.ctx.progress(self.first + done, self.first + total)


def run_augment(ctx: JobContext) -> None:
    from engine.neighbors import classify, exact_metric
    from engine.shift import SHIFTS, augment

    knn = dict(ctx.params.get("knn") or DEFAULT_KNN)
    metric = exact_metric(knn.get("metric", "minkowski"), knn.get("p", 2))
    if metric is None or not usable_config(knn):
        raise ValueError(f"KNN config {knn} cannot be computed exactly (n_neighbors, weights, metric, p only)")
    k = int(knn.get("n_neighbors", 5))
    weights = knn.get("weights", "uniform")
    ds = ctx.dataset
    config = ", ".join(f"{name}={value}" for name, value in knn.items())
    ctx.log(f"KNN {config} on {len(ds.X_train):,} training images, then on them and their {len(SHIFTS)} shifts")
    phases = _TwoQueries(ctx, len(SHIFTS) + 1)
    plain = classify(ds.X_train, ds.y_train, ds.X_test, k, weights, metric, progress=phases.plain)
    accuracy_plain = float(np.mean(plain == ds.y_test))
    ctx.save(y_pred_plain=plain.astype(np.int64), accuracy_plain=accuracy_plain)
    ctx.log(f"plain: test accuracy {accuracy_plain:.4f}")

    X_aug, y_aug = augment(ds.X_train, ds.y_train)
    augmented = classify(X_aug, y_aug, ds.X_test, k, weights, metric, progress=phases.augmented)
    accuracy_augmented = float(np.mean(augmented == ds.y_test))
    right_plain, right_aug = plain == ds.y_test, augmented == ds.y_test
    fixed = np.flatnonzero(~right_plain & right_aug)
    broken = np.flatnonzero(right_plain & ~right_aug)
    p_value = mcnemar_exact(len(fixed), len(broken))
    ctx.save(
        params=knn,
        search_run=ctx.params.get("search_run"),
        y_pred_augmented=augmented.astype(np.int64),
        accuracy_augmented=accuracy_augmented,
        gain=accuracy_augmented - accuracy_plain,
        fixed=fixed.astype(np.int64),
        broken=broken.astype(np.int64),
        p_value=p_value,
        n_train_augmented=len(X_aug),
    )
    ctx.log(
        f"augmented ({len(X_aug):,} images): test accuracy {accuracy_augmented:.4f}, "
        f"gain {accuracy_augmented - accuracy_plain:+.4f}; fixed {len(fixed)}, broken {len(broken)}, "
        f"McNemar p = {p_value:.3g}"
    )
