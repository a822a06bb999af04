"""The Errors tab (confusion heatmap, models panel, digit galleries): its module, its widgets and errors.tcss."""

from tui.tabs.errors.tab import ErrorsTab

__all__ = ["ErrorsTab"]
