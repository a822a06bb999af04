"""The More tab: the rest of the study in three views — multilabel, denoising, shift augmentation.

Each view shows the newest finished run of its job on the app's data, read from the store in a thread worker;
``s`` starts the job of the view shown (in the background, like every job). ``1`` ``2`` ``3`` switch views.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.geometry import Region
from textual.message import Message
from textual.reactive import var
from textual.strip import Strip
from textual.widgets import Static

from engine.data import DataSpec
from engine.follow import RunsListed, Update
from engine.models import augment, denoise, multilabel
from engine.render.status import describe_params
from engine.store import Run
from tui.context import TabContext
from tui.tab_base import TabBase
from tui.tabs.more.augment import AugmentView
from tui.tabs.more.denoise import DenoiseView
from tui.tabs.more.lines import update_line
from tui.tabs.more.multilabel import MultilabelView


@dataclass(frozen=True)
class ViewSpec:
    kind: str
    title: str
    results: Any  # the results dataclass: ``from_store(store, run_id)``
    what: str  # what its job does, for the empty view
    widget: type[MultilabelView | DenoiseView | AugmentView]


VIEWS = (
    ViewSpec(
        multilabel.JOB_KIND,
        "Multilabel",
        multilabel.MultilabelResults,
        "a KNN on two yes/no labels per image (3-fold CV) beside a ClassifierChain of SVCs",
        MultilabelView,
    ),
    ViewSpec(
        denoise.JOB_KIND,
        "Denoising",
        denoise.DenoiseResults,
        "noise added to every image, and a KNN that predicts the clean pixels of the test images",
        DenoiseView,
    ),
    ViewSpec(
        augment.JOB_KIND,
        "Augmentation",
        augment.AugmentResults,
        "the best KNN of the newest KNN search (else k=4, distance) trained on the images, then on them and their "
        "four one-pixel shifts",
        AugmentView,
    ),
)
BY_KIND = {v.kind: v for v in VIEWS}


@dataclass(frozen=True)
class JobStatus:
    """What the store holds of one job kind on the app's data."""

    kind: str
    done: Run | None = None
    active: Run | None = None
    failed: Run | None = None  # the newest run, when it ended without results


def job_status(runs: list[Run], kind: str, spec: DataSpec) -> JobStatus:
    data = spec.to_dict()
    mine = [r for r in runs if r.kind == kind and r.data == data]
    newest = mine[0] if mine else None
    return JobStatus(
        kind,
        next((r for r in mine if r.status == "done"), None),
        next((r for r in mine if r.active), None),
        newest if newest is not None and newest.status in ("failed", "cancelled", "interrupted") else None,
    )


class ViewPane(Vertical):
    """A view under its line of views. They cover it whole, so it draws no lines of its own: shown again at a view
    switch, its blank lines would otherwise all be drawn anew (~2.5 ms of the switch at 200×60), only to be hidden."""

    def render_lines(self, crop: Region) -> list[Strip]:
        blank = Strip.blank(crop.width, self.rich_style)
        return [blank] * crop.height


