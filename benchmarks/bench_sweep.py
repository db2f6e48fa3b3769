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

Then a photo as the Explore dock sweeps it: china.jpg upscaled to 8 megapixels,
k = 2–64, each k seeded as the Image page seeds it and assigned by the colour octree,
scored on a 5,000-pixel sample (median of 5; the engine-speed issue asks for "a few
seconds"), beside scikit-learn's ``KMeans(k, init=same centres, n_init=1)`` on the
weighted distinct colours with the same three scores on the same sample (once: it
takes minutes).
"""

from __future__ import annotations

import statistics
import time

import numpy as np
from sklearn import metrics
from sklearn.cluster import KMeans
from sklearn.datasets import load_digits

from kmeans_studio.core.engine import kmeans
from kmeans_studio.core.explore.sweep import sweep

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


PHOTO_KS = range(2, 65)


def photo_sweep() -> None:
    from PIL import Image
    from sklearn.datasets import load_sample_image

    from kmeans_studio.core.data.datasets import image_dataset
    from kmeans_studio.core.explore.metrics import sample_rows

    photo = Image.fromarray(load_sample_image("china.jpg"))
    data = image_dataset(np.asarray(photo.resize((3464, 2309), Image.Resampling.LANCZOS)),
                         "china 8 MP")
    colors = data.image.colors

    def ours():
        return sweep(data.X, PHOTO_KS, sample_weight=data.sample_weight,
                     tol=1e-4 * data.tolerance_scale, seeding=colors.initial_palette,
                     assigner=colors.assigner())
    ours()  # the octree built, the kernels loaded
    times = []
    for _ in range(5):
        start = time.perf_counter()
        ours()
        times.append(time.perf_counter() - start)
    rows = sample_rows(data.n_samples, 5000, data.sample_weight, random_state=0)
    start = time.perf_counter()
    for k in PHOTO_KS:
        model = KMeans(k, init=colors.initial_palette(k, 0), n_init=1,
                       tol=1e-4 * data.tolerance_scale).fit(data.X, sample_weight=data.sample_weight)
        scored, labels = data.X[rows], model.labels_[rows]
        metrics.silhouette_score(scored, labels)
        metrics.calinski_harabasz_score(scored, labels)
        metrics.davies_bouldin_score(scored, labels)
    theirs = time.perf_counter() - start
    ours_time = statistics.median(times)
    print(f"photo sweep, k = {PHOTO_KS.start}–{PHOTO_KS.stop - 1}, {data.description}")
    print(f"  K-Means Studio {ours_time:.1f} s (median of 5), scikit-learn {theirs:.1f} s "
          f"(once): {theirs / ours_time:.1f}x")


def main() -> None:
    X = load_digits().data
    kmeans.warm_up()
    for ours, theirs in ((ours_clustering, theirs_clustering), (ours_sweep, theirs_sweep)):
        np.testing.assert_allclose(ours(X), theirs(X), rtol=1e-9)  # same runs; warm-up
    print(f"k-sweep, k = {KS.start}–{KS.stop - 1}, digits {X.shape[0]} × {X.shape[1]}, "
          f"median of {REPEATS}")
    for name, ours, theirs in (("clustering only", ours_clustering, theirs_clustering),
                               ("with the scores", ours_sweep, theirs_sweep)):
        t_ours, t_theirs = alternate(ours, theirs, X)
        target = "> 1" if name == "clustering only" else ">= 2, the engine-speed issue"
        print(f"  {name:<16} scikit-learn / K-Means Studio = {t_theirs / t_ours:5.2f}x "
              f"(target {target})")
    photo_sweep()


if __name__ == "__main__":
    main()
