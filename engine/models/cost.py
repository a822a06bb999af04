"""What a slow job would cost, from timed small subsamples, before it starts (SVC or raw SGD on 60,000 images).

:func:`estimate_cost` fits the model on two stratified subsamples (2,000 and 4,000 images by default), times the fit
and the prediction of a few hundred rows, fits ``t = a·n^b`` through each pair of timings and extrapolates to the
job's size; the CLI (``fit``, ``errors``) prints it and, above :data:`LIMIT_S`, refuses unless ``--force``, offering
``--max-train N`` sized to :data:`TARGET_S`. The TUI, which never imports scikit-learn, gets the same
:class:`CostEstimate` from an ``estimate`` job (:func:`run_estimate`) and asks the same question in a dialog.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from engine.data import Dataset
from engine.errors import UsageError
from engine.models.subsample import stratified_subsample

JOB_KIND = "estimate"
SLOW = {"fit": {"svc", "sgd", "logreg"}, "errors": {"svc", "svc-ovr", "sgd", "sgd-scaled"}}
ESTIMATE_FROM = 10_000  # training images below which no job is slow enough to bother
SAMPLE_SIZES = (2000, 4000)
PREDICT_ROWS = 500
TARGET_S = 300.0  # the size --max-train is suggested for
LIMIT_S = 900.0  # above this the CLI asks for --max-train or --force
N_FOLDS = 3  # errors: StratifiedKFold(3), the folds all at once
CORES = 2  # the folds share the machine's cores (this machine kind has two)
# The least a model's fit time can grow with n, whatever two small timings say: libsvm's SMO evaluates O(n²) kernel
# entries (and its 200 MB kernel cache holds all of them only for small n), an SGD epoch touches every image. On
# 2,000 and 4,000 images fixed costs flatten the curve: SVC measured n^1.4–1.8, which put 60,000 images anywhere
# from 4 to 32 min.
# What an ``errors`` job spends besides its folds' fits and predictions: its three worker processes start and import
# scikit-learn, the data is read and memory-mapped to them (job minus estimate at 10,000 images: 16–19 s here,
# benchmarks/bench_scale.py estimate). A ``fit`` job's own start is within its timing noise.
JOB_OVERHEAD_S = {"errors": 15.0}
MIN_FIT_EXPONENT = {"svc": 2.0, "svc-ovr": 2.0, "sgd": 1.0, "sgd-scaled": 1.0, "logreg": 1.0}


@dataclass(frozen=True)
class CostEstimate:
    """An extrapolated wall time of a ``fit`` or ``errors`` job."""

    job: str
    model: str
    n_train: int
    seconds: float
    sizes: tuple[int, ...]
    fit_seconds: tuple[float, ...]
    exponent: float  # of the fit time in the training size
    suggested_max_train: int  # the largest training size estimated to take at most TARGET_S

    def describe(self) -> str:
        """One line for people: the estimate, what it came from, and the cheaper choice."""
        timed = " and ".join(f"{n:,}" for n in self.sizes)
        text = (
            f"{self.model} {self.job} on {self.n_train:,} images: estimated ~{describe_duration(self.seconds)} "
            f"(timed on {timed} images, fit time ∝ n^{self.exponent:.2f})"
        )
        if self.suggested_max_train < self.n_train:
            text += f"; --max-train {self.suggested_max_train} ≈ {describe_duration(TARGET_S)}"
        return text

    @property
    def too_long(self) -> bool:
        """Over :data:`LIMIT_S`: the CLI refuses without ``--force``, the TUI asks first."""
        return self.seconds > LIMIT_S

    @property
    def duration(self) -> str:
        return describe_duration(self.seconds)

    def to_results(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_results(cls, results: dict[str, Any]) -> CostEstimate:
        """The estimate an ``estimate`` job saved (tuples come back from JSON as lists)."""
        fields = {name: results[name] for name in cls.__dataclass_fields__}
        return cls(**fields | {k: tuple(fields[k]) for k in ("sizes", "fit_seconds")})


def needs_estimate(job: str, model: str, n_train: int) -> bool:
    return model in SLOW.get(job, set()) and n_train >= ESTIMATE_FROM


def estimate_cost(
    job: str,
    model: str,
    ds: Dataset,
    params: dict | None = None,
    max_train: int | None = None,
    sizes: tuple[int, ...] = SAMPLE_SIZES,
    timed: Callable[[int, int], None] = lambda done, total: None,
) -> CostEstimate:
    """Time ``model`` (a ``fit`` estimator name, or an ``errors`` model) on stratified subsamples and extrapolate.

    ``job`` "fit": one fit on the training set (or ``max_train`` of it) and a prediction of the test set; "errors":
    3 folds, each fitting 2/3 of it and scoring the other third, sharing two cores. The fits are timed in CPU
    seconds, not wall: these models use one core, and on a busy machine wall time measures the wait for a core (the
    estimate swung between 9 and 32 min for SVC on 60,000 images while a study ran beside it), which the job, once
    it runs, need not meet. ``timed(done, total)`` is called as each subsample's timing ends.
    """
    y = ds.y_train
    n = len(y) if max_train is None else min(max_train, len(y))
    X = ds.X_train.reshape(len(y), -1)
    sizes = tuple(s for s in sizes if s < n) or (max(10, n // 2),)
    fit_t, predict_t = [], []
    for size in sizes:
        keep = stratified_subsample(y, size)
        rows = np.asarray(X[keep], dtype=np.float64)
        model_ = _estimator(job, model, params or {})
        started = time.process_time()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a subsample's ConvergenceWarning says nothing about the real job
            model_.fit(rows, y[keep])
        fit_t.append(time.process_time() - started)
        test = rows[:PREDICT_ROWS]
        started = time.process_time()
        model_.decision_function(test) if job == "errors" else model_.predict(test)
        predict_t.append((time.process_time() - started) / len(test))
        timed(len(fit_t), len(sizes))
    b_fit = _exponent(sizes, fit_t, MIN_FIT_EXPONENT.get(model, 0.8), 2.5)
    b_predict = _exponent(sizes, predict_t, 0.0, 1.0)  # a row's prediction: ∝ support vectors (≤ n), or constant

    def seconds(n_: int) -> float:
        if job == "errors":
            n_fit, n_pred, rounds = n_ * (N_FOLDS - 1) / N_FOLDS, n_ / N_FOLDS, N_FOLDS / CORES
        else:
            n_fit, n_pred, rounds = n_, len(ds.y_test), 1
        fit = fit_t[-1] * (n_fit / sizes[-1]) ** b_fit
        predict = predict_t[-1] * (n_fit / sizes[-1]) ** b_predict * n_pred
        return rounds * (fit + predict) + JOB_OVERHEAD_S.get(job, 0.0)

    low, high = sizes[0], n  # the largest size within TARGET_S, by bisection (seconds() grows with n)
    if seconds(high) <= TARGET_S:
        low = high
    while high - low > max(1, n // 1000):
        mid = (low + high) // 2
        low, high = (mid, high) if seconds(mid) <= TARGET_S else (low, mid)
    suggested = n if low >= n else int(round(low, -3)) if low >= 1000 else low  # the whole set when it is cheap
    return CostEstimate(job, model, n, seconds(n), sizes, tuple(fit_t), b_fit, max(suggested, sizes[0]))


def check_cost(job: str, model: str, ds: Dataset, params: dict | None, max_train: int | None, force: bool, out) -> None:
    """For a slow model on a large training set: print the estimate on ``out``, refuse above LIMIT_S. ``force`` skips
    both: the estimate's own fits take ~20 s, which a job the user has chosen to run anyway need not wait for."""
    n = len(ds.y_train) if max_train is None else min(max_train, len(ds.y_train))
    if force or not needs_estimate(job, model, n):
        return
    out.print(f"[dim]estimating the cost of {model} on {n:,} images from timed subsamples…[/]", soft_wrap=True)
    estimate = estimate_cost(job, model, ds, params, max_train)
    out.print(estimate.describe(), soft_wrap=True)  # one line: piped, rich would break it at 80 columns
    if estimate.too_long:
        raise UsageError(
            f"{model} on {n:,} images would take ~{describe_duration(estimate.seconds)}; "
            f"use --max-train {estimate.suggested_max_train} (~{describe_duration(TARGET_S)}) or --force to run it anyway"
        )


