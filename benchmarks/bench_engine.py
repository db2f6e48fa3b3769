"""Engine benchmarks B1, B4, B5: KMeansRun.step() against scikit-learn, same process.

Run:  python benchmarks/bench_engine.py

Every figure is the median of at least 5 repetitions; what matters is the printed
ratio (scikit-learn time / K-Means Studio time), since this machine is shared and noisy.
Both sides start from identical initial centres; labels are checked for equality.

"One step" is measured as the mean of the first 10 steps of a run from the initial
centres (including the first, full assignment), the same span as scikit-learn's
``fit(max_iter=10, tol=0) / 10``.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

import numpy as np
from sklearn.cluster import KMeans, kmeans_plusplus
from sklearn.datasets import load_digits, load_sample_image

from kmeans_studio.core import KMeansRun
from kmeans_studio.core.engine import kmeans

warnings.filterwarnings("ignore", category=UserWarning)  # sklearn's n_init notices

REPEATS = 5
STEPS = 10


def median_time(func, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def time_steps(X: np.ndarray, C: np.ndarray, steps: int = STEPS) -> float:
    """Median over repeats of the mean time of one step over the first `steps`."""
    times = []
    for _ in range(REPEATS):
        run = KMeansRun(X, len(C), init=C, tol=0, max_iter=steps)
        start = time.perf_counter()
        for _ in range(steps):
            run.step()
        times.append((time.perf_counter() - start) / steps)
    return statistics.median(times)


def median_step_to_convergence(X: np.ndarray, C: np.ndarray) -> float:
    """Median time of one step over a whole run to convergence (as in the GUI)."""
    run = KMeansRun(X, len(C), init=C)
    times = []
    while not run.done:
        start = time.perf_counter()
        run.step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def check_labels(X: np.ndarray, C: np.ndarray, steps: int) -> bool:
    ours = KMeansRun(X, len(C), init=C, tol=0, max_iter=steps).run()
    theirs = KMeans(len(C), init=C, n_init=1, max_iter=steps, tol=0).fit(X)
    return bool(np.array_equal(ours.labels, theirs.labels_))


def compare(name: str, X: np.ndarray, k: int, targets: dict[str, float]) -> list[str]:
    C, _ = kmeans_plusplus(X, k, random_state=0)
    ours = time_steps(X, C)
    fit1 = median_time(lambda: KMeans(k, init=C, n_init=1, max_iter=1).fit(X))
    in_fit = median_time(
        lambda: KMeans(k, init=C, n_init=1, max_iter=STEPS, tol=0).fit(X)
    ) / STEPS
    same = check_labels(X, C, STEPS)
    rows = []
    if "B1" in name:
        typical = median_step_to_convergence(X, C)
        rows.append(f"{name}: median step over a run to convergence vs fit(max_iter=1) "
                    f"{fit1 / typical:6.1f}x")
    for label, theirs in (("fit(max_iter=1)", fit1), ("in-fit iteration", in_fit)):
        ratio = theirs / ours
        target = targets.get(label)
        verdict = "" if target is None else ("  met" if ratio >= target else "  NOT MET")
        goal = "" if target is None else f"  (target >= {target:g}x)"
        rows.append(f"{name}: step vs {label:<17} {ratio:6.1f}x{goal}{verdict}")
    rows.append(f"{name}: labels identical to scikit-learn after {STEPS} iterations: {same}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["B1", "B4", "B5"], action="append")
    args = parser.parse_args()
    chosen = set(args.only or ["B1", "B4", "B5"])
    kmeans.warm_up()
    lines = []
    if "B1" in chosen:
        china = (load_sample_image("china.jpg") / 255.0).reshape(-1, 3)
        lines += compare("B1 china.jpg k=64", china, 64,
                         {"fit(max_iter=1)": 20, "in-fit iteration": 3})
    if "B4" in chosen:
        digits = load_digits().data
        lines += compare("B4 digits k=10", digits, 10, {"fit(max_iter=1)": 10})
    if "B5" in chosen:
        rng = np.random.default_rng(0)
        big = rng.random((70_000, 784), dtype=np.float32)
        lines += compare("B5 70000x784 float32 k=10", big, 10, {"in-fit iteration": 1})
    print("\n".join(lines))


if __name__ == "__main__":
    main()
