"""The whole study as one table: its steps, the run behind each, their headline numbers beside the book's.

:func:`read_study` reads what the store holds (numpy only: the app reads it without scikit-learn) into a
:class:`StudyTable`. A step's run is the newest *done* run of its kind with exactly its parameters on the data, else
one still going, else the newest that ended without results — whoever started it (the ``study`` job, a tab or a CLI
command). ``threshold`` is no job of its own: it is read from the detector's stored scores.

:func:`run_study` is the ``study`` job: one orchestrating process that walks the steps in order and, for each,
reuses a done run, adopts one still going (a study killed with ``kill -9`` leaves its current step running; the next
study follows that run instead of starting another), resumes an interrupted or cancelled search on its own run id
(only its missing fits run), or launches a new one — and follows it through :mod:`engine.follow` until it ends. A
step that fails is reported and the rest still run; one that needs it (augmentation needs the search) is skipped.

A multiclass step that would run long (SVC or raw SGD on 60,000 images, by :mod:`engine.models.cost`'s estimate,
over its 15 min limit) runs on the stratified subsample estimated to take ~5 min, as the book fits its SVC on 2,000
images; the table shows that run's size beside its accuracy. A done run of the step's model on any subsample
counts, as in the Errors tab.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache, partial
from typing import Any

import numpy as np

from engine.data import Dataset, DataSpec, load_dataset
from engine.errors import ExplorerError, StoreError
from engine.models import augment
from engine.search.registry import spec_for
from engine.store import Run, RunStore

JOB_KIND = "study"
TARGET_PRECISION = 0.9
STEP_UNITS = 100  # a study's progress: this many units per job step, so a half-done step counts half
NOT_RUN = "not run"
SKIPPED = "skipped"


@dataclass(frozen=True)
class StepSpec:
    """One step of the study: its job (``kind`` None: read from the run of ``needs``), the tab that shows it, what
    it shows, and the book's figure on full MNIST (Géron, *Hands-On Machine Learning*, 3rd ed., chapter 3)."""

    name: str
    title: str
    tab: str
    kind: str | None
    what: str
    book: dict[str, Any]  # the book's figures under the keys of ``StudyStep.result`` (what it reports)
    book_note: str = ""  # what the book shows instead, where it gives no figure
    needs: str | None = None


STEPS: tuple[StepSpec, ...] = (
    StepSpec(
        "binary",
        "5-detector",
        "training",
        "binary",
        "SGD's 3-fold CV accuracy against always answering not-5; precision, recall and F1 at threshold 0; ROC AUC "
        "of SGD and a RandomForest",
        {
            "dummy_accuracy": 0.9097,
            "cv_accuracy": 0.9570,  # the mean of its three folds, 0.9504, 0.9604, 0.9604
            "precision": 0.8371,
            "recall": 0.6512,
            "f1": 0.7325,
            "roc_auc_sgd": 0.9605,
            "roc_auc_rf": 0.9983,
        },
    ),
    StepSpec(
        "threshold",
        "90 % precision",
        "threshold",
        None,
        "The lowest threshold whose precision reaches 90 %, from the detector's cross-validated scores, and the "
        "recall left there",
        {"target_precision": 0.9, "threshold": 3370.0, "precision": 0.9000, "recall": 0.4800},
        needs="binary",
    ),
    StepSpec(
        "sgd",
        "multiclass SGD",
        "errors",
        "multiclass",
        "SGDClassifier on raw pixels, 3-fold cross-validated accuracy over the ten classes",
        {"accuracy": 0.8670},
    ),
    StepSpec(
        "sgd-scaled",
        "SGD, scaled",
        "errors",
        "multiclass",
        "The same SGD after StandardScaler: scaling alone lifts it",
        {"accuracy": 0.8970},
    ),
    StepSpec(
        "svc",
        "SVC",
        "errors",
        "multiclass",
        "An RBF SVC (one-vs-one), 3-fold cross-validated",
        {},
        "fitted on the first 2,000 images to predict one digit; no accuracy given",
    ),
    StepSpec(
        "search",
        "KNN grid search",
        "search",
        "search",
        "GridSearchCV-equal search of n_neighbors 3–6 × uniform/distance weights (5 folds); the best config refit "
        "and scored on the test set",
        {"best_params": {"n_neighbors": 4, "weights": "distance"}, "best_score": 0.9716, "test_accuracy": 0.9714},
    ),
    StepSpec(
        "multilabel",
        "multilabel",
        "more",
        "multilabel",
        "KNN predicting two yes/no labels per image (large, odd), 3-fold cross-validated, F1 macro-averaged",
        {"f1_macro": 0.9764},
    ),
    StepSpec(
        "denoise",
        "denoising",
        "more",
        "denoise",
        "KNN predicting every clean pixel of a noisy test image: mean absolute pixel error before and after",
        {},
        "shows one cleaned digit; no error given",
    ),
    StepSpec(
        "augment",
        "shift augmentation",
        "more",
        "augment",
        "The search's best KNN trained on the images and on them plus four one-pixel shifts, scored on the test set",
        {"accuracy_plain": 0.9714, "accuracy_augmented": 0.9763, "gain": 0.0049},
        needs="search",
    ),
)
BY_NAME = {s.name: s for s in STEPS}
JOB_STEPS = tuple(s for s in STEPS if s.kind is not None)
BOOK_SOURCE = "Géron, Hands-On Machine Learning, 3rd ed., chapter 3, on full MNIST (60,000 / 10,000)"


