"""Multilabel classification: two yes/no labels per image, a KNN predicting both, a chain of SVCs beside it.

Job kind ``multilabel`` (no params). The labels, as in the study: *large* (class ≥ 7) and *odd*. On Fashion-MNIST
those mean nothing, so there the labels are *footwear* (Sandal, Sneaker, Ankle boot) and *upper body* (T-shirt/top,
Pullover, Coat, Shirt).

- ``KNeighborsClassifier()`` on the two-column label matrix, with 3-fold cross-validated predictions: the folds are
  ``KFold(3)``, what ``cross_val_predict(cv=3)`` uses for a multilabel target (it cannot stratify one).
- ``ClassifierChain(SVC(), cv=3, random_state=42)``, the study's comparison, cross-validated the same way on at
  most ``CHAIN_MAX_TRAIN`` training images (a seeded subsample stratified by class when the set is larger; SVCs
  grow quadratically). ``chain_indices`` records which images it used.

Results: ``label_names``, ``label_classes`` (the classes each label is true for), ``y_true`` / ``y_pred`` (int8
(n, 2), index ``i`` = training image ``i``), ``f1_macro``, ``f1_weighted``, ``per_label`` (``name``, ``precision``,
``recall``, ``f1``, ``confusion`` [[tn, fp], [fn, tp]]), ``chain_f1_macro``, ``chain_f1_weighted``,
``chain_indices``, ``chain_subsample``. Progress: 6 steps (3 KNN folds, 3 chain folds).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.data.sources import FASHION_NAMES
from engine.jobs.context import JobContext
from engine.models.features import flat_float
from engine.store import RunStore

JOB_KIND = "multilabel"
N_FOLDS = 3
CHAIN_MAX_TRAIN = 4000
SEED = 42


@dataclass(frozen=True)
class Label:
    """One yes/no label: its name and the classes it is true for."""

    name: str
    classes: tuple[int, ...]


def labels_for(class_names: tuple[str, ...]) -> tuple[Label, Label]:
    """The study's two labels for digits; for Fashion-MNIST two that make sense there."""
    if tuple(class_names) == FASHION_NAMES:
        return Label("footwear", (5, 7, 9)), Label("upper body", (0, 2, 4, 6))
    n = len(class_names)
    return Label("large", tuple(range(7, n))), Label("odd", tuple(range(1, n, 2)))


def label_matrix(y: np.ndarray, labels: tuple[Label, ...]) -> np.ndarray:
    """(n, len(labels)) int8: 1 where image ``i``'s class is one the label is true for."""
    return np.column_stack([np.isin(y, label.classes) for label in labels]).astype(np.int8)


def binary_confusion(y_true: np.ndarray, y_pred: np.ndarray) -> list[list[int]]:
    """[[tn, fp], [fn, tp]] of one yes/no label."""
    t, p = y_true.astype(bool), y_pred.astype(bool)
    return [[int(np.sum(~t & ~p)), int(np.sum(~t & p))], [int(np.sum(t & ~p)), int(np.sum(t & p))]]


def chain_subsample(y: np.ndarray, limit: int, seed: int = SEED) -> np.ndarray:
    """Sorted indices of at most ``limit`` images, stratified by class (all of them when there are few enough)."""
    if len(y) <= limit:
        return np.arange(len(y))
    from sklearn.model_selection import train_test_split

    keep, _ = train_test_split(np.arange(len(y)), train_size=limit, stratify=y, random_state=seed)
    return np.sort(keep)


@dataclass(frozen=True)
class LabelScores:
    name: str
    precision: float
    recall: float
    f1: float
    confusion: list[list[int]]

    def to_json(self) -> dict:
        return {"name": self.name, "precision": self.precision, "recall": self.recall, "f1": self.f1}


