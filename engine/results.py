"""Typed results of the detector and search jobs, read from the store: what the CLI, ``--json`` and the tabs use.

Each dataclass reads a run's stored JSON results (``from_results`` / ``from_store``) and gives back exactly the
documented JSON keys (``to_json``). A run still going, or one that stopped early, has some fields ``None``.
Other job kinds keep their typed results beside their job (``engine.confusion.ErrorAnalysis``,
``engine.threshold.ThresholdAnalysis``, the More jobs' modules).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from engine.errors import StoreError
from engine.store import RunStore


@dataclass(frozen=True)
class BinaryResults:
    """A ``binary`` run: SGD's 3-fold CV accuracy vs the dummy's, the confusion matrix, P/R/F1 and both AUCs."""

    cv_accuracy: list[float] | None = None
    dummy_accuracy: float | None = None
    confusion: list[list[int]] | None = None  # [[tn, fp], [fn, tp]]
    precision: float | None = None
    recall: float | None = None
    f1: float | None = None
    roc_auc_sgd: float | None = None
    roc_auc_rf: float | None = None

    JSON_KEYS = ("cv_accuracy", "dummy_accuracy", "confusion", "precision", "recall", "f1", "roc_auc_sgd", "roc_auc_rf")

    @classmethod
    def from_results(cls, results: dict[str, Any]) -> BinaryResults:
        return cls(**{f.name: results.get(f.name) for f in fields(cls)})

    @classmethod
    def from_store(cls, store: RunStore, run_id: int) -> BinaryResults:
        return cls.from_results(store.results(run_id, arrays=False))

    @property
    def complete(self) -> bool:
        return all(getattr(self, f.name) is not None for f in fields(self))

    @property
    def mean_cv_accuracy(self) -> float | None:
        return sum(self.cv_accuracy) / len(self.cv_accuracy) if self.cv_accuracy else None

    def to_json(self, run_id: int) -> dict[str, Any]:
        if not self.complete:
            raise StoreError(f"run {run_id} has not saved all of its detector results")
        return {"run_id": run_id, **{key: getattr(self, key) for key in self.JSON_KEYS}}


@dataclass(frozen=True)
class SearchResults:
    """A finished ``search`` run: its best config and score, every config's row, and the refit's test accuracy."""

    best_params: dict[str, Any]
    best_score: float
    results: list[dict[str, Any]]  # config order, cv_results_-style rows
    test_accuracy: float
    elapsed_s: float

    ROW_KEYS = ("params", "mean_test_score", "std_test_score", "split_scores", "rank_test_score", "mean_fit_time")

    @classmethod
    def from_results(cls, results: dict[str, Any]) -> SearchResults | None:
        """None while the search has not finished (its final results are saved together, at the end)."""
        try:
            return cls(**{f.name: results[f.name] for f in fields(cls)})
        except KeyError:
            return None

    @classmethod
    def from_store(cls, store: RunStore, run_id: int) -> SearchResults:
        found = cls.from_results(store.results(run_id, arrays=False))
        if found is None:
            raise StoreError(f"search run {run_id} has no final results")
        return found

    def to_json(self, run_id: int) -> dict[str, Any]:
        return {
            "run_id": run_id,
            "best_params": self.best_params,
            "best_score": self.best_score,
            "results": [{key: row[key] for key in self.ROW_KEYS} for row in self.results],
            "test_accuracy": self.test_accuracy,
            "elapsed_s": self.elapsed_s,
        }