def step_params(step: StepSpec, store: RunStore, spec: DataSpec) -> dict:
    """The run params of ``step``'s job on ``spec`` (augmentation's depend on the store's newest KNN search)."""
    if step.kind == "binary":
        return {"digit": 5}
    if step.kind == "multiclass":  # on any subsample (max_train) too: see step_runs
        return {"model": step.name}
    if step.kind == "search":  # search_params("knn") without importing scikit-learn to validate its own grid
        params = {"estimator": "knn", "grid": dict(spec_for("knn").default_grid), "cv": 5}
        return json.loads(json.dumps({**params, "backend": "local", "scheduler": None, "exact_sklearn": False}))
    if step.kind == "denoise":
        return {"seed": 42}
    if step.kind == "augment":
        return augment.job_params(store, spec)
    return {}


@dataclass(frozen=True)
class StudyStep:
    """One row of the study: the step, the run behind it (if any), its state and its headline numbers."""

    name: str
    title: str
    tab: str
    status: str  # NOT_RUN, SKIPPED, or the run's status
    run_id: int | None = None
    started: float | None = None
    finished: float | None = None
    elapsed_s: float | None = None
    done: int = 0  # the run's steps done of ``total`` (progress while it runs)
    total: int = 0
    result: dict[str, Any] | None = None  # headline numbers under stable keys, once done
    error: str | None = None
    what: str = ""
    book: dict[str, Any] = field(default_factory=dict)  # the book's figures (full MNIST) under the same keys
    book_note: str = ""

    @property
    def is_done(self) -> bool:
        return self.status == "done" and self.result is not None

    @property
    def active(self) -> bool:
        return self.status in ("queued", "running")

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "run_id": self.run_id,
            "status": self.status,
            "elapsed_s": self.elapsed_s,
            "result": self.result,
        }


@dataclass(frozen=True)
class StudyTable:
    """Every step of the study on one data spec, in order; ``study`` is the newest ``study`` job on it, if any."""

    data: str
    steps: tuple[StudyStep, ...]
    study: Run | None = None
    book_source: str = BOOK_SOURCE

    @property
    def n_done(self) -> int:
        return sum(s.is_done for s in self.steps)

    @property
    def complete(self) -> bool:
        return self.n_done == len(self.steps)

    def step(self, name: str) -> StudyStep:
        return next(s for s in self.steps if s.name == name)

    def to_json(self) -> dict[str, Any]:
        return {"data": self.data, "steps": [s.to_json() for s in self.steps]}


