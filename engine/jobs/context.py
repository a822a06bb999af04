"""What a running job sees: its parameters, its data, and ways to report through the store."""

from __future__ import annotations

import time
from functools import cached_property
from typing import Any

import numpy as np

from engine.data import Dataset, DataSpec, load_dataset
from engine.store import Run, RunStore


class Cancelled(BaseException):
    """Raised inside a job when it has been asked to stop.

    A ``BaseException`` (like ``KeyboardInterrupt``) so that ``except Exception`` in a job or in a library it
    calls (e.g. scikit-learn's ``error_score`` handling) cannot swallow the cancel.
    """


class JobContext:
    """The handle a job function gets. Progress writes are throttled so a fast job never floods the store."""

    PROGRESS_INTERVAL = 0.1

    def __init__(self, store: RunStore, run: Run) -> None:
        self.store = store
        self.run = run
        self.run_id = run.id
        self.params: dict = run.params
        self._done = 0
        self._total = run.fits_total
        self._last_write = 0.0

    @cached_property
    def data_spec(self) -> DataSpec:
        return DataSpec.from_dict(self.run.data)

    @cached_property
    def dataset(self) -> Dataset:
        return load_dataset(self.data_spec)

    def progress(
        self, done: int | None = None, total: int | None = None, *, advance: int = 0, force: bool = False
    ) -> None:
        """Set (or advance) the count of finished steps out of ``total``."""
        if total is not None:
            self._total = total
        self._done = done if done is not None else self._done + advance
        now = time.monotonic()
        if force or total is not None or self._done >= self._total or now - self._last_write >= self.PROGRESS_INTERVAL:
            self.store.set_progress(self.run_id, self._done, self._total)
            self._last_write = now

    def add_total(self, extra: int) -> None:
        """Grow the step count (a phase whose size is known only now)."""
        self.progress(self._done, self._total + extra)

    def step_event(self, kind: str, **payload: Any) -> None:
        """An event that completes one step: the event and the step count are written in one transaction, so
        after a kill the run's count never trails the events it has (a search's stored fits)."""
        self._done += 1
        self.store.add_event(self.run_id, kind, payload, fits_done=self._done)
        self._last_write = time.monotonic()

    def log(self, message: str) -> None:
        self.store.add_event(self.run_id, "log", {"message": message})

    def event(self, kind: str, **payload: Any) -> None:
        self.store.add_event(self.run_id, kind, payload)

    def save(self, **results: Any) -> None:
        """Store results, all in one transaction (numpy arrays as ``.npy``, anything else as JSON): what belongs
        together, such as scores and their labels, is never half there after a kill."""
        self.store.put_results(
            self.run_id,
            {name: value.item() if isinstance(value, np.generic) else value for name, value in results.items()},
        )

    def saved(self, name: str, default: Any = None) -> Any:
        """A result this run stored earlier (used when resuming)."""
        return self.store.get_result(self.run_id, name, default)
