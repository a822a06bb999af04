"""Focus without a repaint, for widgets that look the same with and without the focus.

Textual's ``Widget`` repaints every line of a widget when it gains or loses the focus, which throws away the lines
Textual keeps for it. A More tab view key moves the focus to the new view's widget each time: at 200×60 redrawing
those ~50 lines of digits was most of the key's frame (``benchmarks/bench_tabs.py``), though nothing in them shows
the focus. Styles still follow it: ``has_focus`` restyles the widget, and a ``:focus`` rule that changes it repaints.
"""

from __future__ import annotations

from textual import events
from textual.widget import Widget


class FocusWithoutRepaint(Widget):
    """A mixin: focus and blur keep the widget's lines. List it after the widget's class in the bases (Textual
    finds a widget by type, and styles it, through its first base)."""

    def on_focus(self, event: events.Focus) -> None:
        event.prevent_default()  # Textual's handler: the same as below, plus a repaint of the whole widget
        self.has_focus = True
        if self.parent is not None:
            self.parent.post_message(events.DescendantFocus(self))

    def on_blur(self, event: events.Blur) -> None:
        event.prevent_default()
        self.has_focus = False
        if self.parent is not None:
            self.parent.post_message(events.DescendantBlur(self))
