"""``mnist-explorer study`` end to end on digits, and ``report``: a study killed with ``kill -9`` after its first step
is run again and only what is missing runs (the step it was on is adopted, an interrupted search resumed on its own
run id); a second study reuses every run within seconds; a failing step is reported and the others still count;
the report's table equals the runs' results."""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import copy_store
from rich.console import Console

from engine.data import DataSpec
from engine.follow import NewEvents, RunFinished, RunWatcher, follow_run
from engine.jobs import launch, run_inline
from engine.store import RunStore
from engine.study import BY_NAME, JOB_KIND, STEPS, read_study, step_params
from mnist_explorer.cli import main

DIGITS = DataSpec("digits")
RESULT_KEYS = {
    "binary": {"dummy_accuracy", "cv_accuracy", "precision", "recall", "f1", "roc_auc_sgd", "roc_auc_rf"},
    "threshold": {"target_precision", "threshold", "precision", "recall"},
    "sgd": {"accuracy"},
    "sgd-scaled": {"accuracy"},
    "svc": {"accuracy"},
    "search": {"best_params", "best_score", "test_accuracy"},
    "multilabel": {"f1_macro", "f1_weighted", "chain_f1_macro"},
    "denoise": {"mae_noisy", "mae_denoised"},
    "augment": {"params", "accuracy_plain", "accuracy_augmented", "gain", "p_value"},
}


def cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(list(args))
    return code, out.getvalue()


def kill_after_first_step(store: RunStore, study_id: int) -> int:
    """Follow the study until its detector step is done and its next step's run has started; kill -9 the study
    process (that run keeps going); the id of that run."""
    for update in follow_run(store, study_id, interval=0.1):
        assert not isinstance(update, RunFinished), f"the study ended early: {update.run.status} {update.run.error}"
        if isinstance(update, NewEvents) and any(e.kind == "step" for e in update.events):
            break
    watcher = RunWatcher(store, events="none")
    for _ in watcher.updates(0.1):
        # with its process started (a run is active from its creation, a moment before its process has a pid)
        going = [r for r in watcher.runs.values() if r.kind == "multiclass" and r.active and r.pid]
        if going:
            os.kill(store.get_run(study_id).pid, signal.SIGKILL)
            return going[0].id
    raise AssertionError("unreachable")


@pytest.fixture(scope="module")
def ordinary_priority():
    """The study's jobs at niceness 0 in this module: at their usual 19, a machine busy with other work at niceness 0
    (a shared CI runner) leaves them next to no CPU, and a study is some fifteen jobs."""
    mp = pytest.MonkeyPatch()
    mp.setenv("MNIST_EXPLORER_JOB_NICENESS", "0")
    yield
    mp.undo()


@pytest.fixture(scope="module")
def studied(tmp_path_factory: pytest.TempPathFactory, ordinary_priority) -> dict:
    """A digits store holding an interrupted search; a study killed with kill -9 after its first step; then
    ``study --json`` run to the end."""
    path = tmp_path_factory.mktemp("study") / "runs.sqlite"
    store = RunStore(path)
    search = store.create_run("search", step_params(BY_NAME["search"], store, DIGITS), DIGITS.to_dict())
    store.finish(search.id, "interrupted", "seeded: killed before any fit")
    killed = launch(store, JOB_KIND, {}, DIGITS)
    adopted = kill_after_first_step(store, killed.id)
    code, out = cli("study", "--data", "digits", "--store", str(path), "--json")
    assert code == 0, out
    return {"path": path, "json": json.loads(out), "killed": killed.id, "adopted": adopted, "search": search.id}


def test_study_runs_every_step_and_prints_each_ones_headline_numbers(studied: dict) -> None:
    doc = studied["json"]
    assert doc["data"] == "digits"
    assert [s["name"] for s in doc["steps"]] == [s.name for s in STEPS]
    for step in doc["steps"]:
        assert set(step) == {"name", "run_id", "status", "elapsed_s", "result"}
        assert step["status"] == "done", step
        assert set(step["result"]) == RESULT_KEYS[step["name"]]
    by_name = {s["name"]: s for s in doc["steps"]}
    assert by_name["threshold"]["run_id"] == by_name["binary"]["run_id"]  # read from the detector's scores
    assert by_name["threshold"]["result"]["precision"] >= 0.9
    assert by_name["augment"]["result"]["params"] == by_name["search"]["result"]["best_params"]


