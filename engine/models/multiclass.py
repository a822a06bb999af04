"""Multiclass models on the training set with 3-fold cross-validated predictions and per-class decision scores.

Job kind ``multiclass``, params ``{"model": "sgd" | "sgd-scaled" | "svc" | "svc-ovr", "max_train": N | None}``
(``max_train``: a stratified seeded subsample of N training images, see :mod:`engine.models.subsample`):

- ``sgd``: ``SGDClassifier(random_state=42)`` on raw pixels (one-vs-rest inside SGD);
- ``sgd-scaled``: the same after ``StandardScaler`` (a ``Pipeline``);
- ``svc``: ``SVC()`` (rbf, one-vs-one training; ``decision_function`` with scikit-learn's default
  ``decision_function_shape='ovr'`` aggregates the pairwise votes into one column per class);
- ``svc-ovr``: ``OneVsRestClassifier(SVC())``.

The folds are ``StratifiedKFold(3)``, what ``cross_val_predict(cv=3)`` uses; each fold is fitted here so the
job can report progress. Results saved (the contract the Errors tab and ``mnist-explorer errors`` read):
``y_true`` (int64 training labels), ``y_pred`` (int64, ``predict`` of the fold's model, as
``cross_val_predict`` gives), ``scores`` (float64 (n, n_classes), ``decision_function`` of the fold's model;
a class the fold never saw scores ``-inf``), ``accuracy``, ``cv_accuracy`` (list of 3), ``confusion``
(n_classes × n_classes, rows = true), ``model`` and ``class_names``. Index ``i`` of every array is training
image ``i`` of the run's data spec — of its ``max_train`` subsample when it has one: ``train_index`` (int64) holds the
training-set index of each row.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from engine.confusion import ErrorAnalysis, confusion_matrix
from engine.data import DataSpec
from engine.errors import UsageError
from engine.jobs.context import JobContext
from engine.models.features import flat_float
from engine.models.subsample import check_max_train, stratified_subsample
from engine.store import Run, RunStore

JOB_KIND = "multiclass"
N_FOLDS = 3
MODELS: dict[str, str] = {
    "sgd": "SGDClassifier on raw pixels",
    "sgd-scaled": "StandardScaler + SGDClassifier",
    "svc": "SVC (rbf, one-vs-one)",
    "svc-ovr": "OneVsRestClassifier(SVC)",
}


def check_model(model: str) -> str:
    """``model`` if it names a multiclass model, else a one-line UsageError."""
    if model not in MODELS:
        raise UsageError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}")
    return model


def runs_of(
    runs: Iterable[Run], model: str, spec: DataSpec, max_train: int | None = None, any_size: bool = False
) -> list[Run]:
    """The multiclass runs of ``model`` on ``spec`` (on the whole training set, or the ``max_train`` subsample;
    ``any_size``: either) among ``runs``, in the order given (newest first from the store)."""
    data = spec.to_dict()
    return [
        r
        for r in runs
        if r.kind == JOB_KIND
        and r.params.get("model") == model
        and r.data == data
        and (any_size or r.params.get("max_train") == max_train)
    ]


def latest_done(runs: Iterable[Run], model: str, spec: DataSpec, max_train: int | None = None) -> Run | None:
    """The newest finished-with-results run of ``model`` on ``spec`` (and ``max_train``), or None."""
    return next((r for r in runs_of(runs, model, spec, max_train) if r.status == "done"), None)


def load_analysis(store: RunStore, run_id: int) -> ErrorAnalysis:
    """A done multiclass run's predictions and scores as an :class:`ErrorAnalysis` (numpy only)."""
    return ErrorAnalysis(
        y_true=store.get_result(run_id, "y_true"),
        y_pred=store.get_result(run_id, "y_pred"),
        scores=store.get_result(run_id, "scores"),
        class_names=tuple(store.get_result(run_id, "class_names")),
    )


def make_estimator(model: str) -> Any:
    """A fresh, unfitted scikit-learn estimator for ``model``."""
    from sklearn.linear_model import SGDClassifier
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    check_model(model)
    if model == "sgd":
        return SGDClassifier(random_state=42)
    if model == "sgd-scaled":
        return Pipeline([("scaler", StandardScaler()), ("sgd", SGDClassifier(random_state=42))])
    if model == "svc":
        return SVC()
    return OneVsRestClassifier(SVC())


