"""Jobs through the real process runner and a real SQLite store: done, failed, cancelled, killed, detached."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from helpers import LaunchedJob

from engine.cli.main import main
from engine.data import DataSpec
from engine.errors import UsageError
from engine.jobs import cancel_run, launch, wait_for
from engine.jobs.priority import job_niceness
from engine.resources import job_processes, job_resources, read_stat
from engine.store import Run, RunStore, pid_alive

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def jobs_store(store: RunStore) -> Iterator[RunStore]:
    """A store whose still-active jobs are stopped when the test ends."""
    yield store
    for run in store.list_runs():
        if run.active and run.pid and pid_alive(run.pid, run.pid_start):
            os.killpg(run.pid, signal.SIGKILL)


def wait_until(condition: Callable[[], bool], timeout: float = 120.0, what: str = "condition") -> None:
    """Wait for a job to get somewhere (on a busy machine, with the other test worker's jobs, that took over 30 s)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not reached in {timeout}s")
        time.sleep(0.02)


def working(store: RunStore, run: Run) -> bool:
    """The job has started and loaded its data (its first log line is in the store)."""
    return store.get_run(run.id).status == "running" and bool(store.events(run.id, kind="log"))


def test_binary_job_on_digits_finishes_done_with_its_results(binary_job: LaunchedJob) -> None:
    jobs_store, run = binary_job.store, binary_job.launched
    assert run.status == "queued" and run.pid is not None and run.pid != os.getpid()
    run = binary_job.finished
    assert run.status == "done", run.error
    assert run.error is None and run.finished >= run.started and run.elapsed() > 0
    assert run.fits_total == 7 and run.fits_done == 7
    assert run.peak_rss_mb > 50 and run.cpu_s > 0.1  # the job recorded what its processes used
    assert job_resources(run) is None  # nothing live once it has ended
    results = jobs_store.results(run.id)
    assert len(results["cv_accuracy"]) == 3 and all(a > 0.9 for a in results["cv_accuracy"])
    assert results["dummy_accuracy"] < min(results["cv_accuracy"])
    assert np.sum(results["confusion"]) == len(results["y_true"]) == len(results["scores_sgd"]) == 1438
    assert results["y_true"].dtype == np.int8 and results["proba_rf"].shape == (1438,)
    assert 0.5 < results["roc_auc_sgd"] <= 1 and 0.5 < results["roc_auc_rf"] <= 1
    folds = jobs_store.events(run.id, kind="fold")
    assert [(e.payload["model"], e.payload["fold"]) for e in folds] == [
        ("sgd", 0),
        ("sgd", 1),
        ("sgd", 2),
        ("rf", 0),
        ("rf", 1),
        ("rf", 2),
    ]
    assert jobs_store.log_path(run.id).is_file()


def test_a_job_that_raises_is_failed_with_a_one_line_error(
    store_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a relative --store: the job process must still write to this same file
    store = RunStore(store_path.name)
    run = launch(store, "binary", {"digit": 42}, DataSpec("digits"))
    run = wait_for(store, run.id, timeout=60)
    assert run.status == "failed"
    assert run.error.startswith("digit 42 is not a class of this data") and "\n" not in run.error
    (trace,) = store.events(run.id, kind="traceback")
    assert "UsageError" in trace.payload["text"]
    store.close()


# cancelling takes well under a second on an idle machine; the bound leaves room for a loaded one (the suite's other
# worker runs jobs too) and still catches a wait for a grace period or for the job's next event
CANCEL_BOUND_S = 3.0


def test_an_unknown_job_kind_is_refused_before_anything_starts(store: RunStore) -> None:
    with pytest.raises(UsageError, match="unknown job kind 'astrology'"):
        launch(store, "astrology", {}, DataSpec("digits"))
    assert store.list_runs() == []


def test_cancel_stops_a_running_job_at_once(jobs_store: RunStore) -> None:
    run = launch(jobs_store, "binary", {"digit": 5}, DataSpec("mnist5k"))
    wait_until(lambda: working(jobs_store, run), what="job running")
    started = time.monotonic()
    cancelled = cancel_run(jobs_store, run.id)
    assert time.monotonic() - started < CANCEL_BOUND_S
    assert cancelled.status == "cancelled" and cancelled.finished is not None
    assert not pid_alive(run.pid, jobs_store.get_run(run.id).pid_start)
    seen = len(jobs_store.events(run.id))
    time.sleep(0.3)
    assert len(jobs_store.events(run.id)) == seen  # nothing writes any more
    assert wait_for(jobs_store, run.id, timeout=1).status == "cancelled"
    assert cancel_run(jobs_store, run.id).status == "cancelled"  # cancelling an ended run changes nothing


def test_user_can_cancel_a_run_from_the_cli(
    jobs_store: RunStore, store_path: Path, capsys: pytest.CaptureFixture
) -> None:
    run = launch(jobs_store, "binary", {"digit": 5}, DataSpec("mnist5k"))
    wait_until(lambda: working(jobs_store, run), what="job running")
    started = time.monotonic()
    assert main(["runs", "cancel", str(run.id), "--store", str(store_path), "--json"]) == 0
    assert time.monotonic() - started < CANCEL_BOUND_S
    assert json.loads(capsys.readouterr().out)["status"] == "cancelled"
    assert not pid_alive(run.pid, jobs_store.get_run(run.id).pid_start)
    assert main(["runs", "cancel", str(run.id), "--store", str(store_path)]) == 0  # information, not an error
    out, err = capsys.readouterr()
    assert f"run {run.id} already ended: cancelled" in out and err == ""


def test_a_cancel_that_races_the_end_of_a_run_says_so_and_succeeds(
    store: RunStore, store_path: Path, capsys: pytest.CaptureFixture
) -> None:
    run = store.create_run("binary", {}, {"spec": "digits"})
    store.finish(run.id, "done")
    assert main(["runs", "cancel", str(run.id), "--store", str(store_path), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["status"] == "done" and shown["already_ended"] is True
    assert main(["runs", "cancel", str(run.id), "--store", str(store_path)]) == 0
    assert f"run {run.id} already ended: done" in capsys.readouterr().out


def test_a_run_cancelled_before_its_process_gets_going_never_runs(jobs_store: RunStore) -> None:
    run = launch(jobs_store, "binary", {"digit": 5}, DataSpec("digits"))
    assert cancel_run(jobs_store, run.id).status == "cancelled"
    wait_until(lambda: not pid_alive(run.pid, None), timeout=5, what="process gone")
    final = jobs_store.get_run(run.id)
    assert final.status == "cancelled" and final.started is None
    assert jobs_store.events(run.id) == [] and jobs_store.results(run.id) == {}


def test_a_killed_job_is_interrupted_and_keeps_the_results_it_saved(
    jobs_store: RunStore, store_path: Path, capsys: pytest.CaptureFixture
) -> None:
    run = launch(jobs_store, "binary", {"digit": 5}, DataSpec("digits"))
    wait_until(lambda: "scores_sgd" in jobs_store.result_names(run.id), what="first results saved")
    os.kill(run.pid, signal.SIGKILL)
    saved = jobs_store.results(run.id)
    wait_until(lambda: not pid_alive(run.pid, jobs_store.get_run(run.id).pid_start), timeout=5, what="death")
    assert jobs_store.get_run(run.id).status == "running"  # nobody has looked yet

    assert main(["runs", "list", "--json", "--store", str(store_path)]) == 0  # looking reaps it
    (listed,) = json.loads(capsys.readouterr().out)
    assert listed["status"] == "interrupted" and "killed or crashed" in listed["error"]
    after = jobs_store.results(run.id)
    assert set(after) == set(saved) >= {"cv_accuracy", "scores_sgd", "y_true"}
    assert after["cv_accuracy"] == saved["cv_accuracy"]
    assert np.array_equal(after["scores_sgd"], saved["scores_sgd"])
    final = jobs_store.get_run(run.id)
    assert final.finished == final.heartbeat and final.elapsed() < time.time() - final.started
    assert jobs_store.reap() == []


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds a job's processes in Linux's /proc")
def test_nothing_of_a_killed_job_outlives_it_once_it_is_marked_interrupted(
    jobs_store: RunStore, store_path: Path, capsys: pytest.CaptureFixture
) -> None:
    from engine.search.runner import search_params

    grid = {"alpha": [1e-4, 1e-3, 1e-2, 1e-1], "max_iter": [3000, 4000]}  # fits in joblib's loky worker processes
    run = launch(jobs_store, "search", search_params("sgd", grid, cv=3), DataSpec("digits"))
    wait_until(lambda: len(job_processes(run.pid, run.pid_start)) >= 3, timeout=120, what="loky workers running")
    live = job_resources(jobs_store.get_run(run.id))
    assert live is not None and live.n_processes >= 3 and live.rss_mb > 50 and live.cpu_s > 0
    run = jobs_store.get_run(run.id)
    os.kill(run.pid, signal.SIGKILL)
    wait_until(lambda: not pid_alive(run.pid, run.pid_start), timeout=5, what="the job's death")
    helpers = [p.pid for p in job_processes(run.pid, run.pid_start)]
    assert helpers, "its loky workers and resource trackers live on by themselves"

    assert main(["runs", "list", "--json", "--store", str(store_path)]) == 0  # looking reaps it
    (listed,) = json.loads(capsys.readouterr().out)
    assert listed["status"] == "interrupted"
    wait_until(lambda: not job_processes(run.pid, run.pid_start), timeout=5, what="no process of the job left")
    assert not any(read_stat(pid) and read_stat(pid).state not in "ZX" for pid in helpers)
    shm = Path("/dev/shm")  # nor the shared memory its joblib made (semaphores, memory-mapped folders)
    assert not [n for n in (os.listdir(shm) if shm.is_dir() else []) if f"-{run.pid}-" in n or f"_{run.pid}_" in n]


LAUNCHER = """
import sys
from engine.data import DataSpec
from engine.jobs import launch
from engine.store import RunStore
print(launch(RunStore(sys.argv[1]), "binary", {"digit": 3}, DataSpec("digits")).id)
"""


def test_a_job_outlives_its_launcher_and_ignores_a_hangup(jobs_store: RunStore, store_path: Path) -> None:
    launcher = subprocess.run(
        [sys.executable, "-c", LAUNCHER, str(store_path)], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert launcher.returncode == 0, launcher.stderr
    run = jobs_store.get_run(int(launcher.stdout))
    assert run.active and pid_alive(run.pid, run.pid_start)  # the launcher is gone, its job is not
    wait_until(lambda: working(jobs_store, run), what="job running")
    os.kill(run.pid, signal.SIGHUP)  # what a dropped SSH connection would send
    done = wait_for(jobs_store, run.id, timeout=60)
    assert done.status == "done", done.error
    assert done.params == {"digit": 3} and len(jobs_store.get_result(run.id, "cv_accuracy")) == 3


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads thread priorities from Linux's /proc")
def test_a_job_runs_as_background_work_in_every_thread_and_its_autogroup(
    jobs_store: RunStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MNIST_EXPLORER_JOB_NICENESS")  # the default, 19 (conftest runs jobs at the tests' priority)
    assert job_niceness() == 19
    run = launch(jobs_store, "learning_curve", {"digit": 5, "epochs": 400}, DataSpec("digits"))
    wait_until(lambda: working(jobs_store, run), what="job running")
    tasks = Path(f"/proc/{run.pid}/task")
    # field 19 of a thread's stat is its nice value (after the command, which is in parentheses)
    nices = {int(tid.name): int((tid / "stat").read_text().rsplit(")", 1)[1].split()[16]) for tid in tasks.iterdir()}
    assert len(nices) > 1 and set(nices.values()) == {job_niceness()}, nices  # BLAS threads predate the change too
    autogroup = Path(f"/proc/{run.pid}/autogroup")
    if autogroup.exists():  # a kernel with autogroups shares the CPU between sessions by this value first
        assert autogroup.read_text().split()[-1] == str(job_niceness())
    cancel_run(jobs_store, run.id)


def test_a_step_event_and_the_step_count_are_written_together(store: RunStore) -> None:
    from engine.jobs import JobContext

    run = store.create_run("search", {}, {"spec": "digits"})
    ctx = JobContext(store, run)
    ctx.progress(0, 4)
    for fold in range(3):  # faster than the progress throttle: each count still lands with its event
        ctx.step_event("fit", config=0, fold=fold)
        assert store.get_run(run.id).fits_done == fold + 1 == len(store.events(run.id, kind="fit"))
