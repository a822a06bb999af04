"""The Errors tab, driven by keys against real multiclass runs on digits in a store made before the app starts."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import FASHION_DIR, needs_fashion
from helpers import copy_store, until
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Footer, Static
from textual.widgets._footer import FooterKey

from engine.data import DataSpec, load_dataset
from engine.jobs import run_inline
from engine.models.multiclass import load_analysis
from engine.render.heatmap import Heatmap
from engine.store import RunStore
from tui.app import MnistExplorerApp
from tui.tabs.errors import ErrorsTab
from tui.tabs.errors.errors_confusions import ConfusionList
from tui.tabs.errors.errors_heatmap import ConfusionHeatmap
from tui.tabs.errors.errors_models import ModelPicker
from tui.tabs.errors.errors_screens import DigitGallery, DigitScores, PairView
from tui.widgets.confirm import ConfirmDialog
from tui.widgets.digit_grid import DigitGridView

DIGITS = DataSpec("digits")
STORED = ("sgd-scaled", "svc", "svc-ovr")  # raw sgd (the slow one) is left unrun: the tab offers to start it


@pytest.fixture(scope="module")
def runs_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Done runs on digits of every model but raw sgd: ids 1–3 in the order of STORED."""
    path = tmp_path_factory.mktemp("errors-tab") / "runs.sqlite"
    store = RunStore(path)
    for model in STORED:  # in this process: a job at nice 19 can wait minutes on a busy machine
        assert run_inline(store, "multiclass", {"model": model}, DIGITS).status == "done"
    store.close()
    return path


@pytest.fixture
def store_copy(runs_store: Path, tmp_path: Path) -> Path:
    return copy_store(runs_store, tmp_path / "runs.sqlite")


def errors_app(store_path: Path) -> MnistExplorerApp:
    app = MnistExplorerApp(data=DIGITS, store_path=store_path, poll_interval=0.2)
    app.animation_level = "none"
    return app


def tab(app: MnistExplorerApp) -> ErrorsTab:
    return app.query_one(ErrorsTab)


async def show_errors(pilot: Pilot) -> None:
    """Show the Errors tab once the data is loaded and the app has settled on its first tab."""
    app = pilot.app
    await until(pilot, lambda: app.dataset is not None, what="the data")
    await until(pilot, lambda: app.focused is not None, what="the first tab's focus")
    app.action_show_tab("errors")  # what its f-key does, whatever its place in the tab bar
    await until(pilot, lambda: isinstance(app.focused, ConfusionHeatmap), what="the Errors tab")


async def summarised_errors(pilot: Pilot) -> ErrorsTab:
    """Show the Errors tab and wait until it has read what the store holds per model."""
    await show_errors(pilot)
    t = tab(pilot.app)
    await until(pilot, lambda: t._summarised, what="the store's runs")
    return t


async def open_errors(pilot: Pilot, model: str | None = None) -> None:
    """Show the Errors tab once the data and the selected model's run are loaded."""
    app = pilot.app
    await show_errors(pilot)
    t = tab(app)
    await until(pilot, lambda: all(t.statuses[m].accuracy is not None for m in STORED), what="the models")
    if model is not None:
        t.model = model
    await until(
        pilot,
        lambda: t.analysis is not None and t.loaded_run == t.statuses[t.model].done.id,
        what="the run's predictions",
    )
    await pilot.pause()


