"""A table-driven sweep of bad input over every subcommand: each is refused with exit code 2 and one line on stderr
(no traceback), before anything starts, and no file the command was pointed at — the run store, another program's
database, a data file — changes by a byte."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine.store import RunStore
from mnist_explorer.cli import main

BIG = 99999999999999999999999  # beyond SQLite's 64-bit integers


def _store(path: Path) -> dict[str, int]:
    """A store with a finished binary run, a finished search (grid and fits), and a queued run; their ids."""
    store = RunStore(path)
    binary = store.create_run("binary", {"digit": 5}, {"spec": "digits"})
    store.put_results(binary.id, {"cv_accuracy": [0.9345000000000001, 0.95, 0.96], "scores_sgd": np.zeros(3)})
    store.finish(binary.id, "done")
    search = store.create_run("search", {"estimator": "knn", "grid": {"n_neighbors": [3, 5]}, "cv": 2}, {"spec": "x"})
    configs = [{"n_neighbors": 3}, {"n_neighbors": 5}]
    store.add_event(search.id, "grid", {"configs": configs, "n_folds": 2, "method": "fits"})
    for c in range(2):
        for f in range(2):
            fit = {"config": c, "fold": f, "params": configs[c], "score": 0.9, "fit_time": 0.1, "score_time": 0.1}
            store.add_event(search.id, "fit", fit)
    store.finish(search.id, "done")
    queued = store.create_run("binary", {"digit": 3}, {"spec": "digits"})
    store.close()
    return {"binary": binary.id, "search": search.id, "queued": queued.id}


def _sqlite(path: Path, *statements: str) -> Path:
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in statements:
        conn.execute(statement)
    conn.close()
    return path


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Every file the sweep points commands at, made once: the store, foreign and damaged databases, data files."""
    root = tmp_path_factory.mktemp("sweep")
    files = root / "files"
    files.mkdir()
    ids = _store(files / "runs.sqlite")
    _sqlite(files / "notes.db", "CREATE TABLE notes (body TEXT)", "INSERT INTO notes VALUES ('keep me')")
    _sqlite(files / "view.db", "CREATE VIEW answer AS SELECT 42")
    _sqlite(files / "appid.db", "PRAGMA application_id = 1234")
    _sqlite(files / "wal.db", "PRAGMA journal_mode = WAL", "CREATE TABLE t (x)")
    (files / "thesis.txt").write_text("my notes, not a database\n" * 50)
    newer = files / "newer.sqlite"
    _store(newer)
    _sqlite(newer, "PRAGMA user_version = 99")
    twisted = files / "twisted.sqlite"
    _store(twisted)
    _sqlite(twisted, "UPDATE meta SET value='two' WHERE key='schema_version'")
    damaged = files / "damaged.sqlite"
    store = RunStore(damaged)
    run = store.create_run("binary", {}, {"spec": "digits"})
    for i in range(300):
        store.add_event(run.id, "log", {"message": "x" * 200 + str(i)})
    store.close()
    data = bytearray(damaged.read_bytes())
    data[3 * 4096 : len(data) - 4096] = b"\xff" * (len(data) - 4 * 4096)  # header and schema pages kept
    damaged.write_bytes(bytes(data))
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2, 4], 30)  # no image of class 3
    np.savez(files / "no3.npz", X=rng.integers(0, 256, (len(y), 8, 8), dtype=np.uint8), y=y)
    return {"root": root, "files": files, "ids": ids}


def _fill(arg: str, world: dict) -> str:
    files, ids = world["files"], world["ids"]
    return arg.format(
        files=files,
        store=files / "runs.sqlite",
        binary=ids["binary"],
        search=ids["search"],
        queued=ids["queued"],
        long="n" * 300,
    )


