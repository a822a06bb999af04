"""Full-size Fashion-MNIST: ``mnist-explorer fit`` vs a plain scikit-learn script, and KNN grid time vs size.

    python benchmarks/bench_scale.py fit [--write]     # 60k → 10k: KNN(k=5, distance), SGD, RandomForest(100)
    python benchmarks/bench_scale.py grid [--write]    # KNN grid search time vs training size and grid size
    python benchmarks/bench_scale.py estimate [--write]  # the cost estimate of a slow job vs its real time
    python benchmarks/bench_scale.py errors [--write]  # `errors --model sgd-scaled` on 60k vs cross_val_predict

``fit``: each contender runs as its own process group, its summed RSS sampled from /proc every 0.25 s (the job's
worker included, not just the CLI); the plain script lowers its own priority exactly as a job does
(``engine.jobs.priority.become_background``), so both compete equally with whatever else the machine runs.
``grid``: ``engine.search.runner.search`` (shared-neighbour) vs ``GridSearchCV(n_jobs=-1)`` on stratified subsamples
of the Fashion-MNIST training set, cv 5, the study's 8-config grid and a 40-config grid (``n_neighbors`` 1–20 × both
weights), both including the refit and test accuracy; GridSearchCV is run while its estimate is under
``--gs-limit`` seconds and otherwise estimated from one timed (config, fold) fit+score per grid (marked "est.").
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks_md import write_block  # noqa: E402

FASHION = "idx:/usr/share/datasets/fashion-mnist"
GRIDS = {
    8: {"weights": ["uniform", "distance"], "n_neighbors": [3, 4, 5, 6]},
    40: {"n_neighbors": list(range(1, 21)), "weights": ["uniform", "distance"]},
}
FIT_CASES = {
    "KNN k=5 distance": (["knn", "--param", "n_neighbors=5", "--param", "weights=distance"], "knn"),
    "RandomForest(100)": (["rf", "--param", "n_estimators=100"], "rf"),
    "SGD": (["sgd", "--force"], "sgd"),
}
PLAIN = """
import json, sys, time, numpy as np
from engine.jobs.priority import become_background
become_background()
from engine.data import load_dataset, DataSpec
ds = load_dataset(DataSpec({data!r}))
X, Xt = ds.X_train.reshape(len(ds.X_train), -1), ds.X_test.reshape(len(ds.X_test), -1)
case = {case!r}
if case == "knn":
    from sklearn.neighbors import KNeighborsClassifier as M; model = M(5, weights="distance"); dt = np.float32
elif case == "sgd":
    from sklearn.linear_model import SGDClassifier as M; model = M(random_state=42); dt = np.float64
else:
    from sklearn.ensemble import RandomForestClassifier as M; model = M(100, random_state=42); dt = np.float32
t = time.perf_counter(); model.fit(X.astype(dt), ds.y_train); fit_s = time.perf_counter() - t
t = time.perf_counter(); acc = float(np.mean(model.predict(Xt.astype(dt)) == ds.y_test)); predict_s = time.perf_counter() - t
print(json.dumps({{"test_accuracy": acc, "fit_s": fit_s, "predict_s": predict_s}}))
"""


PLAIN_ERRORS = """
import json, time, numpy as np
from engine.jobs.priority import become_background
become_background()
from engine.data import load_dataset, DataSpec
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
ds = load_dataset(DataSpec({data!r}))
X = ds.X_train.reshape(len(ds.X_train), -1).astype(np.float64)
t = time.perf_counter()
pred = cross_val_predict(make_pipeline(StandardScaler(), SGDClassifier(random_state=42)), X, ds.y_train, cv=3)
print(json.dumps({{"accuracy": float(np.mean(pred == ds.y_train)), "cv_s": time.perf_counter() - t}}))
"""


def group_rss() -> tuple[dict[int, int], dict[int, str]]:
    """One pass over /proc: summed RSS bytes per process group, and each process's command line."""
    rss: dict[int, int] = {}
    cmds: dict[int, str] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            cmds[int(fields[2])] = (
                cmds.get(int(fields[2]), "")
                + " "
                + Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            )
        except OSError:
            continue
        rss[int(fields[2])] = rss.get(int(fields[2]), 0) + int(fields[21]) * page
    return rss, cmds


