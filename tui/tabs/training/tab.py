"""The Training tab: every run in the store, and the selected run followed live.

On top, the runs of every kind (``n`` starts a detector run, ``c`` cancels, ``d`` deletes, ``enter`` opens the tab
that shows a run's results). Below, the selected run: its progress bar, elapsed time and ETA, what its processes
use, fold scores as they arrive, its log; a done detector run's report (CV accuracy vs the dummy baseline, confusion
matrix, precision, recall, F1, both ROC AUCs) with the learning curve of the same class drawn point by point; a
search's best config and the top of its leaderboard. All reads happen in thread workers; a run's events are read
incrementally (``store.events(run_id, after=last_seq)``) and then taken from the app's watcher as they come.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from rich.console import Group
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Static

from engine.errors import StoreError
from engine.follow import NewEvents, RunChanged, RunFinished, RunsListed, Update
from engine.leaderboard import LeaderboardBuilder
from engine.models.learning_curve import DEFAULT_EPOCHS
from engine.render.binary import BinaryReport
from engine.render.leaderboard import LeaderboardView
from engine.render.results import format_resources
from engine.render.status import describe_params
from engine.resources import Resources, job_resources
from engine.results import BinaryResults
from engine.search.grid import describe
from engine.search.state import SearchState
from engine.store import Event, Run
from tui.context import TabContext
from tui.tab_base import TabBase
from tui.tabs.training.learning_curve_plot import LearningCurvePlot
from tui.tabs.training.run_dialogs import NewRunChoice, NewRunDialog
from tui.tabs.training.run_list import RunList, RunTimes, status_text
from tui.widgets.confirm import ConfirmDialog
from tui.widgets.progress_bar import StableProgressBar

if TYPE_CHECKING:
    from tui.app import MnistExplorerApp

LOG_LINES = 6
TICK_S = 1.0  # a running run's elapsed time and ETA move this often
READ_RUNS_KEPT = 32  # what was read of this many recently selected runs is kept: selecting one again shows it at once
CURVE_REDRAW_S = 1.0  # the growing learning curve is redrawn at most this often
RESOURCES_EVERY_S = 1.0  # a running job's processes are measured at most this often (as its updates arrive)
WIDE = 110  # from this width the report and the learning curve sit side by side
SEARCH_TOP_ROWS = 5
NO_RUNS = "No runs yet — press [bold]n[/] to start a detector run."
MODEL_NAMES = {"sgd": "SGD", "rf": "RandomForest"}
RESULTS_TAB = {  # the tab that shows a run's results (enter)
    "binary": "threshold",
    "search": "search",
    "multiclass": "errors",
    "multilabel": "more",
    "denoise": "more",
    "augment": "more",
}
WITH_RESULTS = ("binary", "search")  # the kinds whose details show their results, read once they are done


@dataclass
class RunRead(Message):
    """A thread worker read a run's state, its new events and (once it finished) its results."""

    run: Run | None  # None: the run was deleted meanwhile
    events: list[Event]
    results: dict | None
    curve_run: Run | None
    curve_events: list[Event]


@dataclass
class ResourcesRead(Message):
    """A thread worker measured a running job's processes (None: it has none, or there is no /proc)."""

    run_id: int
    resources: Resources | None


@dataclass
class _Followed:
    """What the detail view has read so far of the selected run (and of its learning curve run)."""

    run_id: int
    run: Run | None = None
    seq: int = 0
    folds: dict[str, list[float]] = field(default_factory=dict)
    log: deque = field(default_factory=lambda: deque(maxlen=LOG_LINES))
    results: dict | None = None
    board: LeaderboardBuilder | None = None  # a search's leaderboard, from its grid and fit events
    curve_id: int | None = None
    curve_run: Run | None = None
    curve_seq: int = 0
    curve: tuple[list[int], list[float], list[float]] = field(default_factory=lambda: ([], [], []))
    resources: Resources | None = None
    resources_at: float = float("-inf")

    @property
    def settled(self) -> bool:
        """Nothing more will change: the run (and its curve run) finished and everything was read."""
        run_done = (
            self.run is not None
            and not self.run.active
            and (self.results is not None or self.run.kind not in WITH_RESULTS)
        )
        curve_done = self.curve_id is None or (self.curve_run is not None and not self.curve_run.active)
        return run_done and curve_done


