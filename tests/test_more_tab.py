"""The More tab's three views (multilabel, denoising, augmentation), driven by keys on real runs of the embedded
sample made before the app starts; and an empty store, where ``s`` starts the view's job."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import numpy as np
import pytest
from helpers import copy_store, footer_settled, until
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Static

from engine.data import DataSpec
from engine.jobs import run_inline
from engine.models.augment import AugmentResults, job_params
from engine.models.denoise import DenoiseResults
from engine.models.multilabel import MultilabelResults
from engine.store import RunStore
from tui.app import MnistExplorerApp
from tui.tabs import TABS
from tui.tabs.more import MoreTab
from tui.tabs.more.augment import AugmentDetail
from tui.tabs.more.denoise import DenoiseDigits
from tui.tabs.more.multilabel import MultilabelView
from tui.widgets.digit_detail import DigitDetail
from tui.widgets.digit_grid import DigitGridView

SAMPLE = DataSpec("mnist5k")
MORE_ONLY = [tab for tab in TABS if tab.id == "more"]


@pytest.fixture(scope="module")
def runs_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One done run of each job on the sample: multilabel 1, denoise 2, augment 3."""
    path = tmp_path_factory.mktemp("more-tab") / "runs.sqlite"
    store = RunStore(path)
    for kind, params in (("multilabel", {}), ("denoise", {"seed": 42}), ("augment", job_params(store, SAMPLE))):
        assert run_inline(store, kind, params, SAMPLE).status == "done"
    store.close()
    return path


@pytest.fixture
def store_copy(runs_store: Path, tmp_path: Path) -> Path:
    return copy_store(runs_store, tmp_path / "runs.sqlite")


@pytest.fixture(autouse=True)
def _more_tab_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tab alone in the app shell: quicker to start, and other tabs cannot move its snapshots."""
    monkeypatch.setattr("tui.app.TABS", MORE_ONLY)


def more_app(store_path: Path, data: DataSpec = SAMPLE) -> MnistExplorerApp:
    app = MnistExplorerApp(data=data, store_path=store_path, poll_interval=0.1)
    app.animation_level = "none"
    return app


async def open_more(pilot: Pilot, view: str = "1", loaded: tuple[str, ...] = ("multilabel", "denoise", "augment")):
    """Wait for the data and the tab's results, then show ``view`` (its number key)."""
    await until(pilot, lambda: pilot.app.dataset is not None and pilot.app.query(MoreTab), what="the tab")
    tab = pilot.app.query_one(MoreTab)
    await until(pilot, lambda: set(loaded) <= set(tab.results), what="the runs' results")
    await pilot.press(view)
    await pilot.pause()
    return tab


def text(pilot: Pilot, selector: str, screen=None) -> str:
    """What a Static shows, as plain text."""
    console = Console(width=200, file=io.StringIO(), record=True)
    console.print((screen or pilot.app).query_one(selector, Static).content)
    return console.export_text()


async def test_multilabel_view_shows_true_and_predicted_pairs_and_filters_mismatches(store_copy: Path) -> None:
    results = MultilabelResults.from_store(RunStore(store_copy), 1)
    async with more_app(store_copy).run_test(size=(120, 40)) as pilot:
        await open_more(pilot, "1")
        grid = pilot.app.query_one("#multilabel-digits", DigitGridView)
        assert grid.count == len(results.y_true) and grid.has_focus
        first = "".join(map(str, results.y_true[0])) + "→" + "".join(map(str, results.y_pred[0]))
        assert grid.caption(0) == first
        assert "F1 macro" in text(pilot, "#multilabel-report") and "SVC" in text(pilot, "#multilabel-report")
        await pilot.press("f")
        await pilot.pause()
        assert np.array_equal(grid.indices, results.mismatches) and grid.count > 0
        assert "mismatch" in text(pilot, "#multilabel-status")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, DigitDetail), what="the digit opened")
        assert pilot.app.screen.index == results.mismatches[0]
        await pilot.press("escape", "f")
        await pilot.pause()
        assert grid.count == len(results.y_true)


