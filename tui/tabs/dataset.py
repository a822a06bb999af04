"""The Dataset tab: the images page by page, filtered by label, train or test, and the class balance.

The test split is shown in a seeded shuffled order, like the training split (which the split itself shuffles): its
source order is often by label (the embedded sample's is), so its first pages would all be 0s. Only the display is
shuffled; every ``#index`` is the image's index in the split, as the CLI and the other tabs print it.
"""

from __future__ import annotations

import numpy as np
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from engine.data import Dataset
from engine.render import ClassBalance
from tui.context import TabContext
from tui.tab_base import TabBase
from tui.widgets.digit_detail import DigitDetail
from tui.widgets.digit_grid import DigitGridView

BALANCE_AUTO_WIDTH = 110  # the class-balance panel shows by default from this terminal width up


class IndexPrompt(ModalScreen[int | None]):
    """Asks for an image index of the split shown (0 to ``count - 1``); ``esc`` cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    AUTO_FOCUS = "#dataset-goto-input"  # the app's own AUTO_FOCUS looks for a tab, which a modal has not

    def __init__(self, split: str, count: int) -> None:
        super().__init__()
        self.split, self.count = split, count

    def compose(self) -> ComposeResult:
        with Vertical(id="dataset-goto-body"):
            yield Label(f"Go to {self.split} image #  (0–{self.count - 1:,}; enter goes, esc cancels)")
            yield Input(type="integer", placeholder="index", id="dataset-goto-input")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text.lstrip("-").isdigit() or not 0 <= int(text) < self.count:
            self.notify(f"An index from 0 to {self.count - 1:,}.", severity="warning")
            return
        self.dismiss(int(text))

    def action_cancel(self) -> None:
        self.dismiss(None)


class DatasetTab(TabBase, Vertical):
    """Digits of the train or test split with their labels; ``0``–``9`` filter, ``t`` switches split."""

    BINDINGS = [
        *(Binding(str(c), f"filter({c})", f"Only label {c}", show=False) for c in range(10)),
        Binding("a", "filter(-1)", "All labels", show=False),  # like 0–9, in ? help; the status line says the filter
        Binding("t", "toggle_split", "Train/test"),
        Binding("b", "toggle_balance", "Balance"),
        Binding("g", "goto", "Go to #"),
    ]

    split: reactive[str] = reactive("train", init=False)
    label_filter: reactive[int | None] = reactive(None, init=False)
    show_balance: reactive[bool | None] = reactive(None, init=False)  # None: decided by the width

    def __init__(self, ctx: TabContext) -> None:
        super().__init__(ctx)
        self._test_order: np.ndarray | None = None  # the test split's display order (seeded; made once)

    def compose(self) -> ComposeResult:
        with Horizontal(id="dataset-body"):
            yield DigitGridView(id="dataset-grid")
            yield Static(id="dataset-balance")
        yield Static("loading data…", id="dataset-status")

    def on_mount(self) -> None:
        self.data_ready()  # the data may have loaded before this tab was mounted

    @property
    def dataset(self) -> Dataset | None:
        return self.ctx.dataset

    def data_ready(self) -> None:
        if self.ctx.dataset is not None:
            self._show_items()
        elif self.ctx.data_error is not None:
            grid = self.query_one(DigitGridView)
            grid.empty_text = f"No data: {self.ctx.data_error}"
            grid.refresh()
            self.query_one("#dataset-status", Static).update(f"no data: {self.ctx.data_spec.spec}")

    # -- what is shown -----------------------------------------------------------------------------------------
    def order(self, ds: Dataset) -> np.ndarray:
        """The split's images in display order: the training split as it is, the test split shuffled by the seed."""
        n = len(ds.labels(self.split))
        if self.split == "train":
            return np.arange(n)
        if self._test_order is None or len(self._test_order) != n:
            self._test_order = np.random.default_rng(self.ctx.data_spec.seed).permutation(n)
        return self._test_order

    def _show_items(self, cursor: int = 0) -> None:
        ds = self.dataset
        if ds is None:
            return
        labels = ds.labels(self.split)
        order = self.order(ds)
        indices = order if self.label_filter is None else order[labels[order] == self.label_filter]
        grid = self.query_one(DigitGridView)
        grid.empty_text = f"No {self.split} images labelled {self._label_name(self.label_filter)}"
        names = ds.class_names
        grid.set_items(ds.images(self.split), indices, lambda i: names[labels[i]], cursor=cursor)
        self._update_balance()

    def _label_name(self, label: int | None) -> str:
        if label is None or self.dataset is None:
            return "all"
        names = self.dataset.class_names
        return names[label] if label < len(names) else str(label)

    def _update_balance(self) -> None:
        panel = self.query_one("#dataset-balance", Static)
        ds = self.dataset
        visible = self.size.width >= BALANCE_AUTO_WIDTH if self.show_balance is None else self.show_balance
        panel.display = visible and ds is not None
        if ds is None or not visible:
            return
        train, test = ds.class_counts("train"), ds.class_counts("test")
        panel.styles.width = ClassBalance.natural_width(ds.class_names, train + test, bar_width=8) + 2
        panel.border_title = "Class balance"
        panel.update(ClassBalance(ds.class_names, train, test, highlight=self.label_filter))

    def on_resize(self) -> None:
        self._update_balance()

    @on(DigitGridView.Moved)
    def _update_status(self) -> None:
        grid = self.query_one(DigitGridView)
        status = self.query_one("#dataset-status", Static)
        if self.dataset is None:
            return
        parts = [
            f"[b]{self.split}[/]",
            f"page {grid.page + 1:,}/{grid.pages:,}",
            f"{grid.count:,} images",
            f"filter: {self._label_name(self.label_filter)}",
        ]
        if grid.count:
            parts.append(f"#{grid.current_index:,}")
        status.update(" · ".join(parts), layout=False)  # one line of fixed height: no layout for a cursor move

    # -- keys --------------------------------------------------------------------------------------------------
    def action_filter(self, label: int) -> None:
        if self.dataset is not None and label >= self.dataset.n_classes:
            self.notify(f"There is no label {label} in this data.", severity="warning")
            return
        self.label_filter = None if label < 0 else label

    def action_toggle_split(self) -> None:
        self.split = "test" if self.split == "train" else "train"

    def action_goto(self) -> None:
        if self.dataset is not None:
            self.app.push_screen(IndexPrompt(self.split, len(self.dataset.labels(self.split))), self._go_to)

    def _go_to(self, index: int | None) -> None:
        """Put the cursor on image ``index`` of the split (dropping a label filter that hides it)."""
        ds = self.dataset
        if index is None or ds is None:
            return
        if self.label_filter is not None and ds.labels(self.split)[index] != self.label_filter:
            self.label_filter = None  # its watcher shows every image again
        grid = self.query_one(DigitGridView)
        grid.cursor = int(np.flatnonzero(grid.indices == index)[0])

    def action_toggle_balance(self) -> None:
        visible = self.query_one("#dataset-balance", Static).display
        self.show_balance = not visible

    def watch_split(self) -> None:
        self._show_items()

    def watch_label_filter(self) -> None:
        self._show_items()

    def watch_show_balance(self) -> None:
        self._update_balance()

    @on(DigitGridView.Opened)
    def _open_detail(self, message: DigitGridView.Opened) -> None:
        ds = self.dataset
        if ds is None:
            return
        grid = message.grid
        detail = DigitDetail(
            ds.images(self.split), ds.labels(self.split), grid.indices, message.position, ds.class_names, self.split
        )
        self.app.push_screen(detail, self._detail_closed)

    def _detail_closed(self, position: int | None) -> None:
        if position is not None:
            self.query_one(DigitGridView).cursor = position
