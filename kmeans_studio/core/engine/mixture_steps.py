"""A Gaussian mixture's EM driven as a k-means run is: the same controls, the same views.

The run controller steps, plays and seeks a `KMeansRun` through a few members
(`history`, `advance`, `done`, `center_trail`, `set_centers`, `assign`).  `MixtureSteps`
offers the same members over a `mixture.MixtureRun`, and its states are
`MixtureIteration`s: k-means `Iteration`s whose centres are the means, whose labels are
each point's most likely component and whose phases are "assign" (the E-step) and
"update" (the M-step), with the mixture's weights, covariances, responsibilities and
log-likelihood beside them.  No Qt.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np

from kmeans_studio.core.engine.history import History, Iteration
from kmeans_studio.core.engine.kmeans import nearest_centers
from kmeans_studio.core.engine.mixture import (
    INITS,
    MixtureRun,
    MixtureState,
    most_likely,
)

_PHASES = {"init": "init", "expectation": "assign", "maximization": "update"}


@dataclasses.dataclass(frozen=True)
class MixtureIteration(Iteration):
    """One state of a mixture's EM, readable as a k-means state (see the module).

    Attributes (besides `Iteration`'s; `inertia` is NaN: a mixture has none)
    ----------
    weights : (k,)
    covariances : as `MixtureState.covariances` for `covariance_type`
    resp : (n, k) or None
        Each point's responsibilities (None before the first E-step).
    log_likelihood : float
        Mean log-likelihood per point after the last E-step (NaN before it).
    covariance_type : str
    """

    weights: np.ndarray = None
    covariances: np.ndarray = None
    resp: np.ndarray | None = None
    log_likelihood: float = float("nan")
    covariance_type: str = "full"

    objective_name = "log-likelihood"

    @property
    def objective(self) -> float:
        return self.log_likelihood

    def mixture_state(self) -> MixtureState:
        """The state as `engine.mixture` takes it (for its ellipses and narration)."""
        return MixtureState(self.n_iter, {v: k for k, v in _PHASES.items()}[self.phase],
                            self.weights, self.means, self.covariances, self.resp,
                            self.log_likelihood, self.n_changed, self.converged)

    @property
    def means(self) -> np.ndarray:
        return self.centers


class MixtureSteps:
    """EM on `X` with the members the run controller uses on a `KMeansRun`.

    `init` is one of `mixture.INITS`, or the initial means (k, d) (placed by clicking).
    """

    def __init__(self, X: Any, n_components: int, *, covariance_type: str, init: Any,
                 random_state: Any = None, tol: float = 1e-3, max_iter: int = 100) -> None:
        self._X = X
        self._options = dict(covariance_type=covariance_type, random_state=random_state,
                             tol=tol, max_iter=max_iter)
        given = not isinstance(init, str)
        self._run = MixtureRun(X, len(init) if given else n_components,
                               init_params="kmeans" if given else init,
                               means_init=init if given else None, **self._options)
        self.n_clusters = self._run.n_components

    @property
    def covariance_type(self) -> str:
        return self._run.covariance_type

    @property
    def history(self) -> Sequence[MixtureIteration]:
        return History(lambda: len(self._run.history), self._iteration)

    @property
    def done(self) -> bool:
        return self._run.done

    @property
    def state(self) -> MixtureIteration:
        return self._iteration(len(self._run.history) - 1)

    def advance(self) -> MixtureIteration:
        """The next half-step (E or M); the final state once done."""
        self._run.step()
        return self.state

    def assign(self) -> MixtureIteration:
        """The E-step, when it comes next (after new means were placed)."""
        if self._run.state.phase != "expectation" and not self.done:
            self._run.step()
        return self.state

    def set_centers(self, centers: Any) -> MixtureIteration:
        """Start again from these means (the history restarts)."""
        centers = np.asarray(centers, dtype=np.float64)
        if centers.ndim != 2 or len(centers) < 1:
            raise ValueError("At least one mean is needed.")
        self._run = MixtureRun(self._X, len(centers), means_init=centers, **self._options)
        self.n_clusters = len(centers)
        return self.state

    def edit_centers(self, centers: Any, *, at: int | None = None) -> MixtureIteration:
        """Refused: a component is more than its mean (its weight and covariance would
        have to be made up mid-run); means placed by hand start a new run instead."""
        raise ValueError("A Gaussian mixture's means cannot be changed mid-run; choose "
                         "“Click to place” to start again from means you place.")

    def objectives(self) -> list[float]:
        """The log-likelihood of every state, without making them."""
        return [s.log_likelihood for s in self._run.history]

    def center_trail(self, index: int | None = None) -> np.ndarray:
        """Means at the start and after every M-step up to history `index`: (m, k, d)."""
        states = self._run.history[: (len(self._run.history) if index is None else index + 1)]
        return np.array([s.means for s in states if s.phase != "expectation"])

    def center_trails(self, index: int | None = None) -> list[tuple[int, np.ndarray]]:
        """One stretch: a mixture's means are never edited mid-run."""
        return [(0, self.center_trail(index))]

    def _iteration(self, index: int) -> MixtureIteration:
        state = self._run.history[index]
        resp = self._run.responsibilities(index)
        labels = None if resp is None else resp.argmax(axis=1).astype(
            np.uint8 if self.n_clusters <= 256 else np.int32)
        shift = np.zeros(self.n_clusters)
        if state.phase == "maximization":
            shift = np.linalg.norm(state.means - self._run.history[index - 1].means, axis=1)
        arrays = [state.means, labels, shift, state.weights, state.covariances, resp]
        for array in arrays:
            if array is not None:
                array.setflags(write=False)
        return MixtureIteration(
            state.n_iter, _PHASES[state.phase], state.means, labels, float("nan"), shift,
            state.n_changed, state.converged, weights=state.weights,
            covariances=state.covariances, resp=resp, log_likelihood=state.log_likelihood,
            covariance_type=self.covariance_type)


def replay(X: Any, run: dict, initial_means: np.ndarray) -> MixtureSteps:
    """The mixture run a session's `run` describes, from its start: its
    initialisation by name (its first covariances come from it), or, for means placed
    by hand, `initial_means`."""
    named = isinstance(run["init"], str) and run["init"] in INITS
    init = run["init"] if named else np.asarray(initial_means)
    return MixtureSteps(X, len(initial_means), covariance_type=run["model"], init=init,
                        random_state=run["random_state"], tol=run["tol"],
                        max_iter=run["max_iter"])


def owned_regions(state: Any, centers: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Which component owns each point of `grid`, as the views shade a state: a
    mixture's (`state` a `MixtureIteration`) most likely one, else the nearest of
    `centers` (numpy's own product: a tie may fall either way, which no one sees)."""
    if isinstance(state, MixtureIteration):
        return most_likely(state.mixture_state(), state.covariance_type, grid)
    return nearest_centers(grid, centers, for_display=True)
