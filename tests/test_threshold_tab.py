"""The Threshold tab, driven with keys on a real binary run's stored scores (digits data, computed once)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from helpers import footer_settled, until
from rich.console import Console, Group
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import TabbedContent

from engine.cli.main import main as cli_main
from engine.data import DataSpec
from engine.jobs import run_inline
from engine.render.digits import DigitGrid, fit_side, pixel_keys
from engine.store import RunStore
from engine.threshold import format_threshold
from tui.app import MnistExplorerApp
from tui.tabs import TABS
from tui.tabs.threshold import ThresholdTab
from tui.tabs.threshold.digits import CORRECT, MISTAKE, ThresholdDigits, digit_side, pixel_strips
from tui.tabs.threshold.target_prompt import TargetPrompt
from tui.widgets.confirm import ConfirmDialog

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
        assert f"precision {report['precision']:.4f}" in str(tab.query_one("#thr-status").render())
        await type_target(pilot, "r", "95%")
        assert tab.last_view.current.recall >= 0.95
        assert tab.analysis.row(tab.last_view.step + 1).recall < 0.95


async def test_bad_target_input_is_a_notification_and_keeps_the_threshold(scored_store: Path) -> None:
    async with make_app(scored_store).run_test(size=(80, 24)) as pilot:
        tab = await open_threshold(pilot)
        step = tab.last_view.step
        for key, text, reason in (("p", "lots", "must be a number"), ("r", "1.7", "between 0 and 1")):
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


def simplified(strip: Strip) -> list[tuple[str, Style | None]]:
    return [(text, style) for text, style, _ in Segment.simplify(strip)]


@pytest.mark.parametrize("size", [(80, 24), (200, 60)])
async def test_the_digits_either_side_look_as_one_grid_of_them_would(scored_store: Path, size) -> None:
    """Each digit is drawn once and its lines kept; the lines joined at a step are those of the whole grid."""
    async with make_app(scored_store).run_test(size=size) as pilot:
        tab = await open_threshold(pilot)
        digits = tab.query_one(ThresholdDigits)
        for key in ("right", "right", "shift+left", "left"):
            await pilot.press(key)
            await pilot.pause()
            width, height = digits.content_size
            side = digit_side(8, width, height)
            columns = max(1, (width - 1) // DigitGrid.cell_width(side))
            parts: list = []
            for title, group in (("▲ says 5", digits.above), ("▼ says not 5", digits.below)):
                parts.append(Text(title, style="bold", no_wrap=True, overflow="ellipsis"))
                images = fit_side(pilot.app.dataset.X_train[np.array([n.index for n in group])], side)
                captions = [f"{format_threshold(n.score)} {n.label}" for n in group]
                styles = [MISTAKE if n.mistake else CORRECT for n in group]
                parts.append(DigitGrid(images, captions, columns, caption_styles=styles))
            grid = digits._strips(Group(*parts), width)
            assert len(grid) > 4 and all(
                simplified(digits.render_line(y)) == simplified(line) for y, line in enumerate(grid)
            )
            painted = digits.render_lines(digits.outer_size.region)  # as the step repainted them
            digits._styles_cache.clear()
            assert list(map(simplified, painted)) == list(
                map(simplified, digits.render_lines(digits.outer_size.region))
            )


@pytest.mark.parametrize("side", [4, 7, 14, 28, 56])
def test_a_digits_lines_are_the_segments_a_one_digit_grid_draws(side: int) -> None:
    """pixel_strips builds a digit's lines from its keys: the very segments of a one-digit DigitGrid on the widget's
    style, less its right edge and caption (random greys: every cell its own run or not)."""
    console = Console(width=200)
    base = Style(color="white", bgcolor="rgb(20,30,40)")
    rng = np.random.default_rng(side)
    styles: dict = {}
    for image in (rng.integers(0, 256, (28, 28), dtype=np.uint8), rng.integers(0, 3, (28, 28), dtype=np.uint8) * 120):
        fitted = fit_side(image[None], side)
        grid = DigitGrid(fitted, [""], 1)
        lines = Segment.split_lines(console.render(grid, console.options.update(width=side + 2)))
        expected = [Strip([Segment(t, base + s) for t, s, _ in line]).crop(0, side + 1) for line in lines][:-1]
        drawn = pixel_strips(pixel_keys(fitted)[0], base, styles)
        assert [list(line) for line in drawn] == [list(line) for line in expected]
        assert [line.cell_length for line in drawn] == [side + 1] * len(expected)


async def test_a_step_repaints_without_a_layout(scored_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The status line, the table, the digits and the curves keep their sizes as the threshold moves."""
    layouts: list[Widget] = []
    refresh = Widget.refresh

    def counted(self, *regions, layout: bool = False, **kwargs):
        if layout:
            layouts.append(self)
        return refresh(self, *regions, layout=layout, **kwargs)

    async with make_app(scored_store).run_test(size=(200, 60)) as pilot:
        tab = await open_threshold(pilot)
        monkeypatch.setattr(Widget, "refresh", counted)
        step = tab.step
        for key in ("right", "shift+right", "left"):
            await pilot.press(key)
            await pilot.pause()
        assert tab.step == step + 10 and [w for w in layouts if tab in w.ancestors_with_self] == []


