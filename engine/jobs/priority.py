"""Make a job process background work, so the app a person is typing into always gets the CPU first.

On Linux a job started in a session of its own (as the launcher does) lands in an *autogroup* of its own when the
kernel has them (``/proc/sys/kernel/sched_autogroup_enabled``), and the scheduler first shares the CPU between
autogroups by their own nice value: a process's nice then only ranks it inside its group. Measured in
``benchmarks/bench_latency.py``: with only the process niced, the app's UI thread still waited 2.4 s in 8 s for a
CPU while two jobs ran; with the autogroup niced too, 0.14 s. So both are raised — the group's and every thread's
(Linux nice is per thread, and numpy's BLAS threads exist before this runs; later threads inherit it).
"""

from __future__ import annotations

import os
from pathlib import Path

from engine.errors import UsageError

NICENESS_VARIABLE = "MNIST_EXPLORER_JOB_NICENESS"
DEFAULT_NICENESS = 19  # the lowest priority: a job only takes CPU time nothing interactive wants


def job_niceness() -> int:
    """The niceness jobs run at: 19, or ``MNIST_EXPLORER_JOB_NICENESS`` (0–19; e.g. a benchmark timing jobs beside a
    peer at ordinary priority on a machine busy with other work). Checked before a job starts."""
    text = os.environ.get(NICENESS_VARIABLE, str(DEFAULT_NICENESS)).strip()
    if not text.isdigit() or int(text) > 19:
        raise UsageError(f"{NICENESS_VARIABLE} must be a whole number from 0 to 19, got {text!r}")
    return int(text)


def become_background(niceness: int | None = None) -> None:
    """Lower this process's CPU priority to ``niceness`` (default :func:`job_niceness`): its autogroup (if any) and
    each of its threads."""
    niceness = job_niceness() if niceness is None else niceness
    try:
        Path("/proc/self/autogroup").write_text(str(niceness))
    except OSError:  # not Linux, or a kernel without autogroups
        pass
    tasks = Path("/proc/self/task")
    threads = [int(tid) for tid in os.listdir(tasks)] if tasks.is_dir() else [0]
    for tid in threads:
        try:
            os.setpriority(os.PRIO_PROCESS, tid, max(niceness, os.getpriority(os.PRIO_PROCESS, tid)))
        except OSError:  # the thread ended meanwhile
            pass
