"""Turning uint8 images into what models want: the one place images become floats."""

from __future__ import annotations

import numpy as np


def flat_float(images: np.ndarray) -> np.ndarray:
    """(n, h, w) uint8 → (n, h·w) C-contiguous float64 (scikit-learn's fast paths want float64 or float32)."""
    return np.ascontiguousarray(images.reshape(len(images), -1), dtype=np.float64)
