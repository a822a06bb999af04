"""The ``?`` screen: every key the app and the current tab answer to, read from the live bindings."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


class HelpScreen(ModalScreen[None]):
    """Lists (key, action) for the bindings active where ``?`` was pressed."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

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

    def action_dismiss(self) -> None:
        self.dismiss(None)
