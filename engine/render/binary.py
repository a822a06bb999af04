"""The binary detector's report: CV accuracy vs the dummy baseline, confusion matrix, P/R/F1, both ROC AUCs."""

from __future__ import annotations

from dataclasses import dataclass

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.table import Table
from rich.text import Text

from engine.results import BinaryResults


@dataclass
class BinaryReport:
    """Draws the results of a ``binary`` run (the names in :mod:`engine.models.binary`'s docstring).

    ``label`` names the positive class (e.g. ``"5"`` or ``"Sandal"``). Missing results (a run still going, or one
    that stopped early) are left out rather than shown as zero.
    """

    results: BinaryResults
    label: str

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Group(*self._parts())

    def _parts(self) -> list:
        r = self.results
        parts: list = []
        scores = Table.grid(padding=(0, 2))
        scores.add_column(style="bold")
        scores.add_column(justify="right")
        scores.add_column(style="dim")
        if r.cv_accuracy:
            folds = r.cv_accuracy
            scores.add_row(
                "CV accuracy",
                Text(f"{sum(folds) / len(folds):.4f}", style="bold green"),
                "folds " + " ".join(f"{a:.4f}" for a in folds),
            )
        if r.dummy_accuracy is not None:
            scores.add_row("Dummy", f"{r.dummy_accuracy:.4f}", f'always "not {self.label}"')
        if scores.row_count:
            parts.append(scores)
        if r.confusion is not None:
            (tn, fp), (fn, tp) = r.confusion
            matrix = Table(box=box.SIMPLE_HEAD, padding=(0, 1), show_edge=False, pad_edge=False)
            matrix.add_column(Text("true \\ predicted", style="dim"))
            matrix.add_column(f"not {self.label}", justify="right")
            matrix.add_column(self.label, justify="right")
            matrix.add_row(f"not {self.label}", Text(f"{tn:,}", style="green"), Text(f"{fp:,}", style="red"))
            matrix.add_row(self.label, Text(f"{fn:,}", style="red"), Text(f"{tp:,}", style="green"))
            parts.append(matrix)
        for title, items in (
            ("", (("Precision", "precision"), ("Recall", "recall"), ("F1", "f1"))),
            ("ROC AUC ", (("SGD", "roc_auc_sgd"), ("RandomForest", "roc_auc_rf"))),
        ):
            line = Text(title, style="bold")
            for name, key in items:
                value = getattr(r, key)
                if value is not None:
                    line.append_text(Text.assemble((name, "bold"), f" {value:.4f}  "))
            if len(line) > len(title):
                line.rstrip()
                parts.append(line)
        return parts
