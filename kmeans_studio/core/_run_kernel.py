"""The whole-run loop: Lloyd iterations to convergence in one compiled call.

On small data (the digits: 1797 rows, 19 iterations) an iteration's arithmetic takes
about 50 µs, and the Python around each half-step (checks, small numpy calls, history
records) took as long again.  `lloyd` runs whole iterations (assignment, centre
update, shifts, bounds, convergence test) and logs every half-step for the history;
`KMeansRun.run` makes the records from the log afterwards.  It calls the very kernels
and helpers the half-step path calls, in the same order, so the states are equal.

The centres' squared norms come from numpy's einsum in a brief object-mode block, as
the half-step path and scikit-learn's ``row_norms`` compute them: their rounding
decides exact ties.
"""

import warnings

import numpy as np
from numba import njit, objmode
from numba.core.errors import NumbaWarning

from kmeans_studio.core import _kernels as kernels
from kmeans_studio.core._compiled import FULL_PASS_BY_BLAS_MAX_K

# The object-mode block takes the GIL for the einsum only (about 2 µs an iteration);
# numba warns that such a function cannot run in parallel, which is not so here.
warnings.filterwarnings("ignore", message=".*Code running in object mode won.t allow",
                        category=NumbaWarning)

#: Fields of the `state` array shared with Python.
N_ITER, FINAL_PENDING, DONE, LABELLED, FULL, STOPPED_AT_EMPTY = range(6)


@njit(cache=True, nogil=True)
def lloyd(X, x_norms, w, counts, C, labels, upper, lower, grow, shrink, bounded, scans,
          margin_coef, tol, max_iter, n_samples, last_converged, state,
          centers_log, weight_log, sums_log, shift_log, n_changed_log, converged_log,
          iter_log, label_log):  # pragma: no cover - compiled
    """Half-steps from an assignment on, until the run is done, a cluster is empty
    (the half-step path relocates it) or the log is full; returns how many.

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
    while h + 2 <= capacity or (state[FINAL_PENDING] and h < capacity):
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
        if not bounded:
            kernels.assign_full(X, np.ascontiguousarray(C.T), cn, w, labels, best,
                                weight, sums)
        elif full and (k <= FULL_PASS_BY_BLAS_MAX_K or not scans):
            kernels.assign_full_with_bounds(X, np.ascontiguousarray(C.T), cn, x_norms,
                                            labels, upper, lower, margin_coef, w,
                                            weight, sums)
        elif not scans:
            kernels.neighbors(C, order, dist)
            kernels.assign_filtered(X, x_norms, C, np.ascontiguousarray(C.T), cn, labels,
                                    upper, lower, grow, shrink, 0.5 * dist[:, 0],
                                    margin_coef, w, weight, sums)
        else:
            kernels.neighbors(C, order, dist)
            kernels.assign_bounded_and_sum(X, x_norms, C, cn, labels, upper, lower,
                                           grow, shrink, order, dist, margin_coef,
                                           full, w, weight, sums)
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
        if (weight == 0).any():
            state[STOPPED_AT_EMPTY] = 1
            return h
        one = weight[:1] / weight[:1]  # 1 in the data's precision
        C_old = C.copy()
        for j in range(k):
            scale = one[0] / weight[j]
            for t in range(d):
                C[j, t] = sums[j, t] * scale
        shift = shift_log[h]
        total = kernels.center_shift(C, C_old, shift)
        if bounded:
            kernels.move_bounds(shift, grow, shrink)
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
