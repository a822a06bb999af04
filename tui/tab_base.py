"""The base of every tab: it is handed a :class:`~tui.context.TabContext`, follows runs through the app's watcher
messages (only while shown), and launches, cancels and deletes runs in thread workers, the one way for every tab."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import work
from textual.message import Message

from engine.errors import ExplorerError
from engine.follow import RunChanged, RunsListed, Update
from engine.store import Run
from tui.context import TabContext
from tui.messages import DataReady, RunUpdates
from tui.widgets.confirm import ConfirmDialog


@dataclass
class JobsStarted(Message):
    """Runs this tab launched (in the order asked)."""

    runs: list[Run]


@dataclass
class JobCancelled(Message):
    """A run this tab asked to stop, as it ended (cancelled, or already finished on its own)."""

    run: Run


if TYPE_CHECKING:  # a mixin of widgets: type-checked as one
    from textual.widget import Widget as _Mixin
else:
    _Mixin = object


class TabBase(_Mixin):
    """A tab. Subclasses override :meth:`runs_updated` (and :meth:`data_ready`) instead of reading the app.

    While the tab is hidden, updates wait (the latest run list and every event kept) and are handed over when it
    is shown: a hidden tab reacting to every progress write would cost the shown one frames. A mixin before the
    tab's container class (``class XTab(TabBase, Vertical)``), so the container's styles apply unchanged; its
    handlers are Textual's ``on_<message>`` methods.
    """

    def __init__(self, ctx: TabContext, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)  # the container's constructor
        self.ctx = ctx
        self._pending: list[Update] = []
        self._pending_list = False  # the run list changed while hidden

    def _get_dispatch_methods(self, method_name: str, message: Message) -> Iterator[tuple[type, Callable]]:
        """Textual's handlers for ``message``, without the tab's own once the app is quitting.

        A tab mounted in the moment the app quits (a deferred one, just after start-up) composes after
        ``App.exit``: Textual then refuses to mount its children, yet still sends it Mount and whatever was queued,
        and every handler that looks up one of its widgets would raise NoMatches, turning the quit into an error.
        Textual's own handlers (Prune, Unmount) still run, so the tab is removed as usual.
        """
        quitting = self._pruning or self.app._exit
        for cls, method in super()._get_dispatch_methods(method_name, message):
            if not (quitting and issubclass(cls, TabBase)):
                yield cls, method

    # -- to override ---------------------------------------------------------------------------------------------
    def runs_updated(self, updates: list[Update]) -> None:
        """The store changed: ``updates`` from the follow layer, in order (``ctx.runs`` is already current)."""

    def data_ready(self) -> None:
        """``ctx.dataset`` (or ``ctx.data_error``) is set."""

    def run_opened(self, run_id: int) -> None:
        """Another tab asked this one to show run ``run_id`` (``enter`` on a run in the Training tab); called once
        the tab is shown, after any pending updates."""

    def jobs_started(self, runs: list[Run]) -> None:
        """Runs this tab launched have been created."""
        self.notify(f"started run {', '.join(str(r.id) for r in runs)}", timeout=3)

    # -- following -----------------------------------------------------------------------------------------------
    @property
    def is_shown(self) -> bool:
        return all(node.display for node in self.ancestors_with_self if hasattr(node, "display"))

    def on_run_updates(self, message: RunUpdates) -> None:
        message.stop()
        if self.is_shown:
            self._hand_over(list(message.updates))
        else:
            self._pending.extend(u for u in message.updates if not isinstance(u, RunsListed | RunChanged))
            self._pending_list = True

    def on_show(self) -> None:
        if self._pending_list:
            self._pending_list = False
            pending, self._pending = self._pending, []
            # each run's latest state stands in for the changes dropped while hidden, then what must not be lost
            current: list[Update] = [RunsListed(self.ctx.runs), *(RunChanged(run) for run in self.ctx.runs)]
            self._hand_over([*current, *pending])
        pane = self.parent
        run_id = self.ctx.take_run_to_open(pane.id) if pane is not None and pane.id else None
        if run_id is not None:
            self.run_opened(run_id)

    def _hand_over(self, updates: list[Update]) -> None:
        self.runs_updated(updates)

    def on_data_ready(self, message: DataReady) -> None:
        message.stop()
        self.data_ready()

    # -- the one way to start and stop jobs ------------------------------------------------------------------------
    @work(thread=True, group="tab-jobs", exit_on_error=False)
    def start_jobs(self, jobs: list[tuple[str, dict]]) -> None:
        """Launch ``(kind, params)`` jobs on the app's data; a store error becomes a notification."""
        try:
            runs = [self.ctx.launch(kind, params) for kind, params in jobs]
        except ExplorerError as exc:
            self.app.call_from_thread(self.notify, str(exc), title="Cannot start", severity="error")
            return
        self.post_message(JobsStarted(runs))

    def confirm_cancel(self, run_id: int, question: str) -> None:
        """Cancel run ``run_id`` if the person says yes to ``question`` (every tab's cancel asks the same way)."""

        def answered(yes: bool | None) -> None:
            if yes:
                self.cancel_job(run_id)

        self.app.push_screen(ConfirmDialog(question), answered)

    @work(thread=True, group="tab-jobs", exit_on_error=False)
    def cancel_job(self, run_id: int) -> None:
        try:
            run = self.ctx.cancel(run_id)
        except ExplorerError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="warning")
            return
        self.post_message(JobCancelled(run))

    @work(thread=True, group="tab-jobs", exit_on_error=False)
    def delete_run(self, run_id: int) -> None:
        try:
            self.ctx.delete(run_id)
        except ExplorerError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="warning")
            return
        self.app.call_from_thread(self.notify, f"run {run_id} deleted", timeout=3)

    def on_jobs_started(self, message: JobsStarted) -> None:
        self.jobs_started(message.runs)

    def on_job_cancelled(self, message: JobCancelled) -> None:
        run = message.run
        if run.status == "cancelled":
            self.notify(f"run {run.id} cancelled; its finished results stay", timeout=3)
        else:
            self.notify(f"run {run.id} had already ended: {run.status}", timeout=4)
