"""The Threshold tab's curves, drawn in braille with numpy (:mod:`engine.render.braille`), each marking the threshold.

The curves themselves never change while the threshold moves, so each plot keeps its static canvas (per size and
axis range) and only overlays the current threshold's mark on a copy: a move costs about a millisecond a plot.
"""

from __future__ import annotations

import numpy as np
from rich.console import Group
from rich.text import Text
from textual.app import RenderResult
from textual.widget import Widget

from engine.render.braille import BrailleCanvas, framed
from engine.threshold import ThresholdCurves, ThresholdRow

PRECISION_COLOR = "cyan"
RECALL_COLOR = "dark_orange"
RF_COLOR = "green"
MARK_COLOR = "bold red"
GUIDE_COLOR = "grey42"
X_QUANTILES = (0.02, 0.995)  # the threshold axis spans these quantiles of the scores (and the threshold)
Y_LABEL_WIDTH = 5


class CurvePlot(Widget):
    """A plot of a binary run's curves, redrawn whenever the current threshold moves (see :meth:`show`)."""

    DEFAULT_CSS = "CurvePlot { height: 1fr; }"
    TITLE = ""
    X_LABEL = ""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 (Textual's name)
        super().__init__(id=id)
        self.curves: ThresholdCurves | None = None
        self.current: ThresholdRow | None = None
        self.rendered: ThresholdRow | None = None  # the point the last rendered frame shows
        self._static: tuple[tuple, BrailleCanvas] | None = None

    def show(self, curves: ThresholdCurves, current: ThresholdRow) -> None:
        self.curves, self.current = curves, current
        self.refresh()

    def xlim(self, curves: ThresholdCurves, current: ThresholdRow) -> tuple[float, float]:
        return (0.0, 1.0)

    def legend(self, curves: ThresholdCurves) -> list[tuple[str, str]]:
        """(label, style) of each series, shown beside the title."""
        return []

    def draw_static(self, canvas: BrailleCanvas, curves: ThresholdCurves) -> None:
        """The curves: drawn once per size and axis range."""

    def draw_mark(self, canvas: BrailleCanvas, curves: ThresholdCurves, current: ThresholdRow) -> None:
        """The current threshold's mark, drawn on a copy of the static canvas at every move."""

    def _canvas(self, width: int, height: int, xlim: tuple[float, float]) -> BrailleCanvas:
        key = (width, height, xlim, id(self.curves))
        if self._static is None or self._static[0] != key:
            canvas = BrailleCanvas(width, height, xlim, (0.0, 1.0))
            self.draw_static(canvas, self.curves)
            self._static = (key, canvas)
        return self._static[1].copy()

    def render(self) -> RenderResult:
        self.rendered = self.current
        curves, current = self.curves, self.current
        width, height = self.size
        title = Text(self.TITLE, style="bold")
        if curves is None or current is None or width < Y_LABEL_WIDTH + 8 or height < 4:
            return title
        for label, style in self.legend(curves):
            title.append("  ━ ", style=style)
            title.append(label)
        title.truncate(width, overflow="ellipsis")  # one line, or the canvas would shift down
        xlim = self.xlim(curves, current)
        canvas = self._canvas(width - Y_LABEL_WIDTH - 1, height - 2, xlim)
        self.draw_mark(canvas, curves, current)
        return Group(title, *framed(canvas, self.X_LABEL, Y_LABEL_WIDTH))


class ThresholdCurvePlot(CurvePlot):
    """Precision and recall against the threshold, the threshold as a vertical line."""

    TITLE = "P/R vs threshold"
    X_LABEL = "threshold"

    def xlim(self, curves: ThresholdCurves, current: ThresholdRow) -> tuple[float, float]:
        low, high = np.quantile(curves.thresholds, X_QUANTILES)
        return float(min(low, current.threshold)), float(max(high, current.threshold))

    def legend(self, curves: ThresholdCurves) -> list[tuple[str, str]]:
        return [("precision", PRECISION_COLOR), ("recall", RECALL_COLOR)]

    def draw_static(self, canvas: BrailleCanvas, curves: ThresholdCurves) -> None:
        low, high = canvas.xlim
        inside = np.flatnonzero((curves.thresholds >= low) & (curves.thresholds <= high))
        x = curves.thresholds[inside]
        canvas.line(x, curves.precision[inside], PRECISION_COLOR)
        canvas.line(x, curves.recall[inside], RECALL_COLOR)

    def draw_mark(self, canvas: BrailleCanvas, curves: ThresholdCurves, current: ThresholdRow) -> None:
        canvas.vline(current.threshold, MARK_COLOR)


class PrecisionRecallPlot(CurvePlot):
    """Precision against recall, the current point marked."""

    TITLE = "precision vs recall"
    X_LABEL = "recall"

    def legend(self, curves: ThresholdCurves) -> list[tuple[str, str]]:
        return [("SGD", PRECISION_COLOR)]

    def draw_static(self, canvas: BrailleCanvas, curves: ThresholdCurves) -> None:
        canvas.line(curves.recall, curves.precision, PRECISION_COLOR)

    def draw_mark(self, canvas: BrailleCanvas, curves: ThresholdCurves, current: ThresholdRow) -> None:
        canvas.mark(current.recall, current.precision, "●", MARK_COLOR)


class RocPlot(CurvePlot):
    """ROC curves of SGD and RandomForest with their AUCs; SGD's current point marked."""

    TITLE = "ROC"
    X_LABEL = "false positive rate"

    def legend(self, curves: ThresholdCurves) -> list[tuple[str, str]]:
        entries = [(f"SGD AUC {curves.auc_sgd:.3f}", PRECISION_COLOR)]
        if curves.auc_rf is not None:
            entries.append((f"RF AUC {curves.auc_rf:.3f}", RF_COLOR))
        return entries

    def draw_static(self, canvas: BrailleCanvas, curves: ThresholdCurves) -> None:
        canvas.line([0.0, 1.0], [0.0, 1.0], GUIDE_COLOR)
        if curves.fpr_rf is not None and curves.tpr_rf is not None:
            canvas.line(curves.fpr_rf, curves.tpr_rf, RF_COLOR)
        canvas.line(curves.fpr_sgd, curves.tpr_sgd, PRECISION_COLOR)

    def draw_mark(self, canvas: BrailleCanvas, curves: ThresholdCurves, current: ThresholdRow) -> None:
        negatives = current.fp + current.tn
        canvas.mark(current.fp / negatives if negatives else 0.0, current.recall, "●", MARK_COLOR)
