"""The job process: ``python -m engine.jobs.worker STORE RUN_ID``. Runs one job and records how it ended."""

from __future__ import annotations

import os
import signal
import sys
import traceback

from engine.errors import ExplorerError
from engine.jobs.context import Cancelled, JobContext
from engine.jobs.priority import become_background
from engine.jobs.registry import job_function
from engine.resources import ResourceMonitor, end_processes, read_stat
from engine.store import RunStore


def _on_sigterm(signum, frame) -> None:
    raise Cancelled()


def one_line(exc: BaseException) -> str:
    """An exception as one line for a person: its first line, prefixed by its type unless it is ours."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if isinstance(exc, ExplorerError) and text:
        return text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def execute(store: RunStore, run_id: int) -> str:
    """Run job ``run_id`` in this process; returns the final status.

    A run that is no longer queued (cancelled before its process got going) is left as it is.
    """
    store.mark_running(run_id, os.getpid())
    run = store.get_run(run_id)
    if run.status != "running":  # cancelled before it started
        return run.status
    ctx = JobContext(store, run)
    try:
        with ResourceMonitor(store, run):  # records the peak RSS and CPU time of the job's processes together
            job_function(run.kind)(ctx)
    except Cancelled:
        store.finish(run_id, "cancelled")
        return "cancelled"
    except Exception as exc:  # a job that raises is failed with its one-line error
        store.add_event(run_id, "traceback", {"text": traceback.format_exc()})
        store.finish(run_id, "failed", one_line(exc))
        return "failed"
    except BaseException as exc:  # SystemExit, KeyboardInterrupt: record why, then let it end the process
        store.finish(run_id, "failed", one_line(exc))
        raise
    store.finish(run_id, "done")
    return store.get_run(run_id).status


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    store_path, run_id = argv[0], int(argv[1])
    signal.signal(signal.SIGTERM, _on_sigterm)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)  # a dropped SSH session must not stop the job
    become_background()
    store = RunStore(store_path)
    try:
        status = execute(store, run_id)
    finally:
        _end_helpers()
    return 0 if status == "done" else 1


def _end_helpers() -> None:
    """End what this job started and left running (idle joblib/loky workers, resource trackers): nothing of a job
    outlives it. Only when the job leads its own session, as the launcher starts it."""
    me = read_stat(os.getpid())
    if me is not None and me.session == me.pid:
        end_processes(me.pid, str(me.start), own=True, trackers=False)


if __name__ == "__main__":
    sys.exit(main())
