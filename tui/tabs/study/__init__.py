"""The Study tab (the first tab): the whole study in one table, beside the book's figures."""

from tui.tabs.study.tab import StudyTab

__all__ = ["StudyTab"]
