"""The multilabel report: F1 of the KNN beside the ClassifierChain's, and each label's scores and 2×2 confusion."""

from __future__ import annotations

from dataclasses import dataclass

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.table import Table
from rich.text import Text

from engine.models.multilabel import LabelScores, MultilabelResults


def label_confusion(label: LabelScores) -> Table:
    """One label's 2×2 confusion (rows = true no / yes), right answers green, mistakes red."""
    (tn, fp), (fn, tp) = label.confusion
    table = Table(box=box.SIMPLE_HEAD, padding=(0, 1), show_edge=False, pad_edge=False, title_justify="left")
    table.title = Text(label.name, style="bold")
    table.add_column(Text("true \\ pred", style="dim"))
    table.add_column("no", justify="right")
    table.add_column("yes", justify="right")
    table.add_row("no", Text(f"{tn:,}", style="green"), Text(f"{fp:,}", style="red"))
    table.add_row("yes", Text(f"{fn:,}", style="red"), Text(f"{tp:,}", style="green"))
    return table


@dataclass
class MultilabelReport:
    """Draws a ``multilabel`` run's results; ``confusions`` adds each label's 2×2 confusion."""

    results: MultilabelResults
    confusions: bool = True

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        r = self.results
        n = len(r.y_true)
        chain_n = len(r.chain_indices)
        scores = Table.grid(padding=(0, 2))
        scores.add_column(style="bold")
        scores.add_column(justify="right")
        scores.add_column(justify="right")
        scores.add_column(style="dim")
        scores.add_row("", Text("F1 macro", style="dim"), Text("F1 weighted", style="dim"), "")
        scores.add_row(
            "KNN", Text(f"{r.f1_macro:.4f}", style="bold green"), f"{r.f1_weighted:.4f}", f"3-fold CV, {n:,} images"
        )
        where = f"stratified subsample of {chain_n:,}" if r.chain_subsample else f"{chain_n:,} images"
        scores.add_row("Chain of SVCs", f"{r.chain_f1_macro:.4f}", f"{r.chain_f1_weighted:.4f}", f"3-fold CV, {where}")
        labels = Table(box=box.SIMPLE_HEAD, padding=(0, 1), show_edge=False, pad_edge=False)
        for name in ("label", "true for", "precision", "recall", "F1"):
            labels.add_column(name, justify="left" if name in ("label", "true for") else "right")
        for label, classes in zip(r.per_label, r.label_classes):
            labels.add_row(
                label.name,
                "classes " + ",".join(map(str, classes)),
                f"{label.precision:.4f}",
                f"{label.recall:.4f}",
                f"{label.f1:.4f}",
            )
        parts: list = [scores, "", labels]
        if self.confusions:
            grid = Table.grid(padding=(0, 4))
            grid.add_row(*(label_confusion(label) for label in r.per_label))
            parts.append(grid)
        yield Group(*parts)
