"""Training and validation accuracy per epoch, drawn with plotext as the points arrive."""

from __future__ import annotations

from textual_plotext import PlotextPlot


MAX_POINTS = 60  # plotext's cost grows with the points (~8 ms for 30, ~40 ms for 300); more add nothing visible


def thin(epochs: list[int], *series: list[float], limit: int = MAX_POINTS) -> tuple[list, ...]:
    """At most ``limit`` evenly spaced points of each series, always keeping the first and the last."""
    n = len(epochs)
    if n <= limit:
        return (epochs, *series)
    keep = sorted({round(i * (n - 1) / (limit - 1)) for i in range(limit)})
    return tuple([values[i] for i in keep] for values in (epochs, *series))


class LearningCurvePlot(PlotextPlot):
    """Call :meth:`show_points` with the epochs so far (the x axis spans all ``total`` epochs from the start)."""

    def show_points(self, epochs: list[int], train: list[float], val: list[float], total: int) -> None:
        epochs, train, val = thin(epochs, train, val)
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.xlim(1, max(total, 2))
        step = max(1, -(-total // 6))
        plt.xticks([1, *range(step, total + 1, step)] if step > 1 else list(range(1, total + 1)))
        if epochs:
            plt.plot(epochs, train, marker="braille", color="cyan")
            plt.plot(epochs, val, marker="braille", color="magenta")
            low = min(min(train), min(val))
            plt.ylim(max(0.0, low - 0.02), 1.0)
        self.refresh()