class TrainingTab(TabBase, Vertical):
    """Runs on top, the selected run live below (``l``: its learning curve instead, under 110 columns)."""

    BINDINGS = [
        Binding("n", "new_run", "New run", id="training-new"),
        Binding("c", "cancel_run", "Cancel", id="training-cancel"),
        Binding("d", "delete_run", "Delete", id="training-delete"),
        Binding("l", "toggle_curve", "Curve", id="training-curve"),
    ]

    def __init__(self, ctx: TabContext) -> None:
        super().__init__(ctx)
        self._live: list[Event] = []  # the followed runs' events that arrived while their history was read
        self._followed: _Followed | None = None
        self._read_runs: OrderedDict[int, _Followed] = OrderedDict()
        self._shown: dict[str, object] = {}
        self._curve_drawn: tuple | None = None
        self._curve_drawn_at = 0.0
        self._reading: int | None = None  # the run whose history a thread worker is reading
        self._select_next: int | None = None
        self.curve_only = False  # narrow terminals: the lower half shows the learning curve instead of the details
        self._keys: tuple = ()  # what decides the keys offered (check_action), as the footer last got it

    def compose(self) -> ComposeResult:
        yield RunList(id="training-runs")
        with VerticalScroll(id="training-detail"):
            yield Static(NO_RUNS, id="training-title")
            with Horizontal(id="training-progress-row"):
                yield StableProgressBar(id="training-progress", show_eta=False, show_percentage=False)
                yield Static(id="training-times")
            yield Static(id="training-resources")
            yield Static(id="training-error")
            with Horizontal(id="training-results"):
                with Vertical(id="training-summary"):
                    yield Static(id="training-folds")
                    yield Static(id="training-report")
                with Vertical(id="training-curve-box"):
                    yield Static(id="training-curve-title")
                    yield LearningCurvePlot(id="training-curve")
            with Vertical(id="training-log-box"):
                yield Static(id="training-log")

    def on_mount(self) -> None:
        self._runs_changed(list(self.ctx.runs))
        self.set_interval(TICK_S, self._tick)
        self._show_run_widgets(False)

    def on_resize(self) -> None:
        wide = self.size.width >= WIDE
        if wide != self.has_class("-wide"):
            self.set_class(wide, "-wide")
            self._apply_curve_only()
            self.refresh_bindings()  # `l` only where the curve does not sit beside the details
            self._shown.pop("#training-report", None)  # a search's table shows its folds only when wide
            self._render_run()

    # -- the list of runs --------------------------------------------------------------------------------------
    def runs_updated(self, updates: list[Update]) -> None:
        """The run list, and the followed run's (and its learning curve's) new state, events and results."""
        changed = False
        for update in updates:
            if isinstance(update, RunsListed):
                self._runs_changed(list(update.runs))
                continue
            followed = self._followed
            if followed is None:
                continue
            if isinstance(update, NewEvents) and update.run_id in (followed.run_id, followed.curve_id):
                if self._reading is not None:  # its history is being read: these go after it
                    self._live.extend(update.events)
                else:
                    changed |= self._take_events(followed, update.run_id, update.events)
            elif isinstance(update, RunChanged | RunFinished):
                run = update.run
                if run.id == followed.run_id:
                    followed.run = run
                    if isinstance(update, RunFinished) and run.kind in WITH_RESULTS:
                        followed.results = update.results
                    self._measure(followed)
                    changed = True
                if run.id == followed.curve_id:
                    followed.curve_run, changed = run, True
        if changed:
            self._render_run()

    def _runs_changed(self, runs: list[Run]) -> None:
        run_list = self.query_one(RunList)
        select = self._select_next if any(r.id == self._select_next for r in runs) else None
        run_list.show_runs(runs, select=select)
        for gone in self._read_runs.keys() - {r.id for r in runs}:
            del self._read_runs[gone]
        if select is not None:
            self._select_next = None
        self._follow(run_list.selected_id)
        followed = self._followed
        if followed is not None and followed.run is not None:
            curve = self._curve_run_for(followed.run)
            if (curve.id if curve is not None else None) != followed.curve_id:  # a learning curve run appeared
                self._read_detail()

    @on(DataTable.RowHighlighted, "#training-runs")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._follow(int(event.row_key.value) if event.row_key.value is not None else None)

    @on(DataTable.RowSelected, "#training-runs")
    def _selected_row(self, event: DataTable.RowSelected) -> None:
        """``enter``: the tab that shows the run's results, told which run to show."""
        run = self.query_one(RunList).run(int(event.row_key.value)) if event.row_key.value is not None else None
        if run is None:
            return
        tab_id = RESULTS_TAB.get(run.kind)
        if tab_id is None:
            what = "the learning curve" if run.kind == "learning_curve" else "everything it reports"
            self.notify(f"{run.kind} run {run.id}: {what} shows here", timeout=4)
            return
        self.ctx.open_run(tab_id, run.id)
        cast("MnistExplorerApp", self.app).action_show_tab(tab_id)

    def _tick(self) -> None:
        self.query_one(RunList).tick()
        followed = self._followed
        if followed is not None and followed.run is not None and followed.run.active:
            self._show_times(followed.run)

    # -- following the selected run ----------------------------------------------------------------------------
    def _follow(self, run_id: int | None) -> None:
        self._refresh_keys()
        if run_id is None:
            self._followed = None
            self._show_run_widgets(False)
            self._set("#training-title", NO_RUNS)
            return
        listed = self.query_one(RunList).run(run_id)  # at most a poll old
        if self._followed is not None and self._followed.run_id == run_id:
            if listed is not None and self._followed.run != listed and not _older(listed, self._followed.run):
                self._followed.run = listed  # it changed while the tab was hidden
                self._render_run()
            return
        followed = self._read_runs.get(run_id) or _Followed(run_id)
        if listed is not None and not _older(listed, followed.run):
            followed.run = listed
        self._read_runs[run_id] = self._followed = followed
        self._read_runs.move_to_end(run_id)
        if len(self._read_runs) > READ_RUNS_KEPT:
            self._read_runs.popitem(last=False)
        # the moved selection is painted first (a cheap frame); the details, which re-lay out the view, next
        self.call_after_refresh(self._show_followed, self._followed)

    def _show_followed(self, followed: _Followed) -> None:
        if followed is not self._followed:  # the selection moved on meanwhile
            return
        self._show_run_widgets(True)
        self.query_one("#training-detail", VerticalScroll).scroll_home(animate=False)  # the new run's header first
        self._render_run()
        self._read_detail()
        self._measure(followed, now=True)

    def _curve_run_for(self, run: Run) -> Run | None:
        """The learning curve shown beside ``run``: itself, or the newest curve run of the same class and data."""
        if run.kind == "learning_curve":
            return run
        if run.kind != "binary":
            return None
        for other in self.ctx.runs:
            if (
                other.kind == "learning_curve"
                and other.params.get("digit") == run.params.get("digit")
                and other.data == run.data
            ):
                return other
        return None

    def _read_detail(self) -> None:
        followed = self._followed
        if followed is None or self.ctx.store is None or self._reading is not None:
            return
        run = followed.run or self.query_one(RunList).run(followed.run_id)
        curve = self._curve_run_for(run) if run is not None else None
        curve_id = curve.id if curve is not None else None
        if curve_id != followed.curve_id:
            followed.curve_id, followed.curve_run, followed.curve_seq = curve_id, None, 0
            followed.curve = ([], [], [])
        elif followed.settled:
            return
        want_results = followed.results is None and run is not None and run.kind in WITH_RESULTS
        self._reading = followed.run_id
        self._read(followed.run_id, followed.seq, want_results, followed.curve_id, followed.curve_seq)

    @work(thread=True, exclusive=True, group="training-detail", exit_on_error=False)
    def _read(self, run_id: int, after: int, want_results: bool, curve_id: int | None, curve_after: int) -> None:
        store = self.ctx.require_store()
        try:
            run = store.get_run(run_id)
            events = store.events(run_id, after=after)
            results = store.results(run_id, arrays=False) if want_results and not run.active else None
            curve_run, curve_events = None, []
            if curve_id is not None and curve_id != run_id:
                curve_run = store.get_run(curve_id)
                curve_events = store.events(curve_id, after=curve_after, kind="epoch")
        except StoreError:  # deleted meanwhile: the runs list drops it
            self.post_message(RunRead(None, [], None, None, []))
            return
        self.post_message(RunRead(run, events, results, curve_run, curve_events))

    @on(RunRead)
    def _run_read(self, message: RunRead) -> None:
        self._reading = None
        followed = self._followed
        if followed is None or message.run is None or message.run.id != followed.run_id:
            self._live.clear()
            self._read_detail()  # the selection moved on while this was read: read the one selected now
            return
        if not _older(message.run, followed.run):  # the watcher may have seen it finish after this read
            followed.run = message.run
        self._take_events(followed, followed.run_id, message.events)
        if message.results is not None and not message.run.active:
            followed.results = message.results
        if message.curve_run is not None and message.curve_run.id == followed.curve_id:
            if not _older(message.curve_run, followed.curve_run):
                followed.curve_run = message.curve_run
            self._take_events(followed, message.curve_run.id, message.curve_events)
        elif followed.curve_id == followed.run_id:
            followed.curve_run = followed.run
        live, self._live = self._live, []
        for run_id in (followed.run_id, followed.curve_id):
            self._take_events(followed, run_id, [e for e in live if e.run_id == run_id])
        if followed.run is not None and not followed.run.active and followed.results is None:
            self._read_detail()  # it finished while this was read: its results are what is left
        self._render_run()

    def _take_events(self, followed: _Followed, run_id: int | None, events) -> bool:
        """Apply the events of the followed run (or of its curve run) not seen yet; True if any were new."""
        new = False
        for event in events:
            if run_id == followed.run_id and event.seq > followed.seq:
                followed.seq = event.seq
                self._take_event(followed, event, own=True)
                new = True
                if followed.curve_id == followed.run_id:
                    followed.curve_seq = event.seq
            elif run_id == followed.curve_id and run_id != followed.run_id and event.seq > followed.curve_seq:
                followed.curve_seq = event.seq
                if event.kind == "epoch":
                    self._take_event(followed, event, own=False)
                    new = True
        return new

    @staticmethod
    def _take_event(followed: _Followed, event: Event, own: bool) -> None:
        p = event.payload
        if event.kind == "epoch":
            epochs, train, val = followed.curve
            epochs.append(int(p["epoch"]))
            train.append(float(p["train_accuracy"]))
            val.append(float(p["val_accuracy"]))
        elif own and event.kind == "fold":
            followed.folds.setdefault(str(p.get("model", "")), []).append(float(p["accuracy"]))
        elif own and event.kind == "log":
            followed.log.append(str(p.get("message", "")))
        elif own and event.kind in ("grid", "fit") and followed.run is not None and followed.run.kind == "search":
            if followed.board is None:
                followed.board = LeaderboardBuilder(followed.run.params.get("estimator"))
            followed.board.add([event])

    # -- what the job's processes use --------------------------------------------------------------------------
    def _measure(self, followed: _Followed, now: bool = False) -> None:
        """Measure the followed run's processes in a thread worker: as its updates arrive, at most once a second."""
        run = followed.run
        if run is None or not run.active:
            return
        if not now and time.monotonic() - followed.resources_at < RESOURCES_EVERY_S:
            return
        followed.resources_at = time.monotonic()
        self._read_resources(run, followed.resources)

    @work(thread=True, exclusive=True, group="training-resources", exit_on_error=False)
    def _read_resources(self, run: Run, since: Resources | None) -> None:
        try:
            self.post_message(ResourcesRead(run.id, job_resources(run, since)))
        except OSError:  # /proc changed under it: the next update measures again
            self.post_message(ResourcesRead(run.id, since))

    @on(ResourcesRead)
    def _resources_read(self, message: ResourcesRead) -> None:
        followed = self._followed
        if followed is not None and followed.run_id == message.run_id:
            followed.resources = message.resources
            self._show_resources(followed)

    def _show_resources(self, followed: _Followed) -> None:
        run = followed.run
        text = ""
        if run is not None and run.active and followed.resources is not None:
            r = followed.resources
            processes = f"{r.n_processes} process" + ("es" if r.n_processes != 1 else "")
            text = f"now {r.rss_mb:,.0f} MB RSS · {r.cpu_percent:.0f}% CPU · {processes}"
        elif run is not None and not run.active:
            text = format_resources(run.peak_rss_mb, run.cpu_s)
        self._set("#training-resources", Text(text, style="dim") if text else "")

    # -- drawing -----------------------------------------------------------------------------------------------
    def _show_run_widgets(self, visible: bool) -> None:
        for selector in ("#training-progress-row", "#training-results"):
            self.query_one(selector).display = visible

    def _set(self, selector: str, content, key: object = None, fixed: bool = False) -> None:
        """Update a Static, hiding it while it has nothing to say (so its margin goes too).

        ``key`` identifies the content (default: its text); an unchanged key costs nothing. ``fixed``: the
        widget's size does not depend on its content, so a visible one is repainted without a new layout
        (a layout of the whole screen is the costliest step of a frame, and a running job updates often).
        """
        key = (str(content), type(content).__name__) if key is None else key
        if self._shown.get(selector) == key:
            return
        self._shown[selector] = key
        widget = self.query_one(selector, Static)
        widget.update(content, layout=not (fixed and widget.display and bool(content)))
        widget.display = bool(content)

    def _render_run(self) -> None:
        followed = self._followed
        if followed is None or followed.run is None:
            return
        run = followed.run
        title = Text.assemble(
            (f"run {run.id} ", "bold"),
            status_text(run),
            f" · {run.kind} {describe_params(run.params)} · {run.data.get('spec', '')}",
            no_wrap=True,
            overflow="ellipsis",
        )
        self._set("#training-title", title, fixed=True)
        self._show_bar(run)
        self._show_times(run)
        self._show_resources(followed)
        self._set("#training-error", Text(run.error, style="bold red") if run.error else "")
        folds = Text()
        for model, scores in followed.folds.items():
            folds.append(f"{MODEL_NAMES.get(model, model)} folds ", style="bold")
            folds.append("  ".join(f"{s:.4f}" for s in scores) + "\n")
        folds.rstrip()
        self._set("#training-folds", folds)
        if run.kind == "binary" and followed.results:
            self._set(
                "#training-report",
                BinaryReport(BinaryResults.from_results(followed.results), self._class_label(run)),
                key=("report", run.id, self._class_label(run)),
            )
        elif run.kind == "binary" and run.active:
            self._set("#training-report", Text("the report appears when the run is done", style="dim"))
        elif run.kind == "search":
            board = followed.board.board() if followed.board is not None else None
            key = ("search", run.id, board and board.fits_done, run.status, bool(followed.results), self._wide)
            self._set("#training-report", self._search_report(followed), key=key)
        else:
            self._set("#training-report", "")
        self._draw_curve(followed)
        log = Text("log\n", style="bold")
        log.append("\n".join(followed.log), style="")
        self._set("#training-log", log if followed.log else "", fixed=True)

    def _show_bar(self, run: Run) -> None:
        """Steps done of the total; an ended run's bar stands still (full when done, else where it stopped)."""
        bar = self.query_one("#training-progress", StableProgressBar)
        if run.active:
            total: float | None = run.fits_total or None
            progress = run.fits_done
        else:
            total = max(run.fits_total, run.fits_done, 1)
            progress = total if run.status == "done" else run.fits_done
        if (bar.total, bar.progress) != (total, progress):
            bar.update(total=total, progress=progress)

    def _show_times(self, run: Run) -> None:
        unit = "fits" if run.kind == "search" else "steps"
        steps = f"{run.fits_done}/{run.fits_total} {unit}" if run.fits_total else ""
        now = self.query_one(RunList).now  # the list's clock: both show the same time
        if run.active:
            parts = [steps or "starting", f"{RunTimes.elapsed(run, now)} elapsed"]
            eta = RunTimes.eta(run, now)
            if eta is not None:
                parts.append(f"ETA {eta}")
        else:  # fixed: an ended run's time runs from its start to run.finished
            elapsed = RunTimes.elapsed(run, now)
            took = f"in {elapsed}" if run.status == "done" else f"after {elapsed}"
            parts = [f"{run.status} {took}", *([steps] if steps else [])]
        self._set("#training-times", " · ".join(parts), fixed=True)

    @property
    def _wide(self) -> bool:
        return self.has_class("-wide")  # a search's table shows each fold's score only then

    def _search_report(self, followed: _Followed) -> Group | Text:
        """A search's best config (with its test accuracy once done) and the top rows of its leaderboard."""
        run = followed.run
        assert run is not None
        if followed.board is None:
            return Text("waiting for the search's grid…", style="dim") if run.active else Text("no fits recorded")
        state = SearchState(run, followed.board.board(), followed.results or {})
        view = LeaderboardView(state, folds=self._wide)
        best = view.footer()
        if best is None and state.board.best is not None:
            row = state.board.best
            best = Text.assemble(("best so far ", "bold"), describe(row.params), f" · mean {row.mean:.4f}")
        fits = Text(f"{state.fits_done:,} of {state.fits_total:,} fits done", style="dim")
        hint = Text("enter opens the Search tab with every config and fold", style="dim")
        return Group(*([best] if best is not None else []), fits, view.table(SEARCH_TOP_ROWS), hint)

    def _draw_curve(self, followed: _Followed) -> None:
        plot = self.query_one("#training-curve", LearningCurvePlot)
        box = self.query_one("#training-curve-box")
        box.display = followed.run is not None and followed.run.kind in ("binary", "learning_curve")
        self.set_class(not box.display, "-no-curve")  # the details take the whole width
        if followed.curve_id is None:
            self._set(
                "#training-curve-title", Text("no learning curve of this class yet: n starts one with it", style="dim")
            )
            plot.display = False
            return
        curve_run = followed.curve_run
        if curve_run is None:
            return
        plot.display = True
        total = int(curve_run.params.get("epochs", DEFAULT_EPOCHS))
        epochs, train, val = followed.curve
        title = Text.assemble(
            ("Accuracy per epoch", "bold"),
            f" · run {curve_run.id} · {len(epochs)}/{total} · ",
            ("train", "cyan"),
            " / ",
            ("validation", "magenta"),
        )
        self._set("#training-curve-title", title, fixed=True)
        # each redraw is a frame: only for new points, at most once a second while the curve grows; the last point
        # is always drawn
        now = time.monotonic()
        if self._curve_drawn != (curve_run.id, len(epochs)) and (
            not curve_run.active or now - self._curve_drawn_at >= CURVE_REDRAW_S
        ):
            self._curve_drawn, self._curve_drawn_at = (curve_run.id, len(epochs)), now
            plot.show_points(epochs, train, val, total)

    def _class_label(self, run: Run) -> str:
        digit = int(run.params.get("digit", 5))
        ds = self.ctx.dataset
        if ds is not None and run.data == self.ctx.data_spec.to_dict() and digit < ds.n_classes:
            return ds.class_names[digit]
        return str(digit)

    def _apply_curve_only(self) -> None:
        self.set_class(self.curve_only and not self.has_class("-wide"), "-curve-only")

    # -- keys --------------------------------------------------------------------------------------------------
    def _key_state(self) -> tuple[bool, bool | None, bool]:
        """Any run listed; the selected run active (None: none selected); l can show or leave a learning curve."""
        run = self._selected()
        curve = self.curve_only or (run is not None and run.kind in ("binary", "learning_curve"))
        return bool(self.query_one(RunList).row_count), None if run is None else run.active, curve

    def _refresh_keys(self) -> None:
        """Tell the footer when what decides its keys changed: a selection or a run's state, not every move."""
        state = self._key_state()
        if state != self._keys:
            self._keys = state
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer only what works: c on a running run, d on an ended one, l under 110 columns on a run with a
        learning curve (or to leave it)."""
        _, active, curve = self._key_state()
        if action == "cancel_run":
            return active is True
        if action == "delete_run":
            return active is False
        if action == "toggle_curve":  # wide: the curve is beside the details already
            return not self.has_class("-wide") and curve
        return True

    def action_toggle_curve(self) -> None:
        followed = self._followed
        run = followed.run if followed is not None else None
        if not self.curve_only and (run is None or run.kind not in ("binary", "learning_curve")):
            what = f"a {run.kind} run" if run is not None else "no run"
            self.notify(f"{what} has no learning curve: select a detector or learning-curve run", timeout=4)
            return
        self.curve_only = not self.curve_only
        self._apply_curve_only()
        self._refresh_keys()  # leaving the curve of a run that has none: l is no longer offered

    def action_new_run(self) -> None:
        if self.ctx.dataset is None:
            self.notify("the data is still loading; try again in a moment", severity="warning")
            return
        self.app.push_screen(NewRunDialog(self.ctx.dataset.class_names), self._start)

    def _start(self, choice: NewRunChoice | None) -> None:
        if choice is None:
            return
        jobs = [("binary", {"digit": choice.digit})]
        if choice.learning_curve:
            jobs.append(("learning_curve", {"digit": choice.digit, "epochs": DEFAULT_EPOCHS}))
        self.start_jobs(jobs)

    def jobs_started(self, runs: list[Run]) -> None:
        run_list = self.query_one(RunList)
        if run_list.run(runs[0].id) is not None:  # already listed (the watcher was quicker): select it now
            run_list.show_runs(list(self.ctx.runs), select=runs[0].id)
            self._follow(run_list.selected_id)
        else:
            self._select_next = runs[0].id
        self.notify(f"started run {', '.join(str(r.id) for r in runs)}", timeout=3)

    def _selected(self) -> Run | None:
        run_list = self.query_one(RunList)
        return run_list.run(run_list.selected_id) if run_list.selected_id is not None else None

    def action_cancel_run(self) -> None:
        """Cancel the selected running run, after asking: what it has not finished is lost."""
        run = self._selected()
        if run is None:
            return
        if not run.active:
            self.notify(f"run {run.id} is already {run.status}", severity="warning")
            return
        steps = f", {run.fits_done}/{run.fits_total} steps" if run.fits_total else ""
        question = (
            f"Cancel run {run.id} ({run.kind} {describe_params(run.params)}, {run.status}{steps})? "
            "What it has not finished is lost."
        )
        self.confirm_cancel(run.id, question)

    def action_delete_run(self) -> None:
        run = self._selected()
        if run is None:
            return
        if run.active:
            self.notify(f"run {run.id} is {run.status}; cancel it first (c)", severity="warning")
            return
        question = f"Delete run {run.id} ({run.kind} {describe_params(run.params)}, {run.status}) and its results?"

        def answered(yes: bool | None) -> None:
            if yes:
                self.delete_run(run.id)

        self.app.push_screen(ConfirmDialog(question), answered)


def _older(new: Run, known: Run | None) -> bool:
    """Whether ``new`` is an earlier state than ``known`` of the same run: read while it was still active, before
    the watcher saw it end. (A resumed run is active again too, but its requeueing is a sign of life after its end.)"""
    if known is None or known.active or not new.active:
        return False
    return (new.heartbeat or 0.0) <= (known.finished or 0.0)
