"""Search grids: parsing ``--param name=v1,v2`` values and expanding a grid in GridSearchCV's config order.

Pure Python (no scikit-learn), so the UI can parse and show grids too.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from engine.errors import UsageError

Grid = dict[str, list]
MAX_CONFIGS = 10_000  # a grid beyond this is refused before it is expanded


def parse_value(text: str) -> Any:
    """One grid value as a person means it: ``None``, ``true``/``false``, an int, a float, else the string."""
    s = text.strip()
    low = s.lower()
    if low in ("none", "null"):
        return None
    if low == "true":
        return True
    if low == "false":
        return False
    try:
        return int(s)
    except ValueError:
        pass
    try:
        value = float(s)
    except ValueError:
        return s
    if not math.isfinite(value):
        raise UsageError(f"grid value {text!r} is not a finite number")
    return value


def parse_param(option: str) -> tuple[str, list]:
    """``name=v1,v2,...`` → (name, [values]); duplicates are dropped, order is kept."""
    name, sep, values = option.partition("=")
    name = name.strip()
    if not sep or not name.isidentifier():
        raise UsageError(f"--param wants name=v1,v2,... , got {option!r}")
    items = [v for v in values.split(",") if v.strip()]
    if not items:
        raise UsageError(f"--param {name}: no values given")
    parsed: list = []
    seen: set[tuple[type, Any]] = set()  # by type too: 1, 1.0 and true are three values
    for item in items:
        value = parse_value(item)
        if (type(value), value) not in seen:
            seen.add((type(value), value))
            parsed.append(value)
    return name, parsed


def parse_params(options: list[str] | None) -> Grid:
    """Repeated ``--param`` options → a grid; a name given twice is an error."""
    grid: Grid = {}
    for option in options or []:
        name, values = parse_param(option)
        if name in grid:
            raise UsageError(f"--param {name} given twice; list all its values in one option")
        grid[name] = values
    return grid


def count_configs(grid: Grid) -> int:
    """How many configs ``grid`` has (the product of its value counts), without expanding it."""
    return math.prod(len(values) for values in grid.values())


def check_size(grid: Grid, limit: int = MAX_CONFIGS) -> None:
    """Refuse a grid of more than ``limit`` configs, counted, not expanded (10⁸ configs would not fit in memory)."""
    n = count_configs(grid)
    if n > limit:
        raise UsageError(f"the grid has {n:,} configs; at most {limit:,}")


def expand(grid: Grid) -> list[dict]:
    """Every config of ``grid`` in scikit-learn's ``ParameterGrid`` order (sorted names, last varies fastest);
    refused over ``MAX_CONFIGS``."""
    check_size(grid)
    if not grid:
        return [{}]
    names = sorted(grid)
    return [dict(zip(names, combo)) for combo in itertools.product(*(grid[n] for n in names))]


def describe(config: dict) -> str:
    """A config as short text: ``n_neighbors=3 weights=distance``."""
    return " ".join(f"{k}={v}" for k, v in config.items()) or "(defaults)"
