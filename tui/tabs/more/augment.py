"""The augmentation view: both accuracies, a digit and its four shifts, and the test digits that augmentation fixed
and those it broke, side by side (``tab`` moves between them, ``enter`` opens one)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.events import DescendantFocus
from textual.widgets import Static

from engine.models.augment import AugmentResults
from engine.render.augment import AugmentReport
from engine.render.digits import DigitImage, fit_side
from engine.render.heatmap import short_names
from engine.shift import SHIFTS, shift_images
from tui.tabs.more.grid import ResultsGrid
from tui.tabs.more.lines import update_line
from tui.widgets.digit_detail import CHROME, BigDigit, DigitDetail, fit_scale
from tui.widgets.digit_grid import DigitGridView
from tui.widgets.focus import FocusWithoutRepaint

RIGHT = Style(color="bright_green")
WRONG = Style(color="bright_red")
SHIFTS_MIN_HEIGHT = 30  # below this the strip of shifts leaves room for the fixed and broken digits
ARROWS = {(0, 1): "→", (0, -1): "←", (1, 0): "↓", (-1, 0): "↑"}


def shift_strip(image: np.ndarray, side: int, caption: str) -> Table:
    """``image`` and its four one-pixel shifts in a row, at ``side`` pixels, each titled."""
    table = Table.grid(padding=(0, 1))
    images = [image] + [shift_images(image, dy, dx) for dy, dx in SHIFTS]
    titles = [caption] + [f"{ARROWS[s]} 1px" for s in SHIFTS]
    for _ in images:
        table.add_column(justify="center", width=max(side, 6))
    table.add_row(*(Text(t, style="dim") for t in titles))
    table.add_row(*(DigitImage(fit_side(x[None], side)[0]) for x in images))
    return table


class AugmentDetail(DigitDetail):
    """One test digit large, with what the plain and the augmented KNN predicted."""

    def __init__(
        self,
        results: AugmentResults,
        images: np.ndarray,
        labels: np.ndarray,
        indices: np.ndarray,
        position: int,
        class_names: Sequence[str],
    ) -> None:
        super().__init__(images, labels, indices, position, class_names, "test")
        self.results = results

    def compose(self) -> ComposeResult:
        with Vertical(id="detail-body"):
            with Horizontal(id="detail-row"):
                yield BigDigit(self.images[self.index], id="detail-image")
                yield Static(self._info(), id="detail-info")
            yield Static(self._shifts(), id="augment-detail-shifts")
            yield Static("[dim]← → previous/next · esc closes[/]", id="detail-keys")

    def _shifts(self) -> Table:
        side = self.images.shape[-1]
        return shift_strip(self.images[self.index], side if side <= 8 else side // 4, "digit")

    def _fit(self) -> None:
        width, height = self.app.size
        side = self.images.shape[-1]
        strip = 1 + -(-(side if side <= 8 else side // 4) // 2)  # its titles and pixel lines
        scale = fit_scale(self.images.shape[1:], width - CHROME[0], height - CHROME[1] - strip)
        self.query_one(BigDigit).set_scale(scale)

    def watch_position(self) -> None:
        super().watch_position()
        self.query_one("#augment-detail-shifts", Static).update(self._shifts())

    def _info(self) -> Table:
        table = super()._info()
        i, names = self.index, self.class_names
        label = int(self.labels[i])
        for what, pred in (("plain", self.results.y_pred_plain[i]), ("augmented", self.results.y_pred_augmented[i])):
            colour = "bright_green" if int(pred) == label else "bright_red"
            table.add_row(what, f"[{colour}]{names[int(pred)]}[/]")
        return table


class AugmentGrid(ResultsGrid, FocusWithoutRepaint):
    """The fixed or the broken digits. The one last focused has the class ``-current`` (the accent border), kept
    while the view is hidden: a view switch focuses it again, so its lines are drawn from those kept (a ``:focus``
    border blurred and refocused it each time, whose repaint was a third of the switch at 200×60)."""


class AugmentView(Vertical):
    """Shows an ``augment`` run's results over the test images (``images``, ``labels``) it was scored on."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.results: AugmentResults | None = None
        self.images: np.ndarray | None = None
        self.labels: np.ndarray | None = None
        self.class_names: tuple[str, ...] = ()
        self._shift_key: tuple[int, int] | None = None  # (test index, side) the strip shows; None: draw anew

    def compose(self) -> ComposeResult:
        yield Static(id="augment-report")
        yield Static(id="augment-shifts")
        with Horizontal(id="augment-changed"):
            yield AugmentGrid(id="augment-fixed", classes="augment-grid -current")
            yield AugmentGrid(id="augment-broken", classes="augment-grid")
        yield Static(id="augment-status", classes="more-status")

    def show(
        self,
        results: AugmentResults | None,
        images: np.ndarray | None = None,
        labels: np.ndarray | None = None,
        class_names: tuple[str, ...] = (),
        n_train: int | None = None,
        text: str = "",
    ) -> None:
        self.results, self.images, self.labels, self.class_names = results, images, labels, class_names
        self._shift_key = None
        report = self.query_one("#augment-report", Static)
        fixed, broken = (
            self.query_one("#augment-fixed", ResultsGrid),
            self.query_one("#augment-broken", ResultsGrid),
        )
        if results is None or images is None:
            report.update(Text(text, style="dim"))
            for grid in (fixed, broken):
                grid.clear("")
            self.query_one("#augment-shifts", Static).update("")
            self.set_class(True, "-empty")
            self._status()
            return
        self.set_class(False, "-empty")
        report.update(AugmentReport(results, n_train))
        fixed.border_title = f"Fixed by augmentation · {len(results.fixed):,}"
        broken.border_title = f"Broken by augmentation · {len(results.broken):,}"
        side = images.shape[-1]
        names = short_names(class_names, max(1, (min(side, 14) - 1) // 2))

        def caption(i: int) -> str:
            return f"{names[int(results.y_pred_plain[i])]}→{names[int(results.y_pred_augmented[i])]}"

        def coloured(style: Style) -> Callable[[int], Style]:
            return lambda i: style

        for grid, indices, style in ((fixed, results.fixed, RIGHT), (broken, results.broken, WRONG)):
            grid.empty_text = "none"
            grid.set_items(images, indices, caption, coloured(style))
        self._shifts()

    def on_resize(self) -> None:
        self.set_class(self.size.height < SHIFTS_MIN_HEIGHT, "-short")  # then the shifts show in the opened digit

    def focus_target(self) -> AugmentGrid:
        """The grid to focus when the view is shown: the one focused last."""
        return self.query_one("AugmentGrid.-current", AugmentGrid)

    @on(DigitGridView.Moved)
    def _moved(self) -> None:
        self._shifts()
        self._status()

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        current = self.focus_target()
        if isinstance(event.widget, AugmentGrid) and event.widget is not current:
            current.remove_class("-current")
            event.widget.add_class("-current")
        self._shifts()
        self._status()

    def _shifts(self) -> None:
        strip = self.query_one("#augment-shifts", Static)
        if self.results is None or self.images is None:
            strip.update("")
            return
        grid = self.focus_target()
        index = grid.current_index
        if index is None:  # nothing fixed (or broken): show the first test digit
            index = 0
        side = self.images.shape[-1]
        shown = side if side <= 8 else side // 2
        key = (index, shown)
        if key == self._shift_key:  # e.g. the view shown again, the focus back on the same digit
            return
        # a layout only when the strip's height may change (its first digits, another size): ~5 ms at 200×60
        layout = self._shift_key is None or self._shift_key[1] != shown
        self._shift_key = key
        strip.update(shift_strip(self.images[index], shown, f"test #{index}"), layout=layout)

    def _status(self) -> None:
        status = self.query_one("#augment-status", Static)
        r, grid = self.results, self.focus_target()
        index = grid.current_index
        if r is None or index is None or self.labels is None:
            update_line(status, "[dim]tab: fixed / broken · enter opens a digit[/]" if r is not None else "")
            return
        names = self.class_names
        which = "fixed" if grid.id == "augment-fixed" else "broken"
        update_line(
            status,
            f"{which} {grid.cursor + 1:,}/{grid.count:,} · test #{index:,} [b]{names[int(self.labels[index])]}[/] · "
            f"plain {names[int(r.y_pred_plain[index])]} → augmented {names[int(r.y_pred_augmented[index])]} · "
            "[dim]tab: fixed/broken[/]",  # enter is in the footer; 80 columns hold no more
        )

    @on(DigitGridView.Opened)
    def _opened(self, message: DigitGridView.Opened) -> None:
        if self.results is None or self.images is None or self.labels is None:
            return
        grid = message.grid
        self.app.push_screen(
            AugmentDetail(self.results, self.images, self.labels, grid.indices, message.position, self.class_names)
        )
