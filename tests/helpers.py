"""Helpers shared by the pilot tests of several tabs."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from textual.pilot import Pilot

from engine.store import Run, RunStore


async def until(pilot: Pilot, condition, timeout: float = 60.0, what: str = "") -> None:
    """Let the app run until ``condition()`` holds (the test fails after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await pilot.pause(0.05)


def copy_store(source: Path, target: Path) -> Path:
    """A private copy of a run store prepared once per session (SQLite's backup, WAL included)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


@dataclass(frozen=True)
class LaunchedJob:
    """A job launched as a real process and waited for (conftest's ``binary_job``)."""

    store: RunStore
    launched: Run  # as launch() returned it
    finished: Run  # as wait_for() returned it
