"""Threshold tab: ``right`` key → repainted table and curves, and numpy metrics vs scikit-learn's.

1. Drives the real app headless (``run_test``) on a binary run's stored mnist5k scores. Each press of ``right``
   (``shift+right`` for the second half) is sent straight to the driver like a terminal key; the latency is the
   time from sending it to the end of the first frame (``App._display``, ANSI output included) showing the new
   table, and to the end of the first frame in which every visible curve shows the new threshold (the tab
   rebuilds the plotext figures one frame after the table). Also the handler alone (``ThresholdTab._redraw``:
   view, table text and digits). At 80×24 (table + digits),
   120×40 (table + one curve) and 200×60 (table + all three curves).
2. ``engine.metrics.precision_recall_curve`` vs ``sklearn.metrics.precision_recall_curve`` on the same scores
   (and the sweep the tab builds once per run), interleaved, min and median.

    python benchmarks/bench_threshold.py [--presses 60] [--store PATH] [--data SPEC]

Without ``--store`` (or with one holding no done binary run for 5 on the data) it first runs the binary job inline
(on Fashion-MNIST 60,000 images that takes minutes: pass a store that has one).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import tui  # noqa: F401  (before Textual: the tui package sets its frame rate, as in the app)

# isort: split
import numpy as np
from textual import events
from textual.widgets import TabbedContent

from engine import metrics
from engine.data import DataSpec
from engine.jobs import run_inline
from engine.store import RunStore
from engine.threshold import find_binary_run, load_analysis
from tui.app import MnistExplorerApp
from tui.tabs.threshold import ThresholdTab
from tui.tabs.threshold.plots import CurvePlot

SPEC = DataSpec("mnist5k")  # --data changes it
SIZES = ((80, 24), (120, 40), (200, 60))


def summary(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
    return f"{values[0]:.1f} / {statistics.median(values):.1f} / {p95:.1f}"


async def key_latency(store_path: Path, size: tuple[int, int], presses: int) -> dict[str, list[float]]:
    """Per press of right / shift+right: key → table frame, key → curves frame, and the handler (ms)."""
    app = MnistExplorerApp(data=SPEC, store_path=store_path, poll_interval=0.5)
    times: dict[str, list[float]] = {"table": [], "curves": [], "handler": []}
    state: dict = {"t0": None, "step": None, "table": False}
    async with app.run_test(size=size) as pilot:
        tabs = app.query_one(TabbedContent)
        while (
            not app.query(ThresholdTab)
            or app.query_one(ThresholdTab).last_view is None
            or tabs.active != "threshold"
            or not app.query_one(ThresholdTab).region.area
        ):
            app.action_show_tab("threshold")
            await pilot.pause(0.05)
        tab = app.query_one(ThresholdTab)
        await pilot.pause(0.5)
        plots = [plot for plot in tab.query(CurvePlot) if plot.display and plot.parent.display]
        original_display, original_redraw = app._display, tab._redraw

        def display(screen, renderable) -> None:
            original_display(screen, renderable)
            if renderable is None or state["t0"] is None or tab.step == state["step"]:
                return
            renderable.render_segments(app.console)  # the ANSI a terminal would get
            elapsed = (time.perf_counter() - state["t0"]) * 1000
            if not state["table"]:
                state["table"] = True
                times["table"].append(elapsed)
            if all(plot.rendered == tab.last_view.current for plot in plots):
                times["curves"].append(elapsed)
                state["t0"] = None

        def redraw() -> None:
            start = time.perf_counter()
            original_redraw()
            times["handler"].append((time.perf_counter() - start) * 1000)

        app._display, tab._redraw = display, redraw
        for i in range(presses):
            state.update(step=tab.step, table=False, t0=time.perf_counter())
            app._driver.send_message(events.Key("right" if i < presses // 2 else "shift+right", None))
            deadline = time.monotonic() + 5
            while state["t0"] is not None:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"no frame with a new threshold 5 s after key {i} (focus: {app.focused})")
                await asyncio.sleep(0.001)
            await pilot.pause(0.02)
        app._display, tab._redraw = original_display, original_redraw
    return times


def metric_timings(y: np.ndarray, scores: np.ndarray, repeats: int) -> dict[str, list[float]]:
    from sklearn.metrics import precision_recall_curve

    runs = {
        "sklearn": lambda: precision_recall_curve(y, scores),
        "numpy": lambda: metrics.precision_recall_curve(y, scores),
        "sweep": lambda: metrics.ThresholdSweep(y, scores),
    }
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, fn in runs.items():  # interleaved so machine noise hits all alike
            start = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - start) * 1000)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--store", type=Path)
    parser.add_argument("--data", default="mnist5k", help="data spec (e.g. idx:DIR: 60,000 steps on Fashion-MNIST)")
    args = parser.parse_args()
    global SPEC
    SPEC = DataSpec(args.data)
    store_path = args.store or Path(tempfile.mkdtemp()) / "runs.sqlite"
    store = RunStore(store_path)
    run = find_binary_run(store, 5, SPEC) or run_inline(store, "binary", {"digit": 5}, SPEC)
    analysis = load_analysis(store, run)
    print(f"binary run {run.id} on {SPEC.spec}: {analysis.scores.size:,} scores, {analysis.n_steps:,} steps")

    print("\n| terminal | visible | key → table frame ms | key → curves frame ms | handler ms | presses |")
    print("| --- | --- | --- | --- | --- | --- |")
    visible = {(80, 24): "table, digits", (120, 40): "table, 1 curve, digits", (200, 60): "table, 3 curves, digits"}
    for size in SIZES:
        times = asyncio.run(key_latency(store_path, size, args.presses))
        curves = summary(times["curves"]) if size != (80, 24) else "(none shown)"
        print(
            f"| {size[0]}×{size[1]} | {visible[size]} | {summary(times['table'])} | {curves} | "
            f"{summary(times['handler'])} | {len(times['table'])} |"
        )
    print("\n(each cell: min / median / p95)")

    times = metric_timings(analysis.y_true, analysis.scores, args.repeats)
    sk_min, sk_med = min(times["sklearn"]), statistics.median(times["sklearn"])
    print(
        f"\n| precision/recall curve on {analysis.scores.size:,} scores | min ms | median ms | "
        f"sklearn ÷ this (median) |"
    )
    print("| --- | --- | --- | --- |")
    for name, label in (
        ("sklearn", "sklearn.metrics.precision_recall_curve"),
        ("numpy", "engine.metrics.precision_recall_curve"),
        ("sweep", "engine.metrics.ThresholdSweep (curve + counts, once per run)"),
    ):
        med = statistics.median(times[name])
        print(f"| {label} | {min(times[name]):.3f} | {med:.3f} | {sk_med / med:.1f}× |")
    print(f"\n(sklearn min {sk_min:.3f} ms; {args.repeats} interleaved repeats)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
