"""The app's default screen: Textual's, without a repaint of the whole screen on every focus change.

Textual's ``Screen.focused`` is a reactive that repaints the screen when it changes, so each focus change redrew
every line of the screen in a frame of its own (~5–15 ms at 200×60, more under load: a More tab view key moves the
focus each time, ``benchmarks/bench_tabs.py``). Nothing on the screen itself shows the focus: the widgets that gain
and lose it repaint themselves (``Widget._on_focus``/``_on_blur``) and are restyled for ``:focus`` rules.
"""

from __future__ import annotations

from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget


class AppScreen(Screen):
    """A Screen whose focus changes repaint only the widgets concerned."""

    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
