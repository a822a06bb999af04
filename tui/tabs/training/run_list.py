"""A table of runs of every kind (id, kind, params, status, elapsed), newest first, fitted to its width and keeping
the selection."""

from __future__ import annotations

import time
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable

from engine.render.status import STATUS_STYLE, describe_params, format_duration
from engine.store import Run


class RunTimes:
    """Elapsed and ETA as the run list and the details show them, at ``now`` (default: this instant); ``frozen``
    (seconds) pins every elapsed time (for snapshots)."""

    frozen: ClassVar[float | None] = None

    @classmethod
    def elapsed(cls, run: Run, now: float | None = None) -> str:
        return format_duration(cls.frozen if cls.frozen is not None else run.elapsed(now))

    @classmethod
    def eta(cls, run: Run, now: float | None = None) -> str | None:
        if cls.frozen is not None:
            return None
        eta = run.eta(now)
        return None if eta is None else format_duration(eta)


def status_text(run: Run) -> Text:
    return Text(run.status, style=STATUS_STYLE.get(run.status, ""))


class RunList(DataTable):
    """The runs in the store; the highlighted row is the selected run (``selected_id``).

    The columns fit the width: id, kind, status and elapsed as wide as they need, params the rest (cut with an
    ellipsis), so status and elapsed always show. ``enter`` posts ``RowSelected`` (the tab opens the run's results).
    A running run's elapsed time is read at ``now``, the clock of the last :meth:`tick`: the details read theirs
    there too, so the two never differ by the second between a tick and a job's report.
    """

    BINDINGS = [
        Binding("enter", "select_cursor", "Results", id="training-open"),
        Binding("home", "scroll_top", "First run", show=False),
        Binding("end", "scroll_bottom", "Last run", show=False),
    ]
    COLUMNS = (("id", "id"), ("kind", "kind"), ("params", "params"), ("status", "status"), ("elapsed", "elapsed"))
    STATUS_WIDTH = max(len(status) for status in STATUS_STYLE)
    ELAPSED_WIDTH = len("0:00:00")
    MIN_PARAMS_WIDTH = 8

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self._ids: list[int] = []
        self._runs: dict[int, Run] = {}
        self._widths: tuple[int, ...] = ()
        self.now = time.time()

    def on_mount(self) -> None:
        self._add_columns(self._column_widths([]))

    def on_resize(self) -> None:
        widths = self._column_widths(list(self._runs.values()))
        if widths != self._widths:
            self._rebuild(list(self._runs.values()), widths)

    @property
    def selected_id(self) -> int | None:
        if not self._ids or not 0 <= self.cursor_row < len(self._ids):
            return None
        return self._ids[self.cursor_row]

    def run(self, run_id: int) -> Run | None:
        return self._runs.get(run_id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return bool(self.row_count) if action == "select_cursor" else True  # enter: a run's results

    def show_runs(self, runs: list[Run], select: int | None = None) -> None:
        """Show ``runs`` (newest first); keep the selected run selected, or select ``select`` if given.

        A run that appears above the rows in view is scrolled into view (or, when that would hide the selection,
        announced), so a new run never arrives unseen.
        """
        keep = select if select is not None and any(r.id == select for r in runs) else self.selected_id
        ids = [r.id for r in runs]
        before, self._runs = self._runs, {r.id: r for r in runs}
        widths = self._column_widths(runs)
        if ids != self._ids or widths != self._widths:
            new = [r for r in runs if r.id not in before] if before else []
            self._rebuild(runs, widths, keep)
            if new and keep is not None and select is None:
                self.call_after_refresh(self._reveal, [r.id for r in new])
        else:
            for r in runs:
                old = before.get(r.id)
                if old is None or r == old:
                    continue
                # only cells that read differently: each update repaints the table (a job's progress changes its
                # run several times a second, but rarely what this list shows). The old cells are read at the
                # clock the list shows: at the moment's clock, a run ending a tick after its cell read 0:13 could
                # compare its final 0:14 with an old 0:14 and keep showing 0:13
                for (_, key), cell, was in zip(self.COLUMNS, self._cells(r), self._cells(old)):
                    if cell != was:
                        self.update_cell(str(r.id), key, cell)
            if keep != self.selected_id and keep in ids:
                self.move_cursor(row=ids.index(keep))

    def tick(self) -> None:
        """Refresh the elapsed time of active runs (an ended run's is fixed: it ends at ``run.finished``)."""
        self.now = time.time()
        for r in self._runs.values():
            if r.active:
                self.update_cell(str(r.id), "elapsed", RunTimes.elapsed(r, self.now))

    def _reveal(self, new_ids: list[int]) -> None:
        """Scroll up to runs that appeared above the view if the selection stays in view; else say they came."""
        rows = [self._ids.index(i) for i in new_ids if i in self._ids]
        if not rows or min(rows) >= self.scroll_y:
            return
        in_view = self.scrollable_content_region.height - self.header_height
        if self.cursor_row < in_view:
            self.scroll_to(y=0, animate=False)
        else:
            names = [f"{self._runs[self._ids[row]].kind} run {self._ids[row]}" for row in sorted(rows)]
            more = f" and {len(names) - 3} more" if len(names) > 3 else ""
            self.notify(f"New at the top of the list: {', '.join(names[:3])}{more} (home goes there)", timeout=6)

    def _column_widths(self, runs: list[Run]) -> tuple[int, ...]:
        ids = max((len(str(r.id)) for r in runs), default=1)
        kinds = max((len(r.kind) for r in runs), default=len("binary"))
        fixed = (max(ids, len("id")), max(kinds, len("kind")), self.STATUS_WIDTH, self.ELAPSED_WIDTH)
        padding = 2 * self.cell_padding * len(self.COLUMNS)
        params = self.scrollable_content_region.width - sum(fixed) - padding
        return fixed[0], fixed[1], max(self.MIN_PARAMS_WIDTH, params), fixed[2], fixed[3]

    def _add_columns(self, widths: tuple[int, ...]) -> None:
        self._widths = widths
        for (label, key), width in zip(self.COLUMNS, widths):
            self.add_column(label, key=key, width=width)

    def _rebuild(self, runs: list[Run], widths: tuple[int, ...], keep: int | None = None) -> None:
        keep = self.selected_id if keep is None else keep
        self._ids = [r.id for r in runs]
        self.clear(columns=widths != self._widths)
        if not self.columns:
            self._add_columns(widths)
        for r in runs:
            self.add_row(*self._cells(r), key=str(r.id))
        if keep in self._ids:
            self.move_cursor(row=self._ids.index(keep), animate=False)

    def _cells(self, run: Run) -> tuple:
        return (
            str(run.id),
            run.kind,
            Text(describe_params(run.params), no_wrap=True, overflow="ellipsis"),
            status_text(run),
            RunTimes.elapsed(run, self.now),
        )