def measure(cmd: list[str], store: Path | None = None) -> tuple[dict, float, float]:
    """(JSON output, wall seconds, peak MB of the command's process group plus its job workers' groups together),
    sampled every 0.25 s."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True, cwd=ROOT)
    peak = 0
    while proc.poll() is None:
        rss, cmds = group_rss()
        groups = {proc.pid} | {g for g, c in cmds.items() if store and "engine.jobs.worker" in c and str(store) in c}
        peak = max(peak, sum(rss.get(g, 0) for g in groups))
        time.sleep(0.25)
    out = proc.stdout.read().decode()
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}")
    return json.loads(out), wall, peak / 2**20


def bench_fit(repeat: int, cases: list[str]) -> str:
    rows = []
    for name, (args, case) in FIT_CASES.items():
        if case not in cases:
            continue
        ours, peer = [], []
        for _ in range(repeat):
            with tempfile.TemporaryDirectory() as tmp:
                store = Path(tmp) / "runs.sqlite"
                cmd = ["mnist-explorer", "--data", FASHION, "--store", str(store), "fit", *args, "--json"]
                ours.append(measure(cmd, store))
            peer.append(measure([sys.executable, "-c", PLAIN.format(data=FASHION, case=case)]))
            print(
                f"{name}: ours {ours[-1][1]:.1f}s {ours[-1][2]:.0f} MB, plain {peer[-1][1]:.1f}s {peer[-1][2]:.0f} MB",
                file=sys.stderr,
            )
        rows.append((name, ours, peer))
    lines = [
        "## Full Fashion-MNIST: `fit` vs a plain scikit-learn script",
        "",
        f"60,000 training → 10,000 test images; {repeat} run(s) each, alternating; wall time of the whole command "
        "(process start, data load, fit, predict); peak RSS summed over the command's process group and its job "
        "workers' groups, sampled from /proc every 0.25 s. The plain script loads the same data with the engine's "
        "loader and lowers its priority as a job does.",
        "",
        "| model | contender | wall min (s) | wall median (s) | fit (s) | predict (s) | test accuracy | peak RSS (MB) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, ours, peer in rows:
        for label, runs in (("`mnist-explorer fit`", ours), ("plain scikit-learn", peer)):
            walls = [r[1] for r in runs]
            out = runs[-1][0]
            lines.append(
                f"| {name} | {label} | {min(walls):.1f} | {np.median(walls):.1f} | {out['fit_s']:.1f} | "
                f"{out['predict_s']:.1f} | {out['test_accuracy']:.4f} | {max(r[2] for r in runs):,.0f} |"
            )
    return "\n".join(lines + ["", machine(), "", "Reproduce: `python benchmarks/bench_scale.py fit --write`"])


def bench_grid(sizes: list[int], gs_limit: float) -> str:
    from sklearn.model_selection import GridSearchCV, StratifiedKFold

    from engine.data import DataSpec, load_dataset
    from engine.models.subsample import stratified_subsample
    from engine.search.registry import make_estimator
    from engine.search.runner import search

    ds = load_dataset(DataSpec(FASHION))
    X_all, X_test = ds.X_train.reshape(len(ds.X_train), -1), ds.X_test.reshape(len(ds.X_test), -1)
    lines = [
        "## KNN grid search time vs training size and grid size (Fashion-MNIST)",
        "",
        "Stratified seeded subsamples of the 60,000 training images, `StratifiedKFold(5)`, search + refit + test "
        "accuracy on the 10,000 test images. GridSearchCV(n_jobs=-1) runs where its estimate is under "
        f"{gs_limit:.0f} s; beyond, it is estimated from one timed (config, fold) fit+score × configs × folds / 2 "
        "workers + one refit-and-score (**est.**). Where both ran, fold scores were asserted equal (`==`).",
        "",
        "| training images | configs | shared-neighbour (s) | GridSearchCV(n_jobs=-1) (s) | ratio |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    points = []
    for n in sizes:
        keep = stratified_subsample(ds.y_train, n)
        X, y = X_all[keep], ds.y_train[keep]
        Xf, Xtf = X.astype(np.float64), X_test.astype(np.float64)
        train, test = next(StratifiedKFold(5).split(X, y))
        started = time.perf_counter()
        make_estimator("knn").fit(Xf[train], y[train]).score(Xf[test], y[test])
        one_fit = time.perf_counter() - started
        started = time.perf_counter()
        make_estimator("knn").fit(Xf, y).score(Xtf, ds.y_test)
        refit = time.perf_counter() - started
        for size, grid in GRIDS.items():
            started = time.perf_counter()
            ours = search("knn", grid, 5, X, y, X_test, ds.y_test)
            ours_s = time.perf_counter() - started
            estimate = one_fit * size * 5 / 2 + refit
            if estimate <= gs_limit:
                started = time.perf_counter()
                gs = GridSearchCV(make_estimator("knn"), grid, cv=5, n_jobs=-1).fit(Xf, y)
                gs.score(Xtf, ds.y_test)
                gs_s, marked = time.perf_counter() - started, ""
                for c, r in enumerate(ours["results"]):
                    assert r["split_scores"] == [gs.cv_results_[f"split{f}_test_score"][c] for f in range(5)]
            else:
                gs_s, marked = estimate, " **est.**"
            points.append((n, size, ours_s, gs_s))
            lines.append(f"| {n:,} | {size} | {ours_s:.2f} | {gs_s:.1f}{marked} | {gs_s / ours_s:.1f}× |")
            print(lines[-1], file=sys.stderr)
    lines += ["", "log10 seconds against log10 training images, 40 configs (o shared-neighbour, x GridSearchCV):", ""]
    lines += ["```", *plot([p for p in points if p[1] == 40]), "```"]
    return "\n".join(lines + ["", machine(), "", "Reproduce: `python benchmarks/bench_scale.py grid --write`"])


def plot(points: list[tuple[int, int, float, float]], width: int = 48, height: int = 10) -> list[str]:
    """Both contenders' log10(seconds) against log10(training images), as braille lines (o ours, x GridSearchCV)."""
    from engine.render.braille import BrailleCanvas, framed

    xs = np.log10([p[0] for p in points])
    ours, gs = np.log10([p[2] for p in points]), np.log10([p[3] for p in points])
    canvas = BrailleCanvas(width, height, (xs.min(), xs.max()), (min(ours.min(), gs.min()), max(ours.max(), gs.max())))
    canvas.line(xs, ours, "")
    canvas.line(xs, gs, "")
    for x, o, g in zip(xs, ours, gs):
        canvas.mark(x, o, "o", "")
        canvas.mark(x, g, "x", "")
    return [line.plain for line in framed(canvas, "log10 training images", label_width=6)]  # room for "-0.090"


