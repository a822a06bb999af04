"""The Threshold tab (curves, digits either side, target prompt): its module, its widgets and their .tcss files."""

from tui.tabs.threshold.tab import ThresholdTab

__all__ = ["ThresholdTab"]
