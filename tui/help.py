"""The ``?`` screen: every key the app and the current tab answer to, read from the live bindings.

Only this project's bindings are listed: Textual's own (focus next, copy selected text, a scroll view's page
left…) are how any Textual app behaves, and would bury the tab's keys.
"""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Static


def declared_here(node: DOMNode, binding: Binding) -> bool:
    """Whether ``binding`` of ``node`` comes from one of this project's classes rather than from Textual's."""
    for cls in type(node).__mro__:
        if not cls.__module__.startswith("tui."):
            continue
        declared: list[BindingType] = cls.__dict__.get("BINDINGS", [])
        if any((b.action if isinstance(b, Binding) else b[1]) == binding.action for b in declared):
            return True
    return False


class HelpScreen(ModalScreen[None]):
    """Lists (key, action) for the bindings active where ``?`` was pressed; it opens scrollable (focused)."""

    BINDINGS = [Binding("escape,q,question_mark", "close", "Close")]
    AUTO_FOCUS = "#help-body"  # ↓, pgdn and end scroll at once, without a tab first

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self._rows = rows

    def compose(self) -> ComposeResult:
        table = Table("key", "does", "where", expand=True, title="Keys", title_justify="left", box=None)
        for key, description, where in self._rows:
            table.add_row(f"[bold]{key}[/]", description, where)
        with VerticalScroll(id="help-body"):
            yield Static(table)
            yield Static("[dim]esc or ? closes · ctrl+p opens the command palette[/]")

    def action_close(self) -> None:
        self.dismiss(None)
