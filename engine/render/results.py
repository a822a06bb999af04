"""A stored result value, or a run's resource use, as short text a person reads (``runs show``, the TUI)."""

from __future__ import annotations

from numbers import Real

MAX_TEXT = 200


def format_number(value: Real) -> str:
    """``0.9345000000000001`` → ``0.9345``, ``1438`` → ``1,438``, ``2.5e-06`` stays exact to 3 digits."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    v = float(value)
    if v != v or v in (float("inf"), float("-inf")):
        return str(v)
    if v == 0 or abs(v) >= 1e-3:
        text = f"{v:,.4f}".rstrip("0").rstrip(".")
        return text if text not in ("", "-0") else "0"
    return f"{v:.3g}"


def format_result(value: object) -> str:
    """One result as a line: numbers rounded, lists comma-separated, a matrix row by row (``[1283 9] [8 138]``),
    a dict as ``name=value`` pairs, a list of records as its length; long text cut at ``MAX_TEXT`` characters."""
    text = _format(value)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _format(value: object, nested: bool = False) -> str:
    if isinstance(value, Real):
        # inside a list, thousands separators would read as more items
        return str(value) if nested and isinstance(value, int) and not isinstance(value, bool) else format_number(value)
    if value is None:
        return "–"
    if isinstance(value, dict):
        return " ".join(f"{k}={_format(v)}" for k, v in value.items()) or "(none)"
    if isinstance(value, list | tuple):
        if value and all(isinstance(v, dict) for v in value):
            return f"{len(value):,} records"
        if value and all(isinstance(v, list | tuple) for v in value):  # a matrix, row by row
            return " ".join("[" + " ".join(_format(x, True) for x in row) + "]" for row in value)
        return ", ".join(_format(v, True) for v in value)
    return str(value)


def format_resources(peak_rss_mb: float | None, cpu_s: float | None) -> str:
    """``peak 538 MB RSS · CPU 10.7 s`` (the job's processes together); empty when nothing was recorded."""
    parts = []
    if peak_rss_mb is not None:
        parts.append(f"peak {peak_rss_mb:,.0f} MB RSS")
    if cpu_s is not None:
        parts.append(f"CPU {cpu_s:,.1f} s")
    return " · ".join(parts)
