"""The study table: each step's headline numbers measured here, its state, and the book's figure beside it.

One renderable for the CLI (``mnist-explorer study``), the Study tab and the report. A step may take several lines
(the detector's accuracy, precision/recall and AUCs); each line formats the measured result and the book's figures
with the same function, so the two columns read alike. The state (not run · running with progress · done, when and
how long) sits on a step's first line.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich import box
from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text

from engine.render.status import STATUS_STYLE, format_duration
from engine.study import BOOK_SOURCE, NOT_RUN, SKIPPED, StudyStep, StudyTable

Format = Callable[[dict[str, Any]], str]
WIDE = 110  # from this many columns the labels and notes are written out in full
CURSOR_STYLE = "on grey30"


def _n(value: Any, digits: int = 3) -> str:
    return f"{value:.{digits}f}"


def _threshold(d: dict[str, Any]) -> str:
    from engine.threshold import format_threshold

    if d["threshold"] is None:
        return "not reached"
    return f"{format_threshold(d['threshold'])} · R {_n(d['recall'])}"


def _accuracy(d: dict[str, Any]) -> str:
    """A multiclass accuracy; a run on a stratified subsample says its size (``0.944 on 12k``)."""
    size = d.get("max_train")
    if not size:
        return _n(d["accuracy"])
    return f"{_n(d['accuracy'])} on {f'{size / 1000:.3g}k' if size >= 1000 else size}"


def _knn(d: dict[str, Any]) -> str:
    best = d["best_params"]
    return f"k {best.get('n_neighbors', 5)} {best.get('weights', 'uniform')} · {_n(d['test_accuracy'], 4)}"


def _augment(d: dict[str, Any]) -> str:
    return f"{_n(d['accuracy_plain'], 4)} → {_n(d['accuracy_augmented'], 4)}"


@dataclass(frozen=True)
class Line:
    """One line of the table: the step it belongs to, its label (short and wide) and how its numbers read."""

    step: str
    label: str
    wide_label: str
    fmt: Format


LINES: tuple[Line, ...] = (
    Line(
        "binary",
        "5s: SGD vs dummy",
        "5-detector accuracy: SGD vs dummy",
        lambda d: f"{_n(d['cv_accuracy'])} vs {_n(d['dummy_accuracy'])}",
    ),
    Line(
        "binary",
        "  P · R · F1",
        "  precision · recall · F1 at 0",
        lambda d: " · ".join(_n(d[k]) for k in ("precision", "recall", "f1")),
    ),
    Line(
        "binary",
        "  AUC: SGD vs RF",
        "  ROC AUC: SGD vs RandomForest",
        lambda d: f"{_n(d['roc_auc_sgd'])} vs {_n(d['roc_auc_rf'])}",
    ),
    Line("threshold", "90 % precision", "threshold for 90 % precision · recall", _threshold),
    Line("sgd", "multiclass SGD", "multiclass SGD accuracy (3-fold)", _accuracy),
    Line("sgd-scaled", "SGD, scaled", "SGD after StandardScaler", _accuracy),
    Line("svc", "SVC", "SVC accuracy (3-fold)", _accuracy),
    Line("search", "KNN search", "KNN grid search: best · test accuracy", _knn),
    Line("multilabel", "multilabel F1", "multilabel KNN F1 (macro)", lambda d: _n(d["f1_macro"])),
    Line(
        "denoise",
        "denoise error",
        "denoising: pixel error before → after",
        lambda d: f"{d['mae_noisy']:.1f} → {d['mae_denoised']:.1f}",
    ),
    Line("augment", "augmentation", "shift augmentation: test accuracy", _augment),
)


def formatted(line: Line, values: dict[str, Any] | None) -> str | None:
    """The line's numbers from ``values`` (a result or the book's figures); None when they are not there."""
    if not values:
        return None
    try:
        return line.fmt(values)
    except (KeyError, TypeError, ValueError):
        return None


def state_text(step: StudyStep, now: float | None = None, wide: bool = True) -> Text:
    """not run · queued · running 42 % · 0:12 · done 12-01 10:21 · 0:42 (narrow: done 10:21 0:42) · failed ·
    skipped."""
    style = STATUS_STYLE.get(step.status, "dim")
    if step.status in (NOT_RUN, SKIPPED):
        return Text(step.status, style="dim")
    if step.active:
        part = f" {100 * step.done // step.total} %" if step.total else ""
        since = step.started
        took = format_duration(max(0.0, (now or time.time()) - since)) if since is not None else ""
        took = (f" · {took}" if wide else f" {took}") if took else ""
        return Text(f"{step.status}{part}{took}", style=style)
    when = time.strftime("%m-%d %H:%M" if wide else "%H:%M", time.localtime(step.finished)) if step.finished else ""
    took = format_duration(step.elapsed_s)
    return Text(f"{step.status} {when} · {took}" if wide else f"{step.status} {when} {took}", style=style)


def overall_text(table: StudyTable, now: float | None = None) -> Text:
    """Steps done of all, the step running, and the study job's elapsed time and ETA while one runs."""
    text = Text()
    text.append(f"{table.n_done} of {len(table.steps)} steps done", style="bold")
    running = [s for s in table.steps if s.active]
    if running:
        text.append(f" · running {', '.join(s.name for s in running)}", style=STATUS_STYLE["running"])
    study = table.study
    if study is not None and study.active:
        text.append(f" · study run {study.id}, {format_duration(study.elapsed(now))} elapsed")
        eta = study.eta(now)
        if eta is not None:
            text.append(f", ETA {format_duration(eta)}")
    elif study is not None and study.status != "done":
        text.append(f" · study run {study.id} {study.status}", style=STATUS_STYLE.get(study.status, ""))
    return text


@dataclass
class StudyView:
    """The study table; ``cursor`` (a step name) is highlighted. Below ``WIDE`` columns labels are short and the
    book's notes left out."""

    table: StudyTable
    cursor: str | None = None
    now: float | None = None

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        wide = options.max_width >= WIDE
        # narrow: columns one space apart (the box's separator), so 80 columns hold the table
        padding = (0, 1, 0, 0) if wide else (0, 0, 0, 0)
        grid = Table(box=box.SIMPLE_HEAD, pad_edge=False, expand=wide, padding=padding, show_edge=False)
        grid.add_column("step", no_wrap=True, overflow="ellipsis")
        grid.add_column("measured here", style="bold", no_wrap=True)
        grid.add_column("book, full MNIST" if wide else "book", style="dim", no_wrap=not wide)
        grid.add_column("state", no_wrap=True)
        steps = {s.name: s for s in self.table.steps}
        previous = None
        for line in LINES:
            step = steps[line.step]
            first = line.step != previous
            previous = line.step
            measured = formatted(line, step.result) if step.is_done else None
            book = formatted(line, step.book)
            if book is None:
                book = (step.book_note if wide else "—") if first else ""
            grid.add_row(
                line.wide_label if wide else line.label,
                measured if measured is not None else Text("·", style="dim"),
                book,
                state_text(step, self.now, wide) if first else "",
                style=CURSOR_STYLE if self.cursor == line.step else None,
            )
        yield grid
        if wide:
            yield Text(f"\nbook: {BOOK_SOURCE}", style="dim")
