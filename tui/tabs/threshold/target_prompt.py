"""A small modal asking for one value: a target precision or recall (``0.9`` or ``90%``) or an exact threshold.

Styled in target_prompt.tcss beside it. The typed text is handed back as it is; the tab parses it (a bad value is a
notification there).
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class TargetPrompt(ModalScreen[str | None]):
    """Asks ``title`` (e.g. "Target precision"); dismisses with the typed text, or None on escape."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    AUTO_FOCUS = "#target-input"

    def __init__(self, title: str, value: str, example: str) -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.example = example

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"[bold]{self.title_text}[/], e.g. {self.example}", id="target-title")
            yield Input(value=self.value, placeholder=self.example, id="target-input", select_on_focus=True)
            yield Label("[dim]enter goes there · esc cancels[/]", id="target-hint")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
