"""From per-(config, fold) fits to GridSearchCV-style results and a (partial) leaderboard. numpy only.

The final numbers are computed exactly as ``GridSearchCV`` computes ``cv_results_`` (same array layout, same
``np.average`` calls, ``min`` ranks), so they compare equal, not just close.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Fit:
    """One finished (config, fold) fit, as stored in a ``fit`` event."""

    config: int
    fold: int
    score: float
    fit_time: float
    score_time: float

    @classmethod
    def from_payload(cls, p: dict) -> "Fit":
        return cls(int(p["config"]), int(p["fold"]), float(p["score"]), float(p["fit_time"]),
                   float(p["score_time"]))


@dataclass(frozen=True)
class Row:
    """One config on the leaderboard; ``split_scores`` holds None for folds not finished yet."""

    config: int
    params: dict
    split_scores: list[float | None]
    mean: float | None
    std: float | None
    mean_fit_time: float | None
    rank: int | None

    @property
    def folds_done(self) -> int:
        return sum(s is not None for s in self.split_scores)

    @property
    def status(self) -> str:
        if self.folds_done == len(self.split_scores):
            return "done"
        return "pending" if self.folds_done == 0 else "partial"


def _grid_arrays(fits: list[Fit], n_configs: int, n_folds: int) -> tuple[np.ndarray, np.ndarray]:
    scores = np.full((n_configs, n_folds), np.nan)
    times = np.full((n_configs, n_folds), np.nan)
    for f in fits:
        scores[f.config, f.fold] = f.score
        times[f.config, f.fold] = f.fit_time
    return scores, times


def min_rank(means: np.ndarray) -> np.ndarray:
    """``scipy.stats.rankdata(-means, method="min")``; NaN counts as the worst, as in GridSearchCV."""
    if np.isnan(means).all():
        return np.ones(len(means), dtype=np.int32)
    filled = np.where(np.isnan(means), np.nanmin(means) - 1, means)
    return np.array([1 + int(np.sum(filled > m)) for m in filled], dtype=np.int32)


def cv_results(configs: list[dict], fits: list[Fit], n_folds: int) -> list[dict]:
    """The finished search in config order: params, mean/std/split test scores, rank, mean fit time."""
    scores, times = _grid_arrays(fits, len(configs), n_folds)
    if np.isnan(scores).any():
        raise ValueError("cv_results needs every (config, fold) fit")
    means = np.average(scores, axis=1)
    stds = np.sqrt(np.average((scores - means[:, np.newaxis]) ** 2, axis=1))
    ranks = min_rank(means)
    fit_means = np.average(times, axis=1)
    return [
        {"params": configs[i], "mean_test_score": float(means[i]), "std_test_score": float(stds[i]),
         "split_scores": [float(s) for s in scores[i]], "rank_test_score": int(ranks[i]),
         "mean_fit_time": float(fit_means[i])}
        for i in range(len(configs))
    ]


def best_index(results: list[dict]) -> int:
    """GridSearchCV's ``best_index_``: the first config ranked 1."""
    return int(np.argmin([r["rank_test_score"] for r in results]))


def leaderboard(configs: list[dict], fits: list[Fit], n_folds: int) -> list[Row]:
    """Every config with what is known so far, best first (configs without any finished fold last)."""
    scores, times = _grid_arrays(fits, len(configs), n_folds)
    rows = []
    done = ~np.isnan(scores)
    means = np.full(len(configs), np.nan)
    for i in range(len(configs)):
        if done[i].any():
            s = scores[i, done[i]]
            means[i] = np.average(s)
    ranks = min_rank(means) if done.any() else np.zeros(len(configs), dtype=np.int32)
    for i, params in enumerate(configs):
        if done[i].any():
            s = scores[i, done[i]]
            std = float(np.sqrt(np.average((s - means[i]) ** 2)))
            fit_time = float(np.average(times[i, done[i]]))
            mean, rank = float(means[i]), int(ranks[i])
        else:
            mean = std = fit_time = rank = None
        split = [float(v) if ok else None for v, ok in zip(scores[i], done[i])]
        rows.append(Row(i, params, split, mean, std, fit_time, rank))
    return sorted(rows, key=lambda r: (r.mean is None, -(r.mean or 0.0), r.config))
