"""The Training tab, driven with the keys a user presses, against real job processes and a real store."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import copy_store, until
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Static

from engine.data import DataSpec
from engine.jobs import launch, wait_for
from engine.store import RunStore
from tui.app import MnistExplorerApp
from tui.tabs.training import TrainingTab
from tui.tabs.training.learning_curve_plot import LearningCurvePlot
from tui.tabs.training.run_dialogs import ConfirmDialog
from tui.tabs.training.run_list import RunList, RunTimes


@pytest.fixture(scope="module")
def finished_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding a finished binary run (id 1) and its learning curve (id 2), both on digits."""
    path = tmp_path_factory.mktemp("finished") / "runs.sqlite"
    store = RunStore(path)
    binary = launch(store, "binary", {"digit": 5}, DataSpec("digits"))
    curve = launch(store, "learning_curve", {"digit": 5, "epochs": 30}, DataSpec("digits"))
    assert wait_for(store, binary.id, timeout=90).status == "done"
    assert wait_for(store, curve.id, timeout=90).status == "done"
    store.close()
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
        await until(pilot, lambda: app.runs[0].status == "cancelled", timeout=10, what="cancelled")
        await until(pilot, lambda: "cancelled" in text_of(app, "#training-title"), what="the title")


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
        assert app.query_one("#training-runs", RunList).selected_id == min(r.id for r in app.runs)

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


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_snapshot_of_a_finished_detector_run(finished_store: Path, snap_compare, monkeypatch, size) -> None:
    monkeypatch.setattr(RunTimes, "frozen", 6.0)  # elapsed times would differ from one test run to the next

    async def select_the_detector_run(pilot: Pilot) -> None:
        await open_training(pilot)
        await until(pilot, lambda: len(pilot.app.runs) == 2, what="the runs")
        await pilot.press("down")
        await settled(pilot)
        await pilot.pause()

    app = training_app(finished_store)
    assert snap_compare(app, terminal_size=size, run_before=select_the_detector_run)
