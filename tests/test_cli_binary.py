"""``mnist-explorer binary`` and ``runs``: the same job process and store as the app, from the command line."""

from __future__ import annotations

import json

import pytest

from engine import follow
from engine.cli.main import main
from engine.store import RunStore, pid_alive


def test_user_gets_the_binary_results_as_json(store_path, capsys) -> None:
    assert main(["binary", "--data", "digits", "--store", str(store_path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {
        "run_id",
        "cv_accuracy",
        "dummy_accuracy",
        "confusion",
        "precision",
        "recall",
        "f1",
        "roc_auc_sgd",
        "roc_auc_rf",
    }
    assert len(out["cv_accuracy"]) == 3 and len(out["confusion"]) == 2 and len(out["confusion"][0]) == 2
    assert sum(map(sum, out["confusion"])) == 1438
    assert out["dummy_accuracy"] < sum(out["cv_accuracy"]) / 3

    assert main(["runs", "show", str(out["run_id"]), "--store", str(store_path), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert {"status", "pid", "kind", "params", "fits_done", "fits_total", "results"} <= set(shown)
    assert (shown["status"], shown["kind"], shown["params"]) == ("done", "binary", {"digit": 5})
    assert shown["fits_done"] == shown["fits_total"] == 7 and shown["pid"] > 0
    assert shown["results"]["confusion"] == out["confusion"]


def test_user_sees_progress_then_a_results_table(store_path, capsys) -> None:
    assert main(["binary", "--data", "digits", "--digit", "3", "--store", str(store_path)]) == 0
    captured = capsys.readouterr()
    for text in ("CV accuracy", "Dummy", "not 3", "Precision", "Recall", "F1", "ROC AUC", "RandomForest"):
        assert text in captured.out
    assert "SGD fold 1/3: accuracy" in captured.err  # fold scores arrive on stderr while it runs


def test_a_digit_not_in_the_data_is_refused_before_anything_starts(store_path, capsys) -> None:
    assert main(["binary", "--data", "digits", "--digit", "10", "--store", str(store_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "digit 10 is not a class of this data" in err
    assert RunStore(store_path).list_runs() == []


def test_ctrl_c_while_following_leaves_the_job_running(store_path, capsys, monkeypatch) -> None:
    def interrupt(seconds: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(follow.time, "sleep", interrupt)  # the follow layer's wait between polls
    assert main(["binary", "--data", "digits", "--store", str(store_path)]) == 130
    err = capsys.readouterr().err
    store = RunStore(store_path)
    (run,) = store.list_runs()
    assert f"runs cancel {run.id} --store {store_path}" in err and "keeps running" in err
    assert run.active and pid_alive(run.pid, run.pid_start)  # still working in the background
    monkeypatch.undo()
    assert main(["runs", "cancel", str(run.id), "--store", str(store_path)]) == 0
    assert store.get_run(run.id).status == "cancelled"


@pytest.mark.parametrize("action", ["show", "cancel", "rm"])
def test_unknown_run_ids_are_one_line_errors(store_path, capsys, action) -> None:
    assert main(["runs", action, "999", "--store", str(store_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no run 999" in err
