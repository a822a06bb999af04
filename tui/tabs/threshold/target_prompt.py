"""A small modal asking for a target value between 0 and 1 (``0.9`` or ``90%``); styled in target_prompt.tcss beside it."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


def parse_fraction(text: str) -> float:
    """``0.9`` → 0.9, ``90%`` → 0.9; raises ValueError with a one-line reason otherwise."""
    text = text.strip()
    percent = text.endswith("%")
    try:
        value = float(text.rstrip("%").strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a number; type e.g. 0.9 or 90%") from None
    value = value / 100 if percent else value
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{text} is outside 0–1; type e.g. 0.9 or 90%")
    return value


class TargetPrompt(ModalScreen[str | None]):
    """Asks "target precision?" (or recall); dismisses with the typed text, or None on escape."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    AUTO_FOCUS = "#target-input"

    def __init__(self, what: str, current: float) -> None:
        super().__init__()
        self.what = what
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"Target {self.what} (0.9 or 90%), then enter:")
            yield Input(value=f"{self.current:.2f}", placeholder="0.9 or 90%", id="target-input", select_on_focus=True)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
