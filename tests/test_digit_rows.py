"""DigitRows draws exactly the lines Textual would draw for a DigitGrid in the same widget (the snapshots rely on it)."""

from __future__ import annotations

import numpy as np
import pytest
from rich.style import Style
from textual.app import App, ComposeResult
from textual.visual import Visual, visualize
from textual.widgets import Static

from engine.render import DigitGrid, fit_side
from tui.widgets.digit_rows import DigitRows

RNG = np.random.default_rng(0)
TEXTURED = RNG.integers(0, 256, size=(12, 28, 28), dtype=np.uint8)  # Fashion-like: many runs
SPARSE = np.where(RNG.random((12, 28, 28)) < 0.8, 0, 255).astype(np.uint8)  # MNIST-like: long runs of black
SMALL = RNG.integers(0, 17, size=(12, 8, 8), dtype=np.uint8) * 15  # scikit-learn's 8x8 digits
RED = Style(color="red", bold=True)


class OneWidget(App):
    def compose(self) -> ComposeResult:
        yield Static(id="w")


@pytest.mark.parametrize("images", [TEXTURED, SPARSE, SMALL], ids=["textured", "sparse", "8x8"])
@pytest.mark.parametrize("side_of", [lambda s: s, lambda s: s // 2 if s >= 16 else s * 2], ids=["own", "other"])
@pytest.mark.parametrize(
    ("count", "highlight"),
    [(5, None), (5, 0), (5, 2), (5, 4), (3, 2), (3, 0), (1, 0), (1, None)],
    ids=lambda v: str(v),
)
async def test_rows_equal_those_of_a_digit_grid_in_the_widget(images, side_of, count, highlight) -> None:
    columns = 5
    side = side_of(images.shape[-1])
    indices = [7, 2, 11, 0, 5][:count]
    captions = ["7", "two", "a-very-long-caption", "0", "5"][:count]
    styles = [None, RED, None, RED, None][:count]
    async with OneWidget().run_test(size=(160, 30)) as pilot:
        widget = pilot.app.query_one("#w")
        style = widget.visual_style
        grid = DigitGrid(fit_side(images[indices], side), captions, columns, highlight=highlight, caption_styles=styles)
        expected = Visual.to_strips(widget, visualize(widget, grid), 160, DigitGrid.cell_height(side), style)
        rows = DigitRows(images, side, style.rich_style, keep=4)  # fewer than the images: some are dropped and redrawn
        rows.row([1, 3, 4, 6, 8], ["x"] * 5, None, columns, None)
        drawn = rows.row(indices, captions, styles, columns, highlight)
        assert drawn == expected
        assert [s.cell_length for s in drawn] == [s.cell_length for s in expected]
        assert rows.row(indices, captions, styles, columns, highlight) == expected  # from what it kept
