"""The app's footer: Textual's, rebuilt only when the keys it shows changed.

Textual's Footer removes and mounts all its key widgets (styling each anew) whenever the screen's bindings may have
changed: every focus change and every ``refresh_bindings()``. Tabs call that on cursor moves (the Errors tab, so
``s``/``c`` follow the model) and a view switch moves the focus two or three times, so at 200×60 the rebuilds were a
large part of a key's time on the Errors and More tabs (``benchmarks/bench_tabs.py``) though the keys shown
rarely change.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class AppFooter(Footer):
    """A Footer that skips rebuilding when the shown keys (key, label, action, enabled, tooltip, group) are
    the same as at its last rebuild."""

    def __init__(self, *, compact: bool = False) -> None:
        super().__init__(compact=compact)
        self._shown: tuple | None = None

    def bindings_changed(self, screen: Screen) -> None:
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            shown = tuple(
                (binding.key, binding.key_display, binding.description, binding.action, enabled, tooltip, binding.group)
                for (_, binding, enabled, tooltip) in screen.active_bindings.values()
                if binding.show
            )
            if shown == self._shown:
                return
            self._shown = shown
        super().bindings_changed(screen)
