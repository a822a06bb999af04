"""How a run's status, parameters and durations read, the same in the CLI and the TUI."""

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


def describe_value(value: object) -> str:
    """A parameter value as a person reads it: lists as ``a,b,c``, strings bare."""
    if isinstance(value, list | tuple):
        return ",".join(describe_value(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def describe_params(params: dict) -> str:
    """A run's parameters on one line: ``rf · n_estimators 300,400,500 · cv 5`` (nested grids flattened, the
    estimator first and bare, unset values left out)."""
    parts: list[str] = []
    for name, value in params.items():
        if value is None or value == {} or value == []:
            continue
        if name in ("estimator", "model"):
            parts.insert(0, describe_value(value))
        elif isinstance(value, dict):
            parts.extend(f"{key} {describe_value(v)}" for key, v in value.items())
        elif isinstance(value, bool):
            if value:
                parts.append(name.replace("_", "-"))
        else:
            parts.append(f"{name} {describe_value(value)}")
    return " · ".join(parts)