def plain(renderable) -> str:
    console = Console(width=60, record=True, color_system=None, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def status_text(app: MnistExplorerApp) -> str:
    return str(app.query_one("#errors-status", Static).render())


async def test_user_sees_every_models_accuracy_and_the_studys_pattern(store_copy: Path) -> None:
    app = errors_app(store_copy)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_errors(pilot)
        statuses = tab(app).statuses
        acc = {m: statuses[m].accuracy for m in STORED}
        assert acc["sgd-scaled"] < acc["svc-ovr"] <= acc["svc"]
        picker = app.query_one(ModelPicker)
        for model in STORED:
            prompt = str(picker.get_option(model).prompt)
            assert prompt.startswith(model) and f"{acc[model]:.1%}".strip() in prompt
        assert "no run" in str(picker.get_option("sgd").prompt)


async def test_user_moves_over_cells_then_opens_and_closes_a_drill_down(store_copy: Path) -> None:
    app = errors_app(store_copy)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_errors(pilot, "sgd-scaled")
        heatmap = app.query_one(ConfusionHeatmap)
        assert heatmap.has_focus and heatmap.cursor == (0, 0)
        await pilot.press(*["down"] * 9, *["right"] * 8)
        assert heatmap.cursor == (9, 8)
        await pilot.pause()
        analysis = tab(app).analysis
        assert f"true 9 → pred 8: {analysis.confusion[9, 8]}" in status_text(app)

        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, DigitGallery), what="the cell's digits")
        grid = app.screen.query_one(DigitGridView)
        expected = np.flatnonzero((analysis.y_true == 9) & (analysis.y_pred == 8))
        assert sorted(grid.indices.tolist()) == expected.tolist()
        assert np.all(np.diff(analysis.margin[grid.indices]) <= 0)  # most confident mistake first

        await pilot.press("right", "enter")
        await until(pilot, lambda: isinstance(app.screen, DigitScores), what="the digit")
        assert app.screen.index == int(grid.indices[1])
        info = plain(app.screen.query_one("#errors-digit-info", Static).content)
        assert "top 3" in info and f"#{grid.indices[1]:,}" in info

        await pilot.press("escape")
        assert isinstance(app.screen, DigitGallery)
        await pilot.press("escape")
        assert app.screen.query_one(ConfusionHeatmap) is heatmap


def test_a_heatmap_drawn_part_by_part_equals_the_whole_map() -> None:
    """The tab draws the header, each row and the legend alone: line for line what the CLI prints whole."""
    values = np.arange(100, dtype=float).reshape(10, 10) * 17 % 1300  # a zero, two-, three- and four-digit counts
    names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
    for heatmap in (
        Heatmap(values, names, cursor=(3, 5), title="1/4 counts").fitted(150, 50),
        Heatmap(values / 1300, names, percent=True, cursor=(9, 9), blank_diagonal=True).fitted(60, 15),
    ):
        for color_system in ("truecolor", None):
            whole = Console(width=120, file=io.StringIO(), color_system=color_system, force_terminal=True)
            whole.print(heatmap)
            parts = Console(width=120, file=io.StringIO(), color_system=color_system, force_terminal=True)
            for part, height in heatmap.sections():
                parts.print(heatmap.section(part))
                assert len(list(parts.render_lines(heatmap.section(part), pad=False))) == height
            assert parts.file.getvalue() == whole.file.getvalue()


def test_four_digit_counts_of_ten_named_classes_fit_beside_the_side_panel_at_80_columns() -> None:
    """60,000 images give counts like 5,683: the numbers touch and the row labels are cut so that every class shows
    in the 48 columns an 80-column terminal leaves the map; with room, the map is as before."""
    values = np.full((10, 10), 120.0)
    np.fill_diagonal(values, 5683.0)
    names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
    heatmap = Heatmap(values, names, cursor=(9, 9), title="1/4 counts")
    narrow = heatmap.fitted(48, 20)
    assert (narrow.width(), narrow.cell_width(), narrow.label_width()) == (48, 4, 7)
    console = Console(width=48, file=io.StringIO(), color_system=None, force_terminal=True)
    console.print(narrow)
    lines = console.file.getvalue().splitlines()
    assert lines[3] == "T-shirt 5683120 120 120 120 120 120 120 120 120 "
    assert lines[-2].startswith("Ankle b ") and lines[-2].endswith("5683")  # the cursor's cell, in reverse
    wide = heatmap.fitted(120, 40)
    assert (wide.cell_width(), wide.label_width(), wide.tight) == (9, 8, False)
    percent = Heatmap(values / 6000, names, percent=True).fitted(48, 20)  # 49 columns wide with its 8-letter labels
    assert (percent.width(), percent.cell_width(), percent.label_width()) == (48, 4, 7)


@pytest.mark.parametrize("size", [(80, 24), (200, 60)], ids=["80x24", "200x60"])
async def test_a_cursor_move_repaints_only_its_rows_and_the_screen_equals_a_full_redraw(
    store_copy: Path, size: tuple[int, int]
) -> None:
    app = errors_app(store_copy)
    async with app.run_test(size=size) as pilot:
        await open_errors(pilot, "sgd-scaled")
        heatmap = app.query_one(ConfusionHeatmap)
        drawn: list[int] = []
        render_line = heatmap.render_line

        def counting(y: int):
            drawn.append(y)
            return render_line(y)

        heatmap.render_line = counting  # type: ignore[method-assign]
        await pilot.press("down")
        await pilot.pause()
        _, fitted, _ = heatmap._fitted()
        rows = max(1, fitted.row_height)
        assert 0 < len(set(drawn)) <= 2 * rows  # the row left and the row entered, not the whole map
        drawn.clear()
        await pilot.press("right")
        await pilot.pause()
        assert 0 < len(set(drawn)) <= rows + 3  # the cursor's row and the column labels
        await pilot.press(*["m"] * 4, *["down"] * 4, "right", "right", "up", "left", "down")  # back to counts
        await pilot.pause()
        moved = app.export_screenshot()
        heatmap._changed()
        heatmap.refresh()
        await pilot.pause()
        assert heatmap.cursor == (5, 2) and app.export_screenshot() == moved