# (argv, a piece of the one line it must print); "{store}" and friends are filled from the world fixture, and
# every command gets ``--store {store}`` unless it names a store itself
CASES: list[tuple[list[str], str]] = [
    # data and shared options
    (["info", "--data", "nosuch"], "unknown data source"),
    (["info", "--data", "npz:{files}/missing.npz"], "missing.npz"),
    (["info", "--data", "idx:{files}/nowhere"], "nowhere"),
    (["info", "--data", "npz:{files}/thesis.txt"], "thesis.txt"),
    (["info", "--test-size", "abc"], "--test-size"),
    (["info", "--test-size", "-3"], "--test-size"),
    (["info", "--test-size", "nan"], "--test-size"),
    (["info", "--seed", "x"], "--seed"),
    (["nosuchcommand"], "invalid choice"),
    # binary
    (["binary", "--digit", "12", "--data", "digits"], "not a class"),
    (["binary", "--digit", "-1", "--data", "digits"], "not a class"),
    (["binary", "--digit", "x"], "--digit"),
    (["binary", "--digit", "3", "--data", "npz:{files}/no3.npz"], "no training image"),
    # threshold
    (["threshold", "--precision", "2", "--data", "digits"], "between 0 and 1"),
    (["threshold", "--recall", "-0.5", "--data", "digits"], "between 0 and 1"),
    (["threshold", "--precision", "nan", "--data", "digits"], "between 0 and 1"),
    (["threshold", "--threshold", "inf", "--data", "digits"], "finite"),
    (["threshold", "--rows", "-1", "--data", "digits"], "--rows"),
    (["threshold", "--precision", "0.5", "--recall", "0.5"], "not allowed with"),
    (["threshold", "--digit", "3", "--data", "npz:{files}/no3.npz"], "no training image"),
    # errors
    (["errors", "--model", "tree"], "--model"),
    (["errors", "--top", "-1", "--data", "digits"], "--top"),
    (["errors", "--top", "many", "--data", "digits"], "--top"),
    # search
    (["search", "tree"], "unknown estimator"),
    (["search", "knn", "--cv", "1", "--data", "digits"], "--cv"),
    (["search", "knn", "--cv", "x", "--data", "digits"], "--cv"),
    (["search", "knn", "--cv", "5000", "--data", "digits"], "--cv"),
    (["search", "knn", "--param", "leaf=3", "--data", "digits"], "no parameter 'leaf'"),
    (["search", "knn", "--param", "n_neighbors", "--data", "digits"], "name=v1,v2"),
    (["search", "knn", "--param", "n_neighbors=", "--data", "digits"], "no values"),
    (["search", "knn", "--param", "n_neighbors=inf", "--data", "digits"], "finite"),
    (["search", "knn", "--param", "n_neighbors=3", "--param", "n_neighbors=5", "--data", "digits"], "twice"),
    (["search", "knn", "--param", "weights=sideways", "--data", "digits"], "weights"),
    (["search", "knn", "--backend", "spark"], "--backend"),
    (["search", "knn", "--scheduler", "tcp://127.0.0.1:1", "--data", "digits"], "--scheduler"),
    (
        [
            "search",
            "knn",
            "--param",
            "n_neighbors=" + ",".join(map(str, range(1, 10_001))),
            "--param",
            "leaf_size=" + ",".join(map(str, range(1, 10_001))),
            "--data",
            "digits",
        ],
        "100,000,000 configs",
    ),
    # fit, the study's jobs
    (["fit", "tree"], "unknown estimator"),
    (["fit", "knn", "--param", "n_neighbors=3,5", "--data", "digits"], "one value per parameter"),
    (["fit", "knn", "--max-train", "0", "--data", "digits"], "--max-train"),
    (["fit", "knn", "--max-train", "lots", "--data", "digits"], "--max-train"),
    (["fit", "knn", "--param", "n_neighbors=-2", "--data", "digits"], "n_neighbors"),
    (["fit", "knn", "--data", "nosuch"], "unknown data source"),
    (["study", "--data", "nosuch"], "unknown data source"),
    (["study", "--detach", "--store", "{files}/notes.db", "--data", "digits"], "not a mnist-explorer store"),
    (["multilabel", "--data", "nosuch"], "unknown data source"),
    (["multilabel", "--test-size", "0"], "--test-size"),
    (["denoise", "--data", "npz:{files}/missing.npz"], "missing.npz"),
    (["denoise", "--seed", "1.5"], "--seed"),
    (["augment", "--data", "idx:{files}/nowhere"], "nowhere"),
    (["augment", "--store", "{files}/appid.db", "--data", "digits"], "another application"),
    (["serve", "--port", "port"], "--port"),
    (["serve", "--port", "70000"], "port"),
    # runs: ids
    (["runs", "show", str(BIG)], "no run has id"),
    (["runs", "show", "abc"], "whole number"),
    (["runs", "show", "-5"], "no run has id"),
    (["runs", "show", "4242"], "no run 4242"),
    (["runs", "cancel", str(BIG)], "no run has id"),
    (["runs", "cancel", "4242"], "no run 4242"),
    (["runs", "rm", "4242"], "no run 4242"),
    (["runs", "rm", "{queued}"], "cancel it before deleting it"),
    (["runs", "watch", "{binary}"], "not a search"),
    (["runs", "watch", str(BIG)], "no run has id"),
    (["runs", "resume", "{binary}"], "not a search"),
    (["runs", "resume", "{search}"], "already done"),
    (["runs", "resume", "0"], "no run has id"),
    (["runs", "export", "{binary}", "--csv", "{files}/out.csv"], "not a search"),
    (["runs", "prune", "--older-than", "7x"], "an age looks like"),
    (["runs", "prune", "--older-than", "0s"], "pass --yes"),
    (["runs", "prune"], "--older-than"),
    (["runs"], "required"),
    # outputs: never over the store or a data file, never a folder
    (["runs", "export", "{search}", "--csv", "{store}"], "is the run store"),
    (["runs", "export", "{search}", "--csv", "{store}-wal"], "is the run store"),
    (["runs", "export", "{search}", "--csv", "{files}"], "is a folder"),
    (["runs", "export", "{search}", "--csv", "{files}/nowhere/out.csv"], "is not a folder"),
    (["runs", "export", "{search}", "--csv", ""], "empty"),
    (["runs", "export", "{search}", "--csv", "{files}/{long}.csv"], "cannot write"),
    (["snapshot", "-o", "{store}"], "is the run store"),
    (["snapshot", "-o", "{files}/no3.npz", "--data", "npz:{files}/no3.npz"], "a data file"),
    (["snapshot", "-o", "{files}"], "is a folder"),
    (["snapshot", "-o", "{files}/nowhere/x.svg"], "is not a folder"),
    (["snapshot", "-o", "{files}/{long}.svg"], "cannot write"),
    (["snapshot", "--size", "0x0"], "size"),
    (["snapshot", "--tab", "nosuch"], "--tab"),
    # stores that are not (usable) stores
    (["runs", "list", "--store", ""], "store path is empty"),
    (["runs", "list", "--store", "{files}"], "is a folder"),
    (["runs", "list", "--store", "{files}/notes.db"], "not a mnist-explorer store"),
    (["runs", "list", "--store", "{files}/view.db"], "not a mnist-explorer store"),
    (["runs", "list", "--store", "{files}/appid.db"], "another application"),
    (["runs", "list", "--store", "{files}/wal.db"], "not a mnist-explorer store"),
    (["runs", "list", "--store", "{files}/thesis.txt"], "not an SQLite database"),
    (["runs", "list", "--store", "{files}/thesis.txt/runs.sqlite"], "thesis.txt"),
    (["runs", "list", "--store", "{files}/{long}.sqlite"], "too long"),
    (["runs", "list", "--store", "/proc/mnist-explorer-sweep/runs.sqlite"], "mnist-explorer-sweep"),
    (["runs", "list", "--store", "{files}/newer.sqlite"], "newer than"),
    (["runs", "list", "--store", "{files}/twisted.sqlite"], "not a whole number"),
    (["runs", "show", "1", "--store", "{files}/damaged.sqlite"], "malformed"),
    (["binary", "--data", "digits", "--store", "{files}/notes.db"], "not a mnist-explorer store"),
    (["search", "knn", "--data", "digits", "--store", "{files}/view.db"], "not a mnist-explorer store"),
]


