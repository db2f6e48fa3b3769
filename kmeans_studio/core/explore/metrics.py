"""Judging a clustering against known labels: matching clusters to classes, scores.

Clusters carry no names, so before "accuracy" means anything each cluster must be
matched to a class.  Two ways are offered:

* ``"hungarian"``: the one-to-one matching with the most agreeing samples
  (`scipy.optimize.linear_sum_assignment` on the contingency table).  When there are
  more clusters than classes, the clusters left over take their most common class.
* ``"mode"``: every cluster takes its most common class, as the "K-Means In-Depth"
  notebook does.  Two clusters may then take the same class (a *collision*), and the
  accuracy is never lower than the one-to-one matching's, because it is the best of
  all many-to-one matchings.

The scores are thin wrappers over `sklearn.metrics`; the silhouette is computed on a
fixed sample of at most 5,000 points, so it never needs O(n²) memory.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from kmeans_studio.core.engine import _compiled

MATCH_METHODS = {
    "hungarian": "One-to-one (Hungarian)",
    "mode": "Most common label (mode)",
}
#: Silhouette on at most this many samples (a fixed random subset).
SILHOUETTE_SAMPLE = 5000


@dataclasses.dataclass(frozen=True)
class Matching:
    """Which class each cluster stands for.

    Attributes
    ----------
    method : str
        "hungarian" or "mode".
    classes : ndarray
        The class labels, sorted (rows of `table`).
    table : ndarray of shape (n_classes, n_clusters)
        Samples of each true class in each cluster.
    cluster_class : ndarray of shape (n_clusters,)
        Index into `classes` of the class each cluster is matched to.
    """

    method: str
    classes: np.ndarray
    table: np.ndarray
    cluster_class: np.ndarray

    @property
    def n_samples(self) -> int:
        return int(self.table.sum())

    @property
    def accuracy(self) -> float:
        """Share of samples whose cluster is matched to their own class."""
        correct = self.table[self.cluster_class, np.arange(self.table.shape[1])].sum()
        return float(correct / max(1, self.n_samples))

    @property
    def collisions(self) -> dict:
        """{class label: [clusters]} for every class taken by two or more clusters."""
        taken: dict = {}
        for cluster, cls in enumerate(self.cluster_class):
            taken.setdefault(self.classes[cls].item(), []).append(cluster)
        return {label: clusters for label, clusters in taken.items() if len(clusters) > 1}

    @property
    def column_order(self) -> np.ndarray:
        """Clusters sorted by their matched class (then by cluster), for display."""
        return np.lexsort((np.arange(len(self.cluster_class)), self.cluster_class))

    def predict(self, labels: np.ndarray) -> np.ndarray:
        """The class label each sample's cluster is matched to."""
        return self.classes[self.cluster_class[np.asarray(labels)]]


