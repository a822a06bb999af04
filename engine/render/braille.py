"""Line charts in braille dots (2×4 dots a character cell), rasterised with numpy.

A :class:`BrailleCanvas` holds the dots and, per cell, the style of the last series drawn there. Build the static
layers once, ``copy()`` the canvas and overlay what moves (a marker line, a point): a redraw then costs about a
millisecond instead of rebuilding the whole chart.
"""

from __future__ import annotations

import numpy as np
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

    def copy(self) -> "BrailleCanvas":
        twin = BrailleCanvas(self.width, self.height, self.xlim, self.ylim)
        twin.bits, twin.owner = self.bits.copy(), self.owner.copy()
        twin.styles, twin.chars = list(self.styles), dict(self.chars)
        return twin

    def _dots(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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
        cx, cy = int(np.clip(np.rint(dx[0]) // 2, 0, self.width - 1)), int(np.clip(np.rint(dy[0]) // 4, 0, self.height - 1))
        self.chars[(cy, cx)] = (char, style)

    def rows(self) -> list[Text]:
        """One rich Text a row of cells, runs of one style joined."""
        lines = []
        codes = self.bits.astype(np.int32) + BRAILLE_BASE
        for cy in range(self.height):
            chars = [chr(c) if b else " " for c, b in zip(codes[cy].tolist(), self.bits[cy].tolist())]
            owners = self.owner[cy].tolist()
            styles = [self.styles[o] if o >= 0 else "" for o in owners]
            for (y, x), (char, style) in self.chars.items():
                if y == cy:
                    chars[x], styles[x] = char, style
            text = Text()
            start = 0
            for i in range(1, self.width + 1):
                if i == self.width or styles[i] != styles[start]:
                    text.append("".join(chars[start:i]), styles[start] or None)
                    start = i
            lines.append(text)
        return lines


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


def framed(canvas: BrailleCanvas, x_label: str, label_width: int = 5) -> list[Text]:
    """The canvas's rows behind a y axis (its top, middle and bottom values) and, below, an x axis line."""
    rows = canvas.rows()
    (x0, x1), (y0, y1) = canvas.xlim, canvas.ylim
    labelled = {0: f"{y1:.2f}", len(rows) // 2: f"{(y0 + y1) / 2:.2f}", len(rows) - 1: f"{y0:.2f}"}
    lines = []
    for i, row in enumerate(rows):
        label = labelled.get(i, "")
        line = Text(f"{label:>{label_width}}{'┤' if label else '│'}", style="dim")
        line.append_text(row)
        lines.append(line)
    left, right, middle = axis_number(x0), axis_number(x1), f"{x_label} →"
    gap = max(1, canvas.width - len(left) - len(right) - len(middle))
    lines.append(Text(" " * (label_width + 1) + left + " " * (gap // 2) + middle + " " * (gap - gap // 2) + right,
                      style="dim"))
    return lines
