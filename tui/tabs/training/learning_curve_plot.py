"""Training and validation accuracy per epoch, drawn in braille (:mod:`engine.render.braille`) as the points arrive.

A redraw rasterises every point with numpy and costs about a millisecond, so the curve is never thinned and
switching runs in the Training tab stays quick (plotext took 20–40 ms of the UI thread a draw).
"""

from __future__ import annotations

import math

from rich.console import Group
from textual.app import RenderResult
from textual.widget import Widget

from engine.render.braille import BrailleCanvas, framed

TRAIN_COLOR = "cyan"
VALIDATION_COLOR = "magenta"
Y_LABEL_WIDTH = 5
Y_STEP = 0.05  # the accuracy axis starts at a multiple of this below the lowest point


def accuracy_floor(values: list[float]) -> float:
    """The bottom of the accuracy axis: a round value a little below the lowest accuracy (0.0 at most)."""
    if not values:
        return 0.0
    return max(0.0, math.floor((min(values) - 0.01) / Y_STEP) * Y_STEP)


class LearningCurvePlot(Widget):
    """Call :meth:`show_points` with the epochs so far (the x axis spans all ``total`` epochs from the start)."""

    DEFAULT_CSS = "LearningCurvePlot { height: 12; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._points: tuple[list[int], list[float], list[float]] = ([], [], [])
        self._total = 1

    def show_points(self, epochs: list[int], train: list[float], val: list[float], total: int) -> None:
        self._points, self._total = (list(epochs), list(train), list(val)), max(total, 1)
        self.refresh()

    def render(self) -> RenderResult:
        width, height = self.size
        if width < Y_LABEL_WIDTH + 8 or height < 3:
            return ""
        epochs, train, val = self._points
        canvas = BrailleCanvas(
            width - Y_LABEL_WIDTH - 1, height - 1, (1.0, float(max(self._total, 2))), (accuracy_floor(train + val), 1.0)
        )
        if epochs:
            canvas.line(epochs, train, TRAIN_COLOR)
            canvas.line(epochs, val, VALIDATION_COLOR)
        return Group(*framed(canvas, "epoch", Y_LABEL_WIDTH))
