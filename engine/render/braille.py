"""Line charts in braille dots (2×4 dots a character cell), rasterised with numpy.

A :class:`BrailleCanvas` holds the dots and, per cell, the style of the last series drawn there. Build the static
layers once, ``copy()`` the canvas and overlay what moves (a marker line, a point): a redraw then costs about a
millisecond instead of rebuilding the whole chart.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from rich.text import Text

BRAILLE_BASE = 0x2800
# bit of the dot at (row % 4, column % 2) of a cell, per the Unicode braille pattern layout
DOT_BITS = np.array([[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]], dtype=np.uint8)


class BrailleCanvas:
    """``width`` × ``height`` cells mapping data coordinates ``xlim`` × ``ylim`` onto 2·width × 4·height dots."""

    def __init__(self, width: int, height: int, xlim: tuple[float, float], ylim: tuple[float, float]) -> None:
        self.width, self.height = max(1, width), max(1, height)
        self.xlim, self.ylim = xlim, ylim
        self.bits = np.zeros((self.height, self.width), dtype=np.uint8)
        self.owner = np.full((self.height, self.width), -1, dtype=np.int16)
        self.styles: list[str] = []
        self.chars: dict[tuple[int, int], tuple[str, str]] = {}

    def copy(self) -> BrailleCanvas:
        twin = BrailleCanvas(self.width, self.height, self.xlim, self.ylim)
        twin.bits, twin.owner = self.bits.copy(), self.owner.copy()
        twin.styles, twin.chars = list(self.styles), dict(self.chars)
        return twin

    def _dots(self, x: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        (x0, x1), (y0, y1) = self.xlim, self.ylim
        dx = (np.asarray(x, dtype=float) - x0) / ((x1 - x0) or 1.0) * (2 * self.width - 1)
        dy = (1.0 - (np.asarray(y, dtype=float) - y0) / ((y1 - y0) or 1.0)) * (4 * self.height - 1)
        return dx, dy

    def _set(self, dx: np.ndarray, dy: np.ndarray, style: str) -> None:
        col, row = np.rint(dx).astype(np.int64), np.rint(dy).astype(np.int64)
        inside = (col >= 0) & (col < 2 * self.width) & (row >= 0) & (row < 4 * self.height)
        col, row = col[inside], row[inside]
        if not col.size:
            return
        cy, cx = row // 4, col // 2
        np.bitwise_or.at(self.bits, (cy, cx), DOT_BITS[row % 4, col % 2])
        self.styles.append(style)
        self.owner[cy, cx] = len(self.styles) - 1

    def line(self, x, y, style: str) -> None:
        """A polyline through the points (x[i], y[i]), every dot between them set."""
        dx, dy = self._dots(x, y)
        if dx.size < 2:
            self._set(dx, dy, style)
            return
        steps = np.maximum(np.abs(np.diff(dx)), np.abs(np.diff(dy)))
        along = np.concatenate([[0.0], np.cumsum(steps)])
        t = np.arange(0.0, along[-1] + 0.5, 0.5)
        self._set(np.interp(t, along, dx), np.interp(t, along, dy), style)

    def vline(self, x: float, style: str) -> None:
        dx, _ = self._dots([x], [0.0])
        rows = np.arange(4 * self.height, dtype=float)
        self._set(np.full(rows.size, dx[0]), rows, style)

    def mark(self, x: float, y: float, char: str, style: str) -> None:
        """A whole-cell character (e.g. ``●``) at the data point (x, y)."""
        dx, dy = self._dots([x], [y])
        cx, cy = (
            int(np.clip(np.rint(dx[0]) // 2, 0, self.width - 1)),
            int(np.clip(np.rint(dy[0]) // 4, 0, self.height - 1)),
        )
        self.chars[(cy, cx)] = (char, style)

    def rows(self) -> list[Text]:
        """One rich Text a row of cells, runs of one style joined."""
        return [self._row(cy) for cy in range(self.height)]

    def _row(self, cy: int) -> Text:
        bits = self.bits[cy]
        chars = [chr(BRAILLE_BASE + b) if b else " " for b in bits.tolist()]
        styles = [self.styles[o] if o >= 0 else "" for o in self.owner[cy].tolist()]
        for (y, x), (char, style) in self.chars.items():
            if y == cy:
                chars[x], styles[x] = char, style
        text = Text()
        start = 0
        for i in range(1, self.width + 1):
            if i == self.width or styles[i] != styles[start]:
                text.append("".join(chars[start:i]), styles[start] or None)
                start = i
        return text

    def cell(self, y: int, x: int) -> tuple[str, str]:
        """The character of one cell and its style ("" for none)."""
        if (y, x) in self.chars:
            return self.chars[(y, x)]
        bits, owner = int(self.bits[y, x]), int(self.owner[y, x])
        return (chr(BRAILLE_BASE + bits) if bits else " "), (self.styles[owner] if owner >= 0 else "")

    def changed_cells(self, other: BrailleCanvas) -> dict[int, list[int]]:
        """Row → columns of the cells that read differently from ``other`` (a canvas of the same size, e.g. the
        one this copied)."""
        differ = (self.bits != other.bits) | (self.owner != other.owner)
        cells = set(zip(*(axis.tolist() for axis in np.nonzero(differ))))
        cells.update(at for at, cell in self.chars.items() if other.chars.get(at) != cell)
        cells.update(at for at, cell in other.chars.items() if self.chars.get(at) != cell)
        rows: dict[int, list[int]] = {}
        for y, x in sorted(cells):
            rows.setdefault(y, []).append(x)
        return rows


def axis_number(value: float) -> str:
    """A short tick label: 0.5, 12.3, -3.2k, 45k."""
    magnitude = abs(value)
    if magnitude >= 10_000:
        return f"{value / 1000:.0f}k"
    if magnitude >= 1000:
        return f"{value / 1000:.1f}k"
    if magnitude >= 10:
        return f"{value:.0f}"
    return f"{value:.2f}".rstrip("0").rstrip(".") if value else "0"


def y_label(canvas: BrailleCanvas, row: int, width: int = 5) -> Text:
    """The y axis beside ``row``: the top, middle and bottom rows carry their values."""
    (y0, y1), n = canvas.ylim, canvas.height
    value = {0: y1, n // 2: (y0 + y1) / 2, n - 1: y0}.get(row)
    text = "" if value is None else f"{value:.2f}" if round(value, 2) == round(value, 6) else f"{value:.3f}"
    axis = f"{text:>{width}}{'│' if value is None else '┤'}"
    return Text.assemble((axis, "dim"))  # a span, not the Text's own style: the row appended to it keeps its colours


def x_axis(canvas: BrailleCanvas, x_label: str, label_width: int = 5) -> Text:
    """The line under a canvas: its x range at either end, ``x_label →`` in the middle."""
    (x0, x1) = canvas.xlim
    left, right, middle = axis_number(x0), axis_number(x1), f"{x_label} →"
    gap = max(1, canvas.width - len(left) - len(right) - len(middle))
    line = " " * (label_width + 1) + left + " " * (gap // 2) + middle + " " * (gap - gap // 2) + right
    return Text.assemble((line, "dim"))  # a span: rich renders a Text's own style only when it has spans


def framed(canvas: BrailleCanvas, x_label: str, label_width: int = 5) -> list[Text]:
    """The canvas's rows behind a y axis (its top, middle and bottom values) and, below, an x axis line."""
    lines = []
    for i, row in enumerate(canvas.rows()):
        line = y_label(canvas, i, label_width)
        line.append_text(row)
        lines.append(line)
    lines.append(x_axis(canvas, x_label, label_width))
    return lines
