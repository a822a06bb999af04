"""Digits drawn as half-block pixels: two pixel rows per terminal cell, ``▀`` with fg = top, bg = bottom.

The rich-pixels idea, vectorised: numpy turns an image (or a whole page of them) into one array of
``top << 8 | bottom`` keys, runs of equal keys become one :class:`~rich.segment.Segment` each, and every grey
pair's :class:`~rich.style.Style` is built once. A 40-digit page of 28×28 digits renders in a few milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rich.color import Color
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style

UPPER_HALF = "▀"
BLANK, MARK_LEFT, MARK_RIGHT = -1, -2, -3  # keys that are not pixels: gap, cursor bar left/right of a digit
DEFAULT_CAPTION_STYLE = Style(color="grey70")
DEFAULT_HIGHLIGHT_STYLE = Style(color="black", bgcolor="yellow", bold=True)


@lru_cache(maxsize=65536)
def pixel_style(key: int) -> Style:
    """The style of one half-block cell: fg grey = top pixel (``key >> 8``), bg grey = bottom (``key & 255``)."""
    top, bottom = key >> 8, key & 255
    return Style(color=Color.from_rgb(top, top, top), bgcolor=Color.from_rgb(bottom, bottom, bottom))


def pixel_keys(images: np.ndarray) -> np.ndarray:
    """(..., h, w) uint8 → (..., ceil(h/2), w) int32 keys ``top << 8 | bottom``; an odd last row pairs with black."""
    images = np.asarray(images, dtype=np.uint8)
    if images.shape[-2] % 2:
        pad = [(0, 0)] * (images.ndim - 2) + [(0, 1), (0, 0)]
        images = np.pad(images, pad)
    top = images[..., 0::2, :].astype(np.int32)
    return (top << 8) | images[..., 1::2, :]


def fit_side(images: np.ndarray, side: int) -> np.ndarray:
    """Resample square images (n, h, h) to (n, side, side): block mean when shrinking by a whole factor,
    pixel repetition when growing by one, nearest neighbour otherwise."""
    images = np.asarray(images, dtype=np.uint8)
    h = images.shape[-1]
    if side == h:
        return images
    if side < h and h % side == 0:
        f = h // side
        blocks = images.reshape(*images.shape[:-2], side, f, side, f).astype(np.uint16)
        return (blocks.sum(axis=(-3, -1)) // (f * f)).astype(np.uint8)
    if side > h and side % h == 0:
        f = side // h
        return images.repeat(f, axis=-2).repeat(f, axis=-1)
    pick = (np.arange(side) * h) // side
    return images[..., pick, :][..., :, pick]


def _segments(keys: np.ndarray, highlight_style: Style) -> Iterable[Segment]:
    """Segments for a (lines, width) key array: one segment per run of equal keys, a newline after each line."""
    lines, width = keys.shape
    if width == 0:
        yield from (Segment.line() for _ in range(lines))
        return
    flat = keys.ravel()
    change = np.empty(flat.size, dtype=bool)
    change[0] = True
    np.not_equal(flat[1:], flat[:-1], out=change[1:])
    change[::width] = True  # every line starts a run
    starts = np.flatnonzero(change)
    ends = np.append(starts[1:], flat.size)
    lengths = (ends - starts).tolist()
    line_ends = (ends % width == 0).tolist()
    newline = Segment.line()
    marks = {MARK_LEFT: "▐", MARK_RIGHT: "▌"}
    mark_style = Style(color=highlight_style.bgcolor)
    style = pixel_style
    for n, key, at_end in zip(lengths, flat[starts].tolist(), line_ends):
        if key >= 0:
            yield Segment(UPPER_HALF * n, style(key))
        elif key == BLANK:
            yield Segment(" " * n)
        else:
            yield Segment(marks[key] * n, mark_style)
        if at_end:
            yield newline


@dataclass
class DigitImage:
    """One image as half-block pixels, each pixel repeated ``scale`` times in both directions."""

    image: np.ndarray
    scale: int = 1

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        image = np.asarray(self.image, dtype=np.uint8)
        if self.scale > 1:
            image = image.repeat(self.scale, axis=0).repeat(self.scale, axis=1)
        yield from _segments(pixel_keys(image), DEFAULT_HIGHLIGHT_STYLE)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        width = np.asarray(self.image).shape[1] * self.scale
        return Measurement(width, width)


@dataclass
class DigitGrid:
    """Images (n, s, s) laid out ``columns`` to a row, each with a caption under it.

    ``highlight`` (an index into ``images``) marks one digit with bars either side and a highlighted caption;
    ``caption_styles`` optionally gives one style per caption (e.g. red for a misclassified digit).
    """

    images: np.ndarray
    captions: Sequence[str]
    columns: int
    highlight: int | None = None
    caption_style: Style = DEFAULT_CAPTION_STYLE
    highlight_style: Style = DEFAULT_HIGHLIGHT_STYLE
    caption_styles: Sequence[Style | None] | None = None

    @staticmethod
    def cell_width(side: int) -> int:
        """Columns one digit takes, its left gap included (the grid adds one more column at its right)."""
        return side + 1

    @staticmethod
    def cell_height(side: int) -> int:
        """Lines one row of digits takes: ceil(side / 2) pixel lines and the caption."""
        return (side + 1) // 2 + 1

    @classmethod
    def fits(cls, side: int, width: int, height: int) -> tuple[int, int]:
        """(columns, rows) of ``side``-pixel digits that fit in width × height cells (each at least 1)."""
        return max(1, (width - 1) // cls.cell_width(side)), max(1, height // cls.cell_height(side))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        images = np.asarray(self.images, dtype=np.uint8)
        n, side = len(images), images.shape[-1] if images.ndim == 3 else 0
        columns = max(1, self.columns)
        if n == 0:
            return
        keys = pixel_keys(images)  # (n, L, side)
        lines = keys.shape[1]
        cell = side + 1
        width = columns * cell + 1
        for row_start in range(0, n, columns):
            row = keys[row_start : row_start + columns]
            canvas = np.full((lines, columns, cell), BLANK, dtype=np.int32)
            canvas[:, : len(row), 1:] = row.transpose(1, 0, 2)
            canvas = np.concatenate(
                [canvas.reshape(lines, columns * cell), np.full((lines, 1), BLANK, dtype=np.int32)], axis=1
            )
            if self.highlight is not None and row_start <= self.highlight < row_start + columns:
                x = (self.highlight - row_start) * cell
                canvas[:, x] = MARK_LEFT
                canvas[:, x + cell] = MARK_RIGHT
            yield from _segments(canvas, self.highlight_style)
            yield from self._caption_line(row_start, min(n, row_start + columns), side, width - 1)

    def _caption_line(self, start: int, stop: int, side: int, used: int) -> Iterable[Segment]:
        yield Segment(" ")
        for i in range(start, stop):
            text = str(self.captions[i])[:side].center(side)
            if i == self.highlight:
                style = self.highlight_style
            elif self.caption_styles is not None and (own := self.caption_styles[i]) is not None:
                style = own
            else:
                style = self.caption_style
            yield Segment(text, style)
            yield Segment(" ")
        yield Segment.line()

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        side = np.asarray(self.images).shape[-1]
        width = max(1, self.columns) * (side + 1) + 1
        return Measurement(width, width)


@dataclass(frozen=True)
class DigitStats:
    """Pixel statistics of one image. ``bbox`` is (top, left, bottom, right) inclusive, None if blank."""

    mean: float
    min: int
    max: int
    ink_fraction: float  # share of pixels at or above half intensity (128)
    nonzero_fraction: float
    bbox: tuple[int, int, int, int] | None


def digit_stats(image: np.ndarray) -> DigitStats:
    """Mean, range, ink fraction and the bounding box of the non-zero pixels of one (h, w) image."""
    image = np.asarray(image)
    rows = np.flatnonzero(image.any(axis=1))
    cols = np.flatnonzero(image.any(axis=0))
    bbox = None if rows.size == 0 else (int(rows[0]), int(cols[0]), int(rows[-1]), int(cols[-1]))
    return DigitStats(
        mean=float(image.mean()),
        min=int(image.min()),
        max=int(image.max()),
        ink_fraction=float((image >= 128).mean()),
        nonzero_fraction=float((image > 0).mean()),
        bbox=bbox,
    )
