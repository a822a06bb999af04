"""Binary-classification metrics in plain numpy, equal to scikit-learn's on the same scores.

The UI process must never import scikit-learn, so the threshold analysis uses these: the curves follow
``sklearn.metrics`` (``precision_recall_curve``, ``roc_curve``, ``auc``, ``roc_auc_score``) step by step, and a
prediction at threshold ``t`` is ``score >= t``, as there. Undefined ratios (no predicted positive) are 0, like
scikit-learn's ``zero_division`` default.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Counts:
    """The confusion counts of one threshold, and the scores derived from them."""

    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        denominator = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denominator if denominator else 0.0


def _check(y_true: np.ndarray, y_score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y_true = np.asarray(y_true).ravel()
    y_score = np.asarray(y_score, dtype=np.float64).ravel()
    if y_true.shape != y_score.shape:
        raise ValueError(f"{y_true.size} labels but {y_score.size} scores")
    if y_true.size == 0:
        raise ValueError("no scores")
    if not np.isfinite(y_score).all():
        raise ValueError("scores contain NaN or infinity")
    return (y_true == 1).astype(np.float64), y_score


def binary_clf_curve(y_true: np.ndarray, y_score: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(fps, tps, thresholds) at each distinct score, thresholds decreasing; counts are of ``score >= t``."""
    y_true, y_score = _check(y_true, y_score)
    order = np.argsort(y_score, kind="stable")[::-1]
    y_score, y_true = y_score[order], y_true[order]
    threshold_idxs = np.r_[np.flatnonzero(np.diff(y_score)), y_true.size - 1]
    tps = np.cumsum(y_true)[threshold_idxs]
    fps = 1 + threshold_idxs.astype(np.float64) - tps
    return fps, tps, y_score[threshold_idxs]


