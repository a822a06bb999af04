"""App-level messages, named after what happened."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from engine.data import Dataset
from engine.follow import Update


@dataclass
class DatasetLoaded(Message):
    """The data finished loading (in a thread worker)."""

    dataset: Dataset


@dataclass
class DataReady(Message):
    """Sent to each tab once the data is loaded (or could not be): ``ctx.dataset`` / ``ctx.data_error`` say which."""


@dataclass
class RunUpdates(Message):
    """The run watcher's updates from one look at the store (posted by the app's follow worker, then to each tab)."""

    updates: tuple[Update, ...]
