"""Every tab draws under NO_COLOR (Textual's monochrome filter reads every segment's style), 16 and 256 colours."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers import copy_store
from rich.console import Console

from engine.data import DataSpec
from engine.render.heatmap import Heatmap
from tui.app import MnistExplorerApp
from tui.snapshot import render_svg
from tui.tabs import TABS

DIGITS = DataSpec("digits")
# keys that switch each tab between its views (curves, modes, dialogs), pressed before the screenshot
TAB_KEYS = {
    "dataset": ["z", "b", "enter", "right"],
    "training": ["down", "tab", "down"],
    "threshold": ["c", "right", "c", "shift+right", "c"],
    "errors": ["m", "m", "m", "enter"],
    "search": ["enter"],
    "more": ["1", "f", "2", "right", "3"],
}


@pytest.fixture(scope="module")
def full_store(every_kind_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding one done run of every kind a tab draws (digits data; a copy of conftest's)."""
    return copy_store(every_kind_store, tmp_path_factory.mktemp("no_color") / "runs.sqlite")


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("size", [(80, 24), (200, 60)], ids=["80x24", "200x60"])
@pytest.mark.parametrize("tab", [tab.id for tab in TABS])
async def test_every_tab_draws_under_no_color(
    full_store: Path, tab: str, size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")  # read when the app is built
    app = MnistExplorerApp(data=DIGITS, store_path=full_store, poll_interval=0.1)
    assert app.no_color
    svg = await render_svg(app, size, tab, TAB_KEYS.get(tab, []))  # a tab added later still draws, keyless
    assert app.return_code in (None, 0) and "<svg" in svg


@pytest.mark.parametrize("color_system", [None, "standard", "256", "truecolor"])
def test_heatmap_keeps_its_numbers_and_scale_in_every_colour_system(color_system: str | None) -> None:
    values = np.array([[50, 3, 0], [7, 41, 2], [0, 12, 38]])
    console = Console(color_system=color_system, width=60, record=True, force_terminal=color_system is not None)
    console.print(Heatmap(values, ["0", "1", "2"], cursor=(1, 1)))
    text = console.export_text()
    for number in ("50", "3", "7", "41", "2", "12", "38"):
        assert f" {number} " in text or f"[{number}]" in text
    if color_system is None:  # no colour: the legend is a scale of shades instead of coloured blocks
        assert "░" in text and "█" in text
