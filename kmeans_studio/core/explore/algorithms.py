"""Other clustering algorithms on the same data, side by side: scikit-learn's
"comparing clustering algorithms" gallery, run live on the user's points.

Each algorithm is scikit-learn's, with the gallery's settings: the data are
standardised first (`StandardScaler`, so one `eps` or bandwidth fits any units), the
number of clusters is the page's k where the algorithm takes one, and the density
methods (DBSCAN, HDBSCAN, OPTICS, mean shift) find their own.  Beside them, the page's
k-means (its k, initialisation, starts and seed) runs on the same standardised data:
a k-means on the data as they are would differ from the others by the scaling too.  An algorithm whose time
or memory grows too fast for the data is not run, and says why.  Each result carries
its time, its number of clusters, the adjusted Rand index against the true labels
(when the data have them) and the silhouette (on a sample, noise points left out).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from kmeans_studio.core.explore.metrics import silhouette


@dataclasses.dataclass(frozen=True)
class Setting:
    """The one setting of an algorithm worth changing on its tile."""

    label: str
    default: float
    low: float
    high: float
    step: float
    whole: bool = False


@dataclasses.dataclass(frozen=True)
class Algorithm:
    """One tile of the comparison: its title, the most rows it is run on (beyond,
    it says why not), how to build it for k clusters, a seed, the data and the value
    of its `setting` (None when it has none: k is the page's)."""

    title: str
    max_rows: int
    why_not: str
    make: Callable[[int, int, np.ndarray, Any], Any]
    setting: Setting | None = None


def _mean_shift(k: int, seed: int, X: np.ndarray, quantile: float):
    from sklearn.cluster import MeanShift, estimate_bandwidth

    bandwidth = estimate_bandwidth(X, quantile=quantile, n_samples=min(len(X), 2000),
                                   random_state=seed)
    return MeanShift(bandwidth=bandwidth if bandwidth > 0 else None, bin_seeding=True)


def _algorithms() -> dict[str, Algorithm]:
    from sklearn import cluster, mixture

    quadratic = "it needs memory and time that grow with the square of the points"
    return {
        "minibatch": Algorithm("MiniBatch k-means", 10**7, "",
                               lambda k, seed, X, _: cluster.MiniBatchKMeans(
                                   k, random_state=seed, n_init=3)),
        "bisecting": Algorithm("Bisecting k-means", 10**7, "",
                               lambda k, seed, X, _: cluster.BisectingKMeans(
                                   k, random_state=seed)),
        "gmm": Algorithm("Gaussian mixture", 10**6, "",
                         lambda k, seed, X, _: mixture.GaussianMixture(
                             k, covariance_type="full", random_state=seed)),
        "ward": Algorithm("Ward linkage", 20_000, quadratic,
                          lambda k, seed, X, _: cluster.AgglomerativeClustering(
                              k, linkage="ward")),
        "single": Algorithm("Single linkage", 20_000, quadratic,
                            lambda k, seed, X, _: cluster.AgglomerativeClustering(
                                k, linkage="single")),
        "spectral": Algorithm("Spectral clustering", 10_000,
                              "its eigenvectors take too long above 10,000 points",
                              lambda k, seed, X, neighbours: cluster.SpectralClustering(
                                  k, eigen_solver="arpack", affinity="nearest_neighbors",
                                  n_neighbors=int(neighbours), random_state=seed),
                              Setting("neighbours", 10, 2, 200, 1, whole=True)),
        "dbscan": Algorithm("DBSCAN", 100_000, "its neighbourhoods fill the memory",
                            lambda k, seed, X, eps: cluster.DBSCAN(eps=eps, min_samples=7),
                            Setting("eps", 0.3, 0.01, 10.0, 0.05)),
        "hdbscan": Algorithm("HDBSCAN", 50_000, quadratic,
                             lambda k, seed, X, size: cluster.HDBSCAN(
                                 min_samples=3, min_cluster_size=int(size),
                                 allow_single_cluster=True),
                             Setting("smallest cluster", 15, 2, 10_000, 1, whole=True)),
        "meanshift": Algorithm("Mean shift", 50_000, "it takes minutes on this many points",
                               _mean_shift, Setting("bandwidth quantile", 0.3, 0.01, 1.0, 0.05)),
        "optics": Algorithm("OPTICS", 20_000, quadratic,
                            lambda k, seed, X, samples: cluster.OPTICS(
                                min_samples=int(samples), xi=0.05, min_cluster_size=0.1),
                            Setting("min samples", 7, 2, 1000, 1, whole=True)),
    }


#: The algorithms compared, in the order shown.
NAMES = ("minibatch", "bisecting", "gmm", "ward", "single", "spectral", "dbscan",
         "hdbscan", "meanshift", "optics")


def settings() -> dict[str, Setting]:
    """Each algorithm's changeable setting, by name (those that have one)."""
    return {name: a.setting for name, a in _algorithms().items() if a.setting is not None}


@dataclasses.dataclass(frozen=True)
class AlgorithmResult:
    """What one algorithm did: `labels` (-1 for noise) or None with `refused` saying
    why it was not run; `about`, how it was run when its title does not say."""

    name: str
    title: str
    labels: np.ndarray | None = None
    seconds: float = float("nan")
    n_clusters: int = 0
    n_noise: int = 0
    ari: float = float("nan")
    silhouette: float = float("nan")
    refused: str | None = None
    about: str = ""


def scored(name: str, title: str, X: np.ndarray, labels: np.ndarray,
           y: np.ndarray | None = None, seconds: float = float("nan")) -> AlgorithmResult:
    """A clustering's result with its scores: the adjusted Rand index against `y`
    (noise counted as one more group) and the silhouette of the points not noise."""
    from sklearn.metrics import adjusted_rand_score

    labels = np.asarray(labels, dtype=np.int64)
    clustered = labels >= 0
    found = len(np.unique(labels[clustered]))
    ari = float(adjusted_rand_score(y, labels)) if y is not None else float("nan")
    score = (silhouette(X[clustered], labels[clustered]) if 2 <= found < clustered.sum()
             else float("nan"))
    return AlgorithmResult(name, title, labels, seconds, found, int((~clustered).sum()),
                           ari, score)


#: The k-means tile's title, and what it says of its run: the page's k and start,
#: on the standardised data (not the page's own run, on the data as they are).
KMEANS_TITLE = "k-means (this page's start)"
KMEANS_ABOUT = "Standardised, with this page's k, initialisation and seed"


def _kmeans(scaled: np.ndarray, scaler: Any, n_clusters: int, random_state: int,
            init: Any = "k-means++", n_init: int = 1, max_iter: int = 300,
            tol: float = 1e-4) -> np.ndarray:
    """The labels of K-Means Studio's k-means on `scaled`: from an initialisation's
    name with `n_init` starts, or from centres given in the data's own units
    (standardised as the data were)."""
    from kmeans_studio.core.engine.kmeans import KMeansRun, best_of_starts

    options = {"max_iter": int(max_iter), "tol": float(tol)}
    if not isinstance(init, str):
        init = scaler.transform(np.asarray(init, dtype=np.float64))
        n_clusters, n_init = len(init), 1
    if int(n_init) > 1:
        run = best_of_starts(scaled, n_clusters, int(n_init), init=init,
                             random_state=random_state, **options).best
    else:
        run = KMeansRun(scaled, n_clusters, init=init, random_state=random_state, **options)
        run.run()
    return np.asarray(run.state.labels, dtype=np.int64)


def compare_algorithms(X: np.ndarray, n_clusters: int, *, y: np.ndarray | None = None,
                       random_state: int = 0, names: tuple[str, ...] = NAMES,
                       values: dict[str, float] | None = None,
                       kmeans: dict[str, Any] | None = None,
                       cancelled: Callable[[], bool] | None = None,
                       progress: Callable[[int, int], Any] | None = None
                       ) -> list[AlgorithmResult] | None:
    """Run each algorithm of `names` on `X` (standardised) for `n_clusters`, with the
    `values` of their settings (the defaults otherwise); None when `cancelled()`
    turns true (asked before each algorithm, which runs uninterrupted).

    With `kmeans` (``init``: an initialisation's name or centres in X's units,
    ``n_init``, ``max_iter``, ``tol``; ``title`` and ``about``, `KMEANS_TITLE` and
    `KMEANS_ABOUT` by default), the page's k-means on the same standardised data
    comes first, named "kmeans"."""
    import warnings

    from sklearn.preprocessing import StandardScaler

    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or len(X) < 2 or not np.isfinite(X).all():
        raise ValueError("The other algorithms need at least two points with finite "
                         "coordinates.")
    if not 2 <= int(n_clusters) <= len(X) - 1:
        raise ValueError(f"The other algorithms need 2 to {len(X) - 1} clusters, "
                         f"not {n_clusters}.")
    scaler = StandardScaler()
    scaled = scaler.fit_transform(X)
    algorithms = _algorithms()
    results = []
    total = len(names) + (kmeans is not None)
    if kmeans is not None:
        if cancelled is not None and cancelled():
            return None
        options = dict(kmeans)
        title = options.pop("title", KMEANS_TITLE)
        about = options.pop("about", KMEANS_ABOUT)
        start = time.perf_counter()
        labels = _kmeans(scaled, scaler, int(n_clusters), int(random_state), **options)
        result = scored("kmeans", title, X, labels, y, time.perf_counter() - start)
        results.append(dataclasses.replace(result, about=about))
        if progress is not None:
            progress(1, total)
    for done, name in enumerate(names, start=len(results)):
        if cancelled is not None and cancelled():
            return None
        algorithm = algorithms[name]
        if len(X) > algorithm.max_rows:
            results.append(AlgorithmResult(
                name, algorithm.title,
                refused=f"Not run on {len(X):,} points: {algorithm.why_not}."))
            if progress is not None:
                progress(done + 1, total)
            continue
        start = time.perf_counter()
        setting = algorithm.setting
        value = None if setting is None else (values or {}).get(name, setting.default)
        if setting is not None and not (
                np.isfinite(value) and setting.low <= value <= setting.high):
            raise ValueError(f"{algorithm.title}'s {setting.label} must be from "
                             f"{setting.low:g} to {setting.high:g}, not {value!r}.")
        model = algorithm.make(int(n_clusters), int(random_state), scaled, value)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence and connectivity notes
            labels = np.asarray(model.fit_predict(scaled), dtype=np.int64)
        results.append(scored(name, algorithm.title, X, labels, y,
                              time.perf_counter() - start))
        if progress is not None:
            progress(done + 1, total)
    return results
