"""A modal showing one digit large, with its index, label and pixel statistics; ←/→ step through the list."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Static

from engine.render import DigitImage, digit_stats

INFO_WIDTH = 30  # columns of the statistics beside the image
CHROME = (2 + 2 + 2 + INFO_WIDTH + 2, 2 + 1 + 2)  # border, padding, gap and info; border, keys line, margin


def fit_scale(image_shape: tuple[int, int], width: int, height: int) -> int:
    """The largest whole scale at which a half-block image fits width × height cells (at least 1)."""
    h, w = image_shape
    return max(1, min(width // w, (2 * height) // h))


class BigDigit(Widget):
    """One image as half-block pixels, each pixel repeated ``scale`` times."""

    def __init__(self, image: np.ndarray, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.image = image
        self.scale = 1

    def set_scale(self, scale: int) -> None:
        h, w = self.image.shape
        self.scale = scale
        self.styles.width = w * scale
        self.styles.height = -(-h * scale // 2)
        self.refresh()

    def render(self) -> DigitImage:
        return DigitImage(self.image, self.scale)


class DigitDetail(ModalScreen[int]):
    """``images[indices[position]]`` large; dismisses with the position it ends on."""

    BINDINGS = [
        Binding("escape,enter,q", "close", "Close"),
        Binding("left,up", "step(-1)", "Previous digit", key_display="←"),
        Binding("right,down", "step(1)", "Next digit", key_display="→"),
    ]

    position: reactive[int] = reactive(0, init=False)

    def __init__(
        self,
        images: np.ndarray,
        labels: np.ndarray,
        indices: np.ndarray,
        position: int,
        class_names: Sequence[str],
        split: str,
    ) -> None:
        super().__init__()
        self.images, self.labels, self.indices = images, labels, indices
        self.class_names, self.split = class_names, split
        self.set_reactive(DigitDetail.position, position)

    @property
    def index(self) -> int:
        return int(self.indices[self.position])

    def compose(self) -> ComposeResult:
        with Vertical(id="detail-body"):
            with Horizontal(id="detail-row"):
                yield BigDigit(self.images[self.index], id="detail-image")
                yield Static(self._info(), id="detail-info")
            yield Static("[dim]← → previous/next · esc closes[/]", id="detail-keys")

    def _info(self) -> Table:
        index = self.index
        image = self.images[index]
        label = int(self.labels[index])
        name = self.class_names[label]
        stats = digit_stats(image)
        h, w = image.shape
        table = Table.grid(padding=(0, 1))
        table.add_column(style="dim", justify="right")
        table.add_column()
        table.add_row("image", f"[bold]{self.split} #{index:,}[/]")
        table.add_row("", f"{self.position + 1:,} of {len(self.indices):,} shown")
        table.add_row("label", f"[bold]{name}[/]" if name == str(label) else f"[bold]{name}[/] ({label})")
        table.add_row("size", f"{h}×{w} px")
        table.add_row("mean", f"{stats.mean:.1f}")
        table.add_row("min/max", f"{stats.min} / {stats.max}")
        table.add_row("ink ≥128", f"{stats.ink_fraction:.1%}")
        table.add_row("non-zero", f"{stats.nonzero_fraction:.1%}")
        if stats.bbox is None:
            table.add_row("bbox", "blank image")
        else:
            top, left, bottom, right = stats.bbox
            table.add_row("bbox", f"rows {top}–{bottom}")
            table.add_row("", f"cols {left}–{right}")
            table.add_row("", f"{bottom - top + 1}×{right - left + 1} px")
        return table

    def on_mount(self) -> None:
        self._fit()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        width, height = self.app.size
        scale = fit_scale(self.images.shape[1:], width - CHROME[0], height - CHROME[1])
        self.query_one(BigDigit).set_scale(scale)

    def watch_position(self) -> None:
        digit = self.query_one(BigDigit)
        digit.image = self.images[self.index]
        digit.refresh()
        self.query_one("#detail-info", Static).update(self._info())

    def action_step(self, delta: int) -> None:
        self.position = max(0, min(self.position + delta, len(self.indices) - 1))

    def action_close(self) -> None:
        self.dismiss(self.position)
