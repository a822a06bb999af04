"""Whole-pixel image shifts for data augmentation, vectorised over the whole array (no loop over images)."""

from __future__ import annotations

import numpy as np

# (dy, dx) of the study's four one-pixel shifts, in its order: right, left, down, up
SHIFTS: tuple[tuple[int, int], ...] = ((0, 1), (0, -1), (1, 0), (-1, 0))


def shift_images(images: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """``images`` (…, h, w) moved ``dy`` rows down and ``dx`` columns right, the vacated pixels 0; same dtype.

    Equal to ``scipy.ndimage.shift(image, (dy, dx), cval=0, order=0)`` for each image.
    """
    h, w = images.shape[-2:]
    out = np.zeros_like(images)
    if abs(dy) >= h or abs(dx) >= w:
        return out
    out[..., max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = images[
        ..., max(-dy, 0) : h - max(dy, 0), max(-dx, 0) : w - max(dx, 0)
    ]
    return out


def augment(images: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The images followed by each of their four one-pixel shifts (``SHIFTS`` order): 5× the images and labels."""
    shifted = [images] + [shift_images(images, dy, dx) for dy, dx in SHIFTS]
    return np.concatenate(shifted), np.tile(labels, len(shifted))
