"""The Threshold tab, driven with keys on a real binary run's stored scores (digits data, computed once)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from textual.widgets import TabbedContent

from engine.cli.main import main as cli_main
from engine.data import DataSpec
from engine.jobs import run_inline
from engine.store import RunStore
from tui.app import MnistExplorerApp
from tui.tabs import TABS
from tui.tabs.threshold import ThresholdTab
from tui.tabs.threshold.digits import ThresholdDigits

DIGITS = DataSpec("digits")
ROOT = Path(__file__).parents[1]


@pytest.fixture(scope="module")
def scored_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding one done binary run (digit 5) on the digits data."""
    path = tmp_path_factory.mktemp("threshold") / "runs.sqlite"
    store = RunStore(path)
    assert run_inline(store, "binary", {"digit": 5}, DIGITS).status == "done"
    store.close()
    return path


def make_app(store_path: Path) -> MnistExplorerApp:
    return MnistExplorerApp(data=DIGITS, store_path=store_path, poll_interval=0.1)


async def show_tab(pilot) -> ThresholdTab:
    """Once the data is loaded and the app has mounted its tabs, switch to the Threshold tab."""
    tabs = pilot.app.query_one(TabbedContent)
    while True:
        found = pilot.app.query(ThresholdTab)
        if pilot.app.dataset is not None and found and tabs.active == "threshold" and found.first().region.area:
            break
        pilot.app.action_show_tab("threshold")
        await pilot.pause(0.05)
    await pilot.pause()
    return found.first()


async def open_threshold(pilot, timeout: float = 20.0) -> ThresholdTab:
    """Show the tab and wait until it has drawn the run's scores."""
    tab = await show_tab(pilot)
    waited = 0.0
    while tab.last_view is None and waited < timeout:
        await pilot.pause(0.05)
        waited += 0.05
    assert tab.last_view is not None, "the tab never showed the run's scores"
    await pilot.pause()
    return tab


def table_text(tab: ThresholdTab) -> str:
    return str(tab.query_one("#thr-table").render())


async def type_target(pilot, key: str, text: str) -> None:
    await pilot.press(key)
    await pilot.pause()
    await pilot.press(*text, "enter")  # the current value is selected: typing replaces it
    await pilot.pause()


async def test_user_can_move_the_threshold_a_step_or_ten(scored_store: Path) -> None:
    async with make_app(scored_store).run_test(size=(80, 24)) as pilot:
        tab = await open_threshold(pilot)
        start = tab.last_view
        before = table_text(tab)
        await pilot.press("right")
        assert tab.last_view.step == start.step + 1
        assert tab.last_view.current.threshold > start.current.threshold
        assert table_text(tab) != before
        await pilot.press("shift+right")
        assert tab.last_view.step == start.step + 11
        await pilot.press("left", "shift+left")
        assert tab.last_view.step == start.step - 0
        assert tab.last_view.rows[tab.last_view.current_row] == tab.last_view.current
        await pilot.press("0")
        assert tab.last_view.current.threshold == start.current.threshold


async def test_user_can_type_a_target_precision_and_sees_the_clis_numbers(scored_store: Path, capsys) -> None:
    cli_main(["threshold", "--data", "digits", "--store", str(scored_store), "--precision", "0.9", "--json"])
    report = json.loads(capsys.readouterr().out)
    async with make_app(scored_store).run_test(size=(80, 24)) as pilot:
        tab = await open_threshold(pilot)
        await type_target(pilot, "p", "0.9")
        current = tab.last_view.current
        assert current.precision >= 0.9
        assert (current.threshold, current.precision, current.recall) == (
            report["threshold"],
            report["precision"],
            report["recall"],
        )
        assert f"P {report['precision']:.4f}" in str(tab.query_one("#thr-status").render())
        await type_target(pilot, "r", "95%")
        assert tab.last_view.current.recall >= 0.95
        assert tab.analysis.row(tab.last_view.step + 1).recall < 0.95


async def test_bad_target_input_is_a_notification_and_keeps_the_threshold(scored_store: Path) -> None:
    async with make_app(scored_store).run_test(size=(80, 24)) as pilot:
        tab = await open_threshold(pilot)
        step = tab.last_view.step
        for key, text, reason in (("p", "lots", "not a number"), ("r", "1.7", "outside 0–1")):
            await type_target(pilot, key, text)
            assert any(reason in n.message for n in pilot.app._notifications)
        assert tab.last_view.step == step


