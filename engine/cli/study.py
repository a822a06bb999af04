"""``mnist-explorer study``: every step of the study as jobs, in order, reusing what the store already holds.

The steps run inside one ``study`` job (the same job the Study tab's ``r`` starts), which this command starts — or
follows, when one is already going on the same data — with the study table live on screen. Ctrl+C stops following
only; ``--detach`` returns at once. With every step already done nothing is started.
"""

from __future__ import annotations

import argparse
import sys

from rich.console import Console, Group
from rich.live import Live

from engine.cli.common import console, data_spec, open_store, print_json
from engine.cli.progress import detached, store_option, wait_quietly
from engine.data import DataSpec, load_dataset
from engine.follow import NewEvents, RunFinished, RunWatcher
from engine.jobs import launch
from engine.render.study import StudyView, overall_text
from engine.store import Run, RunStore
from engine.study import JOB_KIND, active_study, read_study


def register(sub) -> None:
    from engine.cli.main import common_parent

    p = sub.add_parser(
        "study",
        parents=[common_parent()],
        help="the whole study as jobs in order (detector, threshold, multiclass, KNN search, multilabel, denoising, "
        "augmentation), reusing finished runs; the table beside the book's figures",
    )
    p.add_argument("--detach", action="store_true", help="start the study in the background, print its run id")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    spec = data_spec(args)
    load_dataset(spec)  # a bad --data fails here, in one line, before any process starts
    store = open_store(args)
    store.reap()  # a study killed with kill -9 is interrupted, not followed; its step still going is adopted
    study = active_study(store, spec)
    if study is None and read_study(store, spec).complete:
        return _print(store, spec, args.json, None)
    if study is None:
        study = launch(store, JOB_KIND, {}, spec)
    if args.detach:
        if args.json:
            print_json({"run_id": study.id})
        else:
            console().print(
                f"study started: run {study.id} — `mnist-explorer study --data {spec.spec}{store_option(store)}` "
                "to follow it",
                soft_wrap=True,  # a command to copy: never broken across lines
            )
        return 0
    ended = wait_quietly(store, study.id) if args.json else watch(store, spec, study.id, console())
    return _print(store, spec, args.json, ended)


def watch(store: RunStore, spec: DataSpec, study_id: int, out: Console, poll: float = 0.25) -> Run:
    """The study table live until study ``study_id`` ends, each step's outcome printed as it ends; Ctrl+C stops
    watching (the study goes on)."""
    watcher = RunWatcher(store)

    table = read_study(store, spec)

    def view() -> Group:
        nonlocal table
        table = read_study(store, spec, list(watcher.runs.values()) or None, previous=table)
        return Group(overall_text(table), StudyView(table))

    try:
        with Live(view(), console=out, auto_refresh=False, transient=True) as live:
            for batch in watcher.updates(poll):
                for update in batch:
                    if isinstance(update, NewEvents) and update.run_id == study_id:
                        for event in update.events:
                            if event.kind == "log":
                                live.console.print(f"  {event.payload.get('message', '')}", markup=False)
                live.update(view(), refresh=True)
                ended = [u.run for u in batch if isinstance(u, RunFinished) and u.run.id == study_id]
                seen = watcher.runs.get(study_id)
                if ended:
                    return ended[0]
                if seen is not None and not seen.active:  # ended before the watcher first saw it
                    return seen
    except KeyboardInterrupt:
        raise detached(store, study_id) from None
    return store.get_run(study_id)


def _print(store: RunStore, spec: DataSpec, as_json: bool, ended: Run | None) -> int:
    """The final table (or JSON); 1 with one line on stderr when the study ended without every step done."""
    table = read_study(store, spec)
    if as_json:
        print_json(table.to_json())
    else:
        out = console()
        out.print(f"[bold]The study[/] on {spec.spec}: {table.n_done} of {len(table.steps)} steps done")
        out.print(StudyView(table))
    if ended is not None and ended.status != "done":
        print(f"mnist-explorer: study run {ended.id} {ended.status}: {ended.error or ''}".rstrip(": "), file=sys.stderr)
        return 1
    return 0