def test_after_kill_9_only_the_missing_steps_ran(studied: dict) -> None:
    store = RunStore(studied["path"])
    assert store.get_run(studied["killed"]).status == "interrupted"
    runs = store.list_runs()
    assert len([r for r in runs if r.kind == "binary"]) == 1  # done before the kill: reused
    sgd = [r for r in runs if r.kind == "multiclass" and r.params == {"model": "sgd"}]
    assert [r.id for r in sgd] == [studied["adopted"]] and sgd[0].status == "done"  # running at the kill: adopted
    searches = [r for r in runs if r.kind == "search"]
    assert [(r.id, r.status) for r in searches] == [(studied["search"], "done")]  # resumed on its own run id
    for kind in ("multilabel", "denoise", "augment"):
        assert len([r for r in runs if r.kind == kind]) == 1


def test_a_second_study_reuses_every_run_within_seconds(studied: dict) -> None:
    store = RunStore(studied["path"])
    before = [r.id for r in store.list_runs()]
    started = time.monotonic()
    code, out = cli("study", "--data", "digits", "--store", str(studied["path"]), "--json")
    assert code == 0 and time.monotonic() - started < 15
    assert [r.id for r in store.list_runs()] == before  # nothing new started
    assert json.loads(out) == read_study(store, DIGITS).to_json() == studied["json"]


