"""The Errors tab: a multiclass model's confusion heatmap whose cells open their digits.

``m`` cycles counts / row % / errors only / column %; the arrows move over cells; ``enter`` opens a cell's
digits (most confident mistake first) and ``enter`` again one digit with its top-3 scores; ``p`` shows the 2×2
pair view of a cell's two classes; ``x`` lists the most confident mistakes over all cells; in the top
confusions, ``↑`` ``↓`` pick a pair (the heatmap's cursor follows) and ``enter`` opens its digits; ``s`` runs the
selected model as a background job, ``c`` cancels it. Keys that need a run are offered only once one is shown. The runs are read from the store; nothing is trained in this process.

A slow model on a large training set (SVC or raw SGD on 60,000 images) is timed first by an ``estimate`` job; above
the CLI's limit a :class:`~tui.tabs.errors.errors_cost.CostDialog` asks whether to run it on every image or on a
stratified subsample (a ``max_train`` run, shown like any other with its size beside its accuracy).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import OptionList, Static

from engine.confusion import ErrorAnalysis
from engine.data import Dataset
from engine.follow import RunsListed, Update
from engine.models.cost import JOB_KIND as ESTIMATE_KIND
from engine.models.cost import CostEstimate, needs_estimate
from engine.models.multiclass import JOB_KIND, MODELS, load_analysis, runs_of
from engine.store import Run
from tui.context import TabContext
from tui.tab_base import TabBase
from tui.tabs.errors.errors_confusions import ConfusionList
from tui.tabs.errors.errors_cost import CostDialog
from tui.tabs.errors.errors_heatmap import ConfusionHeatmap
from tui.tabs.errors.errors_models import ModelPicker, ModelStatus
from tui.tabs.errors.errors_screens import PairView, cell_gallery, mistakes_gallery


class ErrorsTab(TabBase, Vertical):
    """Error analysis of the selected model's newest done run on the app's data."""

    BINDINGS = [
        Binding("m", "cycle_mode", "Mode", id="errors-mode"),
        Binding("s", "start", "Run model", id="errors-start"),
        Binding("c", "cancel_model", "Cancel run", id="errors-cancel"),
        Binding("x", "mistakes", "Mistakes", id="errors-mistakes"),
    ]

    model: reactive[str] = reactive("sgd", init=False)

    @dataclass
    class ModelsSummarised(Message):
        """What the store holds per model (read in a thread worker)."""

        statuses: list[ModelStatus]

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, ErrorsTab.ModelsSummarised)

    @dataclass
    class AnalysisLoaded(Message):
        """A done run's predictions and scores were read from the store."""

        run_id: int
        model: str
        analysis: ErrorAnalysis
        train_index: np.ndarray | None  # a subsample run's rows → training-set indices

    @dataclass
    class EstimateReady(Message):
        """An ``estimate`` job this tab started finished: what running ``model`` would cost."""

        model: str
        estimate: CostEstimate

    def __init__(self, ctx: TabContext) -> None:
        super().__init__(ctx)
        self.statuses: dict[str, ModelStatus] = {m: ModelStatus(m) for m in MODELS}
        self.loaded_run: int | None = None
        self.analysis: ErrorAnalysis | None = None
        self.train_index: np.ndarray | None = None
        self._run_images: tuple[int, np.ndarray] | None = None  # a subsample run's images, taken once per run
        self._estimates: dict[int, str] = {}  # estimate runs started here, not yet answered → their model
        self._accuracy_cache: dict[int, float] = {}
        self._summarised = False

    def compose(self) -> ComposeResult:
        with Horizontal(id="errors-body"):
            yield ConfusionHeatmap(id="errors-map")
            with Vertical(id="errors-side"):
                yield ModelPicker(id="errors-models")
                yield ConfusionList(id="errors-confusions")
        yield Static("", id="errors-status")

    def on_mount(self) -> None:
        self.query_one("#errors-models").border_title = "Models · CV accuracy"
        self.query_one("#errors-confusions").border_title = "Top confusions"

    def on_show(self) -> None:
        self.query_one(ConfusionHeatmap).focus()
        if not self._summarised:  # the store may hold no run yet, so no change of runs will tell us
            if self.ctx.store is None:
                self._show_empty()
            else:
                self._summarise(list(self.ctx.runs))
        self._check_estimates()

    # -- reading the store ---------------------------------------------------------------------------------------
    def runs_updated(self, updates: list[Update]) -> None:
        if self.ctx.store is not None and any(isinstance(u, RunsListed) for u in updates):
            self._summarise(list(self.ctx.runs))
            self._check_estimates()

    @work(thread=True, exclusive=True, group="errors-summary", exit_on_error=False)
    def _summarise(self, runs: list[Run]) -> None:
        store, spec = self.ctx.require_store(), self.ctx.data_spec
        statuses = []
        data = spec.to_dict()
        estimates = [r for r in runs if r.kind == ESTIMATE_KIND and r.active and r.data == data]
        for model in MODELS:
            mine = runs_of(runs, model, spec, any_size=True)  # a subsample run shows too, with its size
            done = next((r for r in mine if r.status == "done"), None)
            accuracy = None
            if done is not None:
                if done.id not in self._accuracy_cache:
                    self._accuracy_cache[done.id] = float(store.get_result(done.id, "accuracy"))
                accuracy = self._accuracy_cache[done.id]
            active = next((r for r in mine if r.active), None)
            newest = mine[0] if mine else None
            failed = newest if newest is not None and newest.status in ("failed", "cancelled", "interrupted") else None
            estimating = next((r for r in estimates if r.params.get("model") == model), None)
            statuses.append(ModelStatus(model, done, accuracy, active, failed, estimating))
        self.post_message(self.ModelsSummarised(statuses))

    @on(ModelsSummarised)
    def _summarised_models(self, message: ModelsSummarised) -> None:
        self.statuses = {s.model: s for s in message.statuses}
        self.query_one(ModelPicker).update_statuses(message.statuses)
        if not self._summarised:
            self._summarised = True
            if self.statuses[self.model].done is None:
                newest = max((s.done for s in message.statuses if s.done is not None), key=lambda r: r.id, default=None)
                if newest is not None:
                    self.model = newest.params["model"]
                    return
        self._show_model()

    def _show_model(self) -> None:
        """Load the selected model's newest done run if it is not the one shown; otherwise refresh the texts."""
        status = self.statuses[self.model]
        if status.done is None:
            self.loaded_run, self.analysis = None, None
            self._show_empty()
        elif status.done.id != self.loaded_run:
            self._load(status.done.id, self.model)
        self._update_status()

    @work(thread=True, exclusive=True, group="errors-load", exit_on_error=False)
    def _load(self, run_id: int, model: str) -> None:
        store = self.ctx.require_store()
        analysis = load_analysis(store, run_id)
        self.post_message(self.AnalysisLoaded(run_id, model, analysis, store.get_result(run_id, "train_index", None)))

    @on(AnalysisLoaded)
    def _analysis_loaded(self, message: AnalysisLoaded) -> None:
        if message.model != self.model:
            return
        self.loaded_run, self.analysis, self.train_index = message.run_id, message.analysis, message.train_index
        self.query_one(ConfusionHeatmap).show(message.analysis)
        self.query_one(ConfusionList).show(message.analysis)
        self._update_status()

    # -- drawing -------------------------------------------------------------------------------------------------
    def _show_empty(self) -> None:
        status = self.statuses[self.model]
        spec = self.ctx.data_spec.spec
        if self.ctx.store is None:
            text = "No run store: the Errors tab needs one to run and read models."
        elif status.estimating is not None and status.active is None:
            text = (
                f"Timing {MODELS[self.model]} on small subsamples of {spec} (run {status.estimating.id}) to "
                "estimate what a run on every training image would cost; you choose before it starts."
            )
        elif status.active is not None:
            run = status.active
            progress = f"{run.fits_done}/{run.fits_total} folds done" if run.fits_total else "starting"
            text = (
                f"{MODELS[self.model]} on {spec}: run {run.id} {run.status}, {progress}. "
                "The heatmap appears when it finishes."
            )
        else:
            text = (
                f"No {self.model} run on {spec} yet.\n\nPress s to start one: {MODELS[self.model]}, "
                "3-fold cross-validated predictions, in a background job (it keeps running if you "
                "leave the tab or the app)."
            )
            if status.failed is not None:
                text += f"\n\nThe last run ({status.failed.id}) {status.failed.status}: {status.failed.error or ''}"
        self.query_one(ConfusionHeatmap).show(None, text)
        self.query_one(ConfusionList).show(None)

    def _update_status(self) -> None:
        self.refresh_bindings()  # what the footer offers follows the run shown and the selected model's job
        self._update_status_line()

    def _update_status_line(self) -> None:
        """The status line's text; it is one line the width of the tab (errors.tcss), so no new layout is needed."""
        status_line = self.query_one("#errors-status", Static)
        analysis, status = self.analysis, self.statuses[self.model]
        if analysis is None:
            if status.estimating is not None and status.active is None:
                status_line.update(
                    f"[b]{self.model}[/] · [cyan]estimating its cost (run {status.estimating.id}) ⟳[/] · c cancels it",
                    layout=False,
                )
            elif status.active is not None:
                run = status.active
                doing = f"run {run.id} ⟳ {run.fits_done}/{run.fits_total}" if run.fits_total else f"run {run.id} ⟳"
                status_line.update(f"[b]{self.model}[/] · [cyan]{doing}[/] · c cancels it", layout=False)
            else:
                status_line.update(
                    f"[b]{self.model}[/] · no run yet · s runs {self.model} · tab, ↑↓ picks a model", layout=False
                )
            return
        i, j = self.query_one(ConfusionHeatmap).cursor
        names = analysis.class_names
        count = int(analysis.confusion[i, j])
        row = int(analysis.confusion[i].sum())
        share = f" ({count / row:.1%} of {names[i]})" if row else ""
        parts = [
            f"[b]{self.model}[/] {analysis.accuracy:.1%}",
            f"true {names[i]} → pred {names[j]}: [b]{count:,}[/]{share}",
        ]
        if status.active is not None:
            parts.append(
                f"[cyan]run {status.active.id} ⟳ {status.active.fits_done}/{status.active.fits_total}[/] c cancels"
            )
        status_line.update(" · ".join(parts), layout=False)

    # -- events --------------------------------------------------------------------------------------------------
    @on(ConfusionHeatmap.CellMoved)
    def _cell_moved(self) -> None:
        self._update_status_line()  # the keys offered do not depend on the cell

    @on(OptionList.OptionHighlighted, "#errors-models")
    def _model_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        # a highlight that is no longer the picker's (two ↓ in one read) is stale: following it would move the
        # picker back, whose own event would move it forward again, for ever
        if event.option.id is not None and event.option_index == event.option_list.highlighted:
            self.model = event.option.id

    @on(OptionList.OptionSelected, "#errors-models")
    def _model_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is None:
            return
        self.model = event.option.id
        status = self.statuses[self.model]
        if status.done is None and status.active is None:
            self.action_start()
        else:
            self.query_one(ConfusionHeatmap).focus()

    def run_opened(self, run_id: int) -> None:
        """``enter`` on a multiclass run in the Training tab: show its model (the tab shows each model's newest
        finished run on the app's data)."""
        run = next((r for r in self.ctx.runs if r.id == run_id), None)
        if run is None or run.kind != JOB_KIND or run.params.get("model") not in MODELS:
            return
        self.model = run.params["model"]
        newest = self.statuses[self.model].done
        if newest is not None and newest.id != run_id:
            self.notify(f"Showing run {newest.id}, the newest finished {self.model} run on this data.", timeout=4)

    def watch_model(self, model: str) -> None:
        picker = self.query_one(ModelPicker)
        if picker.highlighted != picker.get_option_index(model):
            picker.select_model(model)
        self._show_model()

    # -- keys ----------------------------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer only what works: mode and mistakes need a run shown; s a model not running; c one that is."""
        if action in ("cycle_mode", "mistakes"):
            return self.analysis is not None
        status = self.statuses[self.model]
        running = status.active is not None or status.estimating is not None
        if action == "start":
            return not running
        if action == "cancel_model":
            return running
        return True

    def action_cycle_mode(self) -> None:
        self.query_one(ConfusionHeatmap).cycle_mode()

    def action_start(self) -> None:
        """Run the selected model; a slow one on a large training set is timed first (see :class:`CostDialog`)."""
        status = self.statuses[self.model]
        if status.active is not None or status.estimating is not None:
            busy = status.active or status.estimating
            assert busy is not None
            self.notify(f"{self.model} is already running (run {busy.id}).", severity="warning")
            return
        ds = self.ctx.dataset
        if ds is not None and needs_estimate("errors", self.model, len(ds.y_train)):
            self.start_jobs([(ESTIMATE_KIND, {"job": "errors", "model": self.model, "max_train": None})])
        else:
            self._start_model(self.model)

    def _start_model(self, model: str, max_train: int | None = None) -> None:
        self.start_jobs(
            [(JOB_KIND, {"model": model} if max_train is None else {"model": model, "max_train": max_train})]
        )

    def action_cancel_model(self) -> None:
        """Stop the selected model's running job, after asking, or its cost estimate (the process ends within a
        second; an estimate's few seconds of timing are not worth a question)."""
        status = self.statuses[self.model]
        if status.active is not None:
            run = status.active
            steps = f", {run.fits_done}/{run.fits_total} steps" if run.fits_total else ""
            question = f"Cancel run {run.id} ({self.model}, {run.status}{steps})? What it has not finished is lost."
            self.confirm_cancel(run.id, question)
        elif status.estimating is not None:
            self._estimates.pop(status.estimating.id, None)
            self.cancel_job(status.estimating.id)

    # -- a slow model's cost, asked before it runs ----------------------------------------------------------------
    def _check_estimates(self) -> None:
        """Read the estimates this tab started that have ended (the dialog waits for the tab to be shown)."""
        if not self._estimates or not self.is_on_screen:
            return
        ended = {r.id: r for r in self.ctx.runs if r.id in self._estimates and not r.active}
        for run_id, run in ended.items():
            model = self._estimates.pop(run_id)
            if run.status == "done":
                self._read_estimate(run_id, model)
            else:
                self.notify(
                    f"{model}: its cost estimate (run {run_id}) {run.status}: {run.error or ''}", severity="error"
                )

    @work(thread=True, group="errors-estimate", exit_on_error=False)
    def _read_estimate(self, run_id: int, model: str) -> None:
        results = self.ctx.require_store().results(run_id, arrays=False)
        self.post_message(self.EstimateReady(model, CostEstimate.from_results(results)))

    @on(EstimateReady)
    def _estimate_ready(self, message: EstimateReady) -> None:
        model, estimate = message.model, message.estimate
        if not estimate.too_long:
            self.notify(estimate.describe(), title="Cost estimate", timeout=8)
            self._start_model(model)
            return

        def answered(n_train: int | None) -> None:
            if n_train is not None:
                self._start_model(model, None if n_train >= estimate.n_train else n_train)

        self.app.push_screen(CostDialog(estimate), answered)

    def jobs_started(self, runs: list[Run]) -> None:
        (run,) = runs
        if run.kind == ESTIMATE_KIND:
            self._estimates[run.id] = run.params["model"]
            model = run.params["model"]
            self.statuses[model] = replace(self.statuses[model], estimating=run)
            self.query_one(ModelPicker).update_statuses([self.statuses[model]])
            if model == self.model and self.analysis is None:
                self._show_empty()
            self._update_status()
            return
        size = run.params.get("max_train")
        on = f" (a stratified {size:,} of the training images)" if size else ""
        self.notify(f"Started run {run.id}: {MODELS[run.params['model']]} on {self.ctx.data_spec.spec}{on}.")
        status = self.statuses[self.model]
        if run.params["model"] == self.model:
            self.statuses[self.model] = replace(status, active=run, failed=None, estimating=None)
            if status.done is None:
                self._show_empty()
            self._update_status()

    def _images(self) -> np.ndarray | None:
        """The training images the shown run describes, or None (with a notification) if they are not here."""
        ds: Dataset | None = self.ctx.dataset
        if self.analysis is None:
            return None
        if ds is None:
            self.notify("The data is still loading.", severity="warning")
            return None
        index = self.train_index  # a subsample run's images, in its order
        labels = ds.y_train if index is None else ds.y_train[index]
        if not np.array_equal(labels, self.analysis.y_true):
            self.notify("This run's labels differ from the loaded data; run the model again (s).", severity="error")
            return None
        if index is None:
            return ds.X_train
        if self._run_images is None or self._run_images[0] != self.loaded_run:
            self._run_images = (self.loaded_run or 0, ds.X_train[index])  # a copy: not at every cell opened
        return self._run_images[1]

    @on(ConfusionHeatmap.CellOpened)
    def _cell_opened(self, message: ConfusionHeatmap.CellOpened) -> None:
        self._open_cell(message.true, message.predicted)

    @on(OptionList.OptionHighlighted, "#errors-confusions")
    def _confusion_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        # the heatmap's cursor follows the pair picked (the status line then reads it); not the list being filled
        pair = ConfusionList.pair(event.option)
        if pair is not None and event.option_list.has_focus:
            self.query_one(ConfusionHeatmap).cursor = pair

    @on(OptionList.OptionSelected, "#errors-confusions")
    def _confusion_selected(self, event: OptionList.OptionSelected) -> None:
        pair = ConfusionList.pair(event.option)
        if pair is not None:
            self._open_cell(*pair)

    def _open_cell(self, true: int, predicted: int) -> None:
        """The cell's digits, as ``enter`` on the heatmap and on a top confusion open them."""
        analysis = self.analysis
        if analysis is not None and not analysis.confusion[true, predicted]:
            names = analysis.class_names
            self.notify(f"No {names[true]} was predicted as {names[predicted]}.", timeout=3)
            return
        images = self._images()
        if images is not None and analysis is not None:
            self.app.push_screen(cell_gallery(images, analysis, true, predicted))

    @on(ConfusionHeatmap.PairRequested)
    def _open_pair(self, message: ConfusionHeatmap.PairRequested) -> None:
        images, analysis = self._images(), self.analysis
        if images is None or analysis is None:
            return
        if message.a == message.b:
            self.notify("Put the cursor on an off-diagonal cell to compare its two classes.", severity="warning")
            return
        self.app.push_screen(PairView(images, analysis, message.a, message.b))

    def action_mistakes(self) -> None:
        images, analysis = self._images(), self.analysis
        if images is not None and analysis is not None:
            self.app.push_screen(mistakes_gallery(images, analysis))
