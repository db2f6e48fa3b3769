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
off the GUI thread with `warm_up`.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

MAX_FEATURES = 16

_lock = threading.Lock()
_kernels = None
_pool = None
_controller = None


def available() -> bool:
    """True when numba can be imported."""
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def blas_fuses_multiply_add() -> bool:
    """True when BLAS's dgemm (as scikit-learn calls it) accumulates with fused
    multiply-add, i.e. without rounding each product.

    The dot product of (1 + 2**-29, 1 + 2**-30) and (-1, 1 + 2**-30) is 2**-60 when
    products are fused into the sum and 0 when each product is rounded first.
    """
    from scipy.linalg import blas

    a, b = 1 + 2.0**-29, 1 + 2.0**-30
    X = np.array([[a, b]] * 8)
    C = np.array([[-1.0, b]] * 8)
    return bool(blas.dgemm(alpha=1.0, a=X, b=C, trans_b=True)[0, 0] != 0.0)


def _build():
    import numba

    # Match BLAS's rounding so that exact ties (common in images: pixels and initial
    # centres lie on the same 1/255 grid) are broken the way scikit-learn breaks them.
    fastmath = {"contract"} if blas_fuses_multiply_add() else False

    @numba.njit(cache=True, nogil=True, fastmath=fastmath)
    def assign_bounded(X, x_norms, C, cn, labels, upper, lower, grow, shrink,
                       nbr_order, nbr_dist, margin_coef, full):  # pragma: no cover
        n, d = X.shape
        k = C.shape[0]
        cn_max = cn.max()
        guess = 0
        for i in range(n):
            if not full:
                # Hamerly's bound maintenance for the last centre moves, done here so
                # the data are read once.
                upper[i] += grow[labels[i]]
                lower[i] -= shrink[labels[i]]
            margin = margin_coef * (x_norms[i] + cn_max)
            # In a full pass, start from the previous row's centre: merged rows are
            # sorted, so neighbours in memory are usually neighbours in space.
            a = guess if full else labels[i]
            m = 0.5 * nbr_dist[a, 0] if k > 1 else np.inf
            if not full:
                m = max(m, lower[i])
                u = upper[i]
                if (m - u) * (m + u) > margin:
                    continue
            s = 0.0
            for t in range(d):
                diff = X[i, t] - C[a, t]
                s += diff * diff
            u = np.sqrt(s + margin)
            upper[i] = u
            if not full and (m - u) * (m + u) > margin:
                continue
            # Scan the other centres by increasing distance from centre a.  An
            # unscanned centre j is at least D(a, j) - u from x (triangle inequality),
            # so once D(a, j) - u exceeds the second-smallest distance found (plus a
            # rounding margin) neither the nearest nor the second nearest can change:
            # the labels equal a full scan's and the lower bound is tight.
            slack = np.sqrt(margin)
            best = np.inf
            second = np.inf
            best_j = k
            j = a
            rank = 0
            reach = np.inf
            while True:
                dot = 0.0
                for t in range(d):
                    dot += X[i, t] * C[j, t]
                value = cn[j] - 2.0 * dot
                changed = True
                if value < best or (value == best and j < best_j):
                    second = best
                    best = value
                    best_j = j
                elif value < second:
                    second = value
                else:
                    changed = False
                if changed and second < np.inf:
                    reach = np.sqrt(max(second + x_norms[i], 0.0)) + u + slack
                if rank >= k - 1:
                    break
                if nbr_dist[a, rank] >= reach:
                    break
                j = nbr_order[a, rank]
                rank += 1
            labels[i] = best_j
            guess = best_j
            upper[i] = np.sqrt(max(best + x_norms[i], 0.0) + margin)
            lower[i] = np.sqrt(max(second + x_norms[i] - margin, 0.0))

    @numba.njit(cache=True, nogil=True)
    def add_cluster_sums(X, w, labels, weight, sums):  # pragma: no cover - compiled
        # Not contracted: each product is rounded, then added in sample order, which
        # is what np.bincount and scikit-learn's loop compute.
        n, d = X.shape
        for i in range(n):
            j = labels[i]
            weight[j] += w[i]
            for t in range(d):
                sums[j, t] += X[i, t] * w[i]

    @numba.njit(cache=True, nogil=True)
    def assign_full(X, Ct, cn, w, labels, best, weight, sums):  # pragma: no cover
        # Blocks of 256 rows, as scikit-learn's CHUNK_SIZE: np.dot calls the same
        # BLAS gemm scikit-learn calls (scipy's), and each block's rows are still in
        # cache when their sums are added.
        n = X.shape[0]
        k = Ct.shape[1]
        for start in range(0, n, 256):
            stop = min(start + 256, n)
            dots = np.dot(X[start:stop], Ct)
            for r in range(stop - start):
                # |c|^2 - 2 x.c in the data's precision (x.c + x.c doubles exactly).
                best_value = cn[0] - (dots[r, 0] + dots[r, 0])
                best_j = 0
                for j in range(1, k):
                    value = cn[j] - (dots[r, j] + dots[r, j])
                    if value < best_value:
                        best_value = value
                        best_j = j
                labels[start + r] = best_j
                best[start + r] = best_value
            add_cluster_sums(X[start:stop], w[start:stop], labels[start:stop],
                             weight, sums)

    @numba.njit(cache=True, nogil=True)
    def assign_bounded_and_sum(X, x_norms, C, cn, labels, upper, lower, grow, shrink,
                               nbr_order, nbr_dist, margin_coef, full, w, weight, sums):
        # pragma: no cover - compiled
        assign_bounded(X, x_norms, C, cn, labels, upper, lower, grow, shrink, nbr_order,
                       nbr_dist, margin_coef, full)
        add_cluster_sums(X, w, labels, weight, sums)

    @numba.njit(cache=True, nogil=True)
    def render_rgb(inverse, labels, palette, indices, rgb):  # pragma: no cover
        for p in range(inverse.shape[0]):
            label = labels[inverse[p]]
            indices[p] = label
            for c in range(3):
                rgb[p, c] = palette[label, c]

    return assign_bounded_and_sum, add_cluster_sums, assign_full, render_rgb


