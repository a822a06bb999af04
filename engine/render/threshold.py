"""The threshold table as rich renderables, shared by ``mnist-explorer threshold`` and the Threshold tab.

:func:`threshold_text` lays the rows out in fixed-width columns as one :class:`~rich.text.Text`: the same table as
a rich ``Table`` at a fraction of the cost to render, which matters when it is redrawn on every key press.
"""

from __future__ import annotations

from rich.text import Text

from engine.threshold import ThresholdRow, ThresholdView, format_threshold

CURRENT_ROW_STYLE = "reverse bold"
COLUMNS = (("threshold", 10), ("precision", 10), ("recall", 7), ("F1", 7), ("TP", 6), ("FP", 6), ("FN", 6), ("TN", 8))
WIDTH = sum(width for _, width in COLUMNS)


def row_cells(row: ThresholdRow) -> tuple[str, ...]:
    return (
        format_threshold(row.threshold),
        f"{row.precision:.4f}",
        f"{row.recall:.4f}",
        f"{row.f1:.4f}",
        f"{row.tp:,}",
        f"{row.fp:,}",
        f"{row.fn:,}",
        f"{row.tn:,}",
    )


def _line(cells: tuple[str, ...]) -> str:
    return "".join(cell.rjust(width) for cell, (_, width) in zip(cells, COLUMNS))


def threshold_text(view: ThresholdView) -> Text:
    """Threshold, precision, recall, F1, TP, FP, FN, TN for the rows around the current one (highlighted)."""
    text = Text(no_wrap=True, overflow="crop")
    text.append(_line(tuple(name for name, _ in COLUMNS)), style="bold")
    for i, row in enumerate(view.rows):
        text.append("\n")
        text.append(_line(row_cells(row)), style=CURRENT_ROW_STYLE if i == view.current_row else None)
    return text


def threshold_header(view: ThresholdView, where: str = "", older: bool = False) -> Text:
    """The current point in one line, every number labelled: run, digit, threshold, P/R/F1 and the step (1-based:
    ``step 1`` is the lowest threshold). ``where`` names the data (the CLI; the app's header already does)."""
    c = view.current
    return Text.assemble(
        (f"run {view.run_id}", "bold"),
        " (older)" if older else "",
        f" · digit {view.digit}",
        f" · {where}" if where else "",
        " · threshold ",
        (format_threshold(c.threshold), "bold"),
        " · P ",
        (f"{c.precision:.4f}", "bold"),
        " R ",
        (f"{c.recall:.4f}", "bold"),
        f" F1 {c.f1:.4f} · step {view.step + 1:,} of {view.n_steps:,}",
        no_wrap=True,
        overflow="ellipsis",
    )