def test_a_failing_step_is_reported_and_the_step_that_needs_it_skipped(
    studied: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = RunStore(copy_store(studied["path"], tmp_path / "runs.sqlite"))
    real = step_params

    def broken_search(step, store_, spec):  # a grid the search job refuses: its step fails
        params = real(step, store_, spec)
        return {**params, "grid": {"n_neighbors": [0]}} if step.name == "search" else params

    monkeypatch.setattr("engine.study.step_params", broken_search)
    study = run_inline(store, JOB_KIND, {}, DIGITS)
    assert study.status == "failed" and "search" in study.error and "augment" not in study.error
    steps = {e.payload["name"]: e.payload for e in store.events(study.id) if e.kind == "step"}
    assert steps["search"]["status"] == "failed" and steps["augment"]["status"] == "skipped"
    assert all(steps[name]["how"] == "reused" for name in ("binary", "sgd", "svc", "multilabel", "denoise"))


class Cells(HTMLParser):
    """The text of each table cell of an HTML document, table by table, row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.svgs = 0
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "svg":
            self.svgs += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def test_report_writes_the_study_table_the_runs_results_and_every_tab(studied: dict, tmp_path: Path) -> None:
    out = tmp_path / "report"
    code, text = cli("report", "--data", "digits", "--store", str(studied["path"]), "-o", str(out), "--json")
    assert code == 0
    files = sorted(p.name for p in out.iterdir())
    assert json.loads(text)["files"] == files
    assert {"index.md", "index.html", "study.svg", "dataset.svg", "more.svg"} <= set(files)
    store = RunStore(studied["path"])
    steps = {s["name"]: s for s in studied["json"]["steps"]}
    sgd_accuracy = store.get_result(steps["sgd"]["run_id"], "accuracy")
    test_accuracy = store.get_result(steps["search"]["run_id"], "test_accuracy")
    parsed = Cells()
    parsed.feed((out / "index.html").read_text(encoding="utf-8"))
    table = {row[0]: row for row in parsed.tables[0][1:]}
    assert table["multiclass SGD accuracy (3-fold)"][1] == f"{sgd_accuracy:.3f}"
    assert table["KNN grid search: best · test accuracy"][1].endswith(f"{test_accuracy:.4f}")
    assert table["SGD after StandardScaler"][2] == "0.897"  # the book's, beside ours
    assert parsed.svgs == len(files) - 2  # every tab's SVG inline
    index = (out / "index.md").read_text(encoding="utf-8")
    assert f"| multiclass SGD accuracy (3-fold) | {sgd_accuracy:.3f} | 0.867 |" in index
    assert f"| `accuracy` | {sgd_accuracy:.4f} | 0.8670 |" in index

    first = {name: (out / name).read_bytes() for name in files}
    code, _ = cli("report", "--data", "digits", "--store", str(studied["path"]), "-o", str(out))
    assert code == 2  # an existing report is replaced only with --force
    code, _ = cli("report", "--data", "digits", "--store", str(studied["path"]), "-o", str(out), "--force")
    assert code == 0 and {name: (out / name).read_bytes() for name in files} == first  # the same store: same files


@pytest.mark.parametrize("where", ["the store", "a file", "a folder with other files", "a folder holding the store"])
def test_report_refuses_an_output_it_must_not_write_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture, where: str
) -> None:
    store = tmp_path / "runs.sqlite"
    RunStore(store).close()
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    (tmp_path / "a.txt").write_text("x")
    target = {"the store": store, "a file": tmp_path / "a.txt", "a folder with other files": other}.get(where, tmp_path)
    with pytest.raises(SystemExit) as exit_:
        raise SystemExit(main(["report", "--data", "digits", "--store", str(store), "-o", str(target), "--force"]))
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and len(err.strip().splitlines()) == 1, err
    assert (other / "notes.txt").read_text() == "keep me" and (tmp_path / "a.txt").read_text() == "x"


def test_a_step_estimated_over_the_limit_runs_on_the_suggested_subsample_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ordinary_priority
) -> None:
    """As SVC on 60,000 images: the digits' 1,438 count as large, any cost as too long and ~0 s as the target, so
    the step runs on the smallest timed subsample (719) and the table shows its accuracy with that size."""
    import engine.models.cost as cost
    from engine.render.study import StudyView
    from engine.study import _run_step

    monkeypatch.setattr(cost, "ESTIMATE_FROM", 0)
    monkeypatch.setattr(cost, "LIMIT_S", 0.0)
    monkeypatch.setattr(cost, "TARGET_S", 1e-9)
    store = RunStore(tmp_path / "runs.sqlite")
    logged: list[str] = []
    run, how = _run_step(store, DIGITS, BY_NAME["svc"], lambda done, total: None, [], logged.append)
    assert run.status == "done" and run.params == {"model": "svc", "max_train": 719}
    assert how.startswith("ran on 719 of 1,438 images (all: ~") and "svc errors on 1,438 images: estimated" in logged[0]
    step = read_study(store, DIGITS).step("svc")
    assert step.is_done and step.run_id == run.id and set(step.result) == {"accuracy", "max_train"}
    assert step.result["max_train"] == 719
    again, how = _run_step(store, DIGITS, BY_NAME["svc"], lambda done, total: None, [])
    assert (again.id, how) == (run.id, "reused")  # a subsample run counts for the step, as in the Errors tab
    console = Console(width=80, file=io.StringIO(), color_system=None)
    console.print(StudyView(read_study(store, DIGITS)))
    assert f"{step.result['accuracy']:.3f} on 719" in console.file.getvalue()


def test_an_augment_run_counts_for_the_step_whichever_search_found_its_config(tmp_path: Path) -> None:
    """A newer search that finds the same best KNN config leaves the augmentation step done."""
    from engine.study import step_runs

    store = RunStore(tmp_path / "runs.sqlite")
    same = store.create_run(
        "augment", {"knn": {"n_neighbors": 4, "weights": "distance"}, "search_run": 6}, DIGITS.to_dict()
    )
    store.create_run("augment", {"knn": {"n_neighbors": 3, "weights": "uniform"}, "search_run": 2}, DIGITS.to_dict())
    store.create_run(
        "augment", {"knn": {"n_neighbors": 4, "weights": "distance"}, "search_run": 6}, {"spec": "mnist5k"}
    )
    params = {"knn": {"n_neighbors": 4, "weights": "distance"}, "search_run": 10}  # the newest search's
    assert [r.id for r in step_runs(store.list_runs(), BY_NAME["augment"], params, DIGITS)] == [same.id]
