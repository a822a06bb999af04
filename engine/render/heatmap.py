"""A confusion-matrix heatmap as a rich renderable: n×n cells coloured by value with the numbers inside.

Shared by ``mnist-explorer errors`` (printed with rich) and the Errors tab (shown in a widget, with a cursor).
Cells are as narrow as their numbers allow (10 classes of counts below 1,000 take 46 columns), so the map
fits an 80×24 terminal beside a side panel; where it would not (four-digit counts of 60,000 images, long class
names), :meth:`Heatmap.fitted` lets the numbers touch (the cell colours part them) and cuts the row labels. Each part (the header, a class's row, the legend) also renders alone,
line for line as in the whole map, so the Errors tab redraws only the parts a cursor move changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np
from rich.color import Color
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style

# viridis at five stops: dark blue-violet for low values, yellow for high
PALETTE: tuple[tuple[int, int, int], ...] = (
    (68, 1, 84),
    (59, 82, 139),
    (33, 145, 140),
    (94, 201, 98),
    (253, 231, 37),
)
ZERO_STYLE = Style(color="grey42")
LABEL_STYLE = Style(color="grey70")
CURSOR_LABEL_STYLE = Style(color="black", bgcolor="yellow", bold=True)
TITLE_STYLE = Style(color="grey70", italic=True)
MIN_CELL = 4
LEGEND_STEPS = 8
SHADES = "░▒▓█"  # the legend where the terminal shows no colour (NO_COLOR, a dumb terminal)
HEADER, LEGEND = "header", "legend"
Section = int | str  # a part of the map: a class's row (its index), HEADER or LEGEND


def colour_at(t: float) -> tuple[int, int, int]:
    """The palette colour at ``t`` in [0, 1], linearly interpolated between stops."""
    t = min(1.0, max(0.0, float(t)))
    x = t * (len(PALETTE) - 1)
    i = min(int(x), len(PALETTE) - 2)
    f = x - i
    a, b = PALETTE[i], PALETTE[i + 1]
    return tuple(int(round(a[k] + (b[k] - a[k]) * f)) for k in range(3))  # type: ignore[return-value]


def cell_style(t: float, cursor: bool = False) -> Style:
    """Background by value, black or white text by the background's brightness; the cursor is bold."""
    r, g, b = colour_at(t)
    light = 0.299 * r + 0.587 * g + 0.114 * b > 140
    return Style(color="black" if light else "white", bgcolor=Color.from_rgb(r, g, b), bold=cursor)


def format_value(value: float, percent: bool) -> str:
    """A count as an integer; a fraction as a percentage in at most 3 characters; zero as ``·``."""
    if value == 0:
        return "·"
    if not percent:
        return f"{int(round(value))}"
    p = value * 100
    if p >= 99.5:
        return "100"
    if p >= 9.95:
        return f"{p:.0f}"
    if p >= 0.05:
        return f"{p:.1f}"
    return "<.1"


def short_names(names: Sequence[str], width: int) -> list[str]:
    """Class names cut to ``width`` characters (below 6, letters and digits only), made unique with their index."""
    out = []
    for _i, name in enumerate(names):
        if len(name) <= width:
            out.append(name)
            continue
        letters = name if width >= 6 else "".join(ch for ch in name if ch.isalnum()) or name
        out.append(letters[:width].rstrip())
    if len(set(out)) < len(out):
        out = [s if out.count(s) == 1 else f"{i}{s}"[:width] for i, s in enumerate(out)]
    return out


