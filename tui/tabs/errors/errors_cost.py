"""The question the Errors tab asks before a model that would run long: its estimated cost, and a smaller choice.

The estimate comes from an ``estimate`` job (timed fits on small stratified subsamples, the same
:class:`~engine.models.cost.CostEstimate` that ``mnist-explorer errors`` prints); the dialog offers the whole
training set or the subsample size estimated to take about five minutes (``--max-train`` in the CLI).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from engine.models.cost import TARGET_S, CostEstimate, describe_duration
from engine.models.multiclass import MODELS


class CostDialog(ModalScreen[int | None]):
    """``a`` runs on every training image, ``m`` on the suggested subsample, ``escape`` runs nothing: the
    dismissed value is the number of training images to use, or None."""

    BINDINGS = [
        Binding("a", "choose('all')", "All images"),
        Binding("m", "choose('subsample')", "Subsample"),
        Binding("escape,n", "choose('none')", "Do not run"),
    ]

    def __init__(self, estimate: CostEstimate) -> None:
        super().__init__()
        self.estimate = estimate

    def compose(self) -> ComposeResult:
        e = self.estimate
        timed = " and ".join(f"{n:,}" for n in e.sizes)
        with Vertical(id="errors-cost-body"):
            yield Static(
                f"[b]{MODELS.get(e.model, e.model)}[/] on {e.n_train:,} training images: "
                f"estimated [b]~{e.duration}[/] for 3-fold cross-validated predictions.\n"
                f"[dim](fits timed on {timed} images; fit time ∝ n^{e.exponent:.2f})[/]",
                id="errors-cost-question",
            )
            yield Static(
                f"[b]a[/]    run on all {e.n_train:,} images (~{e.duration})\n"
                f"[b]m[/]    run on a stratified subsample of {e.suggested_max_train:,} (~{describe_duration(TARGET_S)})\n"
                "[b]esc[/]  do not run",
                id="errors-cost-choices",
            )

    def on_mount(self) -> None:
        self.query_one("#errors-cost-body").border_title = "A long run: how many images?"

    def action_choose(self, choice: str) -> None:
        e = self.estimate
        self.dismiss({"all": e.n_train, "subsample": e.suggested_max_train}.get(choice))
