"""The leaderboard model: live ranking from fit events, ties as GridSearchCV ranks them, sorting, pace, CSV."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from engine.leaderboard import (
    DONE,
    PARTIAL,
    PENDING,
    Leaderboard,
    LeaderboardBuilder,
    Pace,
    compare,
    min_ranks,
    sort_rows,
    to_csv,
)
from engine.store import Event

CONFIGS = [{"n_neighbors": k, "weights": w} for w in ("uniform", "distance") for k in (3, 5)]


def grid_event(seq: int, configs=CONFIGS, n_folds: int = 2) -> Event:
    return Event(1, seq, 0.0, "grid", {"configs": configs, "n_folds": n_folds, "method": "shared-neighbour"})


def fit_event(seq: int, config: int, fold: int, score: float, fit_time: float = 0.1) -> Event:
    return Event(
        1,
        seq,
        0.0,
        "fit",
        {
            "config": config,
            "fold": fold,
            "params": CONFIGS[config],
            "score": score,
            "fit_time": fit_time,
            "score_time": 0.01,
        },
    )


def board_from(scores: dict[tuple[int, int], float], n_folds: int = 2) -> Leaderboard:
    builder = LeaderboardBuilder("knn")
    builder.add([grid_event(1, n_folds=n_folds)])
    builder.add(fit_event(seq, c, f, s) for seq, ((c, f), s) in enumerate(scores.items(), start=2))
    return builder.board()


def test_user_sees_every_config_pending_before_the_first_fold() -> None:
    board = board_from({})
    assert [r.status for r in board.rows] == [PENDING] * 4
    assert [r.rank for r in board.rows] == [None] * 4
    assert (board.fits_done, board.fits_total) == (0, 8)
    assert board.best is None


def test_user_sees_the_board_rerank_as_folds_finish() -> None:
    builder = LeaderboardBuilder()
    builder.add([grid_event(1), fit_event(2, 0, 0, 0.5), fit_event(3, 1, 0, 0.75)])
    first = builder.board()
    assert [r.rank for r in first.rows] == [2, 1, None, None]
    assert [r.status for r in first.rows] == [PARTIAL, PARTIAL, PENDING, PENDING]

    assert builder.add([fit_event(4, 0, 1, 1.0), fit_event(5, 1, 1, 0.25)])
    second = builder.board()
    assert builder.last_seq == 5
    assert second.rows[0].mean == 0.75 and second.rows[1].mean == 0.5
    assert [r.rank for r in second.rows] == [1, 2, None, None]
    assert second.rows[0].status == DONE
    assert second.best is second.rows[0]
    assert second.fits_done == 4


def test_ties_share_the_smallest_rank_like_rank_test_score() -> None:
    board = board_from(
        {(0, 0): 1.0, (0, 1): 0.5, (1, 0): 0.75, (1, 1): 0.75, (2, 0): 0.9, (2, 1): 0.9, (3, 0): 0.5, (3, 1): 0.5}
    )
    assert [r.mean for r in board.rows] == [0.75, 0.75, 0.9, 0.5]
    assert [r.rank for r in board.rows] == [2, 2, 1, 4]
    assert [r.index for r in board.ranked()] == [2, 0, 1, 3]  # a tie keeps grid order
    assert board.rows[0].std == 0.25 and board.rows[1].std == 0.0


def test_nan_scores_tie_for_last_and_none_is_unranked() -> None:
    assert min_ranks([0.5, float("nan"), None, 0.9, float("nan")]) == [2, 3, None, 1, 3]


def test_finished_board_equals_gridsearchcv_cv_results() -> None:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import GridSearchCV
    from sklearn.neighbors import KNeighborsClassifier

    X, y = load_digits(return_X_y=True)
    X = (X[:240] > 8).astype(np.float64)  # binarised: many tied scores
    search = GridSearchCV(
        KNeighborsClassifier(), {"n_neighbors": [1, 2, 3, 4, 5, 6], "weights": ["uniform"]}, cv=3
    ).fit(X, y[:240])
    res = search.cv_results_
    builder = LeaderboardBuilder("knn")
    configs = list(res["params"])
    builder.add([Event(1, 1, 0.0, "grid", {"configs": configs, "n_folds": 3})])
    seq = 1
    for fold in (2, 0, 1):  # any arrival order
        for c in range(len(configs)):
            seq += 1
            builder.add(
                [
                    Event(
                        1,
                        seq,
                        0.0,
                        "fit",
                        {
                            "config": c,
                            "fold": fold,
                            "params": configs[c],
                            "score": float(res[f"split{fold}_test_score"][c]),
                            "fit_time": 0.0,
                            "score_time": 0.0,
                        },
                    )
                ]
            )
    board = builder.board()
    assert [r.mean for r in board.rows] == list(res["mean_test_score"])
    assert [r.std for r in board.rows] == list(res["std_test_score"])
    assert [r.rank for r in board.rows] == list(res["rank_test_score"])
    assert len(set(res["rank_test_score"])) < len(configs)  # the data really has ties


def test_user_can_sort_by_any_column_with_missing_values_last() -> None:
    board = board_from({(0, 0): 0.5, (0, 1): 0.6, (1, 0): 0.9, (2, 0): 0.7, (2, 1): 0.8})
    index = lambda rows: [r.index for r in rows]  # noqa: E731
    assert index(sort_rows(board.rows, "rank")) == [1, 2, 0, 3]
    assert index(sort_rows(board.rows, "rank", reverse=True)) == [0, 2, 1, 3]
    assert index(sort_rows(board.rows, "mean")) == [1, 2, 0, 3]
    assert index(sort_rows(board.rows, "fold:1")) == [2, 0, 1, 3]
    assert index(sort_rows(board.rows, "status")) == [2, 0, 1, 3]
    assert index(sort_rows(board.rows, "std")) == [1, 0, 2, 3]
    assert index(sort_rows(board.rows, "param:weights")) == [2, 3, 1, 0]  # distance < uniform, then by rank
    assert index(sort_rows(board.rows, "param:n_neighbors", reverse=True)) == [1, 3, 2, 0]
    assert index(sort_rows(board.rows, "fit_time")) == [1, 2, 0, 3]
    assert set(board.columns) >= {
        "rank",
        "mean",
        "std",
        "fold:0",
        "fold:1",
        "fit_time",
        "status",
        "param:weights",
        "param:n_neighbors",
    }
    with pytest.raises(ValueError):
        sort_rows(board.rows, "colour")


def test_pace_gives_throughput_and_eta() -> None:
    pace = Pace(done=10, total=40, elapsed=5.0)
    assert pace.throughput == 2.0 and pace.eta == 15.0 and pace.fraction == 0.25
    assert Pace(0, 40, 3.0).throughput is None and Pace(0, 40, 3.0).eta is None
    assert Pace(40, 40, 8.0).eta is None


def test_user_can_compare_two_searches_by_params() -> None:
    a = board_from({(0, 0): 0.5, (0, 1): 0.5, (1, 0): 0.9, (1, 1): 0.9})
    builder = LeaderboardBuilder("knn")
    builder.add(
        [
            grid_event(1, configs=CONFIGS[1:2] + [{"n_neighbors": 7, "weights": "uniform"}], n_folds=1),
            Event(1, 2, 0.0, "fit", {"config": 0, "fold": 0, "score": 0.8}),
            Event(1, 3, 0.0, "fit", {"config": 1, "fold": 0, "score": 0.95}),
        ]
    )
    rows = compare(a, builder.board())
    by_params = {(r.params["n_neighbors"], r.params["weights"]): r for r in rows}
    assert by_params[(5, "uniform")].a.mean == 0.9 and by_params[(5, "uniform")].b.mean == 0.8
    assert by_params[(5, "uniform")].delta == pytest.approx(-0.1)
    assert by_params[(7, "uniform")].a is None and by_params[(7, "uniform")].delta is None
    assert by_params[(3, "uniform")].b is None
    assert len(rows) == 5
    assert rows[0].params in ({"n_neighbors": 5, "weights": "uniform"}, {"n_neighbors": 7, "weights": "uniform"})


def test_user_can_export_the_board_as_csv_in_rank_order() -> None:
    board = board_from({(0, 0): 0.5, (0, 1): 0.625, (1, 0): 0.9})
    rows = list(csv.DictReader(io.StringIO(to_csv(board))))
    assert list(rows[0]) == [
        "rank_test_score",
        "param_n_neighbors",
        "param_weights",
        "mean_test_score",
        "std_test_score",
        "split0_test_score",
        "split1_test_score",
        "mean_fit_time",
        "mean_score_time",
        "status",
    ]
    assert [r["param_n_neighbors"] for r in rows] == ["5", "3", "3", "5"]
    assert rows[0]["status"] == "partial" and rows[0]["split1_test_score"] == ""
    assert float(rows[1]["mean_test_score"]) == 0.5625 and rows[1]["status"] == "done"
    assert rows[3]["rank_test_score"] == "" and rows[3]["status"] == "pending"
