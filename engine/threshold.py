"""The precision/recall trade-off of a binary run, from its stored cross-validated scores (never a refit).

:class:`ThresholdAnalysis` holds one run's scores; :meth:`ThresholdAnalysis.view` returns a plain
:class:`ThresholdView` (table rows around the current threshold, the current point, the images either side of
it) that the CLI and the Threshold tab only draw. Steps are the distinct scores, lowest first: moving one step
moves the threshold to the next distinct score, so exactly one group of tied images changes side.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cached_property

import numpy as np

from engine.data import DataSpec
from engine.errors import StoreError, UsageError
from engine.metrics import Counts, ThresholdSweep, auc, roc_curve
from engine.store import Run, RunStore

BINARY_KIND = "binary"
DEFAULT_DIGIT = 5
TARGETS = ("precision", "recall")


@dataclass(frozen=True)
class ThresholdRow:
    """One threshold and what predicting ``score >= threshold`` gives."""

    threshold: float
    precision: float
    recall: float
    f1: float
    tp: int
    fp: int
    fn: int
    tn: int

    @classmethod
    def from_counts(cls, threshold: float, counts: Counts) -> ThresholdRow:
        return cls(
            float(threshold), counts.precision, counts.recall, counts.f1, counts.tp, counts.fp, counts.fn, counts.tn
        )

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Neighbour:
    """A training image near the threshold: its index, score, true class and whether it is the digit."""

    index: int
    score: float
    label: int
    is_digit: bool
    predicted: bool

    @property
    def mistake(self) -> bool:
        return self.is_digit != self.predicted

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ThresholdCurves:
    """What the plots draw: the precision-recall curve by threshold and the ROC curves with their AUCs."""

    thresholds: np.ndarray  # increasing, as precision_recall_curve returns them
    precision: np.ndarray  # at each threshold (without the curve's closing point)
    recall: np.ndarray
    fpr_sgd: np.ndarray
    tpr_sgd: np.ndarray
    auc_sgd: float
    fpr_rf: np.ndarray | None
    tpr_rf: np.ndarray | None
    auc_rf: float | None


@dataclass(frozen=True)
class ThresholdView:
    """The state of the analysis at one step: what the CLI prints and the tab shows."""

    run_id: int | None
    digit: int
    step: int
    n_steps: int
    current: ThresholdRow
    rows: list[ThresholdRow]
    current_row: int  # index into rows of the current step
    above: list[Neighbour]  # lowest scores at or above the threshold, nearest first
    below: list[Neighbour]  # highest scores below it, nearest first

    @property
    def step_number(self) -> int:
        """The step as the CLI, ``--json`` and the tab say it: 1-based (step 1 is the lowest threshold)."""
        return self.step + 1

    def to_dict(self) -> dict:
        return {
            "run_id": self.run_id,
            "digit": self.digit,
            **self.current.to_dict(),
            "step": self.step_number,
            "n_steps": self.n_steps,
            "table": [row.to_dict() for row in self.rows],
            "above": [n.to_dict() for n in self.above],
            "below": [n.to_dict() for n in self.below],
        }


def parse_fraction(text: str, what: str = "a target") -> float:
    """``0.9`` → 0.9, ``90%`` → 0.9 (the tab's prompts and ``--precision`` / ``--recall``); a one-line
    :class:`UsageError` otherwise."""
    text = text.strip()
    percent = text.endswith("%")
    try:
        value = float(text.removesuffix("%").strip())
    except ValueError:
        raise UsageError(f"{what} must be a number such as 0.9 or 90%, got {text!r}") from None
    value = value / 100 if percent else value
    if not 0.0 <= value <= 1.0:  # NaN fails too
        raise UsageError(f"{what} must be between 0 and 1 (or 0% and 100%), got {text}")
    return value


def format_threshold(value: float) -> str:
    """A score for tables and captions: whole numbers with separators when large (SGD's decision scores)."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


class ThresholdAnalysis:
    """One binary run's scores, ready to answer "what if the threshold were here?" at any step."""

    def __init__(
        self,
        y_true: np.ndarray,
        scores: np.ndarray,
        *,
        digit: int = DEFAULT_DIGIT,
        labels: np.ndarray | None = None,
        proba_rf: np.ndarray | None = None,
        run_id: int | None = None,
    ) -> None:
        self.y_true = np.asarray(y_true).astype(np.int8)
        self.scores = np.asarray(scores, dtype=np.float64)
        self.digit = digit
        self.labels = np.asarray(labels) if labels is not None else np.where(self.y_true == 1, digit, -1)
        self.proba_rf = None if proba_rf is None else np.asarray(proba_rf, dtype=np.float64)
        self.run_id = run_id
        self.sweep = ThresholdSweep(self.y_true, self.scores)
        self._order = np.argsort(self.scores, kind="stable")
        self._sorted = self.scores[self._order]

    @property
    def n_steps(self) -> int:
        return len(self.sweep)

    def threshold(self, step: int) -> float:
        return float(self.sweep.thresholds[step])

    def row(self, step: int) -> ThresholdRow:
        return ThresholdRow.from_counts(self.sweep.thresholds[step], self.sweep.counts(step))

    def step_at(self, threshold: float) -> int:
        return self.sweep.step_at(threshold)

    def step_for(self, target: str, value: float) -> int:
        """The step a target precision (the lowest threshold reaching it) or recall (the highest threshold
        still reaching it) gives; raises :class:`UsageError` when it is outside 0–1 or no threshold reaches it."""
        if target not in TARGETS:
            raise UsageError(f"unknown target {target!r}; use one of {', '.join(TARGETS)}")
        if not 0.0 <= value <= 1.0 or np.isnan(value):
            raise UsageError(f"a target {target} must be between 0 and 1, got {value:g}")
        if target == "precision":
            step = self.sweep.step_for_precision(value)
            best = float(self.sweep.precision[:-1].max())
        else:
            step = self.sweep.step_for_recall(value)
            best = float(self.sweep.recall[:-1].max())
        if step is None:
            raise UsageError(f"no threshold reaches {target} {value:g} (the best is {best:.4f})")
        return step

    def neighbours(self, threshold: float, k: int) -> tuple[list[Neighbour], list[Neighbour]]:
        """The ``k`` images just at or above ``threshold`` and the ``k`` just below, nearest first."""
        cut = int(np.searchsorted(self._sorted, threshold, side="left"))
        above = self._order[cut : cut + k]
        below = self._order[max(0, cut - k) : cut][::-1]
        return [self._neighbour(i, True) for i in above], [self._neighbour(i, False) for i in below]

    def _neighbour(self, index: int, predicted: bool) -> Neighbour:
        return Neighbour(
            int(index), float(self.scores[index]), int(self.labels[index]), bool(self.y_true[index] == 1), predicted
        )

    def view(
        self, step: int, before: int = 5, after: int = 5, k: int = 2, threshold: float | None = None
    ) -> ThresholdView:
        """The table of steps around ``step`` and the ``k`` images either side. ``threshold`` (any value, e.g.
        from ``--threshold``) replaces the step's own as the current point; the table still shows the step
        that predicts the same."""
        step = min(max(0, step), self.n_steps - 1)
        steps = self.sweep.around(step, before, after)
        if threshold is None:
            current, threshold = self.row(step), self.threshold(step)
        else:
            current = ThresholdRow.from_counts(threshold, self.sweep.counts_at(threshold))
        above, below = self.neighbours(threshold, k)
        return ThresholdView(
            self.run_id,
            self.digit,
            step,
            self.n_steps,
            current,
            [self.row(s) for s in steps],
            step - steps.start,
            above,
            below,
        )

    @cached_property
    def curves(self) -> ThresholdCurves:
        sweep = self.sweep
        fpr, tpr, _ = roc_curve(self.y_true, self.scores)
        if self.proba_rf is not None:
            fpr_rf, tpr_rf, _ = roc_curve(self.y_true, self.proba_rf)
            auc_rf: float | None = auc(fpr_rf, tpr_rf)
        else:
            fpr_rf = tpr_rf = None  # type: ignore[assignment]  # no RandomForest scores: no second curve
            auc_rf = None
        return ThresholdCurves(
            sweep.thresholds, sweep.precision[:-1], sweep.recall[:-1], fpr, tpr, auc(fpr, tpr), fpr_rf, tpr_rf, auc_rf
        )


def find_binary_run(store: RunStore, digit: int, data: DataSpec) -> Run | None:
    """The newest finished binary run for ``digit`` on exactly this data spec, if any."""
    wanted = data.to_dict()
    for run in store.iter_runs(BINARY_KIND, "done"):
        if int(run.params.get("digit", DEFAULT_DIGIT)) == digit and DataSpec.from_dict(run.data).to_dict() == wanted:
            return run
    return None


def load_analysis(store: RunStore, run: Run, labels: np.ndarray | None = None) -> ThresholdAnalysis:
    """A done binary run's stored scores as an analysis; ``labels`` are the run's training labels."""
    if run.kind != BINARY_KIND:
        raise StoreError(f"run {run.id} is a {run.kind} run, not a binary one")
    if run.status != "done":
        raise StoreError(f"run {run.id} is {run.status}; its scores are not complete")
    y_true = store.get_result(run.id, "y_true")
    scores = store.get_result(run.id, "scores_sgd")
    proba_rf = store.get_result(run.id, "proba_rf", None)
    if labels is not None and len(labels) != len(y_true):
        raise StoreError(f"run {run.id} scored {len(y_true)} images but the data has {len(labels)}")
    return ThresholdAnalysis(
        y_true,
        scores,
        digit=int(run.params.get("digit", DEFAULT_DIGIT)),
        labels=labels,
        proba_rf=proba_rf,
        run_id=run.id,
    )
