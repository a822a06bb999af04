"""``mnist-explorer search ESTIMATOR``: a grid search run as a detached job, followed by a live leaderboard."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

from rich.console import Console
from rich.live import Live

from engine.cli.common import console, data_spec, open_store, positive_int, print_json, run_id_arg
from engine.cli.progress import detached, require_done, store_option, wait_quietly
from engine.data import load_dataset
from engine.errors import ExplorerError
from engine.follow import NewEvents, RunChanged, RunFinished, follow_run
from engine.jobs import launch
from engine.leaderboard import Leaderboard, LeaderboardBuilder, to_csv
from engine.outputs import check_output, protected_files
from engine.render.leaderboard import LeaderboardView
from engine.results import SearchResults
from engine.search.backends import BACKENDS
from engine.search.grid import parse_params
from engine.search.registry import ESTIMATORS
from engine.search.state import SearchState, read_search
from engine.store import Run, RunStore


def register(sub) -> None:
    from engine.cli.main import common_parent

    p = sub.add_parser(
        "search",
        parents=[common_parent()],
        help="grid search with cross-validation, live leaderboard",
        description="Cross-validated grid search (StratifiedKFold, no shuffle), run as a background job whose "
        "every (config, fold) result is stored as it finishes. Estimators: "
        + ", ".join(f"{n} ({s.description})" for n, s in ESTIMATORS.items())
        + ".",
    )
    p.add_argument("estimator", metavar="ESTIMATOR", help=f"one of {', '.join(ESTIMATORS)}")
    p.add_argument(
        "--param",
        metavar="NAME=V1,V2",
        action="append",
        default=[],
        help="a parameter and its values (repeatable); default for knn: n_neighbors=3,4,5,6 weights=uniform,distance",
    )
    p.add_argument("--cv", metavar="K", default="5", help="number of stratified folds (default 5)")
    p.add_argument(
        "--backend", choices=BACKENDS, default="local", help="local joblib workers, or dask distributed (default local)"
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDR",
        default=None,
        help="dask scheduler address (tcp://HOST:8786); without it --backend dask starts a LocalCluster",
    )
    p.add_argument("--detach", action="store_true", help="start the search in the background, print its run id")
    p.add_argument(
        "--exact-sklearn",
        action="store_true",
        help="fit every (config, fold) with scikit-learn even when a shared-neighbour search applies",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from engine.search.runner import search_params  # imports scikit-learn to validate the grid

    grid = parse_params(args.param)
    cv = positive_int(args.cv, "--cv", minimum=2)
    params = search_params(args.estimator, grid, cv, args.backend, args.scheduler, args.exact_sklearn)
    spec = data_spec(args)
    dataset = load_dataset(spec)  # bad data fails here, in one line, not later in the job
    smallest = min(c for c in dataset.class_counts("train") if c > 0)
    if cv > smallest:
        raise ExplorerError(f"--cv {cv} is more folds than the smallest class has training images ({smallest})")
    store = open_store(args)
    run_ = launch(store, "search", params, spec)
    if args.detach:
        if args.json:
            print_json({"run_id": run_.id})
        else:
            console().print(
                f"search started: run {run_.id} — `mnist-explorer runs watch {run_.id}"
                f"{store_option(store)}` to follow it",
                soft_wrap=True,  # a command to copy: never broken across lines
            )
        return 0
    return finish(store, run_.id, args.json)


def finish(store: RunStore, run_id: int, as_json: bool) -> int:
    """Follow a search to its end (live leaderboard unless JSON), then print its results."""
    if as_json:
        run_ = wait_quietly(store, run_id)
    else:
        run_ = watch(store, run_id, console())
    require_done(store, run_)
    if as_json:
        print_json(search_json(store, run_id))
    return 0


def search_json(store: RunStore, run_id: int) -> dict:
    """The JSON a finished search prints: run_id, best_params, best_score, results, test_accuracy, elapsed_s."""
    return SearchResults.from_store(store, run_id).to_json(run_id)


def _states(store: RunStore, run_id: int, poll: float) -> Iterator[SearchState]:
    """Search ``run_id`` now, then after each change until it has finished (new events only, from the follow layer)."""
    run_ = store.get_run(run_id)
    if run_.kind != "search":
        yield SearchState(run_, Leaderboard())
        return
    builder = LeaderboardBuilder(run_.params.get("estimator"))
    for update in follow_run(store, run_id, interval=poll):
        if isinstance(update, NewEvents):
            builder.add(update.events)
        elif isinstance(update, RunChanged):
            run_ = update.run
        elif isinstance(update, RunFinished):
            yield SearchState(update.run, builder.board(), update.results)
            return
        else:
            continue
        yield SearchState(run_, builder.board())


def watch(store: RunStore, run_id: int, out: Console, poll: float = 0.25) -> Run:
    """A live leaderboard of search ``run_id`` until it finishes; Ctrl+C stops watching (the search goes on)."""
    states = _states(store, run_id, poll)
    state = next(states)
    if state.run.kind != "search":
        raise ExplorerError(f"run {run_id} is a {state.run.kind} run, not a search")
    try:
        if not out.is_terminal:  # a pipe or a file gets the final leaderboard once
            for state in states:  # noqa: B007 - the last state is the one printed
                continue
            out.print(LeaderboardView(state))
            return state.run
        max_rows = max(3, (out.height - 5) // (1 if out.width >= 100 else 2))  # narrow: params wrap in two lines
        with Live(LeaderboardView(state, max_rows), console=out, auto_refresh=False, transient=False) as live:
            for state in states:
                live.update(LeaderboardView(state, max_rows), refresh=True)
    except KeyboardInterrupt:
        raise detached(store, run_id, watch="watch") from None
    return state.run


def add_run_actions(actions, common_parent) -> None:
    """``runs watch ID``, ``runs resume ID`` and ``runs export ID --csv FILE`` (added to ``runs``)."""
    for name, helptext, func in (
        ("watch", "a live leaderboard of a search until it finishes (Ctrl+C leaves it running)", _watch),
        ("resume", "relaunch an interrupted or cancelled search: only its missing fits run", _resume),
        ("export", "write a search's leaderboard to a CSV file", _export),
    ):
        a = actions.add_parser(name, parents=[common_parent()], help=helptext)
        a.add_argument("run_id", metavar="ID", type=run_id_arg)
        if name == "export":
            a.add_argument("--csv", metavar="FILE", required=True, help="where to write the CSV")
        a.set_defaults(func=func)


def _search_run(store: RunStore, run_id: int) -> Run:
    store.reap()
    run_ = store.get_run(run_id)
    if run_.kind != "search":
        raise ExplorerError(f"run {run_id} is a {run_.kind} run, not a search")
    return run_


def _watch(args: argparse.Namespace) -> int:
    store = open_store(args)
    _search_run(store, args.run_id)
    run_ = watch(store, args.run_id, console())
    if args.json:
        print_json(search_json(store, run_.id) if run_.status == "done" else run_.to_dict())
    return 0 if run_.status == "done" else 1


def _resume(args: argparse.Namespace) -> int:
    from engine.data import DataSpec

    store = open_store(args)
    run_ = _search_run(store, args.run_id)
    if run_.active:
        raise ExplorerError(f"search run {run_.id} is still {run_.status}; `runs watch {run_.id}` follows it")
    if run_.status == "done":
        raise ExplorerError(f"search run {run_.id} is already done")
    state = read_search(store, run_.id)
    launch(store, "search", run_.params, DataSpec.from_dict(run_.data), run_id=run_.id)
    if not args.json:
        console().print(f"resuming search run {run_.id}: {state.fits_done} of {state.fits_total} fits already done")
    return finish(store, run_.id, args.json)


def _export(args: argparse.Namespace) -> int:
    """The leaderboard as CSV (:func:`engine.leaderboard.to_csv`, the same file as the Search tab's ``x``)."""
    store = open_store(args)
    check_output(args.csv, protected_files(store.path))  # never over the store
    board = read_search(store, _search_run(store, args.run_id).id).board
    if not board.rows:
        raise ExplorerError(f"search run {args.run_id} has not started its grid yet; nothing to export")
    try:
        with open(args.csv, "w", newline="") as fh:
            fh.write(to_csv(board))
    except OSError as exc:
        raise ExplorerError(f"{args.csv}: cannot write ({exc.strerror or exc})") from None
    if args.json:
        print_json({"run_id": args.run_id, "csv": args.csv, "rows": len(board.rows)})
    else:
        console().print(f"{len(board.rows)} configs of search run {args.run_id} written to {args.csv}")
    return 0
