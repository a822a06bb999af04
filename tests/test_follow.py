"""The follow layer: typed updates from explicit store writes (a second connection plays the job), no sleeps."""

from __future__ import annotations

import os

from engine.follow import NewEvents, RunChanged, RunFinished, RunInterrupted, RunsListed, RunWatcher, follow_run
from engine.store import RunStore


def _kinds(batch):
    return [type(u).__name__ for u in batch]


def test_a_quiet_store_costs_one_cheap_poll_and_yields_nothing(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite")
    watcher = RunWatcher(store)
    assert watcher.poll() == []  # empty store: nothing listed, nothing changed
    assert watcher.poll() == []


def test_state_changes_and_events_arrive_in_order(tmp_path):
    path = tmp_path / "runs.sqlite"
    app, job = RunStore(path), RunStore(path)
    watcher = RunWatcher(app)
    run = job.create_run("binary", {"digit": 5}, {"spec": "digits"})
    first = watcher.poll()
    assert isinstance(first[0], RunsListed) and [r.id for r in first[0].runs] == [run.id]
    job.mark_running(run.id, os.getpid())
    for i in range(3):
        job.add_event(run.id, "log", {"message": f"line {i}"})
    batch = watcher.poll()
    assert _kinds(batch) == ["RunsListed", "RunChanged", "NewEvents"]
    events = next(u for u in batch if isinstance(u, NewEvents)).events
    assert [e.payload["message"] for e in events] == ["line 0", "line 1", "line 2"]
    job.add_event(run.id, "log", {"message": "line 3"})
    later = [u for u in watcher.poll() if isinstance(u, NewEvents)]
    assert [e.payload["message"] for e in later[0].events] == ["line 3"]  # only what is new: a seq cursor
    assert watcher.poll() == []


def test_a_finishing_run_comes_with_its_results(tmp_path):
    path = tmp_path / "runs.sqlite"
    app, job = RunStore(path), RunStore(path)
    run = job.create_run("binary", {}, {})
    job.mark_running(run.id, os.getpid())
    watcher = RunWatcher(app)
    watcher.poll()
    job.put_results(run.id, {"precision": 0.9})
    job.add_event(run.id, "log", {"message": "last words"})
    job.finish(run.id, "done")
    batch = watcher.poll()
    finished = [u for u in batch if isinstance(u, RunFinished)]
    assert finished[0].run.status == "done" and finished[0].results == {"precision": 0.9}
    assert any(isinstance(u, NewEvents) and u.events[-1].payload["message"] == "last words" for u in batch)
    job.add_event(run.id, "late", {})
    assert not any(isinstance(u, NewEvents) for u in watcher.poll())  # a finished run is not followed further


def test_a_vanished_job_becomes_interrupted_on_the_reap_schedule(tmp_path):
    path = tmp_path / "runs.sqlite"
    app, job = RunStore(path), RunStore(path)
    run = job.create_run("search", {}, {})
    job.mark_running(run.id, os.getpid())
    job.set_pid(run.id, 2**22 + 12345)  # no such process
    now = [100.0]
    watcher = RunWatcher(app, reap_interval=5.0, clock=lambda: now[0])
    batch = watcher.poll()  # the first poll looks for vanished jobs at once
    assert [type(u) for u in batch if isinstance(u, (RunInterrupted, RunFinished))] == [RunInterrupted, RunFinished]
    assert app.get_run(run.id).status == "interrupted"
    second = job.create_run("search", {}, {})
    job.mark_running(second.id, os.getpid())
    job.set_pid(second.id, 2**22 + 12346)
    watcher.poll()
    now[0] += 1.0
    assert not [u for u in watcher.poll() if isinstance(u, RunInterrupted)]  # not yet time to look again
    now[0] += 5.0
    batch = watcher.poll()
    assert [u.run.id for u in batch if isinstance(u, RunInterrupted)] == [second.id]
    assert [u.run.status for u in batch if isinstance(u, RunFinished)] == ["interrupted"]


def test_many_runs_at_once_each_keep_their_own_cursor(tmp_path):
    path = tmp_path / "runs.sqlite"
    app, job = RunStore(path), RunStore(path)
    watcher = RunWatcher(app)
    runs = [job.create_run("search", {"i": i}, {}) for i in range(20)]
    for r in runs:
        job.mark_running(r.id, os.getpid())
    watcher.poll()
    for round_ in range(3):
        for r in runs:
            job.add_event(r.id, "fit", {"round": round_})
    seen = {u.run_id: [e.payload["round"] for e in u.events] for u in watcher.poll() if isinstance(u, NewEvents)}
    assert seen == {r.id: [0, 1, 2] for r in runs}
    job.finish(runs[3].id, "cancelled")
    batch = watcher.poll()
    assert [u.run.id for u in batch if isinstance(u, RunChanged)] == [runs[3].id]


def test_a_deleted_run_leaves_the_list(tmp_path):
    path = tmp_path / "runs.sqlite"
    app, job = RunStore(path), RunStore(path)
    run = job.create_run("binary", {}, {})
    job.finish(run.id, "done")
    watcher = RunWatcher(app)
    watcher.poll()
    job.delete_run(run.id)
    batch = watcher.poll()
    assert isinstance(batch[0], RunsListed) and batch[0].runs == ()


def test_follow_run_gives_history_then_ends_with_the_finish(tmp_path):
    path = tmp_path / "runs.sqlite"
    app, job = RunStore(path), RunStore(path)
    run = job.create_run("binary", {}, {})
    job.mark_running(run.id, os.getpid())
    job.add_event(run.id, "log", {"message": "before"})
    steps = iter([lambda: job.add_event(run.id, "log", {"message": "during"}), lambda: job.finish(run.id, "done")])
    updates = list(follow_run(app, run.id, sleep=lambda _: next(steps)()))
    messages = [e.payload["message"] for u in updates if isinstance(u, NewEvents) for e in u.events]
    assert messages == ["before", "during"]
    assert isinstance(updates[-1], RunFinished) and updates[-1].run.status == "done"
