"""A run's states: `Iteration` (one frozen state of a k-means run) and `History` (the
read-only sequence of a run's states, each made when asked for), which the engine's
runs (`kmeans.KMeansRun`, `mixture_steps.MixtureSteps`) and the views share."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np


@dataclasses.dataclass(frozen=True)
class Iteration:
    """One state of a k-means run; all arrays are read-only copies.

    Attributes
    ----------
    n_iter : int
        Lloyd iterations begun so far (0 before the first assignment).
    phase : {"init", "assign", "update", "edit"}
        The half-step that produced this state ("edit": centres added, removed or
        moved mid-run, `KMeansRun.edit_centers`; no labels, as "init").
    centers : ndarray of shape (k, d)
        Cluster centres.
    labels : ndarray of shape (n,) or None
        Index of the nearest centre of each sample (uint8 for k <= 256, uint16 for
        k <= 65536, else int32); ``None`` before the first assignment (and after an
        edit, until the next).
    inertia : float
        Weighted sum of squared distances from each sample to the centre of its label;
        NaN before the first assignment.
    center_shift : ndarray of shape (k,)
        How far each centre moved in this update (zeros for other phases).
    n_changed : int
        Samples whose label changed in this assignment (0 for other phases).
    converged : bool
        The run has stopped by convergence (no label changed, or the centre shift fell
        within the tolerance).
    """

    n_iter: int
    phase: str
    centers: np.ndarray
    labels: np.ndarray | None
    inertia: float
    center_shift: np.ndarray
    n_changed: int
    converged: bool

    #: What the run's curve plots (`objective`), in words.
    objective_name = "inertia"

    @property
    def objective(self) -> float:
        """The number the run improves: the inertia (a mixture: its log-likelihood)."""
        return self.inertia

    @property
    def n_clusters(self) -> int:
        """Number of centres."""
        return self.centers.shape[0]


class History(Sequence):
    """Read-only sequence of a run's states, oldest first, each made when asked for:
    `length()` states, state i being `make(i)`."""

    def __init__(self, length: Callable[[], int], make: Callable[[int], Any]) -> None:
        self._length, self._make = length, make

    def __len__(self) -> int:
        return self._length()

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        n = len(self)
        if not -n <= index < n:
            raise IndexError("history index out of range")
        return self._make(index % n)
