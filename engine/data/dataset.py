"""The dataset every source produces: uint8 images (n, h, w), integer labels, class names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.errors import DataError


@dataclass(frozen=True)
class Dataset:
    """Train and test images as ``uint8`` arrays of shape (n, h, w) with ``int64`` labels."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]
    source: str

    @property
    def image_shape(self) -> tuple[int, int]:
        return (int(self.X_train.shape[1]), int(self.X_train.shape[2]))

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    def class_counts(self, split: str = "train") -> list[int]:
        """Images per class in ``split`` ("train" or "test"), indexed by class."""
        y = self.y_train if split == "train" else self.y_test
        return np.bincount(y, minlength=self.n_classes).astype(int).tolist()

    def images(self, split: str = "train") -> np.ndarray:
        return self.X_train if split == "train" else self.X_test

    def labels(self, split: str = "train") -> np.ndarray:
        return self.y_train if split == "train" else self.y_test


def validate_images(X: np.ndarray, y: np.ndarray, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Check and normalise one split: returns (uint8 (n, h, w) images, int64 labels) or raises DataError.

    Images may be (n, h, w) or flat (n, h*w) with h = w. Integer pixels must lie in 0-255. Float pixels whose
    maximum is at most 1.0 are read as 0-1 intensities and scaled to 0-255; other float pixels must lie in
    0-255 and are rounded. Labels must be whole numbers in 0-255 (a class index, not a name).
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim == 2:
        side = int(round(np.sqrt(X.shape[1])))
        if side * side != X.shape[1]:
            raise DataError(f"{what}: {X.shape[1]} pixels per image is not a square image")
        X = X.reshape(len(X), side, side)
    if X.ndim != 3:
        raise DataError(f"{what}: images must be (n, h, w) or (n, h*w), got shape {X.shape}")
    if X.shape[1] != X.shape[2]:
        raise DataError(f"{what}: images are {X.shape[1]}x{X.shape[2]}, not square")
    if y.ndim != 1:
        raise DataError(f"{what}: labels must be one-dimensional, got shape {y.shape}")
    if len(X) != len(y):
        raise DataError(f"{what}: {len(X)} images but {len(y)} labels")
    if len(X) == 0:
        raise DataError(f"{what}: no images")
    if X.dtype != np.uint8:
        X = _pixels_to_uint8(X, what)
    return np.ascontiguousarray(X), _labels_to_int64(y, what)


def _pixels_to_uint8(X: np.ndarray, what: str) -> np.ndarray:
    if X.dtype == bool or not (np.issubdtype(X.dtype, np.integer) or np.issubdtype(X.dtype, np.floating)):
        raise DataError(f"{what}: pixels must be numbers, got {X.dtype}")
    if np.issubdtype(X.dtype, np.floating):
        if not np.isfinite(X).all():
            raise DataError(f"{what}: pixels contain NaN or infinity")
        lo, hi = float(X.min()), float(X.max())
        if lo >= 0 and hi <= 1.0:
            return np.round(X * 255.0).astype(np.uint8)
        if lo < 0 or hi > 255:
            raise DataError(f"{what}: pixels out of range 0-255 (min {lo:g}, max {hi:g})")
        return np.round(X).astype(np.uint8)
    lo, hi = int(X.min()), int(X.max())
    if lo < 0 or hi > 255:
        raise DataError(f"{what}: pixels out of range 0-255 (min {lo}, max {hi})")
    return X.astype(np.uint8)


def _labels_to_int64(y: np.ndarray, what: str) -> np.ndarray:
    if y.dtype == bool or not (np.issubdtype(y.dtype, np.integer) or np.issubdtype(y.dtype, np.floating)):
        raise DataError(f"{what}: labels must be class numbers 0-255, got {y.dtype}")
    if np.issubdtype(y.dtype, np.floating) and not (np.isfinite(y).all() and np.all(np.mod(y, 1) == 0)):
        raise DataError(f"{what}: labels must be whole numbers, got fractional or NaN values")
    lo, hi = y.min(), y.max()
    if lo < 0 or hi > 255:
        raise DataError(f"{what}: labels out of range 0-255 (min {lo:g}, max {hi:g})")
    return y.astype(np.int64)


def stratified_split(
    X: np.ndarray, y: np.ndarray, test_size: float | int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A seeded stratified split; the training set comes out shuffled, the test set in source order.

    ``test_size`` below 1 is a fraction of the images, otherwise a count. Every class keeps at least one
    training image; the same seed always gives the same split.
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise DataError(f"seed must be a whole number 0 or more, got {seed!r}")
    n = len(y)
    n_test = int(round(test_size * n)) if isinstance(test_size, float) and test_size < 1 else int(test_size)
    if not 0 < n_test < n:
        raise DataError(f"test size {test_size} does not leave both a train and a test set of {n} images")
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(y, return_counts=True)
    quota = np.floor(counts * n_test / n).astype(int)
    # hand out the remainder to the classes with the largest fractional parts (stable, seed-free)
    remainder = n_test - quota.sum()
    if remainder:
        frac = np.where(quota + 1 < counts, counts * n_test / n - quota, -1.0)  # never a class's last image
        quota[np.argsort(-frac, kind="stable")[:remainder]] += 1
    if np.any(quota >= counts):
        cls = classes[np.argmax(quota >= counts)]
        raise DataError(f"test size {test_size} leaves no training image of class {cls}")
    test_idx = []
    for cls, q in zip(classes, quota):
        members = np.flatnonzero(y == cls)
        test_idx.append(rng.permutation(members)[:q])
    test_mask = np.zeros(n, dtype=bool)
    test_mask[np.concatenate(test_idx)] = True
    train_idx = rng.permutation(np.flatnonzero(~test_mask))
    test_sel = np.flatnonzero(test_mask)
    return X[train_idx], y[train_idx], X[test_sel], y[test_sel]


def class_phrase(index: int, class_names: Sequence[str] | None = None) -> str:
    """How texts name a class: ``digit 5`` where the classes are digits, its name where it has one (``Sandal``)."""
    name = class_names[index] if class_names is not None and 0 <= index < len(class_names) else str(index)
    return f"digit {name}" if name == str(index) else name
