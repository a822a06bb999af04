"""``mnist-explorer errors``: a multiclass model's confusion matrix, largest confusions and likely label errors.

Uses the newest finished run of the model on the data; if there is none, runs one (progress on stderr).
"""

from __future__ import annotations

import argparse

from rich.console import Console, Group
from rich.table import Table

from engine.cli.common import console, data_spec, open_store, positive_int, print_json
from engine.cli.progress import follow, store_option
from engine.confusion import ErrorAnalysis
from engine.data import DataSpec, load_dataset
from engine.errors import ExplorerError
from engine.jobs import launch
from engine.models.multiclass import JOB_KIND, MODELS, check_model, latest_done, load_analysis
from engine.render.heatmap import Heatmap
from engine.store import Run, RunStore

DEFAULT_TOP = 20


class RunFailed(ExplorerError):
    """The job ended without results (failed, cancelled or interrupted)."""


def register(sub) -> None:
    from engine.cli.main import common_parent

    p = sub.add_parser(
        "errors",
        parents=[common_parent()],
        help="multiclass error analysis: confusion heatmap, top confusions, most confident mistakes",
    )
    p.add_argument(
        "--model",
        default="sgd",
        choices=list(MODELS),
        help="sgd (raw pixels), sgd-scaled (StandardScaler first), svc (rbf, one-vs-one) or "
        "svc-ovr (one-vs-rest SVCs); default sgd",
    )
    p.add_argument(
        "--top",
        metavar="N",
        default=str(DEFAULT_TOP),
        help=f"how many most confident mistakes to list (default {DEFAULT_TOP})",
    )
    p.set_defaults(func=run)


def ensure_run(store: RunStore, model: str, spec: DataSpec, progress: Console) -> Run:
    """The newest done run of ``model`` on ``spec``, or a new one launched and followed to its end."""
    done = latest_done(store.list_runs(JOB_KIND), model, spec)
    if done is not None:
        return done
    job = launch(store, JOB_KIND, {"model": model}, spec)
    run = follow(store, job.id, progress)
    if run.status != "done":
        reason = f": {run.error}" if run.error else ""
        raise RunFailed(
            f"run {run.id} {run.status}{reason} (`mnist-explorer runs show {run.id}{store_option(store)}` for details)"
        )
    return run


def errors_dict(run: Run, accuracy: float, analysis: ErrorAnalysis, top: int) -> dict:
    """The JSON document: rows of ``confusion`` are true labels; lists are largest first."""
    return {
        "run_id": run.id,
        "model": run.params.get("model"),
        "data": run.data.get("spec"),
        "class_names": list(analysis.class_names),
        "accuracy": accuracy,
        "confusion": analysis.confusion.tolist(),
        "top_confusions": [list(c) for c in analysis.top_confusions()],
        "most_confident_mistakes": [m.to_dict() for m in analysis.mistakes(top)],
    }


def run(args: argparse.Namespace) -> int:
    model = check_model(args.model)
    top = positive_int(args.top, "--top", minimum=0)
    spec = data_spec(args)
    load_dataset(spec)  # a bad --data fails here, in one line, before any process starts
    store = open_store(args)
    done = ensure_run(store, model, spec, Console(stderr=True, highlight=False))
    analysis = load_analysis(store, done.id)
    accuracy = float(store.get_result(done.id, "accuracy"))
    if args.json:
        print_json(errors_dict(done, accuracy, analysis, top))
        return 0
    out = console()
    out.print(
        f"[bold]{MODELS[model]}[/] on {spec.spec} — 3-fold cross-validated accuracy "
        f"[bold]{accuracy:.2%}[/] on {len(analysis.y_true):,} training images (run {done.id})"
    )
    names = analysis.class_names
    out.print(
        Group(
            Heatmap(analysis.matrix("counts"), names, title="Confusion matrix (counts)"),
            "",
            Heatmap(
                analysis.matrix("errors"),
                names,
                percent=True,
                blank_diagonal=True,
                title="Errors only: % of each true class, diagonal removed",
            ),
        )
    )
    out.print(_confusions_table(analysis))
    if top:
        out.print(_mistakes_table(analysis, top))
    return 0


def _confusions_table(analysis: ErrorAnalysis, limit: int = 10) -> Table:
    names = analysis.class_names
    totals = analysis.confusion.sum(axis=1)
    table = Table("true", "predicted", "images", "% of true class", title="Top confusions", title_justify="left")
    for t, p, count in analysis.top_confusions(limit):
        table.add_row(names[t], names[p], f"{count:,}", f"{count / totals[t]:.1%}")
    return table


def _mistakes_table(analysis: ErrorAnalysis, top: int) -> Table:
    names = analysis.class_names
    table = Table(
        "training index",
        "label",
        "predicted",
        "margin",
        "top 3 scores",
        title="Most confident mistakes (likely label errors): score of prediction − score of label",
        title_justify="left",
    )
    for m in analysis.mistakes(top):
        scores = "  ".join(f"{names[c]} {s:.2f}" for c, s in analysis.top_classes(m.index))
        table.add_row(str(m.index), names[m.true], names[m.predicted], f"{m.margin:.3f}", scores)
    return table
