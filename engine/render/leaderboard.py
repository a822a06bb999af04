"""A search's leaderboard as a rich renderable: a status line and a table of configs, best first.

Drawn by ``mnist-explorer search`` / ``runs watch`` (inside rich Live) from the same
:class:`engine.leaderboard.Leaderboard` the Search tab shows.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text

from engine.leaderboard import ConfigRow, Pace
from engine.render.status import STATUS_STYLE, format_duration
from engine.results import SearchResults
from engine.search.grid import describe
from engine.search.state import SearchState


def fmt_score(value: float | None) -> str:
    return "–" if value is None else f"{value:.4f}"


def fmt_mean(row: ConfigRow) -> str:
    """``0.9512 ± 0.0040``; the mean alone while a single fold is in (a std of one score says nothing)."""
    if row.mean is None:
        return "–"
    return f"{row.mean:.4f}" if row.folds_done < 2 or row.std is None else f"{row.mean:.4f} ± {row.std:.4f}"


def status_line(state: SearchState, now: float | None = None) -> Text:
    """``run 3 knn · 24/40 fits · 0:05 · ETA 0:03 · 4.8 fits/s · running``."""
    run = state.run
    elapsed = run.elapsed(now)
    parts = [
        f"run {run.id} {run.params.get('estimator', run.kind)}",
        f"{state.fits_done}/{state.fits_total} fits",
        format_duration(elapsed),
    ]
    eta = run.eta(now)
    if eta is not None:
        parts.append(f"ETA {format_duration(eta)}")
    throughput = Pace(state.fits_done, state.fits_total, elapsed).throughput
    if throughput is not None and run.active:
        parts.append(f"{throughput:.1f} fits/s")
    if state.board.method:
        parts.append(state.board.method)
    text = Text(" · ".join(parts) + " · ")
    text.append(run.status, style=STATUS_STYLE.get(run.status, ""))
    if run.error:
        text.append(f" — {run.error}", style="red")
    return text


@dataclass
class LeaderboardView:
    """Renderable leaderboard of a search; ``max_rows`` (default: all) bounds the table's config rows; ``folds``
    False leaves out each fold's score (a narrow panel)."""

    state: SearchState
    max_rows: int | None = None
    now: float | None = None
    folds: bool = True

    def table(self, max_rows: int | None = None) -> Table:
        n_folds = self.state.board.n_folds
        headers = ["#", "params", "mean ± std", *(["folds"] if self.folds else []), "fit s", "status"]
        table = Table(*headers, box=None, pad_edge=False, header_style="bold", expand=False)
        for column in table.columns:
            column.justify = "right" if column.header in ("#", "mean ± std", "fit s") else "left"
        rows = self.state.board.ranked()
        shown = rows if max_rows is None else rows[: max(1, max_rows)]
        for row in shown:
            mean = fmt_mean(row)
            folds = " ".join("·····" if s is None else f"{s:.3f}" for s in row.scores)
            fit = "–" if row.mean_fit_time is None else f"{row.mean_fit_time:.2f}"
            style = {"done": "green", "partial": "cyan", "pending": "dim"}[row.status]
            status = f"{row.folds_done}/{n_folds}" if row.status == "partial" else row.status
            table.add_row(
                "–" if row.rank is None else str(row.rank),
                describe(row.params),
                mean,
                *([folds] if self.folds else []),
                fit,
                Text(status, style=style),
                style="bold" if row.rank == 1 and row.status == "done" else None,
            )
        if len(shown) < len(rows):
            more = Text(f"… {len(rows) - len(shown)} more configs", style="dim")
            table.add_row("", more, *[""] * (len(headers) - 2))
        return table

    def footer(self) -> Text | None:
        final = SearchResults.from_results(self.state.results)
        if final is None:
            return None
        return Text.assemble(
            ("best ", "bold"),
            describe(final.best_params),
            f" · cv {final.best_score:.4f} · test {final.test_accuracy:.4f} · search {final.elapsed_s:.2f}s",
        )

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield status_line(self.state, self.now if self.now is not None else time.time())
        if not self.state.board.rows:
            yield Text("waiting for the search to start…", style="dim")
            return
        yield self.table(self.max_rows)
        footer = self.footer()
        if footer is not None:
            yield footer
