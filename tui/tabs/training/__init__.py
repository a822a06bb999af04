"""The Training tab (run list, run dialogs, learning curve plot): its module, its widgets and training.tcss."""

from tui.tabs.training.tab import TrainingTab

__all__ = ["TrainingTab"]
