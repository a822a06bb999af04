"""The multilabel report: F1 of the KNN beside the ClassifierChain's, and each label's scores and 2×2 confusion."""

from __future__ import annotations

from dataclasses import dataclass

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from engine.models.multilabel import LabelScores, MultilabelResults

WIDE = 60  # from this many columns the notes sit beside the scores, not under them


def label_confusion(label: LabelScores) -> Table:
    """One label's 2×2 confusion in three lines (rows = true no / yes), right answers green, mistakes red."""
    (tn, fp), (fn, tp) = label.confusion
    table = Table.grid(padding=(0, 1))
    table.add_column()
    table.add_column(justify="right")
    table.add_column(justify="right")
    table.add_row(Text(label.name, style="bold"), Text("no", style="dim"), Text("yes", style="dim"))
    table.add_row(Text("no", style="dim"), Text(f"{tn:,}", style="green"), Text(f"{fp:,}", style="red"))
    table.add_row(Text("yes", style="dim"), Text(f"{fn:,}", style="red"), Text(f"{tp:,}", style="green"))
    return table


@dataclass
class MultilabelReport:
    """Draws a ``multilabel`` run's results; narrower than ``WIDE`` columns, the notes go under the scores.

    ``confusions`` adds each label's 2×2 confusion (rows = true, columns = predicted)."""

    results: MultilabelResults
    confusions: bool = True

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        r = self.results
        wide = options.max_width >= WIDE
        chain_n = len(r.chain_indices)
        knn_note = f"3-fold CV, {len(r.y_true):,} images"
        chain_note = f"3-fold CV, {'stratified subsample of ' if r.chain_subsample else ''}{chain_n:,} images"
        scores = Table.grid(padding=(0, 2))
        scores.add_column(style="bold")
        scores.add_column(justify="right")
        scores.add_column(justify="right")
        if wide:
            scores.add_column(style="dim")
        scores.add_row("", Text("F1 macro", style="dim"), Text("weighted", style="dim"), *([""] if wide else []))
        scores.add_row(
            "KNN",
            Text(f"{r.f1_macro:.4f}", style="bold green"),
            f"{r.f1_weighted:.4f}",
            *([knn_note] if wide else []),
        )
        scores.add_row(
            "Chain of SVCs" if wide else "SVC chain",
            f"{r.chain_f1_macro:.4f}",
            f"{r.chain_f1_weighted:.4f}",
            *([chain_note] if wide else []),
        )
        parts: list = [scores]
        if not wide:
            parts.append(Text(f"chain: {chain_note}", style="dim"))
        labels = Table(box=box.SIMPLE_HEAD, padding=(0, 1), show_edge=False, pad_edge=False)
        labels.add_column("label")
        if wide:
            labels.add_column("true for")
        for name in ("precision" if wide else "P", "recall" if wide else "R", "F1"):
            labels.add_column(name, justify="right")
        for label, classes in zip(r.per_label, r.label_classes):
            labels.add_row(
                label.name,
                *(["classes " + ",".join(map(str, classes))] if wide else []),
                f"{label.precision:.4f}",
                f"{label.recall:.4f}",
                f"{label.f1:.4f}",
            )
        parts += ["", labels]
        if self.confusions:
            grid = Table.grid(padding=(0, 2))
            grid.add_row(*(label_confusion(label) for label in r.per_label))
            if Measurement.get(console, options.update(width=10_000), grid).maximum > options.max_width:  # stacked
                grid = Table.grid(padding=(0, 0))
                for label in r.per_label:
                    grid.add_row(label_confusion(label))
            parts += [Text("true \\ predicted", style="dim"), grid]
        yield Group(*parts)
