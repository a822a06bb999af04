"""The app's tabs: Textual's TabbedContent, minus one race at start-up."""

from __future__ import annotations

from textual.widgets import TabbedContent, TabPane


class AppTabs(TabbedContent):
    """Shows a tab when asked (a key, a click, the command palette), never because a widget in it took the focus.

    Textual's TabbedContent shows the pane of a newly focused widget when its ``TabPane.Focused`` message arrives.
    At start-up the Dataset tab's grid takes the focus; when another tab is shown (F2, ``snapshot --tab``) before
    that message is handled, the stale message switched back to the Dataset tab. Hidden widgets never take the
    focus by keys here, so nothing else relies on it.
    """

    def _on_tab_pane_focused(self, event: TabPane.Focused) -> None:
        event.stop()
        event.prevent_default()  # Textual would also call TabbedContent's own handler
