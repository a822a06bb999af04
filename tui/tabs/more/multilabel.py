"""The multilabel view: digits captioned true → predicted label pair, mismatches in red; the scores beside them."""

from __future__ import annotations

import numpy as np
from rich.style import Style
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from engine.models.multilabel import MultilabelResults
from engine.render.multilabel import MultilabelReport
from tui.tabs.more.grid import ResultsGrid
from tui.tabs.more.lines import update_line
from tui.widgets.digit_detail import DigitDetail
from tui.widgets.digit_grid import DigitGridView
from tui.widgets.focus import FocusWithoutRepaint

WRONG = Style(color="bright_red", bold=True)


def pair_text(bits: np.ndarray) -> str:
    """A label pair as two digits, e.g. ``10``: the first label yes, the second no."""
    return "".join("1" if b else "0" for b in bits)


class MultilabelGrid(ResultsGrid, FocusWithoutRepaint):
    """The view's digit grid: it looks the same focused or not, so a view switch draws it from the lines kept."""


class MultilabelView(Vertical):
    """Shows a ``multilabel`` run's training digits (``images``) and its report; ``f`` keeps only mismatches."""

    BINDINGS = [Binding("f", "toggle_filter", "Mismatches only", id="more-multilabel-filter")]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.results: MultilabelResults | None = None
        self.images: np.ndarray | None = None
        self.labels: np.ndarray | None = None
        self.class_names: tuple[str, ...] = ()
        self.mismatches_only = False

    def compose(self) -> ComposeResult:
        with Horizontal(classes="more-body"):
            yield MultilabelGrid(id="multilabel-digits")
            yield Static(id="multilabel-report", classes="more-side")
        yield Static(id="multilabel-status", classes="more-status")

    def on_mount(self) -> None:
        self.query_one("#multilabel-report").border_title = "Scores"

    def show(
        self,
        results: MultilabelResults | None,
        images: np.ndarray | None = None,
        labels: np.ndarray | None = None,
        class_names: tuple[str, ...] = (),
        text: str = "",
    ) -> None:
        """Draw ``results`` over ``images`` and ``labels`` (the run's training set), or ``text`` without results."""
        had = self.results is not None
        self.results, self.images, self.labels, self.class_names = results, images, labels, class_names
        if had != (results is not None):
            self.refresh_bindings()  # f is offered only with results
        report = self.query_one("#multilabel-report", Static)
        if results is None or images is None:
            self.query_one(MultilabelGrid).clear(text)
            report.update("")
            self._status()
            return
        report.update(MultilabelReport(results))
        self._fill(cursor=0)

    def focus_target(self) -> MultilabelGrid:
        """The widget to focus when the view is shown."""
        return self.query_one(MultilabelGrid)

    def _fill(self, cursor: int) -> None:
        r = self.results
        assert r is not None and self.images is not None
        indices = r.mismatches if self.mismatches_only else np.arange(len(r.y_true))
        wrong = np.any(r.y_true != r.y_pred, axis=1)
        grid = self.query_one(DigitGridView)
        grid.empty_text = "no mismatches"
        grid.set_items(
            self.images,
            indices,
            lambda i: f"{pair_text(r.y_true[i])}→{pair_text(r.y_pred[i])}",
            lambda i: WRONG if wrong[i] else None,
            cursor=cursor,
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.results is not None if action == "toggle_filter" else True

    def action_toggle_filter(self) -> None:
        if self.results is None:
            return
        grid = self.query_one(DigitGridView)
        current = grid.current_index
        self.mismatches_only = not self.mismatches_only
        indices = self.results.mismatches if self.mismatches_only else np.arange(len(self.results.y_true))
        at = np.searchsorted(indices, current) if current is not None else 0  # stay near the same digit
        self._fill(cursor=int(min(at, max(len(indices) - 1, 0))))

    @on(DigitGridView.Moved)
    def _moved(self) -> None:
        self._status()

    @on(DigitGridView.Opened)
    def _opened(self, message: DigitGridView.Opened) -> None:
        if self.images is not None and self.labels is not None:
            grid = message.grid
            self.app.push_screen(
                DigitDetail(self.images, self.labels, grid.indices, message.position, self.class_names, "train")
            )

    def _status(self) -> None:
        status = self.query_one("#multilabel-status", Static)
        r, grid = self.results, self.query_one(DigitGridView)
        if r is None or grid.current_index is None or self.labels is None:
            update_line(status, "[dim]f shows all digits again[/]" if r is not None else "")
            return
        i = grid.current_index
        names = r.label_names
        true = ", ".join(n for n, b in zip(names, r.y_true[i]) if b) or "neither"
        pred = ", ".join(n for n, b in zip(names, r.y_pred[i]) if b) or "neither"
        mark = "[bright_red]mismatch[/]" if np.any(r.y_true[i] != r.y_pred[i]) else "[green]right[/]"
        which = "mismatch " if self.mismatches_only else ""
        update_line(
            status,
            f"train #{i:,} [b]{self.class_names[int(self.labels[i])]}[/] · {true} → {pred} · {mark} · "
            f"{which}{grid.cursor + 1:,}/{grid.count:,} · [dim]captions: {names[0]}, {names[1]} as 1/0[/]",
        )
