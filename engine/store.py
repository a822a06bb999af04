"""The run store: SQLite (WAL) holding runs, their events and their results, shared by every process.

Job processes write; the TUI and the CLI read. Each process opens its own :class:`RunStore`. Results are JSON
values or numpy arrays saved as ``.npy`` bytes (never pickles).

A store is marked as one in its SQLite header: ``PRAGMA application_id`` is ``APPLICATION_ID`` and
``PRAGMA user_version`` its schema version (also in ``meta.schema_version``). Opening an older store (stores of
schema 1 and 2 carry no marks, only the meta table) migrates it in one transaction; a newer one is refused. Any
other file — not SQLite, or an SQLite database of another program (its own tables, views or application id) — is
checked read-only, refused in one line and left byte-for-byte untouched.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import platformdirs

from engine.errors import StoreError
from engine.resources import end_processes

SCHEMA_VERSION = 3
APPLICATION_ID = 0x4D4E5852  # "MNXR" in the SQLite header's application_id field: this is a mnist-explorer store
MAX_RUN_ID = 2**63 - 1  # SQLite's largest INTEGER
ACTIVE = ("queued", "running")
FINISHED = ("done", "failed", "cancelled", "interrupted")
APPLICATION = "mnist-explorer"
LAUNCH_GRACE_S = 60.0  # a queued run without a process is given this long for its launcher to record one
SQLITE_MAGIC = b"SQLite format 3\x00"
HEADER_SIZE = 100  # the SQLite file header
RUN_COLUMNS = (
    "id, kind, params, data, status, created, started, finished, pid, pid_start, error, "
    "fits_done, fits_total, heartbeat, peak_rss_mb, cpu_s"
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    params TEXT NOT NULL,
    data TEXT NOT NULL,
    status TEXT NOT NULL,
    created REAL NOT NULL,
    started REAL,
    finished REAL,
    pid INTEGER,
    pid_start TEXT,
    error TEXT,
    fits_done INTEGER NOT NULL DEFAULT 0,
    fits_total INTEGER NOT NULL DEFAULT 0,
    heartbeat REAL,
    peak_rss_mb REAL,
    cpu_s REAL
);
CREATE TABLE IF NOT EXISTS events (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    time REAL NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
);
CREATE TABLE IF NOT EXISTS results (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    format TEXT NOT NULL CHECK (format IN ('json', 'npy')),
    value BLOB NOT NULL,
    PRIMARY KEY (run_id, name)
);
"""
# Steps that bring a store of version ``key - 1`` to version ``key`` (a fresh store gets ``_SCHEMA`` instead).
_MIGRATIONS = {
    2: ("ALTER TABLE runs ADD COLUMN heartbeat REAL",),
    3: ("ALTER TABLE runs ADD COLUMN peak_rss_mb REAL", "ALTER TABLE runs ADD COLUMN cpu_s REAL"),
}
_TABLES = {"meta", "runs", "events", "results"}


def default_store_path() -> Path:
    """``runs.sqlite`` in the user's data dir (``MNIST_EXPLORER_STORE`` overrides it)."""
    env = os.environ.get("MNIST_EXPLORER_STORE")
    return Path(env) if env else Path(platformdirs.user_data_dir("mnist-explorer")) / "runs.sqlite"


@dataclass(frozen=True)
class Run:
    """One unit of background work and its state."""

    id: int
    kind: str
    params: dict
    data: dict
    status: str
    created: float
    started: float | None
    finished: float | None
    pid: int | None
    pid_start: str | None
    error: str | None
    fits_done: int
    fits_total: int
    heartbeat: float | None = None  # the job's last write (progress, event or result): its last sign of life
    peak_rss_mb: float | None = None  # the job's processes together, at their peak (recorded as it runs)
    cpu_s: float | None = None  # CPU time of the job's processes together

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    def elapsed(self, now: float | None = None) -> float:
        """Seconds of work so far (or in all, once finished).

        An interrupted run's ``finished`` is its last sign of life, not the moment it was found gone, so its
        elapsed time is how long it actually worked.
        """
        if self.started is None:
            return 0.0
        end = self.finished if self.finished is not None else (now if now is not None else time.time())
        return max(0.0, end - self.started)

    def eta(self, now: float | None = None) -> float | None:
        """Seconds left, from the pace so far; None when unknown."""
        if not self.active or self.fits_done <= 0 or self.fits_total <= self.fits_done:
            return None
        return self.elapsed(now) / self.fits_done * (self.fits_total - self.fits_done)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "params": self.params,
            "data": self.data,
            "status": self.status,
            "created": self.created,
            "started": self.started,
            "finished": self.finished,
            "pid": self.pid,
            "error": self.error,
            "fits_done": self.fits_done,
            "fits_total": self.fits_total,
            "heartbeat": self.heartbeat,
            "peak_rss_mb": self.peak_rss_mb,
            "cpu_s": self.cpu_s,
        }