# -- reading -----------------------------------------------------------------------------------------------------
def matching(runs: Iterable[Run], kind: str, params: dict, spec: DataSpec) -> list[Run]:
    """The runs of ``kind`` with exactly ``params`` on ``spec``, in the order given (newest first from the store)."""
    data = spec.to_dict()
    return [r for r in runs if r.kind == kind and r.params == params and r.data == data]


def step_runs(runs: Iterable[Run], step: StepSpec, params: dict, spec: DataSpec) -> list[Run]:
    """The runs that count for ``step`` (newest first): :func:`matching`; for a multiclass step the model's runs on
    any stratified subsample as well; for augmentation the runs of the same KNN config from any search."""
    if step.kind == "multiclass":
        from engine.models.multiclass import runs_of  # numpy only

        return runs_of(runs, params["model"], spec, any_size=True)
    if step.kind == "augment":  # the same KNN config counts, whichever search found it (a newer one may agree)
        data = spec.to_dict()
        return [r for r in runs if r.kind == "augment" and r.data == data and r.params.get("knn") == params["knn"]]
    return matching(runs, step.kind or "", params, spec)


def pick_run(candidates: list[Run]) -> Run | None:
    """A step's run among its candidates (newest first): the newest done, else one going, else the newest."""
    for wanted in (lambda r: r.status == "done", lambda r: r.active):
        found = next((r for r in candidates if wanted(r)), None)
        if found is not None:
            return found
    return candidates[0] if candidates else None


def headline(store: RunStore, step: StepSpec, run: Run) -> dict[str, Any] | None:
    """The step's headline numbers from a done run's stored results (None when they are not all there)."""
    r = store.results(run.id, arrays=False)
    try:
        if step.kind == "binary":
            return {
                "dummy_accuracy": r["dummy_accuracy"],
                "cv_accuracy": float(np.mean(r["cv_accuracy"])),
                "precision": r["precision"],
                "recall": r["recall"],
                "f1": r["f1"],
                "roc_auc_sgd": r["roc_auc_sgd"],
                "roc_auc_rf": r["roc_auc_rf"],
            }
        if step.kind == "multiclass":
            size = run.params.get("max_train")  # a run on a stratified subsample says its size
            return {"accuracy": float(r["accuracy"])} | ({"max_train": size} if size else {})
        if step.kind == "search":
            return {k: r[k] for k in ("best_params", "best_score", "test_accuracy")}
        if step.kind == "multilabel":
            return {k: r[k] for k in ("f1_macro", "f1_weighted", "chain_f1_macro")}
        if step.kind == "denoise":
            return {k: r[k] for k in ("mae_noisy", "mae_denoised")}
        if step.kind == "augment":
            return {k: r[k] for k in ("params", "accuracy_plain", "accuracy_augmented", "gain", "p_value")}
    except KeyError:
        return None
    return None


def threshold_result(store: RunStore, binary: Run) -> dict[str, Any]:
    """The threshold for 90 % precision (the study's ``thresholds[(precisions >= 0.90).argmax()]``) and its
    precision and recall; ``threshold`` None when no threshold reaches it (a tiny data set)."""
    from engine.threshold import load_analysis  # numpy only

    analysis = load_analysis(store, binary)
    step = analysis.sweep.step_for_precision(TARGET_PRECISION)
    if step is None:
        return {"target_precision": TARGET_PRECISION, "threshold": None, "precision": None, "recall": None}
    row = analysis.row(step)
    return {
        "target_precision": TARGET_PRECISION,
        "threshold": row.threshold,
        "precision": row.precision,
        "recall": row.recall,
    }