async def test_without_a_run_the_tab_offers_one_and_picks_it_up(tmp_path: Path) -> None:
    async with make_app(tmp_path / "runs.sqlite").run_test(size=(80, 24)) as pilot:
        tab = await show_tab(pilot)
        await pilot.pause(0.2)
        assert "Press b to start one" in table_text(tab)
        await pilot.press("b")
        tab = await open_threshold(pilot, timeout=300)  # the job runs on a machine that may be busy
        run = RunStore(tmp_path / "runs.sqlite").get_run(tab.last_view.run_id)
        assert (run.kind, run.params, run.status) == ("binary", {"digit": 5}, "done")


SCORE_KEYS = {"left", "p", "r", "t", "c"}  # ← →, targets, typed threshold, curves (80x24: one panel)


async def test_without_scores_only_b_is_offered_until_a_run_is_done(scored_store: Path, tmp_path: Path) -> None:
    store_path = tmp_path / "runs.sqlite"
    async with make_app(store_path).run_test(size=(80, 24)) as pilot:
        tab = await show_tab(pilot)
        await until(pilot, lambda: "Press b to start one" in table_text(tab), what="the empty tab")
        keys = await footer_settled(pilot)
        assert not SCORE_KEYS & keys.keys()  # not even dimmed
        assert keys.get("b")  # what there is to do: start a detector run
        await pilot.press("p", "right", "c")  # not offered, and they do nothing
        assert not isinstance(pilot.app.screen, TargetPrompt) and tab.view_name == "table" and not tab.moved
        store, source = RunStore(store_path), RunStore(scored_store)  # a detector run finishes (elsewhere)
        run = store.create_run("binary", {"digit": 5}, DIGITS.to_dict())
        for name in ("y_true", "scores_sgd", "proba_rf"):
            store.put_result(run.id, name, source.get_result(1, name))
        store.finish(run.id, "done")
        await until(pilot, lambda: tab.last_view is not None, what="the run's scores")
        keys = await footer_settled(pilot)
        assert all(keys.get(key) for key in SCORE_KEYS), keys
        assert "b" not in keys  # now in ? only: the footer has the keys that move the threshold
        step = tab.last_view.step
        await pilot.press("right")
        assert tab.last_view.step == step + 1
        await pilot.press("c")
        assert tab.view_name == "threshold"
        await pilot.press("p")
        assert isinstance(pilot.app.screen, TargetPrompt)


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


def status_lines(tab: ThresholdTab) -> list[str]:
    return str(tab.query_one("#thr-status").render()).splitlines()


