"""Compiled kernels for the engine's inner loop.

Why compiled: the benchmarks (benchmarks/bench_engine.py) showed numpy cannot reach
the targets.  On china.jpg (d = 3) a BLAS product wastes its time on memory traffic
and numpy needs six passes over an n x k block per assignment (about 1x scikit-learn's
in-fit iteration against a 3x target); on digits a step made of separate numpy passes
costs more than the 10x target allows.  These kernels fuse the work into one pass:

* `assign` (d <= 16, many rows): Hamerly's bounds skip rows whose nearest centre
  provably did not change; the others scan centres in order of distance from their
  current centre and stop as soon as no farther centre can matter (exact).
* `assign_full`: distances (one BLAS gemm per block of 256 rows, as scikit-learn),
  nearest centre and cluster sums while the block is in cache.

They compute what `kmeans._nearest` computes: ``|c|^2 - 2 x.c`` with each dot product
one multiply-add chain, fused exactly when BLAS fuses it, first minimum wins; tests
assert they equal the numpy path.  numba is imported lazily and the kernels are cached
on disk, so only the first use on a machine pays for compilation; the GUI warms them up
off the GUI thread with `kmeans.warm_up`.
"""

from __future__ import annotations

import os
import threading

import numpy as np

from kmeans_studio.core.engine.parallel import in_row_blocks, shared_pool
from kmeans_studio.core.engine.platform import (
    MAX_FEATURES,
    PARALLEL_MIN_ROWS,
    PARALLEL_MIN_WORK,
    SCAN_MIN_K,
    n_cores,
)

_lock = threading.Lock()
_kernels = None
_controller = None
_declined = False


def available() -> bool:
    """True when numba can be imported (and this process has not declined it)."""
    if _declined:
        return False
    try:
        from kmeans_studio.core.engine import jit  # noqa: F401 (numba, ready to cache)
    except ImportError:
        return False
    return True


def decline(declined: bool = True) -> None:
    """Use the numpy paths in this process (same results), or no longer: for a first
    run whose kernels would take longer to compile than the work takes without them."""
    global _declined
    _declined = declined


def cached(dispatchers) -> bool:
    """Whether each of `dispatchers` (numba kernels) has been compiled and cached on
    disk (a first run after installing has none).  Read from numba's cache index
    files; True when numba's internals do not say (then they load as before)."""
    for kernel in dispatchers:
        index = getattr(getattr(getattr(kernel, "_cache", None), "_cache_file", None),
                        "_index_path", None)
        if isinstance(index, str) and not os.path.exists(index):
            return False
    return True


def kernels():
    """The kernels module (imports numba; kernels compile or load on first call)."""
    global _kernels
    with _lock:
        if _kernels is None:
            # (numba: imported only now, never at start-up)
            from kmeans_studio.core.engine import _kernels as module

            _kernels = module
    return _kernels


def single_block(n: int, d: int, k: int, bounded: bool) -> bool:
    """Whether a pass over n rows of d features with k centres runs as one block on
    one core (its cluster sums then add up in sample order, as in `lloyd`)."""
    if bounded:
        return n < PARALLEL_MIN_ROWS
    return n * d * k < PARALLEL_MIN_WORK or n < 1024


def scans(X: np.ndarray, k: int) -> bool:
    """Whether a bounded run on X with k centres scans centres row by row, nearest
    first (float64, few features, many centres), or settles the rows Hamerly's test
    leaves by BLAS (`assign_filtered`).

    Whole runs, scan against BLAS: 300,000 2-D blobs at k = 8, 43 ms against 29, at
    k = 64, 113 ms against 141; china.jpg's pixels at k = 32, 50 ms against 37, at
    k = 128, 75 ms against 145; a million rows of 10 columns at k = 8, 77 ms
    against 61."""
    return X.dtype == np.float64 and X.shape[1] <= MAX_FEATURES and k >= SCAN_MIN_K


def margin_coefficient(X: np.ndarray) -> float:
    """Error bound of a computed ``|c|^2 - 2 x.c``, relative to ``|x|^2 + max |c|^2``.

    A dot product of d terms is off by at most about d eps |x||c| in any summation
    order (BLAS's blocks included); twice that, plus the norms' own rounding and the
    float64 bookkeeping of the bounds across iterations, stays below this."""
    eps = float(np.finfo(X.dtype).eps)
    return 2 * (X.shape[1] + 8) * eps + 1e-10


