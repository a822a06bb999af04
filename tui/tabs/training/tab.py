"""The Training tab: every run in the store, and the selected run followed live.

Left, the runs of every kind (``n`` starts a detector run, ``c`` cancels, ``d`` deletes). Right, the selected run:
its progress bar, elapsed time and ETA, fold scores as they arrive, its log, and when a detector run is done its
report (CV accuracy vs the dummy baseline, confusion matrix, precision, recall, F1, both ROC AUCs) with the learning
curve of the same class drawn point by point. All reads happen in thread workers; a run's events are read
incrementally (``store.events(run_id, after=last_seq)``).
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, ProgressBar, Static

from engine.errors import StoreError
from engine.follow import NewEvents, RunChanged, RunFinished, RunsListed, Update
from engine.models.learning_curve import DEFAULT_EPOCHS
from engine.render.binary import BinaryReport
from engine.render.status import describe_params
from engine.results import BinaryResults
from engine.store import Event, Run
from tui.context import TabContext
from tui.tab_base import TabBase
from tui.tabs.training.learning_curve_plot import LearningCurvePlot
from tui.tabs.training.run_dialogs import ConfirmDialog, NewRunChoice, NewRunDialog
from tui.tabs.training.run_list import RunList, RunTimes, status_text

LOG_LINES = 6
READ_RUNS_KEPT = 32  # what was read of this many recently selected runs is kept: selecting one again shows it at once
CURVE_REDRAW_S = 1.0  # the growing learning curve is redrawn at most this often
WIDE = 110  # from this width the report and the learning curve sit side by side
NO_RUNS = "No runs yet — press [bold]n[/] to start a detector run."
MODEL_NAMES = {"sgd": "SGD", "rf": "RandomForest"}


@dataclass
class RunRead(Message):
    """A thread worker read a run's state, its new events and (once it finished) its results."""

    run: Run | None  # None: the run was deleted meanwhile
    events: list[Event]
    results: dict | None
    curve_run: Run | None
    curve_events: list[Event]


@dataclass
class _Followed:
    """What the detail view has read so far of the selected run (and of its learning curve run)."""

    run_id: int
    run: Run | None = None
    seq: int = 0
    folds: dict[str, list[float]] = field(default_factory=dict)
    log: deque = field(default_factory=lambda: deque(maxlen=LOG_LINES))
    results: dict | None = None
    curve_id: int | None = None
    curve_run: Run | None = None
    curve_seq: int = 0
    curve: tuple[list[int], list[float], list[float]] = field(default_factory=lambda: ([], [], []))

    @property
    def settled(self) -> bool:
        """Nothing more will change: the run (and its curve run) finished and everything was read."""
        run_done = (
            self.run is not None and not self.run.active and (self.results is not None or self.run.kind != "binary")
        )
        curve_done = self.curve_id is None or (self.curve_run is not None and not self.curve_run.active)
        return run_done and curve_done


