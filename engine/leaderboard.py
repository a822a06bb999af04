"""A grid search's leaderboard as data, built from the run's ``grid`` and ``fit`` events as folds finish.

Pure (numpy only): the search job's results, the Search tab, ``search`` / ``runs watch`` and CSV export all read
the same :class:`Leaderboard`. Means, standard deviations and ranks are computed exactly as
``GridSearchCV.cv_results_`` computes them (``np.average`` over the folds, ``rank_test_score`` with ties sharing
the smallest rank), so a finished leaderboard equals GridSearchCV's (:func:`cv_results`). While a search runs,
configs with some folds are ranked by the mean of the folds they have (status ``partial``); configs with none
are ``pending`` and unranked.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from engine.search.grid import describe
from engine.store import Event

PENDING, PARTIAL, DONE = "pending", "partial", "done"
_STATUS_ORDER = {DONE: 0, PARTIAL: 1, PENDING: 2}


@dataclass(frozen=True)
class Fit:
    """One finished (config, fold) fit."""

    score: float
    fit_time: float
    score_time: float

    @classmethod
    def from_payload(cls, p: dict) -> Fit:
        """The fit a ``fit`` event's payload records."""
        return cls(float(p["score"]), float(p.get("fit_time", 0.0)), float(p.get("score_time", 0.0)))


FitKey = tuple[int, int]  # (config index, fold)


@dataclass(frozen=True)
class ConfigRow:
    """One config of the grid and what its finished folds say so far."""

    index: int
    params: dict[str, Any]
    fits: tuple[Fit | None, ...]
    mean: float | None = None
    std: float | None = None
    rank: int | None = None

    @property
    def scores(self) -> tuple[float | None, ...]:
        return tuple(None if f is None else f.score for f in self.fits)

    @property
    def folds_done(self) -> int:
        return sum(f is not None for f in self.fits)

    @property
    def status(self) -> str:
        done = self.folds_done
        return PENDING if done == 0 else DONE if done == len(self.fits) else PARTIAL

    @property
    def mean_fit_time(self) -> float | None:
        times = [f.fit_time for f in self.fits if f is not None]
        return sum(times) / len(times) if times else None

    @property
    def mean_score_time(self) -> float | None:
        times = [f.score_time for f in self.fits if f is not None]
        return sum(times) / len(times) if times else None

    def params_text(self) -> str:
        return describe(self.params)


@dataclass(frozen=True)
class Leaderboard:
    """Every config of a search with its per-fold scores, mean ± std and live rank (rows in grid order)."""

    rows: tuple[ConfigRow, ...] = ()
    n_folds: int = 0
    method: str | None = None
    estimator: str | None = None

    @cached_property
    def param_names(self) -> tuple[str, ...]:
        names: dict[str, None] = {}
        for row in self.rows:
            names.update(dict.fromkeys(row.params))
        return tuple(names)

    @cached_property
    def columns(self) -> tuple[str, ...]:
        """Column keys, in display order: what :func:`sort_rows` accepts."""
        return (
            "rank",
            *(f"param:{n}" for n in self.param_names),
            "mean",
            "std",
            *(f"fold:{i}" for i in range(self.n_folds)),
            "fit_time",
            "status",
        )

    @property
    def fits_done(self) -> int:
        return sum(row.folds_done for row in self.rows)

    @property
    def fits_total(self) -> int:
        return len(self.rows) * self.n_folds

    @cached_property
    def best(self) -> ConfigRow | None:
        """The top-ranked config among those with every fold done (the lowest index wins a tie)."""
        done = [r for r in self.rows if r.status == DONE]
        return min(done, key=lambda r: (-_finite(r.mean), r.index)) if done else None

    def ranked(self) -> list[ConfigRow]:
        return sort_rows(self.rows, "rank")


def _finite(value: float | None) -> float:
    return -np.inf if value is None or np.isnan(value) else value


