"""The Errors tab's top confusions as a list: ``↑`` ``↓`` pick a (true, predicted) pair, ``enter`` opens its digits.

Each row is :func:`engine.render.confusions.compact_rows`: true → predicted, the count and its share of the true
class, largest first, with short class names.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from engine.confusion import ErrorAnalysis
from engine.render.confusions import compact_rows

LIMIT = 40  # pairs listed (the panel scrolls)


class ConfusionList(OptionList):
    """One option per confusion pair (its id is ``"true predicted"``); ``enter`` posts ``OptionSelected``."""

    BINDINGS = [Binding("enter", "select", "Open cell", id="errors-open-confusion")]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._has_pairs = False

    def show(self, analysis: ErrorAnalysis | None) -> None:
        """List ``analysis``'s top confusions (nothing when None; a disabled line when it made no mistake)."""
        self.clear_options()
        rows = [] if analysis is None else compact_rows(analysis, LIMIT)
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
