"""The training images just above and just below the threshold, as half-block digits with score and label.

A step moves one image (or a group of tied ones) across the threshold, so the digits either side slide by one:
a shown image's pixel lines, each caption and each grey pair's style are drawn once (per size and style) and kept,
a step joins the kept lines anew and repaints only the lines that differ, without a layout.
"""

from __future__ import annotations

import asyncio

import numpy as np
from rich.color import Color
from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import work
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from engine.data import Dataset
from engine.render.digits import UPPER_HALF, DigitGrid, fit_side, pixel_keys
from engine.threshold import Neighbour, ThresholdAnalysis, format_threshold

MISTAKE = Style(color="red", bold=True)
CORRECT = Style(color="green")
GREYS = [Color.from_rgb(v, v, v) for v in range(256)]  # pixel_style's colours, made once
KEPT_OFF_SCREEN = 64  # captions kept beyond those shown (stepping back finds them), so memory stays small
KEPT_STYLES = 8192  # grey pairs' styles kept (of 65,536): few live objects for the garbage collector to scan
AHEAD = 10  # images beyond each end whose styles are made after the frame, one at a time (shift+arrow moves ten)


def pixel_strips(keys: np.ndarray, base: Style, styles: dict[int, Style]) -> list[Strip]:
    """The lines a one-digit :class:`DigitGrid` draws for a (lines, side) array of pixel keys, less its right edge:
    the one-cell gap, then one ``▀`` segment per run of equal keys, as the grid's segments are, on ``base``
    (``styles`` keeps each grey pair's style on it: rich's own cache of style sums is small). Built from the keys
    directly, without a console render and line splitting: several times quicker, and far fewer objects."""
    lines, side = keys.shape
    change = np.empty(keys.shape, dtype=bool)
    change[:, 0] = True  # every line starts a run
    np.not_equal(keys[:, 1:], keys[:, :-1], out=change[:, 1:])
    starts = np.flatnonzero(change)
    lengths = np.diff(starts, append=keys.size).tolist()  # a line's last run ends where the next line starts
    runs: list[list[Segment]] = [[] for _ in range(lines)]
    for at, n, key in zip(starts.tolist(), lengths, keys.ravel()[starts].tolist()):
        style = styles.get(key)
        if style is None:
            style = styles[key] = pixel_style_on(base, key)
        runs[at // side].append(Segment(UPPER_HALF * n, style))
    gap = Segment(" ", base)
    return [Strip([gap, *line], side + 1) for line in runs]


def pixel_style_on(base: Style, key: int) -> Style:
    """``base + pixel_style(key)``, from the greys' colours made once (a Fashion-MNIST image brings ~120 new pairs)."""
    return base + Style.from_color(GREYS[key >> 8], GREYS[key & 255])


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
        # a shown image's pixel lines, each with the gap at its left (only the shown ones and those a step or ten
        # either way would show: every kept line is dozens of objects for the garbage collector to scan; with the
        # styles kept, drawing one again takes ~0.5 ms)
        self._pixels: dict[int, list[Strip]] = {}
        self._next: set[int] = set()  # the images a step or ten either way would show (their lines drawn ahead)
        self._captions: dict[Neighbour, Strip] = {}  # its caption: score, label, mistake or not (changes with sides)
        self._drawn_for: tuple[Dataset, int, Style] | None = None  # the data, side and style they were drawn with
        self._styles: dict[int, Style] = {}  # a grey pair's style on the widget's style

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
        else:  # only the lines that differ: the titles and the blank lines under the digits stay as they were
            old = before[1]
            changed = [
                y for y in range(max(len(old), len(lines))) if y >= len(old) or y >= len(lines) or old[y] != lines[y]
            ]
            if changed:
                self.refresh(*(Region(0, y, width, 1) for y in changed))
        self.call_after_refresh(self._draw_ahead)  # once this step's frame is out

    @work(exclusive=True, group="threshold-digits-ahead")
    async def _draw_ahead(self) -> None:
        """After a frame, one image at a time between other work: the pixel lines of the images a step or ten
        either way would show, then the styles of the grey pairs of the others up to ten steps away (most of the
        cost of drawing a Fashion-MNIST image the first time), so those steps find them."""
        if self._shown is None or self._drawn_for is None:
            return
        analysis, threshold, dataset = self._shown
        base, side = self._drawn_for[2], self._grid[0]
        above, below = analysis.neighbours(threshold, max(len(self.above), len(self.below)) + AHEAD)
        order, cut = [*reversed(below), *above], len(below)  # lowest score first; the threshold cuts at `cut`
        windows = [
            order[max(0, cut + move - len(self.below)) : max(0, cut + move + len(self.above))]
            for move in (1, -1, AHEAD, -AHEAD)  # images moved across (one per step unless scores tie)
        ]
        nearest = list(dict.fromkeys(n.index for window in windows for n in window))
        self._next = set(nearest)
        for index in nearest:
            if index not in self._pixels:
                self._digit_pixels(index, dataset, side)
                await asyncio.sleep(0)
        for neighbour in order:
            if neighbour.index in self._pixels:
                continue
            missing = [
                k for k in np.unique(self._keys(neighbour.index, dataset, side)).tolist() if k not in self._styles
            ]
            for key in missing:
                self._styles[key] = pixel_style_on(base, key)
            if missing:
                await asyncio.sleep(0)

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
        drawn_for = self._drawn_for
        if drawn_for is None or drawn_for[0] is not dataset or drawn_for[1:] != (side, base):
            self._pixels, self._captions, self._drawn_for = {}, {}, (dataset, side, base)
            self._styles = {}
        shown = {*self.above, *self.below}
        keep = {n.index for n in shown} | self._next
        self._pixels = {index: lines for index, lines in self._pixels.items() if index in keep}
        if len(self._captions) > len(shown) + KEPT_OFF_SCREEN:
            self._captions = {n: line for n, line in self._captions.items() if n in shown}
        if len(self._styles) > KEPT_STYLES:
            self._styles = {}
        cell = DigitGrid.cell_width(side)
        lines: list[Strip] = []
        names = dataset.class_names
        name = names[analysis.digit] if analysis.digit < len(names) else str(analysis.digit)  # "5", or "Sandal"
        for title, group in ((f"▲ says {name}", self.above), (f"▼ says not {name}", self.below)):
            lines += self._strips(Text(title, style="bold", no_wrap=True, overflow="ellipsis"), width)
            for start in range(0, len(group), columns):
                row = group[start : start + columns]
                pixels = [self._digit_pixels(n.index, dataset, side) for n in row]
                edge = 1 + (columns - len(row)) * cell  # the grid's right edge (lengths given: joins add them up)
                blank = Strip([Segment(" " * edge, base)], edge)
                lines += [Strip.join([*(digit[y] for digit in pixels), blank]) for y in range(len(pixels[0]))]
                lines.append(Strip.join([*(self._caption(n, side, base) for n in row), Strip([Segment(" ", base)], 1)]))
        lines = [line.crop(0, width) if line.cell_length > width else line for line in lines]
        self._lines = (base, lines)
        return lines

    def _digit_pixels(self, index: int, dataset: Dataset, side: int) -> list[Strip]:
        """A training image's pixel lines (drawn once): a one-digit grid's less its right edge and its caption, so
        digits join as the grid's do. An image that changes side keeps them; only its caption changes."""
        if index not in self._pixels:
            self._pixels[index] = pixel_strips(
                self._keys(index, dataset, side), self.visual_style.rich_style, self._styles
            )
        return self._pixels[index]

    @staticmethod
    def _keys(index: int, dataset: Dataset, side: int) -> np.ndarray:
        """A training image's pixel keys at ``side`` (lines, side)."""
        return pixel_keys(fit_side(dataset.X_train[index : index + 1], side))[0]

    def _caption(self, neighbour: Neighbour, side: int, base: Style) -> Strip:
        """The gap and the caption under a digit, as :class:`DigitGrid` writes it: score and label, centred."""
        if neighbour not in self._captions:
            text = f"{format_threshold(neighbour.score)} {neighbour.label}"[:side].center(side)
            style = base + (MISTAKE if neighbour.mistake else CORRECT)
            self._captions[neighbour] = Strip([Segment(" ", base), Segment(text, style)], 1 + side)
        return self._captions[neighbour]

    def _strips(self, renderable: RenderableType, width: int) -> list[Strip]:
        """``renderable``'s lines as a Static shows it: on the widget's style, cropped to ``width``, unpadded."""
        options = self.app.console_options.update(highlight=False, width=width)
        segments = self.app.console.render(self.post_render(renderable, self.visual_style.rich_style), options)
        return [
            Strip(line) for line in Segment.split_and_crop_lines(segments, width, include_new_lines=False, pad=False)
        ]
