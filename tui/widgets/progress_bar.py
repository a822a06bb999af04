"""The Search tab's progress bar: Textual's, drawn the same whichever came first, its percentage or its layout.

Textual's ``Bar`` rounds a percentage to its half cells when the percentage is set, by its width then: one set before
the bar had a width (the pace row was hidden, or not yet laid out) stays unrounded, and the bar ends half a cell
further than the same percentage set later. Under load either order happens, so a snapshot showed one or the other.
"""

from __future__ import annotations

from textual.widgets import ProgressBar
from textual.widgets._progress_bar import Bar


class SearchProgress(ProgressBar):
    """A ProgressBar whose bar takes its percentage again, rounded for its width, whenever it is laid out anew."""

    def on_resize(self) -> None:
        if self.percentage is not None:
            self.query_one(Bar).percentage = self.percentage