def _hashes(folder: Path) -> dict[str, str]:
    """Every file of the world by name, with its content hash (our stores' own -wal/-shm come and go; another
    program's database gets none)."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.endswith((".sqlite-wal", ".sqlite-shm"))
    }


@pytest.mark.parametrize("argv, message", CASES, ids=[" ".join(a)[:60] for a, _ in CASES])
def test_bad_input_is_one_line_exit_2_and_changes_nothing(
    argv: list[str], message: str, world: dict, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(world["root"])
    args = [_fill(a, world) for a in argv]
    if "--store" not in argv:
        args += ["--store", _fill("{store}", world)]
    before = _hashes(world["files"])
    runs_before = [r.to_dict() for r in RunStore(world["files"] / "runs.sqlite").list_runs()]
    with pytest.raises(SystemExit) as exit_info:  # argparse exits; our own errors return 2
        sys.exit(main(args))
    out, err = capsys.readouterr()
    assert exit_info.value.code == 2, (out, err)
    assert err.count("\n") == 1 and err.endswith("\n") and "Traceback" not in err, err
    assert _fill(message, world) in err, err
    assert _hashes(world["files"]) == before
    assert [r.to_dict() for r in RunStore(world["files"] / "runs.sqlite").list_runs()] == runs_before  # no job
    assert sorted(p.name for p in world["root"].iterdir()) == ["files"]  # no output left behind


@pytest.mark.skipif(sys.platform != "linux", reason="chattr is Linux's")
def test_a_store_in_an_immutable_folder_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "frozen"
    folder.mkdir()
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
        pytest.skip("cannot make a folder immutable here (needs CAP_LINUX_IMMUTABLE)")
    try:
        cli = [sys.executable, "-m", "engine", "runs", "list", "--store", str(folder / "runs.sqlite")]
        done = subprocess.run(cli, capture_output=True, text=True, timeout=60)
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert list(folder.iterdir()) == []


def test_prune_removes_only_old_finished_runs_with_yes(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "runs.sqlite"
    ids = _store(path)
    store = RunStore(path)
    with sqlite3.connect(path) as conn:  # the binary run ended ten days ago
        conn.execute("UPDATE runs SET finished = finished - 10 * 86400 WHERE id = ?", (ids["binary"],))
    conn.close()
    assert main(["runs", "prune", "--older-than", "7d", "--yes", "--json", "--store", str(path)]) == 0
    assert json.loads(capsys.readouterr().out) == {"deleted": [ids["binary"]]}
    assert sorted(r.id for r in store.list_runs()) == [ids["search"], ids["queued"]]
    assert main(["runs", "prune", "--older-than", "7d", "--store", str(path)]) == 0  # nothing to ask about
    assert "0 finished runs deleted" in capsys.readouterr().out


def test_runs_show_reads_as_rounded_values_not_raw_floats(world: dict, capsys: pytest.CaptureFixture) -> None:
    store = str(world["files"] / "runs.sqlite")
    assert main(["runs", "show", str(world["ids"]["binary"]), "--store", store]) == 0
    out = capsys.readouterr().out
    assert "0.9345, 0.95, 0.96" in out and "0.9345000000000001" not in out and "array of 3" in out


@pytest.mark.parametrize("answer, kept", [("n", 3), ("y", 0)])
def test_prune_asks_on_a_terminal(
    answer: str, kept: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    path = tmp_path / "runs.sqlite"
    ids = _store(path)
    RunStore(path).finish(ids["queued"], "cancelled")
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    asked: list[str] = []
    monkeypatch.setattr("builtins.input", lambda question: asked.append(question) or answer)
    assert main(["runs", "prune", "--older-than", "0s", "--store", str(path)]) == 0
    assert asked and "Delete 3 finished runs" in asked[0] and asked[0].endswith("[y/N] ")
    assert len(RunStore(path).list_runs()) == kept