@dataclass(frozen=True)
class Event:
    run_id: int
    seq: int
    time: float
    kind: str
    payload: dict = field(default_factory=dict)


def process_start_time(pid: int) -> str | None:
    """The kernel's start time of ``pid`` (guards against pid reuse); None if no such live process."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read().decode(errors="replace")
    except OSError:
        if os.name != "posix" or os.path.isdir("/proc"):
            return None
        try:  # no /proc: fall back to a plain existence check
            os.kill(pid, 0)
        except OSError:
            return None
        return "?"
    fields = stat[stat.rfind(")") + 2 :].split()
    if fields[0] in ("Z", "X"):  # zombie or dead: the job is gone even if its parent has not reaped it
        return None
    return fields[19]


def pid_alive(pid: int | None, start: str | None) -> bool:
    """Whether process ``pid`` still runs and (when ``start`` is known) is the same process, not a reused pid."""
    if not pid:
        return False
    now = process_start_time(pid)
    return now is not None and (start is None or now == start or now == "?")


class RunStore:
    """A connection to the run store; safe to share between threads of one process."""

    _checked_files: set[str] = set()  # store files this process has verified as ours (see _open)

    def __init__(self, path: Path | str | None = None) -> None:
        if path is not None and not str(path).strip():
            raise StoreError("the store path is empty; pass a file name to --store")
        self.path = Path(path) if path is not None else default_store_path()
        self._lock = threading.RLock()
        try:
            self._conn = self._open()
        except OSError as exc:  # a name too long for the OS, a folder we may not read, ...
            raise StoreError(f"{self.path}: cannot open the store ({exc.strerror or exc})") from None

    # -- opening -------------------------------------------------------------------------------------------
    def _open(self) -> sqlite3.Connection:
        if self.path.is_dir():
            raise StoreError(f"{self.path}: is a folder, not a store file")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot create its folder ({exc.strerror or exc})") from None
        if self.path.exists() and not os.access(self.path, os.R_OK | os.W_OK):
            raise StoreError(f"{self.path}: store file is not readable and writable")
        if not self.path.exists() and not os.access(self.path.parent, os.W_OK):
            raise StoreError(f"{self.path.parent}: folder is not writable, cannot create the store")
        if self.path.exists() and self.path.stat().st_size > 0 and self._key() not in RunStore._checked_files:
            # Once per process, before SQLite opens the file for writing: closing any other descriptor on a file
            # SQLite has open drops the POSIX locks it holds, and another RunStore here would lose writes.
            self._check_read_only(self._read_header())
        conn = None
        try:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout = 30000")
            version = self._check_ours(conn)  # read-only: a database that is not ours is never written to
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            if version != SCHEMA_VERSION:
                self._migrate(conn)
            RunStore._checked_files.add(self._key())
        except sqlite3.DatabaseError as exc:
            if conn is not None:
                conn.close()
            raise StoreError(f"{self.path}: cannot use this store ({exc})") from None
        except StoreError:
            if conn is not None:
                conn.close()
            raise
        return conn

    def _key(self) -> str:
        return os.path.realpath(self.path)

    def _read_header(self) -> bytes:
        try:
            with open(self.path, "rb") as fh:
                header = fh.read(HEADER_SIZE)
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot read ({exc.strerror or exc})") from None
        if not header.startswith(SQLITE_MAGIC):
            raise StoreError(f"{self.path}: is not an SQLite database (left untouched); pass another --store")
        return header

    def _check_read_only(self, header: bytes) -> None:
        """Refuse a database that is not ours through a read-only connection, so it is never written to.

        A WAL database (header byte 18 is 2) whose ``-wal`` file is absent is read as immutable: a read-only
        connection would create ``-wal`` and ``-shm`` files beside it.
        """
        wal = len(header) > 18 and header[18] == 2
        mode = "immutable=1" if wal and not Path(f"{self.path}-wal").exists() else "mode=ro"
        uri = f"file:{urllib.parse.quote(os.path.abspath(self.path))}?{mode}"
        try:
            conn = sqlite3.connect(uri, uri=True, timeout=30)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot use this store ({exc})") from None
        try:
            self._check_ours(conn)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot use this store ({exc})") from None
        finally:
            conn.close()

    def _check_ours(self, conn: sqlite3.Connection) -> int:
        """The store's schema version (0: an empty database, ours to set up); refuses, reading only, a database
        that some other program made (its own tables, views or application id) or that a newer mnist-explorer
        wrote."""
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        user_version = conn.execute("PRAGMA user_version").fetchone()[0]
        objects = {
            r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite!_%' ESCAPE '!'")
        }
        not_ours = f"{self.path}: an SQLite database, but not a mnist-explorer store (left untouched)"
        if app_id not in (0, APPLICATION_ID):
            raise StoreError(
                f"{self.path}: an SQLite database of another application (application_id {app_id:#010x}), "
                "not a mnist-explorer store (left untouched)"
            )
        if app_id == 0 and not objects:
            if user_version:  # an empty database that some program has already versioned
                raise StoreError(not_ours)
            return 0
        if not objects >= _TABLES:
            if app_id == APPLICATION_ID:
                raise StoreError(f"{self.path}: a mnist-explorer store with tables missing (damaged); use another")
            raise StoreError(not_ours)
        row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if row is None:
            raise StoreError(not_ours)
        text = str(row[0])
        if not (text.isascii() and text.isdigit()):
            raise StoreError(f"{self.path}: store schema version {text!r} is not a whole number (damaged store)")
        version = max(int(text), user_version) if app_id == APPLICATION_ID else int(text)
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: store schema v{version} is newer than this mnist-explorer's (v{SCHEMA_VERSION})"
            )
        if version < 1:
            raise StoreError(not_ours)
        return version

    def _migrate(self, conn: sqlite3.Connection) -> None:
        """Create the schema in a new store, or bring an older one up to ``SCHEMA_VERSION``, and mark it as a
        mnist-explorer store (application_id, user_version), atomically."""
        conn.execute("BEGIN IMMEDIATE")
        try:
            # read inside the write lock: another process may have created or migrated the store meanwhile
            version = self._check_ours(conn)
            if version == 0:
                for statement in filter(str.strip, _SCHEMA.split(";")):
                    conn.execute(statement)
            else:
                for step in range(version + 1, SCHEMA_VERSION + 1):
                    for statement in _MIGRATIONS[step]:
                        conn.execute(statement)
            if version != SCHEMA_VERSION:
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('application', ?)", (APPLICATION,))
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    @property
    def schema_version(self) -> int:
        return int(self._execute("PRAGMA user_version").fetchone()[0])

    def log_path(self, run_id: int) -> Path:
        """Where a launched job's stdout and stderr go."""
        return self.path.parent / "logs" / f"run-{run_id}.log"

    def data_version(self) -> int:
        """SQLite's ``PRAGMA data_version`` of this connection: it changes whenever another connection commits, so
        an unchanged value means nothing was written by anyone else since the last call (a cheap change check)."""
        return int(self._execute("PRAGMA data_version").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def _execute(self, sql: str, args: tuple = ()) -> sqlite3.Cursor:
        with self._lock:
            try:
                return self._conn.execute(sql, args)
            except sqlite3.DatabaseError as exc:  # locked, damaged ("database disk image is malformed"), ...
                raise StoreError(f"{self.path}: {exc}") from None

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: BEGIN IMMEDIATE, then COMMIT, or ROLLBACK on any error."""
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self._conn
                    self._conn.execute("COMMIT")
                except BaseException:
                    if self._conn.in_transaction:
                        self._conn.execute("ROLLBACK")
                    raise
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"{self.path}: {exc}") from None

    # -- runs ----------------------------------------------------------------------------------------------
    def create_run(self, kind: str, params: dict, data: dict) -> Run:
        cur = self._execute(
            "INSERT INTO runs (kind, params, data, status, created) VALUES (?, ?, ?, 'queued', ?)",
            (kind, json.dumps(params), json.dumps(data), time.time()),
        )
        assert cur.lastrowid is not None  # an INSERT always gives one
        return self.get_run(cur.lastrowid)

    def get_run(self, run_id: int) -> Run:
        if not 0 <= int(run_id) <= MAX_RUN_ID:
            raise StoreError(f"no run {run_id} in {self.path}")
        row = self._execute(f"SELECT {RUN_COLUMNS} FROM runs WHERE id = ?", (int(run_id),)).fetchone()
        if row is None:
            raise StoreError(f"no run {run_id} in {self.path}")
        return _run(row)

    def list_runs(self, kind: str | None = None) -> list[Run]:
        """Runs newest first, optionally of one kind."""
        if kind is None:
            rows = self._execute(f"SELECT {RUN_COLUMNS} FROM runs ORDER BY id DESC").fetchall()
        else:
            rows = self._execute(f"SELECT {RUN_COLUMNS} FROM runs WHERE kind = ? ORDER BY id DESC", (kind,)).fetchall()
        return [_run(r) for r in rows]

    def mark_running(self, run_id: int, pid: int) -> None:
        """The job process ``pid`` has started work. A run that already finished (cancelled before its process
        got going, or found interrupted) stays finished: only :meth:`reopen` puts a run back in the queue."""
        now = time.time()
        self._execute(
            "UPDATE runs SET status='running', started=COALESCE(started, ?), pid=?, pid_start=?, heartbeat=? "
            "WHERE id=? AND status IN ('queued', 'running')",
            (now, pid, process_start_time(pid), now, run_id),
        )

    def set_pid(self, run_id: int, pid: int) -> None:
        """Record the job process as soon as it is spawned, before it marks itself running."""
        self._execute(
            "UPDATE runs SET pid=?, pid_start=?, heartbeat=? WHERE id=?",
            (pid, process_start_time(pid), time.time(), run_id),
        )

    def set_progress(self, run_id: int, done: int, total: int | None = None) -> None:
        if total is None:
            self._execute("UPDATE runs SET fits_done=?, heartbeat=? WHERE id=?", (done, time.time(), run_id))
        else:
            self._execute(
                "UPDATE runs SET fits_done=?, fits_total=?, heartbeat=? WHERE id=?", (done, total, time.time(), run_id)
            )

    def set_resources(self, run_id: int, peak_rss_mb: float, cpu_s: float) -> None:
        """Record the job's peak RSS (the largest yet) and CPU time so far, of its processes together."""
        self._execute(
            "UPDATE runs SET peak_rss_mb=MAX(COALESCE(peak_rss_mb, 0), ?), cpu_s=? WHERE id=?",
            (peak_rss_mb, cpu_s, run_id),
        )

    def finish(self, run_id: int, status: str, error: str | None = None, at: float | None = None) -> bool:
        """Move an active run to a final status (at time ``at``, default now); False if it had already finished
        (e.g. was cancelled)."""
        if status not in FINISHED:
            raise ValueError(status)
        cur = self._execute(
            "UPDATE runs SET status=?, finished=?, error=? WHERE id=? AND status IN ('queued', 'running')",
            (status, time.time() if at is None else at, error, run_id),
        )
        return cur.rowcount == 1

    def reopen(self, run_id: int) -> None:
        """Put a finished run back in the queue (resume); its launcher then records the new process.

        Refused (StoreError) for a run that is still queued or running, so two resumes never start two processes.
        """
        cur = self._execute(
            "UPDATE runs SET status='queued', finished=NULL, error=NULL, pid=NULL, pid_start=NULL, heartbeat=? "
            "WHERE id=? AND status IN ('done', 'failed', 'cancelled', 'interrupted')",
            (time.time(), run_id),
        )
        if cur.rowcount == 0:
            raise StoreError(f"run {run_id} is {self.get_run(run_id).status}; only a finished run can be resumed")

    def delete_run(self, run_id: int) -> None:
        """Delete a finished run, its events, results and log, and end whatever is left of its processes."""
        run = self.get_run(run_id)
        if run.active:
            raise StoreError(f"run {run_id} is {run.status}; cancel it before deleting it")
        end_processes(run.pid, run.pid_start)
        self._execute("DELETE FROM runs WHERE id=?", (run_id,))
        self.log_path(run_id).unlink(missing_ok=True)

    def reap(self) -> list[int]:
        """Mark active runs whose process has vanished as interrupted; returns their ids.

        A run's process counts as vanished when its pid is gone, is a zombie, or now belongs to another process
        (the kernel start time differs). A queued run with no process yet is given ``LAUNCH_GRACE_S`` from its
        creation (or requeueing) for its launcher to record one. The run's ``finished`` becomes its last sign
        of life, and everything it saved stays; whatever is left of its processes (joblib workers, resource
        trackers: its process group and session) is ended.
        """
        gone = []
        now = time.time()
        rows = self._execute(f"SELECT {RUN_COLUMNS} FROM runs WHERE status IN ('queued', 'running')").fetchall()
        for run in map(_run, rows):
            if run.pid is None:
                if now - (run.heartbeat or run.created) > LAUNCH_GRACE_S:
                    gone.append(run)
            elif not pid_alive(run.pid, run.pid_start):
                gone.append(run)
        reaped = []
        for run in gone:
            last_seen = max(t for t in (run.created, run.started, run.heartbeat) if t is not None)
            error = f"the job's process ended without finishing (killed or crashed; log: {self.log_path(run.id)})"
            if self.finish(run.id, "interrupted", error, at=last_seen):
                reaped.append(run.id)
                end_processes(run.pid, run.pid_start)
        return reaped

    # -- events --------------------------------------------------------------------------------------------
    def add_event(self, run_id: int, kind: str, payload: dict | None = None, fits_done: int | None = None) -> int:
        """Append an event to a run; returns its sequence number (1, 2, ...). ``fits_done`` sets the run's step
        count in the same transaction (an event that completes a step: a kill never leaves the count behind)."""
        now = time.time()
        with self._write() as conn:
            if fits_done is None:
                conn.execute("UPDATE runs SET heartbeat=? WHERE id=?", (now, run_id))
            else:
                conn.execute("UPDATE runs SET heartbeat=?, fits_done=? WHERE id=?", (now, fits_done, run_id))
            seq = conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE run_id=?", (run_id,)).fetchone()[0]
            conn.execute(
                "INSERT INTO events VALUES (?, ?, ?, ?, ?)", (run_id, seq, now, kind, json.dumps(payload or {}))
            )
        return seq

    def events(self, run_id: int, after: int = 0, kind: str | None = None) -> list[Event]:
        """Events of a run with ``seq > after``, oldest first."""
        sql = "SELECT run_id, seq, time, kind, payload FROM events WHERE run_id=? AND seq>?"
        args: tuple = (run_id, after)
        if kind is not None:
            sql += " AND kind=?"
            args += (kind,)
        rows = self._execute(sql + " ORDER BY seq", args).fetchall()
        return [Event(r[0], r[1], r[2], r[3], json.loads(r[4])) for r in rows]

    # -- results -------------------------------------------------------------------------------------------
    def put_result(self, run_id: int, name: str, value: Any) -> None:
        """Save a JSON-able value or a numpy array under ``name``."""
        self.put_results(run_id, {name: value})

    def put_results(self, run_id: int, values: dict[str, Any]) -> None:
        """Save several results in one transaction: a reader (or a killed job) has all of them or none."""
        rows = [(run_id, name, *_encode(name, value)) for name, value in values.items()]
        with self._write() as conn:
            conn.execute("UPDATE runs SET heartbeat=? WHERE id=?", (time.time(), run_id))
            conn.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?)", rows)

    def get_result(self, run_id: int, name: str, default: Any = KeyError) -> Any:
        row = self._execute("SELECT format, value FROM results WHERE run_id=? AND name=?", (run_id, name)).fetchone()
        if row is None:
            if default is KeyError:
                raise StoreError(f"run {run_id} has no result {name!r}")
            return default
        return _decode(row[0], row[1])

    def results(self, run_id: int, arrays: bool = True) -> dict[str, Any]:
        """All results of a run (JSON values, and arrays unless ``arrays`` is False)."""
        sql = "SELECT name, format, value FROM results WHERE run_id=?"
        if not arrays:
            sql += " AND format='json'"
        return {name: _decode(fmt, blob) for name, fmt, blob in self._execute(sql, (run_id,)).fetchall()}

    def result_names(self, run_id: int) -> list[str]:
        return [r[0] for r in self._execute("SELECT name FROM results WHERE run_id=? ORDER BY name", (run_id,))]

    def iter_runs(self, kind: str, status: str = "done") -> Iterator[Run]:
        for run in self.list_runs(kind):
            if run.status == status:
                yield run


def _encode(name: str, value: Any) -> tuple[str, bytes]:
    """A result as (format, bytes): numpy arrays as ``.npy`` (never pickle), anything else as JSON."""
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject:
            raise TypeError(f"result {name!r}: object arrays cannot be stored (they would need pickle)")
        buf = io.BytesIO()
        np.save(buf, value, allow_pickle=False)
        return "npy", buf.getvalue()
    return "json", json.dumps(value).encode()


def _decode(fmt: str, blob: bytes) -> Any:
    if fmt == "npy":
        return np.load(io.BytesIO(blob), allow_pickle=False)
    return json.loads(blob)


def _run(row: tuple) -> Run:
    """A ``runs`` row (``RUN_COLUMNS`` order, which is the Run's field order) as a Run; params and data are JSON."""
    run_id, kind, params, data, *rest = row
    return Run(run_id, kind, json.loads(params), json.loads(data), *rest)
