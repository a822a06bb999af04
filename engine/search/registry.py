"""The estimators a search can tune: scikit-learn defaults, ``random_state=42`` where the estimator has one.

Names, descriptions and default grids are plain data (the UI may read them); scikit-learn is imported only by
:func:`make_estimator` and :func:`validate_grid`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from engine.errors import UsageError
from engine.search.grid import Grid, check_size

SEED = 42


@dataclass(frozen=True)
class EstimatorSpec:
    """Where an estimator lives and how a search starts it."""

    name: str
    target: str  # "module:Class"
    description: str
    seeded: bool
    default_grid: Grid = field(default_factory=dict)


ESTIMATORS: dict[str, EstimatorSpec] = {
    spec.name: spec
    for spec in (
        EstimatorSpec(
            "knn",
            "sklearn.neighbors:KNeighborsClassifier",
            "k-nearest neighbours",
            False,
            {"weights": ["uniform", "distance"], "n_neighbors": [3, 4, 5, 6]},
        ),
        EstimatorSpec(
            "sgd",
            "sklearn.linear_model:SGDClassifier",
            "linear model, stochastic gradient descent",
            True,
            {"alpha": [0.0001, 0.001]},
        ),
        EstimatorSpec(
            "logreg", "sklearn.linear_model:LogisticRegression", "logistic regression", True, {"C": [0.1, 1.0]}
        ),
        EstimatorSpec("svc", "sklearn.svm:SVC", "support vector classifier", True, {"C": [1.0, 10.0]}),
        EstimatorSpec(
            "rf", "sklearn.ensemble:RandomForestClassifier", "random forest", True, {"n_estimators": [50, 100]}
        ),
    )
}


def spec_for(name: str) -> EstimatorSpec:
    try:
        return ESTIMATORS[name]
    except KeyError:
        raise UsageError(f"unknown estimator {name!r}; choose one of {', '.join(ESTIMATORS)}") from None


def make_estimator(name: str, **params):
    """A fresh estimator with scikit-learn defaults (``random_state=42`` where it applies) and ``params`` set."""
    spec = spec_for(name)
    module, _, cls = spec.target.partition(":")
    estimator = getattr(importlib.import_module(module), cls)()
    if spec.seeded:
        estimator.set_params(random_state=SEED)
    return estimator.set_params(**params) if params else estimator


def param_names(name: str) -> list[str]:
    """The parameters a grid may vary: the estimator's ``get_params()`` keys."""
    return sorted(make_estimator(name).get_params())


def validate_grid(name: str, grid: Grid) -> None:
    """Check every name and value against the estimator's own parameter constraints; one-line UsageError."""
    from sklearn.utils._param_validation import InvalidParameterError, validate_parameter_constraints

    estimator = make_estimator(name)
    known = estimator.get_params()
    for param, values in grid.items():
        if param not in known:
            raise UsageError(f"{name} has no parameter {param!r}; it has {', '.join(sorted(known))}")
        if not isinstance(values, list) or not values:
            raise UsageError(f"{name} grid: {param} needs a non-empty list of values")
    check_size(grid)  # counted before the values are checked one by one
    constraints = getattr(estimator, "_parameter_constraints", {})
    for config in ({p: v} for p, values in grid.items() for v in values):
        try:
            validate_parameter_constraints(
                {p: c for p, c in constraints.items() if p in config}, config, type(estimator).__name__
            )
        except InvalidParameterError as exc:
            raise UsageError(f"{name}: {str(exc).splitlines()[0]}") from None
