"""The app on a long-lived store: 500 runs and 1,000,000 events vs the same 500 runs with a few events each.

Builds both stores in SQLite directly (``executemany`` on engine/store.py's schema; results copied from real runs
on the digits data, so every tab has something to draw), then opens the real app headless on each in a fresh
process (``--child``), alternating, ``--rounds`` times. Each child records its RSS (VmRSS) after start-up; after
``--presses`` ``down`` presses in the Training run list (each selects another run, whose events the detail view
reads) and again after four times as many (memory that grows with the runs visited shows there); after as many
``down``/``up`` presses in the Search leaderboard (of the newest search); after visiting every tab; and its peak
(VmHWM). Key → frame latency of both kinds of press: from sending the key to the driver to the first frame in
which the cursor (on the runs, on the configs) has moved, as in bench_latency.py.

    python benchmarks/bench_long_store.py [--rounds 3] [--presses 60] [--events 1000000] [--runs 500] [--write]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.data import DataSpec
from engine.store import RunStore

DIGITS = DataSpec("digits")
SMALL_EVENTS_PER_RUN = 10
SEARCH_SHARE, CURVE_SHARE = 0.5, 0.4  # of the events: searches' fits, learning curves' epochs; the rest are logs
KINDS = ("search", "learning_curve", "binary", "multiclass")  # the runs cycle through these, oldest first
KNN_GRID = {
    "n_neighbors": list(range(1, 101)),
    "weights": ["uniform", "distance"],
    "metric": ["euclidean", "manhattan", "chebyshev", "minkowski", "cosine"],
}
N_FOLDS = 5
TRAINING_WALKS = 4  # the Training run list is walked down this many times ``--presses`` runs


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


# -- the stores -------------------------------------------------------------------------------------------------
def template_results(folder: Path) -> dict[str, list[tuple[str, str, bytes]]]:
    """(name, format, value) rows of one real done run per kind on the digits data."""
    from engine.jobs import run_inline

    store = RunStore(folder / "template.sqlite")
    ids = {
        kind: run_inline(store, kind, params, DIGITS).id
        for kind, params in (
            ("binary", {"digit": 5}),
            ("learning_curve", {"digit": 5, "epochs": 5}),
            ("multiclass", {"model": "sgd"}),
        )
    }
    store.close()
    with sqlite3.connect(folder / "template.sqlite") as conn:
        return {
            kind: conn.execute("SELECT name, format, value FROM results WHERE run_id=?", (run_id,)).fetchall()
            for kind, run_id in ids.items()
        }


def knn_configs() -> list[dict]:
    return [
        {"n_neighbors": k, "weights": w, "metric": m}
        for k in KNN_GRID["n_neighbors"]
        for w in KNN_GRID["weights"]
        for m in KNN_GRID["metric"]
    ]


def event_counts(n_runs: int, n_events: int) -> list[int]:
    """Events per run (oldest first) adding up to ``n_events``: searches hold half, learning curves 40 %."""
    kinds = [KINDS[i % len(KINDS)] for i in range(n_runs)]
    per_kind = {kind: kinds.count(kind) for kind in KINDS}
    shares = {"search": SEARCH_SHARE, "learning_curve": CURVE_SHARE}
    rest = (1.0 - SEARCH_SHARE - CURVE_SHARE) / 2
    counts = [max(1, int(n_events * shares.get(kind, rest) / per_kind[kind])) for kind in kinds]
    counts[0] += n_events - sum(counts)  # the oldest run takes the rounding
    return counts


def small_count(index: int) -> int:
    """Events of run ``index`` in the short store: a few, and two configs for a search (so its cursor can move)."""
    return 2 + 2 * N_FOLDS if KINDS[index % len(KINDS)] == "search" else SMALL_EVENTS_PER_RUN


def build_store(path: Path, n_runs: int, n_events: int | None, templates: dict) -> tuple[int, float]:
    """A store of ``n_runs`` done runs on digits and ``n_events`` events (None: a few per run); (events, seconds)."""
    t0 = time.perf_counter()
    RunStore(path).close()  # the schema and the store's marks
    data = json.dumps(DIGITS.to_dict())
    configs = knn_configs()
    counts = event_counts(n_runs, n_events) if n_events else [small_count(i) for i in range(n_runs)]
    start = time.time() - 86_400 * 30
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    total = 0
    for i, count in enumerate(counts):
        run_id, kind = i + 1, KINDS[i % len(KINDS)]
        created = start + i * 600
        params, fits, rows = run_rows(kind, count, configs, templates)
        conn.execute(
            "INSERT INTO runs (id, kind, params, data, status, created, started, finished, fits_done, fits_total,"
            " heartbeat) VALUES (?, ?, ?, ?, 'done', ?, ?, ?, ?, ?, ?)",
            (run_id, kind, json.dumps(params), data, created, created + 1, created + 300, fits, fits, created + 300),
        )
        conn.executemany(
            "INSERT INTO events VALUES (?, ?, ?, ?, ?)",
            ((run_id, seq, created + 1 + seq * 1e-3, k, p) for seq, (k, p) in enumerate(rows(count), start=1)),
        )
        conn.executemany(
            "INSERT INTO results VALUES (?, ?, ?, ?)",
            [(run_id, name, fmt, value) for name, fmt, value in results_for(kind, fits // N_FOLDS, templates)],
        )
        total += count
    conn.execute("COMMIT")
    conn.close()
    return total, time.perf_counter() - t0


def run_rows(kind: str, count: int, configs: list[dict], templates: dict):
    """(params, fits, rows(count) → iterator of (event kind, payload JSON)) of one synthetic run."""
    if kind == "search":
        n_configs = max(1, min(len(configs), (count - 2) // N_FOLDS))
        grid = {name: sorted({c[name] for c in configs[:n_configs]}, key=str) for name in KNN_GRID}
        params = {"estimator": "knn", "grid": grid, "cv": N_FOLDS, "backend": "local", "scheduler": None}

        def rows(n: int):
            yield "grid", json.dumps({"configs": configs[:n_configs], "n_folds": N_FOLDS, "method": "shared-neighbour"})
            yield "log", json.dumps({"message": f"k-nearest neighbours: {n_configs} configs × {N_FOLDS} folds"})
            for j in range(n - 2):
                config, fold = divmod(j, N_FOLDS)
                if config >= n_configs:
                    yield "log", json.dumps({"message": f"checkpoint {j}"})
                    continue
                score = 0.95 - 0.0004 * config + 0.001 * fold
                payload = {"config": config, "fold": fold, "params": configs[config], "score": score}
                yield "fit", json.dumps({**payload, "fit_time": 0.01, "score_time": 0.002})

        return params, n_configs * N_FOLDS, rows
    if kind == "learning_curve":

        def rows(n: int):
            yield "log", json.dumps({"message": f"learning curve for class 5 (5) vs the rest: {n - 1} epochs"})
            for epoch in range(1, n):
                accuracy = 0.99 - 0.05 / epoch
                yield "epoch", json.dumps({"epoch": epoch, "train_accuracy": accuracy, "val_accuracy": accuracy - 0.01})

        return {"digit": 5, "epochs": max(1, count - 1)}, max(1, count - 1), rows
    model = "sgd"

    def rows(n: int):
        for j in range(n):
            if j < 3:
                yield "fold", json.dumps({"model": model, "fold": j, "accuracy": 0.9 + 0.01 * j})
            else:
                yield "log", json.dumps({"message": f"step {j}: fitting the next part of the training set"})

    return ({"digit": 5} if kind == "binary" else {"model": model}), 3, rows


def results_for(kind: str, n_configs: int, templates: dict) -> list[tuple[str, str, bytes]]:
    """A search's results for its ``n_configs`` configs; another run's, copied from its kind's real run."""
    if kind != "search":
        return templates[kind]
    configs = knn_configs()[:n_configs]
    results = [
        {
            "params": c,
            "mean_test_score": 0.952 - 0.0004 * i,
            "std_test_score": 0.0014,
            "split_scores": [0.95 - 0.0004 * i + 0.001 * f for f in range(N_FOLDS)],
            "rank_test_score": i + 1,
            "mean_fit_time": 0.01,
        }
        for i, c in enumerate(configs)
    ]
    values = {
        "results": results,
        "best_params": configs[0],
        "best_score": results[0]["mean_test_score"],
        "test_accuracy": 0.97,
        "elapsed_s": 300.0,
    }
    return [(name, "json", json.dumps(value).encode()) for name, value in values.items()]


