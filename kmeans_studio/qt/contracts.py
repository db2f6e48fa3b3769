"""The run contracts: what a page asks the run controller for (`RunRequest`), what
comes back to the views (`Snapshot`), and what a photo's comparison measured
(`ImageReport`).  Plain frozen dataclasses with no Qt in them: pages and views import
these, never the thread module (`controller`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable
from typing import Any

import numpy as np

from kmeans_studio.core.data.datasets import Dataset
from kmeans_studio.core.data.sources import DataSource
from kmeans_studio.core.engine.history import Iteration


@dataclasses.dataclass(frozen=True, eq=False)
class RunRequest:
    """What a page asks its run controller for: which data, which run.  Plain data,
    no callables: the worker makes the run from `data` and `model` by their recipe
    (`core.recipes`), so a page's request can be compared (``==``), and a session is
    one written down (`Session` holds its data source and run fields).

    Attributes
    ----------
    data : DataSource
        The data (`core.data.sources`), loaded on the worker thread; a request whose
        data have the current request's `data_key` reuses the loaded data.
    model : str
        A name in `core.engine.models.MODELS`: "kmeans", or a Gaussian mixture's
        covariance type (then `init` is one of `mixture.INITS` or the means).
    n_clusters, random_state, max_iter, tol, n_init
        As scikit-learn's `KMeans`.  With `n_init` > 1 and a method name as `init`,
        that many starts run to the end first and the best is shown from its beginning.
    init : str, ndarray or None
        A method name, the initial centres, or None for "no centres yet" (placed by
        clicking).  A photo's method name means k-means++ on a pixel sample.
    advance_to : int
        A reopened session's run goes on to this state at once ...
    expected_trail : ndarray or None
        ... and is checked to follow these centres (else the data changed) ...
    edits : tuple of (int, ndarray)
        ... with its edits of the centres made again on the way: ``(state, trail)``,
        the centres ``trail[0]`` set as state `state` (`KMeansRun.edit_centers`), then
        checked to be followed by ``trail[1:]`` after each update (as `expected_trail`).
    run_to_end : bool
        A new run (not a reopened one) goes on to convergence at once (photos: the
        compressed picture comes without asking; the steps stay in the history).
    """

    data: DataSource
    model: str = "kmeans"
    n_clusters: int = 4
    init: str | np.ndarray | None = "k-means++"
    random_state: int | None = 0
    max_iter: int = 300
    tol: float = 1e-4
    n_init: int = 1
    advance_to: int = 0
    expected_trail: np.ndarray | None = None
    edits: tuple[tuple[int, np.ndarray], ...] = ()
    run_to_end: bool = False

    @property
    def data_key(self) -> Hashable:
        """Names the data (`DataSource.key`)."""
        return self.data.key

    @property
    def reads_in_chunks(self) -> bool:
        """Loading reports how far it has read and can be cancelled (big tables)."""
        return self.data.reads_in_chunks

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RunRequest):
            return NotImplemented
        return all(_same(getattr(self, f.name), getattr(other, f.name))
                   for f in dataclasses.fields(self))

    __hash__ = None  # (arrays inside)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)
                and a.shape == b.shape and bool(np.array_equal(a, b)))
    return a == b


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
        Centres at the start (or the last edit of the centres before `index`: k may
        differ) and after each update, up to `index`.
    done : bool
        The run has finished and `index` is its last state.
    dataset : Dataset
        The data being clustered.
    derived : object or None
        What the data's recipe derived from this state on the worker: a photo's
        compressed picture (`quantize.Quantized`), labelled data's scores against
        their classes (`metrics.Evaluation`), or None.
    start : tuple or None
        ``(index, n_init)`` when the run shown is the best of several starts.
    request : RunRequest or None
        The request whose run this is (for sessions and scripts).
    stretches : tuple of (int, ndarray)
        Every stretch of the run up to `index`: (the state it starts at: 0, then each
        edit of the centres; its trail as `trail`), oldest first; `trail` is the last.
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
    stretches: tuple[tuple[int, np.ndarray], ...] = ()

    @property
    def edited(self) -> bool:
        """The centres were edited mid-run before the state shown."""
        return len(self.stretches) > 1


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
