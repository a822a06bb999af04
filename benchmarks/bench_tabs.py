"""Key → frame latency of every tab, idle and while two jobs keep both cores busy, at 80×24 and 200×60.

Drives the real app headless (``run_test``) on the embedded MNIST sample, with a store holding a done run of every
kind the tabs draw. For each tab, keys that change what it shows are sent straight to the driver like terminal
keys (dataset ``→``/``←``, training ``↓``/``↑``, threshold ``→``/``←``, errors the four arrows, search ``↓``/``↑``,
more ``2``/``3``/``1``, study ``↓``/``↑``). The latency is the time from sending a key to the end of the first frame
``App._display`` renders after it (its ANSI output included, as a terminal would get it) in which the tab's state
(the cursor, the step, the selected run, the view) has moved. Not ``pilot.press`` wall time (BENCHMARKING.md).

Busy: the jobs of ``bench_latency.py`` (a ``binary`` job with RandomForest ``n_jobs=-1`` and a multiclass
``learning_curve``), each in its own process and relaunched as it ends, the app following them as it would.

The store (binary digit 5, its learning curve, multiclass sgd, a 4-config KNN search, multilabel, denoise, augment)
is built once with ``engine.jobs.run_inline`` in a child process (so the app's process never imports
scikit-learn) at ``--store-cache``; reruns copy it. Each size runs in an app of its own, idle then busy per round.

    python benchmarks/bench_tabs.py [--presses 60] [--rounds 1] [--store-cache PATH] [--write]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import multiprocessing
import os
import random
import sqlite3
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import tui  # noqa: F401  (before Textual: the tui package sets its frame rate, as in the app)

# isort: split
from bench_latency import Jobs, cpu_times, percentile
from textual import constants, events
from textual.app import App
from textual.widgets import TabbedContent

from engine.data import DataSpec
from engine.store import RunStore
from tui.app import MnistExplorerApp
from tui.tabs import TABS

SPEC = DataSpec("mnist5k")
SIZES = ((80, 24), (200, 60))
SMALL_KNN_GRID = {"n_neighbors": [3, 4], "weights": ["uniform", "distance"]}
STORE_JOBS = (  # (kind, params); augment's are read from the store once the search is done
    ("binary", {"digit": 5}),
    ("learning_curve", {"digit": 5, "epochs": 30}),
    ("multiclass", {"model": "sgd"}),
    (
        "search",
        {
            "estimator": "knn",
            "grid": SMALL_KNN_GRID,
            "cv": 3,
            "backend": "local",
            "scheduler": None,
            "exact_sklearn": False,
        },
    ),
    ("multilabel", {}),
    ("denoise", {"seed": 42}),
    ("augment", None),
)


# -- the store ---------------------------------------------------------------------------------------------------
def missing_kinds(store: RunStore) -> list[str]:
    """The kinds of STORE_JOBS (those this engine has) with no done run on SPEC in ``store``."""
    from engine.jobs import JOB_KINDS

    data = SPEC.to_dict()
    done = {r.kind for r in store.list_runs() if r.status == "done" and r.data == data}
    return [kind for kind, _ in STORE_JOBS if kind in JOB_KINDS and kind not in done]


def build_store(path: str) -> None:
    """Run every missing job of STORE_JOBS inline into ``path`` (in a child process: it imports scikit-learn)."""
    from engine.jobs import run_inline
    from engine.models.augment import job_params

    store = RunStore(Path(path))
    for kind in missing_kinds(store):
        params = dict(STORE_JOBS)[kind]
        start = time.perf_counter()
        run = run_inline(store, kind, job_params(store, SPEC) if params is None else params, SPEC)
        if run.status != "done":
            raise RuntimeError(f"{kind} run {run.id} ended {run.status}: {run.error}")
        log(f"store: {kind} run {run.id} done in {time.perf_counter() - start:.0f} s")
    store.close()


def prepared_store(cache: Path) -> None:
    """Build what the cached store lacks."""
    store = RunStore(cache)
    missing = missing_kinds(store)
    store.close()
    if missing:
        log(f"store: building {', '.join(missing)} into {cache}")
        child = multiprocessing.get_context("spawn").Process(target=build_store, args=(str(cache),))
        child.start()
        child.join()
        if child.exitcode != 0:
            raise SystemExit(f"building the store at {cache} failed (exit {child.exitcode})")


def store_copy(cache: Path, target: Path) -> Path:
    """A private copy of the cached store (the busy jobs add runs: the cache stays as built, each size starts alike)."""
    with sqlite3.connect(cache) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


# -- what each tab's keys move -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class TabKeys:
    """A tab's keys (pressed in turn), the widget to focus first (None: the tab's own focus), what they move, and
    when the tab is ready for them (its runs read)."""

    keys: tuple[str, ...]
    focus: str | None
    state: Callable[[App], object]
    ready: Callable[[App], bool]


def _tab(app: App, tab_id: str):
    return app.query_one(f"#{tab_id}").children[0]


def _more_ready(app: App) -> bool:
    tab = _tab(app, "more")
    return getattr(tab, "_summarised", False) and all(
        s.done is None or s.kind in tab.results for s in tab.statuses.values()
    )


TAB_KEYS: dict[str, TabKeys] = {
    "study": TabKeys(
        ("down", "up"), "#study-table", lambda a: _tab(a, "study").cursor, lambda a: _tab(a, "study").table is not None
    ),
    "dataset": TabKeys(
        ("right", "left"),
        "#dataset-grid",
        lambda a: a.query_one("#dataset-grid").cursor,
        lambda a: a.query_one("#dataset-grid").count > 1,
    ),
    "training": TabKeys(
        ("down", "up"),
        "#training-runs",
        lambda a: a.query_one("#training-runs").selected_id,
        lambda a: a.query_one("#training-runs").row_count > 1 and a.query_one("#training-runs").selected_id is not None,
    ),
    "threshold": TabKeys(
        ("right", "left"),
        None,
        lambda a: _tab(a, "threshold").step,
        lambda a: _tab(a, "threshold").last_view is not None,
    ),
    "errors": TabKeys(
        ("right", "down", "left", "up"),
        "#errors-map",
        lambda a: a.query_one("#errors-map").cursor,
        lambda a: a.query_one("#errors-map").analysis is not None,
    ),
    "search": TabKeys(
        ("down", "up"),
        "#search-board",
        lambda a: a.query_one("#search-board").cursor_row,
        lambda a: a.query_one("#search-board").row_count > 1,
    ),
    "more": TabKeys(("2", "3", "1"), None, lambda a: _tab(a, "more").view, _more_ready),
}


# -- measuring ---------------------------------------------------------------------------------------------------
def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def until(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(0.05)


def _safely(check: Callable[[], bool]) -> Callable[[], bool]:
    """``check``, False while the widgets it looks at are not mounted yet (tabs mount after the first frame)."""

    def run() -> bool:
        try:
            return bool(check())
        except Exception:  # NoMatches, IndexError: a deferred tab not replaced yet
            return False

    return run


async def show_tab(app: MnistExplorerApp, tab_id: str) -> None:
    """Show ``tab_id``, wait until it has read what it draws, give its keys' widget the focus."""
    spec = TAB_KEYS[tab_id]
    app.action_show_tab(tab_id)
    await until(_safely(lambda: app.query_one(TabbedContent).active == tab_id and spec.ready(app)), f"the {tab_id} tab")
    await asyncio.sleep(0.3)  # past the tab's first layout and the focus the app gives it
    target = app.query_one(spec.focus) if spec.focus is not None else _tab(app, tab_id)
    if target.can_focus:
        target.focus()
    await asyncio.sleep(0.1)


