"""Bounded reads of data files the app did not make: IDX (raw or .gz), .npz and gzip'd package files.

Nothing is inflated or allocated beyond what a file's header promises, and a header's promise is refused before
anything is allocated when it is beyond the limits below; every OS or format error becomes a one-line DataError.
"""

from __future__ import annotations

import gzip
import math
import os
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Protocol

import numpy as np

from engine.errors import DataError

MAX_BYTES = 2**31  # one IDX file's data, or all the arrays of an npz: far above full MNIST's 55 MB
MAX_IMAGES = 10_000_000
MAX_NPZ_MEMBERS = 1_000  # each member costs zipfile an object before anything is read; a data set has a few
# Image data compresses a few times over (MNIST's IDX .gz files ~5x); a file that claims to inflate over 100x, and
# to more than FREE_BYTES, is a decompression bomb, refused before it is inflated.
MAX_EXPANSION = 100
FREE_BYTES = 256 * 2**20
CHUNK = 2**20
IDX_UBYTE = 0x08
GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK"
NPY_MAGIC = b"\x93NUMPY"
ZIP_TAIL = 22 + 65535 + 56 + 20  # end record, its longest comment, the zip64 end record and its locator
NpyHeader = tuple[tuple[int, ...], bool, np.dtype]  # shape, Fortran order, dtype


class Readable(Protocol):
    """What the readers need of an open file, a gzip stream or a zip member."""

    def read(self, size: int = -1, /) -> bytes: ...


def path_kind(path: Path) -> str | None:
    """What is at ``path``: "dir", "file" (a regular file), "other" (a device, a FIFO...), or None (nothing)."""
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except ValueError as exc:  # an embedded NUL byte
        raise DataError(f"{path}: not a usable path ({exc})") from None
    return "dir" if stat.S_ISDIR(mode) else "file" if stat.S_ISREG(mode) else "other"


def list_folder(folder: Path) -> set[str]:
    """The names in ``folder``; a folder the user may not read is one line, not a traceback."""
    try:
        return set(os.listdir(folder))
    except OSError as exc:
        raise DataError(f"{folder}: cannot read the folder ({exc.strerror or exc})") from None


@contextmanager
def reading(path: Path, what: str) -> Iterator[None]:
    """Turn any error while reading ``path`` (``what``: "gzip", "npz" or "file") into one line."""
    try:
        yield
    except EOFError:
        raise DataError(f"{path}: truncated {_format(what)} (it ends before its end-of-stream marker)") from None
    except gzip.BadGzipFile as exc:
        raise DataError(f"{path}: corrupt gzip file ({_detail(exc, 'not gzip data')})") from None
    except (zlib.error, zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError) as exc:
        if what == "npz":
            raise DataError(f"{path}: truncated or corrupt .npz file ({_detail(exc)})") from None
        raise DataError(f"{path}: corrupt {_format(what)} ({_detail(exc)})") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror or _detail(exc)})") from None
    except MemoryError:
        raise DataError(f"{path}: not enough memory to load it") from None


def _format(what: str) -> str:
    return {"gzip": "gzip file", "npz": ".npz file"}.get(what, "file")


def _detail(exc: BaseException, default: str = "") -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else default or type(exc).__name__


def read_gz(path: Path, limit: int) -> bytes:
    """The inflated bytes of a gzip file that must hold at most ``limit`` bytes (a file shipped in a package)."""
    with reading(path, "gzip"), gzip.open(path, "rb") as fh:
        raw = fh.read(limit + 1)
    if len(raw) > limit:
        raise DataError(f"{path}: inflates to more than the {limit:,} bytes expected")
    return raw


def _read_exactly(fh: Readable, n: int) -> np.ndarray:
    """Up to ``n`` bytes of ``fh`` into one array allocated once (short if the stream ends first)."""
    out = np.empty(n, dtype=np.uint8)
    got = 0
    while got < n:
        chunk = fh.read(min(CHUNK, n - got))
        if not chunk:
            break
        out[got : got + len(chunk)] = np.frombuffer(chunk, dtype=np.uint8)
        got += len(chunk)
    return out[:got]


