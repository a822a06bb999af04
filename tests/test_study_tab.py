"""The Study tab, the app's first: the study table on stores seeded by writing results directly (not run, mid-study,
done), live as a step finishes, ``enter`` opening a step's tab and ``r`` starting the study job."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import numpy as np
import pytest
from helpers import until
from textual.pilot import Pilot
from textual.widgets import TabbedContent

from engine.data import DataSpec
from engine.store import Run, RunStore
from engine.study import BY_NAME, JOB_KIND, STEPS, step_params
from tui.app import MnistExplorerApp
from tui.context import TabContext
from tui.tabs import TABS
from tui.tabs.study import StudyTab

DIGITS = DataSpec("digits")
STUDY_ONLY = [tab for tab in TABS if tab.id == "study"]
T0 = 1_764_583_200.0  # 2025-12-01 10:00 UTC: fixed run times, so the snapshots show fixed times


def freeze(store: RunStore, run_id: int, started: float, finished: float | None) -> None:
    with sqlite3.connect(store.path) as conn:
        conn.execute(
            "UPDATE runs SET created=?, started=?, finished=? WHERE id=?", (started, started, finished, run_id)
        )


def results_of(name: str, store: RunStore) -> dict:
    """Plausible results of a step's job, as the job would save them."""
    if name == "binary":
        rng = np.random.default_rng(0)
        y = (rng.random(1438) < 0.1).astype(np.int8)
        scores = np.where(y == 1, 2.0, -2.0) + rng.normal(0, 1.5, len(y))
        return {
            "cv_accuracy": [0.95, 0.96, 0.955],
            "dummy_accuracy": 0.899,
            "precision": 0.83,
            "recall": 0.79,
            "f1": 0.81,
            "roc_auc_sgd": 0.97,
            "roc_auc_rf": 0.995,
            "y_true": y,
            "scores_sgd": scores,
        }
    if name in ("sgd", "sgd-scaled", "svc"):
        return {"accuracy": {"sgd": 0.883, "sgd-scaled": 0.939, "svc": 0.984}[name]}
    if name == "search":
        best = {"n_neighbors": 3, "weights": "distance"}
        return {"best_params": best, "best_score": 0.9875, "test_accuracy": 0.9889, "results": [], "elapsed_s": 9.0}
    if name == "multilabel":
        return {"f1_macro": 0.983, "f1_weighted": 0.984, "chain_f1_macro": 0.97}
    if name == "denoise":
        return {"mae_noisy": 42.4, "mae_denoised": 22.4}
    return {"accuracy_plain": 0.9889, "accuracy_augmented": 0.9916, "gain": 0.0027, "p_value": 0.5, "params": {}}


def put_step(store: RunStore, name: str, at: float, took: float, running: bool = False) -> Run:
    """A run of step ``name`` with its results written directly: done (or, ``running``, a third of the way)."""
    step = BY_NAME[name]
    run = store.create_run(step.kind, step_params(step, store, DIGITS), DIGITS.to_dict())
    if running:
        store.mark_running(run.id, os.getpid())  # this process stands in for the job: alive, so never reaped
        store.set_progress(run.id, 1, 3)
        freeze(store, run.id, at, None)
        return run
    results = results_of(name, store)
    if name == "augment":
        results["params"] = run.params["knn"]
    store.put_results(run.id, results)
    store.set_progress(run.id, 3, 3)
    store.finish(run.id, "done")
    freeze(store, run.id, at, at + took)
    return run


def seed(path: Path, state: str) -> Path:
    """``not-run``: an empty store; ``mid-study``: a running study three steps in; ``done``: every step done."""
    store = RunStore(path)
    names = {"not-run": [], "mid-study": ["binary", "sgd"], "done": [s for s in BY_NAME if BY_NAME[s].kind]}[state]
    at = T0
    if state == "mid-study":
        study = store.create_run(JOB_KIND, {}, DIGITS.to_dict())
        store.mark_running(study.id, os.getpid())
        store.set_progress(study.id, 233, 800)
        freeze(store, study.id, T0, None)
    for name in names:
        put_step(store, name, at, 35.0)
        at += 60.0
    if state == "mid-study":
        put_step(store, "sgd-scaled", at, 0.0, running=True)
    store.close()
    return path


