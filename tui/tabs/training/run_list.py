"""A table of runs of every kind (id, kind, params, status, elapsed), newest first, keeping the selection."""

from __future__ import annotations

import time
from typing import ClassVar

from rich.text import Text
from textual.widgets import DataTable

from engine.render.status import STATUS_STYLE, describe_params, format_duration
from engine.store import Run


class RunTimes:
    """Elapsed and ETA as shown in the app; ``frozen`` (seconds) pins every elapsed time (for snapshots)."""

    frozen: ClassVar[float | None] = None

    @classmethod
    def elapsed(cls, run: Run) -> str:
        return format_duration(cls.frozen if cls.frozen is not None else run.elapsed(time.time()))

    @classmethod
    def eta(cls, run: Run) -> str | None:
        if cls.frozen is not None:
            return None
        eta = run.eta(time.time())
        return None if eta is None else format_duration(eta)


def status_text(run: Run) -> Text:
    return Text(run.status, style=STATUS_STYLE.get(run.status, ""))


class RunList(DataTable):
    """The runs in the store; the highlighted row is the selected run (``selected_id``)."""

    COLUMNS = (("id", "id"), ("kind", "kind"), ("params", "params"), ("status", "status"), ("elapsed", "elapsed"))

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self._ids: list[int] = []
        self._runs: dict[int, Run] = {}

    def on_mount(self) -> None:
        for label, key in self.COLUMNS:
            self.add_column(label, key=key)

    @property
    def selected_id(self) -> int | None:
        if not self._ids or not 0 <= self.cursor_row < len(self._ids):
            return None
        return self._ids[self.cursor_row]

    def run(self, run_id: int) -> Run | None:
        return self._runs.get(run_id)

    def show_runs(self, runs: list[Run], select: int | None = None) -> None:
        """Show ``runs`` (newest first); keep the selected run selected, or select ``select`` if given."""
        keep = select if select is not None and any(r.id == select for r in runs) else self.selected_id
        ids = [r.id for r in runs]
        before, self._runs = self._runs, {r.id: r for r in runs}
        if ids != self._ids:
            self._ids = ids
            self.clear()
            for r in runs:
                self.add_row(*self._cells(r), key=str(r.id))
            if keep in ids:
                self.move_cursor(row=ids.index(keep))
        else:
            for r in runs:
                old = before.get(r.id)
                if old is None or r == old:
                    continue
                # only cells that read differently: each update repaints the table (a job's progress changes its
                # run several times a second, but rarely what this list shows)
                for (_, key), cell, was in zip(self.COLUMNS, self._cells(r), self._cells(old)):
                    if cell != was:
                        self.update_cell(str(r.id), key, cell, update_width=True)
            if keep != self.selected_id and keep in ids:
                self.move_cursor(row=ids.index(keep))

    def tick(self) -> None:
        """Refresh the elapsed time of active runs."""
        for r in self._runs.values():
            if r.active:
                self.update_cell(str(r.id), "elapsed", RunTimes.elapsed(r))

    def _cells(self, run: Run) -> tuple:
        return (str(run.id), run.kind, describe_params(run.params), status_text(run), RunTimes.elapsed(run))
