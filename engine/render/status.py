"""How a run's status and durations read, the same in the CLI and the TUI."""

from __future__ import annotations

STATUS_STYLE = {
    "done": "green",
    "failed": "red",
    "cancelled": "yellow",
    "interrupted": "magenta",
    "running": "cyan",
    "queued": "blue",
}


def format_duration(seconds: float | None) -> str:
    """``m:ss`` or ``h:mm:ss`` (rounded to the second); ``–`` when unknown."""
    if seconds is None:
        return "–"
    seconds = int(round(seconds))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"
