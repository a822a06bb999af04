"""The denoising report: the mean absolute pixel error of the noisy input and of the KNN's denoised output."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.table import Table
from rich.text import Text

from engine.models.denoise import NOISE_MAX, DenoiseResults
from engine.render.digits import DigitImage


def side_by_side(noisy: np.ndarray, denoised: np.ndarray, clean: np.ndarray, scale: int = 1) -> Table:
    """One test image noisy | denoised | clean as half-block pixels, each titled."""
    table = Table.grid(padding=(0, 2))
    for _ in range(3):
        table.add_column(justify="center")
    table.add_row(*(Text(t, style="dim") for t in ("noisy", "denoised", "clean")))
    table.add_row(*(DigitImage(image, scale) for image in (noisy, denoised, clean)))
    return table


@dataclass
class DenoiseReport:
    """Draws a ``denoise`` run's results; with the test images (``clean``), the worst-denoised one beside them."""

    results: DenoiseResults
    clean: np.ndarray | None = None

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        r = self.results
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold")
        table.add_column(justify="right")
        table.add_column(style="dim")
        table.add_row("noisy input", f"{r.mae_noisy:.2f}", f"noise: whole numbers 0–{NOISE_MAX} added, seed {r.seed}")
        ratio = r.mae_denoised / r.mae_noisy if r.mae_noisy else float("nan")
        table.add_row(
            "denoised (KNN)", Text(f"{r.mae_denoised:.2f}", style="bold green"), f"{ratio:.0%} of the noisy error"
        )
        parts: list = [Text(f"Mean absolute pixel error over {len(r.denoised):,} test images (0–255)"), table]
        if self.clean is not None and len(r.denoised):
            worst = int(r.worst_first()[0])
            parts += [
                "",
                Text(f"Worst denoised: test image {worst} (error {r.error_denoised[worst]:.1f})", style="dim"),
                side_by_side(r.noisy[worst], r.denoised[worst], self.clean[worst]),
            ]
        yield Group(*parts)
