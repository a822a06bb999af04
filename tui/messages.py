"""App-level messages, named after what happened."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from engine.data import Dataset
from engine.store import Run


@dataclass
class DatasetLoaded(Message):
    """The data finished loading (in a thread worker)."""

    dataset: Dataset


@dataclass
class RunsChanged(Message):
    """The store's list of runs changed (a newer one replaces an older one still in the queue)."""

    runs: list[Run]

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, RunsChanged)