def full_scores(decision: np.ndarray, fitted_classes: np.ndarray, n_classes: int) -> np.ndarray:
    """A fold's ``decision_function`` output as (n, n_classes): binary scores become (−s, s); unseen classes −inf."""
    decision = np.asarray(decision, dtype=np.float64)
    if decision.ndim == 1:
        decision = np.column_stack([-decision, decision])
    out = np.full((len(decision), n_classes), -np.inf)
    out[:, np.asarray(fitted_classes, dtype=np.int64)] = decision
    return out


def fold_results(model: str, X: np.ndarray, y: np.ndarray, folds: list, n_classes: int):
    """(fold, predictions, scores, converged) of each fold in fold order, every fold in a process of its own.

    None of these models uses a second core itself (libsvm and SGD are single-threaded), so the folds run at
    once: three folds on two cores finish in about 1.5 fold times instead of 3 (joblib memory-maps X, no copies).
    Each fold is the same seeded fit as one after another, so the numbers do not change.
    """
    from joblib import Parallel, delayed

    tasks = (delayed(_fit_fold)(model, X, y, train, test, n_classes, i) for i, (train, test) in enumerate(folds))
    yield from Parallel(n_jobs=len(folds), return_as="generator")(tasks)  # in fold order, as the events were


def _fit_fold(model: str, X, y, train, test, n_classes: int, i: int):
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        estimator = make_estimator(model).fit(X[train], y[train])
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    scores = full_scores(estimator.decision_function(X[test]), estimator.classes_, n_classes)
    return i, estimator.predict(X[test]), scores, converged


def run_multiclass(ctx: JobContext) -> None:
    from sklearn.model_selection import StratifiedKFold

    model = check_model(str(ctx.params.get("model", "sgd")))
    ds = ctx.dataset
    max_train = ctx.params.get("max_train")
    check_max_train(max_train, ds.y_train)
    keep = stratified_subsample(ds.y_train, max_train)
    X = flat_float(ds.X_train[keep] if len(keep) < len(ds.y_train) else ds.X_train)
    y = ds.y_train[keep]
    counts = np.bincount(y, minlength=ds.n_classes)
    small = [ds.class_names[c] for c in np.flatnonzero((counts > 0) & (counts < N_FOLDS))]
    if small:
        raise UsageError(
            f"{N_FOLDS}-fold cross-validation needs at least {N_FOLDS} training images of every "
            f"class; too few of: {', '.join(small)}"
        )
    ctx.log(
        f"{MODELS[model]}: {N_FOLDS}-fold cross-validated predictions on {len(y):,} training images, "
        f"{ds.n_classes} classes"
    )
    folds = list(StratifiedKFold(N_FOLDS).split(X, y))
    ctx.progress(0, N_FOLDS)

    y_pred = np.zeros(len(y), dtype=np.int64)
    scores = np.zeros((len(y), ds.n_classes))
    accuracies = [0.0] * N_FOLDS
    for i, fold_pred, fold_scores, converged in fold_results(model, X, y, folds, ds.n_classes):
        test = folds[i][1]
        if not converged:
            ctx.log(f"fold {i + 1}: the model stopped at its iteration limit before converging")
        y_pred[test], scores[test] = fold_pred, fold_scores
        accuracies[i] = float(np.mean(fold_pred == y[test]))
        ctx.event("fold", model=model, fold=i, accuracy=accuracies[i])
        ctx.log(f"fold {i + 1}/{N_FOLDS}: accuracy {accuracies[i]:.4f}")
        ctx.progress(advance=1)

    accuracy = float(np.mean(y_pred == y))
    ctx.save(
        train_index=keep.astype(np.int64),
        y_true=y.astype(np.int64),
        y_pred=y_pred,
        scores=scores,
        cv_accuracy=accuracies,
        confusion=confusion_matrix(y, y_pred, ds.n_classes).tolist(),
        model=model,
        class_names=list(ds.class_names),
        accuracy=accuracy,
    )
    ctx.log(f"accuracy {accuracy:.4f}")
