"""The ``fit`` job: one config fitted on the whole training set (or a ``--max-train`` subsample), scored on the test set.

Params ``{"estimator", "params", "max_train"}`` (estimator names and parameters as in
:mod:`engine.search.registry`). KNN with exact inputs runs through :mod:`engine.neighbors` (blocks sized to a memory
budget, progress per block, predictions equal to scikit-learn's); other estimators are fitted by scikit-learn and
predict the test set in chunks, with progress per chunk. Results: ``params``, ``test_accuracy``, ``fit_s``,
``predict_s``, ``n_train``.
"""

from __future__ import annotations

import time

import numpy as np

from engine import neighbors
from engine.errors import UsageError
from engine.jobs.context import JobContext
from engine.models.subsample import check_max_train, stratified_subsample
from engine.search.knn_shared import SHARED_PARAMS

JOB_KIND = "fit"
PREDICT_CHUNK = 2000  # test rows per predict call: bounded memory, and progress the user can see
FLOAT32 = {"rf"}  # estimators that compute in float32 anyway: no float64 copy of the images


def fit_params(estimator: str, params: dict, max_train: int | None = None) -> dict:
    """Validated run params for a ``fit`` job (one-line UsageError for an unknown estimator or parameter)."""
    from engine.search.registry import spec_for, validate_grid

    spec_for(estimator)
    for name, value in params.items():
        if isinstance(value, list):
            raise UsageError(f"fit takes one value per parameter; {name} has {len(value)}")
    validate_grid(estimator, {name: [value] for name, value in params.items()})
    if max_train is not None and (isinstance(max_train, bool) or not isinstance(max_train, int) or max_train < 1):
        raise UsageError(f"--max-train must be a whole number of at least 1, got {max_train}")
    return {"estimator": estimator, "params": dict(params), "max_train": max_train}


def uses_neighbors(estimator: str, params: dict, X: np.ndarray) -> bool:
    """Whether a KNN config runs through :mod:`engine.neighbors` (exact, chunked) rather than scikit-learn."""
    if estimator != "knn" or not set(params) <= SHARED_PARAMS:
        return False
    if params.get("weights", "uniform") not in ("uniform", "distance"):
        return False
    metric = neighbors.exact_metric(params.get("metric", "minkowski"), params.get("p", 2))
    return metric is not None and neighbors.exact_input(X)


def run_fit(ctx: JobContext) -> None:
    """The ``fit`` job kind (see the module docstring for what it stores)."""
    p = fit_params(ctx.params["estimator"], ctx.params.get("params") or {}, ctx.params.get("max_train"))
    estimator, params = p["estimator"], p["params"]
    ds = ctx.dataset
    check_max_train(p["max_train"], ds.y_train)
    keep = stratified_subsample(ds.y_train, p["max_train"])
    X = ds.X_train.reshape(len(ds.X_train), -1)  # uint8, a view: converted where a model needs floats
    if len(keep) < len(X):
        X = X[keep]
    y = ds.y_train[keep]
    X_test, y_test = ds.X_test.reshape(len(ds.X_test), -1), ds.y_test
    ctx.log(f"{estimator} {params or '(defaults)'}: fit on {len(y):,} training images, score on {len(y_test):,}")
    if uses_neighbors(estimator, params, X):
        fit_s, predict_s, pred = _knn(ctx, X, y, X_test, params)
    else:
        fit_s, predict_s, pred = _sklearn(ctx, estimator, params, X, y, X_test)
    accuracy = float(np.average(pred == y_test))
    ctx.save(params=params, test_accuracy=accuracy, fit_s=fit_s, predict_s=predict_s, n_train=len(y))
    ctx.log(f"test accuracy {accuracy:.4f} (fit {fit_s:.1f} s, predict {predict_s:.1f} s)")


def _knn(ctx: JobContext, X, y, X_test, params: dict) -> tuple[float, float, np.ndarray]:
    """KNN: fitting is keeping the training set; predicting is the chunked neighbour computation."""
    metric = neighbors.exact_metric(params.get("metric", "minkowski"), params.get("p", 2))
    assert metric is not None  # uses_neighbors() sent only exact metrics here
    k = params.get("n_neighbors", 5)
    if k > len(y):
        raise UsageError(f"n_neighbors={k} is more than the {len(y)} training images")
    started = time.perf_counter()
    pred = neighbors.classify(
        X,
        y,
        X_test,
        k,
        params.get("weights", "uniform"),
        metric,
        progress=lambda done, total: ctx.progress(done, total),
    )
    ctx.progress(force=True)
    return 0.0, time.perf_counter() - started, pred


def _sklearn(ctx: JobContext, estimator: str, params: dict, X, y, X_test) -> tuple[float, float, np.ndarray]:
    """Any estimator: fit as scikit-learn does, predict the test set in chunks (progress: 1 fit + the chunks)."""
    from engine.search.registry import make_estimator

    dtype = np.float32 if estimator in FLOAT32 else np.float64
    chunks = [(s, min(s + PREDICT_CHUNK, len(X_test))) for s in range(0, len(X_test), PREDICT_CHUNK)]
    ctx.progress(0, 1 + len(chunks))
    model = make_estimator(estimator, **params)
    started = time.perf_counter()
    model.fit(np.ascontiguousarray(X, dtype=dtype), y)
    fit_s = time.perf_counter() - started
    ctx.progress(advance=1)
    started = time.perf_counter()
    pred = np.empty(len(X_test), dtype=y.dtype)
    for s, e in chunks:
        pred[s:e] = model.predict(np.ascontiguousarray(X_test[s:e], dtype=dtype))
        ctx.progress(advance=1)
    return fit_s, time.perf_counter() - started, pred