async def press_all(
    app: MnistExplorerApp, tab_id: str, presses: int, jobs: Jobs | None, counter: Iterator[int]
) -> list[float]:
    """Latencies (ms) of ``presses`` keys on the shown tab ``tab_id``; ``counter`` says which of its keys is next
    (kept across phases, so the keys go on round their cycle and every press changes the state)."""
    spec = TAB_KEYS[tab_id]
    state: dict = {"t0": None, "from": None, "latency": None}
    original = app._display

    def display(screen, renderable) -> None:
        original(screen, renderable)
        if state["t0"] is None or state["latency"] is not None or renderable is None:
            return
        if spec.state(app) == state["from"]:
            return
        if hasattr(renderable, "render_segments"):
            renderable.render_segments(app.console)  # the ANSI a terminal would get (headless skips it)
        state["latency"] = (time.perf_counter() - state["t0"]) * 1000

    app._display = display
    rng = random.Random(0)
    latencies = []
    try:
        for i in range(presses):
            if jobs is not None:
                jobs.keep_running()
            key = spec.keys[next(counter) % len(spec.keys)]
            state.update({"from": spec.state(app), "latency": None})
            state["t0"] = time.perf_counter()
            app._driver.send_message(events.Key(key, key if len(key) == 1 else None))
            deadline = time.monotonic() + 5
            while state["latency"] is None and time.monotonic() < deadline:
                await asyncio.sleep(0.001)
            state["t0"] = None
            if state["latency"] is None:
                raise RuntimeError(f"{tab_id} press {i} ({key}): no frame showed a change within 5 s ({app.focused})")
            latencies.append(state["latency"])
            await asyncio.sleep(rng.uniform(0.05, 0.15))  # a person's pace; lets what follows the key settle
    finally:
        app._display = original
    return latencies