def build_leaderboard(
    configs: Iterable[dict],
    n_folds: int,
    fits: dict[FitKey, Fit],
    method: str | None = None,
    estimator: str | None = None,
) -> Leaderboard:
    """Rank the configs by the mean of their finished folds; ``fits`` maps (config, fold) to its result."""
    rows = []
    for index, params in enumerate(configs):
        row_fits = tuple(fits.get((index, fold)) for fold in range(n_folds))
        scores = [f.score for f in row_fits if f is not None]
        mean = std = None
        if scores:
            array = np.array([scores], dtype=np.float64)  # (1, n_done): the same reduction as cv_results_
            means = np.average(array, axis=1)
            mean = float(means[0])
            std = float(np.sqrt(np.average((array - means[:, np.newaxis]) ** 2, axis=1))[0])
        rows.append(ConfigRow(index, dict(params), row_fits, mean, std))
    ranks = min_ranks([r.mean for r in rows])
    rows = [ConfigRow(r.index, r.params, r.fits, r.mean, r.std, rank) for r, rank in zip(rows, ranks)]
    return Leaderboard(tuple(rows), n_folds, method, estimator)


def min_ranks(means: list[float | None]) -> list[int | None]:
    """Rank by descending mean, ties sharing the smallest rank (``rankdata(-means, method='min')``).

    NaN means tie for last, as in GridSearchCV; None (no fold yet) gets no rank.
    """
    present = [m for m in means if m is not None]
    values = np.array([-np.inf if np.isnan(m) else m for m in present], dtype=np.float64)
    ranks: list[int | None] = []
    for m in means:
        if m is None:
            ranks.append(None)
        else:
            v = -np.inf if np.isnan(m) else m
            ranks.append(1 + int(np.count_nonzero(values > v)))
    return ranks


class LeaderboardBuilder:
    """Folds a run's events (in ``seq`` order, in as many batches as they arrive) into a :class:`Leaderboard`."""

    def __init__(self, estimator: str | None = None) -> None:
        self.estimator = estimator
        self.last_seq = 0
        self.configs: list[dict] = []
        self.n_folds = 0
        self.method: str | None = None
        self.fits: dict[FitKey, Fit] = {}
        self._board: Leaderboard | None = None

    def add(self, events: Iterable[Event]) -> bool:
        """Apply new events; True if the leaderboard changed."""
        changed = False
        for event in events:
            self.last_seq = max(self.last_seq, event.seq)
            p = event.payload
            if event.kind == "grid":
                self.configs = [dict(c) for c in p.get("configs", [])]
                self.n_folds = int(p.get("n_folds", 0))
                self.method = p.get("method")
                self.fits = {k: v for k, v in self.fits.items() if k[0] < len(self.configs) and k[1] < self.n_folds}
                changed = True
            elif event.kind == "fit":
                self.fits[(int(p["config"]), int(p["fold"]))] = Fit.from_payload(p)
                changed = True
        if changed:
            self._board = None
        return changed

    def board(self) -> Leaderboard:
        """The leaderboard of the events added so far (rebuilt only after a change)."""
        if self._board is None:
            self._board = build_leaderboard(self.configs, self.n_folds, self.fits, self.method, self.estimator)
        return self._board


# -- a finished search, as GridSearchCV reports it -------------------------------------------------------------


def cv_results(board: Leaderboard) -> list[dict]:
    """A finished search in config order: ``params``, ``mean_test_score``, ``std_test_score``, ``split_scores``,
    ``rank_test_score``, ``mean_fit_time`` (the board's numbers, equal to ``cv_results_``)."""
    if board.fits_done < board.fits_total or not board.rows:
        raise ValueError("cv_results needs every (config, fold) fit")
    return [
        {
            "params": row.params,
            "mean_test_score": row.mean,
            "std_test_score": row.std,
            "split_scores": list(row.scores),
            "rank_test_score": row.rank,
            "mean_fit_time": row.mean_fit_time,
        }
        for row in board.rows
    ]


# -- sorting -------------------------------------------------------------------------------------------------


def _param_key(value: Any) -> tuple:
    if isinstance(value, bool):
        return (1, int(value), "")
    if isinstance(value, (int, float)):
        return (0, float(value), "")
    if value is None:
        return (3, 0.0, "")
    return (2, 0.0, str(value))


