"""``mnist-explorer fit ESTIMATOR``: one config fitted on the whole training set and scored on the test set, as a job."""

from __future__ import annotations

import argparse

from rich.console import Console

from engine.cli.common import console, data_spec, open_store, positive_int, print_json
from engine.cli.progress import follow, require_done
from engine.data import load_dataset
from engine.errors import UsageError
from engine.jobs import launch
from engine.search.grid import parse_params
from engine.search.registry import ESTIMATORS

JSON_KEYS = ("params", "test_accuracy", "fit_s", "predict_s", "n_train")


def register(sub) -> None:
    from engine.cli.main import common_parent

    p = sub.add_parser(
        "fit",
        parents=[common_parent()],
        help="fit one config on the whole training set, score it on the test set",
        description="Fit one config (scikit-learn defaults, random_state=42 where it applies) on the training set, "
        "or a stratified seeded subsample of it, and score it on the test set, as a background job with progress. "
        "Estimators: " + ", ".join(f"{n} ({s.description})" for n, s in ESTIMATORS.items()) + ".",
    )
    p.add_argument("estimator", metavar="ESTIMATOR", help=f"one of {', '.join(ESTIMATORS)}")
    p.add_argument("--param", metavar="NAME=V", action="append", default=[], help="a parameter value (repeatable)")
    p.add_argument("--max-train", metavar="N", default=None, help="fit on a stratified subsample of N images")
    p.add_argument(
        "--force",
        action="store_true",
        help="run without the cost estimate (which refuses a job it expects to take over 15 min)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from engine.models.cost import check_cost
    from engine.models.fit import JOB_KIND, fit_params

    grid = parse_params(args.param)
    many = [name for name, values in grid.items() if len(values) != 1]
    if many:
        raise UsageError(f"fit takes one value per parameter; {many[0]} has {len(grid[many[0]])} (use search)")
    max_train = None if args.max_train is None else positive_int(args.max_train, "--max-train")
    params = fit_params(args.estimator, {name: values[0] for name, values in grid.items()}, max_train)
    spec = data_spec(args)
    ds = load_dataset(spec)  # bad data fails here, in one line, before any process starts
    from engine.models.subsample import check_max_train

    check_max_train(max_train, ds.y_train)
    err = Console(stderr=True, highlight=False)
    check_cost("fit", args.estimator, ds, params["params"], max_train, args.force, err)
    store = open_store(args)
    job = launch(store, JOB_KIND, params, spec)
    done = require_done(store, follow(store, job.id, err))
    results = store.results(done.id, arrays=False)
    if args.json:
        print_json({"run_id": done.id, **{key: results[key] for key in JSON_KEYS}})
        return 0
    console().print(
        f"[bold]{args.estimator}[/] {results['params'] or '(defaults)'} on {spec.spec}: test accuracy "
        f"[bold]{results['test_accuracy']:.4f}[/] — fit on {results['n_train']:,} images in {results['fit_s']:.1f} s, "
        f"predict in {results['predict_s']:.1f} s (run {done.id})"
    )
    return 0
