"""The whole study on the embedded sample: ``mnist-explorer study`` vs the same steps as one plain scikit-learn script.

    python benchmarks/bench_study.py [--data mnist5k] [--repeat 1] [--write]

Each repetition runs, in turn:

- **project**: ``mnist-explorer study --data DATA --store NEW --json`` on a new store: the ``study`` job launching
  each step as a job process of its own (detector for 5 and the 90 % precision threshold, multiclass SGD raw and
  scaled and SVC, the default KNN grid search, multilabel, denoising, augmentation with the search's best config),
  one after another, each in a session (autogroup) of its own, here at niceness 0 (``MNIST_EXPLORER_JOB_NICENESS=0``:
  at their usual 19 they get next to no CPU on a machine shared with other sessions' work at niceness 0).
- **peer**: this file's ``peer`` function in ``python benchmarks/bench_study.py --peer DATA``: the book's code in
  one process, step after step (``cross_val_score`` / ``cross_val_predict`` with cv=3, ``precision_recall_curve``,
  ``roc_auc_score``, a RandomForest, ``GridSearchCV(n_jobs=-1)`` over the same grid, ``cross_val_predict`` of a
  multilabel KNN and a ``ClassifierChain`` of SVCs, a KNN predicting clean pixels, ``scipy.ndimage.shift`` per
  image and the best KNN on the 5× set), in a session of its own at niceness 0 like the project's jobs.

Wall time is the command's, start to end. Peak memory: the project's is the largest peak RSS any of its runs
recorded (steps run one at a time; each run records its processes' peak together); the peer's is the largest sum of
RSS over its session's processes, sampled every 0.1 s. ``--write`` puts the table into BENCHMARKS.md above
``<!-- section:study -->``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_augment import PeakSampler, machine, session_pids  # noqa: E402
from benchmarks_md import write_block  # noqa: E402


def peer(data: str) -> dict:
    """The study's steps as the book writes them, in this one process."""
    import numpy as np
    from scipy.ndimage import shift
    from sklearn.dummy import DummyClassifier
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import SGDClassifier
    from sklearn.metrics import f1_score, precision_recall_curve, precision_score, recall_score, roc_auc_score
    from sklearn.model_selection import GridSearchCV, cross_val_predict, cross_val_score
    from sklearn.multioutput import ClassifierChain
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    from engine.data import load_dataset

    ds = load_dataset(data)
    X_train = ds.X_train.reshape(len(ds.X_train), -1).astype(np.float64)
    X_test = ds.X_test.reshape(len(ds.X_test), -1).astype(np.float64)
    y_train, y_test = ds.y_train, ds.y_test
    out: dict = {}
    times: dict = {}

    def timed(name):
        times[name] = time.perf_counter()

    timed("binary")
    y_5 = y_train == 5
    sgd = SGDClassifier(random_state=42)
    out["cv_accuracy"] = float(cross_val_score(sgd, X_train, y_5, cv=3, scoring="accuracy").mean())
    out["dummy_accuracy"] = float(cross_val_score(DummyClassifier(), X_train, y_5, cv=3, scoring="accuracy").mean())
    y_scores = cross_val_predict(sgd, X_train, y_5, cv=3, method="decision_function")
    y_pred = y_scores > 0
    out["precision"], out["recall"] = float(precision_score(y_5, y_pred)), float(recall_score(y_5, y_pred))
    out["f1"] = float(f1_score(y_5, y_pred))
    precisions, recalls, thresholds = precision_recall_curve(y_5, y_scores)
    out["threshold_90"] = float(thresholds[(precisions >= 0.90).argmax()])
    out["roc_auc_sgd"] = float(roc_auc_score(y_5, y_scores))
    forest = RandomForestClassifier(random_state=42)
    y_probas = cross_val_predict(forest, X_train, y_5, cv=3, method="predict_proba")
    out["roc_auc_rf"] = float(roc_auc_score(y_5, y_probas[:, 1]))

    timed("multiclass")
    for name, model in (
        ("sgd", SGDClassifier(random_state=42)),
        ("sgd-scaled", make_pipeline(StandardScaler(), SGDClassifier(random_state=42))),
        ("svc", SVC()),
    ):
        out[f"accuracy_{name}"] = float(np.mean(cross_val_predict(model, X_train, y_train, cv=3) == y_train))

    timed("search")
    grid = GridSearchCV(
        KNeighborsClassifier(), [{"weights": ["uniform", "distance"], "n_neighbors": [3, 4, 5, 6]}], cv=5, n_jobs=-1
    )
    grid.fit(X_train, y_train)
    out["best_params"] = grid.best_params_
    out["test_accuracy"] = float(grid.best_estimator_.score(X_test, y_test))

    timed("multilabel")
    y_multilabel = np.c_[y_train >= 7, y_train % 2 == 1]
    y_knn = cross_val_predict(KNeighborsClassifier(), X_train, y_multilabel, cv=3)
    out["f1_macro"] = float(f1_score(y_multilabel, y_knn, average="macro"))
    chain = ClassifierChain(SVC(), cv=3, random_state=42)
    y_chain = cross_val_predict(chain, X_train, y_multilabel, cv=3)
    out["chain_f1_macro"] = float(f1_score(y_multilabel, y_chain, average="macro"))

    timed("denoise")
    rng = np.random.default_rng(42)
    X_train_mod = np.minimum(X_train + rng.integers(0, 100, X_train.shape, endpoint=True), 255)
    X_test_mod = np.minimum(X_test + rng.integers(0, 100, X_test.shape, endpoint=True), 255)
    clean = KNeighborsClassifier().fit(X_train_mod, ds.X_train.reshape(len(X_train), -1)).predict(X_test_mod)
    out["mae_denoised"] = float(np.abs(clean - X_test).mean())

    timed("augment")
    knn = KNeighborsClassifier(**grid.best_params_)
    out["accuracy_plain"] = float(knn.fit(X_train, y_train).score(X_test, y_test))
    shifted = [ds.X_train.reshape(len(X_train), -1)]
    for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
        shifted.append(np.array([shift(im, [dy, dx], cval=0, mode="constant", order=0).ravel() for im in ds.X_train]))
    X_aug = np.concatenate(shifted).astype(np.float64)
    out["accuracy_augmented"] = float(knn.fit(X_aug, np.tile(y_train, 5)).score(X_test, y_test))
    timed("end")
    names = list(times)
    out["step_s"] = {a: round(times[b] - times[a], 1) for a, b in zip(names, names[1:], strict=False)}
    return out


