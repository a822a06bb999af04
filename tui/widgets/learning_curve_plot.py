"""Training and validation accuracy per epoch, drawn with plotext as the points arrive."""

from __future__ import annotations

from textual_plotext import PlotextPlot


class LearningCurvePlot(PlotextPlot):
    """Call :meth:`show_points` with the epochs so far; :meth:`show_nothing` with a reason when there are none."""

    def on_mount(self) -> None:
        self.show_nothing("no learning curve yet")

    def show_points(self, title: str, epochs: list[int], train: list[float], val: list[float], total: int) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(title)
        plt.xlabel("epoch")
        plt.xlim(1, max(total, 2))
        if epochs:
            plt.plot(epochs, train, label="train", marker="braille", color="cyan")
            plt.plot(epochs, val, label="validation", marker="braille", color="magenta")
            low = min(min(train), min(val))
            plt.ylim(max(0.0, low - 0.02), 1.0)
        self.refresh()

    def show_nothing(self, title: str) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(title)
        plt.xlabel("epoch")
        self.refresh()
