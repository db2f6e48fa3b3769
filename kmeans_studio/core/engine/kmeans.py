"""The incremental, exact Lloyd engine.

`KMeansRun` performs k-means one half-step at a time (assign, then update) and keeps
every state in a history, so that a viewer can step forwards and back without
recomputing.  It follows scikit-learn's Lloyd implementation (read in version 1.9.1:
``sklearn/cluster/_kmeans.py::_kmeans_single_lloyd`` and ``_k_means_lloyd.pyx``):

* the data are centred on their (unweighted) mean before any distance is computed;
* squared distances are computed as ``|c|^2 - 2 x.c`` and the first closest centre wins;
* new centres are weighted sums multiplied by ``1 / weight``; empty clusters (weight 0)
  are relocated to the points farthest from their centres, exactly as
  ``_relocate_empty_clusters_dense`` does;
* the run stops when no label changes (strict convergence) or when the sum of squared
  centre shifts is at most ``tol * mean(var(X, axis=0))``; after a tolerance stop (or
  ``max_iter``) one more assignment makes the labels consistent with the final centres.

Speed comes from three things that do not change the result: exact duplicate rows are
merged into one weighted row (when no sample weights are given), Hamerly's bounds skip
points whose nearest centre provably did not change (with a margin that covers
floating-point error, so a skipped point has the label a full computation would give),
and all work is chunked so memory stays bounded.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from kmeans_studio.core.checks import as_data_matrix, as_initial_centers
from kmeans_studio.core.engine import _compiled
from kmeans_studio.core.engine.history import History, Iteration
from kmeans_studio.core.engine.parallel import side_by_side
from kmeans_studio.core.engine.prepared import PreparedData, prepare
from kmeans_studio.core.engine.seeding import kmeans_plusplus
from kmeans_studio.core.limits import check_run

__all__ = ["Iteration", "KMeansRun", "INIT_METHODS", "Starts", "best_of_starts", "warm_up"]

INIT_METHODS = ("k-means++", "random", "farthest")

#: Rows per chunk are chosen so one chunk's distance block stays near this size.
_CHUNK_BYTES = 4 << 20
#: Below this much work per assignment (rows x features x k) numpy is quicker.
_COMPILED_MIN_WORK = 100_000
#: Below this many (merged) rows the bookkeeping of bounds costs more than it saves.
_BOUNDS_MIN_ROWS = 4096
#: Below this many rows x features x k, a run's kernels keep to one core (as
#: `_compiled.assign_full`), so several starts can run side by side.
_SIDE_BY_SIDE_MAX_WORK = 2_000_000
#: Feature counts up to this use per-column `np.bincount` for the cluster sums (which
#: adds in sample order, as scikit-learn does); above it a one-hot matrix product.
_BINCOUNT_MAX_FEATURES = 8
#: The whole-run loop returns to Python after about this many multiply-adds (some
#: tens of milliseconds), so a run can be cancelled between its calls.
_LOOP_WORK = 1 << 25
#: History keeps the labels of recent states within this budget; older states keep
#: their centres and get their labels recomputed (deterministically) when asked for.
DEFAULT_HISTORY_BYTES = 256 << 20


class _Record:
    """A history entry; centres are kept centred, labels on the merged rows.

    The inertia is worked out when first asked for, from the centres and the weights
    and sums of the clusters of the labels (`sums`): a run spends no time on it."""

    __slots__ = ("n_iter", "phase", "centers", "labels", "label_centers_index",
                 "center_shift", "n_changed", "converged", "sums", "_norm", "_inertia")

    def __init__(self, n_iter: int, phase: str, centers: np.ndarray,
                 labels: np.ndarray | None, label_centers_index: int,
                 center_shift: np.ndarray, n_changed: int, converged: bool,
                 sums: tuple[np.ndarray, np.ndarray] | None, norm: float) -> None:
        self.n_iter, self.phase, self.centers = n_iter, phase, centers
        self.labels = labels
        self.label_centers_index = label_centers_index  # whose centres made labels
        self.center_shift, self.n_changed, self.converged = center_shift, n_changed, converged
        self.sums, self._norm, self._inertia = sums, norm, None

    @property
    def inertia(self) -> float:
        if self._inertia is None:
            self._inertia = (float("nan") if self.sums is None
                             else inertia_from_sums(self._norm, self.centers, *self.sums))
        return self._inertia


def _check_run_fits(shape: tuple[int, int], n_clusters: Any, max_iter: int,
                    history_bytes: int) -> None:
    """`limits.check_run` for a k-means run on data of `shape` (a k that is no whole
    number is refused later, with its own sentence)."""
    if isinstance(n_clusters, (int, np.integer)) and not isinstance(n_clusters, bool):
        check_run(shape[0], max(int(n_clusters), 1), shape[1], "kmeans", int(max_iter),
                  history_bytes=int(history_bytes))


def _compact_label_dtype(n_clusters: int) -> np.dtype:
    if n_clusters <= 256:
        return np.dtype(np.uint8)
    if n_clusters <= 65536:
        return np.dtype(np.uint16)
    return np.dtype(np.int32)


def _readonly(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


class KMeansRun:
    """An incremental, exact k-means (Lloyd) run on one data set.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features), or PreparedData
        Data; float32 stays float32, anything else becomes float64.  Data made ready
        once with `prepare` (with their weights) save that work in every run.
    n_clusters : int
        Number of clusters k.
    init : {"k-means++", "random", "farthest"} or array-like of shape (k, d)
        How to place the first centres: weighted k-means++
        (scikit-learn's, as `seeding.kmeans_plusplus`), k distinct samples drawn with probability
        proportional to weight (as scikit-learn's "random"), farthest-first traversal
        from a random sample, or the given centres.
    sample_weight : array-like of shape (n_samples,), optional
        Non-negative weights; ``None`` means 1 for every sample.
    random_state : int, numpy RandomState or None
        Seed for the initialisation; the same seed as scikit-learn's ``KMeans`` gives
        the same initial centres.
    tol : float
        Relative tolerance on the sum of squared centre shifts.
    max_iter : int
        Maximum number of Lloyd iterations.
    merge_duplicates : {"auto", True, False}
        Merge exact duplicate rows into one row weighted by its count.  "auto" merges
        unweighted data with at least 10,000 rows and at most 8 features (pixels).
        Merging gives the same centres and labels, except that an empty cluster is
        relocated to one of the farthest *distinct* points.
    history_bytes : int
        Budget for the labels kept in the history (default 256 MiB).  Centres of every
        state are always kept; when the budget is exceeded the oldest states drop their
        labels, which are recomputed from the stored centres when asked for.
    use_compiled : bool or None
        Use the compiled (numba) kernels; ``None`` uses them when numba is installed,
        ``False`` forces the numpy/BLAS path.  Both give the same labels.
    assigner : object, optional
        Does the assignment instead of the engine: ``assigner.assign(centers, labels)``
        fills one label per row of X (as given, not merged) and returns the weight and
        weighted sum of every cluster, in X's own coordinates.  An image's
        `color_tree.ColorTree` is one.

    Raises
    ------
    ValueError
        With a sentence for people when the data, weights, k or initial centres cannot
        be used.
    """

    def __init__(
        self,
        X: Any,
        n_clusters: int,
        *,
        init: str | Any = "k-means++",
        sample_weight: Any = None,
        random_state: Any = None,
        tol: float = 1e-4,
        max_iter: int = 300,
        merge_duplicates: str | bool = "auto",
        history_bytes: int = DEFAULT_HISTORY_BYTES,
        use_compiled: bool | None = None,
        assigner: Any = None,
    ) -> None:
        if not (np.isfinite(tol) and tol >= 0):
            raise ValueError(f"The tolerance must be a number ≥ 0, not {tol!r}.")
        if int(max_iter) != max_iter or max_iter < 1:
            raise ValueError(f"max_iter must be a whole number ≥ 1, not {max_iter!r}.")
        if isinstance(X, PreparedData):
            if sample_weight is not None:
                raise ValueError("Prepared data carry their weights; give none here.")
            data = X
            _check_run_fits((data.n_samples, data.n_features), n_clusters, max_iter,
                            history_bytes)
        else:
            # Checked (no copy when X is a float array) and sized before `prepare`
            # centres a copy of it.
            X = as_data_matrix(X, check_finite=False)
            _check_run_fits(X.shape, n_clusters, max_iter, history_bytes)
            data = prepare(X, sample_weight, merge_duplicates)
        n_features = data.n_features

        self._data = data
        self._dtype = data.dtype
        self._n_samples = data.n_samples
        self._mean = data.mean
        # scikit-learn's _tolerance: mean of the per-feature variances (unweighted).
        self._tol = data.variance * tol if tol else 0.0
        self.max_iter = int(max_iter)
        self._inverse, self._counts = data.inverse, data.counts
        self._X, self._w = data.X, data.w
        self._x_norms = data.x_norms
        self._total_weighted_norm = data.total_weighted_norm
        rng = _check_random_state(random_state, make=isinstance(init, str))
        if isinstance(init, str):
            if init not in INIT_METHODS:
                raise ValueError(
                    f"Unknown initialisation {init!r}; choose one of "
                    + ", ".join(INIT_METHODS) + " or give an array of centres."
                )
            data.check_n_clusters(n_clusters)
            centers = self._initial_centers(init, int(n_clusters), rng)
        else:
            centers = as_initial_centers(init, n_features, self._dtype) - self._mean
            if centers.shape[0] != n_clusters:
                raise ValueError(
                    f"{centers.shape[0]} initial centres were given for k = {n_clusters}."
                )
            data.check_n_clusters(n_clusters)
        self.init = init
        self.n_clusters = int(n_clusters)
        # Tiny problems (the seed's 300 blobs) are quicker in numpy than the first
        # load of the compiled kernels.
        small = len(self._X) * n_features * self.n_clusters < _COMPILED_MIN_WORK
        self._use_compiled = (
            use_compiled is True or (use_compiled is None and not small)
        ) and _compiled.available()

        if assigner is not None and data.inverse is not None:
            raise ValueError("An assigner needs the rows as given: merge_duplicates=False.")
        self._assigner = assigner
        self._label_dtype = _compact_label_dtype(self.n_clusters)
        self._history_bytes = int(history_bytes)
        self._start(np.ascontiguousarray(centers, dtype=self._dtype))

    # ------------------------------------------------------------------ public API
    @property
    def n_samples(self) -> int:
        """Number of samples (before any merging)."""
        return self._n_samples

    @property
    def n_distinct(self) -> int:
        """Rows the engine works on (distinct rows when duplicates were merged)."""
        return self._X.shape[0]

    @property
    def tolerance(self) -> float:
        """The absolute tolerance on the sum of squared centre shifts."""
        return self._tol

    @property
    def state(self) -> Iteration:
        """The current (newest) state."""
        if self._newest is None:
            self._newest = self._materialize(len(self._records) - 1)
        return self._newest

    @property
    def history(self) -> History:
        """Every state since the start (or the last `set_centers`), oldest first; an
        edit of the centres (`edit_centers`) is one of them (phase "edit")."""
        return History(lambda: len(self._records), self._materialize)

    @property
    def done(self) -> bool:
        """True when the run has stopped: converged, or labels final after max_iter."""
        return self._done

    @property
    def next_phase(self) -> str | None:
        """The half-step `advance` would perform next, or None when done."""
        if self._done:
            return None
        return "update" if self._phase == "assign" else "assign"

    def inertia_trail(self) -> np.ndarray:
        """Inertia after every assignment so far (cheap: no labels are expanded)."""
        return np.array([r.inertia for r in self._records if r.phase == "assign"])

    def objectives(self) -> list[float]:
        """`Iteration.objective` (the inertia) of every state, without making them."""
        return [r.inertia for r in self._records]

    def center_trail(self, index: int | None = None) -> np.ndarray:
        """Centres at the start of the stretch that holds history `index` (default:
        the newest) and after every update of it up to `index`, shape (m, k, d): the
        start is the initial centres, or those of the last edit (`edit_centers`) at
        or before `index`, so k is the same all along.  Cheap (no labels are
        expanded)."""
        return self.center_trails(index)[-1][1]

    def center_trails(self, index: int | None = None) -> list[tuple[int, np.ndarray]]:
        """`center_trail` of every stretch up to history `index`: [(the state it
        starts at: 0, then each edit's; its trail (m, k, d))], oldest first."""
        last = len(self._records) - 1 if index is None else index
        stretches: list[tuple[int, list[np.ndarray]]] = []
        for i, record in enumerate(self._records[: last + 1]):
            if record.phase in ("init", "edit"):
                stretches.append((i, [record.centers]))
            elif record.phase == "update":
                stretches[-1][1].append(record.centers)
        return [(start, np.array(centers) + self._mean) for start, centers in stretches]

    def assign(self) -> Iteration:
        """Assign every sample to its nearest centre (the E half-step)."""
        if self.next_phase != "assign":
            raise RuntimeError(self._order_message("assign"))
        self._assign_step()
        return self.state

    def update(self) -> Iteration:
        """Move every centre to the weighted mean of its samples (the M half-step)."""
        if self.next_phase != "update":
            raise RuntimeError(self._order_message("update"))
        self._update_step()
        return self.state

    def advance(self) -> Iteration:
        """Perform the next half-step; when the run is done, return the final state."""
        phase = self.next_phase
        if phase == "assign":
            self._assign_step()
        elif phase == "update":
            self._update_step()
        return self.state

    def step(self) -> Iteration:
        """Complete one Lloyd iteration (assign, then update) or the final assignment."""
        if self.next_phase == "assign":
            self._assign_step()
        if self.next_phase == "update":
            self._update_step()
        return self.state

    def run(self, callback: Callable[[Iteration], Any] | None = None, *,
            cancelled: Callable[[], bool] | None = None) -> Iteration:
        """Iterate until the run is done and return the final state.

        `callback`, if given, receives the state after every half-step; returning
        ``False`` stops the run early (the state reached so far is returned).
        `cancelled`, if given, is asked between half-steps (without a callback, on
        small data, between calls of the compiled loop: some tens of milliseconds of
        work, or one half-step when it takes longer); True stops the run there.
        """
        in_one_call = callback is None and self._runs_in_one_call()
        while not self._done:
            if cancelled is not None and cancelled():
                break
            if callback is None:  # no state is materialised until the end
                if self.next_phase == "update":
                    self._update_step()
                elif in_one_call:
                    self._iterate_compiled()
                else:
                    self._assign_step()
                continue
            self.advance()
            if callback(self.state) is False:
                break
        return self.state

    def set_centers(self, centers: Any) -> Iteration:
        """Place the centres by hand; the history restarts from these centres."""
        centers = self._checked_centers(centers)
        self._start(centers)
        return self.state

    def edit_centers(self, centers: Any, *, at: int | None = None) -> Iteration:
        """Change the centres mid-run (add, remove or move some; k may change).

        The history keeps every state before and gains one: phase "edit", these
        centres, no labels, the iteration count unchanged.  The next half-step is an
        assignment, and from there the run goes on exactly as a new run started from
        these centres would (the same centres, labels and stopping), with `max_iter`
        iterations of its own; its iterations are numbered on from the edited state's.

        Parameters
        ----------
        centers : array-like of shape (k, d)
            The centres from now on (k >= 1).
        at : int, optional
            The state edited (default: the newest).  The states after it are dropped
            first, as stepping forward from it would make new ones.

        Raises
        ------
        ValueError
            With a sentence, before anything changes, when the centres or `at` cannot
            be used.
        """
        last = len(self._records) - 1
        if at is None:
            at = last
        if (isinstance(at, bool) or not isinstance(at, (int, np.integer))
                or not 0 <= at <= last):
            raise ValueError(f"There is no state {at!r} to edit: the run has states 0 "
                             f"to {last}.")
        centers = self._checked_centers(centers)
        # Checked: from here on nothing can fail.
        at = int(at)
        if at < last:
            self._drop_after(at)
        self._begin(centers)
        self._n_iter = self._records[at].n_iter
        self._iter_limit = self._n_iter + self.max_iter
        self._phase = "edit"
        self._push(phase="edit", labels=None, center_shift=np.zeros(len(centers)),
                   n_changed=0, converged=False)
        return self.state

    def predict(self, X: Any, centers: Any = None) -> np.ndarray:
        """Index of the nearest current centre (or of `centers`) for new samples."""
        X = as_data_matrix(X, allow_empty=True)
        if X.shape[1] != self._X.shape[1]:
            raise ValueError(
                f"The data have {X.shape[1]} features; the run has {self._X.shape[1]}."
            )
        C = self._centers if centers is None else np.asarray(centers) - self._mean
        Xc = np.ascontiguousarray(X - self._mean, dtype=self._dtype)
        return nearest_centers(Xc, np.ascontiguousarray(C, dtype=self._dtype))

    # ------------------------------------------------------------------ internals
    def _order_message(self, wanted: str) -> str:
        if self._done:
            return "The run has finished; edit or set new centres, or start a new run."
        return f"Cannot {wanted} now: the next half-step is {self.next_phase}."

    def _initial_centers(self, init: str, k: int, rng: np.random.RandomState) -> np.ndarray:
        X, w = self._X, self._w
        if init == "k-means++":
            centers, _ = kmeans_plusplus(
                X, k, sample_weight=w, x_squared_norms=self._x_norms.astype(X.dtype),
                random_state=rng,
            )
            return centers
        if init == "random":
            seeds = rng.choice(len(X), size=k, replace=False, p=w / w.sum())
            return X[seeds]
        return _farthest_first(X, w, k, rng)

    def _checked_centers(self, centers: Any) -> np.ndarray:
        """Centres given by hand, checked (ValueError with a sentence), centred."""
        centers = as_initial_centers(centers, self._X.shape[1], self._dtype) - self._mean
        if centers.shape[0] < 1:
            raise ValueError("At least one centre is needed.")
        self._data.check_n_clusters(centers.shape[0])
        return np.ascontiguousarray(centers, dtype=self._dtype)

    def _begin(self, centers: np.ndarray) -> None:
        """Lloyd's loop from `centers` (k may be new): nothing assigned yet, nothing
        carried over (labels, sums, bounds, convergence)."""
        self.n_clusters = len(centers)
        self._label_dtype = _compact_label_dtype(self.n_clusters)
        # Bounds pay when BLAS settles the rows Hamerly's test leaves, and for a
        # nearest-first scan on many rows (pixels, 2-D points).
        self._use_bounds = self._use_compiled and (
            not _compiled.scans(self._X, len(centers)) or len(self._X) >= _BOUNDS_MIN_ROWS
        )
        self._centers = centers
        self._labels: np.ndarray | None = None
        self._done = False
        self._final_pending = False
        self._sums: tuple[np.ndarray, np.ndarray] | None = None
        self._upper = self._lower = None

    def _drop_after(self, index: int) -> None:
        """Forget the states after `index` (and the bytes their labels held)."""
        dropped = self._records[index + 1:]
        del self._records[index + 1:]
        self._label_bytes -= sum(r.labels.nbytes for r in dropped
                                 if r.phase == "assign" and r.labels is not None)
        self._oldest_labelled = min(self._oldest_labelled, len(self._records) - 1)
        self._newest = None

    def _start(self, centers: np.ndarray) -> None:
        self._begin(centers)
        self._phase = "init"
        self._n_iter = 0
        self._iter_limit = self.max_iter  # the last iteration of the stretch under way
        self._records: list[_Record] = []
        self._newest: Iteration | None = None
        self._label_bytes = 0
        self._oldest_labelled = 0  # records before it hold no labels any more
        self._push(
            phase="init", labels=None,
            center_shift=np.zeros(len(centers)), n_changed=0, converged=False,
        )

    def _push(self, phase: str, labels: np.ndarray | None, center_shift: np.ndarray,
              n_changed: int, converged: bool, centers: np.ndarray | None = None,
              n_iter: int | None = None) -> None:
        """Record a state: by default the run's current centres and iteration count;
        an assignment's labels (an update shares its assignment's) and the current
        clusters' weights and sums (none for an edit: no labels)."""
        records = self._records
        if phase == "update":
            labels = records[-1].labels  # unchanged by an update: share them
        elif labels is not None:
            # Shared when already compact: labels are never changed in place.
            labels = labels.astype(self._label_dtype, copy=False)
            self._label_bytes += labels.nbytes
        self._newest = None
        index = len(records)
        label_index = index if phase == "assign" else (
            records[-1].label_centers_index if records and phase != "edit" else -1
        )
        records.append(_Record(
            self._n_iter if n_iter is None else n_iter, phase,
            self._centers.copy() if centers is None else centers, labels, label_index,
            center_shift, n_changed, converged, self._sums, self._total_weighted_norm,
        ))
        self._trim_history()

    def _trim_history(self) -> None:
        # Drop labels of the oldest states first; never those of the newest state.
        records = self._records
        while (self._label_bytes > self._history_bytes
               and self._oldest_labelled < len(records) - 1):
            record = records[self._oldest_labelled]
            if record.labels is not None:
                if record.phase == "assign":  # the owner; an update only shares them
                    self._label_bytes -= record.labels.nbytes
                record.labels = None
            self._oldest_labelled += 1

    def _materialize(self, index: int) -> Iteration:
        record = self._records[index]
        labels = record.labels
        if labels is None and record.label_centers_index >= 0:
            source = self._records[record.label_centers_index].centers
            labels = _nearest(self._X, source)[0].astype(self._label_dtype)
        if labels is not None:
            labels = labels.take(self._inverse) if self._inverse is not None else labels.copy()
            labels = _readonly(labels)
        centers = record.centers + self._mean
        return Iteration(
            n_iter=record.n_iter, phase=record.phase,
            centers=_readonly(centers), labels=labels,
            inertia=record.inertia, center_shift=_readonly(record.center_shift.copy()),
            n_changed=record.n_changed, converged=record.converged,
        )

    def _assign_step(self) -> None:
        C = self._centers
        labels, weight_in_clusters, sums = self._assign_labels(C)
        old = self._labels
        if old is None:
            n_changed = self._n_samples
        else:
            changed = labels != old
            n_changed = int(self._counts[changed].sum() if self._counts is not None
                            else np.count_nonzero(changed))
        self._labels = labels
        self._sums = (weight_in_clusters, sums)
        final = self._final_pending
        if not final:
            self._n_iter += 1
        self._phase = "assign"
        converged = False
        if final:
            self._done = True
            converged = self._records[-1].converged
        self._push(
            phase="assign", labels=labels,
            center_shift=np.zeros(len(C)), n_changed=n_changed, converged=converged,
        )

    def _update_step(self) -> None:
        C_old = self._centers
        labels = self._labels
        weight_in_clusters, sums = self._sums
        new_weight, new_sums = weight_in_clusters.copy(), sums.copy()
        _relocate_empty_clusters(self._X, self._w, C_old, new_sums, new_weight, labels)
        C_new = np.ascontiguousarray(_average_centers(new_sums, new_weight))
        if self._use_compiled:  # as the whole-run loop computes them
            shift, total = _compiled.center_shift(C_new, C_old)
        else:
            shift = np.sqrt(((C_new - C_old) ** 2).sum(axis=1)).astype(np.float64)
            total = float((shift ** 2).sum())
        self._centers = C_new
        if self._upper is not None:
            self._grow, self._shrink = self._grow.copy(), self._shrink.copy()
            _compiled.move_bounds(shift, self._grow, self._shrink)
        strict = self._n_iter > 1 and self._records[-1].n_changed == 0
        within_tol = total <= self._tol
        self._phase = "update"
        if strict:
            self._done = True
        elif within_tol or self._n_iter >= self._iter_limit:
            self._final_pending = True
        self._push(
            phase="update", labels=labels, center_shift=shift,
            n_changed=0, converged=strict or within_tol,
        )

    # --- whole iterations in one compiled call
    def _runs_in_one_call(self) -> bool:
        """Whether `run` hands whole iterations to the compiled loop: with the
        compiled kernels, no assigner, and rows few enough for one block (on more,
        the kernels' own time dwarfs the Python around them)."""
        n, d = self._X.shape
        return (self._use_compiled and self._assigner is None
                and _compiled.single_block(n, d, self.n_clusters, self._bounded()))

    def _bounded(self) -> bool:
        return self._use_bounds and self.n_clusters > 1

    def _iterate_compiled(self) -> None:
        """Half-steps from an assignment on, in one compiled call: until done, an empty
        cluster (the next update then relocates it here) or about `_LOOP_WORK`
        multiply-adds, so that `cancelled` is asked often enough (after every
        half-step when an assignment takes more)."""
        loop = _compiled.kernels()
        X, k = self._X, self.n_clusters
        n, d = X.shape
        capacity = min(max(1, 2 * _LOOP_WORK // (n * d * k)),
                       2 * (self._iter_limit - self._n_iter) + 1)
        assignments = (capacity + 1) // 2
        bounded = self._bounded()
        full = self._upper is None
        if bounded and full:
            self._upper, self._lower = np.empty(n), np.empty(n)
            self._grow = self._shrink = np.zeros(k)
        labels = (np.zeros(n, dtype=np.intp) if self._labels is None
                  else self._labels.astype(np.intp))
        grow, shrink = ((self._grow.copy(), self._shrink.copy()) if bounded
                        else (np.zeros(k), np.zeros(k)))
        upper = self._upper if bounded else np.empty(0)
        lower = self._lower if bounded else np.empty(0)
        state = np.zeros(5, dtype=np.int64)
        state[loop.N_ITER] = self._n_iter
        state[loop.FINAL_PENDING] = self._final_pending
        state[loop.LABELLED] = self._labels is not None
        state[loop.FULL] = full
        centers = self._centers.copy()
        log_centers = np.empty((capacity, k, d), dtype=X.dtype)
        log_weight = np.empty((assignments, k), dtype=X.dtype)
        log_sums = np.empty((assignments, k, d), dtype=X.dtype)
        log_shift = np.empty((capacity, k))
        log_changed = np.empty(capacity, dtype=np.int64)
        log_converged = np.empty(capacity, dtype=np.bool_)
        log_iter = np.empty(capacity, dtype=np.int64)
        log_labels = np.empty((assignments, n), dtype=self._label_dtype)
        counts = self._counts if self._counts is not None else np.zeros(0, np.int64)
        steps = loop.lloyd(
            X, self._x_norms, self._w, counts, centers, labels, upper, lower, grow,
            shrink, bounded, _compiled.scans(X, k), _compiled.margin_coefficient(X),
            self._tol, self._iter_limit, self._n_samples, self._records[-1].converged,
            state, log_centers, log_weight, log_sums, log_shift, log_changed,
            log_converged, log_iter, log_labels,
        )
        for h in range(steps):
            phase = "assign" if h % 2 == 0 else "update"
            if phase == "assign":
                self._sums = (log_weight[h // 2], log_sums[h // 2])
            self._push(phase, log_labels[h // 2].copy() if phase == "assign" else None,
                       log_shift[h], int(log_changed[h]), bool(log_converged[h]),
                       centers=log_centers[h], n_iter=int(log_iter[h]))
        self._phase = "assign" if steps % 2 else "update"
        self._n_iter = int(state[loop.N_ITER])
        self._final_pending = bool(state[loop.FINAL_PENDING])
        self._done = bool(state[loop.DONE])
        self._labels = labels
        self._centers = centers
        if bounded:
            self._grow, self._shrink = grow, shrink

    # --- assignment with Hamerly bounds
    def _assign_labels(self, C: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Labels for centres C, with the weight and weighted sum of every cluster."""
        X, w, k = self._X, self._w, len(C)
        if self._assigner is not None:
            # The octree writes one byte a label up to 256 centres: kept as they are
            # (no copy for the history), compared a byte at a time.
            compact = self._label_dtype == np.uint8
            labels = np.empty(len(X), dtype=np.uint8 if compact else np.intp)
            weight, sums = self._assigner.assign(C + self._mean, labels)
            return labels, weight, sums - weight[:, None] * self._mean  # centred, as X
        if self._use_bounds and k > 1:
            full = self._upper is None
            if full:
                self._upper, self._lower = np.empty(len(X)), np.empty(len(X))
                labels = np.zeros(len(X), dtype=np.intp)
                self._grow = self._shrink = np.zeros(k)
            else:
                labels = self._labels.copy()
            weight, sums = _compiled.assign(
                X, self._x_norms, C, np.einsum("ij,ij->i", C, C), w, labels,
                self._upper, self._lower, self._grow, self._shrink,
                _compiled.margin_coefficient(X), full,
            )
            self._grow = self._shrink = np.zeros(k)
            return labels, weight, sums
        if self._use_compiled:
            labels, _, weight, sums = _compiled.assign_full(X, C, w)
            return labels, weight, sums
        labels = _nearest(X, C)[0]
        return (labels, *_cluster_sums(X, w, labels, k))


@dataclasses.dataclass(frozen=True)
class Starts:
    """The outcome of several starts: the run kept and how every start ended.

    Attributes
    ----------
    best : KMeansRun
        The finished run with the lowest final inertia; its history goes back to its
        initial centres, so it can be replayed step by step.
    index : int
        Which start (0-based) that was.
    inertia : ndarray of shape (n_init,)
        Final inertia of every start.
    """

    best: KMeansRun
    index: int
    inertia: np.ndarray


def best_of_starts(
    X: Any,
    n_clusters: int,
    n_init: int,
    *,
    random_state: Any = None,
    cancelled: Callable[[], bool] | None = None,
    on_start: Callable[[int], Any] | None = None,
    **run_options: Any,
) -> Starts | None:
    """Run k-means from `n_init` initialisations and keep the best, as scikit-learn's
    ``KMeans(n_init=...)`` does: the starts draw one after another from one random
    state, and a later start replaces the kept one only when its inertia is lower and
    its clustering differs.  With the same seed the kept run ends with scikit-learn's
    labels.

    `cancelled` is asked before each start and between half-steps; when it returns
    True, None is returned.  `on_start(i)` is told when start i begins (for progress).
    Other keyword arguments go to `KMeansRun`.

    Starts on data small enough that one run keeps to one core (rows x features x k
    below `_SIDE_BY_SIDE_MAX_WORK`; the digits) run side by side, one per core: each
    start's initial centres are still drawn in start order from the one random state,
    and the kept run is chosen in start order, so the outcome is the same.
    """
    if int(n_init) != n_init or n_init < 1:
        raise ValueError(f"The number of starts must be a whole number ≥ 1, not {n_init!r}.")
    n_init = int(n_init)
    rng = _check_random_state(random_state)
    if not isinstance(X, PreparedData):
        X = prepare(X, run_options.pop("sample_weight", None),
                    run_options.pop("merge_duplicates", "auto"))
    stop = cancelled if cancelled is not None else (lambda: False)
    lock = threading.Lock()
    begun = [0]

    def one_start(_: Any) -> tuple[int, KMeansRun, Iteration] | None:
        with lock:  # the next start, its centres drawn from the random state in order
            if stop():
                return None
            index = begun[0]
            begun[0] += 1
            if on_start is not None:
                on_start(index)
            run = KMeansRun(X, n_clusters, random_state=rng, **run_options)
        final = run.run(cancelled=stop)
        return None if stop() else (index, run, final)

    if X.X.shape[0] * X.X.shape[1] * n_clusters < _SIDE_BY_SIDE_MAX_WORK and n_init > 1:
        outcomes = side_by_side(one_start, range(n_init), stop, name="kmeans-starts")
    else:
        outcomes = []
        for item in range(n_init):
            outcomes.append(one_start(item))
            if outcomes[-1] is None:
                break
    if outcomes is None or any(outcome is None for outcome in outcomes):
        return None
    outcomes.sort(key=lambda outcome: outcome[0])  # in start order
    best: tuple[KMeansRun, Iteration, int] | None = None
    for index, run, final in outcomes:
        if best is None or (final.inertia < best[1].inertia
                            and not _same_clustering(final.labels, best[1].labels)):
            best = (run, final, index)
    inertia = [final.inertia for _, _, final in outcomes]
    return Starts(best[0], best[2], _readonly(np.array(inertia)))


def warm_up() -> None:
    """Compile (or load) the engine's kernels now; call from a worker thread.  On a
    first run after installing this takes about 10 s, most of it the whole-run loop."""
    if not _compiled.available():
        return
    X = np.zeros((2, 2))
    bounds = np.zeros(2)
    for dtype in (np.float64, np.float32):
        Xt = X.astype(dtype)
        _compiled.assign_full(Xt, Xt, bounds.astype(dtype))
    # The whole-run loop, and with it every kernel it calls, on float64 rows (tables,
    # points, the digits).
    points = np.arange(8.0).reshape(4, 2)
    KMeansRun(points, 2, init=points[:2], use_compiled=True).run()


def _same_clustering(labels: np.ndarray, kept: np.ndarray) -> bool:
    """scikit-learn's `_is_same_clustering`: every cluster of `labels` lies inside one
    cluster of `kept`."""
    # Distinct (label, kept) pairs counted with bincount: O(n), no sort (a sort of
    # 273,280 row pairs held the interpreter for a tenth of a second).
    labels, kept = labels.astype(np.int64), kept.astype(np.int64)
    pairs = np.count_nonzero(np.bincount(labels * (int(kept.max()) + 1) + kept))
    return pairs == np.count_nonzero(np.bincount(labels))


def inertia_from_sums(total_weighted_norm: float, C: np.ndarray, weight: np.ndarray,
                      sums: np.ndarray) -> float:
    """The inertia of an assignment from its cluster weights W_j and sums S_j:
    sum_i w_i |x_i - c_l(i)|^2 = sum w|x|^2 - 2 sum_j c_j.S_j + sum_j W_j |c_j|^2,
    O(k d) once the sums are known (`total_weighted_norm` is sum w|x|^2)."""
    C = np.asarray(C, dtype=np.float64).ravel()
    value = (
        total_weighted_norm
        - 2.0 * float(C @ np.asarray(sums, dtype=np.float64).ravel())
        + float(weight @ (C * C).reshape(len(weight), -1).sum(axis=1))
    )
    return max(value, 0.0)


def _check_random_state(seed: Any, make: bool = True) -> np.random.RandomState | None:
    """The random state a seed stands for, or with ``make=False`` only the check (a
    fresh RandomState seeds itself from the system in 0.2 ms, a tenth of a run on
    the digits, for runs that draw nothing)."""
    if isinstance(seed, np.random.RandomState):
        return seed
    if seed is None:
        return np.random.RandomState() if make else None
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        if not 0 <= seed < 2**32:
            raise ValueError(f"The seed must be between 0 and 2**32 - 1, not {seed}.")
        return np.random.RandomState(int(seed)) if make else None
    raise ValueError(f"The seed must be a whole number, not {seed!r}.")


def _chunk_rows(n_clusters: int, itemsize: int) -> int:
    return max(256, _CHUNK_BYTES // max(1, n_clusters * itemsize))


def nearest_centers(X: np.ndarray, C: np.ndarray, *, for_display: bool = False
                    ) -> np.ndarray:
    """Index of the nearest row of C for each row of X (first one on ties).

    The compiled kernel (threads, numba) for big inputs when numba is there, else
    scipy's BLAS as scikit-learn calls it.  ``for_display`` (the GUI thread's Voronoi
    cells) keeps to numpy's own matrix product: no numba and no scipy to import there,
    and a tie between two centres may fall the other way, which no one can see.
    """
    X = np.ascontiguousarray(X)
    C = np.ascontiguousarray(C, dtype=X.dtype)
    big = len(X) * len(C) * X.shape[1] >= _COMPILED_MIN_WORK
    if not for_display and big and _compiled.available():
        return _compiled.assign_full(X, C, np.ones(len(X), dtype=X.dtype))[0]
    return _nearest(X, C, scipy_blas=not for_display)[0]


def load_blas() -> None:
    """Import scipy's BLAS (which `_nearest` calls) in the calling thread now: a tenth
    of a second the first time, better spent on a worker than where a user waits."""
    from scipy.linalg import blas  # noqa: F401 - imported for the import's sake


def _nearest(X: np.ndarray, C: np.ndarray, *, scipy_blas: bool = True
             ) -> tuple[np.ndarray, np.ndarray]:
    """Nearest centre of each row of X and the squared distance to it, in chunks.

    The distances are ``|c|^2 - 2 x.c`` computed by BLAS gemm with alpha=-2 and
    beta=1 on a block pre-filled with ``|c|^2``: the very call scikit-learn makes, so
    rounding, and therefore ties and near-ties, come out the same (also in float32,
    where BLAS splits long dot products into blocks).  Without `scipy_blas`, numpy's
    matrix product (the same distances but for rounding).
    """
    gemm = None
    if scipy_blas:
        from scipy.linalg import blas

        gemm = blas.sgemm if X.dtype == np.float32 else blas.dgemm
    n, k = len(X), len(C)
    cn = np.einsum("ij,ij->i", C, C)
    labels = np.empty(n, dtype=np.intp)
    best = np.empty(n, dtype=np.float64)
    step = _chunk_rows(k, X.dtype.itemsize)
    Ct = C.T  # Fortran-ordered view: BLAS reads it without a copy
    for start in range(0, n, step):
        stop = min(start + step, n)
        dist = np.empty((stop - start, k), dtype=X.dtype)
        dist[:] = cn
        if gemm is None:
            dist -= 2 * (X[start:stop] @ Ct)
        else:  # column-major view of the row-major block: dist.T = -2 C X^T + dist.T
            gemm(-2.0, Ct, X[start:stop].T, 1.0, dist.T, trans_a=1, overwrite_c=1)
        lab = dist.argmin(axis=1)
        labels[start:stop] = lab
        best[start:stop] = np.take_along_axis(dist, lab[:, None], axis=1)[:, 0]
    return labels, best


def _cluster_sums(
    X: np.ndarray, w: np.ndarray, labels: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Weight and weighted sum of the samples of each cluster (in X's dtype)."""
    weight = np.bincount(labels, weights=w, minlength=k).astype(X.dtype)
    n, d = X.shape
    if d <= _BINCOUNT_MAX_FEATURES:
        # Sequential sums in sample order, like scikit-learn's single-chunk loop.
        sums = np.empty((k, d), dtype=X.dtype)
        for j in range(d):
            sums[:, j] = np.bincount(labels, weights=X[:, j] * w, minlength=k)
        return weight, sums
    sums = np.zeros((k, d), dtype=X.dtype)
    step = _chunk_rows(k, X.dtype.itemsize)
    for start in range(0, n, step):
        stop = min(start + step, n)
        onehot = np.zeros((k, stop - start), dtype=X.dtype)
        onehot[labels[start:stop], np.arange(stop - start)] = w[start:stop]
        sums += onehot @ X[start:stop]
    return weight, sums


def _relocate_empty_clusters(
    X: np.ndarray, w: np.ndarray, C_old: np.ndarray, sums: np.ndarray,
    weight: np.ndarray, labels: np.ndarray,
) -> None:
    """scikit-learn's `_relocate_empty_clusters_dense`, step for step (in place)."""
    empty = np.flatnonzero(weight == 0)
    n_empty = len(empty)
    if n_empty == 0:
        return
    distances = ((X - C_old[labels]) ** 2).sum(axis=1)
    far = np.argpartition(distances, -n_empty)[:-n_empty - 1:-1]
    if np.max(distances) == 0:
        return
    for new_id, far_idx in zip(empty, far):
        old_id = labels[far_idx]
        sums[old_id] -= X[far_idx] * w[far_idx]
        sums[new_id] = X[far_idx] * w[far_idx]
        weight[new_id] = w[far_idx]
        weight[old_id] -= w[far_idx]


def _average_centers(sums: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """scikit-learn's `_average_centers`: sums times 1/weight, in cluster order.

    An empty cluster takes the centre of the heaviest cluster *as it is at that moment
    of the loop*: if the heaviest comes later, that is still its unscaled sum.  This
    mirrors scikit-learn exactly.
    """
    centers = sums.copy()
    heaviest = int(np.argmax(weight))
    positive = weight > 0
    if positive.all():
        centers *= (1.0 / weight)[:, None].astype(sums.dtype)
        return centers
    for j in range(len(centers)):
        if positive[j]:
            centers[j] *= sums.dtype.type(1.0 / weight[j])
        else:
            centers[j] = centers[heaviest]
    return centers


def _farthest_first(X: np.ndarray, w: np.ndarray, k: int, rng: np.random.RandomState) -> np.ndarray:
    """Farthest-first traversal: a random (weighted) sample, then repeatedly the
    positive-weight sample farthest from the centres chosen so far."""
    candidates = np.flatnonzero(w > 0)
    first = rng.choice(candidates, p=w[candidates] / w[candidates].sum())
    chosen = [first]
    nearest = ((X[candidates] - X[first]) ** 2).sum(axis=1)
    for _ in range(k - 1):
        pick = candidates[int(np.argmax(nearest))]
        chosen.append(pick)
        np.minimum(nearest, ((X[candidates] - X[pick]) ** 2).sum(axis=1), out=nearest)
    return X[np.array(chosen)]
