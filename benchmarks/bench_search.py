"""KNN grid searches on the embedded MNIST sample: our shared-neighbour search vs GridSearchCV.

    python benchmarks/bench_search.py [--repeat 5] [--write]

Same run, same data (mnist5k: 4,000 training images; ours gets the uint8 images a search job uses, GridSearchCV
float64 pixels, its fast path), same folds (``StratifiedKFold(5)``), two grids: the study's
``{"weights": ["uniform", "distance"], "n_neighbors": [3, 4, 5, 6]}`` (8 configs) and ``n_neighbors`` 1–20 × both
weights (40 configs). Each repetition times, in turn: ``engine.search.runner.search`` (shared-neighbour),
``GridSearchCV(n_jobs=-1)`` and (8 configs only) ``GridSearchCV(n_jobs=1)``; each timing covers the cross-validated
search, the refit of the best config on the whole training set and its test accuracy. One untimed warm-up of each comes first (imports,
joblib worker start-up). Every repetition asserts that all three produce identical scores (``==``, no tolerance).
``--write`` puts the table into BENCHMARKS.md above ``<!-- section:search -->`` (replacing an earlier copy).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks_md import write_block  # noqa: E402

from engine.data import load_dataset  # noqa: E402
from engine.models.features import flat_float  # noqa: E402
from engine.search.registry import ESTIMATORS, make_estimator  # noqa: E402
from engine.search.runner import search  # noqa: E402

COMMAND = "python benchmarks/bench_search.py --write"
GRIDS = {8: ESTIMATORS["knn"].default_grid, 40: {"n_neighbors": list(range(1, 21)), "weights": ["uniform", "distance"]}}
CV = 5


def ours(X, y, X_test, y_test, grid) -> tuple[list[list[float]], float]:
    result = search("knn", grid, CV, X, y, X_test, y_test)
    assert result["method"] == "shared-neighbour"
    return [r["split_scores"] for r in result["results"]], result["test_accuracy"]


def grid_search_cv(X, y, X_test, y_test, grid, n_jobs: int) -> tuple[list[list[float]], float]:
    from sklearn.model_selection import GridSearchCV

    gs = GridSearchCV(make_estimator("knn"), grid, cv=CV, n_jobs=n_jobs).fit(X, y)
    splits = [
        [float(gs.cv_results_[f"split{f}_test_score"][c]) for f in range(CV)]
        for c in range(len(gs.cv_results_["params"]))
    ]
    return splits, float(gs.score(X_test, y_test))


def machine() -> str:
    import numpy
    import sklearn
    from threadpoolctl import threadpool_info

    blas = next(
        (
            f"{i['internal_api']} {i['version']} ({i.get('architecture', '?')})"
            for i in threadpool_info()
            if i["user_api"] == "blas"
        ),
        "?",
    )
    return (
        f"{os.cpu_count()} cores, Python {platform.python_version()}, numpy {numpy.__version__}, "
        f"scikit-learn {sklearn.__version__}, BLAS {blas}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="write the table into BENCHMARKS.md")
    args = parser.parse_args()

    ds = load_dataset("mnist5k")
    raw, raw_test = ds.X_train.reshape(len(ds.X_train), -1), ds.X_test.reshape(len(ds.X_test), -1)
    X, y, X_test, y_test = flat_float(ds.X_train), ds.y_train, flat_float(ds.X_test), ds.y_test
    texts = []
    for size, grid in GRIDS.items():
        contenders = {
            "mnist-explorer search (shared-neighbour)": lambda g=grid: ours(raw, y, raw_test, y_test, g),
            "GridSearchCV(n_jobs=-1)": lambda g=grid: grid_search_cv(X, y, X_test, y_test, g, -1),
        }
        if size == 8:
            contenders["GridSearchCV(n_jobs=1)"] = lambda g=grid: grid_search_cv(X, y, X_test, y_test, g, 1)
        for fn in contenders.values():  # warm-up: imports, joblib workers
            fn()
        times: dict[str, list[float]] = {name: [] for name in contenders}
        for rep in range(args.repeat):
            outputs = []
            for name, fn in contenders.items():
                started = time.perf_counter()
                outputs.append(fn())
                times[name].append(time.perf_counter() - started)
            assert all(out == outputs[0] for out in outputs), "scores differ"
            print(
                f"{size} configs, repetition {rep + 1}/{args.repeat}: "
                + ", ".join(f"{t[-1]:.2f}s" for t in times.values()),
                file=sys.stderr,
            )
        texts.append(report(times, args.repeat, outputs[0], size))
    text = "\n\n".join(texts) + "\n\n" + footer()
    print(text)
    if args.write:
        write_block("bench_search", "search", text)


def report(times: dict[str, list[float]], repeat: int, output, size: int) -> str:
    ours_times = next(iter(times.values()))
    title = "the study's default grid" if size == 8 else "a 40-config grid (n_neighbors 1–20 × both weights)"
    lines = [
        f"## Grid search: KNN, {title}, on the embedded sample",
        "",
        f"Search, refit and test accuracy ({size} configs × {CV} folds = {size * CV} fits) on mnist5k "
        "(4,000 training images), side by side in one run; min and median over "
        f"{repeat} repetitions after one warm-up each. All give identical scores on every config and fold "
        f"(asserted with `==` each repetition); test accuracy of the best config {output[1]:.4f}.",
        "",
        "| | min (s) | median (s) | ratio min | ratio median |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, t in times.items():
        ratio_min = min(t) / min(ours_times)
        ratio_med = statistics.median(t) / statistics.median(ours_times)
        lines.append(f"| {name} | {min(t):.3f} | {statistics.median(t):.3f} | {ratio_min:.1f}× | {ratio_med:.1f}× |")
    return "\n".join(lines)


def footer() -> str:
    return (
        f"Machine: {machine()}; 1-minute load average {os.getloadavg()[0]:.1f} at the end of the run "
        "(the contenders' own load is about 2; above that, other work shared the machine).\n\n"
        f"Reproduce: `{COMMAND}`"
    )


if __name__ == "__main__":
    main()
