"""The app around its tabs: ``mnist-explorer snapshot``, switching tabs at start-up, settling after start-up."""

from __future__ import annotations

import gc
import html
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import until
from textual.widgets import TabbedContent, TabPane

from engine.data import DataSpec
from mnist_explorer.cli import main
from tui.app import GC_THRESHOLDS, MnistExplorerApp
from tui.tabs import TABS, TabSpec


def svg_text(path: Path) -> str:
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", path.read_text())
    return " ".join(html.unescape(t) for t in texts).replace("\xa0", " ")


@pytest.mark.parametrize(
    "tab, shows", [("threshold", "No finished binary run on digits yet"), ("training", "No runs yet")]
)
def test_snapshot_writes_the_tab_asked_for(tmp_path: Path, capsys: pytest.CaptureFixture, tab: str, shows: str) -> None:
    out = tmp_path / f"{tab}.svg"
    assert main(["snapshot", "--data", "digits", "--tab", tab, "--size", "100x30", "-o", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"path": str(out), "tab": tab, "size": [100, 30]}
    assert shows in svg_text(out)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--size", "100"], "size must look like 100x30"),
        (["--size", "10x10"], "below the app's minimum of 80x24"),
        (["--size", "79x24"], "below the app's minimum of 80x24"),
        (["--size", "80x1001"], "over 1000 in a side"),
        (["--tab", "nope"], "invalid choice"),
    ],
)
def test_snapshot_refuses_bad_values_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture, args: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["snapshot", "--data", "digits", "-o", str(tmp_path / "x.svg"), *args])
    assert exit_.value.code == 2 and message in capsys.readouterr().err
    assert not (tmp_path / "x.svg").exists()


@pytest.mark.parametrize("keys", ["nonsensekey", "right,ctrl+nonsense", "enter,shift+"])
def test_snapshot_refuses_an_unknown_key_before_starting(
    tmp_path: Path, capsys: pytest.CaptureFixture, keys: str
) -> None:
    started = time.monotonic()
    code = main(["snapshot", "--data", "digits", "--keys", keys, "-o", str(tmp_path / "x.svg")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "--keys: unknown key" in err and len(err.splitlines()) == 1
    assert time.monotonic() - started < 5 and not (tmp_path / "x.svg").exists()


def test_snapshot_key_names_are_textuals() -> None:
    from mnist_explorer.snapshot import is_key

    for key in ("a", "?", "right", "shift+left", "f4", "pagedown", "question_mark", "left_square_bracket", "ctrl+p"):
        assert is_key(key), key
    assert not any(is_key(key) for key in ("nonsense", "ctrl+", "hyperdrive+a", "<any>x"))


async def test_a_stale_focus_message_from_start_up_does_not_switch_the_tab_back() -> None:
    app = MnistExplorerApp(data=DataSpec("digits"))
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.dataset is not None, what="the data")
        app.action_show_tab("threshold")
        dataset_pane = app.query_one("#dataset", TabPane)
        dataset_pane.post_message(TabPane.Focused(dataset_pane))  # what the grid's start-up focus sent
        await pilot.pause(0.2)
        assert app.query_one(TabbedContent).active == "threshold"


async def test_start_up_objects_leave_the_garbage_collectors_scans_until_the_app_ends(monkeypatch) -> None:
    """Frozen start-up objects and the running app's collection thresholds while it runs; both undone when it ends."""
    monkeypatch.setattr("tui.app.SETTLE_S", 0.05)
    before = gc.get_threshold()
    app = MnistExplorerApp(data=DataSpec("digits"))
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: gc.get_freeze_count() > 0, what="start-up objects frozen")
        assert gc.get_threshold() == GC_THRESHOLDS
        # the first tab settled before the app ends: quitting while tabs still mount raced their handlers (seen twice)
        await until(pilot, lambda: app.focused is not None, what="the first tab's focus")
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == before


@pytest.mark.parametrize("tab", TABS, ids=lambda t: t.id)
async def test_quitting_while_a_tab_mounts_is_a_clean_exit(tab: TabSpec) -> None:
    """A tab mounted in the moment the app quits composes without its children (Textual mounts none after exit);
    its handlers must not run then: each once raised NoMatches and turned the quit into an error."""
    app = MnistExplorerApp(data=DataSpec("digits"))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.dataset is not None and app.focused is not None, what="the first tab")
        app.query(TabPane).first().mount(tab.widget_class(app.context))
        app.exit()
        await pilot.pause(0.2)
    assert app.return_code == 0


@pytest.mark.parametrize(
    "argv, says",
    [
        (["--data", "nosuch"], "unknown data source 'nosuch'"),
        (["--data", "idx:/no/such/folder"], "no such folder"),
        (["--data", "digits"], "the app needs a terminal"),
    ],
)
def test_the_app_refuses_at_once_what_it_cannot_open(argv: list[str], says: str) -> None:
    """No terminal, or data that cannot load: one line and exit 2 before the app starts (it would wait forever)."""
    done = subprocess.run(
        [sys.executable, "-m", "mnist_explorer", *argv],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and says in done.stderr
