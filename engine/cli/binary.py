"""``mnist-explorer binary``: the binary detector for one class, run as a job and followed until it is done."""

from __future__ import annotations

import argparse

from rich.console import Console

from engine.cli.common import console, data_spec, open_store, print_json
from engine.cli.progress import follow, require_done
from engine.data import load_dataset
from engine.jobs import launch
from engine.models.binary import check_digit
from engine.render.binary import BinaryReport
from engine.results import BinaryResults


def register(sub) -> None:
    from engine.cli.main import common_parent

    p = sub.add_parser(
        "binary",
        parents=[common_parent()],
        help="the binary detector: SGD 3-fold CV vs a dummy baseline, confusion, P/R/F1, ROC AUCs",
    )
    p.add_argument("--digit", metavar="D", type=int, default=5, help="the class to detect (default 5)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    spec = data_spec(args)
    ds = load_dataset(spec)  # numpy only: checks the class before any process starts
    check_digit(args.digit, ds.n_classes, ds.class_names, ds.class_counts("train"))
    store = open_store(args)
    job = launch(store, "binary", {"digit": args.digit}, spec)
    done = require_done(store, follow(store, job.id, Console(stderr=True, highlight=False)))
    results = BinaryResults.from_store(store, done.id)
    if args.json:
        print_json(results.to_json(done.id))
        return 0
    label = ds.class_names[args.digit]
    out = console()
    out.print(
        f"[bold]Detecting {label}[/] on {ds.source} — {len(ds.y_train):,} training images, "
        f"3-fold cross-validation (run {done.id})"
    )
    out.print(BinaryReport(results, label))
    return 0