@dataclass
class Heatmap:
    """``values`` (n×n; counts, or fractions when ``percent``) with ``labels`` on both axes.

    ``cursor`` (true, predicted) marks one cell with brackets (in reverse when its number leaves no room for them)
    and highlights its labels; ``blank_diagonal``
    shows the diagonal as ``—`` and leaves it out of the colour scale (the errors-only mode).
    """

    values: np.ndarray
    labels: Sequence[str]
    percent: bool = False
    cursor: tuple[int, int] | None = None
    blank_diagonal: bool = False
    title: str = ""
    row_title: str = "true"
    col_title: str = "predicted →"
    legend: bool = True
    min_cell: int = MIN_CELL
    row_height: int = 1
    tight: bool = False  # no space beside the widest number: the cell colours part it from the next
    label_cap: int = 8

    @property
    def n(self) -> int:
        return int(np.asarray(self.values).shape[0])

    def _texts(self) -> list[list[str]]:
        v = np.asarray(self.values, dtype=np.float64)
        return [
            ["—" if self.blank_diagonal and i == j else format_value(v[i, j], self.percent) for j in range(self.n)]
            for i in range(self.n)
        ]

    def cell_width(self) -> int:
        widest = max((len(t) for row in self._texts() for t in row), default=1)
        return max(MIN_CELL, self.min_cell, widest + (not self.tight))

    def label_width(self) -> int:
        return max(len(self.row_title), min(self.label_cap, max((len(s) for s in self.labels), default=1)))

    def vmax(self) -> float:
        v = np.asarray(self.values, dtype=np.float64).copy()
        if self.blank_diagonal and v.size:
            np.fill_diagonal(v, 0.0)
        return float(v.max()) if v.size else 0.0

    def width(self) -> int:
        return self.label_width() + 1 + self.n * self.cell_width()

    def height(self) -> int:
        """Lines drawn: the title, the two header lines, the rows and the legend."""
        return bool(self.title) + 2 + self.n * max(1, self.row_height) + self.legend

    def fitted(self, width: int, height: int, max_cell: int = 9, max_row_height: int = 3) -> Heatmap:
        """The same map with cells widened and rows heightened to fill ``width`` × ``height``; too wide for
        ``width``, its numbers touch and then its row labels are cut (to the row title's width at least)."""
        heatmap = self
        if heatmap.width() > width:
            heatmap = replace(heatmap, tight=True)
        if heatmap.width() > width:
            heatmap = replace(heatmap, label_cap=max(1, width - 1 - heatmap.n * heatmap.cell_width()))
        base = heatmap.cell_width()
        spare_width = (width - heatmap.label_width() - 1) // max(1, self.n)
        rows = (height - (bool(self.title) + 2 + self.legend)) // max(1, self.n)
        return replace(
            heatmap, min_cell=max(base, min(max_cell, spare_width)), row_height=max(1, min(max_row_height, rows))
        )

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        w = self.width()
        return Measurement(w, w)

    def sections(self) -> list[tuple[Section, int]]:
        """The map's parts from the top, each with its height in lines: the header, each class's row, the legend."""
        parts: list[tuple[Section, int]] = [(HEADER, bool(self.title) + 2)]
        parts += [(i, max(1, self.row_height)) for i in range(self.n)]
        return parts + [(LEGEND, 1)] if self.legend else parts

    def section(self, part: Section) -> HeatmapSection:
        """One part drawn alone, line for line as in the whole map: a cursor move redraws the parts it changes."""
        return HeatmapSection(self, part)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from self._render(console, options, [part for part, _ in self.sections()])

    def _render(self, console: Console, options: ConsoleOptions, parts: Iterable[Section]) -> RenderResult:
        texts = self._texts()
        cw, lw = self.cell_width(), self.label_width()
        values = np.asarray(self.values, dtype=np.float64)
        top = self.vmax()
        ci, cj = self.cursor if self.cursor is not None else (-1, -1)
        for part in parts:
            if part == HEADER:
                yield from self._header(options.max_width, cw, lw, cj)
            elif part == LEGEND:
                yield from self._legend(top, lw, shaded=console.no_color or console.color_system is None)
            else:
                yield from self._row(int(part), texts[int(part)], values, top, cw, lw, ci, cj)

    def _header(self, max_width: int, cw: int, lw: int, cj: int) -> Iterable[Segment]:
        """The title (if any), the column axis title and the column labels, the cursor's highlighted."""
        if self.title:
            yield Segment(self.title[:max_width], TITLE_STYLE)
            yield Segment.line()
        yield Segment(" " * (lw + 1))
        yield Segment(self.col_title[: self.n * cw], TITLE_STYLE)
        yield Segment.line()
        yield Segment(f"{self.row_title:<{lw}} ", TITLE_STYLE)
        for j, name in enumerate(short_names(self.labels, cw - 1)):
            yield Segment(f"{name:^{cw}}", CURSOR_LABEL_STYLE if j == cj else LABEL_STYLE)
        yield Segment.line()

    def _row(
        self, i: int, texts: list[str], values: np.ndarray, top: float, cw: int, lw: int, ci: int, cj: int
    ) -> Iterable[Segment]:
        """Class ``i``'s row: ``row_height`` lines, its label and numbers on the middle one."""
        height, name = max(1, self.row_height), short_names(self.labels, lw)[i]
        for line in range(height):
            middle = line == height // 2
            label = name if middle else ""
            yield Segment(f"{label:>{lw}}", CURSOR_LABEL_STYLE if i == ci and middle else LABEL_STYLE)
            yield Segment(" ")
            for j in range(self.n):
                text = texts[j] if middle else ""
                yield from self._cell(
                    text, values[i, j], top, cw, (i, j) == (ci, cj) and middle, self.blank_diagonal and i == j
                )
            yield Segment.line()

    def _cell(self, text: str, value: float, top: float, width: int, cursor: bool, blank: bool) -> Iterable[Segment]:
        bracketed = cursor and len(text) + 2 <= width
        body = f"[{text:^{width - 2}}]" if bracketed else f"{text:^{width}}"
        if blank or value == 0:
            style = ZERO_STYLE + Style(bold=True, color="yellow") if cursor else ZERO_STYLE
        else:
            style = cell_style(value / top if top > 0 else 0.0, cursor)
        if cursor and not bracketed:  # no room for brackets: the cell shows in reverse instead
            style += Style(reverse=True, underline=True)
        yield Segment(body, style)

    def _legend(self, top: float, lw: int, shaded: bool) -> Iterable[Segment]:
        """The colour scale from 0 to the top value; ``shaded`` (no colours to show) draws it in shade glyphs."""
        yield Segment(" " * (lw + 1))
        yield Segment("0 ", LABEL_STYLE)
        for k in range(LEGEND_STEPS):
            if shaded:
                yield Segment(SHADES[k * len(SHADES) // LEGEND_STEPS], LABEL_STYLE)
                continue
            r, g, b = colour_at(k / (LEGEND_STEPS - 1))
            yield Segment(" ", Style(bgcolor=Color.from_rgb(r, g, b)))
        high = format_value(top, self.percent) if top > 0 else "0"
        yield Segment(f" {high}{'%' if self.percent and top > 0 else ''}", LABEL_STYLE)
        yield Segment.line()


@dataclass(frozen=True)
class HeatmapSection:
    """One part of ``heatmap`` (see :meth:`Heatmap.sections`) as a renderable of its own."""

    heatmap: Heatmap
    part: Section

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from self.heatmap._render(console, options, [self.part])
