"""The ranges of the parameters people set, declared once: the pages' widgets take
their limits from here, and sessions are checked against the same numbers."""

from __future__ import annotations

#: Seeds of initialisations and of the toy data (what a QSpinBox and NumPy both take).
SEED_RANGE = (0, 2**31 - 1)

#: A run's whole-number parameters (k, starts, seed, iteration limit).
RUN_RANGES = {
    "n_clusters": (1, 256),
    "n_init": (1, 100),
    "random_state": SEED_RANGE,
    "max_iter": (1, 10_000),
}
#: The stopping tolerance, relative to the data's variance.
TOL_RANGE = (0.0, 1.0)

#: The toy data of the Blobs page.
BLOB_RANGES = {
    "n_samples": (2, 1_000_000),
    "n_centers": (1, 20),
    "cluster_std": (0.0, 10.0),
    "random_state": SEED_RANGE,
}


def next_seed(seed: int) -> int:
    """The seed after `seed` (Re-initialise, New data): back to 0 after the largest."""
    low, high = SEED_RANGE
    return low if seed >= high else seed + 1
