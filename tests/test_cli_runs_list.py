"""`mnist-explorer runs list`: one line per run at 80 columns, whatever its params; the whole params in `runs show`
and `--json`, whose keys stay as they are."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.cli.main import main
from engine.data import DataSpec
from engine.render.status import describe_params
from engine.store import RunStore

LONG = {
    "estimator": "rf",
    "grid": {"n_estimators": [300, 400, 500], "max_depth": [None, 10, 20]},
    "cv": 5,
    "backend": "dask",
    "scheduler": "tcp://10.0.0.12:8786",
    "exact_sklearn": False,
}


@pytest.fixture
def runs(store: RunStore, tmp_path: Path) -> list[int]:
    """A long-params search on an idx folder, a learning curve and a binary run on the sample, ended."""
    folder = tmp_path / "fashion-mnist"
    ids = [
        store.create_run("search", LONG, {"spec": f"idx:{folder}"}).id,
        store.create_run("learning_curve", {"digit": 5, "epochs": 30}, DataSpec("mnist5k").to_dict()).id,
        store.create_run("binary", {"digit": 5}, DataSpec("mnist5k").to_dict()).id,
    ]
    for run_id in ids:
        store.finish(run_id, "interrupted", "the job's process ended without finishing")
    return ids


def run_cli(capsys: pytest.CaptureFixture, *argv: str) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("width", [80, 120])
def test_runs_list_shows_each_run_on_one_line_that_fits_the_terminal(
    runs: list[int], store_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    lines = run_cli(capsys, "runs", "list", "--store", str(store_path)).rstrip("\n").splitlines()
    rows = [line for line in lines if line.split() and line.split()[0].isdigit()]
    assert [int(row.split()[0]) for row in rows] == sorted(runs, reverse=True)  # one line each, newest first
    assert all(len(line) <= width for line in lines)
    search = rows[-1]
    assert "rf · n_estim" in search and "fashion-mnist" in search and search.split()[-2:] == ["–", "0:00"]
    assert "interrupted" in search  # status, progress and elapsed whole
    if width == 80:
        assert "…" in search and "8786" not in search  # the params cut short
    else:
        assert "rf · n_estimators 300,400,500" in search


def test_runs_show_and_json_keep_the_whole_params_and_their_keys(
    runs: list[int], store_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    shown = run_cli(capsys, "runs", "show", str(runs[0]), "--store", str(store_path))
    assert describe_params(LONG) in shown
    listed = json.loads(run_cli(capsys, "runs", "list", "--json", "--store", str(store_path)))
    store = RunStore(store_path)
    assert [r["id"] for r in listed] == sorted(runs, reverse=True)
    for entry in listed:
        run = store.get_run(entry["id"])
        assert set(entry) == set(run.to_dict()) | {"elapsed_s"} and entry["params"] == run.params
