"""``mnist-explorer multilabel``: KNN on two yes/no labels per image, beside a ClassifierChain of SVCs."""

from __future__ import annotations

import argparse

from engine.cli.common import console, data_spec, open_store, print_json
from engine.cli.reuse import ensure_run
from engine.data import load_dataset
from engine.models.multilabel import JOB_KIND, MultilabelResults
from engine.render.multilabel import MultilabelReport


def register(sub) -> None:
    from engine.cli.main import common_parent

    p = sub.add_parser(
        "multilabel",
        parents=[common_parent()],
        help="multilabel KNN (large and odd; Fashion-MNIST: footwear and upper body): F1s, per-label scores",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    spec = data_spec(args)
    ds = load_dataset(spec)  # a bad --data fails here, in one line, before any process starts
    store = open_store(args)
    results = MultilabelResults.from_store(store, ensure_run(store, JOB_KIND, {}, spec).id)
    if args.json:
        print_json(results.to_json())
        return 0
    out = console()
    out.print(
        f"[bold]Multilabel KNN[/] on {ds.source}: labels {' and '.join(results.label_names)} (run {results.run_id})"
    )
    out.print(MultilabelReport(results))
    return 0
