"""The threshold table as rich renderables, shared by ``mnist-explorer threshold`` and the Threshold tab.

:func:`threshold_text` lays the rows out in fixed-width columns as one :class:`~rich.text.Text`: the same table as
a rich ``Table`` at a fraction of the cost to render, which matters when it is redrawn on every key press.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text

from engine.data import class_phrase
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


def threshold_header(
    view: ThresholdView,
    where: str = "",
    older: bool = False,
    lines: int = 1,
    class_names: Sequence[str] | None = None,
) -> Text:
    """The current point, every number labelled: run, digit, threshold, precision, recall, F1 and the step (1-based:
    ``step 1`` is the lowest threshold). ``where`` names the data (the CLI; the app's header already does).

    One line reads ``run 1 · digit 5 · threshold 0 · P 0.9388 R 0.9452 F1 0.9420 · step 1,139 of 1,438``; two lines
    (``lines=2``, a narrow terminal) put the run and step first and spell out precision and recall below. With
    ``class_names`` a named class is called by its name (``run 1 · Sandal · …``).
    """
    c = view.current
    run = Text.assemble(
        (f"run {view.run_id}", "bold"),
        " (older)" if older else "",
        f" · {class_phrase(view.digit, class_names)}",
        f" · {where}" if where else "",
    )
    step = f"step {view.step_number:,} of {view.n_steps:,}"
    threshold = ("threshold ", (format_threshold(c.threshold), "bold"))
    if lines == 1:
        text = Text.assemble(
            run,
            " · ",
            *threshold,
            " · P ",
            (f"{c.precision:.4f}", "bold"),
            " R ",
            (f"{c.recall:.4f}", "bold"),
            f" F1 {c.f1:.4f} · {step}",
        )
    else:
        text = Text.assemble(
            run,
            f" · {step}\n",
            *threshold,
            " · precision ",
            (f"{c.precision:.4f}", "bold"),
            " · recall ",
            (f"{c.recall:.4f}", "bold"),
            f" · F1 {c.f1:.4f}",
        )
    text.no_wrap, text.overflow = True, "ellipsis"
    return text


@dataclass(frozen=True)
class FittedHeader:
    """:func:`threshold_header` on one line where the console is wide enough for it, else on two (the CLI)."""

    view: ThresholdView
    where: str = ""
    class_names: Sequence[str] | None = None

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        one = threshold_header(self.view, self.where, class_names=self.class_names)
        if one.cell_len > options.max_width:
            one = threshold_header(self.view, self.where, lines=2, class_names=self.class_names)
        yield one