# -- one app on one store (the child process) ------------------------------------------------------------------
def memory_mb() -> tuple[float, float]:
    """(VmRSS, VmHWM) of this process in MB."""
    fields = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            fields[key] = value
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


async def press_and_time(app, key, moved, presses: int) -> list[float]:
    """Latencies (ms) of ``presses`` presses of ``key()``: key sent → first frame in which ``moved()()`` holds."""
    from textual import events

    state: dict = {"t0": None, "latency": None, "check": None}
    original = app._display

    def display(screen, renderable) -> None:
        original(screen, renderable)
        if state["t0"] is not None and state["latency"] is None and renderable is not None and state["check"]():
            state["latency"] = (time.perf_counter() - state["t0"]) * 1000

    app._display = display
    latencies = []
    try:
        for i in range(presses):
            state.update({"latency": None, "check": moved()})
            state["t0"] = time.perf_counter()
            app._driver.send_message(events.Key(key(), None))
            deadline = time.monotonic() + 5
            while state["latency"] is None and time.monotonic() < deadline:
                await asyncio.sleep(0.001)
            state["t0"] = None
            if state["latency"] is None:
                raise RuntimeError(f"press {i}: no frame showed the move within 5 s (focus {app.focused})")
            latencies.append(state["latency"])
            await asyncio.sleep(0.1)  # a person's pace; the detail view reads the run meanwhile
    finally:
        app._display = original
    return latencies


