"""Multioutput denoising: a KNN that reads a noisy image and predicts every clean pixel.

Job kind ``denoise``, params ``{"seed": 42}``. As in the study, noise is whole numbers drawn uniformly from 0–100
(inclusive) added to every pixel of the training and then the test images (one ``numpy.random.default_rng(seed)``,
train first), clipped to 255 so the images stay uint8. ``KNeighborsClassifier()`` is fitted on the noisy training
images with their clean pixels as targets (one output per pixel) and predicts the test images in chunks of
``CHUNK`` rows, one progress step each (plus one for the fit).

Results: ``noisy`` and ``denoised`` (uint8 (n_test, h, w)), ``error_noisy`` and ``error_denoised`` (float64 per
test image: mean absolute pixel error against the clean image), ``mae_noisy`` and ``mae_denoised`` (over every
pixel of the test set), ``seed``. Index ``i`` is test image ``i`` of the run's data spec.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.jobs.context import JobContext
from engine.models.features import flat_float
from engine.store import RunStore

JOB_KIND = "denoise"
NOISE_MAX = 100
CHUNK = 500
DEFAULT_SEED = 42


def add_noise(X_train: np.ndarray, X_test: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Both image sets plus seeded integer noise in 0–``NOISE_MAX``, clipped to 255, still uint8."""
    rng = np.random.default_rng(seed)
    out = []
    for X in (X_train, X_test):
        noise = rng.integers(0, NOISE_MAX, size=X.shape, dtype=np.uint16, endpoint=True)
        out.append(np.minimum(X + noise, 255).astype(np.uint8))
    return out[0], out[1]


def pixel_errors(images: np.ndarray, clean: np.ndarray) -> np.ndarray:
    """Mean absolute pixel error of each image against its clean one (float64, one per image)."""
    diff = np.abs(images.astype(np.int16) - clean.astype(np.int16))
    return diff.reshape(len(diff), -1).mean(axis=1)


@dataclass(frozen=True)
class DenoiseResults:
    """A done ``denoise`` run's results (numpy only)."""

    run_id: int
    seed: int
    noisy: np.ndarray
    denoised: np.ndarray
    error_noisy: np.ndarray
    error_denoised: np.ndarray
    mae_noisy: float
    mae_denoised: float

    @classmethod
    def from_store(cls, store: RunStore, run_id: int) -> DenoiseResults:
        r = store.results(run_id)
        return cls(
            run_id=run_id,
            seed=int(r["seed"]),
            noisy=r["noisy"],
            denoised=r["denoised"],
            error_noisy=r["error_noisy"],
            error_denoised=r["error_denoised"],
            mae_noisy=float(r["mae_noisy"]),
            mae_denoised=float(r["mae_denoised"]),
        )

    def worst_first(self) -> np.ndarray:
        """Test indices by denoised error, largest first (ties in index order)."""
        return np.argsort(-self.error_denoised, kind="stable")

    def to_json(self) -> dict:
        return {"run_id": self.run_id, "mae_noisy": self.mae_noisy, "mae_denoised": self.mae_denoised}


def run_denoise(ctx: JobContext) -> None:
    from sklearn.neighbors import KNeighborsClassifier

    seed = int(ctx.params.get("seed", DEFAULT_SEED))
    ds = ctx.dataset
    noisy_train, noisy_test = add_noise(ds.X_train, ds.X_test, seed)
    n_test = len(noisy_test)
    n_chunks = -(-n_test // CHUNK)
    ctx.progress(0, 1 + n_chunks)
    ctx.log(f"KNN on {len(noisy_train):,} noisy training images → {ds.X_train[0].size} clean pixels each")
    knn = KNeighborsClassifier().fit(flat_float(noisy_train), ds.X_train.reshape(len(ds.X_train), -1))
    ctx.progress(advance=1)
    denoised = np.empty_like(noisy_test)
    for start in range(0, n_test, CHUNK):
        stop = min(start + CHUNK, n_test)
        pred = knn.predict(flat_float(noisy_test[start:stop]))
        denoised[start:stop] = pred.reshape(stop - start, *ds.image_shape)
        ctx.progress(advance=1)
    error_noisy = pixel_errors(noisy_test, ds.X_test)
    error_denoised = pixel_errors(denoised, ds.X_test)
    ctx.save(
        seed=seed,
        noisy=noisy_test,
        denoised=denoised,
        error_noisy=error_noisy,
        error_denoised=error_denoised,
        mae_noisy=float(error_noisy.mean()),
        mae_denoised=float(error_denoised.mean()),
    )
    ctx.log(f"mean absolute pixel error: noisy {error_noisy.mean():.2f}, denoised {error_denoised.mean():.2f}")
