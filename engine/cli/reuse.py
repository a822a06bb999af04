"""Commands that show one job's results: reuse a finished run with the same params on the same data, else run one."""

from __future__ import annotations

from rich.console import Console

from engine.cli.progress import follow, store_option
from engine.data import DataSpec
from engine.errors import ExplorerError
from engine.jobs import launch
from engine.store import Run, RunStore


class RunFailed(ExplorerError):
    """The job ended without results (failed, cancelled or interrupted)."""


def latest_done(store: RunStore, kind: str, params: dict, spec: DataSpec) -> Run | None:
    """The newest done run of ``kind`` with exactly ``params`` on ``spec``, or None."""
    data = spec.to_dict()
    return next(
        (r for r in store.list_runs(kind) if r.status == "done" and r.params == params and r.data == data), None
    )


def ensure_run(store: RunStore, kind: str, params: dict, spec: DataSpec) -> Run:
    """The newest done matching run, or a new one launched and followed to its end (progress on stderr)."""
    done = latest_done(store, kind, params, spec)
    if done is not None:
        return done
    job = launch(store, kind, params, spec)
    run = follow(store, job.id, Console(stderr=True, highlight=False))
    if run.status != "done":
        reason = f": {run.error}" if run.error else ""
        raise RunFailed(
            f"run {run.id} {run.status}{reason} (`mnist-explorer runs show {run.id}{store_option(store)}` for details)"
        )
    return run