def _compiled_kernels():
    """The compiled kernels (compiled, or loaded from the cache, on first call)."""
    global _kernels
    with _lock:
        if _kernels is None:
            _kernels = _build()
    return _kernels


def _workers() -> ThreadPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(
                max_workers=_n_cores(), thread_name_prefix="kmeans-assign"
            )
    return _pool


def _n_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def assign(X, x_norms, C, cn, w, labels, upper, lower, grow, shrink, margin_coef, full):
    """Assign rows of X to their nearest centre in place, keeping Hamerly's bounds;
    return the weight and weighted sum of every cluster.

    The rows are split into one block per core; the kernel releases the GIL, so the
    blocks run in parallel on plain threads (no numba threading layer, which would not
    be safe to call from several threads at once).  Partial sums are added in block
    order.
    """
    kernel = _compiled_kernels()[0]
    shared = (grow, shrink, *neighbors(C), margin_coef, full)
    n, d = X.shape
    k = len(C)
    blocks = _n_cores() if n >= 20_000 else 1
    weights = np.zeros((blocks, k), dtype=X.dtype)
    sums = np.zeros((blocks, k, d), dtype=X.dtype)
    edges = np.linspace(0, n, blocks + 1).astype(int)
    jobs = [
        (X[a:b], x_norms[a:b], C, cn, labels[a:b], upper[a:b], lower[a:b], *shared,
         w[a:b], weights[i], sums[i])
        for i, (a, b) in enumerate(zip(edges[:-1], edges[1:]))
    ]
    if blocks == 1:
        kernel(*jobs[0])
        return weights[0], sums[0]
    for future in [_workers().submit(kernel, *job) for job in jobs]:
        future.result()
    return weights.sum(axis=0), sums.sum(axis=0)


def cluster_sums(X, w, labels, k):
    """Weight and weighted sum per cluster, in sample order (equal to np.bincount)."""
    weight = np.zeros(k, dtype=X.dtype)
    sums = np.zeros((k, X.shape[1]), dtype=X.dtype)
    _compiled_kernels()[1](X, w, labels, weight, sums)
    return weight, sums