async def test_m_cycles_counts_row_errors_and_column_modes(store_copy: Path) -> None:
    app = errors_app(store_copy)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_errors(pilot)
        heatmap = app.query_one(ConfusionHeatmap)
        seen = [heatmap.mode]
        for _ in range(4):
            await pilot.press("m")
            seen.append(heatmap.mode)
        assert seen == ["counts", "row", "errors", "column", "counts"]


async def test_pair_view_shows_a_cells_two_classes_as_four_quadrants(store_copy: Path) -> None:
    app = errors_app(store_copy)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_errors(pilot, "svc")
        await pilot.press(*["down"] * 8, "right")
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, PairView), what="the pair view")
        analysis = tab(app).analysis
        for t in (8, 1):
            for p in (8, 1):
                grid = app.screen.query_one(f"#errors-pair-{t}-{p}", DigitGridView)
                assert grid.count == analysis.confusion[t, p]
        await pilot.press("escape")
        assert not isinstance(app.screen, PairView)


async def test_most_confident_mistakes_list_ranks_likely_label_errors_first(store_copy: Path) -> None:
    app = errors_app(store_copy)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_errors(pilot, "sgd-scaled")
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, DigitGallery), what="the mistakes")
        grid = app.screen.query_one(DigitGridView)
        analysis = tab(app).analysis
        assert grid.count == int(np.sum(analysis.y_true != analysis.y_pred))
        assert grid.current_index == analysis.mistakes(1)[0].index


async def test_user_picks_a_model_and_starts_its_missing_run(store_path: Path) -> None:
    app = errors_app(store_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await summarised_errors(pilot)
        heatmap = app.query_one(ConfusionHeatmap)
        assert "No sgd run on digits yet" in heatmap.empty_text and "Press s" in heatmap.empty_text
        await pilot.press("tab", "down", "down")  # into the model list, down to svc
        assert tab(app).model == "svc"
        await pilot.press("enter")  # no run yet: enter starts one
        t = tab(app)
        await until(pilot, lambda: t.analysis is not None, timeout=90, what="the new svc run")
        run = app.store.get_run(t.loaded_run)
        assert run.params == {"model": "svc"} and run.status == "done"
        analysis = load_analysis(app.store, run.id)
        assert np.array_equal(t.analysis.confusion, analysis.confusion)


def footer_keys(app: MnistExplorerApp) -> set[str]:
    return {key.key for key in app.query_one(Footer).query(FooterKey)}


async def test_before_any_run_only_the_keys_that_work_are_offered_and_the_status_says_why(store_path: Path) -> None:
    app = errors_app(store_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await summarised_errors(pilot)
        await pilot.pause()
        offered = footer_keys(app)
        assert "s" in offered and not offered & {"x", "p", "enter", "m", "c"}
        assert "no run yet · s runs sgd" in status_text(app)
        await pilot.press("x", "p", "enter", "m")
        assert app.screen is app.screen_stack[0] and app.query_one(ConfusionHeatmap).mode == "counts"


async def test_two_quick_moves_in_the_model_list_settle_on_the_second(store_path: Path) -> None:
    app = errors_app(store_path)
    async with app.run_test(size=(80, 24)) as pilot:
        t = await summarised_errors(pilot)
        picker = app.query_one(ModelPicker)
        picker.focus()
        picker.highlighted, picker.highlighted = 1, 2  # two ↓ read at once: both highlight events queue
        await pilot.pause(0.3)
        seen = set()
        for _ in range(20):  # the stale first event used to start a ping-pong between the two models
            await pilot.pause(0.02)
            seen.add((t.model, picker.highlighted))
        assert seen == {("svc", 2)}


async def test_user_cancels_a_running_model_from_the_tab(store_path: Path) -> None:
    app = errors_app(store_path)
    async with app.run_test(size=(80, 24)) as pilot:
        t = await summarised_errors(pilot)
        await pilot.press("s")
        await until(pilot, lambda: t.statuses["sgd"].active is not None, what="the sgd run")
        await pilot.pause()
        assert "c" in footer_keys(app) and "s" not in footer_keys(app) and "c cancels" in status_text(app)
        run_id = t.statuses["sgd"].active.id
        await pilot.press("c")  # asks first
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog), what="the question")
        question = str(app.screen.query_one("#confirm-question", Static).render())
        assert question.startswith(f"Cancel run {run_id} (sgd, ") and "not finished is lost" in question
        await pilot.press("n")  # no: it goes on
        await until(pilot, lambda: not isinstance(app.screen, ConfirmDialog), what="the question gone")
        assert app.store.get_run(run_id).active
        await pilot.press("c", "y")
        await until(pilot, lambda: app.store.get_run(run_id).status == "cancelled", what="the run cancelled")
        await until(pilot, lambda: t.statuses["sgd"].active is None, what="the tab to see it end")
        await until(pilot, lambda: "s" in footer_keys(app) and "c" not in footer_keys(app), what="s offered again")
        prompt = str(app.query_one(ModelPicker).get_option("sgd").prompt)
        assert prompt.rstrip() == "sgd        cancelled · s"  # one line of the 28-column panel


