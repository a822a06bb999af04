"""Searches equal GridSearchCV, ties included; they resume after kill -9 and run the same on Dask."""

from __future__ import annotations

import os
import signal
import time

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from engine import neighbors
from engine.data import DataSpec, load_dataset
from engine.errors import UsageError
from engine.jobs import launch, run_inline, wait_for
from engine.models.features import flat_float
from engine.search.backends import parallel_backend
from engine.search.grid import expand, parse_params
from engine.search.registry import make_estimator
from engine.search.runner import make_plan, search, search_params


@pytest.fixture(scope="module")
def digits():
    ds = load_dataset(DataSpec("digits"))
    return flat_float(ds.X_train), ds.y_train, flat_float(ds.X_test), ds.y_test


def grid_search_cv(estimator: str, grid: dict, cv: int, X, y, n_jobs: int = 1) -> dict:
    """GridSearchCV's cv_results_ with one OpenMP thread (what its n_jobs=-1 workers get on this machine)."""
    from sklearn.model_selection import GridSearchCV

    with threadpool_limits(1):
        return GridSearchCV(make_estimator(estimator), grid, cv=cv, n_jobs=n_jobs).fit(X, y).cv_results_


def assert_equal_to_sklearn(ours: dict, ref: dict, cv: int) -> None:
    """Equal means equal: every mean, std, split score and rank compares == (no tolerance)."""
    results = ours["results"]
    assert [r["params"] for r in results] == list(ref["params"])
    assert [r["mean_test_score"] for r in results] == ref["mean_test_score"].tolist()
    assert [r["std_test_score"] for r in results] == ref["std_test_score"].tolist()
    assert [r["rank_test_score"] for r in results] == ref["rank_test_score"].tolist()
    for i in range(cv):
        assert [r["split_scores"][i] for r in results] == ref[f"split{i}_test_score"].tolist()


def test_shared_neighbour_knn_search_equals_gridsearchcv(digits) -> None:
    X, y, X_test, y_test = digits
    grid = {"weights": ["uniform", "distance"], "n_neighbors": [1, 3, 4, 5, 6, 9], "p": [1, 2]}
    ours = search("knn", grid, 5, X, y, X_test, y_test)
    assert ours["method"] == "shared-neighbour"
    assert_equal_to_sklearn(ours, grid_search_cv("knn", grid, 5, X, y), 5)
    ref_model = make_estimator("knn", **ours["best_params"]).fit(X, y)
    assert ours["test_accuracy"] == ref_model.score(X_test, y_test)


def test_exact_sklearn_knn_search_equals_gridsearchcv(digits) -> None:
    X, y, X_test, y_test = digits
    grid = {"weights": ["uniform", "distance"], "n_neighbors": [3, 5]}
    ours = search("knn", grid, 3, X, y, X_test, y_test, exact_sklearn=True, n_jobs=2)
    assert ours["method"] == "fits"
    assert_equal_to_sklearn(ours, grid_search_cv("knn", grid, 3, X, y), 3)


@pytest.mark.filterwarnings("ignore", category=ConvergenceWarning)
def test_sgd_search_equals_gridsearchcv(digits) -> None:
    X, y, X_test, y_test = digits
    grid = {"alpha": [0.0001, 0.01], "penalty": ["l2", "l1"], "max_iter": [15]}
    ours = search("sgd", grid, 3, X, y, X_test, y_test, n_jobs=2)
    assert ours["method"] == "fits"
    assert_equal_to_sklearn(ours, grid_search_cv("sgd", grid, 3, X, y), 3)


def test_shared_neighbour_search_breaks_ties_like_sklearn(digits) -> None:
    """Binarised pixels plus duplicated rows: distances tie at the k-th neighbour on most rows.

    "Equal" here means equal to GridSearchCV run with one OpenMP thread (OMP_NUM_THREADS=1, which is also what each
    of GridSearchCV(n_jobs=-1)'s workers gets): with several threads scikit-learn merges per-thread heaps and picks
    other tied points, so its own n_jobs=1 and n_jobs=-1 results differ from each other on such data.
    """
    X, y, X_test, y_test = digits
    Xb = np.vstack([(X > 127) * 255.0, (X[:150] > 127) * 255.0])
    yb = np.concatenate([y, y[:150]])
    grid = {"weights": ["uniform", "distance"], "n_neighbors": [3, 4, 8, 9]}
    plan = make_plan("knn", grid, 5, Xb, yb, exact_sklearn=False)
    train, test = plan.folds[0]
    sorted_values, _ = neighbors.nearest(Xb[train], Xb[test], 9)
    assert np.mean(sorted_values[:, 3] == sorted_values[:, 4]) > 0.3  # ties at the 4th neighbour are the rule
    ours = search("knn", grid, 5, Xb, yb, (X_test > 127) * 255.0, y_test)
    assert ours["method"] == "shared-neighbour"
    assert_equal_to_sklearn(ours, grid_search_cv("knn", grid, 5, Xb, yb), 5)
    with threadpool_limits(1):
        refit = make_estimator("knn", **ours["best_params"]).fit(Xb, yb)
        assert ours["test_accuracy"] == refit.score((X_test > 127) * 255.0, y_test)


