"""The run store: versioned schema, refusal of foreign files, .npy results, reaping vanished jobs, concurrency."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from engine.cli.main import main
from engine.errors import StoreError
from engine.store import APPLICATION_ID, LAUNCH_GRACE_S, SCHEMA_VERSION, RunStore, process_start_time

V1_RUNS = """CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, params TEXT NOT NULL,
    data TEXT NOT NULL, status TEXT NOT NULL, created REAL NOT NULL, started REAL, finished REAL, pid INTEGER,
    pid_start TEXT, error TEXT, fits_done INTEGER NOT NULL DEFAULT 0, fits_total INTEGER NOT NULL DEFAULT 0)"""


def cli_error(capsys: pytest.CaptureFixture, *argv: str) -> str:
    """Run the CLI expecting a user error: exit code 2 and exactly one line on stderr, which is returned."""
    assert main(list(argv)) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith("mnist-explorer: error: ")
    return err


def dead_pid() -> int:
    """The pid of a process that has finished and been waited for."""
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def sql(path: Path, statement: str, args: tuple = ()) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute(statement, args)
    conn.close()


def marks(path: Path) -> tuple[int, int]:
    """The store's application_id and user_version, as SQLite reads them."""
    with sqlite3.connect(path) as conn:
        found = conn.execute("PRAGMA application_id").fetchone()[0], conn.execute("PRAGMA user_version").fetchone()[0]
    conn.close()
    return found


def test_new_store_records_its_schema_version_and_is_marked_as_ours(store: RunStore, store_path: Path) -> None:
    assert store.schema_version == SCHEMA_VERSION == 3
    with sqlite3.connect(store_path) as conn:
        meta = dict(conn.execute("SELECT key, value FROM meta"))
        journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
    conn.close()
    assert meta == {"schema_version": "3", "application": "mnist-explorer"}
    assert journal == "wal"
    assert marks(store_path) == (APPLICATION_ID, 3)


def test_a_version_1_store_is_migrated_and_keeps_its_runs(store_path: Path) -> None:
    with sqlite3.connect(store_path) as conn:
        conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        conn.execute(V1_RUNS)
        conn.execute("CREATE TABLE events (run_id INTEGER, seq INTEGER, time REAL, kind TEXT, payload TEXT)")
        conn.execute("CREATE TABLE results (run_id INTEGER, name TEXT, format TEXT, value BLOB)")
        conn.execute("INSERT INTO meta VALUES ('schema_version', '1')")
        conn.execute(
            "INSERT INTO runs (kind, params, data, status, created) "
            "VALUES ('binary', '{\"digit\": 3}', '{\"spec\": \"digits\"}', 'done', 1.0)"
        )
    conn.close()
    store = RunStore(store_path)
    assert store.schema_version == 3 and marks(store_path) == (APPLICATION_ID, 3)
    (run,) = store.list_runs()
    assert (run.kind, run.params, run.status, run.heartbeat) == ("binary", {"digit": 3}, "done", None)
    assert (run.peak_rss_mb, run.cpu_s) == (None, None)
    store.set_progress(run.id, 1, 2)
    store.set_resources(run.id, 120.5, 3.25)
    again = store.get_run(run.id)
    assert again.heartbeat is not None and (again.peak_rss_mb, again.cpu_s) == (120.5, 3.25)


def test_a_version_2_store_is_migrated_marked_and_keeps_its_runs(store: RunStore, store_path: Path) -> None:
    run = store.create_run("binary", {"digit": 5}, {"spec": "digits"})
    store.close()
    with sqlite3.connect(store_path) as conn:  # what schema 2 looked like: no marks, no resource columns
        conn.execute("ALTER TABLE runs DROP COLUMN peak_rss_mb")
        conn.execute("ALTER TABLE runs DROP COLUMN cpu_s")
        conn.execute("UPDATE meta SET value='2' WHERE key='schema_version'")
        conn.execute("PRAGMA application_id = 0")
        conn.execute("PRAGMA user_version = 0")
    conn.close()
    RunStore._checked_files.clear()  # as a new process would see it
    migrated = RunStore(store_path)
    assert migrated.schema_version == 3 and marks(store_path) == (APPLICATION_ID, 3)
    assert [r.id for r in migrated.list_runs()] == [run.id]
    migrated.close()