def _row(step: StepSpec, run: Run | None, result: dict | None = None, status: str | None = None) -> StudyStep:
    if run is None:
        return StudyStep(
            step.name, step.title, step.tab, status or NOT_RUN, what=step.what, book=step.book, book_note=step.book_note
        )
    return StudyStep(
        step.name,
        step.title,
        step.tab,
        status or run.status,
        run.id,
        run.started,
        run.finished,
        run.elapsed() if run.started is not None else None,
        run.fits_done,
        run.fits_total,
        result,
        run.error,
        step.what,
        step.book,
        step.book_note,
    )


def read_step(
    store: RunStore, spec: DataSpec, step: StepSpec, runs: list[Run], known: StudyStep | None = None
) -> StudyStep:
    """One step as the store holds it now (``runs``: the store's runs, newest first). ``known``: the step as read
    before; its result is reused when the step's done run is still the same one (a done run's results never
    change), so following a study re-reads only the steps whose run changed."""
    if step.kind is None:  # the threshold, read from the detector's scores
        source = BY_NAME[step.needs or ""]
        binary = pick_run(matching(runs, source.kind or "", step_params(source, store, spec), spec))
        if binary is None or binary.status != "done":
            return _row(step, binary, status=NOT_RUN if binary is None else binary.status)
        if known is not None and known.is_done and known.run_id == binary.id:
            return _row(step, binary, known.result)
        try:
            return _row(step, binary, threshold_result(store, binary))
        except StoreError as exc:
            return StudyStep(
                step.name, step.title, step.tab, "failed", binary.id, error=str(exc), what=step.what, book=step.book
            )
    run = pick_run(step_runs(runs, step, step_params(step, store, spec), spec))
    if run is None or run.status != "done":
        return _row(step, run)
    if known is not None and known.is_done and known.run_id == run.id:
        return _row(step, run, known.result)
    result = headline(store, step, run)
    return _row(step, run, result, status=None if result is not None else "failed")


def study_runs(runs: Iterable[Run], spec: DataSpec) -> list[Run]:
    """The ``study`` jobs on ``spec``, newest first."""
    return matching(runs, JOB_KIND, {}, spec)


def read_study(
    store: RunStore, spec: DataSpec, runs: list[Run] | None = None, previous: StudyTable | None = None
) -> StudyTable:
    """Every step of the study on ``spec`` as the store holds it now (``runs``: the store's runs, newest first, if
    already read; ``previous``: the table read before, whose unchanged results are reused)."""
    runs = store.list_runs() if runs is None else runs
    studies = study_runs(runs, spec)
    known = {s.name: s for s in previous.steps} if previous is not None else {}
    steps = tuple(read_step(store, spec, step, runs, known.get(step.name)) for step in STEPS)
    return StudyTable(spec.spec, steps, studies[0] if studies else None)


def active_study(store: RunStore, spec: DataSpec) -> Run | None:
    """A ``study`` job on ``spec`` still going (the one to follow rather than start another)."""
    return next((r for r in study_runs(store.list_runs(JOB_KIND), spec) if r.active), None)


def missing_steps(table: StudyTable) -> list[str]:
    """The steps a study would run (not done yet)."""
    return [s.name for s in table.steps if not s.is_done]


# -- the study job -----------------------------------------------------------------------------------------------
@dataclass
class _Outcome:
    status: dict[str, str] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


