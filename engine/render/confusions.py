"""The top confusions of an error analysis (true → predicted, count, share of the true class), for CLI and TUI."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text

from engine.confusion import ErrorAnalysis
from engine.render.heatmap import short_names


@dataclass
class TopConfusions:
    """The ``limit`` largest off-diagonal cells, largest first. ``compact``: a bare grid with short class names
    (the Errors tab's side panel); otherwise a titled table with full names (``mnist-explorer errors``)."""

    analysis: ErrorAnalysis
    limit: int = 10
    compact: bool = False

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        analysis = self.analysis
        top = analysis.top_confusions(self.limit)
        if not top:
            yield Text("no mistakes", style="dim")
            return
        totals = analysis.confusion.sum(axis=1)
        if self.compact:
            names = short_names(analysis.class_names, 6)
            table = Table.grid(padding=(0, 1))
            table.add_column(justify="right")
            table.add_column()
            table.add_column(justify="right")
            table.add_column(justify="right", style="dim")
            for t, p, count in top:
                table.add_row(names[t], f"→ {names[p]}", f"{count:,}", f"{count / totals[t]:.1%}")
        else:
            names = list(analysis.class_names)
            table = Table(
                "true", "predicted", "images", "% of true class", title="Top confusions", title_justify="left"
            )
            for t, p, count in top:
                table.add_row(names[t], names[p], f"{count:,}", f"{count / totals[t]:.1%}")
        yield table
