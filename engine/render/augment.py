"""The augmentation report: test accuracy without and with shifted images, the gain and McNemar's p-value."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.table import Table
from rich.text import Text

from engine.models.augment import AugmentResults
from engine.render.status import describe_params


def significance(p_value: float) -> str:
    """What a McNemar p-value says, in words."""
    if p_value < 0.01:
        return "very unlikely to be chance"
    if p_value < 0.05:
        return "unlikely to be chance (p < 0.05)"
    return "could be chance on this test set"


@dataclass
class AugmentReport:
    """Draws an ``augment`` run's results."""

    results: AugmentResults
    n_train: int | None = None

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        r = self.results
        source = f"best of search run {r.search_run}" if r.search_run is not None else "the study's default"
        head = Text.assemble(("KNN ", "bold"), describe_params(r.params), (f"  ({source})", "dim"))
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold")
        table.add_column(justify="right")
        table.add_column(style="dim")
        plain_n = f"{self.n_train:,} training images" if self.n_train else ""
        table.add_row("plain", f"{r.accuracy_plain:.4f}", plain_n)
        table.add_row(
            "augmented",
            Text(f"{r.accuracy_augmented:.4f}", style="bold green" if r.gain > 0 else "bold"),
            f"{r.n_train_augmented:,} training images (each + 4 one-pixel shifts)",
        )
        table.add_row("gain", Text(f"{r.gain:+.4f}", style="green" if r.gain > 0 else "red" if r.gain < 0 else ""), "")
        changed = Text.assemble(
            ("fixed ", "bold"),
            (f"{len(r.fixed)}", "green"),
            ("  broken ", "bold"),
            (f"{len(r.broken)}", "red"),
            ("  McNemar exact p ", "bold"),
            f"{r.p_value:.3g}",
            (f"  {significance(r.p_value)}", "dim"),
        )
        yield Group(head, table, changed)