def test_a_store_from_a_newer_version_is_refused(
    store: RunStore, store_path: Path, capsys: pytest.CaptureFixture
) -> None:
    store.close()
    sql(store_path, "PRAGMA user_version = 99")
    with pytest.raises(StoreError, match="schema v99 is newer"):
        RunStore(store_path)
    cli_error(capsys, "runs", "list", "--store", str(store_path))


@pytest.mark.parametrize("value", ["two", "2.5", "²"])
def test_a_schema_version_that_is_not_a_whole_number_is_one_line(
    value: str, store: RunStore, store_path: Path, capsys: pytest.CaptureFixture
) -> None:
    store.close()
    sql(store_path, "UPDATE meta SET value=? WHERE key='schema_version'", (value,))
    RunStore._checked_files.clear()
    err = cli_error(capsys, "runs", "list", "--store", str(store_path))
    assert "is not a whole number" in err


@pytest.mark.parametrize(
    "header, message",
    [
        (b"Chapter 1\n", "is not an SQLite database (left untouched)"),
        (b"SQLite format 3\x00", "cannot use this store (file is not a database)"),
    ],
    ids=["text", "sqlite-header-then-garbage"],
)
def test_a_file_that_is_not_a_database_is_refused_and_left_byte_identical(
    header: bytes, message: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    path = tmp_path / "thesis.txt"
    content = header + b"My precious notes, not a database.\n" * 150
    path.write_bytes(content)
    with pytest.raises(StoreError, match=re.escape(message)):
        RunStore(path)
    err = cli_error(capsys, "runs", "list", "--store", str(path))
    assert message in err
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis.txt"]


FOREIGN = {
    "plain": ["CREATE TABLE notes (body TEXT)", "INSERT INTO notes VALUES ('keep me')"],
    "own-meta-table": ["CREATE TABLE meta (key TEXT, value TEXT)", "CREATE TABLE notes (body TEXT)"],
    "only-a-view": ["CREATE VIEW answer AS SELECT 42"],
    "empty-with-its-application-id": ["PRAGMA application_id = 1234"],
    "empty-with-its-user-version": ["PRAGMA user_version = 7"],
    "our-tables-its-application-id": [
        "PRAGMA application_id = 99",
        "CREATE TABLE meta (key TEXT, value TEXT)",
        "CREATE TABLE runs (id INTEGER)",
        "CREATE TABLE events (id INTEGER)",
        "CREATE TABLE results (id INTEGER)",
        "INSERT INTO meta VALUES ('schema_version', '2')",
    ],
    "wal-mode": ["PRAGMA journal_mode = WAL", "CREATE TABLE notes (body TEXT)"],
}


@pytest.mark.parametrize("kind", list(FOREIGN))
def test_an_sqlite_database_that_is_not_ours_is_refused_untouched(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in FOREIGN[kind]:
        conn.execute(statement)
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not a mnist-explorer store"):
        RunStore(path)
    err = cli_error(capsys, "runs", "list", "--store", str(path))
    assert "left untouched" in err
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.db"]


def test_a_store_with_damaged_pages_is_one_line(store: RunStore, store_path: Path, capsys) -> None:
    run = store.create_run("binary", {}, {"spec": "digits"})
    for i in range(300):
        store.add_event(run.id, "log", {"message": "x" * 200 + str(i)})
    store.close()
    data = bytearray(store_path.read_bytes())
    page = 4096
    assert len(data) > 10 * page
    data[3 * page : len(data) - page] = b"\xff" * (len(data) - 4 * page)  # keep the header and schema page
    store_path.write_bytes(bytes(data))
    RunStore._checked_files.clear()
    err = cli_error(capsys, "runs", "show", str(run.id), "--store", str(store_path))
    assert "malformed" in err or "not a database" in err


@pytest.mark.parametrize("where", ["under a regular file", "in /proc", "a folder"])
def test_an_unusable_store_path_is_one_line_exit_2(where: str, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "plain.txt").write_text("x")
    path = {
        "under a regular file": tmp_path / "plain.txt" / "runs.sqlite",
        "in /proc": Path("/proc/mnist-explorer-test/runs.sqlite"),
        "a folder": tmp_path,
    }[where]
    with pytest.raises(StoreError):
        RunStore(path)
    err = cli_error(capsys, "runs", "list", "--store", str(path))
    assert str(path) in err or str(path.parent) in err


@pytest.mark.parametrize("action", ["show", "cancel", "rm"])
def test_an_unknown_run_id_is_one_line_exit_2(
    action: str, store: RunStore, store_path: Path, capsys: pytest.CaptureFixture
) -> None:
    err = cli_error(capsys, "runs", action, "4242", "--store", str(store_path))
    assert "no run 4242" in err


def test_arrays_round_trip_as_npy_and_values_as_json(store: RunStore, store_path: Path) -> None:
    run = store.create_run("binary", {"digit": 5}, {"spec": "digits"})
    arrays = {
        "scores": np.linspace(-3, 3, 11),
        "y_true": np.array([0, 1, 1], dtype=np.int8),
        "mask": np.array([True, False]),
        "grid": np.arange(12, dtype=np.uint16).reshape(3, 4),
        "empty": np.zeros((0, 5)),
    }
    for name, value in arrays.items():
        store.put_result(run.id, name, value)
    store.put_result(run.id, "confusion", [[1, 2], [3, 4]])
    store.put_result(run.id, "f1", 0.5)
    for name, value in arrays.items():
        got = store.get_result(run.id, name)
        assert got.dtype == value.dtype and got.shape == value.shape and np.array_equal(got, value)
    assert store.results(run.id, arrays=False) == {"confusion": [[1, 2], [3, 4]], "f1": 0.5}
    with sqlite3.connect(store_path) as conn:
        blobs = dict(conn.execute("SELECT name, value FROM results WHERE format='npy'"))
    conn.close()
    assert set(blobs) == set(arrays) and all(blob.startswith(b"\x93NUMPY") for blob in blobs.values())


def test_object_arrays_are_refused_never_pickled(store: RunStore) -> None:
    run = store.create_run("binary", {}, {"spec": "digits"})
    with pytest.raises(TypeError, match="object arrays"):
        store.put_result(run.id, "things", np.array([{"a": 1}, None], dtype=object))
    with pytest.raises(TypeError, match="object arrays"):
        store.put_result(run.id, "records", np.zeros(2, dtype=[("x", "f8"), ("o", "O")]))
    assert store.result_names(run.id) == []


def test_results_saved_together_are_all_there_or_none(store: RunStore) -> None:
    run = store.create_run("binary", {}, {"spec": "digits"})
    store.put_results(run.id, {"scores": np.arange(3.0), "y_true": np.array([0, 1, 0]), "n": 3})
    assert store.result_names(run.id) == ["n", "scores", "y_true"]
    with pytest.raises(TypeError, match="object arrays"):
        store.put_results(run.id, {"accuracy": 0.9, "bad": np.array([None], dtype=object)})
    assert store.result_names(run.id) == ["n", "scores", "y_true"]  # not even the good one of the failed batch


def test_events_are_numbered_and_can_be_tailed(store: RunStore) -> None:
    run = store.create_run("binary", {}, {"spec": "digits"})
    assert [store.add_event(run.id, "log", {"message": f"line {i}"}) for i in range(4)] == [1, 2, 3, 4]
    store.add_event(run.id, "fold", {"accuracy": 0.9})
    assert [e.seq for e in store.events(run.id, after=3)] == [4, 5]
    assert [e.payload for e in store.events(run.id, kind="fold")] == [{"accuracy": 0.9}]


def test_a_finished_run_stays_finished_until_reopened(store: RunStore) -> None:
    run = store.create_run("binary", {}, {"spec": "digits"})
    assert store.finish(run.id, "cancelled")
    store.mark_running(run.id, os.getpid())  # a job process that got going after the cancel
    assert not store.finish(run.id, "done")
    assert store.get_run(run.id).status == "cancelled"

    other = store.create_run("binary", {}, {"spec": "digits"})
    store.mark_running(other.id, dead_pid())
    assert store.reap() == [other.id]
    store.mark_running(other.id, os.getpid())
    assert store.get_run(other.id).status == "interrupted"

    store.reopen(other.id)
    reopened = store.get_run(other.id)
    assert (reopened.status, reopened.pid, reopened.finished, reopened.error) == ("queued", None, None, None)
    assert store.reap() == []  # a requeued run gets the launch grace again
    with pytest.raises(StoreError, match="only a finished run can be resumed"):
        store.reopen(other.id)
    store.mark_running(other.id, os.getpid())
    assert store.get_run(other.id).status == "running"


def test_a_vanished_job_is_interrupted_and_its_elapsed_time_ends_at_its_last_sign_of_life(store: RunStore) -> None:
    run = store.create_run("binary", {}, {"spec": "digits"})
    store.mark_running(run.id, dead_pid())
    store.put_result(run.id, "cv_accuracy", [0.9, 0.91, 0.92])
    store.add_event(run.id, "fold", {"fold": 0})
    last_sign = store.get_run(run.id).heartbeat
    time.sleep(0.3)  # the job is found gone a while after it died
    assert store.reap() == [run.id]
    gone = store.get_run(run.id)
    assert gone.status == "interrupted" and "killed or crashed" in gone.error and str(gone.id) in gone.error
    assert gone.finished == last_sign
    assert gone.elapsed() == pytest.approx(last_sign - gone.started)
    assert gone.elapsed(now=time.time() + 3600) == gone.elapsed()
    assert store.get_result(run.id, "cv_accuracy") == [0.9, 0.91, 0.92]
    assert store.reap() == []


def test_a_reused_pid_does_not_keep_a_dead_job_running(store: RunStore) -> None:
    run = store.create_run("binary", {}, {"spec": "digits"})
    store.mark_running(run.id, os.getpid())
    assert store.reap() == []  # this very process: alive
    with sqlite3.connect(store.path) as conn:  # the job's pid now belongs to a process that started later
        conn.execute("UPDATE runs SET pid_start='1' WHERE id=?", (run.id,))
    conn.close()
    assert store.reap() == [run.id]


def test_a_zombie_job_process_counts_as_gone(store: RunStore) -> None:
    proc = subprocess.Popen(["sleep", "30"])
    run = store.create_run("binary", {}, {"spec": "digits"})
    store.set_pid(run.id, proc.pid)
    assert store.reap() == []
    proc.kill()
    deadline = time.monotonic() + 5
    while process_start_time(proc.pid) is not None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert Path(f"/proc/{proc.pid}").exists()  # not waited for: a zombie
    assert store.reap() == [run.id]
    proc.wait()


def test_a_queued_run_whose_launcher_died_is_interrupted_after_the_grace_period(store: RunStore) -> None:
    fresh = store.create_run("binary", {}, {"spec": "digits"})
    stale = store.create_run("binary", {}, {"spec": "digits"})
    with sqlite3.connect(store.path) as conn:
        conn.execute(
            "UPDATE runs SET created=?, heartbeat=NULL WHERE id=?", (time.time() - LAUNCH_GRACE_S - 1, stale.id)
        )
    conn.close()
    assert store.reap() == [stale.id]
    assert store.get_run(fresh.id).status == "queued"


def test_an_active_run_cannot_be_deleted(store: RunStore) -> None:
    run = store.create_run("binary", {}, {"spec": "digits"})
    store.put_result(run.id, "x", np.ones(3))
    with pytest.raises(StoreError, match="cancel it before deleting it"):
        store.delete_run(run.id)
    store.finish(run.id, "failed", "boom")
    store.delete_run(run.id)
    assert store.list_runs() == [] and store.results(run.id) == {}


WRITER = """
import sys, time, numpy as np
from engine.store import RunStore
store = RunStore(sys.argv[1]); run_id = int(sys.argv[2]); end = time.monotonic() + float(sys.argv[3])
store.mark_running(run_id, __import__("os").getpid())
i = 0
while time.monotonic() < end:
    i += 1
    store.add_event(run_id, "log", {"message": f"step {i}"})
    store.put_result(run_id, f"array{i % 7}", np.full(2000, i, dtype=np.float64))
    store.put_result(run_id, "step", i)
    store.set_progress(run_id, i, i + 1)
store.finish(run_id, "done")
print(i)
"""

READER = """
import sys, time
from engine.store import RunStore
path, run_id, end = sys.argv[1], int(sys.argv[2]), time.monotonic() + float(sys.argv[3])
store, seen, polls = RunStore(path), 0, 0
while time.monotonic() < end:
    polls += 1
    store.reap()
    for run in store.list_runs():
        run.elapsed()
    seen = max([seen] + [e.seq for e in store.events(run_id, after=seen)])
    store.results(run_id)
    if polls % 25 == 0:  # opening a store while another process writes must not fail either
        store.close(); store = RunStore(path)
print(polls, seen)
"""


def test_one_writer_and_two_polling_readers_never_hit_a_locked_database(store: RunStore, store_path: Path) -> None:
    run = store.create_run("binary", {}, {"spec": "digits"})
    seconds = "2.5"
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))

    def start(code: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(code), str(store_path), str(run.id), seconds],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )

    procs = [start(WRITER), start(READER), start(READER)]
    outputs = [p.communicate(timeout=60) for p in procs]
    for proc, (_out, err) in zip(procs, outputs):
        assert proc.returncode == 0, err
        assert "locked" not in err
    steps = int(outputs[0][0])
    assert steps > 20
    for out, _ in outputs[1:]:
        polls, seen = map(int, out.split())
        assert polls > 5 and 0 < seen <= steps
    final = store.get_run(run.id)
    assert final.status == "done" and final.fits_done == steps
    assert store.get_result(run.id, "step") == steps
    assert len(store.events(run.id)) == steps


def test_two_stores_in_one_process_keep_their_writes_visible_to_other_processes(store_path: Path) -> None:
    first, second = RunStore(store_path), RunStore(store_path)  # the second must not disturb the first's locks
    run = first.create_run("binary", {}, {"spec": "digits"})
    writer = (
        f"from engine.store import RunStore; s = RunStore({str(store_path)!r}); s.add_event({run.id}, 'log'); s.close()"
    )
    subprocess.run([sys.executable, "-c", writer], check=True)  # a job that writes and exits
    later = first.create_run("binary", {}, {"spec": "digits"})
    reader = f"from engine.store import RunStore; print([r.id for r in RunStore({str(store_path)!r}).list_runs()])"
    out = subprocess.run([sys.executable, "-c", reader], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str([later.id, run.id])
    second.close()


def test_a_store_in_a_folder_the_user_may_not_read_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    def refused(self: Path, *args, **kwargs) -> bool:  # what a folder without read or search permission does
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "is_dir", refused)  # tests run as root, who may read every folder
    err = cli_error(capsys, "runs", "list", "--store", str(tmp_path / "locked" / "runs.sqlite"))
    assert "Permission denied" in err
