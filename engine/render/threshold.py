"""The threshold table as a rich renderable, shared by ``mnist-explorer threshold`` and the Threshold tab."""

from __future__ import annotations

from rich.table import Table

from engine.threshold import ThresholdView, format_threshold

CURRENT_ROW_STYLE = "reverse bold"


def threshold_table(view: ThresholdView) -> Table:
    """Threshold, precision, recall, F1, TP, FP, FN, TN for the rows around the current one (highlighted)."""
    table = Table("threshold", "precision", "recall", "F1", "TP", "FP", "FN", "TN", box=None, pad_edge=False,
                  header_style="bold")
    for column in table.columns:
        column.justify = "right"
    for i, row in enumerate(view.rows):
        table.add_row(format_threshold(row.threshold), f"{row.precision:.4f}", f"{row.recall:.4f}",
                      f"{row.f1:.4f}", f"{row.tp:,}", f"{row.fp:,}", f"{row.fn:,}", f"{row.tn:,}",
                      style=CURRENT_ROW_STYLE if i == view.current_row else None)
    return table
