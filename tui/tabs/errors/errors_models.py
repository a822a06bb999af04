"""The Errors tab's model selector: each multiclass model with its accuracy, its run, or how to start one."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from engine.models.multiclass import MODELS
from engine.store import Run


@dataclass(frozen=True)
class ModelStatus:
    """What the store holds for one model on the app's data: its newest done run and any active one."""

    model: str
    done: Run | None = None
    accuracy: float | None = None
    active: Run | None = None
    failed: Run | None = None  # the newest run, when it ended without results
    estimating: Run | None = None  # an ``estimate`` job timing this model before it runs

    def prompt(self) -> Text:
        text = Text(f"{self.model:<10} ")
        if self.done is not None and self.accuracy is not None:
            text.append(f"{self.accuracy:6.1%}", style="bold")
            text.append(f" #{self.done.id}", style="dim")
            if self.done.params.get("max_train"):  # a run on a subsample of the training set
                text.append(f" {self.done.params['max_train'] / 1000:.3g}k", style="yellow")
        elif self.active is None and self.estimating is None:
            if self.failed is not None:  # "interrupted · s" fits the panel's 28 columns; "no run · s …" would not
                text.append(self.failed.status, style="red")
                text.append(" · s", style="dim")
            else:
                text.append("no run · s", style="dim")
        if self.active is not None:
            done, total = self.active.fits_done, self.active.fits_total
            text.append(f" ⟳{done}/{total}" if total else " ⟳", style="cyan")
        elif self.estimating is not None:
            text.append(" timing…", style="cyan")
        return text


class ModelPicker(OptionList):
    """One option per model (its id is the model name); highlight shows it, enter also starts a missing run."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(*(Option(ModelStatus(m).prompt(), id=m) for m in MODELS), id=id)

    def update_statuses(self, statuses: list[ModelStatus]) -> None:
        for status in statuses:
            self.replace_option_prompt(status.model, status.prompt())

    def select_model(self, model: str) -> None:
        self.highlighted = self.get_option_index(model)