@dataclass(frozen=True)
class MultilabelResults:
    """A done ``multilabel`` run's results (numpy only: the app reads them without scikit-learn)."""

    run_id: int
    label_names: tuple[str, ...]
    label_classes: tuple[tuple[int, ...], ...]
    y_true: np.ndarray
    y_pred: np.ndarray
    f1_macro: float
    f1_weighted: float
    per_label: tuple[LabelScores, ...]
    chain_f1_macro: float
    chain_f1_weighted: float
    chain_indices: np.ndarray
    chain_subsample: bool

    @classmethod
    def from_store(cls, store: RunStore, run_id: int) -> MultilabelResults:
        r = store.results(run_id)
        return cls(
            run_id=run_id,
            label_names=tuple(r["label_names"]),
            label_classes=tuple(tuple(c) for c in r["label_classes"]),
            y_true=r["y_true"],
            y_pred=r["y_pred"],
            f1_macro=float(r["f1_macro"]),
            f1_weighted=float(r["f1_weighted"]),
            per_label=tuple(LabelScores(**p) for p in r["per_label"]),
            chain_f1_macro=float(r["chain_f1_macro"]),
            chain_f1_weighted=float(r["chain_f1_weighted"]),
            chain_indices=r["chain_indices"],
            chain_subsample=bool(r["chain_subsample"]),
        )

    @property
    def mismatches(self) -> np.ndarray:
        """Training indices whose predicted pair differs from the true pair in any label."""
        return np.flatnonzero(np.any(self.y_true != self.y_pred, axis=1))

    def to_json(self) -> dict:
        return {
            "run_id": self.run_id,
            "f1_macro": self.f1_macro,
            "f1_weighted": self.f1_weighted,
            "per_label": [p.to_json() for p in self.per_label],
            "chain_f1_macro": self.chain_f1_macro,
        }


def run_multilabel(ctx: JobContext) -> None:
    from sklearn.multioutput import ClassifierChain
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.svm import SVC

    ds = ctx.dataset
    labels = labels_for(ds.class_names)
    X = flat_float(ds.X_train)
    Y = label_matrix(ds.y_train, labels)
    chain_idx = chain_subsample(ds.y_train, CHAIN_MAX_TRAIN)
    subsample = len(chain_idx) < len(Y)
    ctx.log(
        f"labels: {labels[0].name} ({int(Y[:, 0].sum()):,} images), {labels[1].name} ({int(Y[:, 1].sum()):,}) "
        f"of {len(Y):,} training images"
    )
    ctx.progress(0, 2 * N_FOLDS)
    y_pred = _cross_val_predict(ctx, lambda: KNeighborsClassifier(), X, Y, "KNN")
    ctx.save(y_true=Y, y_pred=y_pred)
    ctx.log(
        f"ClassifierChain of SVCs on {len(chain_idx):,} images"
        + (f" (a stratified subsample of {len(Y):,}: SVCs are slow)" if subsample else "")
    )
    chain_pred = _cross_val_predict(
        ctx, lambda: ClassifierChain(SVC(), cv=N_FOLDS, random_state=SEED), X[chain_idx], Y[chain_idx], "chain"
    )
    ctx.save(**scores(Y, y_pred, Y[chain_idx], chain_pred, labels), chain_indices=chain_idx, chain_subsample=subsample)


def _cross_val_predict(ctx: JobContext, make, X: np.ndarray, Y: np.ndarray, what: str) -> np.ndarray:
    """``cross_val_predict(make(), X, Y, cv=3)`` one fold at a time, with progress."""
    from sklearn.model_selection import KFold

    out = np.zeros_like(Y)
    for i, (train, test) in enumerate(KFold(N_FOLDS).split(X)):
        out[test] = make().fit(X[train], Y[train]).predict(X[test])
        ctx.log(f"{what} fold {i + 1}/{N_FOLDS}: exact-pair accuracy {np.mean(np.all(out[test] == Y[test], 1)):.4f}")
        ctx.progress(advance=1)
    return out


def scores(Y: np.ndarray, pred: np.ndarray, Y_chain: np.ndarray, chain_pred: np.ndarray, labels) -> dict:
    """The F1s (macro and weighted over the labels), and per label precision, recall, F1 and confusion."""
    from sklearn.metrics import f1_score, precision_recall_fscore_support

    precision, recall, f1, _ = precision_recall_fscore_support(Y, pred, average=None, zero_division=0)
    return {
        "label_names": [label.name for label in labels],
        "label_classes": [list(label.classes) for label in labels],
        "f1_macro": float(f1_score(Y, pred, average="macro", zero_division=0)),
        "f1_weighted": float(f1_score(Y, pred, average="weighted", zero_division=0)),
        "per_label": [
            {
                "name": label.name,
                "precision": float(precision[j]),
                "recall": float(recall[j]),
                "f1": float(f1[j]),
                "confusion": binary_confusion(Y[:, j], pred[:, j]),
            }
            for j, label in enumerate(labels)
        ],
        "chain_f1_macro": float(f1_score(Y_chain, chain_pred, average="macro", zero_division=0)),
        "chain_f1_weighted": float(f1_score(Y_chain, chain_pred, average="weighted", zero_division=0)),
    }
