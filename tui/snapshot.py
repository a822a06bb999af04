"""Rendering the app headless once its data is loaded: an SVG screenshot of a tab (``snapshot``, ``report``)."""

from __future__ import annotations

import time
from collections.abc import Sequence

from engine.errors import ExplorerError

SHOW_TIMEOUT_S = 30.0


async def settle(app, rounds: int = 20) -> None:
    """Wait for the app's workers to finish; one cancelled on the way (a newer key replaced it) is no failure."""
    from textual.worker import WorkerCancelled

    from tui.app import FOLLOW_GROUP

    for _ in range(rounds):
        try:  # every worker but the app's store follower, which runs as long as the app
            busy = [w for w in app.workers if w.group != FOLLOW_GROUP]
            if busy:  # Textual waits for every worker, the follower too, when given an empty list
                await app.workers.wait_for_complete(busy)
            return
        except WorkerCancelled:
            continue


async def render_svg(app, size: tuple[int, int], tab: str, keys: Sequence[str] = ()) -> str:
    """Run ``app`` headless at ``size``, wait for its data, show ``tab``, press ``keys``; the screen as SVG."""
    return (await render_svgs(app, size, [tab], keys))[0]


async def render_svgs(app, size: tuple[int, int], tabs: Sequence[str], keys: Sequence[str] = ()) -> list[str]:
    """Run ``app`` headless at ``size`` once, wait for its data, then show each of ``tabs`` in turn (pressing
    ``keys`` on each); each screen as SVG."""
    async with app.run_test(size=size) as pilot:
        while app.dataset is None:
            await pilot.pause(0.02)
        shots = []
        for tab in tabs:
            await _show(app, pilot, tab)
            for key in keys:
                await pilot.press(key)
            await settle(app)
            await pilot.wait_for_scheduled_animations()
            await pilot.pause(0.05)
            shots.append(app.export_screenshot())
        return shots


async def _show(app, pilot, tab: str) -> None:
    """Show ``tab`` and wait until its own widget is laid out and has read what it reads at start."""
    from textual.widgets import TabPane

    from tui.deferred import DeferredTab

    app.action_show_tab(tab)
    pane = app.query_one(f"#{tab}", TabPane)
    # the tab's own widget (not its stand-in) laid out on screen: a screenshot of the frame before would show
    # the tab that was there
    deadline = time.monotonic() + SHOW_TIMEOUT_S
    while not any(child.region.area and not isinstance(child, DeferredTab) for child in pane.children):
        if time.monotonic() > deadline:
            raise ExplorerError(f"the {tab} tab did not show within {SHOW_TIMEOUT_S:.0f} s")
        await pilot.pause(0.02)
    await settle(app)  # what the tab reads at start (a run's results, say)
