"""The Training tab, driven with the keys a user presses, against real job processes and a real store."""

from __future__ import annotations

import dataclasses
import io
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import copy_store, footer_settled, until
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import ProgressBar, Static, TabbedContent

from engine.data import DataSpec
from engine.store import RunStore
from tui.app import MnistExplorerApp
from tui.tabs import TABS
from tui.tabs.training import TrainingTab
from tui.tabs.training.learning_curve_plot import LearningCurvePlot
from tui.tabs.training.run_list import RunList, RunTimes
from tui.tabs.training.tab import RunRead
from tui.widgets.confirm import ConfirmDialog

DIGITS = DataSpec("digits").to_dict()
SEARCH_PARAMS = {"estimator": "rf", "grid": {"n_estimators": [300, 400, 500]}, "cv": 5, "backend": "local"}


@pytest.fixture(scope="module")
def finished_store(trained_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding a finished binary run (id 1) and its learning curve (id 2), both on digits (conftest's)."""
    path = copy_store(trained_store, tmp_path_factory.mktemp("finished") / "runs.sqlite")
    with sqlite3.connect(path) as conn:  # run inline, a run records this test process's RSS, which the suite grows
        conn.execute("UPDATE runs SET peak_rss_mb = 250.0, cpu_s = 4.0")
    return path


def training_app(store_path: Path) -> MnistExplorerApp:
    app = MnistExplorerApp(data=DataSpec("digits"), store_path=store_path, poll_interval=0.2)
    app.animation_level = "none"
    return app


def text_of(app: MnistExplorerApp, selector: str) -> str:
    """The text a Static shows (its content may be a string, a rich Text or another rich renderable)."""
    console = Console(width=120, file=io.StringIO(), record=True)
    console.print(app.query_one(selector, Static).content)
    return console.export_text().strip()


def tab(app: MnistExplorerApp) -> TrainingTab:
    return app.query_one(TrainingTab)


async def open_training(pilot: Pilot) -> None:
    """Wait for the data, then show the Training tab (as F2 would) with its run list focused."""
    await until(pilot, lambda: pilot.app.dataset is not None, what="the data")
    await pilot.pause(0.1)
    pilot.app.action_show_tab("training")
    await until(pilot, lambda: isinstance(pilot.app.focused, RunList), what="the run list focused")


async def settled(pilot: Pilot) -> None:
    """Wait until the selected run and its learning curve are fully read and drawn."""
    t = tab(pilot.app)
    await until(
        pilot,
        lambda: t._followed is not None and t._followed.settled and t._reading is None,
        what="the run's details",
    )
    await pilot.pause()


async def test_user_cancels_a_running_run(store_path: Path) -> None:
    app = training_app(store_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_training(pilot)
        await pilot.press("n", "l", "enter")  # l: without the learning curve
        await until(pilot, lambda: len(app.runs) == 1 and app.runs[0].active, what="a running run")
        await pilot.press("c")
        assert isinstance(app.screen, ConfirmDialog) and "What it has not finished is lost" in str(
            app.screen.query_one("#confirm-question", Static).content
        )
        await pilot.press("y")
        await until(pilot, lambda: app.runs[0].status == "cancelled", timeout=10, what="cancelled")
        await until(pilot, lambda: "cancelled" in text_of(app, "#training-title"), what="the title")


async def test_c_is_offered_on_a_running_run_only_and_asks_d_on_an_ended_one_only(store_path: Path) -> None:
    store = RunStore(store_path)
    add_search(store)  # run 1: no learning curve
    job = subprocess.Popen(["sleep", "60"], start_new_session=True)  # stands in for a job's process
    try:
        app = training_app(store_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_training(pilot)
            await until(pilot, lambda: len(app.runs) == 1, what="the search")
            keys = await footer_settled(pilot)
            assert keys.get("d") and keys.get("enter") and not {"c", "l"} & keys.keys(), keys
            await pilot.press("c")  # not offered: nothing happens
            assert not isinstance(app.screen, ConfirmDialog)
            run = store.create_run("binary", {"digit": 5}, DIGITS)  # started elsewhere
            store.mark_running(run.id, job.pid)
            await until(pilot, lambda: app.query_one(RunList).run(run.id) is not None, what="the running run")
            await pilot.press("home")
            keys = await footer_settled(pilot)
            assert keys.get("c") and keys.get("l") and "d" not in keys, keys
            await pilot.press("d")
            assert not isinstance(app.screen, ConfirmDialog)
            await pilot.press("c")
            assert isinstance(app.screen, ConfirmDialog)
            await pilot.press("n")  # changed their mind: it runs on
            await pilot.pause(0.3)
            assert store.get_run(run.id).status == "running" and job.poll() is None
            await pilot.press("c", "y")
            await until(pilot, lambda: app.runs[0].status == "cancelled", timeout=10, what="cancelled")
            await until(pilot, lambda: not app.query_one(RunList).run(run.id).active, what="the list")
            keys = await footer_settled(pilot)
            assert keys.get("d") and "c" not in keys, keys
            await pilot.press("c")
            assert not isinstance(app.screen, ConfirmDialog)
            await pilot.press("d")
            assert isinstance(app.screen, ConfirmDialog)
    finally:
        job.kill()
        job.wait()


async def test_with_no_runs_only_n_is_offered(store_path: Path) -> None:
    app = training_app(store_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_training(pilot)
        keys = await footer_settled(pilot)
        assert keys.get("n") and not {"c", "d", "enter", "l"} & keys.keys(), keys


async def test_user_deletes_a_finished_run_after_confirming(finished_store: Path, tmp_path: Path) -> None:
    path = copy_store(finished_store, tmp_path / "runs.sqlite")
    app = training_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_training(pilot)
        await until(pilot, lambda: len(app.runs) == 2, what="the runs")
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")  # changed their mind
        await pilot.press("d", "y")
        await until(pilot, lambda: [r.id for r in app.runs] == [1], what="run 2 gone")
        assert [r.id for r in RunStore(path).list_runs()] == [1]


async def test_the_learning_curve_draws_every_epoch_and_comes_back_at_once(
    finished_store: Path, tmp_path: Path
) -> None:
    app = training_app(copy_store(finished_store, tmp_path / "runs.sqlite"))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_training(pilot)
        await settled(pilot)  # run 2, the learning curve, newest first
        plot = app.query_one(LearningCurvePlot)
        console = Console(width=plot.size.width, file=io.StringIO(), record=True, color_system="truecolor")
        console.print(plot.render())
        text = console.export_text()
        assert "epoch →" in text and text.splitlines()[0].lstrip().startswith("1.00┤"), text
        assert sum(0x2800 < ord(c) <= 0x28FF for c in text) > 30  # the dots of 30 epochs, joined into lines
        styles = {str(span.style) for line in plot.render().renderables for span in line.spans}
        assert {"cyan", "magenta"} <= styles  # training and validation
        await pilot.press("down")  # the detector run: its report, beside the same curve
        await settled(pilot)
        await pilot.press("up")  # back: shown from what was read already, with no new read of the store
        assert tab(app)._followed.run_id == 2 and len(tab(app)._followed.curve[0]) == 30
        assert "30/30" in text_of(app, "#training-curve-title")


async def test_a_failed_run_shows_its_one_line_error_and_no_traceback(store_path: Path) -> None:
    store = RunStore(store_path)
    run = store.create_run("binary", {"digit": 5}, DataSpec("digits").to_dict())
    store.mark_running(run.id, 1)
    store.add_event(run.id, "traceback", {"text": "Traceback (most recent call last):\n  boom"})
    store.finish(run.id, "failed", "ValueError: the data went away")
    app = training_app(store_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_training(pilot)
        await until(pilot, lambda: "failed" in text_of(app, "#training-title"), what="the failed run")
        await settled(pilot)
        assert text_of(app, "#training-error") == "ValueError: the data went away"
        shown = "\n".join(text_of(app, f"#training-{part}") for part in ("title", "error", "folds", "report", "log"))
        assert "Traceback" not in shown


def add_search(store: RunStore, done: bool = True) -> int:
    """A search run as the search job writes it (grid and fit events, then its results), without fitting."""
    run = store.create_run("search", SEARCH_PARAMS, DIGITS)
    store.mark_running(run.id, 1)
    configs = [{"n_estimators": n} for n in (300, 400, 500)]
    store.add_event(run.id, "grid", {"configs": configs, "n_folds": 5, "method": "fits"})
    scores = {0: 0.95, 1: 0.97, 2: 0.96}
    for config in range(3):
        for fold in range(5 if done or config else 2):
            payload = {"config": config, "fold": fold, "score": scores[config] + fold / 1000, "fit_time": 1.5}
            store.add_event(run.id, "fit", payload | {"score_time": 0.1, "params": configs[config]})
    store.set_progress(run.id, 15 if done else 12, 15)
    if done:
        best = {"n_estimators": 400}
        store.put_results(
            run.id, {"best_params": best, "best_score": 0.972, "results": [], "test_accuracy": 0.975, "elapsed_s": 9.0}
        )
        store.finish(run.id, "done")
    return run.id


def detail_text(app: MnistExplorerApp) -> str:
    return "\n".join(text_of(app, f"#training-{part}") for part in ("title", "times", "resources", "report"))


def list_lines(app: MnistExplorerApp) -> list[str]:
    """The run list's rows as the terminal shows them."""
    run_list = app.query_one(RunList)
    return ["".join(s.text for s in run_list.render_line(y)) for y in range(run_list.size.height)]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_a_searchs_params_are_cut_to_fit_and_status_and_elapsed_always_show(store_path: Path, size) -> None:
    store = RunStore(store_path)
    add_search(store)
    app = training_app(store_path)
    async with app.run_test(size=size) as pilot:
        await open_training(pilot)
        await until(pilot, lambda: any("rf ·" in line for line in list_lines(app)), what="the search row")
        row = next(line for line in list_lines(app) if "rf ·" in line)
        assert len(row) <= size[0] and row.rstrip().endswith(RunTimes.elapsed(app.runs[0]))
        assert " done " in row and "{" not in row and "=" not in row
        assert "rf · n_estimators 300,400,500" in row
        assert size[0] > 100 or "…" in row  # cut at 80 columns, whole at 120


async def test_a_cancelled_run_shows_a_still_bar_its_final_state_and_an_elapsed_time_that_stays(
    store_path: Path, monkeypatch
) -> None:
    store = RunStore(store_path)
    run = store.create_run("binary", {"digit": 5}, DIGITS)
    store.mark_running(run.id, 1)
    store.finish(run.id, "cancelled", at=store.get_run(run.id).started + 6.4)
    app = training_app(store_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_training(pilot)
        await until(pilot, lambda: "cancelled" in text_of(app, "#training-times"), what="the final state")
        bar = app.query_one("#training-progress", ProgressBar)
        assert bar.percentage is not None  # a still bar: an indeterminate one (None) animates
        assert text_of(app, "#training-times") == "cancelled after 0:06"
        tab(app)._tick()
        later = time.time() + 120
        monkeypatch.setattr(time, "time", lambda: later)
        tab(app)._tick()
        await pilot.pause()
        assert text_of(app, "#training-times") == "cancelled after 0:06"
        assert RunTimes.elapsed(app.runs[0]) in list_lines(app)[1]
        # a read that started while the run was still going never brings it back to life
        stale = dataclasses.replace(store.get_run(run.id), status="running", heartbeat=run.created)
        tab(app).post_message(RunRead(stale, [], None, None, []))
        await pilot.pause(0.2)
        assert tab(app)._followed.run.status == "cancelled"


async def test_the_list_and_the_details_show_the_same_elapsed_time_while_a_run_goes_and_once_it_ended(
    store_path: Path, monkeypatch
) -> None:
    store = RunStore(store_path)
    job = subprocess.Popen(["sleep", "60"], start_new_session=True)  # stands in for a job's process
    try:
        run = store.create_run("binary", {"digit": 5}, DIGITS)
        store.mark_running(run.id, job.pid)
        started = store.get_run(run.id).started
        monkeypatch.setattr("tui.tabs.training.tab.TICK_S", 3600.0)  # the test ticks: a real one would read 13.7 s
        app = training_app(store_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_training(pilot)
            await until(pilot, lambda: "running" in text_of(app, "#training-title"), what="the running run")
            now = [started + 13.4]
            monkeypatch.setattr(time, "time", lambda: now[0])
            tab(app)._tick()  # the second's tick: both show 0:13
            await until(
                pilot,
                lambda: "0:13 elapsed" in text_of(app, "#training-times") and "0:13" in list_lines(app)[1],
                what="0:13 in both",
            )
            now[0] = started + 13.7  # the job reports between two ticks: the details are drawn again
            store.set_progress(run.id, 1, 7)
            await until(pilot, lambda: "1/7 steps" in text_of(app, "#training-times"), what="the progress")
            assert "0:13 elapsed" in text_of(app, "#training-times") and "0:13" in list_lines(app)[1]
            store.finish(run.id, "done", at=started + 13.6)  # ended at 13.6 s: 0:14 in both
            now[0] = started + 13.9
            await until(pilot, lambda: "done in" in text_of(app, "#training-times"), what="the end")
            await until(pilot, lambda: " done " in list_lines(app)[1], what="the list")
            assert text_of(app, "#training-times").startswith("done in 0:14") and "0:14" in list_lines(app)[1]
    finally:
        job.kill()
        job.wait()


async def test_selecting_another_run_shows_its_details_from_the_top(finished_store: Path, tmp_path: Path) -> None:
    app = training_app(copy_store(finished_store, tmp_path / "runs.sqlite"))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_training(pilot)
        await pilot.press("down")  # the detector run: a report longer than the view
        await settled(pilot)
        detail = app.query_one("#training-detail")
        detail.scroll_end(animate=False)
        await pilot.pause()
        assert detail.scroll_y > 0
        await pilot.press("up")
        await until(pilot, lambda: tab(app)._followed.run_id == 2, what="run 2")
        await pilot.pause()
        assert detail.scroll_y == 0


async def test_a_run_started_elsewhere_never_arrives_unseen_above_the_list(store_path: Path) -> None:
    store = RunStore(store_path)
    for _ in range(12):
        run = store.create_run("binary", {"digit": 5}, DIGITS)
        store.finish(run.id, "done")
    app = training_app(store_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_training(pilot)
        await until(pilot, lambda: len(app.runs) == 12, what="the runs")
        run_list = app.query_one(RunList)
        await pilot.press("end")
        await pilot.pause()
        assert run_list.scroll_y > 0 and run_list.selected_id == 1
        newer = store.create_run("search", SEARCH_PARAMS, DIGITS)  # from the CLI, say
        await until(pilot, lambda: len(app.runs) == 13, what="the new run")
        await pilot.pause(0.2)
        assert run_list.selected_id == 1  # the selection stays
        shown = run_list.scroll_y == 0
        announced = any(f"top of the list: search run {newer.id}" in n.message for n in app._notifications)
        assert shown or announced
        await pilot.press("home")
        assert run_list.selected_id == newer.id


async def test_a_search_shows_its_best_config_fits_done_and_top_of_its_leaderboard(store_path: Path) -> None:
    store = RunStore(store_path)
    running = add_search(store, done=False)
    finished = add_search(store)
    app = training_app(store_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_training(pilot)
        await until(pilot, lambda: "test 0.9750" in detail_text(app), what="the finished search")
        text = detail_text(app)
        assert f"run {finished} done" in text and "15 of 15 fits done" in text
        assert "best n_estimators=400 · cv 0.9720 · test 0.9750" in text
        lines = text_of(app, "#training-report").splitlines()
        ranks = [line.split()[0] for line in lines if line[:1].isdigit() and "fits" not in line]
        assert ranks == ["1", "2", "3"] and "n_estimators=400" in next(row for row in lines if row.startswith("1 "))
        await pilot.press("down")
        await until(pilot, lambda: f"run {running} running" in detail_text(app), what="the running search")
        await until(pilot, lambda: "12 of 15 fits done" in detail_text(app), what="its leaderboard")
        assert "best so far n_estimators=400" in detail_text(app) and "12/15 fits" in detail_text(app)


async def test_enter_opens_the_tab_that_shows_the_runs_results(store_path: Path) -> None:
    store = RunStore(store_path)
    search = add_search(store)
    errors = store.create_run("multiclass", {"model": "sgd"}, DIGITS)
    store.finish(errors.id, "done")
    app = training_app(store_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_training(pilot)
        await until(pilot, lambda: len(app.runs) == 2, what="the runs")
        tabs = app.query_one(TabbedContent)
        await pilot.press("enter")  # the newest: the error analysis
        await until(pilot, lambda: tabs.active == "errors", what="the Errors tab")
        app.action_show_tab("training")
        await until(pilot, lambda: isinstance(app.focused, RunList), what="the run list")
        await pilot.press("down", "enter")
        await until(pilot, lambda: tabs.active == "search", what="the Search tab")
        assert app.context.take_run_to_open("search") is None  # taken by the tab when it was shown
        assert search


async def test_l_shows_the_learning_curve_in_the_lower_half_at_80x24(finished_store: Path, tmp_path: Path) -> None:
    app = training_app(copy_store(finished_store, tmp_path / "runs.sqlite"))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_training(pilot)
        await pilot.press("down")
        await settled(pilot)
        plot = app.query_one(LearningCurvePlot)
        detail = app.query_one("#training-detail")
        assert plot.region.y >= detail.region.bottom or not plot.region.height  # below the fold, out of sight
        await pilot.press("l")
        await pilot.pause()
        assert not app.query_one("#training-summary").display or not app.query_one("#training-summary").region
        assert plot.region.height >= 6 and plot.region.bottom <= detail.region.bottom
        await pilot.press("l")
        await pilot.pause()
        assert app.query_one("#training-report").region.height > 0


async def test_a_running_jobs_processes_show_live_and_a_finished_ones_peak(store_path: Path) -> None:
    store = RunStore(store_path)
    job = subprocess.Popen(["sleep", "60"], start_new_session=True)  # stands in for a job's process
    try:
        run = store.create_run("binary", {"digit": 5}, DIGITS)
        store.mark_running(run.id, job.pid)
        app = training_app(store_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_training(pilot)
            await until(pilot, lambda: "running" in text_of(app, "#training-title"), what="the running run")
            store.set_progress(run.id, 1, 7)  # the job reports: its processes are measured then
            await until(pilot, lambda: "MB RSS" in text_of(app, "#training-resources"), what="live resources")
            assert "% CPU · 1 process" in text_of(app, "#training-resources")
            store.set_resources(run.id, 123.4, 5.6)
            store.finish(run.id, "done")
            await until(pilot, lambda: "peak" in text_of(app, "#training-resources"), what="the peak")
            assert text_of(app, "#training-resources") == "peak 123 MB RSS · CPU 5.6 s"
    finally:
        job.kill()
        job.wait()


PILOT = """
import asyncio, sys
from pathlib import Path
sys.path.insert(0, "tests")  # as pytest does: the tests' shared helpers import as top-level modules
from textual.widgets import ProgressBar
from engine.data import DataSpec
from tests.test_training_tab import open_training, settled, text_of, training_app, until
from tui.tabs.training import TrainingTab
from tui.tabs.training.run_dialogs import NewRunDialog
from tui.tabs.training.run_list import RunList

async def main(store_path):
    app = training_app(store_path)
    async with app.run_test(size=(100, 40)) as pilot:
        await open_training(pilot)
        assert "No runs yet" in text_of(app, "#training-title")
        await pilot.press("n")
        assert isinstance(app.screen, NewRunDialog)
        await pilot.press("enter")  # digit 5 (the default) with its learning curve
        await until(pilot, lambda: len(app.runs) == 2, what="two runs")
        assert {(r.kind, r.params.get("digit")) for r in app.runs} == {("binary", 5), ("learning_curve", 5)}
        runs = app.query_one("#training-runs", RunList)  # the tab gets the new runs a moment after the app does
        await until(pilot, lambda: runs.selected_id == min(r.id for r in app.runs), what="the binary run selected")

        bar = app.query_one("#training-progress", ProgressBar)
        await until(pilot, lambda: bar.total == 7 and 0 < bar.progress < 7, what="progress part-way")
        times = text_of(app, "#training-times")
        assert "steps" in times and "elapsed" in times, times
        await until(pilot, lambda: "SGD folds" in text_of(app, "#training-folds"), what="fold scores")

        await until(pilot, lambda: "CV accuracy" in text_of(app, "#training-report"), what="the report")
        report = text_of(app, "#training-report")
        for text in ("Dummy", "not 5", "Precision", "Recall", "F1", "ROC AUC", "RandomForest"):
            assert text in report, text
        assert bar.progress == bar.total == 7
        assert "RandomForest folds" in text_of(app, "#training-folds")
        await settled(pilot)
        assert len(app.query_one(TrainingTab)._followed.curve[0]) == 30  # every epoch of the curve arrived
        assert "30/30" in text_of(app, "#training-curve-title")
    print(",".join(sorted(n for n in sys.modules if n.split(".")[0] in ("sklearn", "scipy"))))

asyncio.run(main(Path(sys.argv[1])))
"""


def test_user_starts_a_run_and_watches_it_to_its_results_in_an_app_without_scikit_learn(store_path: Path) -> None:
    """The pilot runs in a fresh interpreter so its ``sys.modules`` says what the app process imported."""
    out = subprocess.run(
        [sys.executable, "-c", PILOT, str(store_path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).parents[1],
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip() == ""  # neither scikit-learn nor scipy in the UI process


TRAINING_ONLY = [t for t in TABS if t.id == "training"]


def snapshot_store(finished_store: Path, tmp_path: Path) -> Path:
    """The finished runs with fixed resource figures (the recorded ones differ from one test run to the next)."""
    path = copy_store(finished_store, tmp_path / "runs.sqlite")
    store = RunStore(path)
    for run in store.list_runs():
        store.set_resources(run.id, 250.0, 4.0)
    return path


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_snapshot_of_a_finished_detector_run(
    finished_store: Path, tmp_path: Path, snap_compare, monkeypatch, size
) -> None:
    """The tab alone in the app shell (other tabs left out so their changes do not move this snapshot)."""
    monkeypatch.setattr(RunTimes, "frozen", 6.0)  # elapsed times would differ from one test run to the next
    monkeypatch.setattr("tui.app.TABS", TRAINING_ONLY)

    async def select_the_detector_run(pilot: Pilot) -> None:
        await open_training(pilot)
        await until(pilot, lambda: len(pilot.app.runs) == 2, what="the runs")
        await pilot.press("down")
        await settled(pilot)
        await pilot.pause()

    app = training_app(snapshot_store(finished_store, tmp_path))
    assert snap_compare(app, terminal_size=size, run_before=select_the_detector_run)


def test_snapshot_of_the_learning_curve_in_the_lower_half(
    finished_store: Path, tmp_path: Path, snap_compare, monkeypatch
) -> None:
    monkeypatch.setattr(RunTimes, "frozen", 6.0)
    monkeypatch.setattr("tui.app.TABS", TRAINING_ONLY)

    async def curve_of_the_detector_run(pilot: Pilot) -> None:
        await open_training(pilot)
        await until(pilot, lambda: len(pilot.app.runs) == 2, what="the runs")
        await pilot.press("down")
        await settled(pilot)
        await pilot.press("l")
        await pilot.pause()

    app = training_app(snapshot_store(finished_store, tmp_path))
    assert snap_compare(app, terminal_size=(80, 24), run_before=curve_of_the_detector_run)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_snapshot_of_a_search(store_path: Path, snap_compare, monkeypatch, size) -> None:
    monkeypatch.setattr(RunTimes, "frozen", 6.0)
    monkeypatch.setattr("tui.app.TABS", TRAINING_ONLY)
    store = RunStore(store_path)
    add_search(store, done=False)
    add_search(store)

    async def show_the_search(pilot: Pilot) -> None:
        await open_training(pilot)
        await until(pilot, lambda: "test 0.9750" in detail_text(pilot.app), what="the finished search")
        await settled(pilot)

    assert snap_compare(training_app(store_path), terminal_size=size, run_before=show_the_search)
