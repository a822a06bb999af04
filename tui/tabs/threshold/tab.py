"""The Threshold tab: the precision/recall trade-off of a binary run's stored cross-validated scores.

Steps are the distinct scores (precision_recall_curve's thresholds), lowest first: ``←``/``→`` move the
threshold to the next distinct score, so one (group of tied) image(s) changes side per step; ``shift`` moves ten.
A typed threshold (``t``, and SGD's own 0 the tab opens at) is shown as it is, with the step that predicts the same.
Nothing here fits a model or imports scikit-learn: all numbers come from :mod:`engine.threshold`.

Layout by terminal size: below 110×30 the table and the three curves share one panel (``c`` cycles); up to
160×45 the table sits above one curve (``c`` cycles the curve); from 160×45 a grid of the table and the threshold
curve above the precision-recall and ROC curves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Static

from engine.data import DataSpec, class_phrase
from engine.errors import ExplorerError, UsageError
from engine.follow import RunsListed, Update
from engine.render.threshold import threshold_header, threshold_text
from engine.store import Run
from engine.threshold import (
    BINARY_KIND,
    DEFAULT_DIGIT,
    ThresholdAnalysis,
    ThresholdView,
    format_threshold,
    load_analysis,
    parse_fraction,
)
from tui.context import TabContext
from tui.tab_base import TabBase
from tui.tabs.threshold.digits import ThresholdDigits
from tui.tabs.threshold.plots import CurvePlot, PrecisionRecallPlot, RocPlot, ThresholdCurvePlot
from tui.tabs.threshold.target_prompt import TargetPrompt
from tui.widgets.confirm import ConfirmDialog

COMPACT_BELOW = (110, 30)
LARGE_FROM = (160, 45)
VIEWS = ("table", "threshold", "pr", "roc")
DEFAULT_THRESHOLD = 0.0  # SGD's own decision threshold
DEFAULT_TABLE_ROWS = 11
STATUS_PADDING = 2


@dataclass
class AnalysisLoaded(Message):
    """A done binary run's scores were read from the store (in a thread worker)."""

    analysis: ThresholdAnalysis


class ThresholdTable(Static):
    """The table of thresholds; tells the tab when its height (the rows it can hold) changes."""

    class Resized(Message):
        """The table's size changed."""

    def on_resize(self) -> None:
        self.post_message(self.Resized())


