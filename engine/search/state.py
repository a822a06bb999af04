"""A search run as the store holds it: the run, its :class:`~engine.leaderboard.Leaderboard` and its results.

Read without scikit-learn, by the CLI (``search``, ``runs watch``/``resume``/``export``) and the Search tab alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.leaderboard import Leaderboard, LeaderboardBuilder
from engine.store import Run, RunStore


@dataclass(frozen=True)
class SearchState:
    """What is known about a search so far; the board has no rows until its ``grid`` event is written and
    ``results`` stays empty while it runs."""

    run: Run
    board: Leaderboard
    results: dict = field(default_factory=dict)

    @property
    def fits_done(self) -> int:
        return self.board.fits_done

    @property
    def fits_total(self) -> int:
        return self.board.fits_total or self.run.fits_total


class SearchReader:
    """Follows search ``run_id``: each :meth:`read` reads only the events written since the previous one."""

    def __init__(self, store: RunStore, run_id: int) -> None:
        self.store = store
        self.run_id = run_id
        self.builder: LeaderboardBuilder | None = None
        self.changed = False  # whether the last read found new grid or fit events

    def read(self) -> SearchState:
        run = self.store.get_run(self.run_id)  # before the events: once it reads finished, every event is in
        if self.builder is None:
            self.builder = LeaderboardBuilder(run.params.get("estimator"))
        self.changed = self.builder.add(self.store.events(self.run_id, after=self.builder.last_seq))
        results = {} if run.active else self.store.results(self.run_id, arrays=False)
        return SearchState(run, self.builder.board(), results)


def read_search(store: RunStore, run_id: int) -> SearchState:
    """The current state of search ``run_id``, read in one go."""
    return SearchReader(store, run_id).read()
