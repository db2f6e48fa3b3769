"""The numba kernels themselves (imported lazily by `_compiled`, never at start-up).

They are module-level functions so numba's on-disk cache can find them again: kernels
defined inside a function (as closures) were compiled anew in every process.  They
live in one file because numba's cache checks only the file of the function it
loads: a whole-run loop cached from another file kept running the kernels it was
compiled with after they had changed.

`lloyd`, the whole-run loop, runs Lloyd iterations to convergence in one call.  On
small data (the digits: 1797 rows, 19 iterations) an iteration's arithmetic takes
about 50 µs, and the Python around each half-step (checks, small numpy calls,
history records) took as long again.  It runs whole iterations (assignment, centre
update, shifts, bounds, convergence test) and logs every half-step for the history;
`KMeansRun.run` makes the records from the log afterwards.  It calls the very
kernels the half-step path calls, in the same order, so the states are equal.  The
centres' squared norms come from numpy's einsum in a brief object-mode block, as the
half-step path and scikit-learn's ``row_norms`` compute them: their rounding decides
exact ties.
"""

import warnings

import numpy as np

from kmeans_studio.core.engine.jit import NumbaWarning, njit, objmode
from kmeans_studio.core.engine.platform import (
    FULL_PASS_BY_BLAS_MAX_K,
    blas_fuses_multiply_add,
)

# The object-mode block takes the GIL for the einsum only (about 2 µs an iteration);
# numba warns that such a function cannot run in parallel, which is not so here.
warnings.filterwarnings("ignore", message=".*Code running in object mode won't allow",
                        category=NumbaWarning)

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
def _settle(dots, rows, cn, x_norms, labels, upper, lower, margin_coef):
    # pragma: no cover - compiled
    # Labels and Hamerly's bounds of `rows` from their gemm dot products with every
    # centre (row r of dots for rows[r]), keeping the second nearest.  Without
    # branches (the minimum and second minimum by min and max): on random data the
    # branches' mispredictions made this 2.4 times slower than the labels alone.
    k = dots.shape[1]
    cn_max = cn.max()
    for r in range(len(rows)):
        i = rows[r]
        best = np.inf
        second = np.inf
        best_j = 0
        for j in range(k):
            value = cn[j] - (dots[r, j] + dots[r, j])
            second = min(second, max(best, value))
            best_j = j if value < best else best_j  # the first minimum wins
            best = min(best, value)
        margin = margin_coef * (x_norms[i] + cn_max)
        labels[i] = best_j
        upper[i] = np.sqrt(max(best + x_norms[i], 0.0) + margin)
        lower[i] = np.sqrt(max(second + x_norms[i] - margin, 0.0))


@njit(cache=True, nogil=True)
def assign_full_with_bounds(X, Ct, cn, x_norms, labels, upper, lower, margin_coef,
                            w, weight, sums):  # pragma: no cover - compiled
    # The first pass of a bounded run: distances by gemm in blocks of 256 rows as in
    # assign_full (three times the speed of a row-by-row scan on 10 features), keeping
    # the second nearest too, for Hamerly's bounds.
    n = X.shape[0]
    rows = np.empty(256, dtype=np.intp)
    for start in range(0, n, 256):
        stop = min(start + 256, n)
        for r in range(stop - start):
            rows[r] = start + r
        _settle(np.dot(X[start:stop], Ct), rows[:stop - start], cn, x_norms, labels,
                upper, lower, margin_coef)
        add_cluster_sums(X[start:stop], w[start:stop], labels[start:stop],
                         weight, sums)


