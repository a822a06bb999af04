"""The Errors tab's confusion heatmap: a cursor over its cells, four display modes, enter opens a cell."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from engine.confusion import MODE_TITLES, MODES, ErrorAnalysis, next_mode
from engine.render.heatmap import Heatmap


class ConfusionHeatmap(Widget, can_focus=True):
    """Draws ``analysis`` in ``mode``; the cursor is a (true, predicted) cell.

    Posts :class:`CellMoved` when the cursor moves, :class:`CellOpened` on ``enter`` and :class:`PairRequested`
    on ``p``.
    """

    BINDINGS = [
        Binding("up", "move(-1, 0)", "Cell above", show=False),
        Binding("down", "move(1, 0)", "Cell below", show=False),
        Binding("left", "move(0, -1)", "Cell left", show=False),
        Binding("right", "move(0, 1)", "Cell right", show=False),
        Binding("enter", "open", "Open cell", id="errors-open-cell"),
        Binding("p", "pair", "Pair view", id="errors-pair"),
    ]

    mode: reactive[str] = reactive("counts")
    cursor: reactive[tuple[int, int]] = reactive((0, 0))

    @dataclass
    class CellMoved(Message):
        """The cursor is now on (true, predicted)."""

        heatmap: ConfusionHeatmap
        true: int
        predicted: int

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, ConfusionHeatmap.CellMoved)

    @dataclass
    class CellOpened(Message):
        """``enter`` on the cell (true, predicted)."""

        true: int
        predicted: int

    @dataclass
    class PairRequested(Message):
        """``p`` on a cell: the 2×2 view of classes ``a`` (its true label) and ``b`` (its prediction)."""

        a: int
        b: int

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.analysis: ErrorAnalysis | None = None
        self.empty_text = "Loading…"

    def show(self, analysis: ErrorAnalysis | None, empty_text: str = "") -> None:
        """Draw ``analysis`` (keeping the cursor where it fits), or ``empty_text`` when it is None."""
        self.analysis = analysis
        if empty_text:
            self.empty_text = empty_text
        if analysis is not None:
            last = analysis.n_classes - 1
            self.cursor = (min(self.cursor[0], last), min(self.cursor[1], last))
            self.post_message(self.CellMoved(self, *self.cursor))
        self.refresh(layout=True)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Before a run is shown there is no cell to open or pair: the footer leaves those keys out."""
        return self.analysis is not None or action not in ("open", "pair")

    def action_move(self, di: int, dj: int) -> None:
        if self.analysis is None:
            return
        last = self.analysis.n_classes - 1
        self.cursor = (max(0, min(last, self.cursor[0] + di)), max(0, min(last, self.cursor[1] + dj)))

    def action_open(self) -> None:
        if self.analysis is not None:
            self.post_message(self.CellOpened(*self.cursor))

    def action_pair(self) -> None:
        if self.analysis is not None:
            self.post_message(self.PairRequested(*self.cursor))

    def cycle_mode(self) -> None:
        self.mode = next_mode(self.mode)

    def watch_cursor(self, cursor: tuple[int, int]) -> None:
        if self.analysis is not None:
            self.post_message(self.CellMoved(self, *cursor))
        self.refresh()

    def watch_mode(self) -> None:
        self.refresh(layout=True)

    def renderable(self) -> Heatmap | None:
        if self.analysis is None:
            return None
        return Heatmap(
            self.analysis.matrix(self.mode),
            self.analysis.class_names,
            percent=self.mode != "counts",
            cursor=self.cursor,
            blank_diagonal=self.mode == "errors",
            title=f"{MODES.index(self.mode) + 1}/{len(MODES)} {MODE_TITLES[self.mode]}",
        )

    def render(self) -> Heatmap | Text:
        heatmap = self.renderable()
        if heatmap is None:
            return Text(self.empty_text, style="dim")
        return heatmap.fitted(self.content_size.width, self.content_size.height)

    def on_resize(self) -> None:
        self.refresh()
