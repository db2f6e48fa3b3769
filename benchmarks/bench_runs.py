"""Whole runs to convergence against scikit-learn's Lloyd, as a user meets them.

Run:  python benchmarks/bench_runs.py [--only NAME ...]

Each row times a whole `KMeansRun(...).run()` (data checked and prepared inside, as
the app does) against ``KMeans(k, init=C, n_init=1, algorithm="lloyd").fit(X)`` from
the same initial centres C, in this process, alternating ours and theirs, median of
REPEATS.  Before timing, both must end with the same labels and iteration count.
"Best of 10" runs `best_of_starts` against ``KMeans(10, n_init=10)`` with the same
seed (same starts, same kept labels).  The printed ratio is scikit-learn's time over
ours; targets from the engine-speed issue: >= 1.5x for whole runs and best of 10.
The k-sweep (target 2x) is in bench_sweep.py.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

import numpy as np
from sklearn.cluster import KMeans, kmeans_plusplus
from sklearn.datasets import load_digits, make_blobs

from kmeans_studio.core import KMeansRun, _compiled
from kmeans_studio.core.kmeans import best_of_starts

warnings.filterwarnings("ignore", category=UserWarning)
REPEATS = 5


def data_sets() -> dict[str, tuple[np.ndarray, int]]:
    digits = load_digits().data
    wide, _ = make_blobs(70_000, 784, centers=10, random_state=0)
    wider, _ = make_blobs(70_000, 784, centers=10, cluster_std=8, random_state=0)
    tall, _ = make_blobs(1_000_000, 10, centers=8, random_state=0)
    spread, _ = make_blobs(1_000_000, 10, centers=8, cluster_std=3, random_state=0)
    blobs, _ = make_blobs(300, 2, centers=4, cluster_std=0.6, random_state=0)
    return {
        "digits 1797x64, k=10": (digits, 10),
        "70,000x784 float32, k=10": (wide.astype(np.float32), 10),
        "70,000x784 float32 std=8, k=10": (wider.astype(np.float32), 10),
        "1,000,000x10, k=8": (tall, 8),
        "1,000,000x10 std=3, k=8": (spread, 8),
        "blobs 300x2, k=4": (blobs, 4),
    }


def alternate(ours, theirs) -> tuple[float, float]:
    times: dict = {ours: [], theirs: []}
    for _ in range(REPEATS):
        for func in (ours, theirs):
            start = time.perf_counter()
            func()
            times[func].append(time.perf_counter() - start)
    return statistics.median(times[ours]), statistics.median(times[theirs])


def whole_run(name: str, X: np.ndarray, k: int) -> str:
    C, _ = kmeans_plusplus(X, k, random_state=0)

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


def row(name: str, ours: float, theirs: float, note: str) -> str:
    ratio = theirs / ours
    verdict = "met" if ratio >= 1.5 else "NOT MET"
    return (f"{name:<32} ours {1000 * ours:8.1f} ms  scikit-learn {1000 * theirs:8.1f} ms"
            f"  {ratio:5.2f}x  {verdict:<8} ({note})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", help="rows whose name contains this")
    args = parser.parse_args()
    _compiled.warm_up()
    print(f"Whole runs, median of {REPEATS}, scikit-learn time / ours (target >= 1.5x)")
    for name, (X, k) in data_sets().items():
        if args.only and not any(part in name for part in args.only):
            continue
        print(whole_run(name, X, k), flush=True)
        if name.startswith("digits"):
            print(best_of_ten(X), flush=True)


if __name__ == "__main__":
    main()