def bench_errors(keep_store: Path | None) -> str:
    """The 60k ``errors --model sgd-scaled`` job (folds in parallel) vs the book's one-process cross_val_predict;
    the job's run is kept in ``keep_store`` if given (a store without such a run: a done one would be reused)."""
    with tempfile.TemporaryDirectory() as tmp:
        store = keep_store or Path(tmp) / "runs.sqlite"
        cmd = ["mnist-explorer", "--data", FASHION, "--store", str(store), "errors", "--model", "sgd-scaled"]
        ours = measure([*cmd, "--force", "--json"], store)
    print(f"errors: {ours[1]:.0f} s, {ours[2]:.0f} MB", file=sys.stderr)
    peer = measure([sys.executable, "-c", PLAIN_ERRORS.format(data=FASHION)])
    print(f"cross_val_predict: {peer[1]:.0f} s, {peer[2]:.0f} MB", file=sys.stderr)
    rows = [
        ("`mnist-explorer errors --model sgd-scaled --force --json`", ours),
        ("plain `cross_val_predict(make_pipeline(StandardScaler(), SGDClassifier(random_state=42)), cv=3)`", peer),
    ]
    lines = [
        "## Full Fashion-MNIST: `errors --model sgd-scaled` vs plain `cross_val_predict`",
        "",
        "3-fold cross-validated predictions of scaled SGD on the 60,000 training images, one run each: the job runs "
        "its three folds at once in worker processes (SGD uses one core), the plain script one fold after another "
        "in one process, as the book does (and as this project's job did before: 12 min 57 s, issue 12). Wall time "
        "of the whole command, peak RSS summed over its process groups (job workers included), sampled every 0.25 s.",
        "",
        "| contender | wall (s) | peak RSS (MB) | accuracy |",
        "| --- | ---: | ---: | ---: |",
        *(f"| {name} | {r[1]:.0f} | {r[2]:,.0f} | {r[0]['accuracy']:.4f} |" for name, r in rows),
        "",
        f"Ratio plain / job: {peer[1] / ours[1]:.2f}×.",
    ]
    return "\n".join(lines + ["", machine(), "", "Reproduce: `python benchmarks/bench_scale.py errors --write`"])


