"""A job's processes and what they use, read from Linux's /proc: finding, measuring and ending them.

The launcher starts each job in a session of its own, so the job's pid is also its process group id and session id,
and every helper it starts (joblib/loky workers, resource trackers) inherits both. Linux does not hand out a pid
again while it still names a live process group or session, so once the job's own process is gone, whatever is left
in its group or session is a leftover of that job — provided the pid has not gone to a new process meanwhile, which
the start time stored with the run (``pid_start``) rules out. Without /proc (not Linux) nothing is found.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from engine.errors import StoreError

if TYPE_CHECKING:
    from engine.store import Run, RunStore

SAMPLE_INTERVAL_S = 1.0  # how often a job samples its processes (a scan of /proc costs ~5 ms of CPU)
WRITE_INTERVAL_S = 5.0  # how often it records its peak RSS and CPU time so far (and once more when it ends)
TRACKER_GRACE_S = 1.0  # how long a job's resource trackers get to clean up and exit once the rest of it is gone
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
MB = 1024 * 1024


@dataclass(frozen=True)
class ProcStat:
    """The fields of ``/proc/PID/stat`` this module needs."""

    pid: int
    state: str
    pgrp: int
    session: int
    cpu_ticks: int  # utime + stime, plus cutime + cstime of the children it has waited for
    start: int  # clock ticks after boot
    rss: int  # bytes

    @property
    def cpu_s(self) -> float:
        return self.cpu_ticks / _TICKS


def read_stat(pid: int) -> ProcStat | None:
    """Process ``pid`` as /proc shows it (zombies included); None if there is no such process."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            text = fh.read().decode(errors="replace")
    except OSError:
        return None
    f = text[text.rfind(")") + 2 :].split()  # the command, in parentheses, may hold spaces
    try:
        return ProcStat(pid, f[0], int(f[2]), int(f[3]), sum(map(int, f[11:15])), int(f[19]), int(f[21]) * _PAGE)
    except (IndexError, ValueError):
        return None