async def test_user_can_cycle_table_and_curves_on_a_small_terminal(scored_store: Path) -> None:
    async with make_app(scored_store).run_test(size=(80, 24)) as pilot:
        tab = await open_threshold(pilot)
        shown = []
        for _ in range(4):
            await pilot.press("c")
            await pilot.pause()
            shown.append([w.id for w in tab.query("#thr-table, CurvePlot") if w.display and w.parent.display])
        assert shown == [["curve-threshold"], ["curve-pr"], ["curve-roc"], ["thr-table"]]


async def test_user_can_step_to_an_older_run_and_back(scored_store: Path, tmp_path: Path) -> None:
    store_path = tmp_path / "runs.sqlite"
    shutil.copy(scored_store, store_path)
    store = RunStore(store_path)
    newer = store.create_run("binary", {"digit": 5}, DIGITS.to_dict())
    for name in ("y_true", "proba_rf"):
        store.put_result(newer.id, name, store.get_result(1, name))
    store.put_result(newer.id, "scores_sgd", 2 * store.get_result(1, "scores_sgd"))  # same ranking, doubled
    store.finish(newer.id, "done")
    async with make_app(store_path).run_test(size=(80, 24)) as pilot:
        tab = await open_threshold(pilot)
        assert tab.last_view.run_id == newer.id
        await pilot.press("left_square_bracket")
        while tab.last_view.run_id != 1:
            await pilot.pause(0.05)
        assert "(older)" in str(tab.query_one("#thr-status").render())
        await pilot.press("left_square_bracket")  # there is no older one: a notification, same run
        assert any("No older" in n.message for n in pilot.app._notifications)
        await pilot.press("right_square_bracket")
        while tab.last_view.run_id != newer.id:
            await pilot.pause(0.05)
        assert tab.pinned_run is None


async def test_large_terminal_shows_table_and_all_curves(scored_store: Path) -> None:
    async with make_app(scored_store).run_test(size=(200, 60)) as pilot:
        tab = await open_threshold(pilot)
        assert all(plot.display for plot in tab.query("CurvePlot"))
        assert tab.query_one("#thr-table").display
        digits = tab.query_one(ThresholdDigits)
        assert len(tab.last_view.rows) >= 15 and len(digits.above) >= 2 and len(digits.below) >= 2
        assert digits.above[0].score >= tab.last_view.current.threshold > digits.below[0].score


async def test_without_a_run_the_tab_offers_one_and_picks_it_up(tmp_path: Path) -> None:
    async with make_app(tmp_path / "runs.sqlite").run_test(size=(80, 24)) as pilot:
        tab = await show_tab(pilot)
        await pilot.pause(0.2)
        assert "Press b to start one" in table_text(tab)
        await pilot.press("b")
        tab = await open_threshold(pilot, timeout=90)
        run = RunStore(tmp_path / "runs.sqlite").get_run(tab.last_view.run_id)
        assert (run.kind, run.params, run.status) == ("binary", {"digit": 5}, "done")


def test_the_tab_never_imports_scikit_learn(scored_store: Path) -> None:
    code = textwrap.dedent(f"""
        import asyncio, sys
        from engine.data import DataSpec
        from tui.app import MnistExplorerApp
        from tui.tabs.threshold import ThresholdTab

        async def drive():
            app = MnistExplorerApp(data=DataSpec("digits"), store_path={str(scored_store)!r}, poll_interval=0.1)
            async with app.run_test(size=(120, 40)) as pilot:
                while not app.query(ThresholdTab) or app.query_one(ThresholdTab).last_view is None:
                    app.action_show_tab("threshold")
                    await pilot.pause(0.05)
                tab = app.query_one(ThresholdTab)
                await pilot.pause(0.2)
                await pilot.press("right", "c", "p", "0", ".", "9", "enter")
                await pilot.pause()
                assert tab.last_view.current.precision >= 0.9

        asyncio.run(drive())
        print(",".join(sorted(n for n in sys.modules if n.split(".")[0] in ("sklearn", "scipy"))))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


THRESHOLD_ONLY = [tab for tab in TABS if tab.id == "threshold"]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_snapshot(snap_compare, scored_store: Path, monkeypatch: pytest.MonkeyPatch, size) -> None:
    """The tab alone in the app shell (other tabs left out so their changes do not move this snapshot)."""
    monkeypatch.setattr("tui.app.TABS", THRESHOLD_ONLY)

    async def run_before(pilot) -> None:
        await open_threshold(pilot)
        await pilot.press("right")
        await pilot.pause()

    assert snap_compare(make_app(scored_store), terminal_size=size, run_before=run_before)
