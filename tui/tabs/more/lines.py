"""The More tab's one-line Statics (the views lines, the status lines): repainted only when their text changes."""

from __future__ import annotations

from textual.widgets import Static


def update_line(line: Static, text: str) -> None:
    """Show ``text`` in ``line`` (its height fixed: no layout) unless it shows it already.

    A view shown again sends its status anew (the grid's Moved on the Resize of being shown, the focus coming back),
    a frame or two after the view: a repaint of the same text there then stretched the next frame, the footer's,
    over every line in between (Textual repaints the box around all the regions to update).
    """
    if line.content != text:
        line.update(text, layout=False)
