"""The denoising view: one test digit noisy | denoised | clean, stepping through the test set (worst first on ``w``)."""

from __future__ import annotations

import numpy as np
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.visual import Visual, visualize
from textual.widgets import Static

from engine.models.denoise import DenoiseResults
from engine.render.denoise import DenoiseReport
from engine.render.digits import DigitImage, fit_side
from tui.tabs.more.lines import update_line
from tui.widgets.focus import FocusWithoutRepaint

GAP = 2


def triple_side(image_side: int, width: int, height: int) -> int:
    """Pixels per side for three digits in a row with titles in width × height cells: a whole multiple of the
    image's side when one fits, else the largest size that does."""
    side = max(1, min((width - 2 * GAP) // 3, 2 * (height - 1)))
    return side - side % image_side if side >= image_side else side


class DenoiseDigits(FocusWithoutRepaint, can_focus=True):
    """Noisy, denoised and clean versions of ``order[cursor]``, as large as they fit."""

    BINDINGS = [
        Binding("left", "step(-1)", "Previous digit", key_display="←"),
        Binding("right", "step(1)", "Next digit", key_display="→"),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(-1)", "Last", show=False),
        Binding("w", "worst_first", "Worst first", id="more-denoise-worst"),
    ]

    cursor: reactive[int] = reactive(0, init=False)
    worst: reactive[bool] = reactive(False, init=False)

    class Moved(Message):
        """Another digit, or another order, is shown."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.results: DenoiseResults | None = None
        self.clean: np.ndarray | None = None
        self.order = np.zeros(0, dtype=np.int64)
        self.text = ""
        # (index, size, style) → the lines drawn: shown again (focus, a view switch) or stepped back to, a digit is
        # not drawn anew (its three images took ~30 ms at 200×60)
        self._lines: dict[tuple, list[Strip]] = {}

    def show(self, results: DenoiseResults | None, clean: np.ndarray | None, text: str) -> None:
        if (self.results is None) != (results is None):
            self.refresh_bindings()  # its keys are offered only with results
        self.results, self.clean, self.text = results, clean, text
        self._lines.clear()
        self._order()
        self.set_reactive(DenoiseDigits.cursor, 0)
        self.refresh()

    def _order(self) -> None:
        r = self.results
        if r is None:
            self.order = np.zeros(0, dtype=np.int64)
        else:
            self.order = r.worst_first() if self.worst else np.arange(len(r.denoised))

    @property
    def index(self) -> int | None:
        return int(self.order[self.cursor]) if len(self.order) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.results is not None if action in ("step", "jump", "worst_first") else True

    def action_step(self, delta: int) -> None:
        self.cursor = max(0, min(self.cursor + delta, len(self.order) - 1))

    def action_jump(self, where: int) -> None:
        self.cursor = 0 if where == 0 else max(0, len(self.order) - 1)

    def action_worst_first(self) -> None:
        self.worst = not self.worst

    def watch_worst(self) -> None:
        index = self.index
        self._order()
        self.set_reactive(DenoiseDigits.cursor, 0 if index is None else int(np.flatnonzero(self.order == index)[0]))
        self._changed()

    def watch_cursor(self) -> None:
        self._changed()

    def _changed(self) -> None:
        self.refresh()
        self.post_message(self.Moved())

    def render(self) -> Text:
        """What shows with no results (the digits are drawn by ``render_line``)."""
        return Text(self.text, style="dim", justify="center")

    def _digits(self, index: int) -> Table:
        assert self.results is not None and self.clean is not None
        side = triple_side(self.clean.shape[-1], self.size.width, self.size.height)
        images = [fit_side(x[index][None], side)[0] for x in (self.results.noisy, self.results.denoised, self.clean)]
        table = Table.grid(padding=(0, GAP))
        for _ in images:
            table.add_column(justify="center", width=side)
        table.add_row(*(Text(t, style="dim") for t in ("noisy", "denoised", "clean")))
        table.add_row(*(DigitImage(image) for image in images))
        return table

    def render_line(self, y: int) -> Strip:
        index = self.index
        if self.results is None or index is None or self.clean is None:
            return super().render_line(y)
        style = self.visual_style
        key = (index, self.size, style)
        if key not in self._lines:
            if len(self._lines) > 16:  # digits stepped past, other sizes: keep it bounded
                self._lines.clear()
            visual: Visual = visualize(self, self._digits(index))
            self._lines[key] = Visual.to_strips(self, visual, self.size.width, self.size.height, style)
        strips = self._lines[key]
        return strips[y] if y < len(strips) else Strip.blank(self.size.width, style.rich_style)


class DenoiseView(Vertical):
    """Shows a ``denoise`` run's test digits beside the clean ones (``clean``: the run's test images)."""

    def compose(self) -> ComposeResult:
        yield DenoiseDigits(id="denoise-digits")
        yield Static(id="denoise-report")
        yield Static(id="denoise-status", classes="more-status")

    def focus_target(self) -> DenoiseDigits:
        """The widget to focus when the view is shown."""
        return self.query_one(DenoiseDigits)

    def show(self, results: DenoiseResults | None, clean: np.ndarray | None = None, text: str = "") -> None:
        self.query_one(DenoiseDigits).show(results, clean, text)
        self.query_one("#denoise-report", Static).update(DenoiseReport(results) if results is not None else "")
        self.update_status()

    @on(DenoiseDigits.Moved)
    def update_status(self) -> None:
        digits = self.query_one(DenoiseDigits)
        r, i = digits.results, digits.index
        status = self.query_one("#denoise-status", Static)
        if r is None or i is None:
            update_line(status, "")
            return
        order = "worst first" if digits.worst else "test order"
        update_line(
            status,
            f"test #{i:,} · error noisy {r.error_noisy[i]:.1f} → denoised [b]{r.error_denoised[i]:.1f}[/] · "
            f"{digits.cursor + 1:,}/{len(digits.order):,} in {order}",  # ← → and w are in the footer
        )
