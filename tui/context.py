"""What the app hands each tab: the data, the run store to read, the latest runs, and the one way to start jobs.

Tabs get a :class:`TabContext` in their constructor (as toolong hands its watcher to each view) and never reach into
the app for the store. Store calls block, so tabs make them in thread workers; :class:`~tui.tab_base.TabBase` wraps
launching, cancelling and deleting in such workers.
"""

from __future__ import annotations

from collections.abc import Callable

from engine.data import Dataset, DataSpec
from engine.errors import StoreError
from engine.jobs import cancel_run, launch
from engine.store import Run, RunStore


class TabContext:
    """The app's data and run store as tabs see them. ``poke`` makes the app's run watcher look at once."""

    def __init__(self, data_spec: DataSpec, store: RunStore | None, poke: Callable[[], None] = lambda: None) -> None:
        self.data_spec = data_spec
        self.store = store
        self.dataset: Dataset | None = None  # set by the app once the data is loaded
        self.data_error: str | None = None  # why the data could not be loaded, if it could not
        self.runs: tuple[Run, ...] = ()  # every run, newest first, as the app's watcher last saw them
        self._poke = poke
        self._to_open: dict[str, int] = {}  # tab id -> the run it should show when it is shown next

    def require_store(self) -> RunStore:
        """The run store, or a one-line StoreError (shown as a notification) when it could not be opened."""
        if self.store is None:
            raise StoreError("the run store is unavailable, so no job can run (see the notification at start)")
        return self.store

    def launch(self, kind: str, params: dict) -> Run:
        """Start a job on the app's data (blocks: call from a thread worker)."""
        run = launch(self.require_store(), kind, params, self.data_spec)
        self._poke()
        return run

    def resume(self, run_id: int) -> Run:
        """Relaunch a run that stopped unfinished on the same run id, on its own data (as ``runs resume``)."""
        store = self.require_store()
        run = store.get_run(run_id)
        if run.active or run.status == "done":
            raise StoreError(f"run {run_id} is {run.status}: only a run that stopped unfinished can be resumed")
        run = launch(store, run.kind, run.params, DataSpec.from_dict(run.data), run_id=run.id)
        self._poke()
        return run

    def cancel(self, run_id: int) -> Run:
        """Stop a run (blocks up to a second); an already finished run is returned as it is."""
        store = self.require_store()
        run = store.get_run(run_id)
        if run.active:
            run = cancel_run(store, run_id)
        self._poke()
        return run

    def delete(self, run_id: int) -> None:
        self.require_store().delete_run(run_id)
        self._poke()

    def poke(self) -> None:
        self._poke()

    def open_run(self, tab_id: str, run_id: int) -> None:
        """Ask tab ``tab_id`` to show run ``run_id`` (as the Training tab's ``enter`` does before showing it): the
        tab takes the request when it is shown (:meth:`~tui.tab_base.TabBase.run_opened`), mounted yet or not."""
        self._to_open[tab_id] = run_id

    def take_run_to_open(self, tab_id: str) -> int | None:
        return self._to_open.pop(tab_id, None)
