"""The training images just above and just below the threshold, as half-block digits with score and label."""

from __future__ import annotations

import numpy as np
from rich.console import Group
from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from engine.data import Dataset
from engine.render.digits import DigitGrid, fit_side
from engine.threshold import Neighbour, ThresholdAnalysis, format_threshold

MISTAKE = Style(color="red", bold=True)
CORRECT = Style(color="green")


def digit_side(image_side: int, width: int, height: int) -> int:
    """The largest drawing size (the image's own, doubled or halved) of which one digit above and one below,
    each with a caption, and two titles fit in ``width`` × ``height`` cells."""
    for side in (image_side * 2, image_side, image_side // 2):
        if side >= 4 and side + 2 <= width and 2 * DigitGrid.cell_height(side) + 2 <= height:
            return side
    return max(4, image_side // 2)


class ThresholdDigits(Static):
    """Two labelled groups of digits: predicted the digit (scores at or above) and predicted not (below).

    A red caption is a mistake the threshold makes now; one step the other way would fix it (or make a new one).
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: tuple[ThresholdAnalysis, float, Dataset] | None = None
        self.above: list[Neighbour] = []
        self.below: list[Neighbour] = []

    def show(self, analysis: ThresholdAnalysis, threshold: float, dataset: Dataset) -> None:
        """As many digits either side of ``threshold`` as fit at the current size."""
        self._shown = (analysis, threshold, dataset)
        width, height = self.content_size
        side = digit_side(dataset.image_shape[0], width, height)
        columns = max(1, (width - 1) // DigitGrid.cell_width(side))
        rows = max(1, (height - 2) // 2 // DigitGrid.cell_height(side))
        self.above, self.below = analysis.neighbours(threshold, columns * rows)
        parts: list = []
        for title, group in ((f"▲ says {analysis.digit}", self.above), (f"▼ says not {analysis.digit}", self.below)):
            parts.append(Text(title, style="bold", no_wrap=True, overflow="ellipsis"))
            if group:
                parts.append(self._grid(group, dataset, side, columns))
        self.update(Group(*parts))

    def on_resize(self) -> None:
        if self._shown is not None:
            self.show(*self._shown)

    @staticmethod
    def _grid(group: list[Neighbour], dataset: Dataset, side: int, columns: int) -> DigitGrid:
        images = fit_side(dataset.X_train[np.array([n.index for n in group])], side)
        captions = [f"{format_threshold(n.score)} {n.label}" for n in group]
        styles = [MISTAKE if n.mistake else CORRECT for n in group]
        return DigitGrid(images, captions, columns, caption_styles=styles)
