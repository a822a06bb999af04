"""``mnist-explorer search`` and ``runs watch|resume|export`` from a person's terminal."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from engine.cli.main import main
from engine.data import DataSpec
from engine.jobs import wait_for
from engine.search.runner import search_params
from engine.store import RunStore

DIGITS = ["--data", "digits"]


def cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def detached(tmp_path_factory) -> tuple[Path, int]:
    """A store with one search started with --detach (and finished by the time tests read it)."""
    store_path = tmp_path_factory.mktemp("search-cli") / "runs.sqlite"
    code = main(["search", "knn", *DIGITS, "--cv", "3", "--detach", "--json", "--store", str(store_path)])
    assert code == 0
    store = RunStore(store_path)
    run_id = store.list_runs("search")[0].id
    assert wait_for(store, run_id, timeout=120).status == "done"
    return store_path, run_id


def test_user_can_run_a_search_and_read_its_results_as_json(capsys, store_path) -> None:
    code, out, _ = cli(
        capsys,
        "search",
        "knn",
        *DIGITS,
        "--cv",
        "3",
        "--param",
        "n_neighbors=3,5",
        "--param",
        "weights=uniform,distance",
        "--store",
        str(store_path),
        "--json",
    )
    assert code == 0
    result = json.loads(out)
    assert {"run_id", "best_params", "best_score", "results", "test_accuracy", "elapsed_s"} <= set(result)
    assert [r["params"] for r in result["results"]] == [
        {"n_neighbors": n, "weights": w} for n in (3, 5) for w in ("uniform", "distance")
    ]
    for row in result["results"]:
        assert {"params", "mean_test_score", "std_test_score", "split_scores"} <= set(row)
        assert len(row["split_scores"]) == 3
    assert result["best_score"] == max(r["mean_test_score"] for r in result["results"])
    assert 0.9 < result["test_accuracy"] <= 1 and result["elapsed_s"] > 0


def test_detach_prints_the_run_id_and_runs_watch_shows_its_leaderboard(capsys, detached) -> None:
    store_path, run_id = detached
    code, out, _ = cli(capsys, "runs", "watch", str(run_id), "--store", str(store_path))
    assert code == 0
    assert f"run {run_id} knn" in out and "24/24 fits" in out and "done" in out
    assert out.count("n_neighbors=") == 8 + 1 and "weights=uniform" in out  # 8 configs, then the best one
    assert "best n_neighbors=" in out and "test 0.9" in out


def test_user_can_export_a_search_leaderboard_to_csv(capsys, detached, tmp_path) -> None:
    store_path, run_id = detached
    target = tmp_path / "board.csv"
    code, out, _ = cli(capsys, "runs", "export", str(run_id), "--csv", str(target), "--store", str(store_path))
    assert code == 0 and "8 configs" in out
    rows = list(csv.DictReader(target.open()))
    assert len(rows) == 8 and rows[0]["rank_test_score"] == "1"
    results = RunStore(store_path).get_result(run_id, "results")
    by_params = {(r["params"]["n_neighbors"], r["params"]["weights"]): r for r in results}
    for row in rows:
        ref = by_params[(int(row["param_n_neighbors"]), row["param_weights"])]
        assert float(row["mean_test_score"]) == ref["mean_test_score"]
        assert [float(row[f"split{i}_test_score"]) for i in range(3)] == ref["split_scores"]


def test_runs_resume_relaunches_an_interrupted_search(capsys, store_path) -> None:
    store = RunStore(store_path)
    run = store.create_run("search", search_params("knn", cv=3), DataSpec("digits").to_dict())
    store.finish(run.id, "interrupted", "killed")
    code, out, _ = cli(capsys, "runs", "resume", str(run.id), "--store", str(store_path), "--json")
    assert code == 0
    assert json.loads(out)["run_id"] == run.id
    assert len(store.events(run.id, kind="fit")) == 24 and store.get_run(run.id).status == "done"
    code, _, err = cli(capsys, "runs", "resume", str(run.id), "--store", str(store_path))
    assert code == 2 and "already done" in err


@pytest.mark.parametrize(
    "args, message",
    [
        (["search", "knn", "--cv", "1"], "--cv must be at least 2"),
        (["search", "knn", "--param", "n_neighbors=3,abc"], "n_neighbors"),
        (["search", "knn", "--param", "leaf=3"], "no parameter 'leaf'"),
        (["search", "tree"], "unknown estimator 'tree'"),
        (["search", "knn", "--scheduler", "tcp://127.0.0.1:8786"], "--scheduler needs --backend dask"),
        (["search", "sgd", "--param", "alpha"], "name=v1,v2"),
    ],
)
def test_bad_search_values_are_one_line_and_exit_2(capsys, store_path, args, message) -> None:
    code, out, err = cli(capsys, *args, *DIGITS, "--store", str(store_path))
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1
    assert RunStore(store_path).list_runs() == []  # nothing was launched
