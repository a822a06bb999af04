"""The More tab's digit grids: a grid offers its keys only while it holds digits (none before a run, or when a
filter leaves none), as the README promises of every key."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from rich.style import Style

from tui.widgets.digit_grid import Caption, DigitGridView

GRID_ACTIONS = frozenset({"move", "page", "jump", "open", "zoom"})


class ResultsGrid(DigitGridView):
    """A :class:`DigitGridView` of a run's digits; :meth:`clear` empties it to a text."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.count > 0 if action in GRID_ACTIONS else True

    def set_items(
        self,
        images: np.ndarray,
        indices: np.ndarray,
        caption: Caption,
        caption_style: Callable[[int], Style | None] | None = None,
        cursor: int = 0,
    ) -> None:
        had = self.count > 0
        super().set_items(images, indices, caption, caption_style, cursor)
        self._keys_changed(had)

    def clear(self, text: str) -> None:
        """No digits: show ``text`` instead."""
        had = self.count > 0
        self.images, self.indices, self.empty_text = None, np.zeros(0, dtype=np.int64), text
        self.refresh()
        self._keys_changed(had)

    def _keys_changed(self, had: bool) -> None:
        if had != (self.count > 0):  # only then: each refresh re-renders the footer
            self.refresh_bindings()