def contingency(y_true: np.ndarray, labels: np.ndarray, n_clusters: int,
                classes: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(classes, table): samples of each class (rows) in each cluster (columns), with a
    column for every cluster 0..n_clusters-1, empty ones included."""
    y_true = np.asarray(y_true)
    labels = np.asarray(labels, dtype=np.intp)
    if y_true.shape != labels.shape:
        raise ValueError(f"{len(y_true)} true labels were given for {len(labels)} samples.")
    if classes is None:
        classes, rows = np.unique(y_true, return_inverse=True)
    else:
        rows = np.searchsorted(classes, y_true)
    table = np.bincount(rows * n_clusters + labels, minlength=len(classes) * n_clusters)
    return classes, table.reshape(len(classes), n_clusters)


def match_table(classes: np.ndarray, table: np.ndarray, method: str = "hungarian") -> Matching:
    """Match clusters (columns of `table`) to classes (rows) by `method`."""
    from scipy.optimize import linear_sum_assignment

    if method not in MATCH_METHODS:
        raise ValueError(f"Unknown matching {method!r}; choose one of {', '.join(MATCH_METHODS)}.")
    cluster_class = table.argmax(axis=0)  # mode: the most common class, first on ties
    if method == "hungarian":
        clusters, matched = linear_sum_assignment(table.T, maximize=True)
        cluster_class = cluster_class.copy()
        cluster_class[clusters] = matched
    cluster_class = cluster_class.astype(np.intp)
    cluster_class.setflags(write=False)
    return Matching(method, classes, table, cluster_class)


def match_labels(y_true, labels, method: str = "hungarian", n_clusters: int | None = None
                 ) -> Matching:
    """Match the clusters in `labels` to the classes in `y_true`.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        True class of each sample.
    labels : array-like of shape (n,)
        Cluster index (0..k-1) of each sample.
    method : {"hungarian", "mode"}
        One-to-one matching with the most agreeing samples, or each cluster's most
        common class.
    n_clusters : int, optional
        k, when some clusters may be empty (default: ``max(labels) + 1``).
    """
    labels = np.asarray(labels)
    k = int(labels.max()) + 1 if n_clusters is None else int(n_clusters)
    classes, table = contingency(y_true, labels, k)
    return match_table(classes, table, method)


def cluster_scores(X: np.ndarray, y_true: np.ndarray, labels: np.ndarray, *,
                   sample_size: int = SILHOUETTE_SAMPLE, random_state: int = 0) -> dict:
    """Scores of a clustering that need no matching, from `sklearn.metrics`.

    Returns ``{name: value}`` for ARI, AMI, NMI, homogeneity, completeness,
    V-measure and silhouette (NaN when it is undefined: fewer than two clusters, or
    as many clusters as samples).  The silhouette uses the same random subset of at
    most `sample_size` samples for every state, so its changes are the clustering's.
    """
    from sklearn import metrics

    h, c, v = metrics.homogeneity_completeness_v_measure(y_true, labels)
    scores = {
        "ARI": metrics.adjusted_rand_score(y_true, labels),
        "AMI": metrics.adjusted_mutual_info_score(y_true, labels),
        "NMI": metrics.normalized_mutual_info_score(y_true, labels),
        "Homogeneity": h,
        "Completeness": c,
        "V-measure": v,
    }
    rows = sample_rows(len(labels), sample_size, random_state=random_state)
    if rows is not None:
        X, labels = X[rows], np.asarray(labels)[rows]
    scores["Silhouette"] = silhouette(X, labels)
    return {name: float(value) for name, value in scores.items()}


def sample_rows(n: int, size: int = SILHOUETTE_SAMPLE, sample_weight=None, *,
                random_state: int = 0) -> np.ndarray | None:
    """A fixed random subset of at most `size` of n rows, or None for all of them.

    With weights (merged pixels and their counts), `size` rows are drawn with
    probability proportional to weight, with replacement: a sample of the pixels, not
    of the distinct colours.  The same seed gives the same rows for every clustering.
    """
    rng = np.random.RandomState(random_state)
    if sample_weight is not None:
        w = np.asarray(sample_weight, dtype=np.float64)
        if w.sum() <= size and np.array_equal(w, np.round(w)):  # few pixels: all of them
            return np.repeat(np.arange(n), w.astype(np.intp))
        return np.sort(rng.choice(n, size, replace=True, p=w / w.sum()))
    if n <= size:
        return None
    return np.sort(rng.choice(n, size, replace=False))


def silhouette(X: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette (`sklearn.metrics.silhouette_score`), NaN when undefined (fewer
    than two clusters, or as many clusters as samples)."""
    return float(np.mean(_silhouette_values(X, labels)))


def silhouette_from_distances(distances: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette from the points' pairwise distances, as
    ``silhouette_score(distances, labels, metric="precomputed")`` (its conventions: a
    lone point scores 0; NaN when undefined), the distances to each cluster added up
    in one compiled pass on every core: 8 ms instead of 90 for 5,000 points, which
    made most of a photo's sweep of k = 2-64."""
    _, labels, sizes = np.unique(labels, return_inverse=True, return_counts=True)
    n, k = len(labels), len(sizes)
    if not 2 <= k <= n - 1:
        return float("nan")
    if not _compiled.available():
        from sklearn import metrics

        return float(metrics.silhouette_score(distances, labels, metric="precomputed"))
    to_clusters = _compiled.distances_to_clusters(distances, labels, k)
    own = to_clusters[np.arange(n), labels]
    with np.errstate(divide="ignore", invalid="ignore"):
        within = own / (sizes - 1)[labels]  # NaN for a lone point
        to_clusters /= sizes
    to_clusters[np.arange(n), labels] = np.inf
    between = to_clusters.min(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        values = (between - within) / np.maximum(within, between)
    return float(np.mean(np.nan_to_num(values)))


def _silhouette_values(X: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """`sklearn.metrics.silhouette_samples`, all NaN when undefined; the distances
    are computed 64 MiB at a time."""
    import sklearn
    from sklearn import metrics

    n_labels = len(np.unique(labels))
    if not 2 <= n_labels <= len(labels) - 1:
        return np.full(len(labels), np.nan)
    with sklearn.config_context(working_memory=64):
        return metrics.silhouette_samples(X, labels)


@dataclasses.dataclass(frozen=True)
class Evaluation:
    """One state judged against the true labels, computed off the GUI thread: the
    clusters matched both ways (so switching the method costs nothing) and the scores,
    which do not depend on the matching."""

    matchings: dict
    scores: dict

    def matching(self, method: str) -> Matching:
        return self.matchings[method]

    @property
    def table(self) -> np.ndarray:
        """Samples of each class (rows) in each cluster (columns)."""
        return self.matchings["hungarian"].table


def evaluate(X: np.ndarray, y_true: np.ndarray, labels: np.ndarray, n_clusters: int
             ) -> Evaluation:
    """Both matchings and the scores of one state's labels."""
    classes, table = contingency(y_true, labels, n_clusters)
    matchings = {method: match_table(classes, table, method) for method in MATCH_METHODS}
    return Evaluation(matchings, cluster_scores(X, y_true, labels))


@dataclasses.dataclass(frozen=True)
class SilhouetteProfile:
    """Every sampled point's silhouette, for a silhouette plot.

    Attributes
    ----------
    values, labels : ndarray
        Silhouette and cluster of each point scored.
    mean : float
        Their mean (scikit-learn's `silhouette_score`); NaN when undefined.
    n_scored, n_points : int
        Points scored, and points in the data (pixels for merged colours).
    """

    values: np.ndarray
    labels: np.ndarray
    mean: float
    n_scored: int
    n_points: int

    @property
    def sampled(self) -> bool:
        return self.n_scored < self.n_points


def silhouette_profile(X: np.ndarray, labels: np.ndarray, sample_weight=None, *,
                       sample_size: int = SILHOUETTE_SAMPLE, random_state: int = 0
                       ) -> SilhouetteProfile:
    """`sklearn.metrics.silhouette_samples` on the same fixed sample as the scores
    (all points when there are at most `sample_size`)."""
    labels = np.asarray(labels)
    n_points = (len(labels) if sample_weight is None
                else int(round(float(np.sum(sample_weight)))))
    rows = sample_rows(len(labels), sample_size, sample_weight, random_state=random_state)
    if rows is not None:
        X, labels = X[rows], labels[rows]
    values = _silhouette_values(X, labels)
    return SilhouetteProfile(values, labels, float(np.mean(values)), len(labels), n_points)