async def test_the_tab_opens_at_threshold_0_with_every_number_labelled_as_the_cli_says_it(
    scored_store: Path, capsys
) -> None:
    cli_main(["threshold", "--data", "digits", "--store", str(scored_store), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert report["threshold"] == 0.0
    async with make_app(scored_store).run_test(size=(80, 24)) as pilot:
        tab = await open_threshold(pilot)
        lines = status_lines(tab)
        assert lines == [
            f"run 1 · digit 5 · step {report['step']:,} of {report['n_steps']:,}",
            f"threshold 0 · precision {report['precision']:.4f} · recall {report['recall']:.4f} · F1 {report['f1']:.4f}",
        ]
        assert all(len(line) <= 80 - 2 for line in lines)  # the status line's padding
        row = tab.last_view.rows[tab.last_view.current_row]  # the step that predicts what threshold 0 does
        assert (row.tp, row.fp) == (report["tp"], report["fp"]) and row.threshold >= 0 > tab.analysis.threshold(
            tab.last_view.step - 1
        )


async def test_the_target_prompts_title_fits_at_80_columns(scored_store: Path) -> None:
    async with make_app(scored_store).run_test(size=(80, 24)) as pilot:
        await open_threshold(pilot)
        for key in ("p", "r", "t"):
            await pilot.press(key)
            await pilot.pause()
            prompt = pilot.app.screen
            assert isinstance(prompt, TargetPrompt)
            title = prompt.query_one("#target-title")
            assert len(str(title.render())) <= title.region.width, str(title.render())
            await pilot.press("escape")


async def test_user_can_type_an_exact_threshold(scored_store: Path, capsys) -> None:
    cli_main(["threshold", "--data", "digits", "--store", str(scored_store), "--threshold", "-500", "--json"])
    report = json.loads(capsys.readouterr().out)
    async with make_app(scored_store).run_test(size=(80, 24)) as pilot:
        tab = await open_threshold(pilot)
        await pilot.press("t")
        await pilot.pause()
        await pilot.press(*"-500", "enter")
        await pilot.pause()
        c = tab.last_view.current
        assert (c.threshold, c.precision, c.recall, tab.last_view.step + 1) == (
            -500.0,
            report["precision"],
            report["recall"],
            report["step"],
        )
        assert status_lines(tab)[1].startswith("threshold -500 · ")
        await pilot.press("right")  # a step from there: the next distinct score
        assert tab.last_view.current.threshold == tab.analysis.threshold(report["step"])
        await type_target(pilot, "t", "lots")
        assert any("must be a finite number" in n.message for n in pilot.app._notifications)


def test_the_cli_takes_a_percentage_like_the_tab_and_counts_steps_from_1(scored_store: Path, capsys) -> None:
    common = ["threshold", "--data", "digits", "--store", str(scored_store)]
    cli_main([*common, "--precision", "90%", "--json"])
    percent = json.loads(capsys.readouterr().out)
    cli_main([*common, "--precision", "0.9", "--json"])
    assert json.loads(capsys.readouterr().out) == percent
    cli_main([*common, "--precision", "90%"])
    assert f"step {percent['step']:,} of {percent['n_steps']:,}" in capsys.readouterr().out
    cli_main([*common, "--threshold=-1e9", "--json"])
    assert json.loads(capsys.readouterr().out)["step"] == 1  # the lowest threshold is step 1
    assert cli_main([*common, "--recall", "150%"]) == 2
    assert "between 0 and 1" in capsys.readouterr().err


async def test_b_with_a_run_already_there_asks_before_starting_another(scored_store: Path, tmp_path: Path) -> None:
    store_path = tmp_path / "runs.sqlite"
    shutil.copy(scored_store, store_path)
    async with make_app(store_path).run_test(size=(80, 24)) as pilot:
        await open_threshold(pilot)
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ConfirmDialog)
        await pilot.press("n")
        await pilot.pause(0.3)
        assert [r.id for r in RunStore(store_path).list_runs()] == [1]


async def test_a_newer_run_never_moves_the_threshold_the_user_chose(scored_store: Path, tmp_path: Path) -> None:
    store_path = tmp_path / "runs.sqlite"
    shutil.copy(scored_store, store_path)
    async with make_app(store_path).run_test(size=(80, 24)) as pilot:
        tab = await open_threshold(pilot)
        await pilot.press("shift+right", "right")
        chosen = tab.last_view.current.threshold
        store = RunStore(store_path)
        newer = store.create_run("binary", {"digit": 5}, DIGITS.to_dict())
        for name in ("y_true", "proba_rf"):
            store.put_result(newer.id, name, store.get_result(1, name))
        store.put_result(newer.id, "scores_sgd", 2 * store.get_result(1, "scores_sgd"))
        store.finish(newer.id, "done")
        while not any(f"run {newer.id} finished" in n.message for n in pilot.app._notifications):
            await pilot.pause(0.05)
        assert tab.last_view.run_id == 1 and tab.last_view.current.threshold == chosen
        assert "(older)" in status_lines(tab)[0]
        await pilot.press("right_square_bracket")  # the person asks for the newer run: the threshold stays
        while tab.last_view.run_id != newer.id:
            await pilot.pause(0.05)
        assert tab.last_view.current.threshold == chosen
        assert any("threshold kept at" in n.message for n in pilot.app._notifications)


async def test_enter_on_a_detector_run_in_the_training_tab_shows_it_here(scored_store: Path, tmp_path: Path) -> None:
    store_path = tmp_path / "runs.sqlite"
    shutil.copy(scored_store, store_path)
    store = RunStore(store_path)
    newer = store.create_run("binary", {"digit": 5}, DIGITS.to_dict())
    for name in ("y_true", "scores_sgd", "proba_rf"):
        store.put_result(newer.id, name, store.get_result(1, name))
    store.finish(newer.id, "done")
    app = make_app(store_path)
    async with app.run_test(size=(80, 24)) as pilot:
        while app.dataset is None or len(app.runs) != 2:
            await pilot.pause(0.05)
        app.action_show_tab("training")
        await pilot.pause(0.3)
        await pilot.press("down", "enter")  # run 1, the older one
        while not app.query(ThresholdTab) or app.query_one(ThresholdTab).last_view is None:
            await pilot.pause(0.05)
        tab = app.query_one(ThresholdTab)
        while tab.last_view.run_id != 1:
            await pilot.pause(0.05)
        assert pilot.app.query_one(TabbedContent).active == "threshold" and tab.pinned_run == 1


async def test_a_large_terminal_uses_its_width(scored_store: Path) -> None:
    async with make_app(scored_store).run_test(size=(200, 60)) as pilot:
        tab = await open_threshold(pilot)
        table, curve = tab.query_one("#thr-table"), tab.query_one("#curve-threshold")
        digits = tab.query_one(ThresholdDigits)
        assert curve.region.y == table.region.y and curve.region.x - table.region.right <= 2  # side by side
        assert digits.region.x - curve.region.right <= 1 and curve.region.width >= 40
        assert len(status_lines(tab)) == 1


THRESHOLD_ONLY = [tab for tab in TABS if tab.id == "threshold"]


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 60)])
def test_snapshot(snap_compare, scored_store: Path, monkeypatch: pytest.MonkeyPatch, size) -> None:
    """The tab alone in the app shell (other tabs left out so their changes do not move this snapshot)."""
    monkeypatch.setattr("tui.app.TABS", THRESHOLD_ONLY)

    async def run_before(pilot) -> None:
        await open_threshold(pilot)
        await pilot.press("right")
        await pilot.pause()

    assert snap_compare(make_app(scored_store), terminal_size=size, run_before=run_before)
