"""``mnist-explorer augment``: the tuned KNN on the plain and on the shift-augmented training set."""

from __future__ import annotations

import argparse

from engine.cli.common import console, data_spec, open_store, print_json
from engine.cli.reuse import ensure_run
from engine.data import load_dataset
from engine.models.augment import JOB_KIND, AugmentResults, job_params
from engine.render.augment import AugmentReport


def register(sub) -> None:
    from engine.cli.main import common_parent

    p = sub.add_parser(
        "augment",
        parents=[common_parent()],
        help="shift augmentation: the best KNN of the newest KNN search (else k=4, distance) on 1× and 5× training "
        "images, test accuracies, gain, McNemar's p",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    spec = data_spec(args)
    ds = load_dataset(spec)  # a bad --data fails here, in one line, before any process starts
    store = open_store(args)
    results = AugmentResults.from_store(store, ensure_run(store, JOB_KIND, job_params(store, spec), spec).id)
    if args.json:
        print_json(results.to_json())
        return 0
    out = console()
    out.print(f"[bold]Shift augmentation[/] on {ds.source} (run {results.run_id})")
    out.print(AugmentReport(results, len(ds.X_train)))
    return 0