async def test_a_correct_digit_shows_its_lead_over_the_runner_up_and_a_mistake_its_margin(store_copy: Path) -> None:
    app = errors_app(store_copy)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_errors(pilot, "sgd-scaled")
        await pilot.press("enter")  # the cell 0 → 0: correct digits
        await until(pilot, lambda: isinstance(app.screen, DigitGallery), what="the cell's digits")
        await pilot.pause()
        gallery, analysis = app.screen, tab(app).analysis
        grid = gallery.query_one(DigitGridView)
        first = int(grid.indices[0])
        (_, top), (runner_up, second) = analysis.top_classes(first)[:2]
        assert analysis.margin[first] == pytest.approx(top - second)  # the label's lead over the best other class
        assert (
            grid.caption(first).startswith("lead +") and "largest lead over the runner-up first" in gallery.title_text
        )
        info = plain(gallery.query_one("#errors-gallery-info", Static).content)
        assert "lead" in info and f"over {analysis.class_names[runner_up]}" in info and "margin" not in info
        await pilot.press("escape", "down", "right", "right", "enter")  # the cell 1 → 2: mistakes
        await until(pilot, lambda: isinstance(app.screen, DigitGallery), what="the mistakes")
        await pilot.pause()
        grid = app.screen.query_one(DigitGridView)
        if grid.count:
            assert not grid.caption(int(grid.indices[0])).startswith("lead")
            assert "margin" in plain(app.screen.query_one("#errors-gallery-info", Static).content)


def write_idx(path: Path, array: np.ndarray) -> None:
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, 8, array.ndim]) + np.array(array.shape, dtype=">i4").tobytes()
    path.write_bytes(header + array.tobytes())


@needs_fashion
async def test_fashion_mnist_class_names_label_the_axes_and_confusions(tmp_path: Path, store_path: Path) -> None:
    full = load_dataset(f"idx:{FASHION_DIR}")
    folder = tmp_path / "fashion-small"  # "fashion" in the path: the loader names the classes
    folder.mkdir()
    rng = np.random.default_rng(0)
    train, test = rng.permutation(len(full.y_train))[:600], rng.permutation(len(full.y_test))[:100]
    write_idx(folder / "train-images-idx3-ubyte", full.X_train[train])
    write_idx(folder / "train-labels-idx1-ubyte", full.y_train[train])
    write_idx(folder / "t10k-images-idx3-ubyte", full.X_test[test])
    write_idx(folder / "t10k-labels-idx1-ubyte", full.y_test[test])
    spec = DataSpec(f"idx:{folder}")
    store = RunStore(store_path)
    assert run_inline(store, "multiclass", {"model": "svc"}, spec).status == "done"
    store.close()
    app = MnistExplorerApp(data=spec, store_path=store_path, poll_interval=0.2)
    app.animation_level = "none"
    async with app.run_test(size=(80, 24)) as pilot:
        await show_errors(pilot)
        await until(pilot, lambda: tab(app).analysis is not None, what="the svc run")
        await pilot.pause()
        shown = plain(app.query_one(ConfusionHeatmap).renderable())
        assert "Tsh Tro Pul Dre Coa San Shi Sne Bag Ank" in shown and "Pullover" in shown
        first = app.query_one(ConfusionList).get_option_at_index(0)
        true_name = first.prompt.plain.split("→")[0].strip()
        assert true_name[:3] in "Tsh Tro Pul Dre Coa San Shi Sne Bag Ank"  # class names, not digits


