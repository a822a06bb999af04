"""A pageable grid of digits with a cursor: as many as fit, each drawn as half-block pixels with a caption.

Drawn row of digits by row of digits (Textual's line API), each row's lines kept (per width and style) until the
items change: a cursor move within the page repaints only the rows it leaves and enters (the bars either side of a
digit and its caption), not the whole page, which at 200×60 is ~80 digits and most of a key's time; a grid hidden
and shown again (the More tab's views) draws from what it kept. The rows are joined from each image's pixel segments
(:class:`~tui.widgets.digit_rows.DigitRows`), kept for a few pages and drawn for the pages either side after a page
change, so paging on or back draws no pixels.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from rich.style import Style
from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.events import Resize
from textual.geometry import Region
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from engine.render import DigitGrid
from tui.widgets.digit_rows import DigitRows

Caption = Callable[[int], str]
PAGES = Binding.Group("Pages")  # one footer entry, `[ ]` Pages, for both page keys
KEPT_PAGES = 4  # pages of images whose pixel segments are kept (paging back and forth finds them drawn)


def display_side(side: int, large: bool) -> int:
    """Pixels per side on screen: 28×28 digits show at 14 (small) or 28 (large); 8×8 ones at 8 or 16."""
    if side >= 16:
        return side if large else side // 2
    return side * 2 if large else side


class DigitGridView(Widget, can_focus=True):
    """Shows ``images[indices]`` page by page; the cursor is a position in ``indices``.

    Posts :class:`DigitGridView.Moved` whenever the cursor, the page or the page size changes and
    :class:`DigitGridView.Opened` when ``enter`` is pressed on a digit.
    """

    BINDINGS = [
        Binding("left", "move(-1, 0)", "Previous digit", show=False),
        Binding("right", "move(1, 0)", "Next digit", show=False),
        Binding("up", "move(0, -1)", "Digit above", show=False),
        Binding("down", "move(0, 1)", "Digit below", show=False),
        Binding("left_square_bracket", "page(-1)", "Prev page", key_display="[", group=PAGES),
        Binding("right_square_bracket", "page(1)", "Next page", key_display="]", group=PAGES),
        Binding("pagedown", "page(1)", "Next page", show=False),
        Binding("pageup", "page(-1)", "Prev page", show=False),
        Binding("home", "jump(0)", "First page", show=False),
        Binding("end", "jump(-1)", "Last page", show=False),
        Binding("enter", "open", "Open digit"),
        Binding("z", "zoom", "Zoom", show=False),
    ]

    # No repaint of its own: watch_cursor repaints the two rows a move touches (a whole-widget refresh would redraw
    # every line of the page through Textual's styles and filters, ~20 ms a key at 200x60).
    cursor: reactive[int] = reactive(0, init=False, repaint=False)
    large: reactive[bool] = reactive(False, init=False)

    @dataclass
    class Moved(Message):
        """The cursor, the page or the number of digits per page changed."""

        grid: DigitGridView

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, DigitGridView.Moved) and message.grid is self.grid

    @dataclass
    class Opened(Message):
        """``enter`` on the digit at ``position`` (its image is ``images[index]``)."""

        grid: DigitGridView
        position: int
        index: int

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.images: np.ndarray | None = None
        self.indices: np.ndarray = np.zeros(0, dtype=np.int64)
        self.caption: Caption = str
        self.caption_style: Callable[[int], Style | None] | None = None
        self.empty_text = "Loading…"
        self._rows: dict[tuple, list[Strip]] = {}  # (first position, cursor in it, width, style) → a row's lines
        self._drawer: DigitRows | None = None  # keeps each image's pixel segments while images, side and style stay
        self._frame: tuple[int, int, int] | None = None  # (columns, rows, width) while render_lines draws
        self._drawn_shape: tuple[int, int] | None = None  # (columns, rows) of the last frame drawn

    # -- content -----------------------------------------------------------------------------------------------
    def set_items(
        self,
        images: np.ndarray,
        indices: np.ndarray,
        caption: Caption,
        caption_style: Callable[[int], Style | None] | None = None,
        cursor: int = 0,
    ) -> None:
        """Page through ``images[indices]``, captioned by ``caption(index)``; put the cursor at ``cursor``."""
        self.images = images
        self.indices = np.asarray(indices, dtype=np.int64)
        self.caption = caption
        self.caption_style = caption_style
        self.set_reactive(DigitGridView.cursor, self._clamp(cursor))
        self._changed()

    @property
    def count(self) -> int:
        return len(self.indices)

    @property
    def side(self) -> int:
        """Pixels per side as drawn."""
        return 0 if self.images is None else display_side(self.images.shape[-1], self.large)

    @property
    def grid_shape(self) -> tuple[int, int]:
        """(columns, rows) of digits that fit the widget now."""
        if self.images is None:
            return (1, 1)
        return DigitGrid.fits(self.side, self.size.width, self.size.height)

    @property
    def page_size(self) -> int:
        columns, rows = self.grid_shape
        return columns * rows

    @property
    def page(self) -> int:
        """Zero-based page of the cursor."""
        return self.cursor // self.page_size

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.page_size))

    @property
    def current_index(self) -> int | None:
        """Index into ``images`` of the digit under the cursor."""
        return int(self.indices[self.cursor]) if self.count else None

    # -- keys --------------------------------------------------------------------------------------------------
    def action_move(self, dx: int, dy: int) -> None:
        columns, _ = self.grid_shape
        self.cursor = self._clamp(self.cursor + dx + dy * columns)

    def action_page(self, delta: int) -> None:
        self.cursor = self._clamp(self.cursor + delta * self.page_size)

    def action_jump(self, where: int) -> None:
        self.cursor = 0 if where == 0 else self._clamp(self.count - 1)

    def action_open(self) -> None:
        if self.count:
            self.post_message(self.Opened(self, self.cursor, int(self.indices[self.cursor])))

    def action_zoom(self) -> None:
        self.large = not self.large

    def _clamp(self, position: int) -> int:
        return max(0, min(position, self.count - 1))

    def watch_cursor(self, before: int, cursor: int) -> None:
        size = self.page_size
        if before // size != cursor // size:  # another page: its rows may be kept from an earlier visit
            self.refresh()
            self.post_message(self.Moved(self))
            self.call_after_refresh(self._draw_ahead)
            return
        columns, _ = self.grid_shape
        height = DigitGrid.cell_height(self.side)
        for position in {before % size, cursor % size}:  # the rows it leaves and enters
            self.refresh(Region(0, position // columns * height, self.size.width, height))
        self.post_message(self.Moved(self))

    def watch_large(self) -> None:
        self._changed()

    def on_resize(self, event: Resize) -> None:
        # No refresh: Textual repaints a widget whose size changed (rows are kept by width), and a grid shown again
        # at its old size also gets a Resize, where a refresh would redraw every row for nothing (~20 ms at 200x60).
        self.post_message(self.Moved(self))

    def _changed(self) -> None:
        self._rows.clear()
        self.refresh()
        self.post_message(self.Moved(self))
        self.call_after_refresh(self._draw_ahead)

    @work(exclusive=True, group="digit-grid-ahead")
    async def _draw_ahead(self) -> None:
        """The pixels of the next page and the one before, a row at a time between other work (a key waits for one
        row at most: ~3 ms of Fashion-MNIST at 200x60), so paging on finds them drawn (a third of a page change)."""
        columns, rows = self.grid_shape
        size = columns * rows
        page = self.cursor // size * size
        for start in (*range(page + size, page + 2 * size, columns), *range(page - size, page, columns)):
            drawer = self._drawer  # the one the last frame drew with (None or another's: nothing to draw ahead for)
            if drawer is None or not 0 <= start < self.count or self.images is None:
                continue
            if not drawer.fits(self.images, self.side, self.visual_style.rich_style):
                return
            drawer.pixels(self.indices[start : start + columns].tolist())
            await asyncio.sleep(0)

    # -- drawing -----------------------------------------------------------------------------------------------
    def render(self) -> Text:
        """What shows with no digits (the digits are drawn by ``render_line``)."""
        return Text(self.empty_text, style="dim", justify="center")

    def _row(self, start: int, stop: int, columns: int, rows: int) -> list[Strip]:
        """The lines of the digits at positions ``start`` to ``stop``, the cursor's highlighted if it is among them."""
        assert self.images is not None
        base = self.visual_style.rich_style
        if self._drawer is None or not self._drawer.fits(self.images, self.side, base):
            self._drawer = DigitRows(self.images, self.side, base, keep=KEPT_PAGES * columns * rows)
        shown = self.indices[start:stop].tolist()
        captions = [self.caption(i) for i in shown]
        styles = None if self.caption_style is None else [self.caption_style(i) for i in shown]
        highlight = self.cursor - start if start <= self.cursor < stop else None
        return self._drawer.row(shown, captions, styles, columns, highlight)

    def render_lines(self, crop: Region) -> list[Strip]:
        # The shape once for all the lines drawn: the widget's size is dear to look up (~8 ms a page at 200x60).
        self._frame = (*self.grid_shape, self.size.width)
        if self._frame[:2] != self._drawn_shape:
            # what reports the page size (a status line) follows the shape drawn: Resize alone once left a status at
            # a 1x1 grid's page count (CI, twice) while the grid drew full pages
            self._drawn_shape = self._frame[:2]
            self.post_message(self.Moved(self))
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def render_line(self, y: int) -> Strip:
        if self.images is None or not self.count:
            return super().render_line(y)
        columns, rows, width = self._frame or (*self.grid_shape, self.size.width)
        height = DigitGrid.cell_height(self.side)
        row, line = divmod(y, height)
        start = self.cursor // (columns * rows) * columns * rows + row * columns
        if row >= rows or start >= self.count:
            return Strip.blank(width, self.visual_style.rich_style)
        stop = start + columns
        style = self.visual_style  # e.g. another background when focused
        key = (start, self.cursor if start <= self.cursor < stop else None, width, style)
        if key not in self._rows:
            if len(self._rows) > 8 * rows:  # rows of other pages, widths, cursors: keep it bounded
                self._rows.clear()
            self._rows[key] = self._row(start, stop, columns, rows)
        strips = self._rows[key]
        return strips[line] if line < len(strips) else Strip.blank(width, self.visual_style.rich_style)
