"""The numba kernels themselves (imported lazily by `_compiled`, never at start-up).

They are module-level functions so numba's on-disk cache can find them again: kernels
defined inside a function (as closures) were compiled anew in every process.
"""

import numpy as np
from numba import njit

from kmeans_studio.core._compiled import blas_fuses_multiply_add

# Match BLAS's rounding so that exact ties (common in images: pixels and initial
# centres lie on the same 1/255 grid) are broken the way scikit-learn breaks them.
FASTMATH = {"contract"} if blas_fuses_multiply_add() else False


@njit(cache=True, nogil=True, fastmath=FASTMATH)
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


@njit(cache=True, nogil=True)
def add_cluster_sums(X, w, labels, weight, sums):  # pragma: no cover - compiled
    # Not contracted: each product is rounded, then added in sample order, which
    # is what np.bincount and scikit-learn's loop compute.
    n, d = X.shape
    for i in range(n):
        j = labels[i]
        weight[j] += w[i]
        for t in range(d):
            sums[j, t] += X[i, t] * w[i]


@njit(cache=True, nogil=True)
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


@njit(cache=True, nogil=True)
def assign_full_with_bounds(X, Ct, cn, x_norms, labels, upper, lower, margin_coef,
                            w, weight, sums):  # pragma: no cover - compiled
    # The first pass of a bounded run: distances by gemm in blocks of 256 rows as in
    # assign_full (three times the speed of a row-by-row scan on 10 features), keeping
    # the second nearest too, for Hamerly's bounds.
    n = X.shape[0]
    k = Ct.shape[1]
    cn_max = cn.max()
    for start in range(0, n, 256):
        stop = min(start + 256, n)
        dots = np.dot(X[start:stop], Ct)
        for r in range(stop - start):
            i = start + r
            best = np.inf
            second = np.inf
            best_j = 0
            for j in range(k):
                value = cn[j] - (dots[r, j] + dots[r, j])
                if value < best:
                    second = best
                    best = value
                    best_j = j
                elif value < second:
                    second = value
            margin = margin_coef * (x_norms[i] + cn_max)
            labels[i] = best_j
            upper[i] = np.sqrt(max(best + x_norms[i], 0.0) + margin)
            lower[i] = np.sqrt(max(second + x_norms[i] - margin, 0.0))
        add_cluster_sums(X[start:stop], w[start:stop], labels[start:stop],
                         weight, sums)


@njit(cache=True, nogil=True)
def assign_bounded_and_sum(X, x_norms, C, cn, labels, upper, lower, grow, shrink,
                           nbr_order, nbr_dist, margin_coef, full, w, weight, sums):
    # pragma: no cover - compiled
    assign_bounded(X, x_norms, C, cn, labels, upper, lower, grow, shrink, nbr_order,
                   nbr_dist, margin_coef, full)
    add_cluster_sums(X, w, labels, weight, sums)


@njit(cache=True, nogil=True)
def render_rgb(inverse, labels, palette, indices, rgb):  # pragma: no cover
    for p in range(inverse.shape[0]):
        label = labels[inverse[p]]
        indices[p] = label
        for c in range(3):
            rgb[p, c] = palette[label, c]
