"""``--max-train N``: a stratified, seeded subsample of the training set (the same N and seed give the same rows)."""

from __future__ import annotations

import numpy as np

from engine.errors import UsageError

SEED = 42


def check_max_train(max_train: int | None, y: np.ndarray) -> None:
    """Refuse a ``--max-train`` that cannot hold one image of every class (one line)."""
    if max_train is None:
        return
    n_classes = len(np.unique(y))
    if isinstance(max_train, bool) or not isinstance(max_train, int) or max_train < n_classes:
        raise UsageError(f"--max-train must be a whole number of at least {n_classes} (one per class), got {max_train}")


def stratified_subsample(y: np.ndarray, n: int | None, seed: int = SEED) -> np.ndarray:
    """Sorted indices of ``n`` training rows with the class proportions of ``y`` (all rows when n is None or ≥ len)."""
    if n is None or n >= len(y):
        return np.arange(len(y))
    check_max_train(n, y)
    from sklearn.model_selection import train_test_split

    keep, _ = train_test_split(np.arange(len(y)), train_size=n, stratify=y, random_state=seed)
    return np.sort(keep)
