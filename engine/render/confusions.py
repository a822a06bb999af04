"""The top confusions of an error analysis (true → predicted, count, share of the true class), for CLI and TUI."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text

from engine.confusion import ErrorAnalysis
from engine.render.heatmap import short_names

COMPACT_NAME_WIDTH = 6  # class names in the Errors tab's list


def compact_rows(analysis: ErrorAnalysis, limit: int = 10) -> list[tuple[int, int, Text]]:
    """The Errors tab's list: (true, predicted, its line) for the ``limit`` largest off-diagonal cells, largest first,
    with short class names and aligned columns (``T-shir → Shirt 1,053 17.5%``)."""
    top = analysis.top_confusions(limit)
    names = short_names(analysis.class_names, COMPACT_NAME_WIDTH)
    totals = analysis.confusion.sum(axis=1)
    cells = [(names[t], names[p], f"{count:,}", f"{count / totals[t]:.1%}") for t, p, count in top]
    widths = [max((len(row[i]) for row in cells), default=0) for i in range(4)]
    rows = []
    for (t, p, _), (true, pred, count, share) in zip(top, cells, strict=True):
        text = Text(f"{true:>{widths[0]}} → {pred:<{widths[1]}} {count:>{widths[2]}} ")
        text.append(f"{share:>{widths[3]}}", style="dim")
        rows.append((int(t), int(p), text))
    return rows


@dataclass
class TopConfusions:
    """The ``limit`` largest off-diagonal cells, largest first, as a titled table with full class names
    (``mnist-explorer errors``; the Errors tab lists :func:`compact_rows`)."""

    analysis: ErrorAnalysis
    limit: int = 10

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        analysis = self.analysis
        top = analysis.top_confusions(self.limit)
        if not top:
            yield Text("no mistakes", style="dim")
            return
        totals = analysis.confusion.sum(axis=1)
        names = list(analysis.class_names)
        table = Table("true", "predicted", "images", "% of true class", title="Top confusions", title_justify="left")
        for t, p, count in top:
            table.add_row(names[t], names[p], f"{count:,}", f"{count / totals[t]:.1%}")
        yield table
