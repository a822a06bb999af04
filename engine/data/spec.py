"""Data SPEC strings (``mnist5k``, ``digits``, ``idx:DIR``, ``npz:FILE``, ``openml:NAME``) and the one loader."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from engine.data import sources
from engine.data.dataset import Dataset, stratified_split, validate_images
from engine.data.reading import read_npz
from engine.errors import DataError

DEFAULT_SPEC = "mnist5k"
DEFAULT_TEST_SIZE = 0.2
DEFAULT_SEED = 42
SOURCES_HELP = (
    "mnist5k (default: the embedded MNIST 5,000-image sample), digits (scikit-learn 8x8), "
    "idx:DIR (four MNIST-format IDX files, raw or .gz), npz:FILE (X_train,y_train,X_test,y_test or X,y), "
    "openml:NAME (downloaded once, then cached)"
)


@dataclass(frozen=True)
class DataSpec:
    """Which data to load and how to split it when the source has no fixed test set.

    The path of an ``idx:`` or ``npz:`` spec is made absolute when the spec is built, so a job process (which
    runs in another folder) and a later session load the same files.
    """

    spec: str = DEFAULT_SPEC
    test_size: float | int = DEFAULT_TEST_SIZE
    seed: int = DEFAULT_SEED

    def __post_init__(self) -> None:
        kind, sep, arg = self.spec.partition(":")
        if kind in ("idx", "npz") and sep and arg:
            try:
                path = Path(arg).expanduser().absolute()
            except RuntimeError as exc:  # "~nosuchuser/...": no home folder to expand to
                raise DataError(f"{arg}: {exc}".rstrip(".")) from None
            object.__setattr__(self, "spec", f"{kind}:{path}")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> DataSpec:
        return cls(spec=d["spec"], test_size=d.get("test_size", DEFAULT_TEST_SIZE), seed=d.get("seed", DEFAULT_SEED))

    @property
    def label(self) -> str:
        """Short text naming the data, for headers and tables."""
        return self.spec


def parse_test_size(text: str) -> float | int:
    """``--test-size``: a count (``1000``) or a fraction below 1 (``0.2``)."""
    try:
        value = float(text)
    except ValueError:
        raise DataError(f"--test-size must be a count or a fraction, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise DataError(f"--test-size must be a positive count or a fraction between 0 and 1, got {text!r}")
    if value < 1:
        return value
    if value != int(value):
        raise DataError(f"--test-size must be a whole count or a fraction between 0 and 1, got {text!r}")
    return int(value)


def check_spec(spec: DataSpec) -> None:
    """Refuse at once (one-line DataError) a SPEC that cannot load: an unknown source, or a file or folder that is
    not there. Cheap: nothing is read; the app checks this before it starts and loads the data behind its first frame."""
    kind, _, arg = spec.spec.partition(":")
    if kind in ("mnist5k", "digits") and not arg or kind == "openml" and arg:
        return
    if kind in ("idx", "npz") and arg:
        path = Path(arg).expanduser()
        if kind == "idx" and not path.is_dir():
            raise DataError(f"{path}: no such folder (idx: needs a folder of MNIST-format IDX files)")
        if kind == "npz" and not path.is_file():
            raise DataError(f"{path}: no such file")
        return
    raise DataError(f"unknown data source {spec.spec!r}; use {SOURCES_HELP}")


def load_dataset(spec: DataSpec | str = DEFAULT_SPEC) -> Dataset:
    """Load the data a SPEC names; raises :class:`DataError` with one line on any bad input."""
    if isinstance(spec, str):
        spec = DataSpec(spec)
    kind, _, arg = spec.spec.partition(":")
    if kind == "mnist5k" and not arg:
        X, y, source = sources.read_mnist5k()
        return _split(X, y, sources.DIGIT_NAMES, source, spec)
    if kind == "digits" and not arg:
        X, y, source = sources.read_digits()
        return _split(X, y, sources.DIGIT_NAMES, source, spec)
    if kind == "idx" and arg:
        X_tr, y_tr, X_te, y_te, names, source = sources.read_idx_folder(Path(arg).expanduser())
        return _checked(X_tr, y_tr, X_te, y_te, names, source)
    if kind == "npz" and arg:
        return _from_npz(Path(arg).expanduser(), spec)
    if kind == "openml" and arg:
        X, y, source = sources.read_openml(arg)
        return _split(X, y, None, source, spec)
    raise DataError(f"unknown data source {spec.spec!r}; use {SOURCES_HELP}")


def _from_npz(path: Path, spec: DataSpec) -> Dataset:
    arrays = read_npz(path)
    split_keys = {"X_train", "y_train", "X_test", "y_test"}
    if split_keys <= arrays.keys():
        return _checked(arrays["X_train"], arrays["y_train"], arrays["X_test"], arrays["y_test"], None, f"npz {path}")
    if {"X", "y"} <= arrays.keys():
        return _split(arrays["X"], arrays["y"], None, f"npz {path}", spec)
    have = ", ".join(sorted(arrays)) or "nothing"
    raise DataError(f"{path}: needs arrays X_train, y_train, X_test, y_test or X, y; it has {have}")


def _split(X, y, names, source: str, spec: DataSpec) -> Dataset:
    X, y = validate_images(X, y, source)
    X_tr, y_tr, X_te, y_te = stratified_split(X, y, spec.test_size, spec.seed)
    return _checked(X_tr, y_tr, X_te, y_te, names, source)


def _checked(X_tr, y_tr, X_te, y_te, names, source: str) -> Dataset:
    X_tr, y_tr = validate_images(X_tr, y_tr, f"{source} train")
    X_te, y_te = validate_images(X_te, y_te, f"{source} test")
    if X_tr.shape[1:] != X_te.shape[1:]:
        raise DataError(f"{source}: train images are {X_tr.shape[1:]} but test images are {X_te.shape[1:]}")
    unseen = np.setdiff1d(y_te, y_tr)
    if len(unseen):
        raise DataError(
            f"{source}: test labels include class {', '.join(map(str, unseen[:5]))} that no training image has"
        )
    n_classes = int(y_tr.max()) + 1
    if names is None or len(names) < n_classes:
        names = tuple(str(c) for c in range(n_classes))
    return Dataset(X_tr, y_tr, X_te, y_te, tuple(names[: max(n_classes, 1)]), source)
