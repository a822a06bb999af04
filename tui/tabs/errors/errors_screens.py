"""The Errors tab's drill-down screens: a cell's digits, one digit with its top-3 scores, the 2×2 pair view.

Each is a modal over the tab; ``escape`` backs out one level.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widgets import Static

from engine.confusion import ErrorAnalysis
from engine.render.digits import DigitImage
from engine.render.heatmap import short_names
from tui.widgets.digit_grid import DigitGridView

WRONG = Style(color="bright_red")
RIGHT = Style(color="bright_green")
INFO_WIDTH = 26


def compact(value: float) -> str:
    """A signed score in at most 6 characters: +2.41, +241, +31.7k, +3.2M."""
    size = abs(value)
    for limit, divisor, suffix in ((1e9, 1e9, "G"), (1e6, 1e6, "M"), (1e3, 1e3, "k")):
        if size >= limit:
            scaled = value / divisor
            return f"{scaled:+.1f}{suffix}" if abs(scaled) < 100 else f"{scaled:+.0f}{suffix}"
    return f"{value:+.2f}" if size < 100 else f"{value:+.0f}"


def fixed_style(style: Style) -> Callable[[int], Style]:
    """The same caption style for every digit of a grid (a pair view quadrant is all right or all wrong)."""
    return lambda _index: style


def margin_caption(analysis: ErrorAnalysis, index: int) -> str:
    """A digit's caption: a mistake's margin (prediction's score − label's), a correct one's lead (over the runner-up).

    Two names for two quantities: a correct digit's prediction is its label, so "prediction − label" would be 0.
    """
    value = compact(float(analysis.margin[index]))
    return f"lead {value}" if analysis.y_true[index] == analysis.y_pred[index] else value


def digit_info(analysis: ErrorAnalysis, index: int, position: int, count: int) -> Table:
    """One image's label, prediction, margin (or lead) and top-3 class scores as a small two-column table."""
    names = analysis.class_names
    true, predicted = int(analysis.y_true[index]), int(analysis.y_pred[index])
    table = Table.grid(padding=(0, 1))
    table.add_column(style="dim", justify="right")
    table.add_column()
    table.add_row("image", f"[bold]train #{index:,}[/]")
    table.add_row("", f"{position + 1:,} of {count:,}")
    table.add_row("label", f"[bold]{names[true]}[/]")
    colour = "bright_green" if true == predicted else "bright_red"
    table.add_row("predicted", f"[bold {colour}]{names[predicted]}[/]")
    top = analysis.top_classes(index)
    if true == predicted:  # the lead of the label over the best other class
        runner_up = f" over {names[top[1][0]]:.7}" if len(top) > 1 else ""
        table.add_row("lead", f"{compact(float(analysis.margin[index]))}{runner_up}")
    else:  # how much more the prediction scored than the label
        table.add_row("margin", f"{compact(float(analysis.margin[index]))} over {names[true]:.7}")
    for rank, (c, score) in enumerate(top, start=1):
        table.add_row("top 3" if rank == 1 else "", f"{compact(score):>7} {names[c]:.7}")
    return table


