"""The numpy metrics the UI uses equal scikit-learn's on the same scores, ties included."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm

from engine import metrics

SEEDS = range(6)


def random_scores(seed: int, n: int = 400, ties: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Labels and scores loosely correlated with them; with ``ties`` scores are rounded so many coincide."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.2).astype(np.int8)
    scores = rng.normal(size=n) + 1.5 * y
    return y, (np.round(scores, 1) if ties else scores)


@pytest.mark.parametrize("ties", [True, False])
@pytest.mark.parametrize("seed", SEEDS)
def test_curves_equal_scikit_learns(seed: int, ties: bool) -> None:
    y, scores = random_scores(seed, ties=ties)
    for ours, theirs in zip(metrics.precision_recall_curve(y, scores), skm.precision_recall_curve(y, scores)):
        np.testing.assert_array_equal(ours, theirs)
    for drop in (True, False):
        for ours, theirs in zip(
            metrics.roc_curve(y, scores, drop_intermediate=drop), skm.roc_curve(y, scores, drop_intermediate=drop)
        ):
            np.testing.assert_array_equal(ours, theirs)
    assert metrics.roc_auc_score(y, scores) == pytest.approx(skm.roc_auc_score(y, scores), abs=1e-15)
    fpr, tpr, _ = metrics.roc_curve(y, scores)
    assert metrics.auc(fpr, tpr) == pytest.approx(skm.auc(fpr, tpr), abs=1e-15)
    assert metrics.auc(fpr[::-1], tpr[::-1]) == pytest.approx(skm.auc(fpr[::-1], tpr[::-1]), abs=1e-15)


def test_all_tied_scores_and_a_single_class_match_scikit_learn() -> None:
    y = np.array([0, 1, 0, 1, 1])
    same = np.zeros(5)
    for ours, theirs in zip(metrics.precision_recall_curve(y, same), skm.precision_recall_curve(y, same)):
        np.testing.assert_array_equal(ours, theirs)
    assert np.isnan(metrics.roc_auc_score(np.zeros(5), np.arange(5.0)))


@pytest.mark.parametrize("seed", SEEDS)
def test_precision_and_recall_at_a_threshold_equal_scikit_learns(seed: int) -> None:
    y, scores = random_scores(seed)
    for t in [scores.min() - 1, *np.quantile(scores, [0.1, 0.5, 0.9]), scores.max(), scores.max() + 1]:
        predicted = (scores >= t).astype(int)
        counts = metrics.confusion_at(y, scores, t)
        assert counts.precision == skm.precision_score(y, predicted, zero_division=0)
        assert counts.recall == skm.recall_score(y, predicted, zero_division=0)
        assert counts.f1 == pytest.approx(skm.f1_score(y, predicted, zero_division=0), abs=1e-15)
        (tn, fp), (fn, tp) = skm.confusion_matrix(y, predicted, labels=[0, 1])
        assert (counts.tp, counts.fp, counts.fn, counts.tn) == (tp, fp, fn, tn)


@pytest.mark.parametrize("seed", SEEDS)
def test_sweep_counts_every_step_as_thresholding_does(seed: int) -> None:
    y, scores = random_scores(seed)
    sweep = metrics.ThresholdSweep(y, scores)
    assert len(sweep) == np.unique(scores).size
    for step in range(len(sweep)):
        assert sweep.counts(step) == metrics.confusion_at(y, scores, sweep.thresholds[step])
        assert sweep.step_at(sweep.thresholds[step]) == step
    between = (sweep.thresholds[3] + sweep.thresholds[4]) / 2
    assert sweep.step_at(between) == 4
    assert sweep.counts_at(between) == metrics.confusion_at(y, scores, between)
    assert sweep.counts_at(scores.max() + 1) == metrics.Counts(0, 0, int(y.sum()), int((y == 0).sum()))


@pytest.mark.parametrize("target", [0.3, 0.5, 0.8, 0.9])
@pytest.mark.parametrize("seed", SEEDS)
def test_target_precision_gives_the_lowest_threshold_reaching_it(seed: int, target: float) -> None:
    y, scores = random_scores(seed)
    precisions, _, thresholds = skm.precision_recall_curve(y, scores)
    step = metrics.ThresholdSweep(y, scores).step_for_precision(target)
    study = thresholds[(precisions >= target).argmax()]  # the study's formula
    assert step is not None and thresholds[step] == study
    every = [t for t in np.unique(scores) if skm.precision_score(y, scores >= t, zero_division=0) >= target]
    assert study == min(every)


@pytest.mark.parametrize("target", [0.0, 0.5, 0.9, 1.0])
@pytest.mark.parametrize("seed", SEEDS)
def test_target_recall_gives_the_highest_threshold_still_reaching_it(seed: int, target: float) -> None:
    y, scores = random_scores(seed)
    step = metrics.ThresholdSweep(y, scores).step_for_recall(target)
    every = [t for t in np.unique(scores) if skm.recall_score(y, scores >= t) >= target]
    assert step is not None and np.unique(scores)[step] == max(every)


def test_a_precision_no_threshold_reaches_gives_none() -> None:
    y = np.array([0, 1, 0, 1])
    scores = np.array([4.0, 3.0, 2.0, 1.0])  # the top score is a negative: precision never reaches 1
    assert metrics.ThresholdSweep(y, scores).step_for_precision(1.0) is None
    assert metrics.ThresholdSweep(y, scores).step_for_precision(0.5) == 0
