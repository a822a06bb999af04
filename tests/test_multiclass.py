"""Multiclass jobs through the real job runner, and ``mnist-explorer errors`` on top of them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from engine.cli.main import main
from engine.confusion import confusion_matrix
from engine.data import DataSpec, load_dataset
from engine.jobs import launch, run_inline, wait_for
from engine.models.features import flat_float
from engine.models.multiclass import MODELS, latest_done, load_analysis
from engine.store import RunStore

DIGITS = DataSpec("digits")


@pytest.fixture(scope="module")
def digits_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """A store with one done run of every model on digits, all launched as real detached jobs."""
    path = tmp_path_factory.mktemp("multiclass") / "runs.sqlite"
    store = RunStore(path)
    runs = {model: launch(store, "multiclass", {"model": model}, DIGITS).id for model in MODELS}
    for run_id in runs.values():
        finished = wait_for(store, run_id, timeout=120)
        assert finished.status == "done", finished.error
    store.close()
    return path, runs


def test_each_model_runs_as_a_job_and_stores_predictions_and_scores(digits_runs) -> None:
    path, runs = digits_runs
    store = RunStore(path)
    ds = load_dataset(DIGITS)
    for model, run_id in runs.items():
        run = store.get_run(run_id)
        assert (run.fits_done, run.fits_total) == (3, 3)
        results = store.results(run_id)
        assert np.array_equal(results["y_true"], ds.y_train)
        assert results["y_pred"].shape == ds.y_train.shape
        assert results["scores"].shape == (len(ds.y_train), 10)
        assert results["accuracy"] == pytest.approx(np.mean(results["y_pred"] == ds.y_train))
        assert results["confusion"] == confusion_matrix(ds.y_train, results["y_pred"], 10).tolist()
        assert len(results["cv_accuracy"]) == 3 and results["model"] == model
        folds = store.events(run_id, kind="fold")
        assert [e.payload["fold"] for e in folds] == [0, 1, 2]
    store.close()


def test_scaled_sgd_job_matches_cross_val_predict(digits_runs) -> None:
    path, runs = digits_runs
    ds = load_dataset(DIGITS)
    pipeline = make_pipeline(StandardScaler(), SGDClassifier(random_state=42))
    expected = cross_val_predict(pipeline, flat_float(ds.X_train), ds.y_train, cv=3)
    store = RunStore(path)
    assert np.array_equal(store.get_result(runs["sgd-scaled"], "y_pred"), expected)
    # the stored scores are the ones the prediction came from
    scores = store.get_result(runs["sgd-scaled"], "scores")
    assert np.array_equal(scores.argmax(axis=1), expected)
    store.close()


def test_on_digits_scaling_helps_sgd_and_svc_is_best(digits_runs) -> None:
    path, runs = digits_runs
    store = RunStore(path)
    acc = {model: store.get_result(run_id, "accuracy") for model, run_id in runs.items()}
    store.close()
    assert acc["sgd"] < acc["sgd-scaled"] < acc["svc"]
    assert acc["svc-ovr"] > acc["sgd-scaled"]


def test_unknown_model_fails_the_run_with_one_line(store: RunStore) -> None:
    run = run_inline(store, "multiclass", {"model": "forest"}, DIGITS)
    assert run.status == "failed"
    assert run.error == "unknown model 'forest'; choose one of sgd, sgd-scaled, svc, svc-ovr"


def test_errors_cli_reuses_the_latest_run_and_prints_json(digits_runs, capsys) -> None:
    path, runs = digits_runs
    code = main(["errors", "--model", "svc", "--data", "digits", "--store", str(path), "--json", "--top", "5"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["run_id"] == runs["svc"]
    store = RunStore(path)
    analysis = load_analysis(store, runs["svc"])
    store.close()
    assert out["accuracy"] == pytest.approx(analysis.accuracy)
    assert out["confusion"] == analysis.confusion.tolist()
    counts = [c for _, _, c in out["top_confusions"]]
    assert counts == sorted(counts, reverse=True) and all(t != p for t, p, _ in out["top_confusions"])
    mistakes = out["most_confident_mistakes"]
    assert len(mistakes) == 5 and set(mistakes[0]) == {"index", "true", "predicted", "margin"}
    assert [m["margin"] for m in mistakes] == sorted((m["margin"] for m in mistakes), reverse=True)
    assert all(analysis.y_true[m["index"]] == m["true"] != m["predicted"] for m in mistakes)


def test_errors_cli_runs_a_missing_model_with_progress_on_stderr(tmp_path: Path) -> None:
    store_path = tmp_path / "fresh.sqlite"
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "engine",
            "errors",
            "--model",
            "sgd-scaled",
            "--data",
            "digits",
            "--store",
            str(store_path),
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert "fold 3/3" in out.stderr
    store = RunStore(store_path)
    assert latest_done(store.list_runs(), "sgd-scaled", DIGITS).id == doc["run_id"]
    store.close()


def test_errors_cli_draws_a_heatmap_and_tables(digits_runs, capsys) -> None:
    path, _ = digits_runs
    assert main(["errors", "--model", "sgd", "--data", "digits", "--store", str(path)]) == 0
    text = capsys.readouterr().out
    assert "Confusion matrix (counts)" in text and "predicted →" in text
    assert "Top confusions" in text and "Most confident mistakes" in text


def test_errors_cli_rejects_an_unknown_model(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["errors", "--model", "forest"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'forest'" in capsys.readouterr().err


@pytest.mark.skipif(
    not os.environ.get("MNIST_EXPLORER_SLOW"),
    reason="about 2 minutes on a quiet 2-core machine (raw SGD alone ~70 s); set MNIST_EXPLORER_SLOW=1",
)
def test_on_mnist5k_scaled_sgd_beats_raw_sgd_and_svc_beats_both(store: RunStore) -> None:
    spec = DataSpec("mnist5k")
    acc = {}
    for model in ("sgd", "sgd-scaled", "svc"):
        run = run_inline(store, "multiclass", {"model": model}, spec)
        assert run.status == "done", run.error
        acc[model] = store.get_result(run.id, "accuracy")
    assert acc["sgd"] < acc["sgd-scaled"] < acc["svc"]