def _check_claim(name: str, n_items: int, nbytes: int, stored: int | None) -> None:
    """Refuse a header whose promise is beyond the limits, before anything is allocated or inflated.

    ``n_items`` is the first dimension (images), ``stored`` the compressed size when the data is compressed."""
    if n_items > MAX_IMAGES:
        raise DataError(f"{name}: header claims {n_items:,} images, more than the limit of {MAX_IMAGES:,}")
    if nbytes > MAX_BYTES:
        raise DataError(f"{name}: header claims {nbytes:,} bytes of data, more than the limit of {MAX_BYTES:,}")
    if stored is not None and nbytes > max(FREE_BYTES, MAX_EXPANSION * stored):
        raise DataError(
            f"{name}: header claims {nbytes:,} bytes from {stored:,} compressed bytes "
            f"(over {MAX_EXPANSION}x): refused as a decompression bomb"
        )


def read_idx(path: Path, ndim: int) -> np.ndarray:
    """One IDX file (magic 0x0000, type byte, ndim byte, big-endian int32 sizes, then the data), raw or ``.gz``.

    Only unsigned-byte data (type 0x08), as in MNIST and Fashion-MNIST, is accepted. The header is checked first;
    then exactly the bytes it promises are read, and a stream holding more is refused without inflating the rest.
    """
    name, gz = str(path), path.suffix == ".gz"
    with reading(path, "gzip" if gz else "file"), gzip.open(path, "rb") if gz else open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        head = fh.read(4)
        if head[:2] == GZIP_MAGIC:
            raise DataError(f"{name}: is gzip-compressed; name it with a .gz suffix")
        if len(head) < 4:
            raise DataError(f"{name}: too short to be an IDX file")
        if head[0] != 0 or head[1] != 0:
            raise DataError(f"{name}: not an IDX file (bad magic {head.hex()})")
        if head[2] != IDX_UBYTE:
            raise DataError(f"{name}: IDX data type 0x{head[2]:02x} is not unsigned bytes (0x08)")
        if head[3] != ndim:
            raise DataError(f"{name}: expected {ndim} dimension(s), the header says {head[3]}")
        raw_dims = fh.read(4 * ndim)
        if len(raw_dims) < 4 * ndim:
            raise DataError(f"{name}: truncated IDX header")
        dims = tuple(int(d) for d in np.frombuffer(raw_dims, dtype=">i4"))
        if min(dims) < 0:
            raise DataError(f"{name}: corrupt IDX header (negative size in {dims})")
        expected = math.prod(dims)
        _check_claim(name, dims[0], expected, size if gz else None)
        if not gz and size - 4 - 4 * ndim != expected:
            raise _size_mismatch(name, expected, dims, size - 4 - 4 * ndim)
        data = _read_exactly(fh, expected)
        if len(data) < expected:
            raise _size_mismatch(name, expected, dims, len(data))
        if fh.read(1):
            raise DataError(
                f"{name}: holds more than the {expected:,} bytes of data its header promises for shape {dims} "
                "(corrupt); the rest was not read"
            )
    return data.reshape(dims)


def _size_mismatch(name: str, expected: int, dims: tuple[int, ...], held: int) -> DataError:
    return DataError(
        f"{name}: header promises {expected} bytes of data for shape {dims}, file holds {held} (truncated or corrupt)"
    )


