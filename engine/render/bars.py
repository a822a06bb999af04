"""Class balance: images per class in train and test as two horizontal bar columns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.style import Style
from rich.text import Text

EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(value: float, maximum: float, width: int) -> str:
    """A left-aligned bar of ``width`` cells filled in eighths to ``value / maximum``."""
    if width <= 0:
        return ""
    eighths = 0 if maximum <= 0 else int(round(8 * width * max(0.0, value) / maximum))
    eighths = min(eighths, 8 * width)
    full, rest = divmod(eighths, 8)
    return ("█" * full + (EIGHTHS[rest] if rest else "")).ljust(width)


@dataclass
class ClassBalance:
    """Per class: its name, a train bar with the count, a test bar with the count; bars scale to each split's max.

    ``highlight`` (a class index) is drawn bold, e.g. the class a view is filtered to.
    """

    class_names: Sequence[str]
    train_counts: Sequence[int]
    test_counts: Sequence[int]
    highlight: int | None = None
    train_style: Style = Style(color="cyan")
    test_style: Style = Style(color="magenta")

    def _widths(self, max_width: int) -> tuple[int, int, int]:
        name_w = max((len(n) for n in self.class_names), default=1)
        count_w = max(len(f"{c:,}") for c in [*self.train_counts, *self.test_counts, 0])
        bar_w = max(1, (max_width - name_w - 2 * count_w - 5) // 2)
        return name_w, count_w, bar_w

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        name_w, count_w, bar_w = self._widths(options.max_width)
        header = Text(" " * (name_w + 1))
        header.append("train".ljust(bar_w + count_w + 3), self.train_style + Style(bold=True))
        header.append("test", self.test_style + Style(bold=True))
        yield header
        train_max, test_max = max(self.train_counts, default=0), max(self.test_counts, default=0)
        for c, name in enumerate(self.class_names):
            line = Text(no_wrap=True, overflow="crop")
            line.append(name.rjust(name_w) + " ", Style(bold=c == self.highlight))
            line.append(bar(self.train_counts[c], train_max, bar_w), self.train_style)
            line.append(f" {self.train_counts[c]:>{count_w},} ", Style(bold=c == self.highlight))
            line.append(bar(self.test_counts[c], test_max, bar_w), self.test_style)
            line.append(f" {self.test_counts[c]:>{count_w},}", Style(bold=c == self.highlight))
            yield line
        total = Text(
            " " * (name_w + 1)
            + f"{sum(self.train_counts):,}".rjust(bar_w + count_w + 1)
            + " "
            + f"{sum(self.test_counts):,}".rjust(bar_w + count_w + 1),
            style="dim",
        )
        yield total

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        name_w, count_w, _ = self._widths(options.max_width)
        return Measurement(name_w + 2 * count_w + 7, options.max_width)

    @staticmethod
    def natural_width(class_names: Sequence[str], counts: Sequence[int], bar_width: int = 8) -> int:
        """The width that gives each bar ``bar_width`` cells."""
        name_w = max((len(n) for n in class_names), default=1)
        count_w = max(len(f"{c:,}") for c in [*counts, 0])
        return name_w + 2 * count_w + 5 + 2 * bar_width
