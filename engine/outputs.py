"""Where a command may write a file it makes (a CSV, an SVG): never over the run store or a data file it reads."""

from __future__ import annotations

import os
from pathlib import Path

from engine.data import DataSpec
from engine.errors import UsageError
from engine.store import default_store_path

IDX_NAMES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def protected_files(store: Path | str | None, spec: DataSpec | None = None) -> dict[Path, str]:
    """The files an output must not replace, each with what it is: the run store (and its WAL files) and the
    files an ``idx:`` or ``npz:`` data spec reads."""
    store_path = Path(store) if store else default_store_path()
    files = {Path(f"{store_path}{suffix}"): "the run store" for suffix in ("", "-wal", "-shm")}
    kind, _, arg = spec.spec.partition(":") if spec is not None else ("", "", "")
    if kind == "npz" and arg:
        files[Path(arg)] = "a data file this command reads"
    elif kind == "idx" and arg and Path(arg).is_dir():
        for name in IDX_NAMES:
            for suffix in ("", ".gz"):
                files[Path(arg) / f"{name}{suffix}"] = "a data file this command reads"
    return files


def check_output(path: str | Path, protected: dict[Path, str]) -> Path:
    """``path`` as a file to write, or a one-line UsageError: an empty name, a folder, a folder that does not
    exist, or a file in ``protected`` (compared as the same file on disk, so links and relative paths count)."""
    if not str(path).strip():
        raise UsageError("the output file name is empty")
    out = Path(path)
    try:
        if out.is_dir():
            raise UsageError(f"{out} is a folder; give a file name to write")
        parent = out.parent if str(out.parent) else Path(".")
        if not parent.is_dir():
            raise UsageError(f"{parent} is not a folder")
        if out.exists():
            for file, what in protected.items():
                if file.exists() and os.path.samefile(out, file):
                    raise UsageError(f"{out} is {what}; writing there would destroy it, give another file")
    except OSError as exc:  # a name too long, a folder we may not read
        raise UsageError(f"{out}: cannot write there ({exc.strerror or exc})") from None
    return out
