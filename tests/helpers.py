"""Helpers shared by the pilot tests of several tabs."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from engine.store import Run, RunStore
from tui.widgets.footer import GroupSpec, KeySpec, footer_items


async def until(pilot: Pilot, condition, timeout: float = 60.0, what: str = "") -> None:
    """Let the app run until ``condition()`` holds (the test fails after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await pilot.pause(0.05)


def footer_keys(app: App) -> dict[str, bool]:
    """The keys the footer shows, each with whether it is enabled (a disabled one is dimmed)."""
    return {key.key: not key.has_class("-disabled") for key in app.screen.query(FooterKey)}


def offered_keys(app: App) -> dict[str, bool]:
    """The keys the footer is to show (and whether enabled) for the screen's bindings as they are now."""
    footer = app.screen.query_one(Footer)
    specs: list[KeySpec] = []
    for item in footer_items(footer, app.screen):
        specs += item.keys if isinstance(item, GroupSpec) else [item] if isinstance(item, KeySpec) else []
    return {spec.key: not spec.disabled for spec in specs}


async def footer_settled(pilot: Pilot) -> dict[str, bool]:
    """Wait until the footer shows the screen's bindings as they are now (it updates after a frame); its keys."""
    await until(pilot, lambda: footer_keys(pilot.app) == offered_keys(pilot.app), what="the footer")
    return footer_keys(pilot.app)


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