@njit(cache=True, nogil=True)
def assign_filtered(X, x_norms, Ct, cn, labels, upper, lower, grow, shrink, half_gap,
                    margin_coef, w, weight, sums):  # pragma: no cover - compiled
    # Hamerly's test on every row, then BLAS for the rows it cannot settle.  On wide
    # data (the digits' 64 columns) a row-by-row scan is slower than gemm, but after
    # the first iterations 60-99% of the digits' rows pass the test and need no
    # distance at all.  The rows left are gathered into blocks of 256; when they are
    # most rows, a full pass costs less (gathering a 784-column set would cost as
    # much as its distances).  A row's distances are the values a full pass computes
    # (each is its own dot product), so the labels are the full pass's; the sums are
    # added afterwards in sample order, so the centres are too.  (Measured and not
    # kept: tightening a row's bound by its distance to its own centre before
    # gathering it, 20% slower on the digits; adding the sums in the same pass, 3%
    # quicker but in an order that depends on the bounds.)
    n, d = X.shape
    cn_max = cn.max()
    left = np.empty(n, dtype=np.intp)
    count = 0
    for i in range(n):
        a = labels[i]
        u = upper[i] + grow[a]
        low = lower[i] - shrink[a]
        upper[i] = u
        lower[i] = low
        m = max(low, half_gap[a])
        if (m - u) * (m + u) <= margin_coef * (x_norms[i] + cn_max):
            left[count] = i
            count += 1
    if 2 * count > n:
        assign_full_with_bounds(X, Ct, cn, x_norms, labels, upper, lower, margin_coef,
                                w, weight, sums)
        return
    block = np.empty((min(count, 256), d), dtype=X.dtype)
    for start in range(0, count, 256):
        stop = min(start + 256, count)
        for r in range(start, stop):
            block[r - start] = X[left[r]]
        _settle(np.dot(block[:stop - start], Ct), left[start:stop], cn, x_norms,
                labels, upper, lower, margin_coef)
    add_cluster_sums(X, w, labels, weight, sums)


@njit(cache=True, nogil=True)
def assign_bounded_pass(X, x_norms, C, Ct, cn, labels, upper, lower, grow, shrink, order,
                        dist, margin_coef, full, scans, w, weight, sums):
    # pragma: no cover - compiled
    # The bounded pass a run's data call for (`_compiled.scans`): the first by BLAS
    # (few centres, or not scanning); then Hamerly's test and BLAS for the rows it
    # leaves, or the nearest-first scan.  Both the half-step path and `lloyd` call
    # this, so they choose alike.
    k = C.shape[0]
    if full and (k <= FULL_PASS_BY_BLAS_MAX_K or not scans):
        assign_full_with_bounds(X, Ct, cn, x_norms, labels, upper, lower, margin_coef,
                                w, weight, sums)
    elif not scans:
        assign_filtered(X, x_norms, Ct, cn, labels, upper, lower, grow, shrink,
                        0.5 * dist[:, 0], margin_coef, w, weight, sums)
    else:
        assign_bounded(X, x_norms, C, cn, labels, upper, lower, grow, shrink, order,
                       dist, margin_coef, full)
        add_cluster_sums(X, w, labels, weight, sums)


@njit(cache=True, nogil=True)
def neighbors(C, order, dist):  # pragma: no cover - compiled
    # For each centre, the others by increasing distance and the distances, from the
    # differences (no cancellation), shrunk by a relative 1e-9 so they never exceed
    # the true ones: a smaller distance only makes the kernels look at more centres.
    k, d = C.shape
    row = np.empty(k)
    for a in range(k):
        for j in range(k):
            s = 0.0
            for t in range(d):
                diff = np.float64(C[a, t]) - np.float64(C[j, t])
                s += diff * diff
            row[j] = np.sqrt(s) * (1 - 1e-9) if j != a else np.inf
        ranked = np.argsort(row, kind="mergesort")
        for r in range(k - 1):
            order[a, r] = ranked[r]
            dist[a, r] = row[ranked[r]]


@njit(cache=True, nogil=True)
def center_shift(C_new, C_old, shift):  # pragma: no cover - compiled
    # How far each centre moved (in the data's precision, then float64) and the sum of
    # the squared moves, which the tolerance is compared with.
    k, d = C_new.shape
    total = 0.0
    for j in range(k):
        s = C_new[j, 0] - C_new[j, 0]  # zero in the data's precision
        for t in range(d):
            diff = C_new[j, t] - C_old[j, t]
            s += diff * diff
        shift[j] = np.float64(np.sqrt(s))
        total += shift[j] * shift[j]
    return total


@njit(cache=True, nogil=True)
def move_bounds(shift, grow, shrink):  # pragma: no cover - compiled
    # Hamerly: a row's own centre moved by shift[a]; any other by at most the largest
    # shift among the others.  Applied in the next assignment's pass over the data.
    k = len(shift)
    if k < 2:
        return
    top = np.argmax(shift)
    others = -np.inf
    for j in range(k):
        if j != top:
            others = max(others, shift[j])
    for j in range(k):
        grow[j] += shift[j]
        shrink[j] += others if j == top else shift[top]


