"""Weighted k-means++ seeding: scikit-learn's, step for step, without importing it.

Importing scikit-learn takes over a second, and the `compress` command and a page's
first run need only its seeding.  `kmeans_plusplus` is
`sklearn.cluster.kmeans_plusplus` on dense data (greedy, 2 + log k local trials): the
same random draws and the same arithmetic (distances as ``-2 a.x + |a|^2 + |x|^2``,
float32 data upcast in the same chunks), so a seed gives scikit-learn's centres; the
tests compare them on float64 and float32 data, with and without weights.
"""

from __future__ import annotations

import math

import numpy as np


def kmeans_plusplus(X: np.ndarray, n_clusters: int, *, random_state: np.random.RandomState,
                    sample_weight: np.ndarray | None = None,
                    x_squared_norms: np.ndarray | None = None
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Initial centres (n_clusters, d) drawn from the rows of checked X, and their row
    indices.  `sample_weight` and `x_squared_norms` are computed when not given."""
    n_samples = X.shape[0]
    weight = (np.ones(n_samples, dtype=X.dtype) if sample_weight is None
              else np.asarray(sample_weight, dtype=X.dtype))
    norms = (np.einsum("ij,ij->i", X, X) if x_squared_norms is None
             else np.asarray(x_squared_norms, dtype=X.dtype))
    n_local_trials = 2 + int(np.log(n_clusters))
    centers = np.empty((n_clusters, X.shape[1]), dtype=X.dtype)
    indices = np.full(n_clusters, -1, dtype=int)
    center_id = random_state.choice(n_samples, p=weight / weight.sum())
    centers[0], indices[0] = X[center_id], center_id
    closest = _squared_distances(centers[0, np.newaxis], X, norms)
    potential = closest @ weight
    for c in range(1, n_clusters):
        targets = random_state.uniform(size=n_local_trials) * potential
        candidates = np.searchsorted(np.cumsum(weight * closest), targets)
        np.clip(candidates, None, closest.size - 1, out=candidates)  # rounding
        distances = _squared_distances(X[candidates], X, norms)
        np.minimum(closest, distances, out=distances)
        potentials = distances @ weight.reshape(-1, 1)
        best = np.argmin(potentials)
        potential = potentials[best]
        closest = distances[best]
        centers[c], indices[c] = X[candidates[best]], candidates[best]
    return centers, indices


def _squared_distances(A: np.ndarray, X: np.ndarray, x_norms: np.ndarray) -> np.ndarray:
    """Squared distances from the rows of A to the rows of X, clipped at 0."""
    if X.dtype == np.float32:
        distances = _squared_distances_upcast(A, X)
    else:
        distances = -2 * (A @ X.T)
        distances += np.einsum("ij,ij->i", A, A)[:, None]
        distances += x_norms.astype(np.float64, copy=False)[None, :]
    np.maximum(distances, 0, out=distances)
    return distances


def _squared_distances_upcast(A: np.ndarray, X: np.ndarray) -> np.ndarray:
    """float32 rows made float64 in chunks that add about 10% (at least 10 MiB) to
    the memory, as scikit-learn's `_euclidean_distances_upcast`."""
    n_a, n_x, n_features = A.shape[0], X.shape[0], X.shape[1]
    distances = np.empty((n_a, n_x), dtype=np.float32)
    maxmem = max(((n_a + n_x) * n_features + n_a * n_x) / 10, 10 * 2**17)
    tmp = 2 * n_features
    batch = max(int((-tmp + math.sqrt(tmp**2 + 4 * maxmem)) / 2), 1)
    for a_rows in _batches(n_a, batch):
        A_chunk = A[a_rows].astype(np.float64)
        AA = np.einsum("ij,ij->i", A_chunk, A_chunk)[:, None]
        for x_rows in _batches(n_x, batch):
            X_chunk = X[x_rows].astype(np.float64)
            chunk = -2 * (A_chunk @ X_chunk.T)
            chunk += AA
            chunk += np.einsum("ij,ij->i", X_chunk, X_chunk)[None, :]
            distances[a_rows, x_rows] = chunk.astype(np.float32, copy=False)
    return distances


def _batches(n: int, size: int):
    """Slices of `size` rows covering range(n), the last one shorter."""
    for start in range(0, n, size):
        yield slice(start, min(start + size, n))
