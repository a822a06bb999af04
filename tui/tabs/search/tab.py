"""The Search tab: a live leaderboard of a grid search read from the run store, and the keys to start, cancel,
resume, export and compare searches. It only reads the store, so it follows searches started by the CLI or an
earlier app. While the followed search runs, its processes' CPU, RSS and count show above the table.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.message import Message
from textual.widgets import DataTable, Select, Static

from engine.errors import ExplorerError, StoreError
from engine.follow import NewEvents, RunChanged, RunFinished, RunsListed, Update
from engine.leaderboard import Leaderboard, LeaderboardBuilder, Pace, to_csv
from engine.render.leaderboard import fmt_mean
from engine.render.status import format_duration
from engine.resources import Resources, job_resources
from engine.results import SearchResults
from engine.search.grid import describe
from engine.search.state import SearchReader, read_search
from engine.store import Event, Run
from tui.context import TabContext
from tui.tab_base import TabBase
from tui.tabs.search.search_compare import SearchCompareScreen
from tui.tabs.search.search_folds import SearchFoldsScreen, folds_view
from tui.tabs.search.search_leaderboard import SearchLeaderboard, rank_name
from tui.tabs.search.search_new import NewSearchScreen
from tui.widgets.progress_bar import StableProgressBar

WIDE = 150  # from this width on, the highlighted config's folds show beside the table
RESOURCES_EVERY_S = 1.0  # the job's CPU and memory are read at most this often (when the search writes)
METHODS = {"fits": "mode: fit each config", "shared-neighbour": "mode: shared neighbours"}  # the README says more
RESUMABLE = ("interrupted", "cancelled", "failed")  # as `runs resume`: only the missing fits run
OFFERED = ("cancel_search", "resume_search", "cycle_sort", "export_csv", "pick_search", "mark", "compare")  # may change


def run_label(run: Run) -> str:
    return f"#{run.id} {run.params.get('estimator', '?')} {run.data.get('spec', '')} · {run.status}"


class SearchTab(TabBase, Vertical):
    """Follows one search (the newest running one until the user picks another) and shows its leaderboard."""

    BINDINGS = [
        Binding("n", "new_search", "New search", id="search-new"),
        Binding("c", "cancel_search", "Cancel", id="search-cancel"),
        Binding("r", "resume_search", "Resume", id="search-resume"),
        Binding("x", "export_csv", "Export CSV", id="search-export"),
        Binding("s", "cycle_sort", "Sort", id="search-sort"),
        Binding("S", "reverse_sort", "Reverse sort", show=False, id="search-reverse-sort"),
        Binding("p", "pick_search", "Pick a search", show=False, id="search-pick"),
        Binding("m", "mark", "Mark to compare", show=False, id="search-mark"),
        Binding("v", "compare", "Compare", id="search-compare"),
    ]

    clock = staticmethod(time.time)  # the time elapsed and ETA are measured against (tests freeze it)

    @dataclass
    class Updated(Message):
        """The followed search's history, read (posted by its reading worker)."""

        run: Run
        board: Leaderboard
        results: dict
        builder: LeaderboardBuilder

    @dataclass
    class ResourcesRead(Message):
        """The followed search's processes, sampled (None: it has none left)."""

        run_id: int
        resources: Resources | None

    @dataclass
    class Resumed(Message):
        run: Run
        fits_done: int
        fits_total: int

    @dataclass
    class CompareReady(Message):
        a: tuple[str, Leaderboard]
        b: tuple[str, Leaderboard]

    def __init__(self, ctx: TabContext) -> None:
        super().__init__(ctx)
        self.run: Run | None = None
        self._builder: LeaderboardBuilder | None = None  # the followed search's events so far
        self._early: list[Event] = []  # its events that arrived while its history was read
        self.board = Leaderboard()
        self.results: dict = {}
        self.run_id: int | None = None
        self.marked: int | None = None
        self._pinned = False  # the user picked a search: stay on it when others start
        self._seen: set[int] = set()  # search ids the picker has listed
        self._options: list[tuple[str, int]] = []
        self.resources: Resources | None = None  # the followed search's last sample, while it runs
        self._resources_at = float("-inf")  # time.monotonic() the last sample was asked for
        self._offered: tuple[bool | None, ...] = ()  # check_action's answers for OFFERED, as the footer last asked

    def compose(self) -> ComposeResult:
        with Horizontal(id="search-top"):
            yield Select([], prompt="pick a search", compact=True, id="search-runs")
            yield Static(id="search-summary")
        with Horizontal(id="search-pace-row"):
            yield StableProgressBar(show_eta=False, id="search-progress")
            yield Static(id="search-pace")
        yield Static(id="search-best")
        yield Static(id="search-resources")
        with Horizontal(id="search-body"):
            yield SearchLeaderboard(id="search-board")
            yield Static(id="search-detail")

    def on_mount(self) -> None:
        self._runs_changed(list(self.ctx.runs))
        self.set_interval(1.0, self._tick_pace)
        self._refresh_all()

    def on_show(self) -> None:
        self.query_one(SearchLeaderboard).focus()
        self._refresh_pace()  # the seconds that passed while the tab was hidden

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.width >= WIDE, "-wide")

    # -- which search --------------------------------------------------------------------------------------------
    def _runs_changed(self, runs: list[Run]) -> None:
        """Keep the picker in step with the store; follow a search that appears, unless the user picked one."""
        searches = [r for r in runs if r.kind == "search"]
        options = [(run_label(r), r.id) for r in searches]
        ids = [r.id for r in searches]
        if options != self._options:
            select = self.query_one("#search-runs", Select)
            with self.prevent(Select.Changed):
                # the blank choice (the prompt) is only for before there is a search: listed among searches it was an
                # entry that picks nothing. Select takes allow_blank only when made; set_options reads it here.
                select._allow_blank = not options
                select.set_options(options)
                if self.run_id in ids:
                    select.value = self.run_id
            self._options = options
        appeared = [r for r in searches if r.id not in self._seen and r.active]
        self._seen.update(ids)
        if self.run_id not in ids:  # nothing shown yet, or the shown search was deleted
            self._pinned = False
            self._follow(next((r.id for r in searches if r.active), ids[0] if ids else None))
        elif appeared and not self._pinned:
            self._follow(appeared[0].id)  # started since (from the CLI, another app or this tab)
        else:
            current = searches[ids.index(self.run_id)]
            if current.active and self.run is not None and not self.run.active:
                self._follow(current.id)  # resumed since we last looked

    def run_opened(self, run_id: int) -> None:
        """``enter`` on a search in the Training tab: show that search (and stay on it when others start)."""
        if any(r.id == run_id and r.kind == "search" for r in self.ctx.runs):
            self._follow(run_id, pin=True)

    def _follow(self, run_id: int | None, pin: bool = False) -> None:
        """Show search ``run_id`` (None: nothing) and follow it in a thread worker."""
        self._pinned = self._pinned or pin
        if run_id == self.run_id and self.run is not None and self.run.active:
            return  # already following it
        if run_id != self.run_id:
            self.run, self.board, self.results = None, Leaderboard(), {}
            self._builder, self._early = None, []
            self.resources, self._resources_at = None, float("-inf")
            board = self.query_one(SearchLeaderboard)
            board.follow_best = True  # a search opens on its best config
            board.show(self.board)
        self.run_id = run_id
        select = self.query_one("#search-runs", Select)
        if run_id is not None and select.value != run_id and run_id in [v for _, v in self._options]:
            with self.prevent(Select.Changed):
                select.value = run_id
        self._refresh_all()
        if run_id is not None and self.ctx.store is not None:
            self._watch_run(run_id)

    @on(Select.Changed, "#search-runs")
    def _picked(self, event: Select.Changed) -> None:
        if isinstance(event.value, int) and event.value != self.run_id:
            self._follow(event.value, pin=True)
            self.query_one(SearchLeaderboard).focus()

    @work(thread=True, exclusive=True, group="search-follow", exit_on_error=False)
    def _watch_run(self, run_id: int) -> None:
        """Read the search's history once; the app's run watcher brings what it writes next."""
        reader = SearchReader(self.ctx.require_store(), run_id)
        try:
            state = reader.read()
        except StoreError:
            return  # deleted meanwhile: the runs list will drop it
        assert reader.builder is not None
        self.post_message(self.Updated(state.run, state.board, state.results, reader.builder))

    @on(Updated)
    def _updated(self, message: Updated) -> None:
        if message.run.id != self.run_id:
            return
        self._builder = message.builder
        early, self._early = self._early, []
        self._builder.add(e for e in early if e.seq > self._builder.last_seq)
        self.run, self.board, self.results = message.run, self._builder.board(), message.results
        self.query_one(SearchLeaderboard).show(self.board)
        self._refresh_all()

    def runs_updated(self, updates: list[Update]) -> None:
        """The run list keeps the picker current; the followed search's events grow its leaderboard."""
        changed = False
        for update in updates:
            if isinstance(update, RunsListed):
                self._runs_changed(list(update.runs))
            elif isinstance(update, NewEvents) and update.run_id == self.run_id:
                if self._builder is None:  # its history is still being read
                    self._early.extend(update.events)
                else:
                    changed |= self._builder.add(e for e in update.events if e.seq > self._builder.last_seq)
            elif isinstance(update, RunChanged | RunFinished) and update.run.id == self.run_id:
                self.run = update.run
                if isinstance(update, RunFinished):
                    self.results = update.results
                changed = True
                self._sample_resources(update.run)
        if changed and self._builder is not None:
            self.board = self._builder.board()
            self.query_one(SearchLeaderboard).show(self.board)
            self._refresh_all()

    # -- drawing -------------------------------------------------------------------------------------------------
    def _refresh_all(self) -> None:
        self._refresh_summary()
        self._refresh_pace()
        self._refresh_best()
        self._refresh_resources()
        self._refresh_detail()
        self._refresh_keys()

    def _refresh_summary(self) -> None:
        run = self.run
        if run is None:
            self.query_one("#search-summary", Static).update("")
            return
        p = run.params
        configs = f"{len(self.board.rows)} configs × " if self.board.rows else ""
        parts = [f"{configs}cv {p.get('cv', '?')}"]
        if self.board.method:
            parts.append(METHODS.get(self.board.method, f"mode: {self.board.method}"))
        if p.get("backend", "local") != "local":
            parts.append(f"{p['backend']} {p.get('scheduler') or 'local cluster'}")
        text = Text(" · ".join(parts))  # the status is in the picker's label beside it
        if self.marked is not None:
            text.append(f"  ◆ #{self.marked} marked", style="bold magenta")
        self.query_one("#search-summary", Static).update(text)

    def pace(self) -> Pace | None:
        if self.run is None:
            return None
        total = self.board.fits_total or self.run.fits_total
        return Pace(self.board.fits_done, total, self.run.elapsed(self.clock()))

    def _tick_pace(self) -> None:
        """Every second the elapsed time and ETA move, but only on the shown tab: a hidden one would cost the shown
        tab a repaint a second."""
        if self.is_shown:
            self._refresh_pace()

    def _refresh_pace(self) -> None:
        bar = self.query_one(StableProgressBar)
        pace = self.pace()
        self.query_one("#search-pace-row").display = pace is not None
        if pace is None:
            return
        bar.update(total=max(pace.total, 1), progress=pace.done)
        if pace.total == 0:
            self.query_one("#search-pace", Static).update(
                f"starting · {format_duration(pace.elapsed)} elapsed", layout=False
            )
            return
        parts = [f"{pace.done}/{pace.total} fits", f"{format_duration(pace.elapsed)} elapsed"]
        if self.run is not None and self.run.active:
            parts.append(f"ETA {format_duration(pace.eta)}")
        if pace.throughput is not None:
            parts.append(f"{pace.throughput:.1f} fits/s")
        self.query_one("#search-pace", Static).update(" · ".join(parts), layout=False)  # one line, its width fixed

    def _refresh_best(self) -> None:
        self.query_one("#search-best", Static).update(self._best_text())

    def _best_text(self) -> Text:
        run = self.run
        text = self._best_line()
        if run is not None and run.status == "cancelled":
            text.append("  · cancelled, r resumes", style="magenta")
        return text

    def _best_line(self) -> Text:
        run = self.run
        if run is None:
            if self.run_id is None:
                return Text.from_markup(
                    "No searches yet: press [bold]n[/], or run [bold]mnist-explorer search knn --detach[/]"
                )
            return Text("Reading the search…", style="dim")
        if run.status == "failed":
            return Text(f"failed: {run.error or 'see the run log'}", style="red")
        if run.status == "interrupted":
            return Text(f"interrupted: r resumes it (only its missing fits run; CLI: runs resume {run.id})", "magenta")
        final = SearchResults.from_results(self.results)
        if final is not None:
            params = describe(final.best_params)
            text = Text.assemble(("best ", "dim"), (f"{final.best_score:.4f}", "bold green"), f"  {params}")
            text.append_text(Text.assemble(("  · test accuracy ", "dim"), (f"{final.test_accuracy:.4f}", "bold")))
            return text
        best = self.board.best
        if best is None:
            if run.status == "queued":
                return Text("queued: waiting for its process", style="dim")
            if not self.board.rows:
                return Text("loading the data and making the folds…", style="dim")
            return Text("no config has all its folds yet", style="dim")
        label = "best so far " if run.active else "best "
        return Text.assemble((label, "dim"), (fmt_mean(best), "bold green"), f"  {best.params_text()}")

    # -- the job's resources -------------------------------------------------------------------------------------
    def _sample_resources(self, run: Run) -> None:
        """Read the running search's processes in a worker, at most once a second (when the search writes)."""
        if not run.active:
            self.resources = None
            return
        now = time.monotonic()
        if now - self._resources_at >= RESOURCES_EVERY_S:
            self._resources_at = now
            self._read_resources(run, self.resources)

    @work(thread=True, exclusive=True, group="search-resources", exit_on_error=False)
    def _read_resources(self, run: Run, since: Resources | None) -> None:
        self.post_message(self.ResourcesRead(run.id, job_resources(run, since)))

    @on(ResourcesRead)
    def _resources_read(self, message: ResourcesRead) -> None:
        if message.run_id == self.run_id and self.run is not None and self.run.active:
            self.resources = message.resources
            self._refresh_resources()

    def _refresh_resources(self) -> None:
        line = self.query_one("#search-resources", Static)
        res = self.resources if self.run is not None and self.run.active else None
        line.display = res is not None
        if res is not None:
            processes = "process" if res.n_processes == 1 else "processes"
            line.update(
                Text.assemble(
                    ("job ", "dim"),
                    f"CPU {res.cpu_percent:.0f}%",
                    ("  ·  ", "dim"),
                    f"RSS {res.rss_mb:,.0f} MB",
                    ("  ·  ", "dim"),
                    f"{res.n_processes} {processes}",
                    ("  ·  ", "dim"),
                    f"CPU time {format_duration(res.cpu_s)}",
                )
            )

    def _refresh_detail(self) -> None:
        detail = self.query_one("#search-detail", Static)
        row = self.query_one(SearchLeaderboard).current_row()
        if row is None or self.run is None:
            detail.update("")
            return
        detail.update(folds_view(row, self.board))  # its params, rank, mean and each fold

    @on(DataTable.RowHighlighted, "#search-board")
    def _row_highlighted(self) -> None:
        self._refresh_detail()

    @on(DataTable.RowSelected, "#search-board")
    def _row_selected(self) -> None:
        row = self.query_one(SearchLeaderboard).current_row()
        if row is not None and self.run is not None:
            title = f"Search #{self.run.id} · {rank_name(row, self.board)}"
            self.app.push_screen(SearchFoldsScreen(title, row, self.board))

    # -- keys ----------------------------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer only what acts: c while the shown search runs, r once it stopped unfinished, s and x once it has
        configs, p and m once there is a search, v once another search than the marked one is shown; n always."""
        run = self.run
        if action == "cancel_search":
            return run is not None and run.active
        if action == "resume_search":
            return run is not None and run.status in RESUMABLE
        if action in ("cycle_sort", "reverse_sort", "export_csv"):
            return run is not None and bool(self.board.rows)
        if action == "pick_search":
            return bool(self._options)
        if action == "mark":
            return self.run_id is not None
        if action == "compare":
            return self.marked is not None and self.run_id is not None and self.run_id != self.marked
        return True

    def _refresh_keys(self) -> None:
        """Have the footer ask again, only when what it offers changed (a search writes many times a second)."""
        offered = tuple(self.check_action(action, ()) for action in OFFERED)
        if offered != self._offered:
            self._offered = offered
            self.refresh_bindings()

    def action_cycle_sort(self) -> None:
        self.query_one(SearchLeaderboard).cycle_sort()

    def action_reverse_sort(self) -> None:
        self.query_one(SearchLeaderboard).reverse_sort()

    def action_pick_search(self) -> None:
        select = self.query_one("#search-runs", Select)
        select.focus()
        select.action_show_overlay()

    def action_new_search(self) -> None:
        estimator = self.run.params.get("estimator", "knn") if self.run is not None else "knn"
        cv = int(self.run.params.get("cv", 5)) if self.run is not None else 5
        self.app.push_screen(NewSearchScreen(estimator, cv), self._start_search)

    def _start_search(self, params: dict | None) -> None:
        if params is not None:
            self.start_jobs([("search", params)])

    def jobs_started(self, runs: list[Run]) -> None:
        (run,) = runs
        self.notify(
            f"Search #{run.id} started ({run.fits_total or 'its'} fits); it keeps running if the app closes.",
            title="Search started",
        )
        self._follow(run.id, pin=True)

    def action_cancel_search(self) -> None:
        """Cancel the shown search, after asking (its finished fits stay, and `r` resumes the rest)."""
        run = self.run
        if run is None:
            self.notify("No search to cancel.", severity="warning")
        elif not run.active:
            self.notify(f"Search #{run.id} is already {run.status}.", severity="warning")
        else:
            fits = f", {run.fits_done}/{run.fits_total} fits" if run.fits_total else ""
            self.confirm_cancel(
                run.id, f"Cancel search #{run.id} ({run.status}{fits})? Its finished fits stay; r resumes the rest."
            )

    def action_resume_search(self) -> None:
        run = self.run
        if run is None or run.status not in RESUMABLE:
            self.notify("Only an interrupted, cancelled or failed search can be resumed.", severity="warning")
            return
        self._resume(run.id)

    @work(thread=True, group="tab-jobs", exit_on_error=False)
    def _resume(self, run_id: int) -> None:
        """Relaunch the search on the same run, as `runs resume` does: only its missing (config, fold) fits run."""
        try:
            state = read_search(self.ctx.require_store(), run_id)
            run = self.ctx.resume(run_id)
        except ExplorerError as exc:
            self.app.call_from_thread(self.notify, str(exc), title="Cannot resume", severity="error")
            return
        self.post_message(self.Resumed(run, state.fits_done, state.fits_total))

    @on(Resumed)
    def _resumed(self, message: Resumed) -> None:
        run = message.run
        self.notify(f"Search #{run.id} resumed: {message.fits_done} of {message.fits_total} fits already done.")
        self._follow(run.id, pin=True)

    def action_export_csv(self) -> None:
        if self.run is None:  # offered only with configs to export (check_action)
            return
        name = f"search-{self.run.id}.csv"
        text = to_csv(self.board)
        folders = [Path.cwd()] + ([self.ctx.store.path.parent] if self.ctx.store is not None else [])
        for folder in folders:
            try:
                (folder / name).write_text(text)
            except OSError:
                continue
            self.notify(f"{len(self.board.rows)} configs written to {(folder / name).resolve()}", title="Exported CSV")
            return
        self.notify(f"Could not write {name} in {' or '.join(map(str, folders))}", severity="error")

    def action_mark(self) -> None:
        if self.marked == self.run_id:
            self.marked = None
            self.notify(f"Search #{self.run_id} unmarked.")
        else:
            self.marked = self.run_id
            self.notify(f"Search #{self.run_id} marked: pick another search (p) and press v to compare.")
        self._refresh_summary()
        self._refresh_keys()

    def action_compare(self) -> None:
        if self.marked is not None and self.run_id is not None:  # offered only with another search shown
            self._load_compare(self.marked, self.run_id)

    @work(thread=True, exclusive=True, group="search-compare", exit_on_error=False)
    def _load_compare(self, a_id: int, b_id: int) -> None:
        sides = []
        for run_id in (a_id, b_id):
            state = read_search(self.ctx.require_store(), run_id)
            sides.append((run_label(state.run), state.board))
        self.post_message(self.CompareReady(sides[0], sides[1]))

    @on(CompareReady)
    def _compare_ready(self, message: CompareReady) -> None:
        self.app.push_screen(SearchCompareScreen(message.a, message.b))
