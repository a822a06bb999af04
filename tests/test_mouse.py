"""The app with a mouse (clicking tabs) and without one (``--no-mouse``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import until
from textual.widgets import TabbedContent

from engine.data import DataSpec
from mnist_explorer import cli
from tui.app import MnistExplorerApp
from tui.tabs import TABS


async def test_user_can_click_every_tab(store_path: Path) -> None:
    app = MnistExplorerApp(data=DataSpec("digits"), store_path=store_path, poll_interval=0.1)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.dataset is not None, what="the data")
        tabs = app.query_one(TabbedContent)
        for tab in [*TABS[1:], TABS[0]]:
            assert await pilot.click(f"#--content-tab-{tab.id}")
            await until(pilot, lambda tab=tab: tabs.active == tab.id, timeout=10, what=f"the {tab.title} tab")


@pytest.mark.parametrize(("argv", "mouse"), [([], True), (["--no-mouse"], False)])
def test_no_mouse_leaves_the_mouse_to_the_terminal(argv: list[str], mouse: bool, monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(MnistExplorerApp, "run", lambda self, **kwargs: calls.append(kwargs))
    monkeypatch.setenv("TEXTUAL_DRIVER", "textual.drivers.headless_driver:HeadlessDriver")  # as if in a terminal
    assert cli.main(["--data", "digits", *argv]) == 0
    assert calls == [{"mouse": mouse}]