def assign_full(X, C, w):
    """Nearest centre of every row, and the cluster weights and sums, in one pass.

    Returns labels, the minimised ``|c|^2 - 2 x.c`` per row, weights and sums.  Large
    inputs are split into one block of rows per core; blocks run on plain threads
    (the kernel releases the GIL) and their partial sums are added in block order.
    """
    kernel = _compiled_kernels()[2]
    n, d = X.shape
    k = len(C)
    Ct = np.ascontiguousarray(C.T)
    cn = np.einsum("ij,ij->i", C, C)
    labels = np.empty(n, dtype=np.intp)
    best = np.empty(n, dtype=X.dtype)
    if n * d * k < 2_000_000 or n < 1024:
        weight = np.zeros(k, dtype=X.dtype)
        sums = np.zeros((k, d), dtype=X.dtype)
        kernel(X, Ct, cn, w, labels, best, weight, sums)
        return labels, best, weight, sums
    blocks = _n_cores()
    edges = np.linspace(0, n, blocks + 1).astype(int)
    weights = np.zeros((blocks, k), dtype=X.dtype)
    sums = np.zeros((blocks, k, d), dtype=X.dtype)
    with single_threaded_blas():  # our threads already fill the cores
        futures = [
            _workers().submit(
                kernel, X[a:b], Ct, cn, w[a:b], labels[a:b], best[a:b], weights[i], sums[i]
            )
            for i, (a, b) in enumerate(zip(edges[:-1], edges[1:]))
        ]
        for future in futures:
            future.result()
    return labels, best, weights.sum(axis=0), sums.sum(axis=0)


def render(inverse: np.ndarray, labels: np.ndarray, palette: np.ndarray | None):
    """Per-pixel labels ``labels[inverse]`` and, with a palette, ``palette[labels]``
    as RGB, in one pass without the GIL."""
    if palette is None:
        return labels[inverse], None
    indices = np.empty(inverse.shape[0], dtype=labels.dtype)
    rgb = np.empty((inverse.shape[0], 3), dtype=np.uint8)
    _compiled_kernels()[3](inverse, labels, np.ascontiguousarray(palette, np.uint8), indices, rgb)
    return indices, rgb


def single_threaded_blas():
    """Context limiting BLAS to one thread (one cached threadpoolctl controller)."""
    global _controller
    with _lock:
        if _controller is None:
            from threadpoolctl import ThreadpoolController

            _controller = ThreadpoolController()
    return _controller.limit(limits=1, user_api="blas")


def warm_up() -> None:
    """Compile (or load) the kernel now; call from a worker thread."""
    if not available():
        return
    X = np.zeros((2, 2))
    labels = np.zeros(2, dtype=np.intp)
    bounds = np.zeros(2)
    assign(X, bounds, X.copy(), bounds, bounds, labels, bounds.copy(), bounds.copy(),
           bounds, bounds, 1e-12, True)
    cluster_sums(X, bounds, labels, 2)
    for dtype in (np.float64, np.float32):
        Xt = X.astype(dtype)
        assign_full(Xt, Xt, bounds.astype(dtype))
    render(np.zeros(2, np.int32), np.zeros(2, np.uint8), np.zeros((1, 3), np.uint8))


def neighbors(C: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each centre, the other centres by increasing distance, and the distances.

    Distances are shrunk by a relative 1e-9 so they never exceed the true ones (a
    smaller distance only makes the kernel look at more centres).
    """
    k = len(C)
    if k == 1:
        return np.zeros((1, 0), dtype=np.intp), np.zeros((1, 0))
    C = C.astype(np.float64)
    cn = np.einsum("ij,ij->i", C, C)
    dist = cn[:, None] + cn[None, :] - 2.0 * (C @ C.T)
    np.fill_diagonal(dist, np.inf)
    order = np.argsort(dist, axis=1)[:, : k - 1]
    sorted_dist = np.sqrt(np.maximum(np.take_along_axis(dist, order, axis=1), 0.0))
    sorted_dist *= 1 - 1e-9
    return order, sorted_dist