def run_study(ctx) -> None:
    """The ``study`` job (``ctx``: a :class:`~engine.jobs.context.JobContext`): every job step in order."""
    from engine.jobs.context import Cancelled
    from engine.jobs.launcher import cancel_run

    store, spec = ctx.store, ctx.data_spec
    ctx.progress(0, STEP_UNITS * len(JOB_STEPS))
    outcome = _Outcome()
    dataset = cache(partial(load_dataset, spec))  # read once, for the steps that need their cost estimated
    for index, step in enumerate(JOB_STEPS):
        base = index * STEP_UNITS
        if step.needs and outcome.status.get(step.needs) != "done":
            outcome.status[step.name] = SKIPPED
            ctx.event("step", name=step.name, status=SKIPPED, run_id=None, how=f"needs {step.needs}")
            ctx.log(f"{step.name}: skipped ({step.needs} did not finish)")
            ctx.progress(base + STEP_UNITS)
            continue
        current: list[int] = []
        try:
            run, how = _run_step(store, spec, step, partial(_advance, ctx, base), current, ctx.log, dataset)
        except Cancelled:
            if current:  # stop the step this study started or adopted: cancelling the study cancels its work
                cancel_run(store, current[0])
            raise
        except ExplorerError as exc:
            run, how = None, str(exc)
        status = run.status if run is not None else "failed"
        outcome.status[step.name] = status
        ctx.event("step", name=step.name, status=status, run_id=run.id if run else None, how=how)
        if status == "done":
            ctx.log(f"{step.name}: done ({how} run {run.id})" if run else step.name)
        else:
            reason = (run.error if run is not None else how) or status
            outcome.failures.append(f"{step.name} ({reason})")
            ctx.log(f"{step.name}: {status}: {reason}")
        ctx.progress(base + STEP_UNITS)
    table = read_study(store, spec)
    ctx.save(steps=[s.to_json() for s in table.steps])
    if outcome.failures:
        raise ExplorerError(f"{len(outcome.failures)} step(s) did not finish: {'; '.join(outcome.failures)}")


def _advance(ctx, base: int, done: int, total: int) -> None:
    part = STEP_UNITS * done // total if total > 0 else 0
    ctx.progress(base + min(part, STEP_UNITS - 1))


def _affordable(params: dict, dataset: Callable[[], Dataset], log: Callable[[str], None]) -> tuple[dict, str]:
    """A multiclass step's params, on a subsample when the whole training set is estimated over the limit, and
    how it ran."""
    from engine.models.cost import estimate_cost, needs_estimate

    ds = dataset()
    n = len(ds.y_train)
    if not needs_estimate("errors", params["model"], n):
        return params, "ran"
    estimate = estimate_cost("errors", params["model"], ds)
    log(estimate.describe())
    if not estimate.too_long:
        return params, "ran"
    size = estimate.suggested_max_train
    log(f"{params['model']}: running on a stratified {size:,} of the {n:,} training images (all: ~{estimate.duration})")
    return params | {"max_train": size}, f"ran on {size:,} of {n:,} images (all: ~{estimate.duration})"


def _run_step(
    store: RunStore,
    spec: DataSpec,
    step: StepSpec,
    progress: Callable[[int, int], None],
    current: list[int],
    log: Callable[[str], None] = lambda line: None,
    dataset: Callable[[], Dataset] | None = None,
) -> tuple[Run, str]:
    """The step's run, to its end, and how it was got: reused, adopted, resumed or launched."""
    from engine.follow import RunChanged, RunFinished, follow_run
    from engine.jobs.launcher import launch

    assert step.kind is not None
    params = step_params(step, store, spec)
    candidates = step_runs(store.list_runs(step.kind), step, params, spec)
    done = next((r for r in candidates if r.status == "done"), None)
    if done is not None:
        return done, "reused"
    going = next((r for r in candidates if r.active), None)
    resumable = next((r for r in candidates if r.kind == "search" and r.status in ("interrupted", "cancelled")), None)
    if going is not None:
        run, how = going, "adopted"
    elif resumable is not None:  # only its missing (config, fold) fits run
        run, how = launch(store, step.kind, params, spec, run_id=resumable.id), "resumed"
    else:
        how = "ran"
        if step.kind == "multiclass":
            params, how = _affordable(params, dataset or partial(load_dataset, spec), log)
        run = launch(store, step.kind, params, spec)
    current.append(run.id)
    for update in follow_run(store, run.id, interval=0.25):
        if isinstance(update, RunChanged):
            progress(update.run.fits_done, update.run.fits_total)
        elif isinstance(update, RunFinished):
            return update.run, how
    return store.get_run(run.id), how
