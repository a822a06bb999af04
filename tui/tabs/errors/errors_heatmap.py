"""The Errors tab's confusion heatmap: a cursor over its cells, four display modes, enter opens a cell.

Drawn a part of the map at a time (Textual's line API: the header, one class's row, the legend), each part's
lines kept (per cursor in it, size and style) until the run or the mode changes: a cursor move repaints the one or
two rows it leaves and enters and, moving across columns, the column labels, not the whole map (~25 ms at 200×60).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.geometry import Region
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.visual import Visual, visualize
from textual.widget import Widget

from engine.confusion import MODE_TITLES, MODES, ErrorAnalysis, next_mode
from engine.render.heatmap import HEADER, Heatmap, Section


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
    cursor: reactive[tuple[int, int]] = reactive((0, 0), repaint=False)  # watch_cursor repaints what it changes

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
        self._fit: tuple[tuple, Heatmap, list[tuple[Section, int, int]]] | None = None  # key, map, (part, y, height)
        self._parts: dict[tuple, list[Strip]] = {}  # (part, cursor column in it, size, style) → its lines

    def show(self, analysis: ErrorAnalysis | None, empty_text: str = "") -> None:
        """Draw ``analysis`` (keeping the cursor where it fits), or ``empty_text`` when it is None."""
        self.analysis = analysis
        if empty_text:
            self.empty_text = empty_text
        if analysis is not None:
            last = analysis.n_classes - 1
            self.cursor = (min(self.cursor[0], last), min(self.cursor[1], last))
            self.post_message(self.CellMoved(self, *self.cursor))
        self._changed()
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

    def watch_cursor(self, before: tuple[int, int], cursor: tuple[int, int]) -> None:
        if self.analysis is None:
            self.refresh()
            return
        self.post_message(self.CellMoved(self, *cursor))
        _, _, layout = self._fitted()
        changed: set[Section] = {before[0], cursor[0]}  # the rows it leaves and enters
        if before[1] != cursor[1]:
            changed.add(HEADER)  # the column labels highlight the cursor's
        width = self.size.width
        for _part, y, height in (p for p in layout if p[0] in changed):
            self.refresh(Region(0, y, width, height))

    def watch_mode(self) -> None:
        self._changed()
        self.refresh(layout=True)

    def _changed(self) -> None:
        """The run or the mode changed: no kept line is valid."""
        self._fit = None
        self._parts.clear()

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
        """The whole map fitted to the widget, or the text shown without a run (the map is drawn by render_line)."""
        heatmap = self.renderable()
        if heatmap is None:
            return Text(self.empty_text, style="dim")
        return heatmap.fitted(self.content_size.width, self.content_size.height)

    def on_resize(self) -> None:
        self.refresh()

    def _fitted(self) -> tuple[tuple, Heatmap, list[tuple[Section, int, int]]]:
        """The map fitted to the widget with the cursor, and where each part starts and how tall it is."""
        key = (self.cursor, self.content_size)
        if self._fit is None or self._fit[0] != key:
            heatmap = self.renderable()
            assert heatmap is not None
            heatmap = heatmap.fitted(self.content_size.width, self.content_size.height)
            layout, y = [], 0
            for part, height in heatmap.sections():
                layout.append((part, y, height))
                y += height
            self._fit = (key, heatmap, layout)
        return self._fit

    def render_line(self, y: int) -> Strip:
        if self.analysis is None:
            return super().render_line(y)
        _, heatmap, layout = self._fitted()
        found = next((p for p in layout if p[1] <= y < p[1] + p[2]), None)
        if found is None:
            return Strip.blank(self.size.width, self.visual_style.rich_style)
        part, top, height = found
        i, j = self.cursor
        style = self.visual_style  # e.g. another background when focused
        key = (part, j if part in (HEADER, i) else None, self.content_size, style)
        if key not in self._parts:
            if len(self._parts) > 4 * len(layout):  # parts at other cursors, sizes and styles: keep it bounded
                self._parts.clear()
            visual: Visual = visualize(self, heatmap.section(part))
            self._parts[key] = Visual.to_strips(self, visual, self.size.width, height, style)
        strips = self._parts[key]
        line = y - top
        return strips[line] if line < len(strips) else Strip.blank(self.size.width, self.visual_style.rich_style)
