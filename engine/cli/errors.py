"""``mnist-explorer errors``: a multiclass model's confusion matrix, largest confusions and likely label errors.

Uses the newest finished run of the model on the data; if there is none, runs one (progress on stderr).
"""

from __future__ import annotations

import argparse

from rich.console import Console, Group
from rich.table import Table

from engine.cli.common import console, data_spec, open_store, positive_int, print_json
from engine.cli.progress import follow, require_done
from engine.confusion import ErrorAnalysis
from engine.data import DataSpec, load_dataset
from engine.jobs import launch
from engine.models.cost import check_cost
from engine.models.multiclass import JOB_KIND, MODELS, check_model, latest_done, load_analysis
from engine.models.subsample import check_max_train
from engine.render.confusions import TopConfusions
from engine.render.heatmap import Heatmap
from engine.store import Run, RunStore

DEFAULT_TOP = 20


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
    p.add_argument("--max-train", metavar="N", default=None, help="use a stratified subsample of N training images")
    p.add_argument(
        "--force",
        action="store_true",
        help="run without the cost estimate (which refuses a job it expects to take over 15 min)",
    )
    p.set_defaults(func=run)


def ensure_run(
    store: RunStore, model: str, spec: DataSpec, progress: Console, max_train: int | None = None, force: bool = False
) -> Run:
    """The newest done run of ``model`` on ``spec`` (and ``max_train``), or a new one launched and followed to its
    end — after a cost estimate for a slow model on a large training set (refused above its limit unless ``force``)."""
    done = latest_done(store.list_runs(JOB_KIND), model, spec, max_train)
    if done is not None:
        return done
    check_cost("errors", model, load_dataset(spec), None, max_train, force, progress)
    params = {"model": model} if max_train is None else {"model": model, "max_train": max_train}
    job = launch(store, JOB_KIND, params, spec)
    return require_done(store, follow(store, job.id, progress))


def errors_dict(run: Run, accuracy: float, analysis: ErrorAnalysis, top: int, train_index=None) -> dict:
    """The JSON document: rows of ``confusion`` are true labels; lists are largest first; a mistake's ``index`` is
    its training-set index (``train_index`` maps a ``--max-train`` run's rows to it)."""
    mistakes = [m.to_dict() for m in analysis.mistakes(top)]
    if train_index is not None:
        mistakes = [m | {"index": int(train_index[m["index"]])} for m in mistakes]
    return {
        "run_id": run.id,
        "model": run.params.get("model"),
        "data": run.data.get("spec"),
        "class_names": list(analysis.class_names),
        "accuracy": accuracy,
        "confusion": analysis.confusion.tolist(),
        "top_confusions": [list(c) for c in analysis.top_confusions()],
        "most_confident_mistakes": mistakes,
    }


def run(args: argparse.Namespace) -> int:
    model = check_model(args.model)
    top = positive_int(args.top, "--top", minimum=0)
    max_train = None if args.max_train is None else positive_int(args.max_train, "--max-train")
    spec = data_spec(args)
    ds = load_dataset(spec)  # a bad --data fails here, in one line, before any process starts
    check_max_train(max_train, ds.y_train)
    if max_train is not None and max_train >= len(ds.y_train):
        max_train = None  # the whole training set: the same run as without the option
    store = open_store(args)
    done = ensure_run(store, model, spec, Console(stderr=True, highlight=False), max_train, args.force)
    analysis = load_analysis(store, done.id)
    train_index = store.get_result(done.id, "train_index", None)  # a --max-train run's rows → training-set indices
    accuracy = float(store.get_result(done.id, "accuracy"))
    if args.json:
        print_json(errors_dict(done, accuracy, analysis, top, train_index))
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
    out.print(TopConfusions(analysis))
    if top:
        out.print(_mistakes_table(analysis, top, train_index))
    return 0


def _mistakes_table(analysis: ErrorAnalysis, top: int, train_index=None) -> Table:
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
        index = m.index if train_index is None else int(train_index[m.index])
        table.add_row(str(index), names[m.true], names[m.predicted], f"{m.margin:.3f}", scores)
    return table
