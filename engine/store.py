"""The run store: SQLite (WAL) holding runs, their events and their results, shared by every process.

Job processes write; the TUI and the CLI read. Each process opens its own :class:`RunStore`. Results are JSON
values or numpy arrays saved as ``.npy`` bytes (never pickles).
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import platformdirs

from engine.errors import StoreError

SCHEMA_VERSION = 1
ACTIVE = ("queued", "running")
FINISHED = ("done", "failed", "cancelled", "interrupted")

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
    fits_total INTEGER NOT NULL DEFAULT 0
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

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    def elapsed(self, now: float | None = None) -> float:
        """Seconds of work so far (or in all, once finished)."""
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
            "id": self.id, "kind": self.kind, "params": self.params, "data": self.data,
            "status": self.status, "created": self.created, "started": self.started,
            "finished": self.finished, "pid": self.pid, "error": self.error,
            "fits_done": self.fits_done, "fits_total": self.fits_total,
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
    fields = stat[stat.rfind(")") + 2:].split()
    if fields[0] in ("Z", "X"):  # zombie or dead: the job is gone even if its parent has not reaped it
        return None
    return fields[19]


def pid_alive(pid: int | None, start: str | None) -> bool:
    if not pid:
        return False
    now = process_start_time(pid)
    return now is not None and (start is None or now == start or now == "?")


class RunStore:
    """A connection to the run store; safe to share between threads of one process."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else default_store_path()
        self._lock = threading.RLock()
        self._conn = self._open()

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
        if self.path.exists() and self.path.stat().st_size > 0:
            with open(self.path, "rb") as fh:
                if fh.read(16) != b"SQLite format 3\x00":
                    raise StoreError(f"{self.path}: is not an SQLite database (left untouched); pass another --store")
        try:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout = 30000")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            self._migrate(conn)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot use this store ({exc})") from None
        return conn

    def _migrate(self, conn: sqlite3.Connection) -> None:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if tables and "meta" not in tables:
            raise StoreError(f"{self.path}: an SQLite database, but not a mnist-explorer store (left untouched)")
        if "meta" in tables:
            row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            version = int(row[0]) if row else 0
            if version > SCHEMA_VERSION:
                raise StoreError(f"{self.path}: store schema v{version} is newer than this mnist-explorer (v{SCHEMA_VERSION})")
            if version == SCHEMA_VERSION:
                return
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in filter(str.strip, _SCHEMA.split(";")):
                conn.execute(statement)
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def _execute(self, sql: str, args: tuple = ()) -> sqlite3.Cursor:
        with self._lock:
            try:
                return self._conn.execute(sql, args)
            except sqlite3.OperationalError as exc:
                raise StoreError(f"{self.path}: {exc}") from None

    # -- runs ----------------------------------------------------------------------------------------------
    def create_run(self, kind: str, params: dict, data: dict) -> Run:
        cur = self._execute(
            "INSERT INTO runs (kind, params, data, status, created) VALUES (?, ?, ?, 'queued', ?)",
            (kind, json.dumps(params), json.dumps(data), time.time()),
        )
        return self.get_run(cur.lastrowid)

    def get_run(self, run_id: int) -> Run:
        row = self._execute("SELECT * FROM runs WHERE id = ?", (int(run_id),)).fetchone()
        if row is None:
            raise StoreError(f"no run {run_id} in {self.path}")
        return _run(row)

    def list_runs(self, kind: str | None = None) -> list[Run]:
        """Runs newest first, optionally of one kind."""
        if kind is None:
            rows = self._execute("SELECT * FROM runs ORDER BY id DESC").fetchall()
        else:
            rows = self._execute("SELECT * FROM runs WHERE kind = ? ORDER BY id DESC", (kind,)).fetchall()
        return [_run(r) for r in rows]

    def mark_running(self, run_id: int, pid: int) -> None:
        self._execute(
            "UPDATE runs SET status='running', started=COALESCE(started, ?), pid=?, pid_start=? "
            "WHERE id=? AND status IN ('queued', 'running', 'interrupted')",
            (time.time(), pid, process_start_time(pid), run_id),
        )

    def set_pid(self, run_id: int, pid: int) -> None:
        """Record the job process as soon as it is spawned, before it marks itself running."""
        self._execute("UPDATE runs SET pid=?, pid_start=? WHERE id=?", (pid, process_start_time(pid), run_id))

    def set_progress(self, run_id: int, done: int, total: int | None = None) -> None:
        if total is None:
            self._execute("UPDATE runs SET fits_done=? WHERE id=?", (done, run_id))
        else:
            self._execute("UPDATE runs SET fits_done=?, fits_total=? WHERE id=?", (done, total, run_id))

    def finish(self, run_id: int, status: str, error: str | None = None) -> bool:
        """Move an active run to a final status; False if it had already finished (e.g. was cancelled)."""
        if status not in FINISHED:
            raise ValueError(status)
        cur = self._execute(
            "UPDATE runs SET status=?, finished=?, error=? WHERE id=? AND status IN ('queued', 'running')",
            (status, time.time(), error, run_id),
        )
        return cur.rowcount == 1

    def reopen(self, run_id: int) -> None:
        """Put a finished run back in the queue (resume)."""
        self._execute("UPDATE runs SET status='queued', finished=NULL, error=NULL WHERE id=?", (run_id,))

    def delete_run(self, run_id: int) -> None:
        run = self.get_run(run_id)
        if run.active:
            raise StoreError(f"run {run_id} is {run.status}; cancel it before deleting it")
        self._execute("DELETE FROM runs WHERE id=?", (run_id,))

    def reap(self) -> list[int]:
        """Mark active runs whose process has vanished as interrupted; returns their ids."""
        gone = []
        for row in self._execute("SELECT * FROM runs WHERE status IN ('queued', 'running')").fetchall():
            run = _run(row)
            if run.pid is None:
                # queued but never spawned (its launcher died): give it a grace period
                if time.time() - run.created > 60:
                    gone.append(run.id)
            elif not pid_alive(run.pid, run.pid_start):
                gone.append(run.id)
        for run_id in gone:
            self.finish(run_id, "interrupted", "the job's process ended without finishing (killed or crashed)")
        return gone

    # -- events --------------------------------------------------------------------------------------------
    def add_event(self, run_id: int, kind: str, payload: dict | None = None) -> int:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                seq = self._conn.execute(
                    "SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE run_id=?", (run_id,)
                ).fetchone()[0]
                self._conn.execute(
                    "INSERT INTO events VALUES (?, ?, ?, ?, ?)",
                    (run_id, seq, time.time(), kind, json.dumps(payload or {})),
                )
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
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
        if isinstance(value, np.ndarray):
            if value.dtype == object:
                raise TypeError(f"result {name!r}: object arrays cannot be stored")
            buf = io.BytesIO()
            np.save(buf, value, allow_pickle=False)
            fmt, blob = "npy", buf.getvalue()
        else:
            fmt, blob = "json", json.dumps(value).encode()
        self._execute("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?)", (run_id, name, fmt, blob))

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


def _decode(fmt: str, blob: bytes) -> Any:
    if fmt == "npy":
        return np.load(io.BytesIO(blob), allow_pickle=False)
    return json.loads(blob)


def _run(row: tuple) -> Run:
    (run_id, kind, params, data, status, created, started, finished, pid, pid_start, error,
     fits_done, fits_total) = row
    return Run(run_id, kind, json.loads(params), json.loads(data), status, created, started, finished,
               pid, pid_start, error, fits_done, fits_total)
