"""Starting, cancelling and waiting for job processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from engine.data import DataSpec
from engine.errors import StoreError, UsageError
from engine.jobs.priority import job_niceness
from engine.jobs.registry import JOB_KINDS
from engine.resources import end_processes, job_processes
from engine.store import Run, RunStore, pid_alive

CANCEL_GRACE_S = 0.3  # how long a cancelled job gets to stop on SIGTERM before SIGKILL
KILL_WAIT_S = 0.4  # how long cancel_run then waits for the process to be gone


def launch(store: RunStore, kind: str, params: dict, data: DataSpec, run_id: int | None = None) -> Run:
    """Create a run (or requeue ``run_id``) and start its job as a detached process that outlives us.

    The process runs in a session of its own (no controlling terminal: closing the terminal or a dropped SSH
    connection does not reach it); its stdout and stderr go to ``store.log_path(run.id)``.
    """
    if kind not in JOB_KINDS:
        raise UsageError(f"unknown job kind {kind!r}; known: {', '.join(sorted(JOB_KINDS))}")
    job_niceness()  # a bad MNIST_EXPLORER_JOB_NICENESS is refused here, not in the job's process
    if run_id is None:
        run = store.create_run(kind, params, data.to_dict())
    else:
        store.reopen(run_id)
        run = store.get_run(run_id)
    log_path = store.log_path(run.id)
    try:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(log_path, "ab")  # noqa: SIM115 - handed to the child process, closed after spawning
    except OSError as exc:
        store.finish(run.id, "failed", f"cannot write the job's log {log_path} ({exc.strerror or exc})")
        raise StoreError(f"{log_path}: cannot write the job's log ({exc.strerror or exc})") from None
    try:
        with log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "engine.jobs.worker", str(store.path.absolute()), str(run.id)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
                close_fds=True,
                cwd=_import_root(),
            )
    except OSError as exc:
        store.finish(run.id, "failed", f"cannot start the job process ({exc.strerror or exc})")
        raise StoreError(f"run {run.id}: cannot start the job process ({exc.strerror or exc})") from None
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
    """Stop a run's processes (the job and every helper it started) and mark it cancelled; finished results stay.

    The run is marked cancelled first (so the job cannot then finish as done), its processes get SIGTERM and
    whatever is left after ``CANCEL_GRACE_S`` SIGKILL: they are gone within a second. A run that had already
    ended, or ends meanwhile, keeps the status it ended with (check the returned run's status): only leftovers
    of its processes are ended.
    """
    run = store.get_run(run_id)
    ending = run.active and store.finish(run_id, "cancelled")
    if run.pid == os.getpid():  # a job run inline in this very process: marking it cancelled is all we can do
        return store.get_run(run_id)
    if ending and pid_alive(run.pid, run.pid_start):
        end_processes(run.pid, run.pid_start, signal.SIGTERM, trackers=False)  # trackers ignore SIGTERM
        _wait_gone(run.pid, run.pid_start, CANCEL_GRACE_S)
    # SIGKILL whatever is left: the job if it is stuck in native code, and helpers it spawned (joblib workers)
    end_processes(run.pid, run.pid_start)
    _wait_gone(run.pid, run.pid_start, KILL_WAIT_S)
    return store.get_run(run_id)


def _wait_gone(pid: int | None, start: str | None, seconds: float) -> None:
    """Wait up to ``seconds`` until nothing of job ``pid`` is alive (collecting the exit codes of our children)."""
    deadline = time.monotonic() + seconds
    while True:
        _reap_children()
        if not job_processes(pid, start) or time.monotonic() > deadline:
            return
        time.sleep(0.02)


def wait_for(store: RunStore, run_id: int, timeout: float | None = None, poll: float = 0.1) -> Run:
    """Block until a run finishes (the follow layer marks a vanished process interrupted)."""
    from engine.follow import RunFinished, follow_run

    deadline = None if timeout is None else time.monotonic() + timeout

    def pause(seconds: float) -> None:
        _reap_children()
        if deadline is not None and time.monotonic() > deadline:
            raise TimeoutError(f"run {run_id} still {store.get_run(run_id).status} after {timeout}s")
        time.sleep(seconds)

    for update in follow_run(store, run_id, interval=poll, sleep=pause):
        if isinstance(update, RunFinished):
            return update.run
    return store.get_run(run_id)


_children: list[subprocess.Popen] = []


def _reap_children() -> None:
    """Collect exit codes of jobs this process spawned, so none lingers as a zombie."""
    _children[:] = [p for p in _children if p.poll() is None]


def _import_root() -> str:
    """The folder from which ``engine`` is importable (so the job runs this same code)."""
    return str(Path(__file__).resolve().parents[2])
