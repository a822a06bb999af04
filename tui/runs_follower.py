"""A mixin for tabs that react to the app's list of runs only while they are shown."""

from __future__ import annotations

from collections.abc import Callable

from engine.store import Run


class RunsFollower:
    """Calls a tab's callback when ``app.runs`` changes while the tab is shown; a hidden tab catches up when shown.

    While jobs report progress the list changes every poll; hidden tabs reacting to it would cost the tab in view
    frames (and the person typing, latency) for nothing.
    """

    _runs_callback: Callable[[list[Run]], None] | None = None
    _runs_pending = False

    def follow_runs(self, callback: Callable[[list[Run]], None]) -> None:
        self._runs_callback = callback
        self.watch(self.app, "runs", self._runs_arrived)

    def _is_shown(self) -> bool:
        return all(node.display for node in self.ancestors_with_self if hasattr(node, "display"))

    def _runs_arrived(self, runs: list[Run]) -> None:
        if self._is_shown():
            self._runs_pending = False
            self._runs_callback(runs)
        else:
            self._runs_pending = True

    def on_show(self) -> None:
        if self._runs_pending and self._runs_callback is not None:
            self._runs_pending = False
            self._runs_callback(self.app.runs)
