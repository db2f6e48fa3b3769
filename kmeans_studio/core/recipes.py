"""How a request's run is made and what its states give the views, chosen by the data.

A run request is plain data: a `sources.DataSource`, a model's name and the run's
numbers.  The run controller's worker turns it into a run here: the model comes from
`engine.models.MODELS`; the data's kind adds what it needs (`recipe_for`):

* a photo (`DataSource.photo`) starts from k-means++ on a sample of its pixels and
  runs on the colour octree, as `quantize` does; each state is a picture
  (`quantize.Quantized`);
* a table on a dask cluster (a Parquet table, `Dataset.cluster`) starts from its
  uniform sample and runs as a `DistributedRun` (one distributed pass an assignment);
* labelled data (digits, a table with a label column, drawn points with classes)
  are scored against their classes in every state (`metrics.Evaluation`);
* other data run the model as it is.

No Qt: the command line and tests use the same recipes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np

from kmeans_studio.core.color.photo_run import image_init, image_run, state_picture
from kmeans_studio.core.data.datasets import Dataset
from kmeans_studio.core.data.sources import DataSource
from kmeans_studio.core.engine.distributed import DistributedRun, initial_centers
from kmeans_studio.core.engine.history import Iteration
from kmeans_studio.core.engine.models import MODELS
from kmeans_studio.core.engine.stepped import SteppedRun
from kmeans_studio.core.explore.metrics import evaluate


def state_evaluation(dataset: Dataset, state: Iteration, done: bool):
    """A state judged against the true labels (`metrics.Evaluation`), on the worker."""
    if state.labels is None:
        return None
    return evaluate(dataset.X, dataset.y, state.labels, state.n_clusters)


@dataclasses.dataclass(frozen=True)
class Recipe:
    """What a kind of data adds to its model's run.

    Attributes
    ----------
    start : callable or None
        ``(dataset, k, seed, init) -> centres`` in place of the initialisation method
        `init`.
    make : callable or None
        ``(dataset, centres, max_iter=, tol=) -> SteppedRun`` in place of the model's
        own run, for given centres.
    derive : callable or None
        ``(dataset, state, done) -> object`` for every state shown
        (`Snapshot.derived`).
    """

    start: Callable[[Dataset, int, Any], np.ndarray] | None = None
    make: Callable[..., SteppedRun] | None = None
    derive: Callable[[Dataset, Iteration, bool], Any] | None = None


def cluster_init(dataset: Dataset, k: int, random_state: Any, init: str) -> np.ndarray:
    """A table on a cluster starts from its uniform sample (`distributed.initial_centers`)."""
    return initial_centers(dataset.cluster, k, init, random_state)


def cluster_run(dataset: Dataset, init: np.ndarray, *, max_iter: int, tol: float):
    """The table's run on the window's cluster, from given centres."""
    from kmeans_studio.core.data.distributed import shared_client

    return DistributedRun(dataset.cluster, len(init), shared_client(), init=init,
                          max_iter=max_iter, tol=tol)


#: The recipes, by what the data are.
RECIPES = {
    "cluster": Recipe(cluster_init, cluster_run),
    "photo": Recipe(image_init, image_run, state_picture),
    "labelled": Recipe(derive=state_evaluation),
    "plain": Recipe(),
}


def recipe_for(source: DataSource) -> Recipe:
    """The recipe of a data source's runs."""
    if source.on_cluster:
        return RECIPES["cluster"]
    if source.photo:
        return RECIPES["photo"]
    return RECIPES["labelled" if source.labelled else "plain"]


def make_run(source: DataSource, model: str, dataset: Dataset, init: Any, *,
             n_clusters: int, random_state: Any, max_iter: int, tol: float) -> SteppedRun:
    """One run of `model` on `dataset` from `init` (a method's name or centres),
    as the data's recipe makes it."""
    recipe = recipe_for(source)
    source.check_model(model)
    if recipe.make is not None and not isinstance(init, str):
        return recipe.make(dataset, init, max_iter=max_iter, tol=tol)
    return MODELS[model].make(dataset.X, n_clusters, init=init,
                              sample_weight=dataset.sample_weight,
                              random_state=random_state, max_iter=max_iter, tol=tol)