async def until(pilot, condition, timeout: float = 120.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        await pilot.pause(0.05)


async def settle(app) -> None:
    from textual.worker import WorkerCancelled

    for _ in range(20):
        try:
            busy = [w for w in app.workers if w.group != "follow" and w.is_running]  # the store follower runs on
            if busy:  # (an empty list would mean every worker)
                await app.workers.wait_for_complete(busy)
            return
        except WorkerCancelled:
            continue


async def child(path: Path, n_runs: int, presses: int) -> dict:
    from tui.app import MnistExplorerApp
    from tui.tabs.search.search_leaderboard import SearchLeaderboard
    from tui.tabs.training.run_list import RunList

    t0 = time.perf_counter()
    app = MnistExplorerApp(data=DIGITS, store_path=path)
    out: dict = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.dataset is not None and len(app.runs) >= n_runs, what="the runs")
        out["listed_s"] = time.perf_counter() - t0
        await pilot.pause(1.5)  # past the app's start-up settling (gc.freeze)
        out["rss_start"], _ = memory_mb()

        app.action_show_tab("training")
        await until(pilot, lambda: app.query(RunList) and app.query_one(RunList).selected_id is not None, what="runs")
        await settle(app)
        runs = app.query_one(RunList)
        out["training_ms"] = []
        for walk in range(TRAINING_WALKS):  # memory after the first walk and after the last: flat or growing
            out["training_ms"] += await press_and_time(
                app, lambda: "down", lambda: lambda before=runs.cursor_row: runs.cursor_row != before, presses
            )
            await settle(app)
            out["rss_training_first" if walk == 0 else "rss_training"], _ = memory_mb()

        app.action_show_tab("search")
        await until(pilot, lambda: app.query(SearchLeaderboard) and app.query_one(SearchLeaderboard).row_count > 0,
                    what="the leaderboard")  # fmt: skip
        await settle(app)
        board = app.query_one(SearchLeaderboard)
        board.focus()
        await pilot.pause(0.2)
        out["search_ms"] = await press_and_time(
            app,
            lambda: "up" if board.cursor_row else "down",
            lambda: lambda before=board.cursor_row: board.cursor_row != before,
            presses,
        )
        await settle(app)
        out["rss_search"], _ = memory_mb()

        for tab in ("threshold", "errors", "dataset"):
            app.action_show_tab(tab)
            await pilot.pause(1.0)
            await settle(app)
        out["rss_end"], out["rss_peak"] = memory_mb()
    return out


