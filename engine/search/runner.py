"""The ``search`` job: a grid search whose every (config, fold) result is written to the store as it finishes.

Run params: ``{"estimator", "grid", "cv", "backend", "scheduler", "exact_sklearn"}``. Events: one ``grid``
(``configs``, ``n_folds``, ``method``) then one ``fit`` per finished (config, fold) (``config``, ``fold``, ``params``,
``score``, ``fit_time``, ``score_time``). Results: ``results`` (config order: ``params``, ``mean_test_score``,
``std_test_score``, ``split_scores``, ``rank_test_score``, ``mean_fit_time``), ``best_params``, ``best_score``,
``test_accuracy`` (best config refit on the whole training set, scored on the test set), ``elapsed_s``.

Relaunched on the same run id (resume), it reads its ``fit`` events and runs only the missing (config, fold) pairs.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from engine.errors import UsageError
from engine.jobs.context import JobContext
from engine.leaderboard import Fit, FitKey, LeaderboardBuilder, build_leaderboard, cv_results
from engine.models.features import flat_float
from engine.search import knn_shared
from engine.search.backends import check_backend, parallel_backend
from engine.search.grid import Grid, expand
from engine.search.registry import spec_for, validate_grid

DEFAULT_CV = 5
SHARED = "shared-neighbour"
FITS = "fits"


def search_params(
    estimator: str,
    grid: Grid | None = None,
    cv: int = DEFAULT_CV,
    backend: str = "local",
    scheduler: str | None = None,
    exact_sklearn: bool = False,
) -> dict:
    """Validated run params for a ``search`` job (one-line UsageError on anything that cannot work)."""
    spec = spec_for(estimator)
    grid = grid if grid else dict(spec.default_grid)
    if isinstance(cv, bool) or not isinstance(cv, int) or cv < 2:
        raise UsageError(f"--cv must be a whole number of at least 2, got {cv!r}")
    check_backend(backend, scheduler)
    validate_grid(estimator, grid)
    return {
        "estimator": estimator,
        "grid": grid,
        "cv": cv,
        "backend": backend,
        "scheduler": scheduler,
        "exact_sklearn": bool(exact_sklearn),
    }


@dataclass(frozen=True)
class Plan:
    """What a search will run: its configs, folds and method."""

    estimator: str
    configs: list[dict]
    folds: list[tuple[np.ndarray, np.ndarray]]
    method: str


def make_plan(estimator: str, grid: Grid, cv: int, X: np.ndarray, y: np.ndarray, exact_sklearn: bool) -> Plan:
    """Configs in ParameterGrid order, StratifiedKFold(cv) folds (no shuffle), and the method to use."""
    from sklearn.model_selection import StratifiedKFold

    counts = np.bincount(y)
    if cv > counts[counts > 0].min():
        raise UsageError(f"--cv {cv} is more folds than the smallest class has images ({counts[counts > 0].min()})")
    configs = expand(grid)
    folds = list(StratifiedKFold(cv).split(X, y))
    min_train = min(len(train) for train, _ in folds)
    shared = estimator == "knn" and not exact_sklearn and knn_shared.usable(configs, X, min_train)
    return Plan(estimator, configs, folds, SHARED if shared else FITS)


def _fit_one(
    estimator: str,
    params: dict,
    X: np.ndarray,
    y: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    config: int,
    fold: int,
) -> list[tuple[FitKey, Fit]]:
    from engine.search.registry import make_estimator

    model = make_estimator(estimator, **params)
    started = time.perf_counter()
    model.fit(X[train], y[train])
    fitted = time.perf_counter()
    score = float(model.score(X[test], y[test]))
    return [((config, fold), Fit(score, fitted - started, time.perf_counter() - fitted))]


def run_fits(
    plan: Plan,
    X: np.ndarray,
    y: np.ndarray,
    todo: set[FitKey],
    n_jobs: int = -1,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[tuple[FitKey, Fit]]:
    """Run the (config, fold) pairs in ``todo``, yielding each as ((config, fold), fit) as soon as it (or its
    fold) finishes.

    Separate fits run on whatever joblib backend is active (see :func:`engine.search.backends.parallel_backend`); a
    shared-neighbour search runs here and reports ``progress(done, total)`` of its neighbour blocks.
    """
    from joblib import Parallel, delayed

    if not todo:
        return
    if plan.method == SHARED:  # in this process: BLAS already uses every core, and the folds share one computation
        by_fold: dict[int, dict[int, dict]] = {}
        for c, f in sorted(todo):
            by_fold.setdefault(f, {})[c] = plan.configs[c]
        for batch in knn_shared.search_scores(X, y, plan.folds, by_fold, progress):
            yield from batch
        return
    tasks = [delayed(_fit_one)(plan.estimator, plan.configs[c], X, y, *plan.folds[f], c, f) for c, f in sorted(todo)]
    for batch in Parallel(n_jobs=n_jobs, prefer="processes", return_as="generator_unordered")(tasks):
        yield from batch


def refit_score(
    estimator: str, params: dict, X: np.ndarray, y: np.ndarray, X_test: np.ndarray, y_test: np.ndarray
) -> float:
    """The best config fitted on the whole training set, scored on the test set."""
    from engine.search.registry import make_estimator

    return float(make_estimator(estimator, **params).fit(X, y).score(X_test, y_test))


def search(
    estimator: str,
    grid: Grid,
    cv: int,
    X: np.ndarray,
    y: np.ndarray,
    X_test: np.ndarray,
    y_test: np.ndarray,
    exact_sklearn: bool = False,
    n_jobs: int = -1,
) -> dict:
    """A whole search in this process (no store): results, best_params, best_score, test_accuracy, elapsed_s."""
    started = time.perf_counter()
    plan = make_plan(estimator, grid, cv, X, y, exact_sklearn)
    todo = {(c, f) for c in range(len(plan.configs)) for f in range(len(plan.folds))}
    fits = dict(run_fits(plan, X, y, todo, n_jobs))
    return _finish(plan, fits, X, y, X_test, y_test) | {
        "elapsed_s": time.perf_counter() - started,
        "method": plan.method,
    }


def _finish(plan: Plan, fits: dict[FitKey, Fit], X, y, X_test, y_test) -> dict:
    board = build_leaderboard(plan.configs, len(plan.folds), fits)
    results = cv_results(board)
    assert board.best is not None  # every config has all its folds here
    best = board.best.index  # GridSearchCV's best_index_: the first config ranked 1
    best_params = results[best]["params"]
    if plan.method == SHARED:  # the same neighbour arithmetic, equal to scikit-learn's refit and score
        test_accuracy = knn_shared.holdout_score(X, y, X_test, y_test, best_params)
    else:
        test_accuracy = refit_score(plan.estimator, best_params, X, y, X_test, y_test)
    return {
        "results": results,
        "best_params": best_params,
        "best_score": results[best]["mean_test_score"],
        "test_accuracy": test_accuracy,
    }


def run_search(ctx: JobContext) -> None:
    """The ``search`` job kind (see the module docstring for what it stores)."""
    p = ctx.params
    params = search_params(
        p["estimator"],
        p.get("grid") or None,
        p.get("cv", DEFAULT_CV),
        p.get("backend", "local"),
        p.get("scheduler"),
        p.get("exact_sklearn", False),
    )
    ds = ctx.dataset
    X, y = ds.X_train.reshape(len(ds.X_train), -1), ds.y_train  # uint8: a shared-neighbour search converts blocks
    started = time.perf_counter()
    plan = make_plan(params["estimator"], params["grid"], params["cv"], X, y, params["exact_sklearn"])
    X_test = ds.X_test.reshape(len(ds.X_test), -1)
    if plan.method != SHARED:
        X, X_test = flat_float(ds.X_train), flat_float(ds.X_test)
    n_folds = len(plan.folds)
    grid_events = ctx.store.events(ctx.run_id, kind="grid")
    earlier = 0.0
    if grid_events:
        if grid_events[0].payload["configs"] != plan.configs or grid_events[0].payload["n_folds"] != n_folds:
            raise UsageError(f"run {ctx.run_id} was started with another grid; start a new search instead")
        previous = ctx.store.events(ctx.run_id, kind="fit")
        builder = LeaderboardBuilder()
        builder.add(grid_events[:1] + previous)
        fits = builder.fits
        if previous:
            earlier = max(0.0, previous[-1].time - grid_events[0].time)
        ctx.log(f"resuming: {len(fits)} of {len(plan.configs) * n_folds} fits already done")
    else:
        ctx.event("grid", configs=plan.configs, n_folds=n_folds, method=plan.method)
        fits = {}
    todo = {(c, f) for c in range(len(plan.configs)) for f in range(n_folds)} - fits.keys()
    ctx.progress(len(fits), len(plan.configs) * n_folds)
    with parallel_backend(params["backend"], params["scheduler"], ctx.log) as where:
        ctx.log(
            f"{spec_for(plan.estimator).description}: {len(plan.configs)} configs × {n_folds} folds, "
            f"{plan.method}, on {where}"
        )
        for (config, fold), fit in run_fits(plan, X, y, todo, progress=_block_log(ctx)):
            ctx.step_event(
                "fit",
                config=config,
                fold=fold,
                params=plan.configs[config],
                score=fit.score,
                fit_time=fit.fit_time,
                score_time=fit.score_time,
            )
            fits[(config, fold)] = fit
    ctx.progress(force=True)
    final = _finish(plan, fits, X, y, X_test, ds.y_test)
    ctx.save(**final, elapsed_s=earlier + time.perf_counter() - started)
    ctx.log(f"best {final['best_params']}: cv {final['best_score']:.4f}, test {final['test_accuracy']:.4f}")


def _block_log(ctx: JobContext) -> Callable[[int, int], None]:
    """Log a shared-neighbour search's neighbour blocks every tenth of the way (its fits arrive a fold at a time)."""
    logged = [0]

    def report(done: int, total: int) -> None:
        tenth = 10 * done // max(total, 1)
        if tenth > logged[0]:
            logged[0] = tenth
            ctx.log(f"neighbours: {10 * tenth}% of the distance blocks done")

    return report
