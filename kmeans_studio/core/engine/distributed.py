"""Exact k-means over row blocks held or read by a dask.distributed cluster, stepped
like any other run (`DistributedRun`, a `stepped.SteppedRun`).

Each assignment is one distributed pass: every block (a task on a worker) gives its
clusters' counts and sums, its share of the inertia, how many of its rows changed
cluster and its k rows farthest from their centres; the client adds them in block
order.  Each update is the client's division, with scikit-learn's rules: empty
clusters take the rows farthest from their centres (`_relocate_empty_clusters_dense`),
an empty cluster's centre is then the heaviest one's (`_average_centers`), the data
are centred on their mean and the tolerance is scaled by the mean of the features'
variances.  So the centres equal scikit-learn's `KMeans(algorithm="lloyd")` (and
`kmeans.KMeansRun`) from the same initial centres, iteration for iteration.
The history holds centres and per-iteration figures, and the labels of the table's
uniform sample (what a view draws), never a label per row.

Nothing of dask is imported until a run is made (dask is an optional extra).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from kmeans_studio.core.engine.history import History, Iteration
from kmeans_studio.core.engine.kmeans import (
    _average_centers,
    _check_random_state,
    _cluster_sums,
    _nearest,
    inertia_from_sums,
)
from kmeans_studio.core.engine.seeding import kmeans_plusplus

#: Rows of the uniform sample drawn from the blocks (starts, and the points a view
#: draws).
SAMPLE_ROWS = 10_000
INITS = ("k-means++", "random")


class Cancelled(Exception):
    """The pass was cancelled: the run is as it was before it."""


@dataclasses.dataclass(frozen=True)
class BlockTable:
    """Data as row blocks on a cluster, with what a run needs to know of them.

    Attributes
    ----------
    blocks : list
        One dask object per block of rows (`dask.delayed`, maybe persisted), each
        computing a float64 array (rows, d) of the data as clustered (scaled), centred
        on `mean` and without the rows that miss a value.
    n_samples, n_features : int
    mean : ndarray (d,)
        The columns' means (scikit-learn centres the data on them).
    variance : float
        The mean of the columns' variances (scikit-learn's tolerance scale).
    total_norm : float
        The sum over rows of |x - mean|^2.
    sample : ndarray (m, d)
        A uniform random sample of the rows (without replacement), not centred.
    persisted : bool
        The blocks are held in the workers' memory (else read again every pass).
    """

    blocks: list
    n_samples: int
    n_features: int
    mean: np.ndarray
    variance: float
    total_norm: float
    sample: np.ndarray
    persisted: bool


# ----------------------------------------------------------------- on the workers
def assign_block(Xc: np.ndarray, C: np.ndarray, previous: np.ndarray | None) -> tuple:
    """One block's part of an assignment of its centred rows to the centred centres C:
    ((cluster weights, sums, the sum of |c|^2 - 2 x.c over its rows, rows whose
    cluster differs from `previous`), its labels (kept on the worker for the next
    pass and a relocation))."""
    labels, best, weight, sums = _assigned(Xc, C)
    changed = len(Xc) if previous is None else int(np.count_nonzero(labels != previous))
    return (weight, sums, float(best.sum()), changed), labels.astype(np.int32)


def farthest_rows(Xc: np.ndarray, C: np.ndarray, labels: np.ndarray, count: int) -> tuple:
    """The `count` rows of a block farthest from their centres, as scikit-learn
    measures them for a relocation: (squared distances, rows, labels)."""
    distances = ((Xc - C[labels]) ** 2).sum(axis=1)
    far = np.argsort(-distances, kind="stable")[:count]
    return distances[far], Xc[far], labels[far]


def _assigned(Xc: np.ndarray, C: np.ndarray):
    """Labels, |c|^2 - 2 x.c, cluster weights and sums: the engine's compiled kernel
    when it is compiled on this machine (a worker never compiles it), else numpy's
    BLAS path (the same labels)."""
    from kmeans_studio.core.engine import _compiled

    if _compiled.available():
        try:
            kernel = _compiled.kernels().assign_full
        except ImportError:
            kernel = None
        if kernel is not None and _compiled.cached([kernel]):
            return _compiled.assign_full(Xc, C, np.ones(len(Xc)))
    labels, best = _nearest(Xc, C)
    return (labels, best, *_cluster_sums(Xc, np.ones(len(Xc)), labels, len(C)))


def labels_of_block(X: np.ndarray, shift: np.ndarray, scale: np.ndarray, mean: np.ndarray,
                    C: np.ndarray) -> np.ndarray:
    """The nearest of the centred centres C for every row of one block as read
    (scaled as ``(x - shift) / scale``, centred on `mean`): int32, -1 for a row with a
    missing value, which is no part of the run."""
    finite = np.isfinite(X).all(axis=1)
    labels = np.full(len(X), -1, dtype=np.int32)
    if finite.any():
        Xc = np.ascontiguousarray((X[finite] - shift) / scale - mean)
        labels[finite] = _assigned(Xc, C)[0]
    return labels


# ------------------------------------------------------------------ on the client
class DistributedRun:
    """k-means (exact Lloyd) on a `BlockTable`, a half-step at a time.

    Parameters
    ----------
    table : BlockTable
    n_clusters : int
    client : distributed.Client
        The cluster that holds or reads the blocks.
    init : {"k-means++", "random"} or array (k, d)
        k-means++ or k random rows, both drawn from `table.sample` (a uniform sample
        of the rows), or the initial centres.
    random_state, tol, max_iter
        As scikit-learn's `KMeans`.
    cancelled : callable, optional
        Asked while a pass runs; True stops it (`Cancelled`), the run unchanged.
    progress : callable, optional
        Called with (blocks done, blocks) during each pass.

    Each state's labels are those of the table's sample rows (`BlockTable.sample`), by
    the centres of the assignment: what a view draws.
    """

    def __init__(self, table: BlockTable, n_clusters: int, client, *, init: Any = "k-means++",
                 random_state: Any = None, tol: float = 1e-4, max_iter: int = 300,
                 cancelled: Callable[[], bool] | None = None,
                 progress: Callable[[int, int], None] | None = None) -> None:
        if not (np.isfinite(tol) and tol >= 0):
            raise ValueError(f"The tolerance must be a number ≥ 0, not {tol!r}.")
        if int(max_iter) != max_iter or max_iter < 1:
            raise ValueError(f"max_iter must be a whole number ≥ 1, not {max_iter!r}.")
        if isinstance(n_clusters, bool) or int(n_clusters) != n_clusters or n_clusters < 1:
            raise ValueError(f"k must be a whole number ≥ 1, not {n_clusters!r}.")
        if n_clusters > table.n_samples:
            raise ValueError(f"k = {n_clusters} is more than the {table.n_samples} rows.")
        self.table, self._client = table, client
        self.n_clusters = int(n_clusters)
        self.max_iter = int(max_iter)
        self._tol = table.variance * tol if tol else 0.0
        self.cancelled, self.progress = cancelled, progress
        if isinstance(init, str):
            centers = initial_centers(table, self.n_clusters, init, random_state)
        else:
            centers = np.asarray(init, dtype=np.float64)
            if centers.shape != (self.n_clusters, table.n_features) or not np.isfinite(
                    centers).all():
                raise ValueError(f"The initial centres must be {self.n_clusters} finite "
                                 f"rows of {table.n_features} numbers.")
        centers = centers - table.mean
        self.init = init
        self._records: list[Iteration] = []
        self._centers = np.ascontiguousarray(centers, dtype=np.float64)
        # Each block's labels of the last assignment, held by the cluster.
        self._labels: list = [None] * len(table.blocks)
        self._sums = None
        self._sample = np.ascontiguousarray(table.sample - table.mean)
        self._sample_labels: np.ndarray | None = None
        self._n_iter = 0
        self._done = self._final_pending = False
        self._push("init", 0, np.nan, 0, False)

    # -- what the views and the controller read
    @property
    def history(self) -> History:
        return History(lambda: len(self._records), self._records.__getitem__)

    @property
    def state(self) -> Iteration:
        return self._records[-1]

    @property
    def done(self) -> bool:
        return self._done

    def objectives(self) -> list[float]:
        return [record.inertia for record in self._records]

    def center_trail(self, index: int | None = None) -> np.ndarray:
        last = len(self._records) - 1 if index is None else index
        return np.array([r.centers for r in self._records[: last + 1]
                         if r.phase in ("init", "update")])

    def center_trails(self, index: int | None = None) -> list[tuple[int, np.ndarray]]:
        return [(0, self.center_trail(index))]

    # -- the half-steps
    def advance(self) -> Iteration:
        if self._done:
            return self.state
        return self.assign() if self.state.phase in ("init", "update") else self.update()

    def run(self) -> Iteration:
        while not self._done:
            self.advance()
        return self.state

    def assign(self) -> Iteration:
        """One distributed pass: every row to its nearest centre."""
        if self._done or self.state.phase == "assign":
            raise ValueError("The next half-step is not an assignment.")
        weight, sums, inertia, changed, labels = self._pass()
        final = self._final_pending
        if not final:
            self._n_iter += 1
        self._sums = (weight, sums)
        self._labels = labels
        self._sample_labels = _nearest(self._sample, self._centers)[0].astype(
            np.uint8 if self.n_clusters <= 256 else np.int32)
        self._sample_labels.setflags(write=False)
        converged = final and self.state.converged
        self._done = final
        self._push("assign", changed, inertia, 0, converged)
        return self.state

    def update(self) -> Iteration:
        """The client's division: each centre to the mean of its rows."""
        if self._done or self.state.phase != "assign":
            raise ValueError("The next half-step is not an update.")
        weight, sums = self._sums
        weight, sums = weight.copy(), sums.copy()
        empty = int(np.count_nonzero(weight == 0))
        if empty:  # scikit-learn's relocation, from the rows farthest from their centres
            _relocate_empty(sums, weight, self._farthest(empty))
        C_new = np.ascontiguousarray(_average_centers(sums, weight))
        shift = np.sqrt(((C_new - self._centers) ** 2).sum(axis=1))
        total = float((shift ** 2).sum())
        strict = self._n_iter > 1 and self.state.n_changed == 0
        within_tol = total <= self._tol
        self._centers = C_new
        if strict:
            self._done = True
        elif within_tol or self._n_iter >= self.max_iter:
            self._final_pending = True
        inertia = inertia_from_sums(self.table.total_norm, C_new, weight, sums)
        self._push("update", 0, inertia, shift, strict or within_tol)
        return self.state

    def set_centers(self, centers: Any) -> Iteration:
        raise ValueError("A run on a cluster starts from its initialisation; start a new "
                         "run to place centres.")

    def edit_centers(self, centers: Any, *, at: int | None = None) -> Iteration:
        raise ValueError("A run on a cluster cannot have its centres edited mid-run; "
                         "start a new run from the centres you want.")

    # -- internals
    def _push(self, phase: str, n_changed: int, inertia: float, shift, converged: bool
              ) -> None:
        centers = self._centers + self.table.mean
        centers.setflags(write=False)
        shift = np.zeros(self.n_clusters) if np.isscalar(shift) else shift
        self._records.append(Iteration(self._n_iter, phase, centers, self._sample_labels,
                                       float(inertia), shift, int(n_changed),
                                       bool(converged)))

    def _pass(self):
        """The blocks' parts of an assignment to the current centres, added in block
        order; each block's labels stay on its worker (for the next pass's count of
        changed rows, and a relocation)."""
        from dask import delayed

        C, client = self._centers, self._client
        pairs = [delayed(assign_block, pure=False, nout=2)(block, C, previous)
                 for block, previous in zip(self.table.blocks, self._labels)]
        n = len(pairs)
        held = client.persist([pair[0] for pair in pairs] + [pair[1] for pair in pairs])
        parts = gather(client, held[:n], self.cancelled, self.progress, also=held[n:],
                       held=True)
        k, d = self.n_clusters, self.table.n_features
        weight, sums = np.zeros(k), np.zeros((k, d))
        best, changed = 0.0, 0
        for w, s, b, c in parts:  # in block order: the same sums every time
            weight += w
            sums += s
            best += b
            changed += c
        inertia = max(self.table.total_norm + best, 0.0)  # |x|^2 + |c|^2 - 2 x.c
        return weight, sums, inertia, changed, held[n:]

    def _farthest(self, count: int):
        """The rows farthest from their centres (a pass only when a cluster is empty)."""
        from dask import delayed

        work = [delayed(farthest_rows, pure=False)(block, self._centers, labels, count)
                for block, labels in zip(self.table.blocks, self._labels)]
        parts = gather(self._client, work, self.cancelled, self.progress)
        return tuple(np.concatenate([part[i] for part in parts]) for i in range(3))


