"""A stand-in for a tab that is not shown at start: the app paints first, then the tab is imported and mounted."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.widget import Widget
from textual.widgets import TabbedContent, TabPane

from tui.context import TabContext
from tui.tabs import TabSpec

if TYPE_CHECKING:
    from tui.app import MnistExplorerApp


class DeferredTab(Widget):
    """Replaced by ``spec.widget_class()`` right after the first frame (importing and styling every tab before
    the first paint would hold the first frame back). Invisible while it waits."""

    def __init__(self, spec: TabSpec, ctx: TabContext) -> None:
        super().__init__()
        self.spec = spec
        self.ctx = ctx

    def on_mount(self) -> None:
        self.call_after_refresh(self._replace)

    async def _replace(self) -> None:
        pane = self.parent
        if not isinstance(pane, TabPane) or not self.is_attached:
            return
        widget = self.spec.widget_class(self.ctx)
        await pane.mount(widget, after=self)
        await self.remove()
        app = cast("MnistExplorerApp", self.app)
        if app.query_one(TabbedContent).active == pane.id:  # shown while it was loading: give it the keys
            app.call_after_refresh(app.focus_pane, pane)