@njit(cache=True, nogil=True)
def column_sums(X, sums):  # pragma: no cover - compiled
    for i in range(X.shape[0]):
        for t in range(X.shape[1]):
            sums[t] += X[i, t]


@njit(cache=True, nogil=True)
def distances_to_clusters(distances, labels, start, stop, out):  # pragma: no cover
    for i in range(start, stop):
        row = out[i]
        for j in range(distances.shape[1]):
            row[labels[j]] += distances[i, j]


#: Fields of the `state` array shared with Python.
N_ITER, FINAL_PENDING, DONE, LABELLED, FULL = range(5)


@njit(cache=True, nogil=True)
def lloyd(X, x_norms, w, counts, C, labels, upper, lower, grow, shrink, bounded, scans,
          margin_coef, tol, max_iter, n_samples, last_converged, state,
          centers_log, weight_log, sums_log, shift_log, n_changed_log, converged_log,
          iter_log, label_log):  # pragma: no cover - compiled
    """Half-steps from an assignment on, until the run is done, a cluster is empty
    (the half-step path relocates it) or the log is full (it may end after an
    assignment); returns how many.

    Half-step h's centres are ``centers_log[h]``; assignment a (every other half-step)
    has its labels, weights and sums at index a.  C, labels and the bounds are the
    run's own arrays, updated in place."""
    n, d = X.shape
    k = C.shape[0]
    capacity = centers_log.shape[0]
    old = np.empty(n, dtype=labels.dtype)
    best = np.empty(n, dtype=X.dtype)
    order = np.zeros((k, max(k - 1, 0)), dtype=np.intp)
    dist = np.zeros((k, max(k - 1, 0)))
    h = 0
    a = 0
    while h < capacity:
        # --- assignment
        with objmode(cn="float64[:]"):
            cn = np.einsum("ij,ij->i", C, C).astype(np.float64)
        cn = cn.astype(X.dtype)
        old[:] = labels
        weight = weight_log[a]
        sums = sums_log[a]
        weight[:] = 0
        sums[:] = 0
        full = state[FULL] == 1
        Ct = np.ascontiguousarray(C.T)
        if bounded:
            neighbors(C, order, dist)
            assign_bounded_pass(X, x_norms, C, Ct, cn, labels, upper, lower, grow,
                                shrink, order, dist, margin_coef, full, scans, w, weight,
                                sums)
        else:
            assign_full(X, Ct, cn, w, labels, best, weight, sums)
        grow[:] = 0
        shrink[:] = 0
        state[FULL] = 0
        if state[LABELLED]:
            n_changed = 0
            for i in range(n):
                if labels[i] != old[i]:
                    n_changed += counts[i] if len(counts) else 1
        else:
            n_changed = n_samples
        state[LABELLED] = 1
        label_log[a] = labels
        centers_log[h] = C
        shift_log[h] = 0
        n_changed_log[h] = n_changed
        final = state[FINAL_PENDING] == 1
        if not final:
            state[N_ITER] += 1
        converged_log[h] = last_converged if final else False
        iter_log[h] = state[N_ITER]
        h += 1
        a += 1
        if final:
            state[DONE] = 1
            return h
        # --- update
        if h == capacity:
            return h
        if (weight == 0).any():
            return h
        one = weight[:1] / weight[:1]  # 1 in the data's precision
        C_old = C.copy()
        for j in range(k):
            scale = one[0] / weight[j]
            for t in range(d):
                C[j, t] = sums[j, t] * scale
        shift = shift_log[h]
        total = center_shift(C, C_old, shift)
        if bounded:
            move_bounds(shift, grow, shrink)
        strict = state[N_ITER] > 1 and n_changed == 0
        within_tol = total <= tol
        centers_log[h] = C
        n_changed_log[h] = 0
        converged_log[h] = strict or within_tol
        iter_log[h] = state[N_ITER]
        last_converged = strict or within_tol
        h += 1
        if strict:
            state[DONE] = 1
            return h
        if within_tol or state[N_ITER] >= max_iter:
            state[FINAL_PENDING] = 1
    return h
