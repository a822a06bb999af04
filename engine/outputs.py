"""Where a command may write a file it makes (a CSV, an SVG) or a folder (a report): never over the run store or
a data file it reads."""

from __future__ import annotations

import os
from collections.abc import Callable
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


def check_output_folder(path: str | Path, protected: dict[Path, str], force: bool, ours: Callable[[str], bool]) -> Path:
    """``path`` as a folder to write a set of files into, or a one-line UsageError: an empty name, a file (the
    store, say), a folder whose parent does not exist or may not be written, a folder that holds a protected file.
    An existing folder is replaced only with ``force``, and only when every file in it is one ``ours`` names (a
    report folder written before): --force never deletes anything else."""
    if not str(path).strip():
        raise UsageError("the output folder name is empty")
    out = Path(path)
    try:
        if out.exists() and not out.is_dir():
            what = next((w for f, w in protected.items() if f.exists() and os.path.samefile(out, f)), "a file")
            raise UsageError(f"{out} is {what}, not a folder; give a folder to write the report in")
        parent = out.absolute().parent
        if not parent.is_dir():
            raise UsageError(f"{parent} is not a folder")
        if not os.access(parent, os.W_OK | os.X_OK):
            raise UsageError(f"{parent}: cannot write there (permission denied)")
        if out.is_dir():
            entries = sorted(os.listdir(out))
            for file, what in protected.items():
                if file.exists() and file.absolute().parent.resolve() == out.resolve():
                    raise UsageError(f"{out} holds {what} ({file.name}); give another folder")
            if not force:
                raise UsageError(f"{out} exists; --force replaces it")
            strangers = [e for e in entries if not ours(e) or not (out / e).is_file()]
            if strangers:
                raise UsageError(
                    f"{out} holds files no report wrote ({strangers[0]}); not replaced, give another folder"
                )
    except OSError as exc:  # a name too long, a folder we may not read
        raise UsageError(f"{out}: cannot write there ({exc.strerror or exc})") from None
    return out


def replace_folder(out: Path, files: dict[str, str]) -> None:
    """Write ``files`` (name → text) as folder ``out``: built beside it, then swapped in, so a failure leaves the
    old folder whole and a reader never sees half a report."""
    import shutil
    import tempfile

    try:
        new = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.absolute().parent))
        umask = os.umask(0)
        os.umask(umask)
        try:
            new.chmod(0o777 & ~umask)  # mkdtemp's folder is private; the report is an ordinary folder
            for name, text in files.items():
                (new / name).write_text(text, encoding="utf-8")
            old = None
            if out.exists():
                old = new.with_name(f"{new.name}-old")
                out.rename(old)
            new.rename(out)
        except BaseException:
            shutil.rmtree(new, ignore_errors=True)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        raise UsageError(f"{out}: cannot write the report ({exc.strerror or exc})") from None
