"""Error analysis in numpy: the confusion matrix, its modes, a cell's digits by margin, mistakes, the heatmap."""

from __future__ import annotations

import numpy as np
import pytest
from rich.console import Console
from sklearn.metrics import confusion_matrix as sk_confusion_matrix

from engine.confusion import MODES, ErrorAnalysis, confusion_matrix, margins, next_mode, normalise, top_confusions
from engine.data.sources import FASHION_NAMES
from engine.render.heatmap import Heatmap, format_value, short_names


def random_run(n: int = 400, k: int = 10, seed: int = 0) -> ErrorAnalysis:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    scores = rng.normal(size=(n, k))
    scores[np.arange(n), y] += 1.5  # mostly right, with mistakes in every row
    return ErrorAnalysis(y, scores.argmax(axis=1), scores, tuple(str(c) for c in range(k)))


def test_confusion_matrix_equals_scikit_learns() -> None:
    run = random_run()
    expected = sk_confusion_matrix(run.y_true, run.y_pred, labels=list(range(10)))
    assert np.array_equal(run.confusion, expected)
    assert np.array_equal(confusion_matrix(run.y_true, run.y_pred, 10), expected)


def test_confusion_matrix_keeps_classes_nobody_predicted() -> None:
    cm = confusion_matrix(np.array([0, 0, 2]), np.array([0, 2, 2]), 4)
    assert cm.shape == (4, 4)
    assert np.array_equal(cm, sk_confusion_matrix([0, 0, 2], [0, 2, 2], labels=[0, 1, 2, 3]))


def test_user_can_see_each_mode_normalised_as_documented() -> None:
    cm = np.array([[8, 2, 0], [1, 3, 0], [0, 0, 0]])
    assert np.array_equal(normalise(cm, "counts"), cm)
    row = normalise(cm, "row")
    assert np.allclose(row[:2].sum(axis=1), 1.0)
    assert np.allclose(row[0], [0.8, 0.2, 0.0])
    assert np.array_equal(row[2], [0, 0, 0])  # an empty row stays zero, no division by zero
    errors = normalise(cm, "errors")
    assert np.allclose(np.diag(errors), 0.0)
    assert errors[0, 1] == pytest.approx(0.2) and errors[1, 0] == pytest.approx(0.25)
    column = normalise(cm, "column")
    assert np.allclose(column[:, :2].sum(axis=0), 1.0)
    assert column[0, 0] == pytest.approx(8 / 9)
    assert [next_mode(m) for m in MODES] == ["row", "errors", "column", "counts"]


def test_a_cell_drills_down_to_exactly_its_images_ordered_by_margin() -> None:
    run = random_run()
    for i in range(10):
        for j in range(10):
            cell = run.cell(i, j)
            expected = np.flatnonzero((run.y_true == i) & (run.y_pred == j))
            assert sorted(cell.tolist()) == expected.tolist()
            assert np.all(np.diff(run.margin[cell]) <= 0)


def test_margin_of_a_mistake_is_how_much_more_the_prediction_scored_than_the_label() -> None:
    y = np.array([0, 1, 2])
    scores = np.array(
        [
            [3.0, 1.0, 0.0],  # right: 3 − 1
            [4.0, 1.5, 0.0],  # wrong (pred 0): 4 − 1.5
            [0.0, 0.0, 9.0],
        ]
    )  # right: 9 − 0
    pred = scores.argmax(axis=1)
    assert np.allclose(margins(y, pred, scores), [2.0, 2.5, 9.0])


def test_most_confident_mistakes_come_first_and_are_all_mistakes() -> None:
    run = random_run()
    mistakes = run.mistakes()
    assert len(mistakes) == int(np.sum(run.y_true != run.y_pred))
    assert all(m.true != m.predicted for m in mistakes)
    assert [m.margin for m in mistakes] == sorted((m.margin for m in mistakes), reverse=True)
    best = mistakes[0]
    s = run.scores[best.index]
    assert best.margin == pytest.approx(s[best.predicted] - s[best.true])
    assert run.mistakes(5) == mistakes[:5]


def test_top_confusions_are_off_diagonal_and_largest_first() -> None:
    cm = np.array([[50, 3, 7], [3, 40, 0], [1, 9, 60]])
    assert top_confusions(cm) == [(2, 1, 9), (0, 2, 7), (0, 1, 3), (1, 0, 3), (2, 0, 1)]
    assert top_confusions(cm, 2) == [(2, 1, 9), (0, 2, 7)]


def test_pair_view_holds_the_four_cells_of_two_classes() -> None:
    run = random_run()
    pair = run.pair(3, 5)
    assert set(pair) == {(3, 3), (3, 5), (5, 3), (5, 5)}
    assert np.array_equal(pair[(3, 5)], run.cell(3, 5))
    assert len(pair[(5, 5)]) == run.confusion[5, 5]


def test_top_classes_of_a_digit_are_its_three_best_scores() -> None:
    run = random_run()
    top = run.top_classes(0)
    assert [c for c, _ in top] == np.argsort(-run.scores[0])[:3].tolist()
    assert top[0][0] == run.y_pred[0]


def render(renderable, width: int = 80) -> str:
    console = Console(width=width, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def test_heatmap_shows_numbers_labels_and_cursor_within_80_columns() -> None:
    run = random_run(n=4000)
    text = render(Heatmap(run.matrix("counts"), run.class_names, cursor=(3, 5), title="counts"))
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 60
    assert "predicted" in text and "true" in text
    row3 = next(line for line in lines if line.strip().startswith("3 "))
    assert f"[{run.confusion[3, 5]}]" in row3.replace(" ", "")
    assert str(run.confusion[0, 0]) in lines[3]


def test_heatmap_errors_mode_blanks_the_diagonal_and_shows_percentages() -> None:
    cm = np.array([[90, 10], [25, 75]])
    text = render(Heatmap(normalise(cm, "errors"), ("a", "b"), percent=True, blank_diagonal=True))
    assert "—" in text and "10" in text and "25" in text and "90" not in text
    assert format_value(0.004, True) == "0.4" and format_value(1.0, True) == "100" and format_value(0, True) == "·"


def test_fashion_names_are_abbreviated_uniquely() -> None:
    short = short_names(FASHION_NAMES, 3)
    assert len(set(short)) == 10 and all(len(s) <= 3 for s in short)
    assert short[0] == "Tsh" and short[9] == "Ank"
    text = render(Heatmap(np.eye(10, dtype=int) * 100, FASHION_NAMES))
    assert "T-shirt/" in text and "Sne" in text
