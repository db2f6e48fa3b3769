"""The models a page can run, one registry: name -> how to make its stepped run.

Each `Model` makes a `stepped.SteppedRun` from the data and a start, says how it is
named in the GUI and what its objective is called in a session.  The run controller,
sessions, the parameters' model choice and the sweep all read this registry: **adding
a model is one module (its run, providing `SteppedRun`) plus one line in `MODELS`**.
No Qt.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any

from kmeans_studio.core.engine.kmeans import KMeansRun
from kmeans_studio.core.engine.mixture import COVARIANCE_TYPES
from kmeans_studio.core.engine.mixture_steps import MixtureSteps
from kmeans_studio.core.engine.stepped import SteppedRun


@dataclasses.dataclass(frozen=True)
class Model:
    """One model a run can use.

    Attributes
    ----------
    title : str
        Its name in the GUI's model choice.
    make : callable
        ``make(X, n_clusters, *, init, sample_weight, random_state, max_iter, tol)``
        -> `SteppedRun`; `init` a method name or the initial centres (k, d).
    objective : str
        What the run improves, as a session names it ("inertia", "log_likelihood").
    starts : bool
        Several starts can be run, the best shown (`kmeans.best_of_starts`).
    """

    title: str
    make: Callable[..., SteppedRun]
    objective: str = "inertia"
    starts: bool = False


def _mixture(covariance_type: str, X: Any, n_clusters: int, *, init: Any,
             sample_weight: Any = None, random_state: Any = None, max_iter: int = 100,
             tol: float = 1e-3) -> MixtureSteps:
    """A Gaussian mixture's EM as a stepped run (it takes no sample weights)."""
    if sample_weight is not None:
        raise ValueError("A Gaussian mixture takes no sample weights (photos run k-means).")
    return MixtureSteps(X, n_clusters, covariance_type=covariance_type, init=init,
                        random_state=random_state, tol=tol, max_iter=max_iter)


def mixture(covariance_type: str) -> Model:
    """A Gaussian mixture with one covariance type (`mixture.COVARIANCE_TYPES`)."""
    return Model(f"Gaussian mixture, {COVARIANCE_TYPES[covariance_type].lower()}",
                 functools.partial(_mixture, covariance_type), "log_likelihood")


#: The models, by the name requests, sessions and settings use; the first is the default.
MODELS: dict[str, Model] = {
    "kmeans": Model("k-means", KMeansRun, "inertia", starts=True),
    "full": mixture("full"),
    "tied": mixture("tied"),
    "diag": mixture("diag"),
    "spherical": mixture("spherical"),
}


def model_titles() -> dict[str, str]:
    """{name: title} of every model, as the GUI offers them."""
    return {name: model.title for name, model in MODELS.items()}
