"""Resource bombs and OS errors in data files: `info --data SPEC` refuses each in one line, exit 2, small memory.

Every case builds its bad input in tmp_path and runs the CLI (``info --data SPEC``, as ``python -m engine`` does) in a
child process that reports its peak memory: a bomb that were inflated would take gigabytes.
"""

from __future__ import annotations

import ctypes
import gzip
import os
import struct
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from test_data_loaders import idx_bytes, synthetic_split, write_idx_folder

from engine.data.reading import MAX_BYTES, MAX_IMAGES, MAX_NPZ_MEMBERS

MB = 2**20
MAX_CHILD_RSS = 200 * MB  # the CLI with numpy loaded peaks at ~50 MB; each bomb below would take 1.5 GB or more
X_TR, Y_TR, X_TE, Y_TE = synthetic_split()
PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 24, 1, 2


# -- bad inputs ------------------------------------------------------------------------------------------------------
def gz_zeros(n_mb: int) -> bytes:
    """``n_mb`` MiB of zero bytes as a multi-member gzip stream of about ``n_mb`` KiB: built at once, not inflated."""
    return gzip.compress(bytes(MB), compresslevel=9, mtime=0) * n_mb


def deflate_zeros(prefix: bytes, n_mb: int) -> bytes:
    """A raw deflate stream of ``prefix`` then ``n_mb`` MiB of zeros, built from one compressed block repeated."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(prefix) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(bytes(MB)) + c.flush(zlib.Z_FULL_FLUSH)  # a full flush resets the state: blocks repeat
    return head + block * n_mb + c.flush()


def zip_member(path: Path, name: str, data: bytes, crc: int, size: int, deflated: bool, flags: int = 0) -> None:
    """A one-member zip of already compressed ``data`` (``size`` bytes inflated): what numpy.savez writes, by hand."""
    method, fname = (8 if deflated else 0), name.encode()
    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, flags, method, 0, 0x21, crc, len(data), size, len(fname), 0)
    central = struct.pack(
        "<4s6H3L5H2L", b"PK\x01\x02", 20, 20, flags, method, 0, 0x21, crc, len(data), size, len(fname), 0, 0, 0, 0, 0, 0
    )
    cd_offset = len(local) + len(fname) + len(data)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(central) + len(fname), cd_offset, 0)
    path.write_bytes(local + fname + data + central + fname + end)


def npy_header(shape: tuple[int, ...], descr: str = "|u1") -> bytes:
    header = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}".encode()
    header += b" " * (63 - (len(header) + 10) % 64) + b"\n"  # pad the whole preamble to a multiple of 64
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header


def npz_bomb(tmp: Path, header_shape: tuple[int, ...], n_mb: int) -> str:
    """An npz whose X.npy claims ``header_shape`` and inflates to ``n_mb`` MiB of zeros after its header."""
    header = npy_header(header_shape)
    crc = zlib.crc32(header)
    zeros = bytes(MB)
    for _ in range(n_mb):
        crc = zlib.crc32(zeros, crc)
    zip_member(tmp / "bomb.npz", "X.npy", deflate_zeros(header, n_mb), crc, len(header) + n_mb * MB, deflated=True)
    return f"npz:{tmp / 'bomb.npz'}"


def npz_raw(tmp: Path, member: bytes) -> str:
    """An npz holding one stored member X.npy with exactly these bytes."""
    zip_member(tmp / "raw.npz", "X.npy", member, zlib.crc32(member), len(member), deflated=False)
    return f"npz:{tmp / 'raw.npz'}"


def npz_encrypted(tmp: Path) -> str:
    member = npy_header((3,)) + bytes(3)
    zip_member(tmp / "locked.npz", "X.npy", member, zlib.crc32(member), len(member), deflated=False, flags=0x1)
    return f"npz:{tmp / 'locked.npz'}"


def npz_many_members(tmp: Path) -> str:
    with zipfile.ZipFile(tmp / "many.npz", "w") as zf:
        for i in range(MAX_NPZ_MEMBERS + 1):
            zf.writestr(f"m{i}.txt", b"")
    return f"npz:{tmp / 'many.npz'}"


def idx_gz(tmp: Path, train_images: bytes) -> str:
    """An IDX folder of .gz files whose train-images file is ``train_images`` (already gzip'd)."""
    folder = write_idx_folder(tmp / "idx", gz=True)
    (folder / "train-images-idx3-ubyte.gz").write_bytes(train_images)
    return f"idx:{folder}"


def idx_header(*dims: int) -> bytes:
    return bytes([0, 0, 8, len(dims)]) + struct.pack(f">{len(dims)}i", *dims)


def idx_with(tmp: Path, **arrays) -> str:
    parts = dict(zip(("X_tr", "y_tr", "X_te", "y_te"), (X_TR, Y_TR, X_TE, Y_TE))) | arrays
    return f"idx:{write_idx_folder(tmp / 'idx', arrays=tuple(parts.values()))}"


def unreadable(path: Path) -> Path:
    path.chmod(0)
    return path


def idx_file_unreadable(tmp: Path) -> str:
    folder = write_idx_folder(tmp / "idx")
    unreadable(folder / "t10k-labels-idx1-ubyte")
    return f"idx:{folder}"


def npz_unreadable(tmp: Path) -> str:
    np.savez(tmp / "data.npz", X=X_TR, y=Y_TR)
    return f"npz:{unreadable(tmp / 'data.npz')}"


def idx_with_fifo(tmp: Path) -> str:
    folder = write_idx_folder(tmp / "idx", train_labels=None)
    os.mkfifo(folder / "train-labels-idx1-ubyte")  # opening it to read would block forever
    return f"idx:{folder}"


# name: (make the input in tmp_path -> the --data SPEC, a fragment of the one-line error, needs unprivileged child)
BAD_INPUTS: dict[str, tuple[Callable[[Path], str], str, bool]] = {
    "IDX .gz that inflates to 2 GB past its 60-image header": (
        lambda t: idx_gz(t, gzip.compress(idx_bytes(X_TR), mtime=0) + gz_zeros(2048)),
        "holds more than the 2,940 bytes of data its header promises",
        False,
    ),
    "IDX .gz whose header claims 1.5 GB from 1.5 MB": (
        lambda t: idx_gz(t, gzip.compress(idx_header(2_000_000, 28, 28), mtime=0) + gz_zeros(1500)),
        "refused as a decompression bomb",
        False,
    ),
    "IDX header claiming more images than the limit": (
        lambda t: idx_gz(t, gzip.compress(idx_header(2**31 - 1, 28, 28), mtime=0)),
        f"more than the limit of {MAX_IMAGES:,}",
        False,
    ),
    "IDX header claiming more bytes than the limit": (
        lambda t: idx_gz(t, gzip.compress(idx_header(5_000_000, 28, 28), mtime=0)),
        f"more than the limit of {MAX_BYTES:,}",
        False,
    ),
    "raw IDX header claiming 2**31 images in a small file": (
        lambda t: f"idx:{write_idx_folder(t / 'idx', train_images=idx_header(2**31 - 1, 1, 1) + bytes(100))}",
        f"more than the limit of {MAX_IMAGES:,}",
        False,
    ),
    "npz member that inflates to 2 GB past its 60-image header": (
        lambda t: npz_bomb(t, (60, 7, 7), 2048),
        "holds more than the 2,940 bytes its header promises",
        False,
    ),
    "npz member whose header claims 1.9 GB from 1.9 MB": (
        lambda t: npz_bomb(t, (2_540_000, 28, 28), 1900),
        "refused as a decompression bomb",
        False,
    ),
    "npz header claiming 10**12 images": (
        lambda t: npz_raw(t, npy_header((10**12, 28, 28)) + bytes(64)),
        "header claims 1,000,000,000,000 images",
        False,
    ),
    "npz header claiming more bytes than the limit": (
        lambda t: npz_raw(t, npy_header((3_000_000, 28, 28)) + bytes(64)),
        f"more than the limit of {MAX_BYTES:,}",
        False,
    ),
    "npz member shorter than its header says": (
        lambda t: npz_raw(t, npy_header((60, 7, 7)) + bytes(10)),
        "header promises 2,940 bytes, the member holds",
        False,
    ),
    "malformed .npy header": (
        lambda t: npz_raw(t, b"\x93NUMPY\x01\x00\x10\x00{'descr': <zz, }\n" + bytes(16)),
        "X.npy: malformed .npy header",
        False,
    ),
    "malformed .npy magic": (lambda t: npz_raw(t, b"\x93NUMPZ\x01\x00" + bytes(64)), "malformed .npy header", False),
    ".npy header with a negative size": (
        lambda t: npz_raw(t, npy_header((-5, 7, 7)) + bytes(64)),
        "negative size",
        False,
    ),
    "npz with more members than the limit": (npz_many_members, f"more than the limit of {MAX_NPZ_MEMBERS:,}", False),
    "npz with an encrypted member": (npz_encrypted, "is encrypted", False),
    "IDX set with zero test images": (
        lambda t: idx_with(t, X_te=X_TE[:0], y_te=Y_TE[:0]),
        "the test set has no images",
        False,
    ),
    "IDX set with zero training images": (
        lambda t: idx_with(t, X_tr=X_TR[:0], y_tr=Y_TR[:0]),
        "the train set has no images",
        False,
    ),
    "IDX folder the user may not read": (
        lambda t: f"idx:{unreadable(write_idx_folder(t / 'idx'))}",
        "cannot read the folder (Permission denied)",
        True,
    ),
    "IDX file the user may not read": (idx_file_unreadable, "cannot read (Permission denied)", True),
    "npz file the user may not read": (npz_unreadable, "cannot read (Permission denied)", True),
    "IDX folder name longer than the OS allows": (lambda t: f"idx:{t / ('d' * 300)}", "File name too long", False),
    "npz path longer than the OS allows": (lambda t: f"npz:{t / ('d/' * 2100)}x.npz", "File name too long", False),
    "npz that is a device": (lambda t: "npz:/dev/zero", "not a regular file", False),
    "IDX file that is a FIFO": (idx_with_fifo, "not a regular file", False),
    "path under an unknown user's home": (lambda t: "npz:~no-such-user-xyz/data.npz", "home directory", False),
    "OpenML name longer than a file name may be": (lambda t: "openml:" + "m" * 300, "not an OpenML dataset", False),
}


# -- running the CLI -------------------------------------------------------------------------------------------------
def _drop_root_file_overrides() -> None:
    """In the child before exec: without these capabilities root obeys file permissions, as any user does."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)  # fails harmlessly when not root: no override to drop


# The engine's CLI (what ``python -m engine`` runs) reporting its own peak memory when it ends. The child's peak is
# read from VmHWM, which starts afresh at exec; getrusage's maxrss would include the pytest process it forked from.
CHILD = """
import sys
from engine.cli.main import main
try:
    code = main(sys.argv[2:])
finally:
    with open("/proc/self/status") as status, open(sys.argv[1], "w") as out:
        out.write(next(line for line in status if line.startswith("VmHWM:")).split()[1])
sys.exit(code)
"""


def run_info(spec: str, tmp: Path, unprivileged: bool) -> tuple[int, str, str, int]:
    """(exit code, stdout, stderr, peak RSS in bytes) of the CLI's ``info --data SPEC`` in a child process."""
    peak = tmp / "peak-kb.txt"
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(peak), "info", "--data", spec],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        preexec_fn=_drop_root_file_overrides if unprivileged else None,
    )
    return child.returncode, child.stdout, child.stderr, int(peak.read_text()) * 1024


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_is_refused_in_one_line_with_exit_2_and_little_memory(case: str, tmp_path: Path) -> None:
    make, fragment, unprivileged = BAD_INPUTS[case]
    spec = make(tmp_path)
    code, out, err, peak = run_info(spec, tmp_path, unprivileged)
    assert (code, out) == (2, ""), err
    assert err.startswith("mnist-explorer: error: ") and err.count("\n") == 1, err
    assert fragment in err
    assert peak < MAX_CHILD_RSS, f"peak RSS {peak / MB:.0f} MB"


def test_unprivileged_children_really_obey_file_permissions(tmp_path: Path) -> None:
    (tmp_path / "secret").write_text("no")
    secret = unreadable(tmp_path / "secret")
    probe = subprocess.run(
        [sys.executable, "-c", f"open({str(secret)!r}).close()"], preexec_fn=_drop_root_file_overrides
    )
    assert probe.returncode != 0  # else the permission cases above would test nothing
