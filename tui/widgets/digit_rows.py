"""Rows of a digit grid as Strips: the lines a :class:`~engine.render.DigitGrid` draws, on a widget's style.

Built without a console render and line splitting (which cost ~30 ms a row of Fashion-MNIST digits at 200 columns,
most of a page change): each image's pixel runs become segments once and are kept by image index, so a row is joined
from kept segments, and a cursor move or a page seen before costs almost nothing. The segments are the grid's own
(one per run of equal pixel pairs, one per gap, mark and caption), each with the widget's style under it, as
``Visual.to_strips`` would make them; tests/test_digit_rows.py checks they are equal.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from engine.render.digits import (
    DEFAULT_CAPTION_STYLE,
    DEFAULT_HIGHLIGHT_STYLE,
    UPPER_HALF,
    fit_side,
    pixel_keys,
)

Pixels = list[list[Segment]]  # one image's segments, line by line (no gaps)
GREYS = [Color.from_rgb(v, v, v) for v in range(256)]  # pixel_style's colours, made once


class DigitRows:
    """Draws rows of ``side``-pixel digits on ``base`` (the widget's rich style), keeping each image's pixels."""

    def __init__(self, images: np.ndarray, side: int, base: Style, keep: int) -> None:
        self.images, self.side, self.base = images, side, base
        self.keep = keep  # images whose pixels are kept: beyond it the oldest go
        self._pixels: dict[int, Pixels] = {}
        self._styles: dict[int, Style] = {}  # a grey pair's style on base
        self._blank = Segment(" ", base)
        mark = base + Style(color=DEFAULT_HIGHLIGHT_STYLE.bgcolor)
        self._marks = (Segment("▐", mark), Segment("▌", mark))

    def fits(self, images: np.ndarray, side: int, base: Style) -> bool:
        """Whether this draws ``images`` at ``side`` on ``base`` (else its kept pixels are of no use)."""
        return images is self.images and side == self.side and base == self.base

    def row(
        self,
        indices: Sequence[int],
        captions: Sequence[str],
        caption_styles: Sequence[Style | None] | None,
        columns: int,
        highlight: int | None,
    ) -> list[Strip]:
        """The pixel lines and the caption line of one row: ``indices`` (at most ``columns``), the digit at position
        ``highlight`` among them (if any) between bars and with a highlighted caption."""
        pixels = self.pixels(indices)
        side, blank = self.side, self._blank
        cell = side + 1
        width = columns * cell + 1
        used = len(indices) * cell  # columns of gaps and digits; the rest of the row is one run of blanks
        left, right = self._marks
        strips = []
        for y in range(len(pixels[0]) if pixels else 0):
            segments: list[Segment] = []
            for j, image in enumerate(pixels):
                segments.append(left if j == highlight else right if j - 1 == highlight else blank)
                segments.extend(image[y])
            rest = width - used
            if highlight is not None and highlight == len(indices) - 1:
                segments.append(right)
                rest -= 1
            if rest:
                segments.append(Segment(" " * rest, self.base))
            strips.append(Strip(segments, width))
        strips.append(self._caption_line(captions, caption_styles, highlight))
        return strips

    def _caption_line(
        self, captions: Sequence[str], caption_styles: Sequence[Style | None] | None, highlight: int | None
    ) -> Strip:
        base, side, blank = self.base, self.side, self._blank
        segments = [blank]
        for j, caption in enumerate(captions):
            if j == highlight:
                style = DEFAULT_HIGHLIGHT_STYLE
            elif caption_styles is not None and (own := caption_styles[j]) is not None:
                style = own
            else:
                style = DEFAULT_CAPTION_STYLE
            segments += [Segment(str(caption)[:side].center(side), base + style), blank]
        return Strip(segments, 1 + len(captions) * (side + 1))

    def pixels(self, indices: Sequence[int]) -> list[Pixels]:
        """The images' pixel segments, drawn now if they are not kept (the least recently used go first)."""
        kept, wanted = self._pixels, dict.fromkeys(indices)
        for i in wanted:
            if i in kept:
                kept[i] = kept.pop(i)  # now the most recently used
        missing = [i for i in wanted if i not in kept]
        if missing:
            excess = len(kept) + len(missing) - self.keep
            if excess > 0:
                for old in [i for i in kept if i not in wanted][:excess]:
                    del kept[old]
                if len(self._styles) > 16384:  # of 65,536 grey pairs: few live objects for the garbage collector
                    self._styles = {}
            keys = pixel_keys(fit_side(self.images[missing], self.side))
            kept.update(zip(missing, self._runs(keys)))
        return [kept[i] for i in indices]

    def _runs(self, keys: np.ndarray) -> list[Pixels]:
        """Each image's lines of segments, one per run of equal keys, from (n, lines, side) pixel keys."""
        n, lines, side = keys.shape
        flat = keys.reshape(n * lines, side)
        change = np.empty(flat.shape, dtype=bool)
        change[:, 0] = True  # every line starts a run
        np.not_equal(flat[:, 1:], flat[:, :-1], out=change[:, 1:])
        starts = np.flatnonzero(change)
        lengths = np.diff(starts, append=flat.size).tolist()  # a line's last run ends where the next line starts
        out: list[list[Segment]] = [[] for _ in range(n * lines)]
        styles, base = self._styles, self.base
        for at, length, key in zip(starts.tolist(), lengths, flat.ravel()[starts].tolist()):
            style = styles.get(key)
            if style is None:
                style = styles[key] = base + Style(color=GREYS[key >> 8], bgcolor=GREYS[key & 255])  # pixel_style
            out[at // side].append(Segment(UPPER_HALF * length, style))
        return [out[k * lines : (k + 1) * lines] for k in range(n)]