def read_npz(path: Path) -> dict[str, np.ndarray]:
    """The arrays of an ``.npz`` file, each ``.npy`` header checked before its data is inflated.

    Pickled (object) arrays are refused, never loaded; so are headers beyond the limits and members holding more
    data than their header says. Members not named ``*.npy`` are ignored.
    """
    kind = path_kind(path)
    if kind is None:
        raise DataError(f"{path}: no such file")
    if kind == "dir":
        raise DataError(f"{path}: is a folder, not an .npz file")
    if kind != "file":
        raise DataError(f"{path}: not a regular file")
    with reading(path, "file"), open(path, "rb") as fh:
        magic = fh.read(6)
        entries = _zip_entries(fh)
    if magic == NPY_MAGIC:
        raise DataError(f"{path}: is a single-array .npy file; save the arrays together with numpy.savez")
    if not magic.startswith(ZIP_MAGIC):
        raise DataError(f"{path}: not an .npz file (numpy.savez writes a zip archive; this is not one)")
    if entries is not None and entries > MAX_NPZ_MEMBERS:
        raise DataError(f"{path}: holds {entries:,} members, more than the limit of {MAX_NPZ_MEMBERS:,}")
    with reading(path, "npz"), zipfile.ZipFile(path) as zf:
        members = [m for m in zf.infolist() if m.filename.endswith(".npy")]
        headers = {}
        for member in members:
            with zf.open(member) as fh:
                headers[member.filename] = _npy_header(fh, path, member.filename)
        total = 0
        for member in members:
            shape, _, dtype = headers[member.filename]
            nbytes = math.prod(shape) * dtype.itemsize
            total += nbytes
            stored = member.compress_size if member.compress_type != zipfile.ZIP_STORED else None
            name = f"{path}: {member.filename}"
            _check_claim(name, shape[0] if shape else 1, nbytes, stored)
            _check_claim(str(path), 0, total, None)
            if nbytes > member.file_size:
                raise DataError(f"{name}: header promises {nbytes:,} bytes, the member holds {member.file_size:,}")
        return {m.filename[:-4]: _npy_data(zf, m, headers[m.filename], path) for m in members}


def _zip_entries(fh: BinaryIO) -> int | None:
    """The member count a zip's end record declares, read before zipfile builds an object for every member;
    None when there is no end record (zipfile then refuses the file)."""
    size = fh.seek(0, os.SEEK_END)
    fh.seek(max(0, size - ZIP_TAIL))
    tail = fh.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        return None
    (entries,) = struct.unpack_from("<H", tail, at + 10)
    at64 = tail.rfind(b"PK\x06\x06", 0, at)  # zip64 (numpy.savez always writes it): the real count is here
    if at64 >= 0 and len(tail) >= at64 + 40:
        (entries,) = struct.unpack_from("<Q", tail, at64 + 32)
    return int(entries)


def _npy_header(fh: Readable, path: Path, member: str) -> NpyHeader:
    """(shape, fortran order, dtype) of a ``.npy`` stream positioned at its start; malformed headers refused."""
    name = f"{path}: {member}"
    try:
        version = np.lib.format.read_magic(fh)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(fh)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(fh)
        else:
            raise DataError(f"{name}: .npy format version {version[0]}.{version[1]} is not supported (1.0 or 2.0)")
    except ValueError as exc:
        raise DataError(f"{name}: malformed .npy header ({_detail(exc)})") from None
    if dtype.hasobject:
        raise DataError(f"{path}: holds object (pickled) arrays, which are never loaded")
    if any(d < 0 for d in shape):
        raise DataError(f"{name}: malformed .npy header (negative size in {shape})")
    if dtype.itemsize == 0:
        raise DataError(f"{name}: malformed .npy header (dtype {dtype} has no size)")
    return shape, fortran, dtype


def _npy_data(zf: zipfile.ZipFile, member: zipfile.ZipInfo, header: NpyHeader, path: Path) -> np.ndarray:
    shape, fortran, dtype = header
    nbytes = math.prod(shape) * dtype.itemsize
    name = f"{path}: {member.filename}"
    with zf.open(member) as fh:
        _npy_header(fh, path, member.filename)
        data = _read_exactly(fh, nbytes)
        if len(data) < nbytes:
            raise DataError(f"{name}: header promises {nbytes:,} bytes, the member holds {len(data):,} (truncated)")
        if fh.read(1):
            raise DataError(f"{name}: holds more than the {nbytes:,} bytes its header promises (corrupt)")
    return data.view(dtype).reshape(shape, order="F" if fortran else "C")
