"""What a stepped run provides: the interface the run controller and the views use.

`kmeans.KMeansRun` (Lloyd's k-means) and `mixture_steps.MixtureSteps` (a Gaussian
mixture's EM) both provide it; so does any model added to `models.MODELS`.  A run
keeps a history of states (`history.Iteration`: centres, labels, objective), moves
forward a half-step at a time (assign, then update), restarts from centres placed by
hand, may have its centres edited mid-run (a state of its own in the history, or
refused in a sentence), and gives the trail of its centres for the views and
sessions.  No Qt.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np

from kmeans_studio.core.engine.history import Iteration


@runtime_checkable
class SteppedRun(Protocol):
    """A clustering run stepped a half-step at a time.

    Attributes
    ----------
    n_clusters : int
        Clusters (a mixture's components) of the run as it is now.
    history : sequence of Iteration
        Every state so far: the initial centres, then assignments and updates in turn.
    state : Iteration
        The newest state (``history[-1]``).
    done : bool
        Converged or at its iteration limit: `advance` adds nothing more.
    """

    n_clusters: int

    @property
    def history(self) -> Sequence[Iteration]: ...

    @property
    def state(self) -> Iteration: ...

    @property
    def done(self) -> bool: ...

    def advance(self) -> Iteration:
        """The next half-step (assign or update); the final state once done."""
        ...

    def assign(self) -> Iteration:
        """The assignment, when it comes next (after centres were placed)."""
        ...

    def set_centers(self, centers: Any) -> Iteration:
        """Start again from these centres (the history restarts)."""
        ...

    def edit_centers(self, centers: Any, *, at: int | None = None) -> Iteration:
        """Go on from these centres (k may change) after state `at` (default: the
        newest; later states are dropped): a new state, phase "edit", the history
        before it kept.  ValueError with a sentence when the run cannot (a mixture)."""
        ...

    def objectives(self) -> list[float]:
        """The objective of every state (NaN where there is none), without making the
        states: inertia, or a mixture's mean log-likelihood."""
        ...

    def center_trail(self, index: int | None = None) -> np.ndarray:
        """Centres at the start (or the last edit) and after every update up to
        history `index`: (m, k, d)."""
        ...

    def center_trails(self, index: int | None = None) -> list[tuple[int, np.ndarray]]:
        """[(state, trail)] of every stretch up to `index`: from the start (state 0)
        and from each edit; the last trail is `center_trail(index)`."""
        ...
