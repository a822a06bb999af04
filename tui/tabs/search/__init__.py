"""The Search tab (leaderboard, folds, compare and new-search dialogs): its module, its widgets and search.tcss."""

from tui.tabs.search.tab import SearchTab

__all__ = ["SearchTab"]
