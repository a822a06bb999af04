"""The one way to follow runs: notice store changes cheaply and yield typed updates.

Every follower — the CLI's commands and the app's one worker — consumes a :class:`RunWatcher`. A poll costs one
``PRAGMA data_version`` when nothing changed (SQLite bumps it whenever another connection commits); after a change it
reads the runs once, compares them with what it saw, and reads each followed run's events after a ``seq`` cursor.
Vanished jobs are looked for (``RunStore.reap``) at most every ``reap_interval`` seconds while a run is active,
since a dead process writes nothing the data version could show.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from engine.errors import StoreError
from engine.store import Event, Run, RunStore


@dataclass(frozen=True)
class RunsListed:
    """The list of runs changed (a run appeared, went, or changed state or progress): every run, newest first."""

    runs: tuple[Run, ...]


@dataclass(frozen=True)
class RunChanged:
    """One run's state or progress changed."""

    run: Run


@dataclass(frozen=True)
class NewEvents:
    """Events a followed run wrote since the last poll, oldest first."""

    run_id: int
    events: tuple[Event, ...]


@dataclass(frozen=True)
class RunFinished:
    """A run reached a final state (done, failed, cancelled or interrupted); ``results`` are its JSON results."""

    run: Run
    results: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RunInterrupted:
    """A run's job vanished (killed or crashed) and this watcher marked it interrupted."""

    run: Run


Update = RunsListed | RunChanged | NewEvents | RunFinished | RunInterrupted


class RunWatcher:
    """Follows the runs of one store.

    ``runs``: the ids to follow (None: every run). ``events``: which runs' events to read — ``"active"`` (those
    running, and each once more as it finishes), ``"all"`` (every followed run, history first) or ``"none"``.
    ``clock`` is injectable so tests can drive reaping without sleeping.
    """

    def __init__(
        self,
        store: RunStore,
        runs: Iterable[int] | None = None,
        *,
        events: str = "active",
        reap_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if events not in ("active", "all", "none"):
            raise ValueError(events)
        self.store = store
        self.run_ids = None if runs is None else set(runs)
        self.events_mode = events
        self.reap_interval = reap_interval
        self.clock = clock
        self.runs: dict[int, Run] = {}  # what the last poll saw
        self._cursors: dict[int, int] = {}
        self._data_version: int | None = None
        self._last_reap = float("-inf")
        self._poked = True

    def poke(self) -> None:
        """Read everything at the next poll (after this process itself wrote, which data_version does not show)."""
        self._poked = True

    def follow(self, run_id: int, after: int = 0) -> None:
        """Also follow ``run_id`` (its events from ``seq > after``)."""
        if self.run_ids is not None:
            self.run_ids.add(run_id)
        self._cursors.setdefault(run_id, after)
        self._poked = True

    def poll(self) -> list[Update]:
        """One look at the store: the updates since the previous poll (none when nothing changed)."""
        updates: list[Update] = []
        reaped: set[int] = set()
        now = self.clock()
        watching_active = self._data_version is None or any(r.active for r in self.runs.values())
        if watching_active and now - self._last_reap >= self.reap_interval:
            self._last_reap = now
            reaped = set(self.store.reap())
        version = self.store.data_version()
        if not (self._poked or reaped or version != self._data_version):
            return updates
        self._poked = False
        self._data_version = version
        listed = self.store.list_runs() if self.run_ids is None else self._listed(self.run_ids)
        before = self.runs
        self.runs = {r.id: r for r in listed}
        changed = [r for r in listed if before.get(r.id) != r]
        if changed or before.keys() != self.runs.keys():
            updates.append(RunsListed(tuple(listed)))
        updates.extend(RunChanged(r) for r in changed)
        for run in listed:
            updates.extend(self._new_events(run, before.get(run.id)))
        for run in changed:
            was = before.get(run.id)
            if not run.active and (was is None or was.active):
                if run.id in reaped:
                    updates.append(RunInterrupted(run))
                if was is not None or run.id in reaped or self.run_ids is not None:  # seen ending, or asked for
                    updates.append(RunFinished(run, self._results(run.id)))
        for gone in self._cursors.keys() - self.runs.keys():
            if self.run_ids is None or gone not in self.run_ids:
                del self._cursors[gone]
        return updates

    def updates(
        self,
        interval: float = 0.2,
        stop: Callable[[], bool] = lambda: False,
        sleep: Callable[[float], None] = time.sleep,
    ) -> Iterator[list[Update]]:
        """Poll every ``interval`` seconds until ``stop()``; yields each non-empty batch of updates."""
        while not stop():
            batch = self.poll()
            if batch:
                yield batch
            if stop():
                return
            sleep(interval)

    def _listed(self, ids: set[int]) -> list[Run]:
        runs = []
        for run_id in sorted(ids, reverse=True):
            try:
                runs.append(self.store.get_run(run_id))
            except StoreError:  # deleted: it simply is not listed any more
                continue
        return runs

    def _new_events(self, run: Run, was: Run | None) -> list[NewEvents]:
        if self.events_mode == "none":
            return []
        wanted = self.events_mode == "all" or run.id in self._cursors or run.active or (was is not None and was.active)
        if not wanted:
            return []
        after = self._cursors.get(run.id, 0)
        events = self.store.events(run.id, after=after)
        if run.active or self.events_mode == "all":
            self._cursors[run.id] = events[-1].seq if events else after
        else:
            self._cursors.pop(run.id, None)  # finished: its last events are read now, nothing more will come
        return [NewEvents(run.id, tuple(events))] if events else []

    def _results(self, run_id: int) -> dict:
        try:
            return self.store.results(run_id, arrays=False)
        except StoreError:
            return {}


def follow_run(
    store: RunStore, run_id: int, interval: float = 0.2, sleep: Callable[[float], None] | None = None
) -> Iterator[Update]:
    """The updates of one run, history first, until it has finished (the last update is its RunFinished)."""
    sleep = sleep or time.sleep
    watcher = RunWatcher(store, [run_id], events="all")
    while True:
        for update in watcher.poll():
            yield update
            if isinstance(update, RunFinished):
                return
        if run_id not in watcher.runs:
            raise StoreError(f"run {run_id} was deleted while it was followed")
        sleep(interval)
