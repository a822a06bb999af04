"""The Search tab, driven as a user would, following searches that other processes write into the store.

Searches here are written by a stand-in writer (this file run as a script, or the same function in the test
process) through the run store API exactly as the search job writes them, so they are fast and deterministic;
one test starts a real search from the tab.
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Footer, Label, Select, Static
from textual.widgets._footer import FooterKey
from textual.widgets._progress_bar import Bar
from textual.widgets._select import SelectOverlay

from engine.data import DataSpec
from engine.leaderboard import Fit, build_leaderboard, to_csv
from engine.render.leaderboard import fmt_mean
from engine.resources import Resources
from engine.store import RunStore
from tui.app import MnistExplorerApp
from tui.tabs import TabSpec
from tui.tabs.search import SearchTab
from tui.tabs.search.search_compare import SearchCompareScreen
from tui.tabs.search.search_folds import SearchFoldsScreen
from tui.tabs.search.search_leaderboard import SearchLeaderboard, rank_name
from tui.tabs.search.search_new import NewSearchScreen
from tui.widgets.confirm import ConfirmDialog
from tui.widgets.progress_bar import StableProgressBar

SEARCH_ONLY = [TabSpec("search", "Search", "tui.tabs.search:SearchTab")]
CONFIGS = [{"n_neighbors": k, "weights": w} for k in (3, 4, 5, 6) for w in ("uniform", "distance")]
N_FOLDS = 5
PARAMS = {
    "estimator": "knn",
    "grid": {"n_neighbors": [3, 4, 5, 6], "weights": ["uniform", "distance"]},
    "cv": N_FOLDS,
    "backend": "local",
    "scheduler": None,
    "exact_sklearn": False,
}
DATA = DataSpec("digits").to_dict()
T0 = 1_790_000_000.0  # a fixed start time for the snapshots
JOB_RESOURCES = Resources(rss_mb=412.3, cpu_s=35.2, cpu_percent=187.0, n_processes=3, at=0.0)  # for the snapshots


def score(config: int, fold: int, seed: int = 0) -> float:
    """A made-up but plausible fold score, with ties between configs."""
    return 0.95 + ((config * 7 + fold * 3 + seed) % 10) / 250


ORDER = [(c, f) for f in range(N_FOLDS) for c in range(len(CONFIGS))]  # fold by fold, as shared-neighbour runs


class SearchWriter:
    """Writes a search as the search job does: a grid event, a fit event per (config, fold), results at the end."""

    def __init__(self, store: RunStore, seed: int = 0) -> None:
        self.store, self.seed = store, seed
        self.run_id = store.create_run("search", PARAMS, DATA).id
        self.done = 0
        store.mark_running(self.run_id, os.getpid())
        store.add_event(self.run_id, "grid", {"configs": CONFIGS, "n_folds": N_FOLDS, "method": "shared-neighbour"})
        store.set_progress(self.run_id, 0, len(ORDER))

    def fits(self, n: int, delay: float = 0.0) -> None:
        for c, f in ORDER[self.done : self.done + n]:
            self.store.add_event(
                self.run_id,
                "fit",
                {
                    "config": c,
                    "fold": f,
                    "params": CONFIGS[c],
                    "score": score(c, f, self.seed),
                    "fit_time": 0.01 * (1 + c),
                    "score_time": 0.02,
                },
            )
            self.done += 1
            self.store.set_progress(self.run_id, self.done)
            time.sleep(delay)

    def finish(self) -> None:
        board = build_leaderboard(
            CONFIGS, N_FOLDS, {(c, f): Fit(score(c, f, self.seed), 0.01 * (1 + c), 0.02) for c, f in ORDER}
        )
        results = [
            {
                "params": r.params,
                "mean_test_score": r.mean,
                "std_test_score": r.std,
                "split_scores": list(r.scores),
                "rank_test_score": r.rank,
                "mean_fit_time": r.mean_fit_time,
            }
            for r in board.rows
        ]
        for name, value in (
            ("results", results),
            ("best_params", board.best.params),
            ("best_score", board.best.mean),
            ("test_accuracy", 0.9750),
            ("elapsed_s", 2.0),
        ):
            self.store.put_result(self.run_id, name, value)
        self.store.finish(self.run_id, "done")


def write_search(
    store: RunStore, fits: int | None = None, finish: bool = True, delay: float = 0.0, seed: int = 0
) -> int:
    """A whole search (or its first ``fits`` fits), one fit every ``delay`` seconds."""
    writer = SearchWriter(store, seed)
    writer.fits(len(ORDER) if fits is None else fits, delay)
    if finish:
        writer.finish()
    return writer.run_id


def start_writer(store_path: Path, delay: float, fits: int | None = None) -> subprocess.Popen:
    """Another process writing a search into the store, one fit every ``delay`` seconds."""
    return subprocess.Popen(
        [sys.executable, __file__, str(store_path), str(delay), json.dumps(fits)],
        cwd=Path(__file__).resolve().parents[1],
        start_new_session=True,
    )


def freeze_times(store_path: Path, run_id: int, elapsed: float, finished: bool) -> None:
    """Give a run fixed start/finish times (the snapshots show elapsed time and throughput)."""
    with sqlite3.connect(store_path) as conn:
        conn.execute(
            "UPDATE runs SET created=?, started=?, finished=? WHERE id=?",
            (T0, T0, T0 + elapsed if finished else None, run_id),
        )


@pytest.fixture
def search_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Search tab alone in the app shell: quicker to start, and other tabs' changes cannot move its snapshots."""
    monkeypatch.setattr("tui.app.TABS", SEARCH_ONLY)


