"""The binary detector and the learning curve, run as real job processes against a real SQLite store."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import LaunchedJob

from engine.data import DataSpec, load_dataset
from engine.jobs import launch, run_inline, wait_for


def test_binary_job_on_digits_gives_sane_results(binary_job: LaunchedJob) -> None:
    store, run = binary_job.store, binary_job.finished  # launched as a real job process (shared with test_jobs)
    assert run.status == "done", run.error
    r = store.results(run.id)
    y = load_dataset("digits").y_train
    n = len(y)

    assert r["dummy_accuracy"] == pytest.approx(np.mean(y != 5), abs=1e-12)  # always "not 5"
    assert len(r["cv_accuracy"]) == 3 and all(0.9 < a <= 1 for a in r["cv_accuracy"])
    assert np.array(r["confusion"]).sum() == n
    (tn, fp), (fn, tp) = r["confusion"]
    assert tp + fn == np.sum(y == 5)
    assert r["precision"] == pytest.approx(tp / (tp + fp))
    assert r["recall"] == pytest.approx(tp / (tp + fn))
    assert r["f1"] == pytest.approx(2 * tp / (2 * tp + fp + fn))
    assert 0 < r["roc_auc_sgd"] <= 1 and 0 < r["roc_auc_rf"] <= 1
    assert np.array_equal(r["y_true"], (y == 5).astype(np.int8))
    assert r["scores_sgd"].shape == r["proba_rf"].shape == (n,)
    predicted = r["scores_sgd"] > 0  # the Threshold tab's contract: threshold 0 reproduces the confusion matrix
    assert np.sum(predicted & (r["y_true"] == 1)) == tp and np.sum(predicted & (r["y_true"] == 0)) == fp

    folds = [e.payload for e in store.events(run.id, kind="fold")]
    assert [(f["model"], f["fold"]) for f in folds] == [
        ("sgd", 0),
        ("sgd", 1),
        ("sgd", 2),
        ("rf", 0),
        ("rf", 1),
        ("rf", 2),
    ]
    assert [f["accuracy"] for f in folds[:3]] == r["cv_accuracy"]
    assert (run.fits_done, run.fits_total) == (7, 7)


def test_binary_on_mnist5k_reproduces_the_study(store) -> None:
    run = wait_for(store, launch(store, "binary", {"digit": 5}, DataSpec("mnist5k")).id, timeout=120)
    assert run.status == "done", run.error
    r = store.results(run.id, arrays=False)
    assert r["dummy_accuracy"] == 0.9  # 400 fives among 4,000 training images: "never a 5" is right 90 %
    assert np.mean(r["cv_accuracy"]) > 0.9 and min(r["cv_accuracy"]) > 0.9
    assert r["roc_auc_rf"] > r["roc_auc_sgd"]


def test_binary_job_for_a_class_the_data_lacks_fails_with_one_line(store) -> None:
    run = run_inline(store, "binary", {"digit": 12}, DataSpec("digits"))
    assert run.status == "failed"
    assert run.error.startswith("digit 12 is not a class of this data") and "\n" not in run.error
    assert store.results(run.id) == {}


def test_learning_curve_records_train_and_validation_accuracy_each_epoch(store) -> None:
    run = wait_for(store, launch(store, "learning_curve", {"digit": 5, "epochs": 6}, DataSpec("digits")).id, timeout=60)
    assert run.status == "done", run.error
    epochs = [e.payload for e in store.events(run.id, kind="epoch")]
    assert [e["epoch"] for e in epochs] == [1, 2, 3, 4, 5, 6]
    r = store.results(run.id)
    assert r["epochs"] == [1, 2, 3, 4, 5, 6]
    assert r["train_accuracy"] == [e["train_accuracy"] for e in epochs]
    assert r["val_accuracy"] == [e["val_accuracy"] for e in epochs]
    assert all(0.8 < a <= 1 for a in r["train_accuracy"] + r["val_accuracy"])
    assert r["n_fit"] + r["n_val"] == len(load_dataset("digits").y_train)
    assert (run.fits_done, run.fits_total) == (6, 6)


def test_multiclass_learning_curve_and_bad_epochs(store) -> None:
    multi = run_inline(store, "learning_curve", {"digit": None, "epochs": 2}, DataSpec("digits"))
    assert multi.status == "done", multi.error
    assert len(store.get_result(multi.id, "val_accuracy")) == 2
    bad = run_inline(store, "learning_curve", {"digit": 5, "epochs": 0}, DataSpec("digits"))
    assert bad.status == "failed" and bad.error == "epochs must be between 1 and 1000, got 0"
