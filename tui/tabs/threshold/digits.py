"""The training images just above and just below the threshold, as half-block digits with score and label.

A step moves one image (or a group of tied ones) across the threshold, so the digits either side slide by one:
each digit's lines are drawn once (per size and style) and kept, and a step joins the kept lines anew.
"""

from __future__ import annotations

import numpy as np
from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from engine.data import Dataset
from engine.render.digits import DigitGrid, fit_side
from engine.threshold import Neighbour, ThresholdAnalysis, format_threshold

MISTAKE = Style(color="red", bold=True)
CORRECT = Style(color="green")
KEPT_OFF_SCREEN = 64  # drawn digits kept beyond those shown (stepping back finds them), so memory stays small

DigitLines = tuple[list[Strip], Strip]  # a digit's pixel lines and its caption, each with the gap at its left


def digit_side(image_side: int, width: int, height: int) -> int:
    """The largest drawing size (the image's own, doubled or halved) of which one digit above and one below,
    each with a caption, and two titles fit in ``width`` × ``height`` cells."""
    for side in (image_side * 2, image_side, image_side // 2):
        if side >= 4 and side + 2 <= width and 2 * DigitGrid.cell_height(side) + 2 <= height:
            return side
    return max(4, image_side // 2)


class ThresholdDigits(Widget):
    """Two labelled groups of digits: predicted the digit (scores at or above) and predicted not (below).

    A red caption is a mistake the threshold makes now; one step the other way would fix it (or make a new one).
    Its lines are those a Static showing each group's :class:`DigitGrid` would draw; its size never depends on them,
    so a step repaints it without a layout.
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: tuple[ThresholdAnalysis, float, Dataset] | None = None
        self.above: list[Neighbour] = []
        self.below: list[Neighbour] = []
        self._grid: tuple[int, int, int] = (0, 1, 0)  # digit side, columns, width
        self._lines: tuple[Style, list[Strip]] | None = None  # the base style they were drawn on, the lines
        self._digits: dict[Neighbour, DigitLines] = {}
        self._digits_for: tuple[Dataset, int, Style] | None = None  # the data, side and style they were drawn with

    def show(self, analysis: ThresholdAnalysis, threshold: float, dataset: Dataset) -> None:
        """As many digits either side of ``threshold`` as fit at the current size."""
        self._shown = (analysis, threshold, dataset)
        width, height = self.content_size
        side = digit_side(dataset.image_shape[0], width, height)
        columns = max(1, (width - 1) // DigitGrid.cell_width(side))
        rows = max(1, (height - 2) // 2 // DigitGrid.cell_height(side))
        above, below = analysis.neighbours(threshold, columns * rows)
        if self._lines is not None and (above, below, (side, columns, width)) == (self.above, self.below, self._grid):
            return  # the same digits: nothing to repaint
        self.above, self.below, self._grid = above, below, (side, columns, width)
        before, self._lines = self._lines, None
        lines = self._build()
        if before is None or before[0] != self.visual_style.rich_style:
            self.refresh()
            return
        # only the lines that differ: the titles and the blank lines under the digits stay as they were
        old = before[1]
        changed = [
            y for y in range(max(len(old), len(lines))) if y >= len(old) or y >= len(lines) or old[y] != lines[y]
        ]
        if changed:
            self.refresh(*(Region(0, y, width, 1) for y in changed))

    def on_resize(self) -> None:
        if self._shown is not None:
            self.show(*self._shown)

    def render_line(self, y: int) -> Strip:
        lines = self._build()
        return lines[y] if y < len(lines) else Strip.blank(self.size.width, self.visual_style.rich_style)

    def _build(self) -> list[Strip]:
        """The widget's lines: each group's title, then its digits a row at a time (pixel lines, then captions)."""
        base = self.visual_style.rich_style
        if self._lines is not None and self._lines[0] == base:
            return self._lines[1]
        if self._shown is None:
            return []
        analysis, _, dataset = self._shown
        side, columns, width = self._grid
        drawn_for = self._digits_for
        if drawn_for is None or drawn_for[0] is not dataset or drawn_for[1:] != (side, base):
            self._digits, self._digits_for = {}, (dataset, side, base)
        shown = {*self.above, *self.below}
        if len(self._digits) > len(shown) + KEPT_OFF_SCREEN:
            self._digits = {n: lines for n, lines in self._digits.items() if n in shown}
        cell = DigitGrid.cell_width(side)
        lines: list[Strip] = []
        for title, group in ((f"▲ says {analysis.digit}", self.above), (f"▼ says not {analysis.digit}", self.below)):
            lines += self._strips(Text(title, style="bold", no_wrap=True, overflow="ellipsis"), width)
            for start in range(0, len(group), columns):
                row = [self._digit(n, dataset, side) for n in group[start : start + columns]]
                blank = Strip([Segment(" " * (1 + (columns - len(row)) * cell), base)])  # the grid's right edge
                lines += [Strip.join([*(pixels[y] for pixels, _ in row), blank]) for y in range(len(row[0][0]))]
                lines.append(Strip.join([*(caption for _, caption in row), Strip([Segment(" ", base)])]))
        lines = [line.crop(0, width) if line.cell_length > width else line for line in lines]
        self._lines = (base, lines)
        return lines

    def _digit(self, neighbour: Neighbour, dataset: Dataset, side: int) -> DigitLines:
        """One digit's lines (drawn once): a one-digit grid less its right edge, so digits join as the grid's do."""
        if neighbour not in self._digits:
            grid = DigitGrid(
                fit_side(dataset.X_train[np.array([neighbour.index])], side),
                [f"{format_threshold(neighbour.score)} {neighbour.label}"],
                1,
                caption_styles=[MISTAKE if neighbour.mistake else CORRECT],
            )
            cell = DigitGrid.cell_width(side)
            *pixels, caption = (line.crop(0, cell) for line in self._strips(grid, cell + 1))
            self._digits[neighbour] = (pixels, caption)
        return self._digits[neighbour]

    def _strips(self, renderable: RenderableType, width: int) -> list[Strip]:
        """``renderable``'s lines as a Static shows it: on the widget's style, cropped to ``width``, unpadded."""
        options = self.app.console_options.update(highlight=False, width=width)
        segments = self.app.console.render(self.post_render(renderable, self.visual_style.rich_style), options)
        return [
            Strip(line) for line in Segment.split_and_crop_lines(segments, width, include_new_lines=False, pad=False)
        ]