def run_estimate(ctx) -> None:
    """The ``estimate`` job (params ``job``, ``model``, ``max_train``, ``params``): :func:`estimate_cost` on the run's
    data, saved as :meth:`CostEstimate.to_results`, what the TUI shows before it starts a slow job."""
    p = ctx.params
    ctx.progress(0, len(SAMPLE_SIZES))
    ctx.log(
        f"timing {p['model']} ({p['job']}) on stratified subsamples of {' and '.join(f'{n:,}' for n in SAMPLE_SIZES)} images"
    )
    estimate = estimate_cost(p["job"], p["model"], ctx.dataset, p.get("params"), p.get("max_train"), timed=ctx.progress)
    ctx.log(estimate.describe())
    ctx.save(**estimate.to_results())


def _estimator(job: str, model: str, params: dict):
    if job == "errors":
        from engine.models.multiclass import make_estimator

        return make_estimator(model)
    from engine.search import registry

    return registry.make_estimator(model, **params)


def _exponent(sizes: tuple[int, ...], times: list[float], low: float, high: float) -> float:
    """b of ``t = a·n^b`` through the first and last timing, clamped to [low, high] (noise on small samples)."""
    if len(sizes) < 2 or min(times) <= 0:
        return 1.0 if low <= 1.0 <= high else low
    b = math.log(times[-1] / times[0]) / math.log(sizes[-1] / sizes[0])
    return min(high, max(low, b))


def describe_duration(seconds: float) -> str:
    """``40 s``, ``25 min``, ``2.1 h``: an estimate's precision, no more."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
