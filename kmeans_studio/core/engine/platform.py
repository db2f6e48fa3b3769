"""Facts about the machine the engine runs on, and the thresholds the kernels and
their wrappers share: a leaf (numpy and the standard library only), so that the
numba kernels (`_kernels`), their wrappers (`_compiled`), the thread pools
(`parallel`) and the colour code can all read them without importing each other.

numba's on-disk cache checks only the file of the function it loads: after changing
a threshold here that a kernel reads (`FULL_PASS_BY_BLAS_MAX_K`), touch `_kernels.py`
or clear its cache (``__pycache__/*.nbi``) so the kernels are compiled again.
"""

from __future__ import annotations

import os

import numpy as np

#: Centres are scanned nearest-first only on rows of at most this many features.
MAX_FEATURES = 16
#: Scanning centres nearest-first pays from this many centres (see `_compiled.scans`).
SCAN_MIN_K = 48
#: A bounded run's first pass computes every distance by BLAS up to this many centres;
#: beyond, scanning centres nearest-first (and stopping early) does less work (china.jpg
#: at k = 256: 11 ms scanning, 28 ms by BLAS; 300,000 blobs at k = 64: 81 ms, 31 ms).
FULL_PASS_BY_BLAS_MAX_K = 64
#: Bounded passes over at least this many rows split them into one block per core.
PARALLEL_MIN_ROWS = 20_000
#: Unbounded passes split rows into blocks from this much work (rows x features x k).
PARALLEL_MIN_WORK = 2_000_000


def n_cores() -> int:
    """The cores this process may run on (its CPU affinity on Linux)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def blas_fuses_multiply_add() -> bool:
    """True when BLAS's dgemm (as scikit-learn calls it) accumulates with fused
    multiply-add, i.e. without rounding each product.

    The dot product of (1 + 2**-29, 1 + 2**-30) and (-1, 1 + 2**-30) is 2**-60 when
    products are fused into the sum and 0 when each product is rounded first.
    """
    from scipy.linalg import blas  # (scipy: only when a kernel or a test asks)

    a, b = 1 + 2.0**-29, 1 + 2.0**-30
    X = np.array([[a, b]] * 8)
    C = np.array([[-1.0, b]] * 8)
    return bool(blas.dgemm(alpha=1.0, a=X, b=C, trans_b=True)[0, 0] != 0.0)
