"""Whole Gaussian-mixture fits against scikit-learn's `GaussianMixture`, as users run them.

Run:  python benchmarks/bench_mixture.py

Each row fits the same data from the same start (``init_params="kmeans"``, seed 0: the
same k-means labels start both) to convergence: ``MixtureRun(...).run()``, which keeps
every half-step for the views, against ``GaussianMixture(...).fit(X)``.  Before timing,
both must reach the same iteration count and means (to 1e-8).  Alternating ours and
theirs, median of REPEATS; the printed ratio is scikit-learn's time over ours
(target ≥ 1x on every row).
"""

from __future__ import annotations

import statistics
import time
import warnings

import numpy as np
from sklearn.datasets import make_blobs
from sklearn.mixture import GaussianMixture

from kmeans_studio.core.engine.mixture import MixtureRun

warnings.filterwarnings("ignore", category=UserWarning)
REPEATS = 5

#: name: (n, d, k, covariance type)
ROWS = {
    "100,000x5, k=8, full": (100_000, 5, 8, "full"),
    "20,000x2, k=4, full": (20_000, 2, 4, "full"),
    "100,000x10, k=16, diag": (100_000, 10, 16, "diag"),
}


def main() -> None:
    print(f"Whole fits, median of {REPEATS}, scikit-learn time / ours (target >= 1x)")
    for name, (n, d, k, kind) in ROWS.items():
        X, _ = make_blobs(n, d, centers=k, cluster_std=2.0, random_state=0)

        def ours():
            return MixtureRun(X, k, covariance_type=kind, random_state=0).run()

        def theirs():
            return GaussianMixture(k, covariance_type=kind, random_state=0).fit(X)
        mine, model = ours(), theirs()
        same = mine.n_iter == model.n_iter_ and np.allclose(mine.means, model.means_,
                                                            rtol=0, atol=1e-8)
        times: dict = {ours: [], theirs: []}
        for _ in range(REPEATS):
            for fit in (ours, theirs):
                start = time.perf_counter()
                fit()
                times[fit].append(time.perf_counter() - start)
        t_ours, t_theirs = statistics.median(times[ours]), statistics.median(times[theirs])
        ratio = t_theirs / t_ours
        print(f"{name:<26} ours {1000 * t_ours:8.1f} ms  scikit-learn {1000 * t_theirs:8.1f} ms"
              f"  {ratio:5.2f}x  {'met' if ratio >= 1 else 'NOT MET':<8} "
              f"({mine.n_iter} iterations, same: {same})", flush=True)


if __name__ == "__main__":
    main()