class TrainingTab(TabBase, Vertical):
    """Runs on the left, the selected run live on the right."""

    BINDINGS = [
        Binding("n", "new_run", "New run", id="training-new"),
        Binding("c", "cancel_run", "Cancel run", id="training-cancel"),
        Binding("d", "delete_run", "Delete run", id="training-delete"),
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

    def compose(self) -> ComposeResult:
        yield RunList(id="training-runs")
        with VerticalScroll(id="training-detail"):
            yield Static(NO_RUNS, id="training-title")
            with Horizontal(id="training-progress-row"):
                yield ProgressBar(id="training-progress", show_eta=False, show_percentage=False)
                yield Static(id="training-times")
            yield Static(id="training-error")
            with Horizontal(id="training-results"):
                with Vertical(id="training-summary"):
                    yield Static(id="training-folds")
                    yield Static(id="training-report")
                with Vertical(id="training-curve-box"):
                    yield Static(id="training-curve-title")
                    yield LearningCurvePlot(id="training-curve")
            yield Static(id="training-log")

    def on_mount(self) -> None:
        self._runs_changed(list(self.ctx.runs))
        self.set_interval(1.0, self._tick)
        self._show_run_widgets(False)

    def on_resize(self) -> None:
        self.set_class(self.size.width >= WIDE, "-wide")

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
                    if isinstance(update, RunFinished) and run.kind == "binary":
                        followed.results = update.results
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

    def _tick(self) -> None:
        self.query_one(RunList).tick()
        if self._followed is not None and self._followed.run is not None:
            self._show_times(self._followed.run)

    # -- following the selected run ----------------------------------------------------------------------------
    def _follow(self, run_id: int | None) -> None:
        if run_id is None:
            self._followed = None
            self._show_run_widgets(False)
            self._set("#training-title", NO_RUNS)
            return
        if self._followed is not None and self._followed.run_id == run_id:
            return
        followed = self._read_runs.get(run_id) or _Followed(run_id)
        followed.run = self.query_one(RunList).run(run_id) or followed.run  # the list's is at most a poll old
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
        self._render_run()
        self._read_detail()

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
        want_results = followed.results is None and run is not None and run.kind == "binary"  # the only report
        self._reading = followed.run_id
        self._read(followed.run_id, followed.seq, want_results, followed.curve_id, followed.curve_seq)

    @work(thread=True, exclusive=True, group="training-detail", exit_on_error=False)
    def _read(self, run_id: int, after: int, want_results: bool, curve_id: int | None, curve_after: int) -> None:
        store = self.ctx.require_store()
        try:
            run = store.get_run(run_id)
            events = store.events(run_id, after=after)
            results = store.results(run_id, arrays=False) if want_results and not run.active else None
            curve_run = store.get_run(curve_id) if curve_id is not None and curve_id != run_id else None
            curve_events = store.events(curve_id, after=curve_after, kind="epoch") if curve_run is not None else []
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
        followed.run = message.run
        self._take_events(followed, followed.run_id, message.events)
        if message.results is not None and not message.run.active:
            followed.results = message.results
        if message.curve_run is not None and message.curve_run.id == followed.curve_id:
            followed.curve_run = message.curve_run
            self._take_events(followed, message.curve_run.id, message.curve_events)
        elif followed.curve_id == followed.run_id:
            followed.curve_run = message.run
        live, self._live = self._live, []
        for run_id in (followed.run_id, followed.curve_id):
            self._take_events(followed, run_id, [e for e in live if e.run_id == run_id])
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
        bar = self.query_one("#training-progress", ProgressBar)
        if (bar.total, bar.progress) != (run.fits_total or None, run.fits_done):
            bar.update(total=run.fits_total or None, progress=run.fits_done)
        self._show_times(run)
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
        else:
            self._set("#training-report", "")
        self._draw_curve(followed)
        log = Text("log\n", style="bold")
        log.append("\n".join(followed.log), style="")
        self._set("#training-log", log if followed.log else "", fixed=True)

    def _show_times(self, run: Run) -> None:
        parts = [
            f"{run.fits_done}/{run.fits_total} steps" if run.fits_total else "starting",
            f"{RunTimes.elapsed(run)} elapsed",
        ]
        eta = RunTimes.eta(run)
        if eta is not None:
            parts.append(f"ETA {eta}")
        self._set("#training-times", " · ".join(parts), fixed=True)

    def _draw_curve(self, followed: _Followed) -> None:
        plot = self.query_one("#training-curve", LearningCurvePlot)
        box = self.query_one("#training-curve-box")
        box.display = followed.run is not None and followed.run.kind in ("binary", "learning_curve")
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

    # -- keys --------------------------------------------------------------------------------------------------
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
        self._select_next = runs[0].id
        self.notify(f"started run {', '.join(str(r.id) for r in runs)}", timeout=3)

    def _selected(self) -> Run | None:
        run_list = self.query_one(RunList)
        return run_list.run(run_list.selected_id) if run_list.selected_id is not None else None

    def action_cancel_run(self) -> None:
        run = self._selected()
        if run is None:
            return
        if not run.active:
            self.notify(f"run {run.id} is already {run.status}", severity="warning")
            return
        self.cancel_job(run.id)

    def action_delete_run(self) -> None:
        run = self._selected()
        if run is None:
            return
        if run.active:
            self.notify(f"run {run.id} is {run.status}; cancel it first (c)", severity="warning")
            return
        question = f"Delete run {run.id} ({run.kind} {describe_params(run.params)}, {run.status}) and its results?"
        self.app.push_screen(ConfirmDialog(question), lambda yes: self.delete_run(run.id) if yes else None)
