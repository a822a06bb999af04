"""Commands that show one job's results: reuse a finished run with the same params on the same data, else run one."""

from __future__ import annotations

from rich.console import Console

from engine.cli.progress import follow, require_done
from engine.data import DataSpec
from engine.jobs import launch
from engine.store import Run, RunStore


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
    return require_done(store, follow(store, job.id, Console(stderr=True, highlight=False)))