class MoreTab(TabBase, Vertical):
    """Multilabel, denoising and augmentation, each the newest done run of its job on the app's data."""

    BINDINGS = [
        Binding("1", "view('multilabel')", "Multilabel", id="more-view-multilabel", show=False),
        Binding("2", "view('denoise')", "Denoising", id="more-view-denoise", show=False),
        Binding("3", "view('augment')", "Augmentation", id="more-view-augment", show=False),
        Binding("s", "start", "Run job", id="more-start"),
    ]

    view: var[str] = var(multilabel.JOB_KIND, init=False)  # a var: the tab itself has nothing to repaint

    @dataclass
    class Summarised(Message):
        """The store's runs per job kind, with the results of any newly finished one (read in a thread worker)."""

        statuses: dict[str, JobStatus]
        loaded: dict[str, Any]  # kind → results of statuses[kind].done, for those not loaded before
        augment_params: dict | None

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, MoreTab.Summarised) and not message.loaded

    def __init__(self, ctx: TabContext) -> None:
        super().__init__(ctx)
        self.statuses: dict[str, JobStatus] = {v.kind: JobStatus(v.kind) for v in VIEWS}
        self.results: dict[str, Any] = {}
        self.augment_params: dict | None = None
        self._summarised = False

    def compose(self) -> ComposeResult:
        # the panes' display is switched by hand (watch_view), not by a ContentSwitcher, whose repaint of itself
        # on each switch redrew the whole area under the views; each pane has a line naming the views, its own shown
        # selected, so that a switch draws that line in the same frame as the view (one line above all the views,
        # updated at each switch, came a frame late and stretched the footer's frame over the whole tab)
        for spec in VIEWS:
            view = spec.widget(id=f"more-{spec.kind}")
            with ViewPane(id=f"{view.id}-pane", classes="more-pane") as pane:
                pane.display = view.id == f"more-{self.view}"
                yield Static(classes="more-views")
                yield view

    def on_mount(self) -> None:
        self._draw_all()

    def on_show(self) -> None:
        self._focus_view()
        if not self._summarised:  # the store may hold no run yet, so no change of runs will tell us
            if self.ctx.store is None:
                self._draw_all()
            else:
                self._summarise(list(self.ctx.runs), set(self.results_ids().values()))

    def results_ids(self) -> dict[str, int]:
        return {kind: r.run_id for kind, r in self.results.items()}

    # -- reading the store ---------------------------------------------------------------------------------------
    def runs_updated(self, updates: list[Update]) -> None:
        if self.ctx.store is not None and any(isinstance(u, RunsListed) for u in updates):
            self._summarise(list(self.ctx.runs), set(self.results_ids().values()))

    def data_ready(self) -> None:
        self._draw_all()

    @work(thread=True, exclusive=True, group="more-summary", exit_on_error=False)
    def _summarise(self, runs: list[Run], loaded_ids: set[int]) -> None:
        store, spec = self.ctx.require_store(), self.ctx.data_spec
        statuses = {v.kind: job_status(runs, v.kind, spec) for v in VIEWS}
        loaded = {
            kind: BY_KIND[kind].results.from_store(store, s.done.id)
            for kind, s in statuses.items()
            if s.done is not None and s.done.id not in loaded_ids
        }
        self.post_message(self.Summarised(statuses, loaded, augment.job_params(store, spec)))

    @on(Summarised)
    def _summarised_runs(self, message: Summarised) -> None:
        self._summarised = True
        changed = {k for k, s in message.statuses.items() if s != self.statuses.get(k)} | set(message.loaded)
        self._set_statuses(message.statuses)
        self.augment_params = message.augment_params
        for kind, status in message.statuses.items():
            if status.done is None:
                self.results.pop(kind, None)
        self.results.update(message.loaded)
        for kind in changed:
            self._draw(kind)
        self._draw_views_line()

    def _set_statuses(self, statuses: dict[str, JobStatus]) -> None:
        running = self.statuses[self.view].active is not None
        self.statuses = statuses
        if running != (statuses[self.view].active is not None):
            self.refresh_bindings()  # s is offered only while the shown view's job is not running

    # -- drawing -------------------------------------------------------------------------------------------------
    def _draw_all(self) -> None:
        for v in VIEWS:
            self._draw(v.kind)
        self._draw_views_line()

    def _draw(self, kind: str) -> None:
        ds, results = self.ctx.dataset, self.results.get(kind)
        if kind == multilabel.JOB_KIND:
            ml = self.query_one(MultilabelView)
            if ds is not None and results is not None:
                ml.show(results, ds.X_train, ds.y_train, ds.class_names)
            else:
                ml.show(None, text=self._empty_text(kind))
        elif kind == denoise.JOB_KIND:
            dn = self.query_one(DenoiseView)
            if ds is not None and results is not None:
                dn.show(results, ds.X_test)
            else:
                dn.show(None, text=self._empty_text(kind))
        else:
            au = self.query_one(AugmentView)
            if ds is not None and results is not None:
                au.show(results, ds.X_test, ds.y_test, ds.class_names, len(ds.X_train))
            else:
                au.show(None, text=self._empty_text(kind))

    def _empty_text(self, kind: str) -> str:
        spec, status, view = self.ctx.data_spec.spec, self.statuses[kind], BY_KIND[kind]
        if self.ctx.data_error is not None:
            return f"No data: {self.ctx.data_error}"
        if self.ctx.dataset is None:
            return "Loading the data…"
        if self.ctx.store is None:
            return "No run store: the More tab needs one to run and read jobs."
        if status.active is not None:
            run = status.active
            progress = f"{run.fits_done}/{run.fits_total} steps" if run.fits_total else "starting"
            return f"{view.title} on {spec}: run {run.id} {run.status}, {progress}. The results appear when it ends."
        text = f"No {kind} run on {spec} yet. Press s to start one: {view.what}, as a background job."
        if status.failed is not None:
            text += f"\n\nThe last run ({status.failed.id}) {status.failed.status}: {status.failed.error or ''}"
        return text

    def _draw_views_line(self) -> None:
        """Each pane's line: the views, its own selected, and its job's run."""
        for kind in BY_KIND:
            parts = []
            for number, v in enumerate(VIEWS, start=1):
                label = f" {number} {v.title} "
                parts.append(f"[reverse b]{label}[/]" if v.kind == kind else label)
            status = self.statuses[kind]
            if status.active is not None:
                run = status.active
                parts.append(f"  [cyan]run {run.id} ⟳ {run.fits_done}/{run.fits_total}[/]")
            elif status.done is not None:
                parts.append(f"  [dim]run {status.done.id} · s runs it again[/]")
            else:
                parts.append("  [dim]s runs it[/]")
            update_line(self.query_one(f"#more-{kind}-pane > .more-views", Static), "".join(parts))

    # -- keys ----------------------------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer s only where it starts a job: a store to run it in, and the shown view's job not running."""
        if action == "start":
            return self.ctx.store is not None and self.statuses[self.view].active is None
        return True

    def action_view(self, kind: str) -> None:
        self.view = kind

    def watch_view(self, kind: str) -> None:
        # the new view's widget takes the focus in the same call as the switch: one layout, one change of the
        # footer's keys, and no moment without focus (the old view's focused widget, hidden at the next layout,
        # would blur to None first)
        for pane in self.children:
            pane.display = pane.id == f"more-{kind}-pane"
        self._focus_view()

    def _focus_view(self) -> None:
        view = self.query_one(f"#more-{self.view}", BY_KIND[self.view].widget)
        if self.is_shown:  # else the tab's on_show focuses it
            self.screen.set_focus(view.focus_target(), scroll_visible=False)  # the view fills the tab: no scrolling

    def action_start(self) -> None:
        status = self.statuses[self.view]
        if status.active is not None:
            self.notify(f"{BY_KIND[self.view].title} is already running (run {status.active.id}).", severity="warning")
            return
        if self.view == augment.JOB_KIND:
            if self.augment_params is None:
                self.notify("Still reading the run store; try again in a moment.", severity="warning")
                return
            params = self.augment_params
        else:
            params = {"seed": denoise.DEFAULT_SEED} if self.view == denoise.JOB_KIND else {}
        self.start_jobs([(self.view, params)])

    def jobs_started(self, runs: list[Run]) -> None:
        (run,) = runs
        self.notify(f"Started run {run.id}: {run.kind} {describe_params(run.params)} on {self.ctx.data_spec.spec}.")
        status = self.statuses[run.kind]
        self._set_statuses(self.statuses | {run.kind: JobStatus(run.kind, status.done, run, None)})
        self._draw(run.kind)
        self._draw_views_line()
