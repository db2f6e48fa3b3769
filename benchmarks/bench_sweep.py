"""k-sweep benchmark (issue #7): k = 2–12 on the digits against scikit-learn.

Run:  python benchmarks/bench_sweep.py

Target: the sweep finishes faster than the same sweep with scikit-learn's
``KMeans(k, n_init=1)``.  Two figures, each the median of at least 5 alternating
repetitions in this process (the ratio is what counts on a shared, noisy machine):

* clustering only: `core.sweep.sweep` without the scores (the k run side by side,
  one per core, on data prepared once), against ``KMeans(k, n_init=1,
  random_state=0).fit(X)`` for every k (scikit-learn's Lloyd uses every core too);
* the whole sweep as the app runs it (`core.sweep.sweep`: clustering, then silhouette,
  Calinski–Harabasz and Davies–Bouldin for every k), against the loop a scikit-learn
  user writes: ``KMeans(...).fit`` and the same three `sklearn.metrics` scores.

Both sides start every k from the same k-means++ centres (same seed) and must end with
the same inertia; the script checks that before timing.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
from sklearn import metrics
from sklearn.cluster import KMeans
from sklearn.datasets import load_digits

from kmeans_studio.core import _compiled
from kmeans_studio.core.sweep import sweep

KS = range(2, 13)
REPEATS = 7


def ours_clustering(X):
    return list(sweep(X, KS, random_state=0, with_scores=False).values("inertia"))


def theirs_clustering(X):
    return [KMeans(k, n_init=1, random_state=0).fit(X).inertia_ for k in KS]


def ours_sweep(X):
    return list(sweep(X, KS, random_state=0).values("inertia"))


def theirs_sweep(X):
    inertia = []
    for k in KS:
        model = KMeans(k, n_init=1, random_state=0).fit(X)
        labels = model.labels_
        metrics.silhouette_score(X, labels)
        metrics.calinski_harabasz_score(X, labels)
        metrics.davies_bouldin_score(X, labels)
        inertia.append(model.inertia_)
    return inertia


def alternate(ours, theirs, X) -> tuple[float, float]:
    times = {ours: [], theirs: []}
    for _ in range(REPEATS):
        for func in (ours, theirs):
            start = time.perf_counter()
            func(X)
            times[func].append(time.perf_counter() - start)
    return statistics.median(times[ours]), statistics.median(times[theirs])


def main() -> None:
    X = load_digits().data
    _compiled.warm_up()
    for ours, theirs in ((ours_clustering, theirs_clustering), (ours_sweep, theirs_sweep)):
        np.testing.assert_allclose(ours(X), theirs(X), rtol=1e-9)  # same runs; warm-up
    print(f"k-sweep, k = {KS.start}–{KS.stop - 1}, digits {X.shape[0]} × {X.shape[1]}, "
          f"median of {REPEATS}")
    for name, ours, theirs in (("clustering only", ours_clustering, theirs_clustering),
                               ("with the scores", ours_sweep, theirs_sweep)):
        t_ours, t_theirs = alternate(ours, theirs, X)
        print(f"  {name:<16} scikit-learn / K-Means Studio = {t_theirs / t_ours:5.2f}x "
              f"(target > 1)")


if __name__ == "__main__":
    main()
