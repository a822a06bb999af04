"""``mnist-explorer threshold``: the precision/recall trade-off of a binary run, at a chosen threshold or target."""

from __future__ import annotations

import argparse
import math

from rich.console import Console, Group
from rich.style import Style
from rich.text import Text

from engine.cli.common import console, data_spec, open_store, positive_int, print_json
from engine.cli.progress import follow
from engine.data import Dataset, DataSpec, class_phrase, load_dataset
from engine.errors import StoreError, UsageError
from engine.jobs import launch
from engine.models.binary import check_digit
from engine.render.digits import DigitGrid
from engine.render.threshold import FittedHeader, threshold_text
from engine.store import Run, RunStore
from engine.threshold import (
    BINARY_KIND,
    DEFAULT_DIGIT,
    Neighbour,
    ThresholdAnalysis,
    ThresholdView,
    find_binary_run,
    format_threshold,
    load_analysis,
    parse_fraction,
)

MISTAKE = Style(color="red", bold=True)


def register(sub) -> None:
    from engine.cli.main import common_parent

    p = sub.add_parser(
        "threshold",
        parents=[common_parent()],
        help="precision, recall and F1 around a threshold of the binary detector's scores",
    )
    p.add_argument("--digit", metavar="D", type=int, default=DEFAULT_DIGIT, help="the class to detect (default 5)")
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--precision", metavar="P", help="go to the lowest threshold whose precision is at least P (0.9 or 90%%)"
    )
    where.add_argument(
        "--recall", metavar="R", help="go to the highest threshold whose recall is still at least R (0.9 or 90%%)"
    )
    where.add_argument("--threshold", metavar="T", type=float, help="this threshold (default 0, SGD's own)")
    p.add_argument("--rows", metavar="N", default="5", help="table rows either side of the threshold (default 5)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    rows = positive_int(args.rows, "--rows", minimum=0)
    spec = data_spec(args)
    dataset = load_dataset(spec)
    check_digit(args.digit, dataset.n_classes, dataset.class_names, dataset.class_counts("train"))
    for name in ("precision", "recall"):
        value = getattr(args, name)
        if value is not None:
            setattr(args, name, parse_fraction(value, f"--{name}"))
    if args.threshold is not None and not math.isfinite(args.threshold):
        raise UsageError(f"--threshold must be a finite number, got {args.threshold:g}")
    store = open_store(args)
    binary = find_binary_run(store, args.digit, spec) or run_binary(store, args.digit, spec, dataset.class_names)
    analysis = load_analysis(store, binary, labels=dataset.y_train)
    view = threshold_view(analysis, args, rows)
    if args.json:
        print_json(view.to_dict() | {"data": spec.to_dict()})
        return 0
    console().print(render_view(view, dataset, spec))
    return 0


def threshold_view(analysis: ThresholdAnalysis, args: argparse.Namespace, rows: int) -> ThresholdView:
    if args.precision is not None:
        return analysis.view(analysis.step_for("precision", args.precision), rows, rows)
    if args.recall is not None:
        return analysis.view(analysis.step_for("recall", args.recall), rows, rows)
    threshold = 0.0 if args.threshold is None else args.threshold
    return analysis.view(analysis.step_at(threshold), rows, rows, threshold=threshold)


def run_binary(store: RunStore, digit: int, spec: DataSpec, class_names: tuple[str, ...]) -> Run:
    """Launch a binary run and follow it to its end, with its progress on stderr."""
    run = launch(store, BINARY_KIND, {"digit": digit}, spec)
    Console(stderr=True, highlight=False).print(
        f"no done binary run for {class_phrase(digit, class_names)} on {spec.label}: running one (run {run.id})"
    )
    run = follow(store, run.id, Console(stderr=True, highlight=False))
    if run.status != "done":
        raise StoreError(f"binary run {run.id} {run.status}: {run.error or 'no scores'}")
    return run


def render_view(view: ThresholdView, dataset: Dataset, spec: DataSpec) -> Group:
    """The current point, the table around it (current row highlighted) and the images either side."""
    return Group(
        FittedHeader(view, spec.label, dataset.class_names), threshold_text(view), neighbour_grid(view, dataset)
    )


def neighbour_grid(view: ThresholdView, dataset: Dataset) -> Group:
    """Images just above and just below the threshold; red captions are mistakes one step would change."""
    parts: list = []
    positive = class_phrase(view.digit, dataset.class_names)
    for title, group in (
        (f"just above (predicted {positive})", view.above),
        ("just below (predicted not)", view.below),
    ):
        if group:
            parts.append(Text(title, style="bold"))
            parts.append(digit_grid(group, dataset))
    return Group(*parts)


def digit_grid(group: list[Neighbour], dataset: Dataset) -> DigitGrid:
    """One row of digits captioned with score and true label (a mistake's caption in red)."""
    return DigitGrid(
        dataset.X_train[[n.index for n in group]],
        [f"{format_threshold(n.score)} {n.label}" for n in group],
        len(group),
        caption_styles=[MISTAKE if n.mistake else None for n in group],
    )