def measure(mode: str, data: str, keep: Path | None = None) -> tuple[float, float, dict]:
    """(wall time, peak RSS in MB, the JSON it printed) of one contender; ``keep``: the project's store (new)."""
    with tempfile.TemporaryDirectory() as tmp:
        store = keep or Path(tmp) / "runs.sqlite"
        if mode == "project":
            command = ["mnist-explorer", "study", "--data", data, "--store", str(store), "--json"]
            env = {**os.environ, "MNIST_EXPLORER_JOB_NICENESS": "0"}
        else:
            command, env = [sys.executable, __file__, "--peer", data], dict(os.environ)
        started = time.perf_counter()
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, cwd=ROOT, env=env, start_new_session=True)
        sampler = PeakSampler(lambda: session_pids(proc.pid))
        out, _ = proc.communicate()
        elapsed = time.perf_counter() - started
        peak = sampler.stop() / 2**20
        assert proc.returncode == 0, proc.returncode
        if mode == "project":
            from engine.store import RunStore

            peak = max(r.peak_rss_mb or 0.0 for r in RunStore(store).list_runs())
        return elapsed, peak, json.loads(out)


def report(data: str, rows: dict[str, list[tuple[float, float]]], ours: dict, theirs: dict, loads: list[float]) -> str:
    steps = {s["name"]: s for s in ours["steps"]}
    lines = [
        "## The whole study: `mnist-explorer study` vs one plain scikit-learn script",
        "",
        f"`{data}`: every step of the study from an empty store (the project: the `study` job launching each step "
        "as a job of its own; the peer: the book's code in one process, step after step; both at niceness 0). "
        f"{len(rows['project'])} run(s) each, interleaved.",
        "",
        "| | min (s) | median (s) | runs (s) | peak RSS (MB) |",
        "| --- | ---: | ---: | --- | ---: |",
    ]
    for name, label in (("project", "`mnist-explorer study`"), ("peer", "plain scikit-learn script")):
        t = [r[0] for r in rows[name]]
        runs = ", ".join(f"{x:.0f}" for x in t)
        peak = max(r[1] for r in rows[name])
        lines.append(f"| {label} | {min(t):.0f} | {statistics.median(t):.0f} | {runs} | {peak:,.0f} |")
    ours_t, peer_t = [r[0] for r in rows["project"]], [r[0] for r in rows["peer"]]
    lines += [
        f"| ratio project / peer | {min(ours_t) / min(peer_t):.2f} | "
        f"{statistics.median(ours_t) / statistics.median(peer_t):.2f} | | |",
        "",
        "Step times of the last run (s) — project: "
        + ", ".join(f"{n} {s['elapsed_s']:.0f}" for n, s in steps.items() if n != "threshold")
        + "; peer: "
        + ", ".join(f"{n} {t:.0f}" for n, t in theirs["step_s"].items())
        + ".",
        "",
        f"Same numbers where the code is the same: SGD multiclass accuracy {steps['sgd']['result']['accuracy']:.4f} "
        f"vs {theirs['accuracy_sgd']:.4f}, SVC {steps['svc']['result']['accuracy']:.4f} vs "
        f"{theirs['accuracy_svc']:.4f}, KNN search best {steps['search']['result']['best_params']} vs "
        f"{theirs['best_params']}, test {steps['search']['result']['test_accuracy']:.4f} vs "
        f"{theirs['test_accuracy']:.4f}, augmentation {steps['augment']['result']['accuracy_plain']:.4f} → "
        f"{steps['augment']['result']['accuracy_augmented']:.4f} vs {theirs['accuracy_plain']:.4f} → "
        f"{theirs['accuracy_augmented']:.4f}.",
        "",
        f"Machine: {machine()}; 1-minute load average at the end of each run {min(loads):.1f}–{max(loads):.1f} "
        "(the machine is shared with other sessions' work: absolute times are slow and noisy, the ratio is the figure).",
        "",
        "Reproduce: `python benchmarks/bench_study.py --write`",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="mnist5k")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--write", action="store_true", help="write the table into BENCHMARKS.md")
    parser.add_argument("--keep-store", metavar="PATH", type=Path, help="the project's store (new): kept afterwards")
    parser.add_argument("--peer", metavar="DATA", help=argparse.SUPPRESS)  # the peer's own process
    args = parser.parse_args()
    if args.peer:
        print(json.dumps(peer(args.peer)))
        return
    rows: dict[str, list[tuple[float, float]]] = {"project": [], "peer": []}
    loads: list[float] = []
    results: dict = {}
    for rep in range(args.repeat):
        for name in ("project", "peer"):
            keep = args.keep_store if name == "project" and rep == 0 else None
            elapsed, peak, results[name] = measure(name, args.data, keep)
            rows[name].append((elapsed, peak))
            loads.append(os.getloadavg()[0])
            print(f"{rep + 1}/{args.repeat} {name}: {elapsed:.0f} s, peak {peak:,.0f} MB", file=sys.stderr)
    text = report(args.data, rows, results["project"], results["peer"], loads)
    print(text)
    if args.write:
        write_block("bench_study", "study", text)


if __name__ == "__main__":
    main()
