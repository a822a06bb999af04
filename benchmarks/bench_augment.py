"""Shift augmentation at full scale: ``mnist-explorer augment`` vs a plain scikit-learn script doing the same.

    python benchmarks/bench_augment.py [--data idx:/usr/share/datasets/fashion-mnist] [--repeat 2] [--write]

Each repetition runs, in turn and each in a process of its own:

- **project**: the ``augment`` job on a new store, run by ``engine.jobs.run_inline`` (the job process's own
  ``execute``, with its store writes and progress) in ``python benchmarks/bench_augment.py --project DATA``: KNN
  ``{weights: distance, n_neighbors: 4}`` on the training set, then on it and its four one-pixel shifts (5×), both
  scored on the test set, through ``engine.neighbors`` in blocks. ``mnist-explorer augment`` runs the same job in a
  process at niceness 19, which on a machine shared with other sessions' work at niceness 0 gets next to no CPU,
  so both contenders here run at the same, ordinary priority.
- **peer**: this file's ``peer`` function in ``python benchmarks/bench_augment.py --peer DATA``: the study's code
  with scikit-learn: ``scipy.ndimage.shift(..., order=0)`` per image for the four shifts, ``KNeighborsClassifier(n_neighbors=4,
  weights="distance")`` on float32 pixels (its fast path), fit + predict on the plain and on the augmented set.

Both run in a session (so a Linux autogroup) of their own at niceness 0. Peak memory is the largest sum of RSS over the processes of the run being measured, sampled from /proc every
0.1 s, of each contender's session (its process and anything it starts). Both must report the same two accuracies (asserted).
``--write`` puts the table into BENCHMARKS.md above ``<!-- section:augment -->``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks_md import write_block  # noqa: E402

FASHION = "idx:/usr/share/datasets/fashion-mnist"
KNN = {"weights": "distance", "n_neighbors": 4}
PAGE = os.sysconf("SC_PAGE_SIZE")


def peer(data: str) -> dict:
    """The plain scikit-learn version, as the study writes it (per-image shifts), on float32 pixels."""
    import numpy as np
    from scipy.ndimage import shift
    from sklearn.neighbors import KNeighborsClassifier

    from engine.data import load_dataset

    ds = load_dataset(data)
    X_train = ds.X_train.reshape(len(ds.X_train), -1).astype(np.float32)
    X_test = ds.X_test.reshape(len(ds.X_test), -1).astype(np.float32)
    knn = KNeighborsClassifier(**KNN)
    plain = knn.fit(X_train, ds.y_train).predict(X_test)

    def shift_image(image, dx, dy):
        return shift(image.reshape(ds.image_shape), [dy, dx], cval=0, mode="constant", order=0).reshape(-1)

    augmented_images = [ds.X_train.reshape(len(ds.X_train), -1)]
    for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
        augmented_images.append(np.array([shift_image(image, dx, dy) for image in ds.X_train]))
    X_aug = np.concatenate(augmented_images).astype(np.float32)
    y_aug = np.tile(ds.y_train, 5)
    del augmented_images
    augmented = knn.fit(X_aug, y_aug).predict(X_test)
    return {
        "accuracy_plain": float(np.mean(plain == ds.y_test)),
        "accuracy_augmented": float(np.mean(augmented == ds.y_test)),
        "n_train_augmented": len(X_aug),
    }


def rss_of(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/statm") as fh:
                total += int(fh.read().split()[1]) * PAGE
        except OSError:
            pass
    return total


def session_pids(sid: int) -> list[int]:
    """Processes of session ``sid`` (a job's pid is its session id)."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == sid:
                out.append(int(entry))
    return out


class PeakSampler:
    """Samples the summed RSS of ``pids()`` every 0.1 s in a thread until stopped; ``peak`` in bytes."""

    def __init__(self, pids) -> None:
        self.pids = pids
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self.peak = max(self.peak, rss_of(self.pids()))

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def project(data: str) -> dict:
    """The ``augment`` job on a new store, run the way its job process runs it."""
    from engine.data import DataSpec
    from engine.jobs import run_inline
    from engine.models.augment import AugmentResults, job_params
    from engine.store import RunStore

    spec = DataSpec(data)
    with tempfile.TemporaryDirectory() as tmp:
        store = RunStore(Path(tmp) / "runs.sqlite")
        run = run_inline(store, "augment", job_params(store, spec), spec)
        assert run.status == "done", run.error
        return AugmentResults.from_store(store, run.id).to_json()


def measure(mode: str, data: str) -> tuple[float, int, dict]:
    """Run this file with ``--MODE DATA`` in a session of its own: (wall time, peak RSS of the session, its JSON)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, __file__, f"--{mode}", data], stdout=subprocess.PIPE, cwd=ROOT, start_new_session=True
    )
    sampler = PeakSampler(lambda: session_pids(proc.pid))
    out, _ = proc.communicate()
    elapsed = time.perf_counter() - started
    peak = sampler.stop()
    assert proc.returncode == 0, proc.returncode
    return elapsed, peak, json.loads(out)


def machine() -> str:
    import numpy
    import scipy
    import sklearn

    return (
        f"{os.cpu_count()} cores, Python {platform.python_version()}, numpy {numpy.__version__}, "
        f"scipy {scipy.__version__}, scikit-learn {sklearn.__version__}"
    )


def report(data: str, rows: dict[str, list[tuple[float, int]]], result: dict, loads: list[float]) -> str:
    from engine.data import load_dataset

    ds = load_dataset(data)
    ours = rows["project"]
    lines = [
        "## Shift augmentation at full scale: `augment` vs plain scikit-learn",
        "",
        f"`{data}` ({len(ds.y_train):,} training → {len(ds.y_test):,} test images): KNN `{json.dumps(KNN)}` trained "
        f"on the training set and on it plus its four one-pixel shifts ({result['n_train_augmented']:,} images), both "
        "scored on the test set. The project's "
        "`augment` job (uint8 images, `engine.neighbors` in blocks under a 256 MB budget, progress per block; run as "
        "its job process runs it, at niceness 0 like the peer) "
        "beside the study's code in plain scikit-learn (`scipy.ndimage.shift(order=0)` per image, float32 pixels), "
        "each in a session of its own. Both "
        f"give the same accuracies (asserted): plain {result['accuracy_plain']:.4f}, augmented "
        f"{result['accuracy_augmented']:.4f} (gain {result['gain']:+.4f}, fixed {result['fixed']}, broken "
        f"{result['broken']}, McNemar exact p = {result['p_value']:.3g}). {len(ours)} runs each, interleaved.",
        "",
        "| | min (s) | median (s) | runs (s) | peak RSS (MB, max over runs) |",
        "| --- | ---: | ---: | --- | ---: |",
    ]
    for name, label in (("project", "`augment` job"), ("peer", "plain scikit-learn")):
        t = [r[0] for r in rows[name]]
        peak = max(r[1] for r in rows[name]) / 2**20
        runs = ", ".join(f"{x:.1f}" for x in t)
        lines.append(f"| {label} | {min(t):.1f} | {statistics.median(t):.1f} | {runs} | {peak:,.0f} |")
    peer_t, ours_t = [r[0] for r in rows["peer"]], [r[0] for r in ours]
    lines += [
        f"| ratio project / peer | {min(ours_t) / min(peer_t):.2f} | "
        f"{statistics.median(ours_t) / statistics.median(peer_t):.2f} | | "
        f"{max(r[1] for r in ours) / max(r[1] for r in rows['peer']):.2f} |",
        "",
        f"Machine: {machine()}; 1-minute load average during the runs {min(loads):.1f}–{max(loads):.1f} (the machine "
        "is shared with other sessions' jobs).",
        "",
        "Reproduce: `python benchmarks/bench_augment.py --write`",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=FASHION)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--write", action="store_true", help="write the table into BENCHMARKS.md")
    parser.add_argument("--peer", metavar="DATA", help=argparse.SUPPRESS)  # the contenders' own processes
    parser.add_argument("--project", metavar="DATA", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.peer or args.project:
        print(json.dumps(peer(args.peer) if args.peer else project(args.project)))
        return
    rows: dict[str, list[tuple[float, int]]] = {"project": [], "peer": []}
    loads = []
    result: dict = {}
    for rep in range(args.repeat):
        for name in ("project", "peer"):
            elapsed, peak, out = measure(name, args.data)
            rows[name].append((elapsed, peak))
            loads.append(os.getloadavg()[0])
            if name == "project":
                result = out
            else:
                assert out["accuracy_plain"] == result["accuracy_plain"], (out, result)
                assert out["accuracy_augmented"] == result["accuracy_augmented"], (out, result)
            print(f"{rep + 1}/{args.repeat} {name}: {elapsed:.1f} s, peak {peak / 2**20:,.0f} MB", file=sys.stderr)
    text = report(args.data, rows, result, loads)
    print(text)
    if args.write:
        write_block("bench_augment", "augment", text)


if __name__ == "__main__":
    main()
