"""The threshold analysis and ``mnist-explorer threshold``: targets, the table, JSON, and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import precision_recall_curve, precision_score, recall_score

from engine.cli.main import main
from engine.data import DataSpec, class_phrase, load_dataset
from engine.errors import UsageError
from engine.render.threshold import threshold_header
from engine.store import RunStore
from engine.threshold import ThresholdAnalysis, find_binary_run, load_analysis

DIGITS = DataSpec("digits")


def fake_binary_run(store: RunStore, spec: DataSpec = DIGITS, digit: int = 5, top_is_wrong: bool = True) -> int:
    """A done binary run with deterministic scores (the highest one on a non-digit when ``top_is_wrong``)."""
    y = (load_dataset(spec).y_train == digit).astype(np.int8)
    rng = np.random.default_rng(0)
    scores = np.round(rng.normal(size=y.size) + 2.0 * y, 2)  # rounded: many ties
    if top_is_wrong:
        scores[np.flatnonzero(y == 0)[0]] = scores.max() + 1
    run = store.create_run("binary", {"digit": digit}, spec.to_dict())
    store.put_result(run.id, "y_true", y)
    store.put_result(run.id, "scores_sgd", scores)
    store.put_result(run.id, "proba_rf", np.clip(scores / 6 + 0.5, 0, 1))
    store.finish(run.id, "done")
    return run.id


def cli(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def analysis() -> ThresholdAnalysis:
    rng = np.random.default_rng(3)
    y = (rng.random(500) < 0.25).astype(np.int8)
    scores = np.round(rng.normal(size=500) + 1.8 * y, 1)
    return ThresholdAnalysis(y, scores, labels=np.where(y == 1, 5, 3))


def test_every_row_equals_scikit_learn_on_thresholded_scores(analysis: ThresholdAnalysis) -> None:
    view = analysis.view(analysis.step_at(0.0), before=6, after=6)
    assert len(view.rows) == 13 and view.rows[view.current_row].threshold == view.current.threshold
    for row in view.rows:
        predicted = analysis.scores >= row.threshold
        assert row.precision == precision_score(analysis.y_true, predicted, zero_division=0)
        assert row.recall == recall_score(analysis.y_true, predicted)
        assert row.tp + row.fp == predicted.sum() and row.tp + row.fn == analysis.y_true.sum()
    assert [r.threshold for r in view.rows] == sorted(r.threshold for r in view.rows)


def test_target_precision_is_the_studys_threshold(analysis: ThresholdAnalysis) -> None:
    precisions, recalls, thresholds = precision_recall_curve(analysis.y_true, analysis.scores)
    for target in (0.5, 0.75, 0.9):
        step = analysis.step_for("precision", target)
        index = (precisions >= target).argmax()
        assert analysis.threshold(step) == thresholds[index]
        assert analysis.row(step).precision >= target > analysis.row(step - 1).precision
        assert analysis.row(step).recall == recalls[index]


def test_target_recall_is_the_highest_threshold_keeping_it(analysis: ThresholdAnalysis) -> None:
    step = analysis.step_for("recall", 0.8)
    assert analysis.row(step).recall >= 0.8 > analysis.row(step + 1).recall


def test_targets_outside_zero_to_one_or_unreached_are_usage_errors(analysis: ThresholdAnalysis) -> None:
    for value in (-0.1, 1.5, float("nan")):
        with pytest.raises(UsageError, match="between 0 and 1"):
            analysis.step_for("precision", value)
    y = np.array([0, 1, 0, 1])
    with pytest.raises(UsageError, match="no threshold reaches precision 1"):
        ThresholdAnalysis(y, np.array([4.0, 3.0, 2.0, 1.0])).step_for("precision", 1.0)


def test_images_either_side_are_the_nearest_scores(analysis: ThresholdAnalysis) -> None:
    step = analysis.step_at(0.0)
    view = analysis.view(step, k=3)
    t = view.current.threshold
    above, below = [n.score for n in view.above], [n.score for n in view.below]
    assert above == sorted(analysis.scores[analysis.scores >= t])[:3]
    assert below == sorted(analysis.scores[analysis.scores < t], reverse=True)[:3]
    for n in view.above + view.below:
        assert n.mistake == (n.is_digit != (n.score >= t)) and n.label == (5 if n.is_digit else 3)


def test_the_header_calls_a_named_class_by_its_name(analysis: ThresholdAnalysis) -> None:
    view = analysis.view(analysis.step_at(0.0))
    fashion = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
    assert " · digit 5 · " in threshold_header(view, class_names=tuple("0123456789")).plain
    assert " · digit 5 · " in threshold_header(view).plain
    named = threshold_header(view, class_names=fashion).plain
    assert " · Sandal · " in named and "digit" not in named
    assert class_phrase(5, fashion) == "Sandal" and class_phrase(12, fashion) == "digit 12"


def test_the_latest_done_run_on_the_same_data_is_found(store: RunStore) -> None:
    first = fake_binary_run(store)
    second = fake_binary_run(store)
    other_digit = fake_binary_run(store, digit=3)
    assert find_binary_run(store, 5, DIGITS).id == second
    assert find_binary_run(store, 3, DIGITS).id == other_digit
    assert find_binary_run(store, 5, DataSpec("digits", seed=1)) is None
    assert load_analysis(store, store.get_run(first)).run_id == first


def test_user_can_ask_for_a_target_precision_as_json(store_path: Path, capsys) -> None:
    store = RunStore(store_path)
    run_id = fake_binary_run(store)
    code, out, _ = cli(
        capsys, "threshold", "--data", "digits", "--store", str(store_path), "--precision", "0.9", "--json"
    )
    assert code == 0
    report = json.loads(out)
    assert {"threshold", "precision", "recall", "f1", "table", "run_id"} <= report.keys()
    assert report["run_id"] == run_id and report["precision"] >= 0.9
    assert set(report["table"][0]) == {"threshold", "precision", "recall", "f1", "tp", "fp", "fn", "tn"}
    current = [row for row in report["table"] if row["threshold"] == report["threshold"]]
    assert current and current[0]["recall"] == report["recall"]


def test_user_can_ask_for_a_threshold_or_a_recall(store_path: Path, capsys) -> None:
    fake_binary_run(RunStore(store_path))
    common = ("--data", "digits", "--store", str(store_path), "--json")
    code, out, _ = cli(capsys, "threshold", "--threshold", "0.5", *common)
    report = json.loads(out)
    assert code == 0 and report["threshold"] == 0.5
    code, out, _ = cli(capsys, "threshold", "--recall", "0.9", *common)
    assert code == 0 and json.loads(out)["recall"] >= 0.9
    code, out, _ = cli(capsys, "threshold", "--recall", "0.9", "--data", "digits", "--store", str(store_path))
    assert code == 0 and "precision" in out and "TP" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (("--precision", "1"), "no threshold reaches precision 1"),
        (("--precision", "1.5"), "--precision must be between 0 and 1"),
        (("--recall", "-0.2"), "--recall must be between 0 and 1"),
        (("--threshold", "nan"), "--threshold must be a finite number"),
        (("--digit", "12"), "digit 12 is not a class of this data"),
    ],
)
def test_unreachable_or_out_of_range_target_is_one_line_and_exit_2(store_path: Path, capsys, argv, message) -> None:
    fake_binary_run(RunStore(store_path))
    code, out, err = cli(capsys, "threshold", "--data", "digits", "--store", str(store_path), *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err


def test_without_a_run_the_command_runs_one_and_reports_it(tmp_path: Path) -> None:
    store_path = tmp_path / "runs.sqlite"
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "engine",
            "threshold",
            "--data",
            "digits",
            "--store",
            str(store_path),
            "--precision",
            "0.9",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).parents[1],
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["precision"] >= 0.9 and 0 < report["recall"] <= 1
    assert "binary run" in out.stderr and "done" in out.stderr
    assert RunStore(store_path).get_run(report["run_id"]).status == "done"
