"""The binary "is it a 5?" detector: SGD with 3-fold CV, a dummy baseline, and a RandomForest for ROC.

Results saved (names are the contract the Training and Threshold tabs and the CLI read):
``y_true`` (int8, 1 where the training label is the digit), ``scores_sgd`` (cross-validated decision scores),
``proba_rf`` (cross-validated RandomForest probability of the digit), ``cv_accuracy`` (list of 3),
``dummy_accuracy``, ``dummy_cv_accuracy``, ``confusion`` ([[tn, fp], [fn, tp]]), ``precision``, ``recall``, ``f1``,
``roc_auc_sgd``, ``roc_auc_rf``. Index ``i`` of every array is training image ``i`` of the run's data spec.

Events as it goes: ``fold`` (``model`` "sgd" or "rf", ``fold`` 0–2, ``accuracy`` on the held-out fold) and ``log``.
Progress: 7 steps (3 SGD folds, the dummy, 3 RandomForest folds).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine.errors import UsageError
from engine.jobs.context import JobContext
from engine.models.features import flat_float

N_FOLDS = 3


def check_digit(
    digit: int, n_classes: int, class_names: tuple[str, ...], train_counts: Sequence[int] | None = None
) -> None:
    """Refuse a class the data does not have, or (given the training counts) one without a training image."""
    if not 0 <= digit < n_classes:
        raise UsageError(
            f"digit {digit} is not a class of this data (classes 0–{n_classes - 1}: {', '.join(class_names)})"
        )
    if train_counts is not None and train_counts[digit] == 0:
        raise UsageError(f"class {digit} ({class_names[digit]}) has no training image in this data; pick another")


def _sgd_fold(X: np.ndarray, y: np.ndarray, train: np.ndarray, test: np.ndarray) -> tuple[float, np.ndarray]:
    """One SGD fold: held-out accuracy (cross_val_score's) and decision scores (cross_val_predict's)."""
    from sklearn.linear_model import SGDClassifier

    model = SGDClassifier(random_state=42).fit(X[train], y[train])
    return float(model.score(X[test], y[test])), model.decision_function(X[test])


def run_binary(ctx: JobContext) -> None:
    from joblib import Parallel, delayed
    from sklearn.dummy import DummyClassifier
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.metrics import confusion_matrix, f1_score, precision_score, recall_score, roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    digit = int(ctx.params.get("digit", 5))
    ds = ctx.dataset
    check_digit(digit, ds.n_classes, ds.class_names, ds.class_counts("train"))
    X = flat_float(ds.X_train)
    y = (ds.y_train == digit).astype(np.int8)
    ctx.log(f"detecting class {digit} ({ds.class_names[digit]}): {int(y.sum())} of {len(y)} training images")
    folds = list(StratifiedKFold(N_FOLDS).split(X, y))  # what cross_val_score / cross_val_predict use for cv=3
    ctx.progress(0, 2 * N_FOLDS + 1)

    # SGD: one fit per fold gives both cross_val_score's accuracy and cross_val_predict's decision scores
    # SGD uses one core: the three folds run at once, each in a process of its own (same seeded fits, same numbers)
    scores = np.zeros(len(y))
    accuracies = []
    tasks = (delayed(_sgd_fold)(X, y, train, test) for train, test in folds)
    for i, (accuracy, fold_scores) in enumerate(Parallel(n_jobs=N_FOLDS, return_as="generator")(tasks)):
        accuracies.append(accuracy)
        scores[folds[i][1]] = fold_scores
        ctx.event("fold", model="sgd", fold=i, accuracy=accuracies[-1])
        ctx.log(f"SGD fold {i + 1}/{N_FOLDS}: accuracy {accuracies[-1]:.4f}")
        ctx.progress(advance=1)
    ctx.save(cv_accuracy=accuracies, scores_sgd=scores, y_true=y)

    dummy_pred = np.zeros(len(y), dtype=np.int8)
    dummy_folds = []
    for train, test in folds:
        dummy = DummyClassifier().fit(X[train], y[train])
        dummy_pred[test] = dummy.predict(X[test])
        dummy_folds.append(float(dummy.score(X[test], y[test])))
    ctx.save(dummy_cv_accuracy=dummy_folds, dummy_accuracy=float(np.mean(dummy_pred == y)))
    ctx.log(f"dummy (most frequent) accuracy {np.mean(dummy_pred == y):.4f}")
    ctx.progress(advance=1)

    predicted = (scores > 0).astype(np.int8)
    ctx.save(
        confusion=confusion_matrix(y, predicted, labels=[0, 1]).tolist(),
        precision=float(precision_score(y, predicted, zero_division=0)),
        recall=float(recall_score(y, predicted, zero_division=0)),
        f1=float(f1_score(y, predicted, zero_division=0)),
        roc_auc_sgd=float(roc_auc_score(y, scores)),
    )

    proba = np.zeros(len(y))
    for i, (train, test) in enumerate(folds):
        forest = RandomForestClassifier(random_state=42, n_jobs=-1).fit(X[train], y[train])
        proba[test] = forest.predict_proba(X[test])[:, 1]
        forest_accuracy = float(np.mean((proba[test] > 0.5) == y[test]))
        ctx.event("fold", model="rf", fold=i, accuracy=forest_accuracy)
        ctx.log(f"RandomForest fold {i + 1}/{N_FOLDS}: accuracy {forest_accuracy:.4f}")
        ctx.progress(advance=1)
    ctx.save(proba_rf=proba, roc_auc_rf=float(roc_auc_score(y, proba)))
    ctx.log("done")
