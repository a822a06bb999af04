"""A search run as the store holds it (grid, finished fits, run status), read without scikit-learn."""

from __future__ import annotations

from dataclasses import dataclass

from engine.search.summary import Fit, Row, leaderboard
from engine.store import Run, RunStore


@dataclass(frozen=True)
class SearchState:
    """What is known about a search so far; ``configs`` is empty until its ``grid`` event is written."""

    run: Run
    configs: list[dict]
    n_folds: int
    method: str | None
    fits: list[Fit]
    results: dict

    @property
    def fits_total(self) -> int:
        return len(self.configs) * self.n_folds if self.configs else self.run.fits_total

    @property
    def fits_done(self) -> int:
        return len(self.fits)

    def rows(self) -> list[Row]:
        return leaderboard(self.configs, self.fits, self.n_folds) if self.configs else []


def read_search(store: RunStore, run_id: int) -> SearchState:
    """The current state of search ``run_id`` (its ``fit`` events deduplicated by (config, fold))."""
    run = store.get_run(run_id)
    grid = store.events(run_id, kind="grid")
    configs = grid[0].payload["configs"] if grid else []
    n_folds = int(grid[0].payload["n_folds"]) if grid else int(run.params.get("cv", 5))
    method = grid[0].payload.get("method") if grid else None
    fits = {}
    for event in store.events(run_id, kind="fit"):
        fit = Fit.from_payload(event.payload)
        fits.setdefault((fit.config, fit.fold), fit)
    return SearchState(run, configs, n_folds, method, list(fits.values()), store.results(run_id, arrays=False))