async def test_user_picks_a_top_confusion_with_the_arrows_and_enter_opens_its_digits(store_copy: Path) -> None:
    app = errors_app(store_copy)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_errors(pilot, "sgd-scaled")
        analysis = tab(app).analysis
        top = [(t, p) for t, p, _ in analysis.top_confusions(40)]
        confusions = app.query_one(ConfusionList)
        await until(pilot, lambda: confusions.option_count == len(top), what="the top confusions")
        await pilot.press("tab", "tab")  # the heatmap, the models, then the top confusions
        await until(pilot, lambda: app.focused is confusions, what="the top confusions focused")
        await until(pilot, lambda: "enter" in footer_keys(app), what="enter offered")
        await pilot.press("down")
        picked = top[confusions.highlighted]
        heatmap = app.query_one(ConfusionHeatmap)
        await until(pilot, lambda: heatmap.cursor == picked, what="the heatmap's cursor on the pair")
        names = analysis.class_names
        await until(pilot, lambda: f"true {names[picked[0]]} → pred {names[picked[1]]}" in status_text(app))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, DigitGallery), what="the pair's digits")
        count = int(analysis.confusion[picked])
        assert app.screen.title_text.startswith(f"{names[picked[0]]} predicted as {names[picked[1]]} · {count:,}")


async def test_the_top_confusions_are_no_tab_stop_before_a_run_is_shown(store_path: Path) -> None:
    app = errors_app(store_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await summarised_errors(pilot)
        confusions = app.query_one(ConfusionList)
        assert confusions.option_count == 0 and confusions not in app.screen.focus_chain


def test_the_errors_tab_never_imports_scikit_learn() -> None:
    code = (
        "import sys\n"
        "import tui.tabs.errors, tui.tabs.errors.errors_screens, engine.cli.errors\n"
        "print(','.join(sorted(n for n in sys.modules if n.split('.')[0] in ('sklearn', 'scipy'))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert out.stdout.strip() == ""


# -- snapshots ----------------------------------------------------------------------------------------------------
def mode_snapshot(presses: int, cell: tuple[int, int] = (9, 8)):
    async def run_before(pilot: Pilot) -> None:
        await open_errors(pilot, "sgd-scaled")
        await pilot.press(*["down"] * cell[0], *["right"] * cell[1], *["m"] * presses)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize(
    ("presses", "size"),
    [
        pytest.param(0, (80, 24), id="counts-80x24"),
        pytest.param(1, (80, 24), id="row-80x24"),
        pytest.param(2, (80, 24), id="errors-80x24"),
        pytest.param(3, (80, 24), id="column-80x24"),
        pytest.param(0, (120, 40), id="counts-120x40"),
        pytest.param(2, (120, 40), id="errors-120x40"),
    ],
)
def test_heatmap_mode_snapshot(snap_compare, store_copy: Path, presses: int, size: tuple[int, int]) -> None:
    assert snap_compare(errors_app(store_copy), terminal_size=size, run_before=mode_snapshot(presses))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_drill_down_snapshot(snap_compare, store_copy: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot) -> None:
        await open_errors(pilot, "sgd-scaled")
        await pilot.press(*["down"] * 9, *["right"] * 8, "enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, DigitGallery), what="the cell's digits")
        await pilot.pause()

    assert snap_compare(errors_app(store_copy), terminal_size=size, run_before=run_before)


def test_digit_with_top3_scores_snapshot(snap_compare, store_copy: Path) -> None:
    async def run_before(pilot: Pilot) -> None:
        await open_errors(pilot, "sgd-scaled")
        await pilot.press(*["down"] * 9, *["right"] * 8, "enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, DigitGallery), what="the cell's digits")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, DigitScores), what="the digit")
        await pilot.pause()

    assert snap_compare(errors_app(store_copy), terminal_size=(80, 24), run_before=run_before)


async def test_enter_on_an_empty_cell_says_so_and_opens_nothing(store_copy: Path) -> None:
    app = errors_app(store_copy)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_errors(pilot, "sgd-scaled")
        analysis = tab(app).analysis
        true, predicted = (int(k) for k in np.argwhere(analysis.confusion == 0)[0])
        app.query_one(ConfusionHeatmap).cursor = (true, predicted)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is app.screen_stack[0]
        names = analysis.class_names
        assert any(f"No {names[true]} was predicted as {names[predicted]}." in n.message for n in app._notifications)