def precision_recall_curve(y_true: np.ndarray, y_score: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(precision, recall, thresholds) like ``sklearn.metrics.precision_recall_curve``: thresholds increasing,
    precision and recall one longer (a final 1 and 0)."""
    fps, tps, thresholds = binary_clf_curve(y_true, y_score)
    ps = tps + fps
    precision = np.divide(tps, ps, out=np.zeros_like(tps), where=ps != 0)
    recall = np.ones_like(tps) if tps[-1] == 0 else tps / tps[-1]
    return np.r_[precision[::-1], 1.0], np.r_[recall[::-1], 0.0], thresholds[::-1]


def roc_curve(
    y_true: np.ndarray, y_score: np.ndarray, drop_intermediate: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(fpr, tpr, thresholds) like ``sklearn.metrics.roc_curve``: thresholds decreasing from ``inf``."""
    fps, tps, thresholds = binary_clf_curve(y_true, y_score)
    if drop_intermediate and fps.size > 2:
        keep = np.flatnonzero(np.r_[True, np.logical_or(np.diff(fps, 2), np.diff(tps, 2)), True])
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    tps, fps = np.r_[0.0, tps], np.r_[0.0, fps]
    thresholds = np.r_[np.inf, thresholds]
    fpr = np.full(fps.shape, np.nan) if fps[-1] <= 0 else fps / fps[-1]
    tpr = np.full(tps.shape, np.nan) if tps[-1] <= 0 else tps / tps[-1]
    return fpr, tpr, thresholds


def auc(x: np.ndarray, y: np.ndarray) -> float:
    """Area under a curve by the trapezoidal rule; ``x`` must be monotonic (like ``sklearn.metrics.auc``)."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if x.size < 2 or x.shape != y.shape:
        raise ValueError(f"need at least 2 points of equal length, got {x.size} and {y.size}")
    dx = np.diff(x)
    direction = 1.0
    if np.any(dx < 0):
        if not np.all(dx <= 0):
            raise ValueError("x is neither increasing nor decreasing")
        direction = -1.0
    return float(direction * np.trapezoid(y, x))


def roc_auc_score(y_true: np.ndarray, y_score: np.ndarray) -> float:
    """Area under the ROC curve (NaN when only one class is present)."""
    if np.unique(np.asarray(y_true) == 1).size != 2:
        return float("nan")
    fpr, tpr, _ = roc_curve(y_true, y_score)
    return auc(fpr, tpr)


def confusion_at(y_true: np.ndarray, y_score: np.ndarray, threshold: float) -> Counts:
    """Counts of the prediction ``score >= threshold``."""
    positive, y_score = _check(y_true, y_score)
    predicted = y_score >= threshold
    actual = positive == 1
    tp = int(np.count_nonzero(predicted & actual))
    fp = int(np.count_nonzero(predicted & ~actual))
    fn = int(np.count_nonzero(~predicted & actual))
    return Counts(tp, fp, fn, int(actual.size) - tp - fp - fn)


def lowest_threshold_for_precision(precision: np.ndarray, target: float) -> int | None:
    """Index into the thresholds of :func:`precision_recall_curve` (given its ``precision``) of the lowest
    threshold whose precision is at least ``target`` — the study's ``thresholds[(precisions >= target).argmax()]``
    — or None when only the curve's closing point (no prediction at all) reaches it."""
    reached = np.flatnonzero(precision[:-1] >= target)
    return int(reached[0]) if reached.size else None


def highest_threshold_for_recall(recall: np.ndarray, target: float) -> int | None:
    """Index into the thresholds of :func:`precision_recall_curve` (given its ``recall``) of the highest threshold
    whose recall is still at least ``target``: lowering the threshold from the top, the first one that reaches it
    (and so the most precise). None if none does."""
    reached = np.flatnonzero(recall[:-1] >= target)
    return int(reached[-1]) if reached.size else None


class ThresholdSweep:
    """Every distinct score as a threshold, lowest first, with its confusion counts: O(1) per threshold.

    Step ``i`` predicts ``score >= thresholds[i]``; ``thresholds``, ``precision`` and ``recall`` are exactly
    :func:`precision_recall_curve`'s (precision and recall keep its closing point 1, 0).
    """

    def __init__(self, y_true: np.ndarray, y_score: np.ndarray) -> None:
        fps, tps, thresholds = binary_clf_curve(y_true, y_score)
        self.thresholds = thresholds[::-1]
        self.tps = tps[::-1].astype(np.int64)
        self.fps = fps[::-1].astype(np.int64)
        self.positives = int(tps[-1])
        self.negatives = int(fps[-1])
        self.precision, self.recall, _ = precision_recall_curve(y_true, y_score)

    def __len__(self) -> int:
        return int(self.thresholds.size)

    def counts(self, step: int) -> Counts:
        tp, fp = int(self.tps[step]), int(self.fps[step])
        return Counts(tp, fp, self.positives - tp, self.negatives - fp)

    def step_at(self, threshold: float) -> int:
        """The step predicting exactly what ``score >= threshold`` predicts (the last one if none does)."""
        return min(int(np.searchsorted(self.thresholds, threshold, side="left")), len(self) - 1)

    def counts_at(self, threshold: float) -> Counts:
        """Counts of ``score >= threshold`` for any threshold, between the steps or beyond them."""
        step = int(np.searchsorted(self.thresholds, threshold, side="left"))
        if step == len(self):
            return Counts(0, 0, self.positives, self.negatives)
        return self.counts(step)

    def around(self, step: int, before: int, after: int) -> range:
        """Up to ``before`` steps below ``step`` and ``after`` above it (shifted to stay within the sweep)."""
        n = len(self)
        size = min(n, before + after + 1)
        start = min(max(0, step - before), n - size)
        return range(start, start + size)

    def step_for_precision(self, target: float) -> int | None:
        return lowest_threshold_for_precision(self.precision, target)

    def step_for_recall(self, target: float) -> int | None:
        return highest_threshold_for_recall(self.recall, target)
