"""Keypress → repaint latency of the Training tab, idle vs while jobs keep both cores busy.

Drives the real app headless (``run_test``) on the embedded MNIST sample. Each press is ``down``/``up`` in the run
list, sent straight to the driver like a terminal key; the latency is the time from sending the key to the first
frame the app renders (``App._display``) in which the run list's selection has changed — the cursor has moved and
the detail view started following the new run. Not ``pilot.press`` wall time (see BENCHMARKING.md).

Busy: a ``binary`` job on mnist5k (RandomForest with ``n_jobs=-1``) and a multiclass ``learning_curve`` job run
in their own processes the whole time (relaunched as they finish), and the app follows them as it would.

    python benchmarks/bench_latency.py [--rounds 3] [--presses 60]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import tui  # noqa: F401  (before Textual: the tui package sets its frame rate, as in the app)

# isort: split
from textual import constants, events

from engine.data import DataSpec
from engine.jobs import cancel_run, launch, wait_for
from engine.store import RunStore
from tui.app import MnistExplorerApp
from tui.tabs.training.run_list import RunList

BUSY_JOBS = (("binary", {"digit": 5}), ("learning_curve", {"digit": None, "epochs": 300}))


def cpu_times() -> tuple[float, float]:
    """(busy, total) jiffies of all cores since boot."""
    with open("/proc/stat") as fh:
        fields = [float(x) for x in fh.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


class Jobs:
    """Keeps the busy jobs running (relaunching each as it ends) while a phase is measured."""

    def __init__(self, store: RunStore, spec: DataSpec) -> None:
        self.store, self.spec = store, spec
        self.running: dict[str, int] = {}

    def keep_running(self) -> None:
        for kind, params in BUSY_JOBS:
            run_id = self.running.get(kind)
            if run_id is None or not self.store.get_run(run_id).active:
                self.running[kind] = launch(self.store, kind, params, self.spec).id

    def all_computing(self) -> bool:
        return all(self.store.get_run(i).fits_total > 0 for i in self.running.values())

    def stop(self) -> None:
        for run_id in self.running.values():
            if self.store.get_run(run_id).active:
                cancel_run(self.store, run_id)
        self.running.clear()


async def measure(app: MnistExplorerApp, presses: int, jobs: Jobs | None) -> tuple[list[float], float]:
    """Latencies (ms) of ``presses`` alternating down/up presses, and the machine's CPU use meanwhile (%)."""
    table = app.query_one(RunList)
    state: dict = {"t0": None, "from": None, "latency": None}
    original = app._display

    def display(screen, renderable) -> None:
        original(screen, renderable)
        if (
            state["t0"] is not None
            and state["latency"] is None
            and renderable is not None
            and table.selected_id != state["from"]
        ):  # the list may be rebuilt; it keeps the selection
            state["latency"] = (time.perf_counter() - state["t0"]) * 1000

    app._display = display
    rng = random.Random(0)
    latencies = []
    busy0, total0 = cpu_times()
    try:
        for i in range(presses):
            if jobs is not None:
                jobs.keep_running()
            key = "down" if table.cursor_row == 0 else "up"
            state.update({"from": table.selected_id, "latency": None})
            state["t0"] = time.perf_counter()
            app._driver.send_message(events.Key(key, None))
            deadline = time.monotonic() + 5
            while state["latency"] is None and time.monotonic() < deadline:
                await asyncio.sleep(0.001)
            state["t0"] = None
            if state["latency"] is None:
                raise RuntimeError(f"press {i} ({key}): no frame showed the new selection within 5 s")
            latencies.append(state["latency"])
            await asyncio.sleep(rng.uniform(0.05, 0.15))  # a person's pace, and lets the detail view settle
    finally:
        app._display = original
    busy1, total1 = cpu_times()
    return latencies, 100 * (busy1 - busy0) / max(total1 - total0, 1)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


async def bench(rounds: int, presses: int) -> dict:
    path = Path(tempfile.mkdtemp(prefix="bench-latency-")) / "runs.sqlite"
    store = RunStore(path)
    for kind, params in (("binary", {"digit": 5}), ("learning_curve", {"digit": 5, "epochs": 30})):
        wait_for(store, launch(store, kind, params, DataSpec("digits")).id, timeout=120)  # two runs to select
    store.close()  # one store connection per process, as in the app (the app's is used below)
    spec = DataSpec("mnist5k")
    app = MnistExplorerApp(data=spec, store_path=path)
    results: dict[str, list] = {"idle": [], "busy": [], "cpu_idle": [], "cpu_busy": []}
    async with app.run_test(size=(120, 40)) as pilot:
        jobs = Jobs(app.store, spec)
        try:
            await phases(app, pilot, app.store, jobs, rounds, presses, results)
        except BaseException:
            traceback.print_exc()  # the headless app would otherwise hide it while it shuts down
            raise
        finally:
            jobs.stop()
    return results


async def phases(
    app: MnistExplorerApp, pilot, store: RunStore, jobs: Jobs, rounds: int, presses: int, results: dict[str, list]
) -> None:
    """Alternate idle and busy measurements, ``rounds`` times."""
    while app.dataset is None:
        await pilot.pause(0.05)
    await pilot.pause(0.3)
    app.action_show_tab("training")
    await pilot.pause(0.5)
    for round_ in range(1, rounds + 1):
        lat, cpu = await measure(app, presses, None)
        results["idle"].append(lat)
        results["cpu_idle"].append(cpu)
        log(f"round {round_} idle: p50 {percentile(lat, 50):.1f} ms, p95 {percentile(lat, 95):.1f} ms")
        jobs.keep_running()
        while not jobs.all_computing() or len(app.runs) < len(store.list_runs()):
            await asyncio.sleep(0.1)  # jobs past scikit-learn's import and the data load; the app sees them
        lat, cpu = await measure(app, presses, jobs)
        results["busy"].append(lat)
        results["cpu_busy"].append(cpu)
        log(f"round {round_} busy: p50 {percentile(lat, 50):.1f} ms, p95 {percentile(lat, 95):.1f} ms")
        jobs.stop()
        await pilot.pause(0.5)


def report(results: dict, rounds: int, presses: int) -> str:
    import textual

    lines = [
        "| app state | presses | p50 ms | p95 ms | max ms | p95 per round: min / median | CPU busy (both cores) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for state in ("idle", "busy"):
        pooled = [x for r in results[state] for x in r]
        p95s = [percentile(r, 95) for r in results[state]]
        cpu = statistics.median(results[f"cpu_{state}"])
        label = "idle (no job)" if state == "idle" else "busy: binary mnist5k + multiclass learning curve"
        lines.append(
            f"| {label} | {len(pooled)} | {percentile(pooled, 50):.1f} | {percentile(pooled, 95):.1f} | "
            f"{max(pooled):.1f} | {min(p95s):.1f} / {statistics.median(p95s):.1f} | {cpu:.0f} % |"
        )
    busy95 = percentile([x for r in results["busy"] for x in r], 95)
    idle95 = percentile([x for r in results["idle"] for x in r], 95)
    lines.append("")
    lines.append(
        f"busy/idle p95 ratio {busy95 / idle95:.2f}; {rounds} rounds × {presses} presses per state; "
        f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, textual {textual.__version__} at up to "
        f"{constants.MAX_FPS} frames/s; "
        f"1-min load average at the end {os.getloadavg()[0]:.1f} (other processes share the machine)"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--presses", type=int, default=60)
    args = parser.parse_args()
    results = asyncio.run(bench(args.rounds, args.presses))
    print(report(results, args.rounds, args.presses))


if __name__ == "__main__":
    main()
