"""A progress bar drawn the same whichever came first, its percentage or its layout (Search and Training tabs).

Textual's ``Bar`` rounds a percentage to its half cells when the percentage is set, by its width then: one set before
the bar had a width (its row was hidden, or not yet laid out) stays unrounded, and the bar ends half a cell
further than the same percentage set later. Under load either order happens, so a snapshot showed one or the other.
"""

from __future__ import annotations

from textual.widgets import ProgressBar
from textual.widgets._progress_bar import Bar


class StableProgressBar(ProgressBar):
    """A ProgressBar whose bar takes its percentage again, rounded for its width, whenever it is laid out anew."""

    def on_resize(self) -> None:
        if self.percentage is not None:
            self.query_one(Bar).percentage = self.percentage
