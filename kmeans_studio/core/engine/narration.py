"""One line in plain words on what the last half-step did, as a teacher would say it.

Clusters and centres are numbered from 1 for people.
"""

from __future__ import annotations

import math

import numpy as np

from kmeans_studio.core.engine.history import Iteration
from kmeans_studio.core.engine.mixture import narrate as narrate_mixture
from kmeans_studio.core.engine.mixture_steps import MixtureIteration


def _points(n: int) -> str:
    return f"{n:,} point{'s' if n != 1 else ''}"


def _percent(fraction: float) -> str:
    percent = 100 * fraction
    return f"{percent:.0f}%" if percent >= 10 else f"{percent:.2g}%"


def narrate(state: Iteration, previous: Iteration | None = None) -> str:
    """Describe `state`, the half-step after `previous` (None for the first state)."""
    if isinstance(state, MixtureIteration):
        return narrate_mixture(state.mixture_state(),
                               None if previous is None else previous.mixture_state(),
                               state.covariance_type)
    k = state.n_clusters
    if state.phase == "init":
        return (f"Start: {k} centre{'s' if k != 1 else ''} placed. "
                "Next, each point joins its nearest centre.")
    if state.phase == "edit":
        return _narrate_edit(state, previous)
    if state.phase == "assign":
        if previous is not None and previous.phase == "update" and (
            state.n_iter == previous.n_iter  # the final assignment adds no iteration
        ):
            how = "Converged" if state.converged else "Stopped at the iteration limit"
            return (f"{how} after {state.n_iter} iterations; a last assignment makes "
                    f"the labels match the final centres ({_points(state.n_changed)} moved).")
        if previous is None or previous.labels is None:
            return f"Assign: every point joined its nearest centre ({_points(state.n_changed)})."
        if state.n_changed == 0:
            return "Assign: no point changed cluster, so the centres will stay put."
        return f"Assign: {_points(state.n_changed)} changed cluster."
    # update
    j = max(range(k), key=lambda i: state.center_shift[i])
    shift = state.center_shift[j]
    text = ("Update: no centre moved" if shift == 0
            else f"Update: centre {j + 1} moved most, by {shift:.2g}")
    if previous is not None and math.isfinite(previous.inertia) and previous.inertia > 0:
        fall = (previous.inertia - state.inertia) / previous.inertia
        text += (f"; inertia fell {_percent(max(fall, 0.0))}" if fall > 1e-12
                 else "; inertia unchanged")
    if state.converged:
        text += f". Converged after {state.n_iter} iteration{'s' if state.n_iter != 1 else ''}"
    return text + "."


def _at(point) -> str:
    return "(" + ", ".join(f"{v:.3g}" for v in point) + ")"


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    """The same centres, but for the rounding of the engine's centring (a last bit)."""
    scale = max(1.0, float(np.abs(b).max(initial=0.0)))
    return a.shape == b.shape and np.allclose(a, b, rtol=1e-9, atol=1e-12 * scale)


def _narrate_edit(state: Iteration, previous: Iteration | None) -> str:
    """The centres were edited mid-run: which one was added or removed, when one was."""
    k, before = state.n_clusters, None if previous is None else previous.centers
    then = "Next, each point joins its nearest centre."
    if before is not None and k == len(before) + 1 and _same(state.centers[:-1], before):
        return f"You added a centre at {_at(state.centers[-1])}; k is now {k}. {then}"
    if before is not None and k == len(before) - 1:
        for j in range(len(before)):
            if _same(np.delete(before, j, axis=0), state.centers):
                return (f"You removed centre {j + 1} at {_at(before[j])}; k is now {k}. "
                        f"{then}")
    return f"You placed the centres by hand; k is now {k}. {then}"
