"""Error analysis of a multiclass run, in numpy only (the TUI imports this; never scikit-learn).

The confusion matrix and its four display modes, the images behind any cell ordered by the model's margin,
the most confident mistakes over all cells, the largest confusions, and the 2×2 pair view of two classes.

The *margin* of an image says how sure the model was of what it predicted: for a mistake, the score of the
predicted class minus the score of the true label (large = a confident mistake, often a label error in the
data); for a correct prediction, the score of the true label minus the best other score.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

MODES: tuple[str, ...] = ("counts", "row", "errors", "column")
MODE_TITLES: dict[str, str] = {
    "counts": "counts (rows = true labels)",
    "row": "row %: share of each true class",
    "errors": "errors only: row %, diagonal removed",
    "column": "column %: share of each prediction",
}


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """(n_classes, n_classes) int64 counts; rows are true labels, columns predictions."""
    y_true = np.asarray(y_true, dtype=np.int64)
    y_pred = np.asarray(y_pred, dtype=np.int64)
    flat = np.bincount(y_true * n_classes + y_pred, minlength=n_classes * n_classes)
    return flat.reshape(n_classes, n_classes).astype(np.int64)


def normalise(cm: np.ndarray, mode: str) -> np.ndarray:
    """The matrix shown in ``mode``: counts, or fractions (0–1) of each row / column; empty rows stay 0.

    ``errors`` is the row-normalised matrix with its diagonal set to 0, so the confusions stand out.
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; one of {', '.join(MODES)}")
    cm = np.asarray(cm, dtype=np.float64)
    if mode == "counts":
        return cm.copy()
    axis = 0 if mode == "column" else 1
    totals = cm.sum(axis=axis, keepdims=True)
    out = np.divide(cm, totals, out=np.zeros_like(cm), where=totals > 0)
    if mode == "errors":
        np.fill_diagonal(out, 0.0)
    return out


def next_mode(mode: str) -> str:
    """The mode after ``mode``, cycling."""
    return MODES[(MODES.index(mode) + 1) % len(MODES)]


def margins(y_true: np.ndarray, y_pred: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Each image's margin (see the module docstring); float64 of length n."""
    y_true = np.asarray(y_true, dtype=np.int64)
    y_pred = np.asarray(y_pred, dtype=np.int64)
    scores = np.asarray(scores, dtype=np.float64)
    rows = np.arange(len(y_true))
    true_score = scores[rows, y_true]
    others = scores.copy()
    others[rows, y_true] = -np.inf
    runner_up = others.max(axis=1) if scores.shape[1] > 1 else np.zeros(len(y_true))
    return np.where(y_pred == y_true, true_score - runner_up, scores[rows, y_pred] - true_score)


def order_by_margin(indices: np.ndarray, margin: np.ndarray) -> np.ndarray:
    """``indices`` sorted by margin, largest first; equal margins keep index order."""
    indices = np.asarray(indices, dtype=np.int64)
    return indices[np.lexsort((indices, -margin[indices]))]


def top_classes(score_row: np.ndarray, k: int = 3) -> list[tuple[int, float]]:
    """The ``k`` best-scored classes of one image as (class, score), best first (classes never seen skipped)."""
    row = np.asarray(score_row, dtype=np.float64)
    order = np.lexsort((np.arange(len(row)), -row))
    return [(int(c), float(row[c])) for c in order if np.isfinite(row[c])][:k]


@dataclass(frozen=True)
class Mistake:
    """One misclassified training image."""

    index: int
    true: int
    predicted: int
    margin: float

    def to_dict(self) -> dict:
        return {"index": self.index, "true": self.true, "predicted": self.predicted, "margin": self.margin}


@dataclass(frozen=True, eq=False)
class ErrorAnalysis:
    """A run's cross-validated predictions and scores, with every view the Errors tab and CLI draw."""

    y_true: np.ndarray
    y_pred: np.ndarray
    scores: np.ndarray
    class_names: tuple[str, ...]
    margin: np.ndarray = field(init=False, repr=False)
    confusion: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        n = len(self.y_true)
        if len(self.y_pred) != n or self.scores.shape != (n, len(self.class_names)):
            raise ValueError(
                f"y_true {len(self.y_true)}, y_pred {len(self.y_pred)} and scores "
                f"{self.scores.shape} do not describe the same {len(self.class_names)}-class images"
            )
        object.__setattr__(self, "margin", margins(self.y_true, self.y_pred, self.scores))
        object.__setattr__(self, "confusion", confusion_matrix(self.y_true, self.y_pred, self.n_classes))

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    @property
    def accuracy(self) -> float:
        return float(np.mean(self.y_true == self.y_pred)) if len(self.y_true) else 0.0

    def matrix(self, mode: str) -> np.ndarray:
        return normalise(self.confusion, mode)

    def cell(self, true: int, predicted: int) -> np.ndarray:
        """Indices of the images with label ``true`` predicted ``predicted``, largest margin first."""
        members = np.flatnonzero((self.y_true == true) & (self.y_pred == predicted))
        return order_by_margin(members, self.margin)

    def pair(self, a: int, b: int) -> dict[tuple[int, int], np.ndarray]:
        """The 2×2 pair view of classes ``a`` and ``b``: (true, predicted) → that cell's indices."""
        return {(t, p): self.cell(t, p) for t in (a, b) for p in (a, b)}

    def mistakes(self, limit: int | None = None) -> list[Mistake]:
        """Misclassified images over all cells, most confident mistake first: the likely label errors."""
        wrong = order_by_margin(np.flatnonzero(self.y_true != self.y_pred), self.margin)
        if limit is not None:
            wrong = wrong[:limit]
        return [Mistake(int(i), int(self.y_true[i]), int(self.y_pred[i]), float(self.margin[i])) for i in wrong]

    def top_confusions(self, limit: int | None = None) -> list[tuple[int, int, int]]:
        """Off-diagonal cells with images as (true, predicted, count), largest first."""
        return top_confusions(self.confusion, limit)

    def top_classes(self, index: int, k: int = 3) -> list[tuple[int, float]]:
        return top_classes(self.scores[index], k)


def top_confusions(cm: np.ndarray, limit: int | None = None) -> list[tuple[int, int, int]]:
    """Off-diagonal cells of ``cm`` with a non-zero count as (true, predicted, count), largest count first."""
    cm = np.asarray(cm)
    off = [(int(t), int(p), int(cm[t, p])) for t, p in zip(*np.nonzero(cm)) if t != p]
    off.sort(key=lambda c: (-c[2], c[0], c[1]))
    return off if limit is None else off[:limit]