def assign(X, x_norms, C, cn, w, labels, upper, lower, grow, shrink, margin_coef, full):
    """Assign rows of X to their nearest centre in place, keeping Hamerly's bounds;
    return the weight and weighted sum of every cluster.

    The rows are split into one block per core; the kernel releases the GIL, so the
    blocks run in parallel on plain threads (no numba threading layer, which would not
    be safe to call from several threads at once).  Partial sums are added in block
    order.
    """
    n, d = X.shape
    k = len(C)
    blocks = 1 if single_block(n, d, k, True) else n_cores()
    weights = np.zeros((blocks, k), dtype=X.dtype)
    sums = np.zeros((blocks, k, d), dtype=X.dtype)
    edges = np.linspace(0, n, blocks + 1).astype(int)
    parts = [(a, b, weights[i], sums[i])
             for i, (a, b) in enumerate(zip(edges[:-1], edges[1:]))]
    kernel = kernels().assign_bounded_pass
    shared = (C, np.ascontiguousarray(C.T), cn)
    nearest = (grow, shrink, *neighbors(C), margin_coef, full, scans(X, k))
    jobs = [(X[a:b], x_norms[a:b], *shared, labels[a:b], upper[a:b], lower[a:b],
             *nearest, w[a:b], weight, sum_) for a, b, weight, sum_ in parts]
    if blocks == 1:
        kernel(*jobs[0])
        return weights[0], sums[0]
    with single_threaded_blas():
        for future in [shared_pool().submit(kernel, *job) for job in jobs]:
            future.result()
    return weights.sum(axis=0), sums.sum(axis=0)


def assign_full(X, C, w):
    """Nearest centre of every row, and the cluster weights and sums, in one pass.

    Returns labels, the minimised ``|c|^2 - 2 x.c`` per row, weights and sums.  Large
    inputs are split into one block of rows per core; blocks run on plain threads
    (the kernel releases the GIL) and their partial sums are added in block order.
    """
    kernel = kernels().assign_full
    n, d = X.shape
    k = len(C)
    Ct = np.ascontiguousarray(C.T)
    cn = np.einsum("ij,ij->i", C, C)
    labels = np.empty(n, dtype=np.intp)
    best = np.empty(n, dtype=X.dtype)
    if single_block(n, d, k, False):
        weight = np.zeros(k, dtype=X.dtype)
        sums = np.zeros((k, d), dtype=X.dtype)
        kernel(X, Ct, cn, w, labels, best, weight, sums)
        return labels, best, weight, sums
    blocks = n_cores()
    edges = np.linspace(0, n, blocks + 1).astype(int)
    weights = np.zeros((blocks, k), dtype=X.dtype)
    sums = np.zeros((blocks, k, d), dtype=X.dtype)
    with single_threaded_blas():  # our threads already fill the cores
        futures = [
            shared_pool().submit(
                kernel, X[a:b], Ct, cn, w[a:b], labels[a:b], best[a:b], weights[i], sums[i]
            )
            for i, (a, b) in enumerate(zip(edges[:-1], edges[1:]))
        ]
        for future in futures:
            future.result()
    return labels, best, weights.sum(axis=0), sums.sum(axis=0)


def column_sums(X: np.ndarray) -> np.ndarray:
    """The sum of every column, the rows added in order (as numpy's ``sum(axis=0)``)."""
    sums = np.zeros(X.shape[1], dtype=X.dtype)
    kernels().column_sums(X, sums)
    return sums


def distances_to_clusters(distances: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """For every point, its summed distance to the points of each of k clusters
    (float64), rows in blocks on every core."""
    out = np.zeros((len(labels), k))
    kernel = kernels().distances_to_clusters
    in_row_blocks(lambda a, b: kernel(distances, labels, a, b, out), len(labels), 256)
    return out


def single_threaded_blas():
    """Context limiting BLAS to one thread (one cached threadpoolctl controller)."""
    global _controller
    with _lock:
        if _controller is None:
            from threadpoolctl import ThreadpoolController

            _controller = ThreadpoolController()
    return _controller.limit(limits=1, user_api="blas")


def neighbors(C: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each centre, the other centres by increasing distance, and the distances.

    Distances are shrunk by a relative 1e-9 so they never exceed the true ones (a
    smaller distance only makes the kernel look at more centres).
    """
    k = len(C)
    order = np.zeros((k, max(k - 1, 0)), dtype=np.intp)
    dist = np.zeros((k, max(k - 1, 0)))
    kernels().neighbors(np.ascontiguousarray(C), order, dist)
    return order, dist


def center_shift(C_new: np.ndarray, C_old: np.ndarray) -> tuple[np.ndarray, float]:
    """How far each centre moved (float64) and the sum of the squared moves."""
    shift = np.empty(len(C_new))
    total = kernels().center_shift(C_new, C_old, shift)
    return shift, total


def move_bounds(shift: np.ndarray, grow: np.ndarray, shrink: np.ndarray) -> None:
    """Hamerly's bound changes for centres that moved by `shift` (in place)."""
    kernels().move_bounds(shift, grow, shrink)