async def test_denoise_view_steps_through_digits_worst_first_on_w(store_copy: Path) -> None:
    results = DenoiseResults.from_store(RunStore(store_copy), 2)
    async with more_app(store_copy).run_test(size=(80, 24)) as pilot:
        await open_more(pilot, "2")
        digits = pilot.app.query_one(DenoiseDigits)
        assert digits.has_focus and digits.index == 0
        await pilot.press("right", "right")
        assert digits.index == 2 and "test #2 " in text(pilot, "#denoise-status")
        await pilot.press("w")
        await pilot.pause()
        assert digits.index == 2  # the same digit, now at its rank by error
        await pilot.press("home")
        await pilot.pause()
        assert digits.index == int(np.argmax(results.error_denoised)) and "worst first" in text(
            pilot, "#denoise-status"
        )
        assert f"{results.mae_denoised:.2f}" in text(pilot, "#denoise-report")


async def test_augment_view_shows_fixed_and_broken_digits_each_openable(store_copy: Path) -> None:
    results = AugmentResults.from_store(RunStore(store_copy), 3)
    async with more_app(store_copy).run_test(size=(120, 40)) as pilot:
        await open_more(pilot, "3")
        fixed = pilot.app.query_one("#augment-fixed", DigitGridView)
        broken = pilot.app.query_one("#augment-broken", DigitGridView)
        assert np.array_equal(fixed.indices, results.fixed) and np.array_equal(broken.indices, results.broken)
        assert f"{results.accuracy_augmented:.4f}" in text(pilot, "#augment-report")
        assert "McNemar" in text(pilot, "#augment-report")
        assert f"test #{results.fixed[0]}" in text(pilot, "#augment-shifts")
        await pilot.press("tab")
        await pilot.pause()
        assert broken.has_focus and f"test #{results.broken[0]}" in text(pilot, "#augment-shifts")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, AugmentDetail), what="the digit opened")
        assert pilot.app.screen.index == results.broken[0]
        assert "augmented" in text(pilot, "#detail-info", pilot.app.screen)


async def test_augment_view_shown_again_focuses_the_grid_focused_last(store_copy: Path) -> None:
    """The accent border marks the grid focused last; leaving the view and coming back keeps both."""
    async with more_app(store_copy).run_test(size=(120, 40)) as pilot:
        await open_more(pilot, "3")
        fixed = pilot.app.query_one("#augment-fixed", DigitGridView)
        broken = pilot.app.query_one("#augment-broken", DigitGridView)
        assert fixed.has_focus and fixed.has_class("-current") and not broken.has_class("-current")
        await pilot.press("tab", "1", "3")
        await pilot.pause()
        assert broken.has_focus and broken.has_class("-current") and not fixed.has_class("-current")
        assert "broken" in text(pilot, "#augment-status")


async def test_views_picked_faster_than_the_screen_refreshes_focus_the_last_one(store_copy: Path) -> None:
    async with more_app(store_copy).run_test(size=(80, 24)) as pilot:
        tab = await open_more(pilot, "1")
        tab.action_view("augment")  # two keys before one refresh (a loaded machine): the first focus is stale
        tab.action_view("denoise")
        await pilot.pause()
        await pilot.pause()
        assert pilot.app.query_one(DenoiseDigits).has_focus


async def test_a_key_right_after_a_view_key_reaches_the_new_view(store_copy: Path) -> None:
    """The view's widget has the focus as soon as the view is picked, not after a refresh (no key is lost)."""
    async with more_app(store_copy).run_test(size=(80, 24)) as pilot:
        tab = await open_more(pilot, "1")
        digits = pilot.app.query_one(DenoiseDigits)
        tab.action_view("denoise")
        assert pilot.app.focused is digits  # at once, before any refresh
        await pilot.press("right", "3", "tab")
        await pilot.pause()
        assert digits.index == 1 and pilot.app.query_one("#augment-broken", DigitGridView).has_focus
        await pilot.press("1", "f")
        await pilot.pause()
        assert pilot.app.query_one("#multilabel-digits", DigitGridView).has_focus
        assert "mismatch" in text(pilot, "#multilabel-status")


