"""The new detector run dialog: choose the class to detect, and whether to watch its learning curve too."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, OptionList, Static
from textual.widgets.option_list import Option


@dataclass(frozen=True)
class NewRunChoice:
    """What the person chose: the class to detect, and whether to also watch its learning curve."""

    digit: int
    learning_curve: bool


def class_label(index: int, name: str) -> str:
    """``"5"`` for digits, ``"5  Sandal"`` where classes have names."""
    return name if name == str(index) else f"{index}  {name}"


class NewRunDialog(ModalScreen[NewRunChoice | None]):
    """Arrows choose the class (default 5), ``l`` toggles the learning curve, enter starts, escape cancels."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("l", "toggle_curve", "Learning curve on/off"),
    ]

    def __init__(self, class_names: tuple[str, ...], default: int = 5) -> None:
        super().__init__()
        self._class_names = class_names
        self._default = default if 0 <= default < len(class_names) else 0

    def compose(self) -> ComposeResult:
        with Vertical(id="new-run-body"):
            yield Static("[bold]New detector run[/]: which class should it detect?", id="new-run-title")
            yield OptionList(
                *(Option(class_label(i, n), id=str(i)) for i, n in enumerate(self._class_names)), id="new-run-classes"
            )
            yield Checkbox("with its learning curve (SGD epoch by epoch)", True, id="new-run-curve")
            yield Static("[dim]↑↓ class · l learning curve · enter start · esc cancel[/]", id="new-run-hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = self._default
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(NewRunChoice(event.option_index, self.query_one(Checkbox).value))  # options in class order

    def action_toggle_curve(self) -> None:
        self.query_one(Checkbox).toggle()

    def action_cancel(self) -> None:
        self.dismiss(None)