def test_grid_values_are_parsed_and_expanded_in_gridsearchcv_order() -> None:
    grid = parse_params(["weights=uniform,distance", "n_neighbors=3,4", "p=None", "alpha=1e-3,true"])
    assert grid == {"weights": ["uniform", "distance"], "n_neighbors": [3, 4], "p": [None], "alpha": [0.001, True]}
    from sklearn.model_selection import ParameterGrid

    assert expand(grid) == list(ParameterGrid(grid))


@pytest.mark.parametrize(
    "estimator, grid, cv, message",
    [
        ("knn", {"n_neighbors": ["abc"]}, 5, "n_neighbors"),
        ("knn", {"bogus": [1]}, 5, "no parameter 'bogus'"),
        ("tree", None, 5, "unknown estimator"),
        ("knn", None, 1, "--cv"),
    ],
)
def test_bad_search_params_are_refused_in_one_line(estimator, grid, cv, message) -> None:
    with pytest.raises(UsageError, match=message) as info:
        search_params(estimator, grid, cv)
    assert "\n" not in str(info.value)


def test_a_killed_search_resumes_with_only_the_missing_fits(store) -> None:
    grid = {"n_neighbors": [1, 2, 3, 4, 5, 6, 7, 8], "weights": ["uniform", "distance"]}
    params = search_params("knn", grid, cv=5, exact_sklearn=True)  # 80 separate fits
    run = launch(store, "search", params, DataSpec("digits"))
    deadline = time.monotonic() + 60
    while len(store.events(run.id, kind="fit")) < 3:
        assert store.get_run(run.id).active and time.monotonic() < deadline
        time.sleep(0.05)
    os.killpg(store.get_run(run.id).pid, signal.SIGKILL)
    assert wait_for(store, run.id, timeout=10).status == "interrupted"
    before = {(e.payload["config"], e.payload["fold"]) for e in store.events(run.id, kind="fit")}
    assert 3 <= len(before) < 80

    launch(store, "search", params, DataSpec("digits"), run_id=run.id)
    assert wait_for(store, run.id, timeout=120).status == "done"
    fits = [(e.payload["config"], e.payload["fold"]) for e in store.events(run.id, kind="fit")]
    assert len(fits) == len(set(fits)) == 80  # the resumed job ran exactly the 80 - len(before) missing fits
    assert set(fits[: len(before)]) == before
    assert len(store.events(run.id, kind="grid")) == 1
    results = store.results(run.id)
    assert [len(r["split_scores"]) for r in results["results"]] == [5] * 16
    assert store.get_run(run.id).fits_done == 80


def test_search_job_writes_grid_fits_and_results_to_the_store(store) -> None:
    run = run_inline(store, "search", search_params("knn", None, cv=3), DataSpec("digits"))
    assert run.status == "done"
    grid = store.events(run.id, kind="grid")[0].payload
    assert grid["n_folds"] == 3 and grid["method"] == "shared-neighbour" and len(grid["configs"]) == 8
    fits = store.events(run.id, kind="fit")
    assert len(fits) == 24 and {"config", "fold", "params", "score", "fit_time", "score_time"} <= set(fits[0].payload)
    results = store.results(run.id)
    assert {"results", "best_params", "best_score", "test_accuracy", "elapsed_s"} <= set(results)
    assert (run.fits_done, run.fits_total) == (24, 24)


@pytest.mark.filterwarnings("ignore", category=ConvergenceWarning)
def test_dask_backend_on_a_local_cluster_equals_local(digits) -> None:
    X, y, X_test, y_test = digits
    knn_grid = {"weights": ["uniform", "distance"], "n_neighbors": [3, 5]}
    sgd_grid = {"alpha": [0.0001, 0.01], "max_iter": [15]}
    local = [
        search("knn", knn_grid, 3, X, y, X_test, y_test),
        search("sgd", sgd_grid, 3, X, y, X_test, y_test, n_jobs=2),
    ]
    with parallel_backend("dask") as where:
        assert "LocalCluster" in where
        remote = [search("knn", knn_grid, 3, X, y, X_test, y_test), search("sgd", sgd_grid, 3, X, y, X_test, y_test)]
    for a, b in zip(local, remote):
        assert [r["split_scores"] for r in a["results"]] == [r["split_scores"] for r in b["results"]]
        assert (a["best_params"], a["test_accuracy"]) == (b["best_params"], b["test_accuracy"])