def job_processes(pid: int | None, start: str | None) -> list[ProcStat]:
    """The live processes of job ``pid`` (itself, if alive, and all of its process group and session).

    Empty when the start time is unknown or the pid now belongs to a process that started later (pid reuse: the
    job's group was empty when that happened, so nothing of it is left).
    """
    if not pid or start is None or not start.isdigit():
        return []
    started = int(start)
    leader = read_stat(pid)
    if leader is not None and leader.start != started:
        return []
    try:
        pids = [int(name) for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return []
    found = []
    for other in pids:
        stat = read_stat(other)
        if (
            stat is not None
            and pid in (stat.pgrp, stat.session)
            and stat.start >= started
            and stat.state not in ("Z", "X")  # a zombie holds no memory and cannot be signalled away
        ):
            found.append(stat)
    return found


def end_processes(
    pid: int | None, start: str | None, sig: int = signal.SIGKILL, own: bool = False, trackers: bool = True
) -> int:
    """Send ``sig`` to the live processes of job ``pid`` (never to this process); returns how many.

    Resource trackers (joblib's and multiprocessing's) are signalled last, and only if still there
    ``TRACKER_GRACE_S`` after the others: once every other process of the job is gone their pipes close, and they
    clean up what the job left (shared memory, memory-mapped folders in /dev/shm) and exit by themselves.
    ``trackers=False`` leaves them alone (the job ending its own helpers: its trackers end when it does).
    ``own`` is for the job itself: otherwise a ``pid`` that is this process or its group or session (a job run
    inline, in a test say) is left alone, since that group is the caller's own.
    """
    me = os.getpid()
    if not pid or (not own and pid in (me, os.getpgid(0), os.getsid(0))):
        return 0
    procs = [p for p in job_processes(pid, start) if p.pid != me]
    helpers = [p for p in procs if not _is_tracker(p.pid)]
    sent = _signal(helpers, sig)
    if not trackers or len(helpers) == len(procs):
        return sent
    deadline = time.monotonic() + TRACKER_GRACE_S
    while time.monotonic() < deadline and any(_alive(p.pid) for p in procs if p not in helpers):
        time.sleep(0.02)
    left = [p for p in job_processes(pid, start) if p.pid != me]
    if not left:
        return sent
    sent += _signal(left, sig)
    leader = read_stat(pid)
    if sig == signal.SIGKILL and (leader is None or str(leader.start) == start):  # the pid is still the job's
        _remove_shared_files(pid)  # what the killed trackers would have cleaned up
    return sent


def _alive(pid: int) -> bool:
    stat = read_stat(pid)
    return stat is not None and stat.state not in ("Z", "X")


def _remove_shared_files(pid: int) -> None:
    """Delete the shared memory a job's joblib left (memory-mapped array folders, loky semaphores), which its
    resource trackers remove when they are not killed first. Their names carry the job's pid."""
    for folder in {Path("/dev/shm"), Path(tempfile.gettempdir())}:
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            if name.startswith(f"joblib_memmapping_folder_{pid}_"):
                shutil.rmtree(folder / name, ignore_errors=True)
            elif name.startswith(f"sem.loky-{pid}-"):
                (folder / name).unlink(missing_ok=True)


def _signal(procs: list[ProcStat], sig: int) -> int:
    sent = 0
    for stat in procs:
        try:
            os.kill(stat.pid, sig)
            sent += 1
        except OSError:  # ended meanwhile
            pass
    return sent


def _is_tracker(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return b"resource_tracker" in fh.read()
    except OSError:
        return False


@dataclass(frozen=True)
class Resources:
    """What a running job's processes use right now (all of them together)."""

    rss_mb: float
    cpu_s: float  # CPU time of its live processes so far
    cpu_percent: float  # of one core, since the ``since`` sample (else on average since the job started)
    n_processes: int
    at: float  # time.monotonic() of the sample


def job_resources(run: Run, since: Resources | None = None) -> Resources | None:
    """The live RSS, CPU use and process count of an active run's processes; None if it has none (or no /proc).

    Pass the previous sample as ``since`` to get the CPU percentage over the time between the two.
    """
    if not run.active:
        return None
    procs = job_processes(run.pid, run.pid_start)
    if not procs:
        return None
    now = time.monotonic()
    cpu = sum(p.cpu_s for p in procs)
    if since is not None and now > since.at:
        percent = max(0.0, cpu - since.cpu_s) / (now - since.at) * 100
    else:
        leader = next((p for p in procs if p.pid == run.pid), None)
        age = _age_s(leader.start) if leader else 0.0
        percent = cpu / age * 100 if age > 0 else 0.0
    return Resources(round(sum(p.rss for p in procs) / MB, 1), round(cpu, 2), round(percent, 1), len(procs), now)


def _age_s(start_ticks: int) -> float:
    """Seconds since a process started, from its start time in clock ticks after boot."""
    try:
        with open("/proc/uptime") as fh:
            uptime = float(fh.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0
    return max(0.0, uptime - start_ticks / _TICKS)


class ResourceMonitor:
    """Inside a job: samples its processes in a daemon thread and records their peak RSS and CPU time on the run.

    The peak is the largest sum of the processes' RSS seen at a sample (at least this process's own peak, which
    the kernel keeps exactly); CPU time adds what earlier processes of the run recorded (a resumed search).
    Used as a context manager around the job's work: leaving it takes a last sample and writes it.
    """

    def __init__(self, store: RunStore, run: Run, interval: float = SAMPLE_INTERVAL_S) -> None:
        self.store = store
        self.run_id = run.id
        self.pid = os.getpid()
        me = read_stat(self.pid)
        self.start = str(me.start) if me else None
        self.interval = interval
        self.base_cpu_s = run.cpu_s or 0.0
        self.peak_mb = run.peak_rss_mb or 0.0
        self.cpu_s = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="resource-monitor", daemon=True)

    def sample(self) -> None:
        procs = job_processes(self.pid, self.start) if self.start else []
        own_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / MB  # Linux: kilobytes
        self.peak_mb = max(self.peak_mb, own_peak, sum(p.rss for p in procs) / MB)
        own = os.times()
        self.cpu_s = max(
            self.cpu_s, sum(p.cpu_s for p in procs), own.user + own.system + own.children_user + own.children_system
        )

    def write(self) -> None:
        try:
            self.store.set_resources(self.run_id, round(self.peak_mb, 1), round(self.base_cpu_s + self.cpu_s, 2))
        except StoreError:  # a store busy for longer than its timeout: the figures are only a record, never fail a job
            pass

    def _loop(self) -> None:
        last_write = time.monotonic()
        while not self._stop.wait(self.interval):
            self.sample()
            if time.monotonic() - last_write >= WRITE_INTERVAL_S:
                self.write()
                last_write = time.monotonic()

    def __enter__(self) -> ResourceMonitor:
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join(timeout=2 * self.interval)
        self.sample()
        self.write()