class ThresholdTab(TabBase, Vertical, can_focus=True):
    """Table of thresholds around the current one, the curves, and the digits either side of it."""

    BINDINGS = [
        Binding("left", "step(-1)", "Step", key_display="←→", id="threshold-lower"),  # one footer entry for both
        Binding("right", "step(1)", "Raise", show=False, id="threshold-raise"),
        Binding("shift+left", "step(-10)", "Lower ×10", show=False, id="threshold-lower-10"),
        Binding("shift+right", "step(10)", "Raise ×10", show=False, id="threshold-raise-10"),
        Binding("p", "target('precision')", "Precision", id="threshold-precision"),
        Binding("r", "target('recall')", "Recall", id="threshold-recall"),
        Binding("t", "type_threshold", "Threshold", id="threshold-type"),
        Binding("0", "reset", "Threshold 0", show=False, id="threshold-reset"),
        Binding("c", "cycle_view", "Curves", id="threshold-view"),
        # b twice: in the footer while there are no scores (the one thing to do then), in ? only once there are
        Binding("b", "start_run(True)", "New detector run", id="threshold-run"),
        Binding("b", "start_run", "New detector run", show=False, id="threshold-run"),
        Binding(
            "left_square_bracket", "other_run(1)", "Older run", key_display="[", show=False, id="threshold-older-run"
        ),
        Binding(
            "right_square_bracket", "other_run(-1)", "Newer run", key_display="]", show=False, id="threshold-newer-run"
        ),
    ]

    def __init__(self, ctx: TabContext) -> None:
        super().__init__(ctx)
        self.analysis: ThresholdAnalysis | None = None
        self.step = 0
        self.exact: float | None = DEFAULT_THRESHOLD  # a typed threshold shown as it is (else the step's own)
        self.moved = False  # the person chose the threshold (a step, a target, a typed value): a new run keeps it
        self.view_name = "table"
        self.layout_mode = "compact"
        self.last_view: ThresholdView | None = None
        self._loading: int | None = None
        self.pinned_run: int | None = None  # a run chosen with [ ] (or kept when a newer one came); None: the newest
        self._newest: int | None = None  # the newest finished run when the runs were last looked at
        self._status_lines = 0  # lines of the status text last shown (0: none yet)

    def compose(self) -> ComposeResult:
        yield Static(id="thr-status")
        with Horizontal(id="thr-body"):
            with Vertical(id="thr-main"):  # a grid on large terminals (threshold.tcss)
                yield ThresholdTable(id="thr-table")
                yield ThresholdCurvePlot(id="curve-threshold")
                yield PrecisionRecallPlot(id="curve-pr")
                yield RocPlot(id="curve-roc")
            yield ThresholdDigits(id="thr-digits")

    def on_mount(self) -> None:
        self._apply_layout()
        self._runs_changed()

    def on_show(self) -> None:
        self.focus()

    def on_resize(self) -> None:
        self._apply_layout()
        self.call_after_refresh(self._redraw)

    # -- which run ---------------------------------------------------------------------------------------------
    def runs_updated(self, updates: list[Update]) -> None:
        if any(isinstance(u, RunsListed) for u in updates):
            self._runs_changed()

    def data_ready(self) -> None:
        self._runs_changed()

    def run_opened(self, run_id: int) -> None:
        """``enter`` on a detector run in the Training tab: show that run (a finished one on the app's data)."""
        run = next((r for r in self.ctx.runs if r.id == run_id), None)
        if run is None or run.kind != BINARY_KIND:
            return
        if DataSpec.from_dict(run.data) != self.ctx.data_spec:
            self.notify(
                f"Run {run_id} is on {run.data.get('spec', 'other data')}; this tab shows runs on "
                f"{self.ctx.data_spec.label} (start the app with that --data to see it).",
                severity="warning",
            )
            return
        done = [r.id for r in self._done_runs()]
        if run_id not in done:
            self.notify(f"Detector run {run_id} is {run.status}: its trade-off shows here once it is done.")
            return
        self.pinned_run = None if run_id == done[0] else run_id
        self._runs_changed()

    def _binary_runs(self) -> list[Run]:
        spec = self.ctx.data_spec
        return [r for r in self.ctx.runs if r.kind == BINARY_KIND and DataSpec.from_dict(r.data) == spec]

    def _done_runs(self) -> list[Run]:
        """Finished binary runs on the app's data, newest first."""
        return [r for r in self._binary_runs() if r.status == "done"]

    def _runs_changed(self, _: object = None) -> None:
        runs = self._binary_runs()
        done_runs = self._done_runs()
        shown = self.analysis.run_id if self.analysis is not None else None
        newest, self._newest = self._newest, done_runs[0].id if done_runs else None
        if self._newest not in (newest, shown) and self.pinned_run is None and self.moved and shown is not None:
            # a newer run finished while the person was choosing a threshold on this one: stay, and say so
            self.pinned_run = shown
            self.notify(
                f"Detector run {done_runs[0].id} finished: ] shows it. The threshold you chose stays on run {shown}.",
                timeout=8,
            )
            self._redraw()  # marked older now
        pinned = next((r for r in done_runs if r.id == self.pinned_run), None)
        if pinned is None:
            self.pinned_run = None
        done = pinned or (done_runs[0] if done_runs else None)
        dataset = self.ctx.dataset
        if (
            done is not None
            and dataset is not None
            and self.ctx.store is not None
            and done.id not in (shown, self._loading)
        ):
            self._loading = done.id
            self._load(done, dataset.y_train)
        if self.analysis is None:
            self._show_empty(runs)

    @work(thread=True, exclusive=True, group="threshold-load", exit_on_error=False)
    def _load(self, run: Run, labels: np.ndarray) -> None:
        analysis = load_analysis(self.ctx.require_store(), run, labels=labels)
        _ = analysis.curves  # computed here, off the UI thread
        self.post_message(AnalysisLoaded(analysis))

    @on(ThresholdTable.Resized)
    def _table_resized(self) -> None:
        self._redraw()

    @on(AnalysisLoaded)
    def _analysis_loaded(self, message: AnalysisLoaded) -> None:
        before, self.analysis = self.analysis, message.analysis
        self._loading = None
        if before is not None and self.moved:  # another run, the threshold kept where the person put it
            self.exact = self._threshold(before)
            self.notify(f"Run {self.analysis.run_id}: threshold kept at {format_threshold(self.exact)} (0 resets).")
        elif before is not None:
            self.exact = DEFAULT_THRESHOLD
            if self.pinned_run is None:
                self.notify(f"Showing detector run {self.analysis.run_id}, the newest finished one.")
        self.step = self.analysis.step_at(self.exact if self.exact is not None else DEFAULT_THRESHOLD)
        self._apply_layout()
        if before is None:
            self.refresh_bindings()  # the keys that need scores are offered from now on
        self.call_after_refresh(self._redraw)  # once the panels it just showed have their sizes

    def _threshold(self, analysis: ThresholdAnalysis) -> float:
        return self.exact if self.exact is not None else analysis.threshold(min(self.step, analysis.n_steps - 1))

    def _show_empty(self, runs: list[Run]) -> None:
        active = next((r for r in runs if r.active), None)
        spec = self.ctx.data_spec.label
        names = self.ctx.dataset.class_names if self.ctx.dataset is not None else None
        if self.ctx.store is None:
            text = "The run store is unavailable, so there are no scores to analyse."
        elif active is not None:
            progress = f"{active.fits_done}/{active.fits_total} fits" if active.fits_total else active.status
            detects = class_phrase(int(active.params.get("digit", DEFAULT_DIGIT)), names)
            text = f"Binary run {active.id} ({detects}) on {spec}: {progress}. This tab picks it up when it finishes."
        elif self.ctx.dataset is None:
            text = f"Loading {spec}…"
        else:
            name = class_phrase(DEFAULT_DIGIT, names).removeprefix("digit ")
            text = (
                f"No finished binary run on {spec} yet. Press [bold]b[/] to start one (is it a {name}? SGD and "
                "RandomForest, 3-fold cross-validation); its scores show here."
            )
        self.query_one("#thr-status", Static).update("Threshold: no scores")
        self._status_lines = 1
        table = self.query_one(ThresholdTable)
        table.add_class("-message")
        table.update(Text.from_markup(text))

    # -- drawing -----------------------------------------------------------------------------------------------
    def _apply_layout(self) -> None:
        width, height = self.app.size
        if width < COMPACT_BELOW[0] or height < COMPACT_BELOW[1]:
            mode = "compact"
        elif width >= LARGE_FROM[0] and height >= LARGE_FROM[1]:
            mode = "large"
        else:
            mode = "medium"
        if mode != self.layout_mode:
            self.layout_mode = mode
            self.refresh_bindings()  # `c` only where the curves do not all fit
        for name in ("compact", "medium", "large"):
            self.set_class(mode == name, f"-{name}")
        loaded = self.analysis is not None
        self.query_one("#thr-table").display = not loaded or mode != "compact" or self.view_name == "table"
        self.query_one("#thr-digits").display = loaded
        curve = "threshold" if self.view_name == "table" else self.view_name
        for plot in self.query(CurvePlot):
            chosen = plot.id == f"curve-{curve}" and not (mode == "compact" and self.view_name == "table")
            plot.display = loaded and (mode == "large" or chosen)

    def _header_lines(self) -> int:
        """1 when the status line fits the width at its longest (any step of this run), else 2: by the width alone,
        so moving the threshold never changes the layout."""
        analysis, dataset = self.analysis, self.ctx.dataset
        if analysis is None:
            return 1
        names = dataset.class_names if dataset is not None else None
        t = analysis.sweep.thresholds
        longest = max((format_threshold(float(v)) for v in (t[0], t[-1], DEFAULT_THRESHOLD)), key=len)
        widest = (
            f"run {analysis.run_id} (older) · {class_phrase(analysis.digit, names)} · threshold {longest} "
            "· P 0.0000 R 0.0000 "
            f"F1 0.0000 · step {analysis.n_steps:,} of {analysis.n_steps:,}"
        )
        return 1 if len(widest) + STATUS_PADDING <= self.size.width else 2

    def _table_rows(self) -> int:
        height = self.query_one("#thr-table").size.height
        return max(1, height - 1) if height > 1 else DEFAULT_TABLE_ROWS

    def _redraw(self) -> None:
        analysis, dataset = self.analysis, self.ctx.dataset
        if analysis is None or dataset is None:
            return
        rows = self._table_rows()
        before = (rows - 1) // 2
        digits = self.query_one(ThresholdDigits)
        view = analysis.view(self.step, before, rows - 1 - before, k=0, threshold=self.exact)
        self.last_view = view
        c = view.current
        lines = self._header_lines()
        header = threshold_header(view, older=self.pinned_run is not None, lines=lines, class_names=dataset.class_names)
        # a layout only when the status line's height changes; the table's size never depends on its text
        self.query_one("#thr-status", Static).update(header, layout=lines != self._status_lines)
        self._status_lines = lines
        table = self.query_one(ThresholdTable)
        table.remove_class("-message")
        table.update(threshold_text(view), layout=False)
        if digits.display:
            digits.show(analysis, c.threshold, dataset)
        self._redraw_plots()

    def _redraw_plots(self) -> None:
        """Mark the current threshold on the visible curves (their static canvases are cached: ~1 ms a plot)."""
        if self.analysis is None or self.last_view is None:
            return
        for plot in self.query(CurvePlot):
            if plot.display:
                plot.show(self.analysis.curves, self.last_view.current)

    # -- actions -----------------------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer only what works: every key but b needs scores; c also a layout where the curves do not all fit; b is
        in the footer only while there are no scores."""
        if action == "start_run":
            return bool(parameters) == (self.analysis is None and self.ctx.store is not None)
        if action in ("step", "target", "reset", "other_run", "type_threshold", "cycle_view"):
            return self.analysis is not None and (action != "cycle_view" or self.layout_mode != "large")
        return True

    def action_step(self, delta: int) -> None:
        if self.analysis is None:
            return
        step = min(max(0, self.step + delta), self.analysis.n_steps - 1)  # a typed value predicts as its step
        if step != self.step or self.exact is not None:
            self.step, self.exact, self.moved = step, None, True
            self._redraw()

    def action_reset(self) -> None:
        if self.analysis is not None:
            self.exact, self.moved = DEFAULT_THRESHOLD, False
            self.step = self.analysis.step_at(DEFAULT_THRESHOLD)
            self._redraw()

    def action_target(self, what: str) -> None:
        if self.analysis is None:
            return
        row = self.analysis.row(self.step)
        prompt = TargetPrompt(f"Target {what}", f"{getattr(row, what):.2f}", "0.9 or 90%")
        self.app.push_screen(prompt, lambda text: self.go_to_target(what, text))

    def go_to_target(self, what: str, text: str | None) -> None:
        """Jump to the threshold a typed target gives; a bad or unreachable target is a notification."""
        if text is None or self.analysis is None:
            return
        try:
            self.step = self.analysis.step_for(what, parse_fraction(text, f"a target {what}"))
        except ExplorerError as exc:
            self.notify(str(exc), title=f"Target {what}", severity="error")
            return
        self.exact, self.moved = None, True
        self._redraw()

    def action_type_threshold(self) -> None:
        if self.analysis is None:
            return
        current = format_threshold(self._threshold(self.analysis)).replace(",", "")
        self.app.push_screen(TargetPrompt("Threshold", current, "0 or -1500"), self.go_to_threshold)

    def go_to_threshold(self, text: str | None) -> None:
        """Show the typed threshold as it is (the table marks the step that predicts the same)."""
        if text is None or self.analysis is None:
            return
        try:
            value = float(text.replace(",", "").replace("_", ""))
            if not np.isfinite(value):
                raise ValueError
        except ValueError:
            self.notify(
                str(UsageError(f"a threshold must be a finite number such as 0 or -1500, got {text.strip()!r}")),
                title="Threshold",
                severity="error",
            )
            return
        self.exact, self.moved = value, value != DEFAULT_THRESHOLD
        self.step = self.analysis.step_at(value)
        self._redraw()

    def action_other_run(self, delta: int) -> None:
        """Show an older (``delta`` 1) or newer (-1) finished binary run; the newest one is followed again."""
        ids = [r.id for r in self._done_runs()]
        if self.analysis is None or not ids:
            return
        here = ids.index(self.analysis.run_id) if self.analysis.run_id in ids else 0
        there = min(max(0, here + delta), len(ids) - 1)
        if there == here:
            self.notify(f"No {'older' if delta > 0 else 'newer'} finished binary run on {self.ctx.data_spec.label}.")
            return
        self.pinned_run = None if there == 0 else ids[there]
        self._runs_changed()

    def action_cycle_view(self) -> None:
        views = VIEWS if self.layout_mode == "compact" else VIEWS[1:]
        position = views.index(self.view_name) if self.view_name in views else -1
        self.view_name = views[(position + 1) % len(views)]
        self._apply_layout()
        self.call_after_refresh(self._redraw)

    def action_start_run(self, shown: bool = False) -> None:
        """A detector run for the digit 5 when there is none; with one already done, only after asking. (``shown``:
        the footer's binding, offered while there are no scores; both do the same.)"""
        runs = self._binary_runs()
        active = next((r for r in runs if r.active), None)
        if active is not None:
            self.notify(f"Binary run {active.id} is already {active.status}; it shows here when it is done.")
            return
        done = self._done_runs()
        if not done:
            self._start_run()
            return
        question = (
            f"Run {done[0].id} is a finished detector run on {self.ctx.data_spec.label} (shown here). "
            "Start another one? Its scores are the same unless the code changed."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._start_run()

        self.app.push_screen(ConfirmDialog(question), answered)

    def _start_run(self) -> None:
        self.start_jobs([(BINARY_KIND, {"digit": DEFAULT_DIGIT})])