async def bench_size(store_path: Path, size: tuple[int, int], tabs: list[str], rounds: int, presses: int) -> dict:
    """{(tab, state): [ms, ...]} and {state: CPU busy %} at one terminal size."""
    app = MnistExplorerApp(data=SPEC, store_path=store_path)
    latencies: dict[tuple[str, str], list[float]] = {(t, s): [] for t in tabs for s in ("idle", "busy")}
    loads: dict[tuple[str, str], list[float]] = {key: [] for key in latencies}  # 1-min load average after each
    cpu: dict[str, list[float]] = {"idle": [], "busy": []}
    counters = {t: itertools.count() for t in tabs}
    async with app.run_test(size=size):
        assert app.store is not None
        jobs = Jobs(app.store, SPEC)
        try:
            await until(lambda: app.dataset is not None and bool(app.runs), "the data and the runs")
            await asyncio.sleep(1.5)  # past start-up settling (gc.freeze)
            for round_ in range(1, rounds + 1):
                for phase in ("idle", "busy"):
                    if phase == "busy":
                        jobs.keep_running()
                        await until(
                            lambda: jobs.all_computing() and len(app.runs) == len(app.store.list_runs()),
                            "the busy jobs computing",
                            timeout=300,
                        )
                    busy0, total0 = cpu_times()
                    for tab_id in tabs:
                        await show_tab(app, tab_id)
                        lat = await press_all(app, tab_id, presses, jobs if phase == "busy" else None, counters[tab_id])
                        latencies[tab_id, phase] += lat
                        loads[tab_id, phase].append(os.getloadavg()[0])
                        log(
                            f"{size[0]}×{size[1]} round {round_} {phase} {tab_id}: p50 {percentile(lat, 50):.1f}, "
                            f"p95 {percentile(lat, 95):.1f}, max {max(lat):.1f} ms (load {os.getloadavg()[0]:.1f})"
                        )
                    busy1, total1 = cpu_times()
                    cpu[phase].append(100 * (busy1 - busy0) / max(total1 - total0, 1))
                    jobs.stop()
        except BaseException:
            traceback.print_exc()  # the headless app would otherwise hide it while it shuts down
            raise
        finally:
            jobs.stop()
    return {"latencies": latencies, "loads": loads, "cpu": cpu, "load": os.getloadavg()[0]}


