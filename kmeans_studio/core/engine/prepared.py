"""Data made ready for k-means once, for the many runs of a sweep, a race or n_init.

Checking the data, centring them, merging duplicate rows, their squared norms, the
tolerance scale and the count of distinct rows cost as much as a whole run on small
wide data (the digits); `prepare` does them once and `KMeansRun` accepts the result
in place of the array.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from kmeans_studio.core.checks import (
    as_data_matrix,
    as_sample_weight,
    check_n_clusters,
    require_finite,
    require_squares_fit,
)
from kmeans_studio.core.engine import _compiled
from kmeans_studio.core.engine.parallel import in_row_blocks

#: Merging duplicate rows pays only for low-dimensional data with many rows.
_MERGE_MIN_ROWS = 10_000
_MERGE_MAX_FEATURES = 8
#: From this size, data are centred on every core and their mean taken in a compiled
#: loop; blocks of rows of about `_BLOCK_BYTES` each stay in a core's cache.
_PARALLEL_BYTES = 8 << 20
_BLOCK_BYTES = 1 << 20


@dataclasses.dataclass(eq=False)
class PreparedData:
    """Checked, centred (and possibly merged) data with what every run needs.

    Attributes
    ----------
    original : ndarray (n_samples, n_features)
        The data as given, checked (float32 or float64).
    weights_in : ndarray (n_samples,)
        The weight of every given sample (1 when none were given).
    mean : ndarray (n_features,)
        Unweighted mean of the data; the runs work on ``data - mean``.
    variance : float
        Mean of the per-feature variances (scikit-learn's tolerance scale).
    X, w : ndarray
        The rows the engine works on (distinct rows when duplicates were merged,
        centred) and their weights.
    inverse, counts : ndarray or None
        For merged data: the row of X of every sample, and how many samples each row
        of X stands for.
    x_norms : ndarray (len(X),)
        Squared norm of every row of X (float64).
    """

    original: np.ndarray
    weights_in: np.ndarray
    mean: np.ndarray
    variance: float
    X: np.ndarray
    w: np.ndarray
    inverse: np.ndarray | None
    counts: np.ndarray | None
    x_norms: np.ndarray
    total_weighted_norm: float
    _distinct_known: int = 0

    @property
    def n_samples(self) -> int:
        return self.original.shape[0]

    @property
    def n_features(self) -> int:
        return self.original.shape[1]

    @property
    def dtype(self) -> np.dtype:
        return self.original.dtype

    def check_n_clusters(self, n_clusters: Any) -> None:
        """Raise ValueError unless 1 <= k <= distinct samples with positive weight
        (counted once for all the k of a sweep, when they are few)."""
        if not isinstance(n_clusters, bool) and n_clusters == int(n_clusters) \
                and 1 <= int(n_clusters) <= self._distinct_known:
            return
        # Twice k: the next few k of a sweep need no count, and a single run does not
        # sort a thousand rows to count ten (0.16 ms on the digits, 7% of a run).
        self._distinct_known = check_n_clusters(n_clusters, self.original,
                                                self.weights_in, at_least=2 * int(n_clusters))


def prepare(X: Any, sample_weight: Any = None, merge_duplicates: str | bool = "auto"
            ) -> PreparedData:
    """Check and prepare data for `KMeansRun` (see its parameters); raise ValueError
    with a sentence for people when the data or weights cannot be used."""
    X = as_data_matrix(X, check_finite=False)
    n_samples, n_features = X.shape
    with np.errstate(over="ignore", invalid="ignore"):
        mean = _column_mean(X)  # also the finiteness check: NaN and inf reach it
    if not np.isfinite(mean).all():
        require_finite(X)  # raises, unless finite values overflowed the sum
        with np.errstate(over="ignore"):
            mean = X.mean(axis=0, dtype=np.float64).astype(X.dtype)
        if not np.isfinite(mean).all():
            require_squares_fit(np.inf, X)  # values whose sum overflows even float64
    weights_in = as_sample_weight(sample_weight, n_samples, X.dtype)
    weights = weights_in
    if merge_duplicates == "auto":
        merge_duplicates = (sample_weight is None and n_samples >= _MERGE_MIN_ROWS
                            and n_features <= _MERGE_MAX_FEATURES)
    inverse = counts = None
    if merge_duplicates:
        Xc = X - mean
        rows, row_of, row_counts = merge_duplicate_rows(Xc)
        if len(rows) < 0.9 * n_samples:
            if sample_weight is None:
                weights = row_counts.astype(X.dtype)
            else:
                weights = np.bincount(row_of, weights=weights).astype(X.dtype)
            Xc, inverse, counts = np.ascontiguousarray(rows), row_of, row_counts
        x_norms = np.einsum("ij,ij->i", Xc, Xc)
    else:
        Xc, x_norms = _centred_with_norms(X, mean)
    x_norms = x_norms.astype(np.float64, copy=False)
    # Mean of the per-feature variances, from the centred norms (one pass fewer than
    # np.var); merged rows count as often as they occur.
    total = x_norms.sum() if counts is None else x_norms @ counts
    require_squares_fit(total, X)  # NaN too: a mean that overflowed
    variance = float(total / (n_samples * n_features))
    return PreparedData(
        original=X, weights_in=weights_in, mean=mean, variance=variance, X=Xc, w=weights,
        inverse=inverse, counts=counts, x_norms=x_norms,
        total_weighted_norm=float(x_norms @ weights),
    )


def _column_mean(X: np.ndarray) -> np.ndarray:
    """``X.mean(axis=0)``, to the last bit (numpy adds the rows in order too), in a
    compiled loop for large data: a quarter of numpy's time on a million rows of 10
    columns (3 ms against 12)."""
    if X.nbytes < _PARALLEL_BYTES or not _compiled.available():
        return X.mean(axis=0)
    return _compiled.column_sums(X) / X.shape[0]


def _centred_with_norms(X: np.ndarray, mean: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``X - mean`` and the centred rows' squared norms in the data's precision (as
    scikit-learn's row_norms: einsum; asking it for float64 from float32 data took
    six times as long).

    Large data go in blocks of rows to every core (numpy lets go of the GIL), each
    block's norms taken while it is in cache; a row's values are the same as from
    one call on the whole array.  Centring 70,000 x 784 float32 values and their
    norms took 30 ms in one thread."""
    Xc = np.empty_like(X)
    norms = np.empty(X.shape[0], dtype=X.dtype)

    def block(start: int, stop: int) -> None:
        np.subtract(X[start:stop], mean, out=Xc[start:stop])
        np.einsum("ij,ij->i", Xc[start:stop], Xc[start:stop], out=norms[start:stop])

    if X.nbytes < _PARALLEL_BYTES:
        block(0, X.shape[0])
    else:
        in_row_blocks(block, X.shape[0], _BLOCK_BYTES // X[0].nbytes)
    return Xc, norms


def merge_duplicate_rows(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the distinct rows of `X`, the index of each row's distinct row, and counts.

    ``-0.0`` and ``0.0`` are treated as equal.  The distinct rows come out sorted
    lexicographically.
    """
    X = X + 0.0  # folds -0.0 into 0.0 so equal values compare equal
    order = np.lexsort(X.T[::-1])
    ordered = X[order]
    first = np.empty(len(X), dtype=bool)
    first[0] = True
    np.any(ordered[1:] != ordered[:-1], axis=1, out=first[1:])
    group = np.cumsum(first) - 1
    inverse = np.empty(len(X), dtype=np.intp)
    inverse[order] = group
    counts = np.bincount(group)
    return ordered[first], inverse, counts
