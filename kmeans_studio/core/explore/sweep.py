"""Choosing k: k-means (or a Gaussian mixture) for a range of k on the same data,
with the usual scores.

For every k the run starts from its own k-means++ (or random) centres drawn with the
same seed, runs to convergence, and is judged by its inertia (the elbow) and three
scores from `sklearn.metrics`: silhouette (higher is better), Calinski–Harabasz
(higher) and Davies–Bouldin (lower).  Above 5,000 points the scores are computed on
one fixed random sample of the points (of the pixels, for merged colours), the same
for every k, so they never need O(n²) memory; the inertia always covers all points.
A mixture is judged by BIC and AIC (lower is better, as scikit-learn computes them)
in place of the inertia, and by the same three scores of its most likely components.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from kmeans_studio.core.engine.kmeans import KMeansRun
from kmeans_studio.core.engine.mixture import MixtureRun
from kmeans_studio.core.engine.parallel import side_by_side
from kmeans_studio.core.engine.prepared import PreparedData, prepare
from kmeans_studio.core.explore.metrics import (
    SILHOUETTE_SAMPLE,
    sample_rows,
    silhouette,
    silhouette_from_distances,
)

#: name: (title, "max", "min" or "elbow": how the best k is picked)
SCORES = {
    "inertia": ("Inertia", "elbow"),
    "silhouette": ("Silhouette", "max"),
    "calinski_harabasz": ("Calinski–Harabasz", "max"),
    "davies_bouldin": ("Davies–Bouldin", "min"),
    "bic": ("BIC", "min"),
    "aic": ("AIC", "min"),
}


@dataclasses.dataclass(frozen=True)
class SweepRun:
    """One k of a sweep: how its run ended and how it scores.  `initial_centers`
    replays a k-means run exactly (`KMeansRun(X, k, init=initial_centers)`); a
    mixture's run is replayed from the sweep's `init` and seed.  Inertia is NaN for
    a mixture, BIC and AIC for k-means."""

    k: int
    inertia: float
    silhouette: float
    calinski_harabasz: float
    davies_bouldin: float
    n_iter: int
    converged: bool
    initial_centers: np.ndarray
    centers: np.ndarray
    bic: float = float("nan")
    aic: float = float("nan")


@dataclasses.dataclass(frozen=True)
class Sweep:
    """The runs of a sweep, smallest k first, and what the scores were computed on.

    `scored_points` is the number of points the scores saw (a sample, or all);
    `n_points` the number of points in the data (pixels for merged colours).
    """

    runs: tuple[SweepRun, ...]
    scored_points: int
    n_points: int
    random_state: Any
    init: str
    model: str = "kmeans"

    @property
    def ks(self) -> np.ndarray:
        return np.array([run.k for run in self.runs])

    @property
    def sampled(self) -> bool:
        return self.scored_points < self.n_points

    def values(self, score: str) -> np.ndarray:
        return np.array([getattr(run, score) for run in self.runs], dtype=float)

    def run_for(self, k: int) -> SweepRun | None:
        return next((run for run in self.runs if run.k == k), None)

    def best_k(self, score: str) -> int | None:
        """The k each score points at (None when it is undefined for every k)."""
        values = self.values(score)
        rule = SCORES[score][1]
        if rule == "elbow":
            return elbow(self.ks, values)
        if np.isnan(values).all():
            return None
        pick = np.nanargmax if rule == "max" else np.nanargmin
        return int(self.ks[pick(values)])


def elbow(ks: np.ndarray, inertia: np.ndarray) -> int | None:
    """The k of the elbow: the point of the inertia curve farthest below the straight
    line from its first to its last point, both axes scaled to [0, 1] (the "kneedle"
    rule).  None with fewer than three k."""
    ks, inertia = np.asarray(ks, dtype=float), np.asarray(inertia, dtype=float)
    if len(ks) < 3 or np.isnan(inertia).any():
        return None
    x = (ks - ks[0]) / (ks[-1] - ks[0])
    span = inertia[0] - inertia[-1]
    if not span > 0:
        return None
    y = (inertia - inertia[-1]) / span  # 1 at the first k, 0 at the last
    below = (1 - x) - y  # how far under the chord each point lies
    return int(ks[int(np.argmax(below))])


#: The scored points' distances are computed once for all k (as float32) when they
#: fit in this: a sample of 5,000 takes 95 MiB.  Each k's silhouette then takes 0.06 s
#: instead of 0.4 s (5,000 colours at k = 64), which made most of a photo's sweep.
_DISTANCES_BYTES = 100 << 20


def _distances(X: np.ndarray) -> np.ndarray:
    """Pairwise Euclidean distances as float32, a block of rows at a time (no float64
    copy of the whole matrix)."""
    from sklearn.metrics import pairwise_distances_chunked

    distances = np.empty((len(X), len(X)), dtype=np.float32)
    row = 0
    for block in pairwise_distances_chunked(X, working_memory=16):
        distances[row:row + len(block)] = block
        row += len(block)
    return distances


def scores(X: np.ndarray, labels: np.ndarray, distances: np.ndarray | None = None
           ) -> tuple[float, float, float]:
    """(silhouette, Calinski–Harabasz, Davies–Bouldin); NaN where undefined (fewer
    than two clusters, or as many clusters as points).  `distances`, the points'
    pairwise distances when already known, saves computing them again."""
    from sklearn import metrics

    n_labels = len(np.unique(labels))
    if not 2 <= n_labels <= len(labels) - 1:
        return float("nan"), float("nan"), float("nan")
    mean_silhouette = (silhouette(X, labels) if distances is None
                       else silhouette_from_distances(distances, labels))
    return (mean_silhouette, float(metrics.calinski_harabasz_score(X, labels)),
            float(metrics.davies_bouldin_score(X, labels)))


def sweep(
    X: Any,
    ks: Sequence[int],
    *,
    sample_weight: Any = None,
    init: str = "k-means++",
    random_state: int = 0,
    max_iter: int = 300,
    tol: float = 1e-4,
    sample_size: int = SILHOUETTE_SAMPLE,
    with_scores: bool = True,
    cancelled: Callable[[], bool] | None = None,
    on_progress: Callable[[int, int], Any] | None = None,
    seeding: Callable[[int, Any], np.ndarray] | None = None,
    assigner: Any = None,
    model: str = "kmeans",
) -> Sweep | None:
    """Run k-means for every k in `ks` and score each run (see the module's notes).

    `model` a mixture's covariance type (`engine.models.MODELS`) fits that Gaussian
    mixture instead, `init` then one of `mixture.INITS` (no sample weights).

    With `with_scores` False only the inertia is computed (the scores are NaN).
    The k run side by side, one per core.  `cancelled` is asked between half-steps:
    when it returns True the sweep stops within one iteration and None is returned.
    `on_progress(done, total)` is told after every k (from the sweep's threads).
    `seeding(k, random_state)`, when given, makes each k's initial centres instead of
    `init` (a photo's page seeds on a sample of its pixels: `initial_palette`), and
    `assigner` does the runs' assignments (a photo's colour octree; `KMeansRun`).
    Raises ValueError when the data cannot be clustered or a k is larger than the data
    allow.
    """
    ks = sorted({int(k) for k in ks})
    if not ks:
        raise ValueError("Choose at least one k to try.")
    if model != "kmeans" and sample_weight is not None:
        raise ValueError("A Gaussian mixture takes no sample weights (a photo's colours).")
    data = X if isinstance(X, PreparedData) else prepare(
        X, sample_weight, merge_duplicates=False if assigner is not None else "auto")
    for k in ks:  # all up front: a k too large fails before any work is done
        data.check_n_clusters(k)
    points = data.original
    weights = None if sample_weight is None else data.weights_in
    rows = sample_rows(data.n_samples, sample_size, weights, random_state=random_state)
    scored = points if rows is None else points[rows]
    distances = None
    if with_scores and len(scored) ** 2 * 4 <= _DISTANCES_BYTES:  # the same for every k: once
        distances = _distances(scored)
    stop = cancelled or (lambda: False)

    def run_one(k: int) -> SweepRun | None:
        if model != "kmeans":
            return mixture_one(k)
        start = init if seeding is None else seeding(k, random_state)
        run = KMeansRun(data, k, init=start, random_state=random_state, max_iter=max_iter,
                        tol=tol, history_bytes=0, assigner=assigner)
        final = run.run(cancelled=stop)
        if stop():
            return None
        labels = final.labels if rows is None else final.labels[rows]
        judged = scores(scored, labels, distances) if with_scores else (np.nan,) * 3
        return SweepRun(k, final.inertia, *judged, final.n_iter, final.converged,
                        run.center_trail(0)[0], np.asarray(final.centers))

    def mixture_one(k: int) -> SweepRun | None:
        run = MixtureRun(points, k, covariance_type=model, init_params=init,
                         random_state=random_state, max_iter=max_iter, tol=tol)
        final = run.run(cancelled=stop)
        if stop():
            return None
        labels = final.labels if rows is None else final.labels[rows]
        judged = scores(scored, labels, distances) if with_scores else (np.nan,) * 3
        return SweepRun(k, float("nan"), *judged, final.n_iter, final.converged,
                        run.history[0].means, final.means, *run.information_criteria())

    # Largest k first: they take longest.
    runs = side_by_side(run_one, ks[::-1], stop, on_progress, "kmeans-sweep")
    if runs is None:
        return None
    runs = runs[::-1]
    n_points = data.n_samples if weights is None else int(round(float(weights.sum())))
    return Sweep(tuple(runs), len(scored), n_points, random_state, init, model)
