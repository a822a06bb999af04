"""The training images just above and just below the threshold, as half-block digits with score and label."""

from __future__ import annotations

import numpy as np
from rich.console import Group
from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from engine.data import Dataset
from engine.render.digits import DigitGrid, fit_side
from engine.threshold import Neighbour, ThresholdView, format_threshold

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

    def show(self, view: ThresholdView, dataset: Dataset) -> None:
        side = digit_side(dataset.image_shape[0], self.size.width, self.size.height)
        columns = max(1, (self.size.width - 1) // DigitGrid.cell_width(side))
        parts: list = []
        for title, group in ((f"▲ predicted {view.digit}", view.above),
                             (f"▼ predicted not {view.digit}", view.below)):
            parts.append(Text(title, style="bold", no_wrap=True, overflow="ellipsis"))
            if group:
                parts.append(self._grid(group[:columns * self.rows_per_group(side)], dataset, side, columns))
        self.update(Group(*parts))

    def rows_per_group(self, side: int) -> int:
        return max(1, (self.size.height - 2) // 2 // DigitGrid.cell_height(side))

    def wanted(self, image_side: int) -> int:
        """How many digits of each group this widget can show at its current size."""
        side = digit_side(image_side, self.size.width, self.size.height)
        return max(1, (self.size.width - 1) // DigitGrid.cell_width(side)) * self.rows_per_group(side)

    @staticmethod
    def _grid(group: list[Neighbour], dataset: Dataset, side: int, columns: int) -> DigitGrid:
        images = fit_side(dataset.X_train[np.array([n.index for n in group])], side)
        captions = [f"{format_threshold(n.score)} {n.label}" for n in group]
        styles = [MISTAKE if n.mistake else CORRECT for n in group]
        return DigitGrid(images, captions, columns, caption_styles=styles)