def bench_estimate(max_train: int) -> str:
    """``estimate_cost`` vs the job run for real at the same size and the same (ordinary) priority."""
    from engine.data import DataSpec, load_dataset
    from engine.models.cost import estimate_cost
    from engine.store import RunStore

    ds = load_dataset(DataSpec(FASHION))
    env = os.environ | {"MNIST_EXPLORER_JOB_NICENESS": "0"}  # the estimate timed its fits at niceness 0 too
    lines = [
        "## Cost estimate of a slow job vs its real time (Fashion-MNIST)",
        "",
        "`estimate_cost` (fits on 2,000 and 4,000 stratified images, extrapolated) against the job run for real "
        f"with `--max-train {max_train}`, one run each, the job at the same priority as the estimate's fits "
        "(`MNIST_EXPLORER_JOB_NICENESS=0`). *Job* is the run's own elapsed time (fit and predict; for `errors` its "
        "three folds in worker processes), *command* the whole command's wall time (process start, data load, job "
        "launch, results).",
        "",
        "| job | model | estimated (s) | job (s) | command (s) | job / estimated | command / estimated |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for job, model in (("fit", "svc"), ("fit", "sgd"), ("errors", "sgd-scaled"), ("errors", "svc")):
        estimate = estimate_cost(job, model, ds, max_train=max_train)
        with tempfile.TemporaryDirectory() as tmp:
            store = Path(tmp) / "runs.sqlite"
            base = ["mnist-explorer", "--data", FASHION, "--store", str(store)]
            cmd = [*base, job, *([model] if job == "fit" else ["--model", model])]
            started = time.perf_counter()
            subprocess.run(
                [*cmd, "--max-train", str(max_train), "--force", "--json"], check=True, capture_output=True, env=env
            )
            wall = time.perf_counter() - started
            runs = RunStore(store)
            elapsed = runs.list_runs()[0].elapsed()
            runs.close()
        e = estimate.seconds
        lines.append(f"| {job} | {model} | {e:.0f} | {elapsed:.0f} | {wall:.0f} | {elapsed / e:.2f} | {wall / e:.2f} |")
        print(lines[-1], file=sys.stderr)
    return "\n".join(lines + ["", machine(), "", "Reproduce: `python benchmarks/bench_scale.py estimate --write`"])


def machine() -> str:
    import sklearn

    return (
        f"Machine: {os.cpu_count()} cores, numpy {np.__version__}, scikit-learn {sklearn.__version__}; 1-minute load "
        f"average {os.getloadavg()[0]:.1f} at the end (the contenders' own load is about 2; above that, other work "
        "shared the machine)."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", choices=["fit", "grid", "estimate", "errors"])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--sizes", default="1000,2000,5000,10000,20000,60000")
    parser.add_argument("--gs-limit", type=float, default=900.0)
    parser.add_argument("--max-train", type=int, default=10000)
    parser.add_argument("--cases", default="knn,rf,sgd", help="fit: which models (knn, rf, sgd)")
    parser.add_argument("--keep-store", type=Path, help="errors: the store to run the job in and keep")
    parser.add_argument("--write", action="store_true", help="write the table into BENCHMARKS.md")
    args = parser.parse_args()
    if args.part == "fit":
        text = bench_fit(args.repeat, args.cases.split(","))
    elif args.part == "grid":
        text = bench_grid([int(s) for s in args.sizes.split(",")], args.gs_limit)
    elif args.part == "errors":
        text = bench_errors(args.keep_store)
    else:
        text = bench_estimate(args.max_train)
    print(text)
    if args.write:
        write_block(f"bench_scale_{args.part}", "scale", text)


if __name__ == "__main__":
    main()
