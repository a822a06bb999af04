"""The Threshold tab's curves (textual-plotext), each marking the current threshold.

Curves are thinned to about one point per column before plotting: plotext's cost grows with the points it is
given, and lines join the points, so more would not show.
"""

from __future__ import annotations

import numpy as np
from textual.app import RenderResult
from textual_plotext import PlotextPlot

from engine.threshold import ThresholdCurves, ThresholdRow

PRECISION_COLOR = "cyan"
RECALL_COLOR = "orange"
RF_COLOR = "green"
MARK_COLOR = "red"
GUIDE_COLOR = "gray"
X_QUANTILES = (0.02, 0.995)  # the threshold axis spans these quantiles of the scores (and the threshold)


def thin(n: int, points: int) -> np.ndarray:
    """At most ``points`` indices spread evenly over ``range(n)``, first and last included."""
    if n <= points:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, max(2, points)).round().astype(int))


class CurvePlot(PlotextPlot):
    """A plot of a binary run's curves that is redrawn whenever the current threshold moves."""

    TITLE = ""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 (Textual's name)
        super().__init__(id=id)
        self.curves: ThresholdCurves | None = None
        self.current: ThresholdRow | None = None
        self.rendered: ThresholdRow | None = None  # the point the last rendered frame shows

    def show(self, curves: ThresholdCurves, current: ThresholdRow) -> None:
        self.curves, self.current = curves, current
        plt = self.plt
        plt.clear_figure()
        plt.title(self.TITLE)
        self.draw(curves, current, max(8, self.size.width))
        self.refresh()

    def render(self) -> RenderResult:
        self.rendered = self.current
        return super().render()

    def draw(self, curves: ThresholdCurves, current: ThresholdRow, points: int) -> None:
        raise NotImplementedError

    def on_resize(self) -> None:
        if self.curves is not None and self.current is not None:
            self.show(self.curves, self.current)


class ThresholdCurvePlot(CurvePlot):
    """Precision and recall against the threshold, the threshold as a vertical line."""

    TITLE = "precision & recall vs threshold"

    def draw(self, curves: ThresholdCurves, current: ThresholdRow, points: int) -> None:
        plt = self.plt
        low, high = np.quantile(curves.thresholds, X_QUANTILES)
        low, high = min(low, current.threshold), max(high, current.threshold)
        inside = np.flatnonzero((curves.thresholds >= low) & (curves.thresholds <= high))
        pick = inside[thin(inside.size, points)]
        x = curves.thresholds[pick].tolist()
        plt.plot(x, curves.precision[pick].tolist(), label="precision", color=PRECISION_COLOR, marker="braille")
        plt.plot(x, curves.recall[pick].tolist(), label="recall", color=RECALL_COLOR, marker="braille")
        plt.vline(current.threshold, MARK_COLOR)
        plt.xlim(low, high)
        plt.ylim(0, 1)
        plt.xlabel("threshold")


class PrecisionRecallPlot(CurvePlot):
    """Precision against recall, the current point marked."""

    TITLE = "precision vs recall"

    def draw(self, curves: ThresholdCurves, current: ThresholdRow, points: int) -> None:
        plt = self.plt
        pick = thin(curves.recall.size, points)
        plt.plot(curves.recall[pick].tolist(), curves.precision[pick].tolist(), color=PRECISION_COLOR,
                 marker="braille", label="SGD")
        plt.scatter([current.recall], [current.precision], color=MARK_COLOR, marker="●",
                    label=f"P {current.precision:.3f} R {current.recall:.3f}")
        plt.xlim(0, 1)
        plt.ylim(0, 1)
        plt.xlabel("recall")


class RocPlot(CurvePlot):
    """ROC curves of SGD and RandomForest with their AUCs; SGD's current point marked."""

    TITLE = "ROC"

    def draw(self, curves: ThresholdCurves, current: ThresholdRow, points: int) -> None:
        plt = self.plt
        plt.plot([0, 1], [0, 1], color=GUIDE_COLOR, marker="braille")
        pick = thin(curves.fpr_sgd.size, points)
        plt.plot(curves.fpr_sgd[pick].tolist(), curves.tpr_sgd[pick].tolist(), color=PRECISION_COLOR,
                 marker="braille", label=f"SGD AUC {curves.auc_sgd:.3f}")
        if curves.fpr_rf is not None and curves.tpr_rf is not None and curves.auc_rf is not None:
            pick = thin(curves.fpr_rf.size, points)
            plt.plot(curves.fpr_rf[pick].tolist(), curves.tpr_rf[pick].tolist(), color=RF_COLOR,
                     marker="braille", label=f"RF AUC {curves.auc_rf:.3f}")
        negatives = current.fp + current.tn
        fpr = current.fp / negatives if negatives else 0.0
        plt.scatter([fpr], [current.recall], color=MARK_COLOR, marker="●")
        plt.xlim(0, 1)
        plt.ylim(0, 1)
        plt.xlabel("false positive rate")
