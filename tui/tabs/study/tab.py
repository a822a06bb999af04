"""The Study tab: every step of the study, its numbers measured here, its state and the book's figure beside it.

The table is :class:`engine.render.study.StudyView`, the one the CLI's ``study`` draws. It is read from the store in
a thread worker (``engine.study.read_study``, numpy only) at start and whenever the runs change; results of steps
whose done run is unchanged are kept, so a progress write costs no result reads. ``enter`` opens the tab that shows
the highlighted step; ``r`` starts the ``study`` job (the same as ``mnist-explorer study``) for the missing steps.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.visual import visualize
from textual.widgets import Static

from engine.follow import RunFinished, RunsListed, Update
from engine.render.study import StudyView, overall_text
from engine.store import Run
from engine.study import JOB_KIND, STEPS, StudyTable, missing_steps, read_study
from tui.tab_base import TabBase


class StudyTableView(Static, can_focus=True):
    """The study table; focusable so the tab's keys reach it."""


class StudyTab(TabBase, Vertical):
    """The whole study in one table: ``↑`` ``↓`` pick a step, ``enter`` opens its tab, ``r`` runs what is missing."""

    BINDINGS = [
        Binding("up", "move(-1)", "Previous step", show=False, id="study-up"),
        Binding("down", "move(1)", "Next step", show=False, id="study-down"),
        Binding("enter", "open", "Open its tab", id="study-open"),
        Binding("r", "run", "Run missing steps", id="study-run"),
    ]

    @dataclass
    class Read(Message):
        """The study as the store holds it (read in a thread worker)."""

        table: StudyTable

    clock = staticmethod(time.time)  # the running steps' elapsed times (a test freezes it)

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.table: StudyTable | None = None
        self.cursor = 0  # index into STEPS

    def compose(self) -> ComposeResult:
        yield Static(id="study-status")
        yield StudyTableView(id="study-table")
        yield Static(id="study-what")

    def on_mount(self) -> None:
        self._draw()
        if self.ctx.store is not None:
            self._read(list(self.ctx.runs))

    # -- reading the store ---------------------------------------------------------------------------------------
    def runs_updated(self, updates: list[Update]) -> None:
        if self.ctx.store is not None and any(isinstance(u, RunsListed | RunFinished) for u in updates):
            self._read(list(self.ctx.runs))

    def data_ready(self) -> None:
        # the first tab mounts before the app opens the store, and an empty store sends no run update: read now
        if self.table is None and self.ctx.store is not None:
            self._read(list(self.ctx.runs))
        self._draw()

    @work(thread=True, exclusive=True, group="study-read", exit_on_error=False)
    def _read(self, runs: list[Run]) -> None:
        store = self.ctx.require_store()
        self.post_message(self.Read(read_study(store, self.ctx.data_spec, runs or None, previous=self.table)))

    @on(Read)
    def _table_read(self, message: Read) -> None:
        self.table = message.table
        self._draw()

    # -- drawing -------------------------------------------------------------------------------------------------
    def _draw(self) -> None:
        status = self.query_one("#study-status", Static)
        if self.ctx.store is None:
            status.update("The run store is unavailable (see the notification), so the study cannot be read.")
            return
        if self.table is None:
            status.update(f"Reading the study on {self.ctx.data_spec.spec}…")
            return
        line = overall_text(self.table, self.clock())  # the data is in the header
        if missing_steps(self.table) and not any(s.active for s in self.table.steps):
            line.append(" · r runs the missing steps", style="dim")
        status.update(line)
        self._draw_step(layout=True)

    def _draw_step(self, layout: bool) -> None:
        """The table with the cursor's step highlighted and the line on that step; ``layout=False`` when only the
        cursor moved: the table keeps its size, and the line is laid out only if its height changes (a layout of
        the whole screen was half a move's time at 200x60)."""
        assert self.table is not None
        step = self.table.steps[self.cursor]
        self.query_one(StudyTableView).update(StudyView(self.table, cursor=step.name, now=self.clock()), layout=layout)
        what = self.query_one("#study-what", Static)
        text = f"{step.title}: {step.what if step.error is None else f'{step.status}: {step.error}'}"
        width = what.content_size.width
        if not layout and width:
            rules = what.styles  # what Textual itself measures a widget's content height with
            layout = visualize(what, text).get_height(rules, width) != what.visual.get_height(rules, width)  # type: ignore[arg-type]
        what.update(text, layout=layout)

    # -- keys ----------------------------------------------------------------------------------------------------
    def action_move(self, delta: int) -> None:
        cursor = min(max(0, self.cursor + delta), len(STEPS) - 1)
        if cursor != self.cursor and self.table is not None:
            self.cursor = cursor
            self._draw_step(layout=False)

    def action_open(self) -> None:
        self.app.action_show_tab(STEPS[self.cursor].tab)  # type: ignore[attr-defined]

    def action_run(self) -> None:
        if self.ctx.store is None:
            self.notify("The run store is unavailable, so no job can run.", severity="error")
            return
        table = self.table
        if table is not None and table.study is not None and table.study.active:
            self.notify(f"The study is running already (run {table.study.id}).", timeout=4)
        elif table is not None and not missing_steps(table):
            self.notify("Every step is done; nothing to run.", timeout=4)
        else:
            self.start_jobs([(JOB_KIND, {})])

    def jobs_started(self, runs: list[Run]) -> None:
        self.notify(f"study started: run {runs[0].id} (the missing steps run one after another)", timeout=4)
