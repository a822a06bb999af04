"""``mnist-explorer runs``: list, inspect, cancel and delete runs in the store."""

from __future__ import annotations

import argparse
import time

import numpy as np
from rich.table import Table

from engine.cli.common import console, open_store, print_json
from engine.jobs import cancel_run
from engine.render.status import format_duration
from engine.store import Run, RunStore

LOG_TAIL = 10


def register(sub) -> None:
    from engine.cli.main import common_parent

    p = sub.add_parser("runs", parents=[common_parent()], help="list, show, cancel or delete runs")
    actions = p.add_subparsers(title="actions", metavar="ACTION", dest="action", required=True)
    for name, helptext, with_id in (
        ("list", "every run, newest first", False),
        ("show", "one run: status, progress and results", True),
        ("cancel", "stop a queued or running run", True),
        ("rm", "delete a finished run and its results", True),
    ):
        a = actions.add_parser(name, parents=[common_parent()], help=helptext)
        if with_id:
            a.add_argument("run_id", metavar="ID", type=int)
        a.set_defaults(func=ACTIONS[name])
    from engine.cli.search import add_run_actions  # watch, resume and export of searches

    add_run_actions(actions, common_parent)


def describe_params(params: dict) -> str:
    return " ".join(f"{k}={v}" for k, v in params.items())


def run_dict(store: RunStore, run: Run) -> dict:
    d = run.to_dict()
    d["elapsed_s"] = run.elapsed()
    d["results"] = store.results(run.id, arrays=False)
    d["arrays"] = {name: list(arr.shape) for name, arr in store.results(run.id).items() if isinstance(arr, np.ndarray)}
    d["log"] = log_tail(store, run.id)
    return d


def log_tail(store: RunStore, run_id: int, lines: int = LOG_TAIL) -> list[str]:
    """The last ``lines`` log messages of a run, oldest first."""
    return [e.payload.get("message", "") for e in store.events(run_id, kind="log")[-lines:]]


def _list(args: argparse.Namespace) -> int:
    store = open_store(args)
    store.reap()
    runs = store.list_runs()
    if args.json:
        print_json([r.to_dict() | {"elapsed_s": r.elapsed()} for r in runs])
        return 0
    table = Table(title=f"Runs in {store.path}", title_justify="left")
    for name in ("id", "kind", "params", "data", "status", "progress", "elapsed"):
        table.add_column(name, no_wrap=name not in ("params", "data"), overflow="fold")
    for r in runs:
        progress = f"{r.fits_done}/{r.fits_total}" if r.fits_total else "–"
        table.add_row(
            str(r.id),
            r.kind,
            describe_params(r.params),
            r.data.get("spec", ""),
            _status(r),
            progress,
            format_duration(r.elapsed()),
        )
    console().print(table if runs else "No runs yet.")
    return 0


def _status(run: Run) -> str:
    colour = {
        "done": "green",
        "failed": "red",
        "cancelled": "yellow",
        "interrupted": "magenta",
        "running": "cyan",
        "queued": "blue",
    }[run.status]
    return f"[{colour}]{run.status}[/]"


def _show(args: argparse.Namespace) -> int:
    store = open_store(args)
    store.reap()
    run = store.get_run(args.run_id)
    d = run_dict(store, run)
    if args.json:
        print_json(d)
        return 0
    out = console()
    out.print(
        f"[bold]run {run.id}[/] {run.kind} {describe_params(run.params)} on {run.data.get('spec')} — "
        f"{_status(run)}, {run.fits_done}/{run.fits_total} steps, {format_duration(run.elapsed())}"
    )
    if run.error:
        out.print(f"[red]{run.error}[/]")
    table = Table("result", "value", title_justify="left")
    for name, value in d["results"].items():
        text = str(value)
        table.add_row(name, text if len(text) < 200 else text[:197] + "…")
    for name, shape in d["arrays"].items():
        table.add_row(name, f"array {tuple(shape)}")
    if table.row_count:
        out.print(table)
    if d["log"]:
        out.print("[bold]log[/] (last lines)")
        for line in d["log"]:
            out.print(f"  {line}", markup=False)
    return 0


def _cancel(args: argparse.Namespace) -> int:
    store = open_store(args)
    started = time.monotonic()
    run = cancel_run(store, args.run_id)
    if args.json:
        print_json(run.to_dict())
    else:
        console().print(f"run {run.id} {run.status} in {time.monotonic() - started:.2f}s")
    return 0


def _rm(args: argparse.Namespace) -> int:
    store = open_store(args)
    store.reap()
    store.delete_run(args.run_id)
    if args.json:
        print_json({"deleted": args.run_id})
    else:
        console().print(f"run {args.run_id} deleted")
    return 0


ACTIONS = {"list": _list, "show": _show, "cancel": _cancel, "rm": _rm}