def report(measured: dict, tabs: list[str], rounds: int, presses: int, load_start: float) -> str:
    import textual

    lines = [
        "| tab | keys | terminal | idle p50 / p95 / max ms | busy p50 / p95 / max ms | busy p95 ≤ 50, max ≤ 250 | "
        "load avg idle / busy |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    over = []
    for tab_id in tabs:
        keys = " ".join({"up": "↑", "down": "↓", "left": "←", "right": "→"}.get(k, k) for k in TAB_KEYS[tab_id].keys)
        for size in SIZES:
            cells = []
            for phase in ("idle", "busy"):
                lat = measured[size]["latencies"][tab_id, phase]
                cells.append(f"{percentile(lat, 50):.1f} / {percentile(lat, 95):.1f} / {max(lat):.1f}")
            busy = measured[size]["latencies"][tab_id, "busy"]
            ok = percentile(busy, 95) <= 50 and max(busy) <= 250
            if not ok:
                over.append(f"{tab_id} {size[0]}×{size[1]}")
            load = " / ".join(f"{max(measured[size]['loads'][tab_id, phase]):.1f}" for phase in ("idle", "busy"))
            lines.append(
                f"| {tab_id} | {keys} | {size[0]}×{size[1]} | {cells[0]} | {cells[1]} | {'yes' if ok else 'no'} | "
                f"{load} |"
            )
    cpu = ", ".join(
        f"{w}×{h}: idle {min(m['cpu']['idle']):.0f}–{max(m['cpu']['idle']):.0f} %, busy "
        f"{min(m['cpu']['busy']):.0f}–{max(m['cpu']['busy']):.0f} %"
        for (w, h), m in measured.items()
    )
    loads = ", ".join(f"{w}×{h} {m['load']:.1f}" for (w, h), m in measured.items())
    lines += [
        "",
        f"{rounds} round(s) × {presses} presses per tab, size and state; CPU busy (both cores) {cpu}. "
        f"1-min load average (the last column: at the end of that cell's presses, highest of the rounds) at the start "
        f"{load_start:.1f}, at the end of each size {loads} (other processes share "
        f"the machine). {os.cpu_count()} cores, Python {sys.version.split()[0]}, textual {textual.__version__} at up "
        f"to {constants.MAX_FPS} frames/s.",
        "",
        "Goal (busy p95 ≤ 50 ms, none over 250 ms) " + (f"missed: {', '.join(over)}." if over else "met on every tab."),
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--tabs", help="comma-separated tab ids (default: every tab)")
    parser.add_argument("--store-cache", type=Path, default=Path(tempfile.gettempdir()) / "bench-tabs-store.sqlite")
    parser.add_argument("--write", action="store_true", help="write the table into BENCHMARKS.md")
    args = parser.parse_args()
    known = [t.id for t in TABS if t.id in TAB_KEYS]
    tabs = known if not args.tabs else [t for t in args.tabs.split(",") if t in known]
    load_start = os.getloadavg()[0]
    folder = Path(tempfile.mkdtemp(prefix="bench-tabs-"))
    prepared_store(args.store_cache)
    measured = {}
    for width, height in SIZES:
        store_path = store_copy(args.store_cache, folder / f"{width}x{height}.sqlite")
        measured[width, height] = asyncio.run(bench_size(store_path, (width, height), tabs, args.rounds, args.presses))
    text = report(measured, tabs, args.rounds, args.presses, load_start)
    print(text)
    if args.write:
        from benchmarks_md import write_block

        command = "python benchmarks/bench_tabs.py " + " ".join(sys.argv[1:])
        write_block(
            "bench_tabs",
            "tabs",
            f"Command: `{command.strip()}` ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})\n\n{text}",
        )


if __name__ == "__main__":
    main()