def initial_centers(table: BlockTable, n_clusters: int, init: str, random_state: Any
                    ) -> np.ndarray:
    """k-means++ or k random rows of the table's uniform sample (not centred)."""
    if init not in INITS:
        raise ValueError(f"Unknown initialisation {init!r}; choose one of "
                         f"{', '.join(INITS)} or give the centres.")
    if n_clusters > len(table.sample):
        raise ValueError(f"k = {n_clusters} is more than the {len(table.sample):,} rows "
                         "the starts are drawn from.")
    rng = _check_random_state(random_state)
    sample = table.sample - table.mean
    if init == "k-means++":
        centers, _ = kmeans_plusplus(sample, n_clusters, random_state=rng)
    else:
        centers = sample[rng.choice(len(sample), n_clusters, replace=False)]
    return centers + table.mean


def gather(client, work: Sequence, cancelled=None, progress=None, also: Sequence = (),
           held: bool = False) -> list:
    """The results of `work` computed on the cluster, in order: dask objects to
    compute, or with `held` objects already persisted.  Asks `cancelled()` as results
    come: True cancels every task of `work` and `also` and raises `Cancelled`."""
    from distributed import as_completed, futures_of

    futures = ([futures_of(item)[0] for item in work] if held
               else client.compute(list(work)))
    done = 0
    try:
        for _ in as_completed(futures):
            done += 1
            if progress is not None:
                progress(done, len(futures))
            if cancelled is not None and cancelled():
                raise Cancelled("Cancelled.")
        return client.gather(futures)
    except BaseException:
        client.cancel(list(futures) + [f for item in also for f in futures_of(item)])
        raise


def _relocate_empty(sums: np.ndarray, weight: np.ndarray, far) -> None:
    """scikit-learn's relocation of empty clusters (in place): each empty cluster
    takes one of the rows farthest from their centres, taken from its cluster.  The
    blocks' farthest rows hold the whole data's (each block gives as many as the
    empty clusters are).  With several empty clusters, the farthest goes to the
    first (scikit-learn's `argpartition` leaves their order to its implementation)."""
    empty = np.flatnonzero(weight == 0)
    if len(empty) == 0:
        return
    distances, rows, labels = far
    if len(distances) == 0 or np.max(distances) == 0:
        return
    order = np.argsort(-distances, kind="stable")[:len(empty)]
    for new_id, index in zip(empty, order):
        old_id = labels[index]
        sums[old_id] -= rows[index]
        sums[new_id] = rows[index]
        weight[new_id] = 1.0
        weight[old_id] -= 1.0
