"""Seeded random keys and resizes on every tab and the dialogs they open, while a search writes to the store: the app
never raises, stays alive, and the store stays intact — at 80×24 and 200×60, with and without NO_COLOR."""

from __future__ import annotations

import os
import random
import sqlite3
import threading
from pathlib import Path

import pytest
from helpers import copy_store, until
from test_search_tab import SearchWriter

from engine.data import DataSpec
from engine.store import Run, RunStore
from tui.app import MnistExplorerApp
from tui.context import TabContext
from tui.tabs import TABS

DIGITS = DataSpec("digits")
KEYS_PER_TAB = 60  # × 7 tabs × 2 settings (4 with MNIST_EXPLORER_SLOW=1): 840 keys, ~1 min a setting
# every key a tab or dialog binds, and the keys people lean on; not q / ctrl+q / ctrl+c (they end the app), nor
# ctrl+p: random letters and enter in the command palette can pick "Quit"
KEYS = [
    "up",
    "down",
    "left",
    "right",
    "shift+left",
    "shift+right",
    "pageup",
    "pagedown",
    "home",
    "end",
    "enter",
    "escape",
    "tab",
    "shift+tab",
    "space",
    "question_mark",
    "left_square_bracket",
    "right_square_bracket",
    "backspace",
    "0",
    "1",
    "2",
    "3",
    "4",
    "5",
    "6",
    "7",
    "8",
    "9",
    "a",
    "b",
    "c",
    "d",
    "e",
    "f",
    "g",
    "h",
    "i",
    "j",
    "k",
    "l",
    "m",
    "n",
    "o",
    "p",
    "r",
    "s",
    "t",
    "u",
    "v",
    "w",
    "x",
    "y",
    "z",
    "S",
    "ctrl+p",
    "f1",
    "f2",
    "f3",
    "f4",
    "f5",
    "f6",
]
SIZES = ((80, 24), (200, 60), (120, 40), (90, 30))


@pytest.fixture(scope="module")
def fuzz_store(every_kind_store: Path) -> Path:
    """Done runs of the kinds the tabs draw (digits data: binary, learning curve, SGD, search; conftest's)."""
    return every_kind_store  # each test writes to a copy


def _not_launched(self: TabContext, kind: str, params: dict) -> Run:
    """Jobs the keys ask for are recorded (so the tabs react as to a real start) but no process is spawned."""
    store = self.require_store()
    run = store.create_run(kind, params, self.data_spec.to_dict())
    store.finish(run.id, "failed", "not launched: key fuzzing")
    self.poke()
    return run


# both sizes and both colour modes by default; their other two pairings (another minute or more each) with
# MNIST_EXPLORER_SLOW=1
SLOW = pytest.mark.skipif(not os.environ.get("MNIST_EXPLORER_SLOW"), reason="another pairing; MNIST_EXPLORER_SLOW=1")
SETTINGS = [
    pytest.param((80, 24), False, id="80x24-colour"),
    pytest.param((200, 60), True, id="200x60-NO_COLOR"),
    pytest.param((80, 24), True, id="80x24-NO_COLOR", marks=SLOW),
    pytest.param((200, 60), False, id="200x60-colour", marks=SLOW),
]


@pytest.mark.parametrize("size, no_color", SETTINGS)
async def test_random_keys_never_crash_the_app_or_harm_the_store(
    fuzz_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int], no_color: bool
) -> None:
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr(TabContext, "launch", _not_launched)
    monkeypatch.chdir(tmp_path)  # an export (x) writes its CSV here
    store_path = copy_store(fuzz_store, tmp_path / "runs.sqlite")
    writer_store = RunStore(store_path)
    writer = SearchWriter(writer_store, seed=3)  # a search that keeps reporting while the keys arrive
    stop = threading.Event()

    def report() -> None:
        while not stop.is_set() and writer.done < 40:
            writer.fits(1)
            stop.wait(0.05)

    rng = random.Random(f"{size}-{no_color}")
    app = MnistExplorerApp(data=DIGITS, store_path=store_path, poll_interval=0.05)
    thread = threading.Thread(target=report)
    async with app.run_test(size=size) as pilot:  # an exception in the app is raised again when this block ends
        await until(pilot, lambda: app.dataset is not None, what="the data")
        thread.start()
        for tab in TABS:
            app.action_show_tab(tab.id)
            for _ in range(KEYS_PER_TAB):
                if rng.random() < 0.02:
                    await pilot.resize_terminal(*rng.choice(SIZES))
                else:
                    await pilot.press(rng.choice(KEYS))
                assert app.is_running, f"the app stopped on the {tab.id} tab: {app._exception!r}"
            while len(app.screen_stack) > 1:  # close whatever dialog the keys left open before the next tab
                app.pop_screen()
            await pilot.resize_terminal(*size)
        stop.set()
        thread.join()
        await pilot.pause(0.2)
        assert app.is_running
    writer_store.close()
    with sqlite3.connect(store_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    before, after = RunStore(fuzz_store), RunStore(store_path)
    kept = {r.id for r in after.list_runs()}
    for run in before.list_runs():  # a finished run is still whole, unless a key (d, then y) deleted it
        if run.id in kept:
            assert after.get_run(run.id).status == "done"
            assert after.result_names(run.id) == before.result_names(run.id)