async def test_with_no_runs_each_view_offers_its_job_and_s_runs_it(tmp_path: Path) -> None:
    async with more_app(tmp_path / "runs.sqlite", DataSpec("digits")).run_test(size=(80, 24)) as pilot:
        tab = await open_more(pilot, "3", loaded=())
        await until(pilot, lambda: tab.augment_params is not None, what="the store read")
        assert "No augment run on digits yet. Press s" in text(pilot, "#augment-report")
        await pilot.press("s")
        await until(pilot, lambda: "augment" in tab.results, timeout=300, what="the augment job's results")
        assert tab.results["augment"].n_train_augmented == 5 * len(pilot.app.dataset.y_train)
        await pilot.press("1")
        await pilot.pause()
        assert "No multilabel run on digits yet" in pilot.app.query_one("#multilabel-digits", DigitGridView).empty_text


def copy_run(source: RunStore, run_id: int, target: RunStore) -> int:
    """A done run of ``source`` made again in ``target``, as its job would leave it (results, then done)."""
    run = source.get_run(run_id)
    copy = target.create_run(run.kind, run.params, run.data)
    target.put_results(copy.id, source.results(run_id))
    target.finish(copy.id, "done")
    return copy.id


PAGES = {"left_square_bracket", "right_square_bracket"}


async def test_with_no_run_a_view_offers_only_s_and_its_keys_come_with_the_results(
    runs_store: Path, tmp_path: Path
) -> None:
    store = RunStore(tmp_path / "runs.sqlite")
    job = subprocess.Popen(["sleep", "60"], start_new_session=True)  # stands in for a running job's process
    try:
        async with more_app(store.path).run_test(size=(80, 24)) as pilot:
            tab = await open_more(pilot, "1", loaded=())
            grid = pilot.app.query_one("#multilabel-digits", DigitGridView)
            await until(pilot, lambda: "No multilabel run" in grid.empty_text, what="the empty view")
            keys = await footer_settled(pilot)
            assert not (PAGES | {"enter", "f"}) & keys.keys() and keys.get("s"), keys
            await pilot.press("f", "enter")  # not offered: nothing happens
            assert not tab.query_one(MultilabelView).mismatches_only and pilot.app.screen is tab.screen
            await pilot.press("2")
            assert not {"left", "right", "w"} & (await footer_settled(pilot)).keys()
            await pilot.press("w")
            assert not pilot.app.query_one(DenoiseDigits).worst
            await pilot.press("3")
            assert not (PAGES | {"enter"}) & (await footer_settled(pilot)).keys()

            running = store.create_run("multilabel", {}, SAMPLE.to_dict())  # started elsewhere
            store.mark_running(running.id, job.pid)
            await pilot.press("1")
            await until(pilot, lambda: tab.statuses["multilabel"].active is not None, what="the running job")
            assert "s" not in await footer_settled(pilot)  # it runs already
            source = RunStore(runs_store)
            store.put_results(running.id, source.results(1))
            store.finish(running.id, "done")
            copy_run(source, 2, store)
            await until(pilot, lambda: {"multilabel", "denoise"} <= set(tab.results), what="the results")
            keys = await footer_settled(pilot)
            assert all(keys.get(key) for key in PAGES | {"enter", "f", "s"}), keys
            await pilot.press("f")
            assert np.array_equal(grid.indices, tab.results["multilabel"].mismatches)
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(pilot.app.screen, DigitDetail), what="the digit opened")
            await pilot.press("escape", "2")
            keys = await footer_settled(pilot)
            assert keys.get("left") and keys.get("w"), keys
            await pilot.press("w")
            assert pilot.app.query_one(DenoiseDigits).worst
    finally:
        job.kill()
        job.wait()


# -- snapshots ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("view", ["1", "2", "3"], ids=["multilabel", "denoise", "augment"])
@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_snapshot(snap_compare, store_copy: Path, view: str, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot) -> None:
        await open_more(pilot, view)
        await pilot.press("right")
        await pilot.pause()

    assert snap_compare(more_app(store_copy), terminal_size=size, run_before=run_before)
