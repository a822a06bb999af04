"""``mnist-explorer runs``: list, inspect, cancel, delete and prune runs in the store."""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import numpy as np
from rich.table import Table

from engine.cli.common import console, open_store, print_json, run_id_arg
from engine.errors import UsageError
from engine.jobs import cancel_run
from engine.render.results import format_resources, format_result
from engine.render.status import STATUS_STYLE, describe_params, format_duration
from engine.resources import job_resources
from engine.store import Run, RunStore

LOG_TAIL = 10
DATA_WIDTH = 16  # the data column of `runs list` (a longer name ends in "…")
WIDE = 10_000  # a width to measure a table's natural width in


def register(sub) -> None:
    from engine.cli.main import common_parent

    p = sub.add_parser("runs", parents=[common_parent()], help="list, show, cancel, delete or prune runs")
    actions = p.add_subparsers(title="actions", metavar="ACTION", dest="action", required=True)
    for name, helptext, with_id in (
        ("list", "every run, newest first", False),
        ("show", "one run: status, progress and results", True),
        ("cancel", "stop a queued or running run", True),
        ("rm", "delete a finished run and its results", True),
    ):
        a = actions.add_parser(name, parents=[common_parent()], help=helptext)
        if with_id:
            a.add_argument("run_id", metavar="ID", type=run_id_arg)
        a.set_defaults(func=ACTIONS[name])
    a = actions.add_parser("prune", parents=[common_parent()], help="delete finished runs older than an age")
    a.add_argument(
        "--older-than", metavar="AGE", required=True, type=parse_age, help="e.g. 7d, 12h, 30m, 2w (finished before)"
    )
    a.add_argument("--yes", action="store_true", help="delete without asking (needed without a terminal)")
    a.set_defaults(func=_prune)
    from engine.cli.search import add_run_actions  # watch, resume and export of searches

    add_run_actions(actions, common_parent)


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
        # one line per run: a long params (or data) cell ends in "…"; `runs show ID` and --json have it whole
        table.add_column(
            name,
            no_wrap=True,
            overflow="ellipsis",
            ratio=1 if name == "params" else None,
            max_width=DATA_WIDTH if name == "data" else None,
        )
    for r in runs:
        progress = f"{r.fits_done}/{r.fits_total}" if r.fits_total else "–"
        table.add_row(
            str(r.id),
            r.kind,
            describe_params(r.params),
            data_label(r.data.get("spec", "")),
            _status(r),
            progress,
            format_duration(r.elapsed()),
        )
    out = console()
    if out.measure(table, options=out.options.update_width(WIDE)).maximum > out.width:
        # too wide for the terminal (e.g. 80 columns): no borders, and the params column takes what the others leave
        table.box, table.pad_edge, table.expand = None, False, True
    out.print(table if runs else "No runs yet.")
    return 0


def data_label(spec: str) -> str:
    """A data spec as `runs list` shows it: a file or folder by its name (``idx:/data/fashion-mnist`` → ``fashion-mnist``),
    any other spec (``mnist5k``, ``openml:mnist_784``) as it is."""
    kind, _, path = spec.partition(":")
    return Path(path).name if kind in ("idx", "npz") and path else spec


def _status(run: Run) -> str:
    return f"[{STATUS_STYLE[run.status]}]{run.status}[/]"


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
        f"{_status(run)}, {run.fits_done}/{run.fits_total} steps, {format_duration(run.elapsed())}",
        highlight=False,
    )
    live = job_resources(run)
    if live is not None:
        out.print(f"now: {live.rss_mb:,.0f} MB RSS · {live.cpu_percent:.0f}% CPU · {live.n_processes} processes")
    elif format_resources(run.peak_rss_mb, run.cpu_s):
        out.print(format_resources(run.peak_rss_mb, run.cpu_s))
    if run.error:
        out.print(f"[red]{run.error}[/]", markup=True, highlight=False)
    table = Table("result", "value", title_justify="left")
    for name, value in d["results"].items():
        table.add_row(name, format_result(value))
    for name, shape in d["arrays"].items():
        table.add_row(name, f"array of {' × '.join(f'{n:,}' for n in shape) or 'one value'}")
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
    was_active = store.get_run(args.run_id).active
    run = cancel_run(store, args.run_id)
    ended = not was_active or run.status != "cancelled"  # ended before, or finished while being cancelled
    if args.json:
        print_json(run.to_dict() | {"already_ended": ended})
    elif ended:
        console().print(f"run {run.id} already ended: {run.status}")
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


AGE_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_age(text: str) -> float:
    """``7d``, ``12h``, ``30m``, ``90s``, ``2w`` → seconds (argparse turns the error into one line)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*", text.lower())
    if match is None:
        raise argparse.ArgumentTypeError(f"an age looks like 7d, 12h, 30m, 90s or 2w, got {text!r}")
    return float(match[1]) * AGE_UNITS[match[2]]


def _prune(args: argparse.Namespace) -> int:
    """Delete finished runs that ended more than ``--older-than`` ago (asks first on a terminal)."""
    store = open_store(args)
    store.reap()
    cutoff = time.time() - args.older_than
    old = [r for r in store.list_runs() if not r.active and (r.finished or r.created) < cutoff]
    if old and not args.yes:
        if not sys.stdin.isatty():
            raise UsageError(f"{_count(old)} would be deleted; pass --yes to prune without a terminal to ask on")
        answer = input(f"Delete {_count(old)} (ids {_ids(old)}) and their results? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            console().print("nothing deleted")
            return 0
    for run in old:
        store.delete_run(run.id)
    if args.json:
        print_json({"deleted": [r.id for r in old]})
    else:
        console().print(f"{_count(old)} deleted" + (f" (ids {_ids(old)})" if old else ""))
    return 0


def _count(runs: list[Run]) -> str:
    return f"{len(runs)} finished run" + ("" if len(runs) == 1 else "s")


def _ids(runs: list[Run]) -> str:
    ids = [str(r.id) for r in sorted(runs, key=lambda r: r.id)]
    return ", ".join(ids) if len(ids) <= 10 else ", ".join(ids[:10]) + f", … ({len(ids) - 10} more)"


ACTIONS = {"list": _list, "show": _show, "cancel": _cancel, "rm": _rm}
