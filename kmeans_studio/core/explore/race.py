"""Seeing local minima: the same k-means from many starts, and which minima they reach.

Every start is a run with its own seed (``random_state + i``) and the same settings;
its inertia after every assignment is kept, so the curves can be laid over each other.
Runs that end with the same centres (in any order, within a tolerance scaled to the
data's spread) reached the same minimum and form one group.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np

from kmeans_studio.core.engine.kmeans import KMeansRun
from kmeans_studio.core.engine.parallel import side_by_side
from kmeans_studio.core.engine.prepared import PreparedData, prepare

#: Centres closer than this share of the data's spread count as the same.
SAME_MINIMUM_TOL = 1e-3


@dataclasses.dataclass(frozen=True)
class RaceRun:
    """One start: its seed, the inertia after every assignment, where it ended, and the
    centres that replay it (`KMeansRun(X, k, init=initial_centers)`)."""

    seed: int
    inertia: np.ndarray
    n_iter: int
    converged: bool
    initial_centers: np.ndarray
    centers: np.ndarray

    @property
    def final_inertia(self) -> float:
        return float(self.inertia[-1])


@dataclasses.dataclass(frozen=True)
class Race:
    """The runs in the order of their seeds, and the minima they reached.

    `group[i]` is the minimum run i reached: 0 for the lowest inertia, 1 for the next,
    and so on.
    """

    runs: tuple[RaceRun, ...]
    group: np.ndarray
    init: str
    n_clusters: int

    @property
    def n_minima(self) -> int:
        return int(self.group.max()) + 1 if len(self.group) else 0

    @property
    def best(self) -> int:
        """Index of the run with the lowest final inertia (the first such)."""
        return int(np.argmin([run.final_inertia for run in self.runs]))

    def group_sizes(self) -> np.ndarray:
        return np.bincount(self.group, minlength=self.n_minima)


def same_centers(a: np.ndarray, b: np.ndarray, tol: float) -> bool:
    """True when the rows of a and b pair up, each pair within distance `tol`."""
    from scipy.optimize import linear_sum_assignment
    from scipy.spatial.distance import cdist

    if a.shape != b.shape:
        return False
    distance = cdist(a, b)
    rows, cols = linear_sum_assignment(distance)
    return bool(distance[rows, cols].max() <= tol)


def group_minima(centers: list[np.ndarray], inertia: np.ndarray, tol: float) -> np.ndarray:
    """Group runs whose final centres agree (up to order, within `tol`).

    Groups are numbered by their lowest inertia: group 0 holds the best run.
    """
    order = np.argsort(inertia, kind="stable")
    group = np.full(len(centers), -1)
    representatives: list[int] = []
    for i in order:
        for g, r in enumerate(representatives):
            if same_centers(centers[i], centers[r], tol):
                group[i] = g
                break
        else:
            group[i] = len(representatives)
            representatives.append(i)
    return group


def race(
    X: Any,
    n_clusters: int,
    n_runs: int = 10,
    *,
    sample_weight: Any = None,
    init: str = "k-means++",
    random_state: int = 0,
    max_iter: int = 300,
    tol: float = 1e-4,
    cancelled: Callable[[], bool] | None = None,
    on_progress: Callable[[int, int], Any] | None = None,
    seeding: Callable[[int, Any], np.ndarray] | None = None,
    assigner: Any = None,
) -> Race | None:
    """Run k-means `n_runs` times with seeds ``random_state``, ``random_state + 1``, …

    The runs go side by side, one per core.  `cancelled` is asked between half-steps
    (None is returned when it says True); `on_progress(done, total)` is told after
    every run.  `seeding(k, seed)` replaces k-means++ and `assigner` does the
    assignments, as in `sweep.sweep`.  Raises ValueError when the data cannot be
    clustered with this k.
    """
    if int(n_runs) != n_runs or n_runs < 1:
        raise ValueError(f"The number of runs must be a whole number ≥ 1, not {n_runs!r}.")
    data = X if isinstance(X, PreparedData) else prepare(
        X, sample_weight, merge_duplicates=False if assigner is not None else "auto")
    data.check_n_clusters(n_clusters)
    stop = cancelled or (lambda: False)

    def run_one(seed: int) -> RaceRun | None:
        start = seeding(n_clusters, seed) if seeding is not None and init == "k-means++" else init
        run = KMeansRun(data, n_clusters, init=start, random_state=seed,
                        max_iter=max_iter, tol=tol, history_bytes=0, assigner=assigner)
        run.run(cancelled=stop)
        if stop():
            return None
        final = run.state
        return RaceRun(seed, run.inertia_trail(), final.n_iter, final.converged,
                       run.center_trail(0)[0], np.asarray(final.centers))

    seeds = [int(random_state) + i for i in range(int(n_runs))]
    runs = side_by_side(run_one, seeds, stop, on_progress, "kmeans-race")
    if runs is None:
        return None
    spread = np.sqrt(data.variance * data.n_features)
    group = group_minima([r.centers for r in runs],
                         np.array([r.final_inertia for r in runs]),
                         SAME_MINIMUM_TOL * max(spread, np.finfo(float).tiny))
    return Race(tuple(runs), group, init, int(n_clusters))