class DigitScores(ModalScreen[int]):
    """``images[indices[position]]`` large with the model's verdict; ←/→ step; dismisses with the position."""

    BINDINGS = [
        Binding("escape,enter", "close", "Back"),
        Binding("left,up", "step(-1)", "Previous digit", key_display="←"),
        Binding("right,down", "step(1)", "Next digit", key_display="→"),
    ]

    position: reactive[int] = reactive(0, init=False)

    def __init__(self, images: np.ndarray, analysis: ErrorAnalysis, indices: np.ndarray, position: int) -> None:
        super().__init__()
        self.images, self.analysis, self.indices = images, analysis, indices
        self.set_reactive(DigitScores.position, position)

    @property
    def index(self) -> int:
        return int(self.indices[self.position])

    def compose(self) -> ComposeResult:
        with Vertical(id="errors-digit-body"):
            with Horizontal(id="errors-digit-row"):
                yield Static(id="errors-digit-image")
                yield Static(id="errors-digit-info")
            yield Static("[dim]← → previous/next · esc back[/]", id="errors-digit-keys")

    def on_mount(self) -> None:
        self._show()

    def on_resize(self) -> None:
        self._show()

    def _scale(self) -> int:
        h, w = self.images.shape[1:]
        width, height = self.app.size
        return max(1, min((width - INFO_WIDTH - 8) // w, (2 * (height - 6)) // h))

    def _show(self) -> None:
        index = self.index
        body = self.query_one("#errors-digit-body")
        names = self.analysis.class_names
        body.border_title = (
            f"{names[int(self.analysis.y_true[index])]} predicted as {names[int(self.analysis.y_pred[index])]}"
        )
        self.query_one("#errors-digit-image", Static).update(DigitImage(self.images[index], self._scale()))
        self.query_one("#errors-digit-info", Static).update(
            digit_info(self.analysis, index, self.position, len(self.indices))
        )

    def watch_position(self) -> None:
        self._show()

    def action_step(self, delta: int) -> None:
        self.position = max(0, min(self.position + delta, len(self.indices) - 1))

    def action_close(self) -> None:
        self.dismiss(self.position)


class DigitGridScreen(ModalScreen[None]):
    """A screen of digit grids whose ``enter`` opens a digit large with its scores; ``escape`` closes it.

    Subclasses set ``images`` and ``analysis``.
    """

    BINDINGS = [Binding("escape", "close", "Back")]
    images: np.ndarray
    analysis: ErrorAnalysis

    @on(DigitGridView.Opened)
    def _opened(self, message: DigitGridView.Opened) -> None:
        grid = message.grid
        self.app.push_screen(
            DigitScores(self.images, self.analysis, grid.indices, message.position),
            lambda position: setattr(grid, "cursor", position) if position is not None else None,
        )

    def action_close(self) -> None:
        self.dismiss(None)


class DigitGallery(DigitGridScreen):
    """Digits ``indices`` (already ordered) page by page, with the highlighted one's verdict beside them."""

    def __init__(
        self,
        title: str,
        images: np.ndarray,
        analysis: ErrorAnalysis,
        indices: np.ndarray,
        caption: Callable[[int], str],
        empty_text: str,
    ) -> None:
        super().__init__()
        self.title_text, self.images, self.analysis = title, images, analysis
        self.indices, self.caption, self.empty_text = indices, caption, empty_text

    def compose(self) -> ComposeResult:
        with Vertical(id="errors-gallery-body"):
            with Horizontal(id="errors-gallery-row"):
                yield DigitGridView(id="errors-gallery-grid")
                yield Static(id="errors-gallery-info")
            yield Static("[dim]arrows move · enter opens a digit · [ ] pages · esc back[/]", id="errors-gallery-keys")

    def on_mount(self) -> None:
        self.query_one("#errors-gallery-body").border_title = self.title_text
        grid = self.query_one(DigitGridView)
        grid.empty_text = self.empty_text
        y_true, y_pred = self.analysis.y_true, self.analysis.y_pred
        grid.set_items(self.images, self.indices, self.caption, lambda i: RIGHT if y_true[i] == y_pred[i] else WRONG)
        grid.focus()

    @on(DigitGridView.Moved)
    def _moved(self, message: DigitGridView.Moved) -> None:
        grid = message.grid
        info = self.query_one("#errors-gallery-info", Static)
        if grid.current_index is None:
            info.update(Text("no digits here", style="dim"))
        else:
            info.update(digit_info(self.analysis, grid.current_index, grid.cursor, grid.count))


class PairView(DigitGridScreen):
    """Classes a and b side by side, as the study shows 3 and 5: a as a, a as b / b as a, b as b.

    ``tab`` moves between the four quadrants, ``enter`` opens a digit, ``escape`` closes.
    """

    def __init__(self, images: np.ndarray, analysis: ErrorAnalysis, a: int, b: int) -> None:
        super().__init__()
        self.images, self.analysis, self.a, self.b = images, analysis, a, b

    def compose(self) -> ComposeResult:
        with Vertical(id="errors-pair-body"):
            with Grid(id="errors-pair-grid"):
                for t in (self.a, self.b):
                    for p in (self.a, self.b):
                        yield DigitGridView(id=f"errors-pair-{t}-{p}", classes="errors-pair-cell")
            yield Static(
                "[dim]tab next quadrant · arrows move · enter opens a digit · esc back[/]", id="errors-pair-keys"
            )

    def on_mount(self) -> None:
        names = self.analysis.class_names
        self.query_one("#errors-pair-body").border_title = f"Pair view: {names[self.a]} and {names[self.b]}"
        analysis = self.analysis
        cells = analysis.pair(self.a, self.b)
        for (t, p), indices in cells.items():
            grid = self.query_one(f"#errors-pair-{t}-{p}", DigitGridView)
            grid.border_title = f"{names[t]} as {names[p]} · {len(indices):,}"
            grid.empty_text = f"no {names[t]} predicted as {names[p]}"
            grid.set_items(
                self.images,
                indices,
                lambda i: margin_caption(analysis, i),
                fixed_style(RIGHT if t == p else WRONG),
            )
        self.query_one(f"#errors-pair-{self.a}-{self.b}", DigitGridView).focus()


def cell_gallery(images: np.ndarray, analysis: ErrorAnalysis, true: int, predicted: int) -> DigitGallery:
    """The digits of one heatmap cell, most confident first, captioned by their margin (correct ones: their lead)."""
    names = analysis.class_names
    indices = analysis.cell(true, predicted)
    what = "correct, largest lead over the runner-up" if true == predicted else "mistakes, largest margin"
    title = f"{names[true]} predicted as {names[predicted]} · {len(indices):,} {what} first"
    return DigitGallery(
        title,
        images,
        analysis,
        indices,
        lambda i: margin_caption(analysis, i),
        f"No {names[true]} was predicted as {names[predicted]}.",
    )


def mistakes_gallery(images: np.ndarray, analysis: ErrorAnalysis) -> DigitGallery:
    """Every mistake ranked by score of the prediction − score of the label: the likely label errors."""
    short = short_names(analysis.class_names, 3)
    mistakes = analysis.mistakes()
    indices = np.array([m.index for m in mistakes], dtype=np.int64)
    y_true, y_pred, margin = analysis.y_true, analysis.y_pred, analysis.margin
    title = f"Most confident mistakes · {len(indices):,} in all · likely label errors first"
    return DigitGallery(
        title,
        images,
        analysis,
        indices,
        lambda i: f"{short[y_true[i]]}→{short[y_pred[i]]} {compact(float(margin[i])).lstrip('+')}",
        "This model made no mistakes.",
    )
