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

# the lowest priority: a job only takes CPU time nothing interactive wants. MNIST_EXPLORER_JOB_NICENESS overrides it
# (a benchmark timing jobs beside a peer at the same, ordinary priority on a machine busy with other work)
JOB_NICENESS = int(os.environ.get("MNIST_EXPLORER_JOB_NICENESS", "19"))


def become_background(niceness: int = JOB_NICENESS) -> None:
    """Lower this process's CPU priority to ``niceness``: its autogroup (if any) and each of its threads."""
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
