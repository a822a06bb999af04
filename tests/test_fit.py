"""``mnist-explorer fit``: one config on the whole training set, scored on the test set, as a job."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.neighbors import KNeighborsClassifier

from engine.cli.main import main
from engine.data import DataSpec, load_dataset
from engine.models.cost import CostEstimate, estimate_cost
from engine.models.subsample import stratified_subsample
from engine.store import RunStore


def test_user_fits_knn_and_gets_sklearns_test_accuracy_as_json(store_path, capsys) -> None:
    args = ["fit", "knn", "--param", "n_neighbors=3", "--param", "weights=distance"]
    assert main([*args, "--data", "digits", "--store", str(store_path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"run_id", "params", "test_accuracy", "fit_s", "predict_s", "n_train"}
    ds = load_dataset(DataSpec("digits"))
    X, X_test = ds.X_train.reshape(len(ds.X_train), -1), ds.X_test.reshape(len(ds.X_test), -1)
    ref = (
        KNeighborsClassifier(3, weights="distance")
        .fit(X.astype(float), ds.y_train)
        .score(X_test.astype(float), ds.y_test)
    )
    assert out["params"] == {"n_neighbors": 3, "weights": "distance"} and out["test_accuracy"] == ref
    assert out["n_train"] == len(ds.y_train)


def test_max_train_fits_a_stratified_subsample(store_path, capsys) -> None:
    assert main(["fit", "sgd", "--max-train", "300", "--data", "digits", "--store", str(store_path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["n_train"] == 300 and 0.5 < out["test_accuracy"] <= 1
    y = load_dataset(DataSpec("digits")).y_train
    keep = stratified_subsample(y, 300)
    assert np.array_equal(keep, stratified_subsample(y, 300)) and np.bincount(y[keep]).min() >= 29


@pytest.mark.parametrize(
    "args, message",
    [
        (["fit", "tree"], "unknown estimator 'tree'"),
        (["fit", "knn", "--param", "bogus=1"], "knn has no parameter 'bogus'"),
        (["fit", "knn", "--param", "n_neighbors=3,4"], "one value per parameter"),
        (["fit", "knn", "--max-train", "0"], "--max-train must be at least 1"),
        (["fit", "knn", "--max-train", "5"], "one per class"),
    ],
)
def test_bad_fit_input_is_one_line_and_exit_2(store_path, capsys, args, message) -> None:
    assert main([*args, "--data", "digits", "--store", str(store_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
    assert RunStore(store_path).list_runs() == []


def test_a_slow_model_gets_a_cost_estimate_with_a_smaller_size_offered() -> None:
    ds = load_dataset(DataSpec("digits"))
    estimate = estimate_cost("fit", "svc", ds, sizes=(300, 600))
    assert isinstance(estimate, CostEstimate) and estimate.n_train == len(ds.y_train) and estimate.seconds > 0
    assert estimate.sizes == (300, 600) and "svc fit on 1,438 images: estimated" in estimate.describe()
