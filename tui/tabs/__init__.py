"""The study's tabs, in order: (pane id, title, widget class path). Each tab is one module with its own .tcss, or a
folder holding its module, its own widgets and their .tcss files."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from pathlib import Path


@dataclass(frozen=True)
class TabSpec:
    id: str
    title: str
    target: str  # "module:Class"

    @property
    def widget_class(self):
        module, _, name = self.target.partition(":")
        return getattr(import_module(module), name)

    @property
    def css_path(self) -> Path:
        """``ID.tcss`` beside the tab's module, or ``ID/ID.tcss`` in the folder of a tab that has one."""
        folder = Path(__file__).parent / self.id
        return folder / f"{self.id}.tcss" if folder.is_dir() else folder.with_suffix(".tcss")

    @property
    def css_paths(self) -> list[Path]:
        """The tab's own .tcss, then those of its widgets (the other .tcss files in its folder), as exist."""
        own = self.css_path
        paths = [own] if own.exists() else []
        if own.parent.name == self.id:  # a tab with a folder of its own
            paths += sorted(path for path in own.parent.glob("*.tcss") if path != own)
        return paths


TABS: list[TabSpec] = [
    TabSpec("study", "Study", "tui.tabs.study:StudyTab"),
    TabSpec("dataset", "Dataset", "tui.tabs.dataset:DatasetTab"),
    TabSpec("training", "Training", "tui.tabs.training:TrainingTab"),
    TabSpec("threshold", "Threshold", "tui.tabs.threshold:ThresholdTab"),
    TabSpec("errors", "Errors", "tui.tabs.errors:ErrorsTab"),
    TabSpec("search", "Search", "tui.tabs.search:SearchTab"),
    TabSpec("more", "More", "tui.tabs.more:MoreTab"),
]
