"""The Errors tab's top confusions as a list: ``↑`` ``↓`` pick a (true, predicted) pair, ``enter`` opens its digits.

Each row reads as the CLI's compact table (``engine.render.confusions.TopConfusions``): true → predicted, the count
and its share of the true class, largest first, with the same short class names.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from engine.confusion import ErrorAnalysis
from engine.render.heatmap import short_names

LIMIT = 40  # pairs listed (the panel scrolls)
NAME_WIDTH = 6


def confusion_rows(analysis: ErrorAnalysis, limit: int = LIMIT) -> list[tuple[int, int, Text]]:
    """(true, predicted, its row) for the ``limit`` largest off-diagonal cells, largest first; columns aligned."""
    top = analysis.top_confusions(limit)
    names = short_names(analysis.class_names, NAME_WIDTH)
    totals = analysis.confusion.sum(axis=1)
    cells = [(names[t], names[p], f"{count:,}", f"{count / totals[t]:.1%}") for t, p, count in top]
    widths = [max((len(row[i]) for row in cells), default=0) for i in range(4)]
    rows = []
    for (t, p, _), (true, pred, count, share) in zip(top, cells, strict=True):
        text = Text(f"{true:>{widths[0]}} → {pred:<{widths[1]}} {count:>{widths[2]}} ")
        text.append(f"{share:>{widths[3]}}", style="dim")
        rows.append((int(t), int(p), text))
    return rows


class ConfusionList(OptionList):
    """One option per confusion pair (its id is ``"true predicted"``); ``enter`` posts ``OptionSelected``."""

    BINDINGS = [Binding("enter", "select", "Open cell", id="errors-open-confusion")]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._has_pairs = False

    def show(self, analysis: ErrorAnalysis | None) -> None:
        """List ``analysis``'s top confusions (nothing when None; a disabled line when it made no mistake)."""
        self.clear_options()
        rows = [] if analysis is None else confusion_rows(analysis)
        if analysis is not None and not rows:
            self.add_option(Option(Text("no mistakes", style="dim"), disabled=True))
        self.add_options([Option(text, id=f"{t} {p}") for t, p, text in rows])
        if bool(rows) != self._has_pairs:
            self._has_pairs = bool(rows)
            self.refresh_bindings()

    @staticmethod
    def pair(option: Option) -> tuple[int, int] | None:
        """The (true, predicted) cell an option lists."""
        if option.id is None:
            return None
        true, predicted = option.id.split()
        return int(true), int(predicted)

    def allow_focus(self) -> bool:
        return self._has_pairs  # no tab stop where no key would do anything

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """enter is offered only when there is a pair to open."""
        return action != "select" or self._has_pairs
