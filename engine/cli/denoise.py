"""``mnist-explorer denoise``: a KNN that predicts the clean pixels of noisy images."""

from __future__ import annotations

import argparse

from engine.cli.common import console, data_spec, open_store, print_json
from engine.cli.reuse import ensure_run
from engine.data import load_dataset
from engine.models.denoise import DEFAULT_SEED, JOB_KIND, DenoiseResults
from engine.render.denoise import DenoiseReport


def register(sub) -> None:
    from engine.cli.main import common_parent

    p = sub.add_parser(
        "denoise",
        parents=[common_parent()],
        help="multioutput KNN denoising: mean absolute pixel error of the noisy and the denoised test images",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    spec = data_spec(args)
    ds = load_dataset(spec)  # a bad --data fails here, in one line, before any process starts
    store = open_store(args)
    results = DenoiseResults.from_store(store, ensure_run(store, JOB_KIND, {"seed": DEFAULT_SEED}, spec).id)
    if args.json:
        print_json(results.to_json())
        return 0
    out = console()
    out.print(f"[bold]Denoising KNN[/] on {ds.source}, {len(ds.X_train):,} training images (run {results.run_id})")
    out.print(DenoiseReport(results, ds.X_test))
    return 0
