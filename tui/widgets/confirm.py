"""A yes/no question as a small modal (deleting a run, starting another one); styled in confirm.tcss."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static


class ConfirmDialog(ModalScreen[bool]):
    """A yes/no question: ``y`` or enter confirms, ``n`` or escape declines."""

    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self._question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-body"):
            yield Static(self._question, id="confirm-question")
            yield Static("[dim]y / enter: yes · n / esc: no[/]", id="confirm-hint")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
