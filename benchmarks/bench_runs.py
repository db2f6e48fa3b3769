"""Whole runs to convergence against scikit-learn's Lloyd, as a user meets them.

Run:  python benchmarks/bench_runs.py [--only NAME ...] [--memory]

Each row times a whole `KMeansRun(...).run()` (data checked and prepared inside, as
the app does) against ``KMeans(k, init=C, n_init=1, algorithm="lloyd").fit(X)`` from
the same initial centres C (k-means++, and k random rows: the starts users pick), in
this process, alternating ours and theirs, median of REPEATS or of a second's worth of
pairs.  Before timing, both must end with the same labels and iteration count.
"Best of 10" runs `best_of_starts` against ``KMeans(10, n_init=10)`` with the same
seed (same starts, same kept labels).  The printed ratio is scikit-learn's time over
ours; targets from the engine-speed issue: >= 1.5x for whole runs and best of 10.
The k-sweep (target 2x) is in bench_sweep.py.  With --memory each row also says how
much memory a whole run adds at its peak, ours and scikit-learn's, each in a fresh
process (target: ours at most scikit-learn's plus the history's budget).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
from sklearn.cluster import KMeans, kmeans_plusplus
from sklearn.datasets import load_digits, make_blobs

from kmeans_studio.core import KMeansRun
from kmeans_studio.core.engine import kmeans
from kmeans_studio.core.engine.kmeans import DEFAULT_HISTORY_BYTES, best_of_starts

warnings.filterwarnings("ignore", category=UserWarning)
REPEATS = 5


#: name: (how to make the data, k)
DATA = {
    "digits 1797x64, k=10": (lambda: load_digits().data, 10),
    "70,000x784 float32, k=10": (
        lambda: make_blobs(70_000, 784, centers=10, random_state=0)[0].astype(np.float32), 10),
    "70,000x784 float32 std=8, k=10": (
        lambda: make_blobs(70_000, 784, centers=10, cluster_std=8,
                           random_state=0)[0].astype(np.float32), 10),
    "1,000,000x10, k=8": (lambda: make_blobs(1_000_000, 10, centers=8, random_state=0)[0], 8),
    "1,000,000x10 std=3, k=8": (
        lambda: make_blobs(1_000_000, 10, centers=8, cluster_std=3, random_state=0)[0], 8),
    "blobs 300x2, k=4": (
        lambda: make_blobs(300, 2, centers=4, cluster_std=0.6, random_state=0)[0], 4),
}


def alternate(ours, theirs) -> tuple[float, float]:
    """Median times of ours and theirs, alternating: REPEATS times, or for about a
    second when that is more (a millisecond's run is timed hundreds of times, so one
    noisy moment of this shared machine cannot decide its ratio)."""
    times: dict = {ours: [], theirs: []}
    deadline = time.perf_counter() + 1.0
    while len(times[ours]) < REPEATS or time.perf_counter() < deadline:
        for func in (ours, theirs):
            start = time.perf_counter()
            func()
            times[func].append(time.perf_counter() - start)
    return statistics.median(times[ours]), statistics.median(times[theirs])


def starts(X: np.ndarray, k: int) -> dict[str, np.ndarray]:
    """The starts users pick: k-means++ (scikit-learn's) and k random rows."""
    rows = np.random.default_rng(0).choice(len(X), k, replace=False)
    return {"k-means++": kmeans_plusplus(X, k, random_state=0)[0], "random rows": X[rows]}


def whole_run(name: str, X: np.ndarray, k: int, C: np.ndarray) -> str:
    def ours():
        return KMeansRun(X, k, init=C).run()

    def theirs():
        return KMeans(k, init=C, n_init=1, algorithm="lloyd").fit(X)

    mine, model = ours(), theirs()
    same = np.array_equal(mine.labels, model.labels_) and mine.n_iter == model.n_iter_
    t_ours, t_theirs = alternate(ours, theirs)
    return row(name, t_ours, t_theirs, f"{mine.n_iter} iterations, same labels: {same}")


def best_of_ten(X: np.ndarray) -> str:
    def ours():
        return best_of_starts(X, 10, 10, random_state=0).best.state

    def theirs():
        return KMeans(10, n_init=10, random_state=0, algorithm="lloyd").fit(X)

    same = np.array_equal(ours().labels, theirs().labels_)
    t_ours, t_theirs = alternate(ours, theirs)
    return row("best of 10 starts, digits", t_ours, t_theirs, f"same labels: {same}")


def peak_memory(X: np.ndarray, k: int) -> str:
    """The most memory a whole run adds to a fresh process (its peak resident size
    over what the process held with the data loaded), ours and scikit-learn's."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "X.npy")
        np.save(path, X)
        ours, theirs = (float(subprocess.run(
            [sys.executable, __file__, "--peak-of", side, path, str(k)], check=True,
            capture_output=True, text=True).stdout) for side in ("ours", "theirs"))
    return (f"{'':<32} peak memory: ours +{ours:.0f} MiB, scikit-learn +{theirs:.0f} "
            f"MiB (the history's budget: {DEFAULT_HISTORY_BYTES >> 20} MiB)")


def print_peak_of(side: str, path: str, k: int) -> None:
    X = np.load(path)
    C, _ = kmeans_plusplus(X, k, random_state=0)
    small = X[:1000]  # load the code (and compile nothing) before the baseline
    KMeansRun(small, 2, init=small[:2], use_compiled=True).run()
    KMeans(2, init=small[:2], n_init=1).fit(small)
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # the peak resident size starts again from the present one
    before = _status_mib("VmRSS")
    if side == "ours":
        KMeansRun(X, k, init=C).run()
    else:
        KMeans(k, init=C, n_init=1, algorithm="lloyd").fit(X)
    print(_status_mib("VmHWM") - before)


def _status_mib(field: str) -> float:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith(field + ":"))
    return int(line.split()[1]) / 1024


def row(name: str, ours: float, theirs: float, note: str) -> str:
    ratio = theirs / ours
    verdict = "met" if ratio >= 1.5 else "NOT MET"
    return (f"{name:<32} ours {1000 * ours:8.1f} ms  scikit-learn {1000 * theirs:8.1f} ms"
            f"  {ratio:5.2f}x  {verdict:<8} ({note})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", help="rows whose name contains this")
    parser.add_argument("--memory", action="store_true",
                        help="also each row's peak memory, in fresh processes (Linux)")
    parser.add_argument("--peak-of", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.peak_of:
        side, path, k = args.peak_of
        print_peak_of(side, path, int(k))
        return
    kmeans.warm_up()
    print(f"Whole runs, median of {REPEATS} or more (a second's worth), scikit-learn time "
          "/ ours (target >= 1.5x)")
    for name, (make, k) in DATA.items():
        if args.only and not any(part in name for part in args.only):
            continue
        X = make()
        for start, C in starts(X, k).items():
            print(whole_run(f"{name}, {start}", X, k, C), flush=True)
        if name.startswith("digits"):
            print(best_of_ten(X), flush=True)
        if args.memory:
            print(peak_memory(X, k), flush=True)


if __name__ == "__main__":
    main()