def _column_value(row: ConfigRow, column: str) -> tuple[bool, Any]:
    """(missing, key) for a column, in that column's natural best-first order."""
    if column == "rank":
        return row.rank is None, row.rank or 0
    if column == "mean":
        return row.mean is None, -_finite(row.mean)
    if column == "std":
        return row.std is None, row.std or 0.0
    if column == "fit_time":
        return row.mean_fit_time is None, row.mean_fit_time or 0.0
    if column == "status":
        return False, _STATUS_ORDER[row.status]
    if column.startswith("fold:"):
        score = row.scores[int(column[5:])]
        return score is None, -_finite(score)
    if column.startswith("param:"):
        name = column[6:]
        return name not in row.params, _param_key(row.params.get(name))
    raise ValueError(f"unknown leaderboard column {column!r}")


def sort_rows(rows: Iterable[ConfigRow], column: str = "rank", reverse: bool = False) -> list[ConfigRow]:
    """Rows ordered by ``column`` best first (``reverse`` flips it); missing values always last, then by rank."""
    rows = list(rows)
    tie = {r.index: (r.rank is None, r.rank or 0, r.index) for r in rows}
    present = [r for r in rows if not _column_value(r, column)[0]]
    missing = [r for r in rows if _column_value(r, column)[0]]
    present.sort(key=lambda r: tie[r.index])
    present.sort(key=lambda r: _column_value(r, column)[1], reverse=reverse)  # stable: ties stay by rank
    missing.sort(key=lambda r: tie[r.index])
    return present + missing


# -- pace ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pace:
    """Fits done out of the total over ``elapsed`` seconds: throughput and time left at that pace."""

    done: int
    total: int
    elapsed: float

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 0.0

    @property
    def throughput(self) -> float | None:
        """Fits per second, or None before the first fit."""
        return self.done / self.elapsed if self.done > 0 and self.elapsed > 0 else None

    @property
    def eta(self) -> float | None:
        """Seconds left, or None when unknown or nothing is left."""
        rate = self.throughput
        if rate is None or self.done >= self.total:
            return None
        return (self.total - self.done) / rate


# -- comparing two searches ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompareRow:
    """One config (estimator and params) and how it did in each of two searches (None: not in that grid)."""

    estimator: str | None
    params: dict[str, Any]
    a: ConfigRow | None = None
    b: ConfigRow | None = None

    @property
    def delta(self) -> float | None:
        """Mean score of B minus A, when both have one."""
        if self.a is None or self.b is None or self.a.mean is None or self.b.mean is None:
            return None
        return self.b.mean - self.a.mean


def compare(a: Leaderboard, b: Leaderboard) -> list[CompareRow]:
    """Configs of two searches merged by (estimator, params), ordered by the better of their two ranks."""
    merged: dict[str, dict] = {}
    for side, board in (("a", a), ("b", b)):
        for row in board.rows:
            key = json.dumps([board.estimator, row.params], sort_keys=True, default=str)
            entry = merged.setdefault(key, {"estimator": board.estimator, "params": row.params})
            entry[side] = row
    rows = [CompareRow(**entry) for entry in merged.values()]

    def order(r: CompareRow) -> tuple:
        ranks = [x.rank for x in (r.a, r.b) if x is not None and x.rank is not None]
        first = r.a.index if r.a is not None else (r.b.index if r.b is not None else 0)
        return (not ranks, min(ranks) if ranks else 0, r.a is None, first)

    return sorted(rows, key=order)


# -- export --------------------------------------------------------------------------------------------------


def to_csv(board: Leaderboard) -> str:
    """The leaderboard in rank order as CSV, with cv_results_-style column names; blanks where a fold is missing."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    names = board.param_names
    writer.writerow(
        [
            "rank_test_score",
            *(f"param_{n}" for n in names),
            "mean_test_score",
            "std_test_score",
            *(f"split{i}_test_score" for i in range(board.n_folds)),
            "mean_fit_time",
            "mean_score_time",
            "status",
        ]
    )
    blank = lambda v: "" if v is None else v  # noqa: E731
    for row in board.ranked():
        writer.writerow(
            [
                blank(row.rank),
                *(blank(row.params.get(n)) for n in names),
                blank(row.mean),
                blank(row.std),
                *(blank(s) for s in row.scores),
                blank(row.mean_fit_time),
                blank(row.mean_score_time),
                row.status,
            ]
        )
    return out.getvalue()