# -- the comparison ---------------------------------------------------------------------------------------------
def run_child(path: Path, n_runs: int, presses: int) -> dict:
    command = [sys.executable, __file__, "--child", str(path), "--runs", str(n_runs), "--presses", str(presses)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"child failed ({done.returncode}): {done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(stores: dict, measured: dict[str, list[dict]], rounds: int, presses: int) -> str:
    import textual

    def cell(name: str, key: str, fmt: str = "{:.0f}") -> str:
        values = [m[key] for m in measured[name]]
        return f"{fmt.format(min(values))} / {fmt.format(statistics.median(values))}"

    def p95(name: str, key: str) -> list[float]:
        return [percentile(m[key], 95) for m in measured[name]]

    lines = [
        "| store | events | build s | runs listed s | RSS start MB | after 1 / 4 Training walks | after Search presses"
        " | after every tab | peak MB | Training key→frame p95 ms | Search key→frame p95 ms |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, (events, build_s) in stores.items():
        tp, sp = p95(name, "training_ms"), p95(name, "search_ms")
        lines.append(
            f"| {name} | {events:,} | {build_s:.1f} | {cell(name, 'listed_s', '{:.2f}')} | {cell(name, 'rss_start')}"
            f" | {cell(name, 'rss_training_first')} → {cell(name, 'rss_training')} | {cell(name, 'rss_search')}"
            f" | {cell(name, 'rss_end')}"
            f" | {cell(name, 'rss_peak')} | {min(tp):.1f} / {statistics.median(tp):.1f}"
            f" | {min(sp):.1f} / {statistics.median(sp):.1f} |"
        )
    big, small = measured["long"], measured["short"]

    def ratio(key: str, f=lambda v: v) -> float:
        return statistics.median(f(m[key]) for m in big) / statistics.median(f(m[key]) for m in small)

    lines += [
        "",
        f"Cells are min / median over {rounds} runs of each store (alternating, each app in a fresh process), "
        f"{presses} presses a Search walk, {TRAINING_WALKS} × {presses} a Training walk. Long/short medians: RSS at the end {ratio('rss_end'):.2f}×, peak "
        f"{ratio('rss_peak'):.2f}×, Training p95 {ratio('training_ms', lambda v: percentile(v, 95)):.2f}×, Search "
        f"p95 {ratio('search_ms', lambda v: percentile(v, 95)):.2f}×. {os.cpu_count()} cores, Python "
        f"{sys.version.split()[0]}, textual {textual.__version__}, SQLite {sqlite3.sqlite_version}; 1-min load "
        f"average at the end {os.getloadavg()[0]:.1f}.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--presses", type=int, default=60)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--write", action="store_true", help="write the table into BENCHMARKS.md")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(asyncio.run(child(args.child, args.runs, args.presses))))
        return
    folder = Path(tempfile.mkdtemp(prefix="bench-long-store-"))
    os.environ.setdefault("MNIST_EXPLORER_CACHE", str(folder / "cache"))
    templates = template_results(folder)
    stores = {
        "long": build_store(folder / "long.sqlite", args.runs, args.events, templates),
        "short": build_store(folder / "short.sqlite", args.runs, None, templates),
    }
    for name, (events, seconds) in stores.items():
        size = (folder / f"{name}.sqlite").stat().st_size / 2**20
        log(f"{name}: {args.runs} runs, {events:,} events, built in {seconds:.1f} s ({size:.0f} MB)")
    measured: dict[str, list[dict]] = {name: [] for name in stores}
    for round_ in range(1, args.rounds + 1):
        for name in ("short", "long"):
            result = run_child(folder / f"{name}.sqlite", args.runs, args.presses)
            measured[name].append(result)
            log(
                f"round {round_} {name}: RSS {result['rss_start']:.0f} → {result['rss_end']:.0f} MB (peak "
                f"{result['rss_peak']:.0f}), Training p95 {percentile(result['training_ms'], 95):.1f} ms, Search p95 "
                f"{percentile(result['search_ms'], 95):.1f} ms"
            )
    text = report(stores, measured, args.rounds, args.presses)
    command = "python benchmarks/bench_long_store.py " + " ".join(sys.argv[1:])
    print(text)
    if args.write:
        from benchmarks_md import write_block

        write_block("bench_long_store", "long-store", f"`{command.strip()}`\n\n{text}")


if __name__ == "__main__":
    main()
