"""The More tab (multilabel, denoising, augmentation): one module per view, the tab that switches them, more.tcss."""

from tui.tabs.more.tab import MoreTab

__all__ = ["MoreTab"]
