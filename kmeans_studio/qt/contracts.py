"""The run contracts: what a page asks the run controller for (`RunRequest`), what
comes back to the views (`Snapshot`), and what a photo's comparison measured
(`ImageReport`).  Plain frozen dataclasses with no Qt in them: pages and views import
these, never the thread module (`controller`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np

from kmeans_studio.core.data.datasets import Dataset
from kmeans_studio.core.engine.kmeans import Iteration, KMeansRun


@dataclasses.dataclass(frozen=True)
class RunRequest:
    """What a page asks its run controller for: which data, which run.

    Attributes
    ----------
    data_key : hashable
        Names the data: a request with the current request's key reuses the loaded data.
    make_data : callable
        Loads the data on the worker thread (it may import scikit-learn or read a file).
    model : str
        "kmeans", or a Gaussian mixture's covariance type (`mixture_steps.MODELS`):
        the run is then a `MixtureSteps`, `init` one of `mixture.INITS` or the means.
    n_clusters, random_state, max_iter, tol, n_init
        As scikit-learn's `KMeans`.  With `n_init` > 1 and a method name as `init`,
        that many starts run to the end first and the best is shown from its beginning.
    init : str, ndarray, callable or None
        A method name, the initial centres, a function ``(dataset, k, seed) ->
        centres``, or None for "no centres yet" (placed by clicking).
    derive : callable or None
        ``(dataset, iteration, done) -> object``, run on the worker for every state
        shown; its result reaches the views as `Snapshot.derived`.
    source : dict or None
        How to rebuild the data (`core.session.load_source`); None for data that
        cannot be rebuilt, such as a pasted image.
    advance_to : int
        A reopened session's run goes on to this state at once ...
    expected_trail : ndarray or None
        ... and is checked to follow these centres (else the data changed).
    reads_in_chunks : bool
        `make_data(cancelled=..., progress=...)` reports how far it has read and
        returns None when cancelled (big tables).
    run_to_end : bool
        A new run (not a reopened one) goes on to convergence at once (photos: the
        compressed picture comes without asking; the steps stay in the history).
    make_run : callable or None
        Makes the run from the data and the initial centres in place of a plain
        `KMeansRun` (photos: the run `quantize` makes, on the colour octree).
    """

    data_key: Hashable
    make_data: Callable[[], Dataset]
    model: str = "kmeans"
    n_clusters: int = 4
    init: Any = "k-means++"
    random_state: int | None = 0
    max_iter: int = 300
    tol: float = 1e-4
    n_init: int = 1
    derive: Callable[[Dataset, Iteration, bool], Any] | None = None
    source: dict | None = None
    advance_to: int = 0
    expected_trail: np.ndarray | None = None
    reads_in_chunks: bool = False
    run_to_end: bool = False
    make_run: Callable[[Dataset, np.ndarray, RunRequest], KMeansRun] | None = None


@dataclasses.dataclass(frozen=True, eq=False)
class Snapshot:
    """What the views show: one state of the run and where it sits in the history.

    Two snapshots are equal only when they are the same object: comparing their
    arrays has no single truth value (a dithered picture computed for one snapshot
    while a newer arrived raised here, under load).

    Attributes
    ----------
    iteration : Iteration or None
        The state shown (None when there are no centres yet).
    previous : Iteration or None
        The state before it in the history (to show what changed).
    index, n_states : int
        Position of `iteration` in the history, and the history's length.
    objective : ndarray
        What the run improves, for every state in the history (NaN for the initial
        state): inertia, or a mixture's log-likelihood (`Iteration.objective`).
    trail : ndarray of shape (m, k, d)
        Centres at the start and after each update, up to `index`.
    done : bool
        The run has finished and `index` is its last state.
    dataset : Dataset
        The data being clustered.
    derived : object or None
        What the request's `derive` made of this state on the worker: a photo's
        compressed picture (`quantize.Quantized`), labelled data's scores against
        their classes (`metrics.Evaluation`), or None.
    start : tuple or None
        ``(index, n_init)`` when the run shown is the best of several starts.
    request : RunRequest or None
        The request whose run this is (for sessions and scripts).
    """

    iteration: Iteration | None
    previous: Iteration | None
    index: int
    n_states: int
    objective: np.ndarray
    trail: np.ndarray
    done: bool
    dataset: Dataset
    derived: Any = None
    start: tuple[int, int] | None = None
    request: RunRequest | None = None


@dataclasses.dataclass(frozen=True)
class ImageReport:
    """What a converged photo's comparison measured (the stats and comparison views).

    Attributes
    ----------
    png_bytes : int
        Size of the indexed PNG of the result.
    methods : list of comparison.MethodResult
        k-means first, then Pillow's quantizers at the same number of colours.
    file_bytes : int or None
        Size of the photo's own file (None for samples and pasted images).
    pixel_bytes : int
        Size of the photo as uncompressed RGB.
    """

    png_bytes: int
    methods: list
    file_bytes: int | None
    pixel_bytes: int
