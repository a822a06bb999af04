"""``mnist-explorer serve``: the app in headless Chromium (Debian's ``chromium`` driven by Playwright), on 127.0.0.1.

The browser is kept off every network but the loopback: its host resolver maps every other name to nothing and
the page aborts any request not for the server (textual-serve's page asks for a web font).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from mnist_explorer.cli import main
from mnist_explorer.serve import app_command
from tui.tabs import TABS

BROWSER = next((path for name in ("chromium", "chromium-browser") if (path := shutil.which(name))), None)
ANSI = re.compile(rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][A-Z0-9]|[=>78NOMDEHc])")
START_TIMEOUT_S = 60.0
SEE_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0
TRAINING = next(i for i, tab in enumerate(TABS) if tab.id == "training")  # its function key: F1 is the first tab
NEW_RUN = next(b.description for b in TABS[TRAINING].widget_class.BINDINGS if b.action == "new_run")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_listening(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        assert server.poll() is None, f"serve exited with {server.returncode}: {server.stderr.read().decode()}"
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"serve did not listen on 127.0.0.1:{port} within {START_TIMEOUT_S:.0f} s")


def stop(server: subprocess.Popen) -> None:
    """Ctrl+C for the server (it quits its apps); its whole process group killed if anything lingers."""
    if server.poll() is None:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            pass
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while group_alive(server.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if group_alive(server.pid):
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(STOP_TIMEOUT_S)
        raise AssertionError("processes of serve outlived it")


def group_alive(pgid: int) -> bool:
    """Whether any process of the group is still running (a zombie not yet reaped is not)."""
    return any(
        proc.info["status"] != psutil.STATUS_ZOMBIE and os.getpgid(proc.info["pid"]) == pgid
        for proc in psutil.process_iter(["pid", "status"])
        if _same_group(proc.info["pid"], pgid)
    )


def _same_group(pid: int, pgid: int) -> bool:
    try:
        return os.getpgid(pid) == pgid
    except ProcessLookupError:
        return False


class Screen:
    """What the server sent the page's terminal, as text without escape sequences."""

    def __init__(self) -> None:
        self.data = bytearray()

    def received(self, payload: bytes | str) -> None:
        if isinstance(payload, bytes):
            self.data += payload

    def text(self) -> str:
        return ANSI.sub(b"", bytes(self.data)).decode("utf-8", "replace")

    def wait_for(self, page, *words: str) -> None:
        deadline = time.monotonic() + SEE_TIMEOUT_S
        while not all(word in self.text() for word in words):
            missing = [word for word in words if word not in self.text()]
            assert time.monotonic() < deadline, f"the browser never showed {missing}"
            page.wait_for_timeout(100)


@pytest.mark.skipif(BROWSER is None, reason="no browser: apt-get install chromium (and pip install playwright)")
def test_user_can_use_the_app_in_a_browser(tmp_path: Path) -> None:
    playwright = pytest.importorskip("playwright.sync_api", reason="pip install playwright (the dev extra has it)")
    port = free_port()
    store = tmp_path / "runs.sqlite"
    command = [
        sys.executable,
        "-m",
        "mnist_explorer",
        "--data",
        "digits",
        "--store",
        str(store),
        "serve",
        "--port",
        str(port),
    ]
    before = {child.pid for child in psutil.Process().children(recursive=True)}
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        wait_listening(port, server)
        screen = Screen()
        with playwright.sync_playwright() as driver:
            browser = driver.chromium.launch(
                executable_path=BROWSER,
                headless=True,
                timeout=START_TIMEOUT_S * 1000,
                args=[
                    "--no-sandbox",  # CI runs as root
                    "--disable-dev-shm-usage",  # containers often have a small /dev/shm
                    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                ],
            )
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                local = f"http://127.0.0.1:{port}/"
                page.route(
                    "**/*",
                    lambda route: route.continue_() if route.request.url.startswith(local) else route.abort(),
                )
                page.on("websocket", lambda ws: ws.on("framereceived", screen.received))
                page.goto(local, timeout=START_TIMEOUT_S * 1000)
                screen.wait_for(page, *(tab.title for tab in TABS), "8x8 digits")  # --data reached the app
                page.locator("#terminal").click()
                page.keyboard.press(f"F{TRAINING + 1}")
                screen.wait_for(page, NEW_RUN)  # the Training tab's key in the footer
                page.wait_for_timeout(300)  # the frame painted, not only sent
                shot = page.screenshot()
                (tmp_path / "serve.png").write_bytes(shot)
            finally:
                browser.close()
        assert shot[:8] == b"\x89PNG\r\n\x1a\n" and len(shot) > 10_000
        width, height = int.from_bytes(shot[16:20], "big"), int.from_bytes(shot[20:24], "big")
        assert (width, height) == (1280, 800)
    finally:
        stop(server)
    assert server.returncode == 0, server.stderr.read().decode()
    left = [child for child in psutil.Process().children(recursive=True) if child.pid not in before]
    assert not [child for child in left if child.is_running() and child.status() != psutil.STATUS_ZOMBIE], left


def test_served_app_gets_the_same_data_store_and_split(tmp_path: Path) -> None:
    from engine.cli.main import build_parser
    from mnist_explorer.cli import app_options

    store = tmp_path / "my runs.sqlite"
    argv = ["--data", "digits", "--seed", "7", "--test-size", "0.3", "--store", str(store), "serve"]
    args = build_parser(["mnist_explorer.serve"], app_options=app_options).parse_args(argv)
    command = app_command(args)
    assert command.startswith("exec ") and shlex.split(command)[1:] == [
        sys.executable, "-m", "mnist_explorer", "--data", "digits", "--seed", "7", "--test-size", "0.3", "--store", str(store)
    ]  # fmt: skip


@pytest.mark.parametrize("port", ["0", "65536", "-1", "http"])
def test_a_port_out_of_range_is_one_line_and_exit_2(port: str, capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--data", "digits", "serve", "--port", port])
    assert exit_.value.code == 2 and len(capsys.readouterr().err.strip().splitlines()) == 1


def test_a_port_in_use_is_one_line_and_exit_2(capsys) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["--data", "digits", "serve", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"127.0.0.1:{port}" in err and "in use" in err