@pytest.fixture(autouse=True)
def _utc(monkeypatch: pytest.MonkeyPatch):
    """Finish times shown in UTC, and a frozen clock for running steps' elapsed times."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    monkeypatch.setattr(StudyTab, "clock", staticmethod(lambda: T0 + 150.0))
    yield
    monkeypatch.undo()
    time.tzset()


def study_app(store_path: Path) -> MnistExplorerApp:
    app = MnistExplorerApp(data=DIGITS, store_path=store_path, poll_interval=0.1)
    app.animation_level = "none"
    return app


def tab(app: MnistExplorerApp) -> StudyTab:
    return app.query_one(StudyTab)


async def table_read(pilot: Pilot) -> None:
    await until(pilot, lambda: pilot.app.query(StudyTab) and tab(pilot.app).table is not None, what="the study")
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("state", ["not-run", "mid-study", "done"])
def test_snapshot(snap_compare, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, state: str, size) -> None:
    monkeypatch.setattr("tui.app.TABS", STUDY_ONLY)  # the tab alone: other tabs' changes cannot move it
    path = seed(tmp_path / "runs.sqlite", state)

    async def run_before(pilot: Pilot) -> None:
        await table_read(pilot)
        await until(pilot, lambda: pilot.app.dataset is not None, what="the data")
        await pilot.press("down", "down")
        await pilot.pause()

    assert snap_compare(study_app(path), terminal_size=size, run_before=run_before)


async def test_the_app_opens_on_the_study_tab_and_enter_opens_the_tab_of_a_step(tmp_path: Path) -> None:
    assert TABS[0].id == "study"
    app = study_app(seed(tmp_path / "runs.sqlite", "done"))
    async with app.run_test(size=(120, 40)) as pilot:
        await table_read(pilot)
        tabs = app.query_one(TabbedContent)
        assert tabs.active == "study" and tab(app).table.complete
        for downs, shown in ((0, "training"), (1, "threshold"), (2, "errors"), (5, "search"), (6, "more")):
            app.action_show_tab("study")
            await pilot.pause()
            tab(app).cursor = 0
            await pilot.press(*["down"] * downs, "enter")
            await until(pilot, lambda shown=shown: tabs.active == shown, timeout=10, what=f"the {shown} tab")


async def test_moving_the_cursor_shows_each_steps_line_whole_at_80_columns(tmp_path: Path) -> None:
    """A move lays out only when the step's line changes height: every line still gets the height it needs."""
    app = study_app(seed(tmp_path / "runs.sqlite", "mid-study"))
    async with app.run_test(size=(80, 24)) as pilot:
        await table_read(pilot)
        what = app.query_one("#study-what")
        heights = set()
        for _ in range(2):  # down through every step, then up again
            for key in ("down", "up"):
                for _ in STEPS:
                    await pilot.press(key)
                    await pilot.pause()
                    step = tab(app).table.steps[tab(app).cursor]
                    assert str(what.render()).startswith(step.title)
                    assert what.size.height == what.get_content_height(what.size, what.size, what.size.width)
                    heights.add(what.size.height)
        assert len(heights) > 1  # some steps' lines wrap at 80 columns and others do not


def _recorded(self: TabContext, kind: str, params: dict) -> Run:
    """A job the tab asks for, recorded as queued with no process (the test checks what was asked)."""
    run = self.require_store().create_run(kind, params, self.data_spec.to_dict())
    self.poke()
    return run


async def test_r_starts_the_study_job_once_and_not_when_everything_is_done(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tui.app.TABS", STUDY_ONLY)
    monkeypatch.setattr(TabContext, "launch", _recorded)
    for state, expected in (("not-run", 1), ("done", 0)):
        path = seed(tmp_path / f"{state}.sqlite", state)
        app = study_app(path)
        async with app.run_test(size=(100, 30)) as pilot:
            await table_read(pilot)
            await pilot.press("r")
            if expected:
                await until(pilot, lambda app=app: tab(app).table.study is not None, what="the study run")
                await pilot.press("r")  # the study is going: not a second one
                await pilot.pause(0.3)
        studies = RunStore(path).list_runs(JOB_KIND)
        assert [(r.params, r.data["spec"]) for r in studies] == [({}, "digits")] * expected


async def test_the_table_follows_a_step_finishing_live(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tui.app.TABS", STUDY_ONLY)
    path = seed(tmp_path / "runs.sqlite", "mid-study")
    app = study_app(path)
    async with app.run_test(size=(100, 30)) as pilot:
        await table_read(pilot)
        assert tab(app).table.step("sgd-scaled").status == "running"
        store = RunStore(path)
        running = tab(app).table.step("sgd-scaled").run_id
        store.put_results(running, {"accuracy": 0.9412})
        store.finish(running, "done")
        await until(pilot, lambda: tab(app).table.step("sgd-scaled").is_done, timeout=10, what="the step done")
        assert tab(app).table.step("sgd-scaled").result == {"accuracy": 0.9412}
        assert "0.941" in str(app.query_one("#study-table").render())
