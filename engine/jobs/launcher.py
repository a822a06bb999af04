"""Starting, cancelling and waiting for job processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from engine.data import DataSpec
from engine.errors import StoreError
from engine.store import Run, RunStore, pid_alive

CANCEL_GRACE_S = 0.5


def launch(store: RunStore, kind: str, params: dict, data: DataSpec, run_id: int | None = None) -> Run:
    """Create a run (or requeue ``run_id``) and start its job as a detached process that outlives us."""
    if run_id is None:
        run = store.create_run(kind, params, data.to_dict())
    else:
        store.reopen(run_id)
        run = store.get_run(run_id)
    log_dir = store.path.parent / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    with open(log_dir / f"run-{run.id}.log", "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "engine.jobs.worker", str(store.path), str(run.id)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log,
            start_new_session=True, close_fds=True, cwd=_import_root(),
        )
    store.set_pid(run.id, proc.pid)
    _children.append(proc)
    _reap_children()
    return store.get_run(run.id)


def run_inline(store: RunStore, kind: str, params: dict, data: DataSpec) -> Run:
    """Run a job in this process (for tests and debugging); the store sees it exactly as a launched one."""
    from engine.jobs.worker import execute

    run = store.create_run(kind, params, data.to_dict())
    execute(store, run.id)
    return store.get_run(run.id)


def cancel_run(store: RunStore, run_id: int) -> Run:
    """Stop a run's process (and its children) and mark it cancelled; finished results stay."""
    run = store.get_run(run_id)
    if not run.active:
        raise StoreError(f"run {run_id} is already {run.status}")
    store.finish(run_id, "cancelled")
    if run.pid and pid_alive(run.pid, run.pid_start):
        _signal_group(run.pid, signal.SIGTERM)
        deadline = time.monotonic() + CANCEL_GRACE_S
        while time.monotonic() < deadline and pid_alive(run.pid, run.pid_start):
            time.sleep(0.02)
            _reap_children()
        if pid_alive(run.pid, run.pid_start):
            _signal_group(run.pid, signal.SIGKILL)
        else:  # the job ended; make sure helpers it spawned (joblib workers) are gone too
            _signal_group(run.pid, signal.SIGKILL)
    _reap_children()
    return store.get_run(run_id)


def wait_for(store: RunStore, run_id: int, timeout: float | None = None, poll: float = 0.1) -> Run:
    """Block until a run finishes (reaping vanished processes as interrupted)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        _reap_children()
        run = store.get_run(run_id)
        if not run.active:
            return run
        store.reap()
        if deadline is not None and time.monotonic() > deadline:
            raise TimeoutError(f"run {run_id} still {run.status} after {timeout}s")
        time.sleep(poll)


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


_children: list[subprocess.Popen] = []


def _reap_children() -> None:
    """Collect exit codes of jobs this process spawned, so none lingers as a zombie."""
    _children[:] = [p for p in _children if p.poll() is None]


def _import_root() -> str:
    """The folder from which ``engine`` is importable (so the job runs this same code)."""
    return str(Path(__file__).resolve().parents[2])