def make_app(store_path: Path) -> MnistExplorerApp:
    app = MnistExplorerApp(data=DataSpec("digits"), store_path=store_path, poll_interval=0.05)
    app.animation_level = "none"
    return app


def tab(app: MnistExplorerApp) -> SearchTab:
    return app.query_one(SearchTab)


async def until(pilot: Pilot, condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the Search tab"
        await pilot.pause(0.05)
    await pilot.pause()


async def show_search_tab(pilot: Pilot) -> None:
    """Wait for the data, then show the Search tab."""
    await until(pilot, lambda: pilot.app.dataset is not None)
    pilot.app.action_show_tab("search")
    await pilot.pause()


async def open_search(pilot: Pilot, fits: int | None = None, status: str | None = None) -> SearchTab:
    """Show the Search tab and wait until it shows ``fits`` fits (and ``status``) of its search."""
    await show_search_tab(pilot)
    t = tab(pilot.app)
    await until(
        pilot,
        lambda: (
            t.run is not None
            and (fits is None or t.board.fits_done == fits)
            and (status is None or t.run.status == status)
        ),
    )
    return t


def shown(widget) -> str:
    """What a widget shows on screen, line by line."""
    return "\n".join(widget.render_line(y).text for y in range(widget.size.height))


def text_of(app: MnistExplorerApp, selector: str) -> str:
    return shown(app.query_one(selector, Static))


def table_rows(app: MnistExplorerApp) -> list[list[str]]:
    table = app.query_one(SearchLeaderboard)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def settled(table: DataTable) -> bool:
    """Whether ``table`` has measured its columns: DataTable does it when idle, and a frame before that (at load)
    shows each column at its header's width ("distanc")."""
    return table.row_count > 0 and all(
        column.content_width >= max(len(str(cell)) for cell in table.get_column(key))
        for key, column in table.columns.items()
    )


def bar_settled(app: MnistExplorerApp) -> bool:
    """Whether the progress bar draws its percentage rounded to its half cells, as Textual's Bar does once laid out."""
    bar = app.query_one(StableProgressBar).query_one(Bar)
    cells = bar.size.width * 2
    return bar.percentage is not None and cells > 0 and bar.percentage == int(bar.percentage * cells) / cells


def offered(app: MnistExplorerApp) -> set[str]:
    """The keys the footer shows."""
    return {key.key for key in app.query_one(Footer).query(FooterKey)}


# -- following searches -------------------------------------------------------------------------------------------


async def test_user_watches_the_leaderboard_rerank_as_another_writer_adds_folds(store_path: Path) -> None:
    app = make_app(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await show_search_tab(pilot)
        assert "No searches yet" in text_of(app, "#search-best")
        writer = SearchWriter(RunStore(store_path))  # its own connection, as a job process has
        t = await open_search(pilot, fits=0)
        assert {r[4] for r in table_rows(app)} == {"pending"}
        orders = []
        for step in (8, 12, 20):
            writer.fits(step)
            await until(pilot, lambda: t.board.fits_done == writer.done)
            rows = table_rows(app)
            assert [r[0] for r in rows] == [str(r.rank) for r in t.board.ranked()]
            assert f"{writer.done}/40 fits" in text_of(app, "#search-pace")
            orders.append([(r[1], r[2]) for r in rows])
        assert orders[0] != orders[1]  # re-ranked as folds came in
        assert {r[4] for r in table_rows(app)} == {"done"}
        assert text_of(app, "#search-best").startswith("best so far ")
        writer.finish()
        await until(pilot, lambda: t.run.status == "done")
        assert "test accuracy 0.9750" in text_of(app, "#search-best")
        assert "ETA" not in text_of(app, "#search-pace")


async def test_the_pace_stands_still_while_the_tab_is_hidden_and_catches_up_when_shown(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "tui.app.TABS", [TabSpec("training", "Training", "tui.tabs.training:TrainingTab"), *SEARCH_ONLY]
    )
    now = [T0 + 10.0]
    monkeypatch.setattr(SearchTab, "clock", staticmethod(lambda: now[0]))
    writer = SearchWriter(RunStore(store_path))
    writer.fits(5)
    freeze_times(store_path, writer.run_id, elapsed=10.0, finished=False)
    app = make_app(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        t = await open_search(pilot, fits=5)
        assert "0:10 elapsed" in text_of(app, "#search-pace")
        app.action_show_tab("training")
        await until(pilot, lambda: not t.is_shown)
        now[0] = T0 + 75.0
        t._tick_pace()  # the 1 s timer's call: a hidden tab draws nothing
        await pilot.pause()
        assert "0:10 elapsed" in str(app.query_one("#search-pace", Static).render())  # hidden: not on screen
        app.action_show_tab("search")
        await until(pilot, lambda: "1:15 elapsed" in text_of(app, "#search-pace"))


@pytest.mark.usefixtures("search_only")
async def test_a_search_survives_the_app_closing_and_a_new_app_sees_it(store_path: Path) -> None:
    first = make_app(store_path)
    async with first.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: first.dataset is not None)
        writer = start_writer(store_path, delay=0.1)
        try:
            t = await open_search(pilot)
            await until(pilot, lambda: t.board.fits_done > 0)
            assert t.run.status == "running"
        except BaseException:
            writer.kill()
            raise
    try:
        assert writer.poll() is None  # the app closed; the search goes on
        second = make_app(store_path)
        async with second.run_test(size=(80, 24)) as pilot:
            t = await open_search(pilot, fits=40, status="done")
            assert t.run_id == 1 and all(r.status == "done" for r in t.board.rows)
        assert writer.wait(timeout=30) == 0
    finally:
        writer.kill()


@pytest.mark.usefixtures("search_only")
async def test_user_can_cancel_the_search_being_watched(store_path: Path) -> None:
    RunStore(store_path).close()
    writer = start_writer(store_path, delay=1.0)
    try:
        app = make_app(store_path)
        async with app.run_test(size=(80, 24)) as pilot:
            t = await open_search(pilot)
            await until(pilot, lambda: t.board.fits_done >= 1 and t.run.status == "running")
            await pilot.press("c")  # asks first, as every tab's cancel does
            await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
            question = str(app.screen.query_one("#confirm-question", Static).render())
            assert question.startswith(f"Cancel search #{t.run_id} (running, ") and "r resumes the rest" in question
            assert RunStore(store_path).get_run(t.run_id).status == "running"
            await pilot.press("y")
            await until(pilot, lambda: t.run.status == "cancelled")
            assert writer.wait(timeout=5) != 0  # its process was stopped
            assert t.board.fits_done >= 1  # what it finished stays on the board
            await until(pilot, lambda: "cancelled, r resumes" in text_of(app, "#search-best"))
            await until(pilot, lambda: "r" in offered(app))  # it can be resumed
            assert "c" not in offered(app)  # nothing left to cancel
    finally:
        writer.kill()


# -- reading a leaderboard ----------------------------------------------------------------------------------------


@pytest.mark.usefixtures("search_only")
async def test_user_can_sort_by_any_column_and_open_a_configs_folds(store: RunStore, store_path: Path) -> None:
    write_search(store)
    app = make_app(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        t = await open_search(pilot, status="done")
        table = app.query_one(SearchLeaderboard)
        assert app.focused is table
        ranks = [int(r[0]) for r in table_rows(app)]
        assert ranks == sorted(ranks) and ranks.count(1) >= 1
        await pilot.press("s")  # next column: n_neighbors
        assert table.sort_column == "param:n_neighbors"
        assert [r[1] for r in table_rows(app)] == ["3", "3", "4", "4", "5", "5", "6", "6"]
        assert "n_neighbors ▾" in shown(table).splitlines()[0] and "# ▾" not in shown(table).splitlines()[0]
        await pilot.press("S")
        assert [r[1] for r in table_rows(app)][:2] == ["6", "6"]
        assert "n_neighbors ▴" in shown(table).splitlines()[0]
        for _ in range(3):  # weights, mean ± std, status, then the fit time
            await pilot.press("s")
        await pilot.press("s")
        assert table.sort_column == "fit_time"
        assert [float(r[5]) for r in table_rows(app)] == sorted(float(r[5]) for r in table_rows(app))
        await pilot.click(SearchLeaderboard, offset=(2, 0))  # the "#" header: back to rank
        assert table.sort_column == "rank"

        await pilot.press("down", "enter")
        assert isinstance(app.screen, SearchFoldsScreen)
        row = t.board.rows[table.current_config()]
        folds = shown(app.screen.query_one(Static))
        assert all(f"{s:.4f}" in folds for s in row.scores)
        await pilot.press("escape")
        assert not isinstance(app.screen, SearchFoldsScreen)


@pytest.mark.usefixtures("search_only")
async def test_user_can_export_the_leaderboard_as_csv(
    store: RunStore, store_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    run_id = write_search(store, fits=36, finish=False)
    app = make_app(store_path)
    async with app.run_test(size=(80, 24)) as pilot:
        t = await open_search(pilot, fits=36)
        await pilot.press("x")
        path = tmp_path / f"search-{run_id}.csv"
        assert path.read_text() == to_csv(t.board)
        assert any(str(path) in n.message for n in app._notifications)
    rows = list(csv.DictReader(path.open()))
    assert len(rows) == len(CONFIGS) and {r["status"] for r in rows} == {"done", "partial"}


@pytest.mark.usefixtures("search_only")
async def test_user_can_pick_another_search_and_compare_two(store: RunStore, store_path: Path) -> None:
    first = write_search(store, seed=0)
    second = write_search(store, seed=4)
    app = make_app(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        t = await open_search(pilot, status="done")
        assert t.run_id == second  # the newest search is shown first
        await pilot.press("m")
        assert "#2 marked" in text_of(app, "#search-summary")
        await pilot.press("p")  # the picker opens on the list of searches
        await pilot.press("down", "enter")
        await until(pilot, lambda: t.run is not None and t.run.id == first)
        assert app.query_one("#search-runs", Select).value == first
        await pilot.press("v")
        await until(pilot, lambda: isinstance(app.screen, SearchCompareScreen))
        table = app.screen.query_one(DataTable)
        assert table.row_count == len(CONFIGS)
        cells = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        a_means = {r[0]: r[3] for r in cells}
        by_params = {r.params_text(): r for r in t.board.rows}  # the board now shows search #1 (B)
        assert all(cells[i][5].startswith(f"{by_params[cells[i][0]].mean:.4f}") for i in range(len(cells)))
        assert all(v != "–" for v in a_means.values())
        assert [str(c.label) for c in table.ordered_columns][:2] == ["params", "Δ mean"] and table.fixed_columns == 2


@pytest.mark.usefixtures("search_only")
async def test_the_search_picker_lists_only_searches_no_blank_entry(store_path: Path) -> None:
    app = make_app(store_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await show_search_tab(pilot)
        select = app.query_one("#search-runs", Select)
        assert select.is_blank()  # no search yet: the prompt shows
        store = RunStore(store_path)
        first = write_search(store, seed=0)
        t = tab(app)
        await until(pilot, lambda: t.run is not None and t.run.id == first and t.run.status == "done")
        second = write_search(store, seed=4)  # done before the tab sees it: the tab stays on the first
        await until(pilot, lambda: len(t._options) == 2)
        await pilot.press("p")
        overlay = select.query_one(SelectOverlay)
        await until(pilot, lambda: app.focused is overlay)
        prompts = [overlay.get_option_at_index(i).prompt for i in range(overlay.option_count)]
        assert [str(p) for p in prompts] == [f"#{second} knn digits · done", f"#{first} knn digits · done"]
        await pilot.press("home", "enter")  # the first entry is a search
        await until(pilot, lambda: t.run is not None and t.run.id == second and select.value == second)


@pytest.mark.usefixtures("search_only")
async def test_the_compare_view_fits_80_columns_with_the_means_and_shows_the_stds_when_wider(
    store: RunStore, store_path: Path
) -> None:
    write_search(store, seed=0)
    write_search(store, seed=4)
    app = make_app(store_path)
    async with app.run_test(size=(80, 24)) as pilot:
        t = await open_search(pilot, status="done")
        await until(pilot, lambda: len(t._options) == 2)
        t.marked = 2
        app.query_one("#search-runs", Select).value = 1
        await until(pilot, lambda: t.run is not None and t.run.id == 1 and "v" in offered(app))
        await pilot.press("v")
        await until(pilot, lambda: isinstance(app.screen, SearchCompareScreen))
        table = app.screen.query_one(DataTable)

        def headers() -> list[str]:
            return [str(c.label) for c in table.ordered_columns]

        await until(pilot, lambda: table.size.width > 0 and table.row_count == len(CONFIGS))
        assert headers()[-1] == "B mean" and "±" not in str(table.get_row_at(0)[5])
        assert table.virtual_size.width <= table.scrollable_content_region.width  # no column cut at the right
        await pilot.resize_terminal(120, 40)
        await until(pilot, lambda: headers()[-1] == "B mean ± std")
        await until(pilot, lambda: table.virtual_size.width <= table.scrollable_content_region.width)
        assert "±" in str(table.get_row_at(0)[5])


@pytest.mark.usefixtures("search_only")
async def test_tab_jumps_to_a_search_started_elsewhere_unless_the_user_picked_one(
    store: RunStore, store_path: Path
) -> None:
    first = write_search(store)
    app = make_app(store_path)
    async with app.run_test(size=(80, 24)) as pilot:
        t = await open_search(pilot, status="done")
        second = SearchWriter(RunStore(store_path))  # e.g. `mnist-explorer search knn --detach` in another shell
        await until(pilot, lambda: t.run_id == second.run_id)
        second.fits(3)
        await until(pilot, lambda: t.board.fits_done == 3)
        app.query_one("#search-runs", Select).value = first  # the user picks the first one
        await until(pilot, lambda: t.run is not None and t.run.id == first)
        third = SearchWriter(RunStore(store_path))
        await until(pilot, lambda: len(t._options) == 3)
        await pilot.pause(0.3)
        assert t.run_id == first  # stays on the one the user picked
        third.finish()
        second.finish()


@pytest.mark.usefixtures("search_only")
async def test_user_sees_why_a_search_stopped_and_its_folds_beside_the_table_when_wide(
    store: RunStore, store_path: Path
) -> None:
    interrupted = SearchWriter(store)
    interrupted.fits(12)
    store.finish(interrupted.run_id, "interrupted", "the job's process ended without finishing")
    failed = SearchWriter(store)
    store.finish(failed.run_id, "failed", "MemoryError: cannot allocate 3.2 GiB")
    app = make_app(store_path)
    async with app.run_test(size=(200, 60)) as pilot:
        t = await open_search(pilot, status="failed")
        assert text_of(app, "#search-best").startswith("failed: MemoryError: cannot allocate 3.2 GiB")
        app.query_one("#search-runs", Select).value = interrupted.run_id
        await until(pilot, lambda: t.run.id == interrupted.run_id and t.board.fits_done == 12)
        assert f"r resumes it (only its missing fits run; CLI: runs resume {interrupted.run_id})" in text_of(
            app, "#search-best"
        )
        detail = app.query_one("#search-detail", Static)
        assert detail.display and detail.size.width > 30  # folds of the highlighted config, beside the table
        row = t.board.rows[app.query_one(SearchLeaderboard).current_config()]
        assert row.rank == 1  # the cursor starts on the best config, and the row is named by its rank
        assert "rank 1 of 8" in shown(detail) and f"{row.scores[0]:.4f}" in shown(detail)


async def test_user_resumes_an_interrupted_search_from_the_tab(store: RunStore, store_path: Path) -> None:
    interrupted = SearchWriter(store)
    interrupted.fits(12)
    store.finish(interrupted.run_id, "interrupted", "the job's process ended without finishing")
    app = make_app(store_path)
    async with app.run_test(size=(80, 24)) as pilot:
        t = await open_search(pilot, status="interrupted")
        await pilot.press("r")
        await until(pilot, lambda: any("12 of 40 fits already done" in n.message for n in app._notifications))
        await until(pilot, lambda: t.run.active)  # the same run, relaunched (it runs the 28 missing fits)
        assert t.run_id == interrupted.run_id and t.board.fits_done >= 12
        await until(pilot, lambda: "r" not in offered(app))
        await pilot.press("c", "y")  # its finishing is the CLI's `runs resume` test; stop it here
        await until(pilot, lambda: t.run.status == "cancelled")


@pytest.mark.usefixtures("search_only")
@pytest.mark.parametrize("size, folds", [((80, 24), False), ((200, 60), True)], ids=["80x24", "200x60"])
async def test_the_leaderboard_fits_the_width_with_rank_params_and_mean_pinned(
    store: RunStore, store_path: Path, size: tuple[int, int], folds: bool
) -> None:
    write_search(store)
    app = make_app(store_path)
    async with app.run_test(size=size) as pilot:
        await open_search(pilot, status="done")
        await pilot.pause()
        table = app.query_one(SearchLeaderboard)
        keys = [str(c.key.value) for c in table.ordered_columns]
        assert keys[:4] == ["rank", "param:n_neighbors", "param:weights", "mean"] and table.fixed_columns == 4
        assert any(k.startswith("fold:") for k in keys) == folds  # at 80 columns the folds are in enter's view
        assert table.virtual_size.width <= table.scrollable_content_region.width  # nothing off-screen
        assert table.current_row().rank == 1  # the cursor starts on the best config
        first = table.current_config()
        await pilot.press("down")
        assert table.current_config() != first and not table.follow_best


@pytest.mark.usefixtures("search_only")
async def test_the_progress_bar_is_drawn_the_same_whether_its_percentage_came_before_its_layout(
    store: RunStore, store_path: Path
) -> None:
    writer = SearchWriter(store)
    writer.fits(23)  # 57.5 %: between two half cells of the 24-cell bar
    app = make_app(store_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_search(pilot, fits=23)  # the pace row was hidden until the search was read: the bar had no width
        await until(pilot, lambda: bar_settled(app))
        writer.finish()


@pytest.mark.usefixtures("search_only")
async def test_a_running_searchs_cpu_memory_and_processes_show_at_most_once_a_second(
    store: RunStore, store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tui.tabs.search.tab as search_tab

    calls = []

    def sampled(run, since=None):  # the stand-in writer has no job processes of its own to read
        calls.append(run.id)
        return JOB_RESOURCES

    monkeypatch.setattr(search_tab, "job_resources", sampled)
    writer = SearchWriter(store)
    app = make_app(store_path)
    async with app.run_test(size=(80, 24)) as pilot:
        t = await open_search(pilot, status="running")
        started = time.monotonic()
        for _ in range(8):  # the search writes eight times in ~2 s
            writer.fits(1)
            await pilot.pause(0.25)
        await until(pilot, lambda: t.resources is not None)
        line = text_of(app, "#search-resources")
        assert "CPU 187%" in line and "RSS 412 MB" in line and "3 processes" in line
        assert (
            set(calls) == {writer.run_id}
            and 1 <= len(calls) <= (time.monotonic() - started) / search_tab.RESOURCES_EVERY_S + 2
        )
        writer.finish()
        await until(pilot, lambda: t.run.status == "done")
        await pilot.pause()
        assert not app.query_one("#search-resources").display  # only while it runs


def test_one_fold_has_no_std_and_rows_are_named_by_rank() -> None:
    board = build_leaderboard(CONFIGS[:2], 3, {(0, 0): Fit(0.9, 0.1, 0.01), (1, 0): Fit(0.8, 0.1, 0.01)})
    row = board.rows[0]
    assert fmt_mean(row) == "0.9000" and rank_name(row, board) == "rank 1 of 2 so far"
    board = build_leaderboard(CONFIGS[:1], 2, {(0, 0): Fit(0.9, 0.1, 0.01), (0, 1): Fit(0.8, 0.1, 0.01)})
    assert fmt_mean(board.rows[0]) == "0.8500 ± 0.0500" and rank_name(board.rows[0], board) == "rank 1 of 1"


# -- the keys offered ---------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("search_only")
async def test_footer_offers_only_the_keys_that_act_and_asks_again_only_when_they_change(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(store_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await show_search_tab(pilot)
        await until(pilot, lambda: "n" in offered(app))
        assert offered(app) & {"x", "s", "v", "c", "r"} == set()  # no search: nothing to export, sort or compare
        await pilot.press("x", "s", "v")
        assert not app._notifications  # keys not offered do nothing
        writer = SearchWriter(RunStore(store_path))
        t = await open_search(pilot, fits=0)
        await until(pilot, lambda: {"x", "s", "c"} <= offered(app))
        assert "v" not in offered(app)  # nothing marked
        asked = []
        refresh_bindings = t.refresh_bindings

        def counted() -> None:
            asked.append(1)
            refresh_bindings()

        monkeypatch.setattr(t, "refresh_bindings", counted)
        for _ in range(4):  # every write redraws the tab; the keys it offers stay the same
            writer.fits(5)
            await until(pilot, lambda: t.board.fits_done == writer.done)
        assert asked == []
        writer.finish()
        await until(pilot, lambda: t.run.status == "done" and "c" not in offered(app))
        assert asked == [1]  # c went
        second = write_search(RunStore(store_path), seed=4)
        await until(pilot, lambda: len(t._options) == 2)
        # a search first seen while still being written is followed (CI at load marked it): show the first again
        app.query_one("#search-runs", Select).value = writer.run_id
        await until(pilot, lambda: t.run_id == writer.run_id and t.run is not None)
        await pilot.press("m")
        assert t.marked == writer.run_id and "v" not in offered(app)  # the marked search is the one shown
        app.query_one("#search-runs", Select).value = second
        await until(pilot, lambda: t.run_id == second and "v" in offered(app))
        await pilot.press("v")
        await until(pilot, lambda: isinstance(app.screen, SearchCompareScreen))


# -- starting searches --------------------------------------------------------------------------------------------


async def open_new_search(pilot: Pilot) -> NewSearchScreen:
    """Show the Search tab and open its new-search form with n."""
    await show_search_tab(pilot)
    await pilot.press("n")
    await until(pilot, lambda: isinstance(pilot.app.screen, NewSearchScreen))
    form = pilot.app.screen
    assert isinstance(form, NewSearchScreen)
    return form


@pytest.mark.usefixtures("search_only")
async def test_new_search_form_rejects_bad_values_and_launches_nothing(store_path: Path) -> None:
    app = make_app(store_path)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_new_search(pilot)
        grid = form.query_one("#search-new-grid")
        cv = form.query_one("#search-new-cv")
        assert "n_neighbors=3,4,5,6" in grid.text and cv.value == "5"

        cases = [
            ("n_neighbors=3,5", "1", "cv folds must be at least 2"),
            ("n_neighbors=3,5", "five", "cv folds must be a whole number"),
            ("n_neighbors", "3", "grid line 1"),
            ("n_neighbors=3\nn_neighbors=5", "3", "n_neighbors is given twice"),
            ("n_neighbors=three", "3", "'n_neighbors' parameter of KNeighborsClassifier must be an int"),
        ]
        for grid_text, cv_text, message in cases:
            grid.text, cv.value = grid_text, cv_text
            app.clear_notifications()
            await pilot.press("ctrl+s")
            await until(
                pilot, lambda: any(n.severity == "error" for n in app._notifications) and not form._checking, timeout=60
            )  # the last case is checked by scikit-learn, in a subprocess
            assert any(message in n.message for n in app._notifications), message
            assert app.screen is form  # still open for the user to fix
        await pilot.press("escape")
        assert not isinstance(app.screen, NewSearchScreen)
    assert RunStore(store_path).list_runs() == []


@pytest.mark.usefixtures("search_only")
async def test_new_search_form_shows_which_field_is_focused_and_tabs_top_to_bottom(store_path: Path) -> None:
    app = make_app(store_path)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_new_search(pilot)
        order = []
        for _ in range(6):
            focused = app.focused
            assert focused is not None
            order.append(focused.id)
            if focused.parent.has_class("search-new-row"):  # the buttons show it by their own reversed label
                shows = focused.query_one("SelectCurrent") if isinstance(focused, Select) else focused
                before = shows.styles.background
                label = focused.parent.query_one(Label)
                assert label.styles.text_style.bold  # its row's label, in the accent
                await pilot.press("tab")
                assert shows.styles.background != before and not label.styles.text_style.bold  # gone with the focus
            else:
                await pilot.press("tab")
        assert order == [
            "search-new-grid",
            "search-new-cv",
            "search-new-backend",  # the scheduler is no stop while the backend is local
            "search-new-start",
            "search-new-cancel",
            "search-new-estimator",
        ]
        form.query_one("#search-new-backend", Select).value = "dask"
        await until(pilot, lambda: not form.query_one("#search-new-scheduler").disabled)
        form.query_one("#search-new-backend", Select).focus()
        await pilot.press("tab")
        assert app.focused.id == "search-new-scheduler"
        await pilot.press(*"tcp://h:8786")
        assert form.form().scheduler == "tcp://h:8786"
        form.query_one("#search-new-backend", Select).value = "local"
        await until(pilot, lambda: form.query_one("#search-new-scheduler").disabled)
        assert form.form().scheduler == ""  # what was typed for dask does not go to a local search


@pytest.mark.usefixtures("search_only")
async def test_user_starts_a_real_search_from_the_tab_and_sees_it_finish(store_path: Path) -> None:
    app = make_app(store_path)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_new_search(pilot)
        form.query_one("#search-new-grid").text = "n_neighbors=1,3\nweights=uniform,distance"
        form.query_one("#search-new-cv").value = "3"
        await pilot.press("ctrl+s")
        t = tab(app)
        await until(pilot, lambda: t.run is not None and t.run.status == "done", timeout=60)
        assert t.run.params["grid"] == {"n_neighbors": [1, 3], "weights": ["uniform", "distance"]}
        assert t.board.fits_done == 12 and all(r[4] == "done" for r in table_rows(app))
        assert "test accuracy" in text_of(app, "#search-best")
        results = RunStore(store_path).get_result(t.run.id, "results")
        assert [r["mean_test_score"] for r in results] == [row.mean for row in t.board.rows]
        assert [r["rank_test_score"] for r in results] == [row.rank for row in t.board.rows]


# -- snapshots ----------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("search_only")
@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("state", ["mid-search", "done"])
def test_snapshot(snap_compare, store_path: Path, monkeypatch: pytest.MonkeyPatch, state: str, size) -> None:
    """A finished search and, mid-search, a newer one 23 of 40 fits in, 10 s after it started (clock frozen)."""
    store = RunStore(store_path)
    finished = write_search(store, seed=0)
    freeze_times(store_path, finished, elapsed=16.0, finished=True)
    fits, status = 40, "done"
    if state == "mid-search":
        writer = SearchWriter(store, seed=3)
        writer.fits(23)
        freeze_times(store_path, writer.run_id, elapsed=10.0, finished=False)
        fits, status = 23, "running"
    monkeypatch.setattr(SearchTab, "clock", staticmethod(lambda: T0 + 10.0))
    monkeypatch.setattr("tui.tabs.search.tab.job_resources", lambda run, since=None: JOB_RESOURCES)

    async def run_before(pilot: Pilot) -> None:
        await open_search(pilot, fits=fits, status=status)
        await until(pilot, lambda: len(tab(pilot.app)._options) == (2 if state == "mid-search" else 1))
        if state == "mid-search":
            await until(pilot, lambda: tab(pilot.app).resources is not None)
        board = pilot.app.query_one(SearchLeaderboard)
        await until(pilot, lambda: settled(board) and board.show_folds == board.folds_fit(board.board))
        await until(pilot, lambda: bar_settled(pilot.app))

    assert snap_compare(make_app(store_path), terminal_size=size, run_before=run_before)


if __name__ == "__main__":  # the stand-in search process: STORE DELAY FITS(json)
    write_search(RunStore(sys.argv[1]), fits=json.loads(sys.argv[3]), delay=float(sys.argv[2]))


@pytest.mark.usefixtures("search_only")
def test_compare_snapshot_80x24_shows_the_difference(snap_compare, store_path: Path) -> None:
    store = RunStore(store_path)
    write_search(store, seed=0)
    write_search(store, seed=4)
    store.close()

    async def run_before(pilot: Pilot) -> None:
        t = await open_search(pilot, status="done")
        await until(pilot, lambda: len(t._options) == 2)
        await pilot.press("m", "p", "down", "enter")
        await until(pilot, lambda: t.run is not None and t.run.id == 1 and t.run.status == "done")
        await pilot.press("v")
        await until(pilot, lambda: isinstance(pilot.app.screen, SearchCompareScreen))
        pilot.app.clear_notifications()  # the "marked" toast would be there or not by how long this took
        await until(pilot, lambda: not pilot.app.query("Toast") and settled(pilot.app.screen.query_one(DataTable)))

    assert snap_compare(make_app(store_path), terminal_size=(80, 24), run_before=run_before)
