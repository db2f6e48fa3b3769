"""The run controller: one worker QThread owns the engine; the GUI gets snapshots.

`KMeansWorker` lives in its own QThread and is the only object that touches the run
(a `core.engine.stepped.SteppedRun`: k-means, a mixture, a photo's colour run, made
from the plain-data `RunRequest` by `core.recipes`).  `RunController` lives on the GUI
thread; it talks to the worker through its own (queued) signals and re-emits the
worker's results from slots, so every public signal fires on the GUI thread.  Each
page has a controller of its own (see the README's architecture section).  Rules that keep it safe:

* worker signals connect only to slots of GUI-thread QObjects (a lambda would run on the
  worker thread);
* latest request wins: every command that supersedes running work bumps a generation
  number, which long loops (run to convergence, play) compare between iterations;
* snapshots are coalesced: when the worker is faster than painting, the controller
  keeps only the newest and emits at most about 60 per second, counting the rest;
* centres edited mid-run (a click adds one, a right-click removes one) change the
  state the user sees, with the request it belongs to: an edit meant for a run since
  replaced is dropped, and clicks faster than the worker wait their turn;
* a reopened session is replayed before anything is committed: a newer command stops
  the replay between half-steps, and a replay that fails (a mixture that collapses, a
  run that does not fit in memory) leaves the previous data and run on screen;
* `shutdown()` stops the play timer in its own thread, quits and joins the thread, or
  abandons it after `SHUTDOWN_WAIT_MS` when it is inside one long step.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from pathlib import PurePath
from typing import Any

import numpy as np
from PySide6.QtCore import (
    QCoreApplication,
    QElapsedTimer,
    QObject,
    QThread,
    QTimer,
    Signal,
    Slot,
)

from kmeans_studio.core.checks import error_sentence
from kmeans_studio.core.data.datasets import Dataset
from kmeans_studio.core.engine.history import Iteration
from kmeans_studio.core.engine.kmeans import best_of_starts, load_blas
from kmeans_studio.core.engine.models import MODELS
from kmeans_studio.core.engine.parallel import lowest_priority
from kmeans_studio.core.engine.stepped import SteppedRun
from kmeans_studio.core.limits import check_run
from kmeans_studio.core.parameters import RunParameters, specs
from kmeans_studio.core.recipes import make_run, recipe_for
from kmeans_studio.qt.contracts import RunRequest, Snapshot

#: Minimum interval between two painted snapshots (about 60 Hz).
PAINT_INTERVAL_MS = 16
#: Minimum interval between two progress reports of a replay (signals are kept few).
REPLAY_REPORT_S = 0.1
#: The longest `RunController.shutdown` waits for its worker: one E-step of a big
#: mixture can take minutes, and closing the window must not wait for it.
SHUTDOWN_WAIT_MS = 1000

#: The most centres an edit may leave (the k a page's spin box offers).
MAX_CENTERS = int(specs(RunParameters)["n_clusters"].high)
#: Why the last centre stays.
LAST_CENTER = "A run needs at least one centre: the last one cannot be removed."

#: Worker threads that did not stop within `SHUTDOWN_WAIT_MS`, with their workers:
#: [(thread, worker)], until they end by themselves (see `_abandon`).
_abandoned: list[tuple[QThread, QObject]] = []


def _file_name(request: RunRequest) -> str | None:
    """The name of the file a request reads, for messages (None for other data)."""
    path = request.data.path
    return None if path is None else PurePath(path).name


def _failure(exc: Exception, name: str | None = None) -> str:
    """One sentence for why a run (of the data of file `name`) could not be made."""
    if isinstance(exc, MemoryError) and name is None:
        return ("This run does not fit in the memory free now; ask for fewer points, "
                "clusters or features.")
    return error_sentence(exc, name)


def _edit_refusal(change: str, k: int) -> str | None:
    """Why a centre cannot be added to (or removed from) `k` centres, or None."""
    if change == "remove" and k <= 1:
        return LAST_CENTER
    if change == "add" and k >= MAX_CENTERS:
        return (f"A run has at most {MAX_CENTERS} centres: remove one before adding "
                "another.")
    return None


def _follows(trails: list, expected: list) -> bool:
    """Whether a replayed run's stretches [(state, trail)] are the saved ones."""
    if len(trails) != len(expected):
        return False
    for (start, trail), (want_start, want) in zip(trails, expected):
        scale = max(1.0, float(np.abs(want).max()))
        if (start != want_start or trail.shape != want.shape
                or np.abs(trail - want).max() > 1e-6 * scale):
            return False
    return True


def _abandon(thread: QThread, worker: QObject) -> None:
    """Leave a worker thread that did not stop in time (inside one long step, or a
    read that cannot be interrupted).  It has been told to stop and to quit, and ends
    by itself at its next check, meanwhile at the lowest CPU priority.  Qt aborts the
    process when a running QThread is destroyed, which Python would do at exit: the
    thread object is handed to the main thread's (which lives as long as the process)
    and the worker is kept, so an abandoned thread simply dies with the process."""
    _abandoned[:] = [(t, w) for t, w in _abandoned if not t.isFinished()]
    if getattr(worker, "native_id", None) is not None:
        lowest_priority(worker.native_id)
    app = QCoreApplication.instance()
    if app is not None:
        thread.setParent(app.thread())
    _abandoned.append((thread, worker))


def abandoned_running() -> int:
    """How many abandoned worker threads still run (for tests and the exit path)."""
    return sum(1 for thread, _ in _abandoned if thread.isRunning())


class KMeansWorker(QObject):
    """Owns the data and the engine; lives in the controller's QThread."""

    snapshot_ready = Signal(object)
    data_ready = Signal(object, object)  # dataset, the request it was loaded for
    failed = Signal(str)
    warned = Signal(str)
    finished = Signal()
    playing_changed = Signal(bool)
    busy = Signal(str, int, int)  # what, done, total (0: unknown); "" when idle
    synced = Signal()
    refused = Signal(str)
    edited = Signal()  # an edit of the centres was carried out, refused or dropped

    def __init__(self) -> None:
        super().__init__()
        self.latest_generation = 0  # written by the GUI thread; read between iterations
        # The generation of the newest command that replaces the run (start, placed
        # centres, shutdown).  A start is superseded only by those: a step or play
        # queued behind it applies to the run it makes.
        self.latest_start = 0
        self.gui_ready = True  # False from an emitted snapshot until the GUI painted it
        self._warmed = False
        self._timer: QTimer | None = None
        self._play_generation = -1
        self._request: RunRequest | None = None
        # The loaded data's key, as it was when they loaded (data on a dask cluster are
        # named by the cluster too: `Table.key`).
        self._data_key = None
        self._dataset: Dataset | None = None
        self._run: SteppedRun | None = None
        self._cursor = 0
        self._objective: list[float] = []
        self._states: OrderedDict[int, Iteration] = OrderedDict()
        self._start_info: tuple[int, int] | None = None  # (best start, starts) shown
        self.native_id: int | None = None  # of its thread, once started

    @Slot()
    def note_thread(self) -> None:
        """Called in the worker's thread as it starts: its id, to lower its priority
        should it ever be abandoned."""
        self.native_id = threading.get_native_id()

    # -- commands (queued from the controller)
    @Slot()
    def warm_up_once(self) -> None:
        """Load scipy's BLAS (the numpy way's assignment calls it) and compile (or
        load) the engine's kernels, once the GUI has drawn the first state (their
        imports hold the GIL a third of a second, and the GUI thread waited on them):
        small data need only the first, big data both."""
        if self._warmed:
            return
        self._warmed = True
        load_blas()
        from kmeans_studio.core.engine.kmeans import warm_up

        try:
            warm_up()
        except Exception as exc:  # noqa: BLE001 - the numpy path still works
            self.failed.emit(f"The fast kernels could not be compiled ({exc}); using numpy.")

    @Slot(object, int)
    def start(self, request: RunRequest, generation: int) -> None:
        if generation != self.latest_start:
            return  # superseded before it began
        self._stop_timer()
        # Build the new data and run, and replay a session's run, first; commit only
        # when all succeed, so a bad request (or a cancelled one, or a session whose
        # mixture collapses) leaves the previous data and run on screen.
        said_busy = False
        try:
            data_key = request.data_key
            same_data = self._dataset is not None and data_key == self._data_key
            if not same_data:
                said_busy = True
                self.busy.emit("Loading the data…", 0, 0)
            dataset = self._dataset if same_data else self._load(request, generation)
            if generation != self.latest_start or dataset is None:
                return  # cancelled while loading: the data are dropped
            run, start_info = (None, None) if request.init is None else self._new_run(
                request, request.init, dataset, generation)
            if run is False:
                return  # cancelled among the starts by a newer command
            cursor = 0
            if run is not None and (request.advance_to or request.expected_trail is not None):
                said_busy = True
                cursor = self._replay(run, request, generation)
                if cursor is None:
                    return  # a newer command came during the replay
        except Exception as exc:  # noqa: BLE001 - a hostile file's data: said, never raised
            self.failed.emit(_failure(exc, _file_name(request)))
            return
        finally:
            if said_busy or (request.n_init > 1 and isinstance(request.init, str)):
                self.busy.emit("", 0, 0)
        self._start_info = start_info
        self._request = request
        if not same_data:
            self._dataset, self._data_key = dataset, data_key
            self.data_ready.emit(dataset, request)
        self._set_run(run, cursor)
        if run is not None and request.run_to_end and not request.advance_to:
            self.run_to_end(generation)  # stops at any newer command, as the action's

    def _load(self, request: RunRequest, generation: int) -> Dataset | None:
        if not request.reads_in_chunks:
            return request.data.load()

        def progress(done: int, total: int) -> None:
            self.busy.emit("Reading the table…", done * 1000 // max(total, 1), 1000)

        return request.data.load(cancelled=lambda: generation != self.latest_start,
                                 progress=progress)

    def _replay(self, run: SteppedRun, request: RunRequest, generation: int) -> int | None:
        """Advance a reopened session's run to its saved state, with progress; None
        when a newer command came meanwhile (asked between half-steps: a mixture's
        saved history can take many minutes to replay); its edits of the centres are
        made again at their states.  Say so if the centres do not follow the saved ones
        (the data changed since)."""
        target, reported = request.advance_to, time.perf_counter()
        edits = list(request.edits)
        while len(run.history) <= target:
            if generation != self.latest_start:
                return None
            if edits and len(run.history) == edits[0][0]:
                run.edit_centers(edits.pop(0)[1][0])
            elif run.done:
                break
            else:
                run.advance()
            if time.perf_counter() - reported >= REPLAY_REPORT_S:
                reported = time.perf_counter()
                self.busy.emit("Replaying the session…", len(run.history) - 1, target)
        if generation != self.latest_start:
            return None
        cursor = min(target, len(run.history) - 1)
        expected = request.expected_trail
        if expected is not None:
            if not _follows(run.center_trails(cursor), [(0, expected), *request.edits]):
                self.warned.emit("The run does not follow the saved session: the data "
                                 "have changed since it was saved. Showing the run on the "
                                 "data as they are now.")
        return cursor

    @Slot(object, int)
    def set_centers(self, centers: np.ndarray, generation: int) -> None:
        """Hand-placed or dragged centres; the assignment follows at once."""
        if generation != self.latest_start or self._request is None:
            return
        self._stop_timer()
        try:
            if len(centers) == 0:
                self._set_run(None)
                return
            if self._run is None:
                run, _ = self._new_run(self._request, np.asarray(centers), self._dataset)
            else:
                run = self._run
                run.set_centers(centers)
            run.assign()
        except (ValueError, MemoryError) as exc:
            self.failed.emit(_failure(exc))
            return
        self._start_info = None
        self._set_run(run, cursor=len(run.history) - 1)

    @Slot(str, object, int, object)
    def edit_centers(self, change: str, point: np.ndarray, at: int,
                     request: RunRequest) -> None:
        """A centre added at `point` ("add"), or the one nearest `point` removed
        ("remove"), in state `at` of the run of `request` (-1: the state shown now);
        the states after it are dropped and the run goes on from the edited state."""
        try:
            if request is not self._request or self._run is None:
                return  # meant for a run since replaced
            self._stop_timer()
            run = self._run
            index = self._cursor if not 0 <= at < len(run.history) else at
            centers = run.center_trail(index)[-1]  # the centres of state `index`
            refusal = _edit_refusal(change, len(centers))
            if refusal is not None:
                self.refused.emit(refusal)
                return
            if change == "add":
                centers = np.vstack([centers, np.reshape(point, (1, -1))])
            else:
                nearest = int(np.argmin(((centers - np.ravel(point)) ** 2).sum(axis=1)))
                centers = np.delete(centers, nearest, axis=0)
            try:
                run.edit_centers(centers, at=index)
            except (ValueError, MemoryError) as exc:
                self.refused.emit(_failure(exc))
                return
            self._states.clear()  # (the states after `index` are gone)
            self._objective = run.objectives()
            self._cursor = len(run.history) - 1
            self._emit()
        finally:
            self.edited.emit()

    @Slot()
    def step_forward(self) -> None:
        if self._advance():
            self._emit()

    @Slot()
    def step_back(self) -> None:
        self._stop_timer()
        if self._run is not None and self._cursor > 0:
            self._cursor -= 1
            self._emit()

    @Slot(int)
    def seek(self, index: int) -> None:
        self._stop_timer()
        if self._run is not None and 0 <= index < len(self._run.history):
            self._cursor = index
            self._emit()

    @Slot()
    def reset(self) -> None:
        self.seek(0)

    @Slot(float, int)
    def play(self, rate: float, generation: int) -> None:
        if generation != self.latest_generation or self._run is None:
            self.playing_changed.emit(False)
            return
        if self._timer is None:
            self._timer = QTimer(self)  # created here: it lives in the worker thread
            self._timer.timeout.connect(self._tick)
        self._play_generation = generation
        self._timer.setInterval(max(1, round(1000 / rate)))
        if not self._timer.isActive():
            self._timer.start()
            self.playing_changed.emit(True)

    @Slot(float)
    def set_rate(self, rate: float) -> None:
        if self._timer is not None:
            self._timer.setInterval(max(1, round(1000 / rate)))

    @Slot()
    def pause(self) -> None:
        self._stop_timer()

    @Slot(int)
    def run_to_end(self, generation: int) -> None:
        self._stop_timer()
        if self._run is None:
            return  # no run yet (data still loading, or failed): nothing to show
        last = 0.0
        # Said once: signals across threads are kept few.
        self.busy.emit("Running to convergence…", 0, 0)
        try:
            while generation == self.latest_generation and self._advance():
                # Snapshots (and image previews) no faster than the screen can show
                # them, and none while the GUI still paints the last one (else
                # painting hogs the GUI thread and the GIL); the last state is sent
                # after the loop.
                now = time.perf_counter()
                if now - last >= PAINT_INTERVAL_MS / 1000 and self.gui_ready:
                    last = now
                    self._emit()
        finally:
            self.busy.emit("", 0, 0)
        self._emit()

    @Slot()
    def sync(self) -> None:
        """Every command sent before this one has been carried out."""
        self.synced.emit()

    @Slot()
    def shutdown(self) -> None:
        self._stop_timer()
        if self._timer is not None:
            self._timer.deleteLater()
            self._timer = None
        self.thread().quit()

    # -- internals
    def _new_run(self, request: RunRequest, init: Any, dataset: Dataset,
                 generation: int | None = None) -> tuple[SteppedRun | bool, tuple | None]:
        """(run, (best start, starts) or None); with several starts the run is the best
        of them, or False when a newer command cancelled them.  The model and what the
        data add to it (a photo's start and colour run) come from their registries."""
        recipe, model = recipe_for(request.data), MODELS[request.model]
        if isinstance(init, str) and recipe.start is not None:  # a pixel or row sample
            init = recipe.start(dataset, request.n_clusters, request.random_state, init)
        n_clusters = len(init) if not isinstance(init, str) else request.n_clusters
        # Refused in a sentence before anything is allocated (a 4 KB session asked
        # for a million points in a full mixture of 256 components: 10.5 GB).
        check_run(dataset.n_samples, n_clusters, dataset.n_features, request.model,
                  request.max_iter)
        if model.starts and request.n_init > 1 and isinstance(init, str):
            starts = best_of_starts(
                dataset.X, n_clusters, request.n_init, init=init,
                sample_weight=dataset.sample_weight, random_state=request.random_state,
                max_iter=request.max_iter, tol=request.tol,
                cancelled=lambda: generation != self.latest_start,
                on_start=lambda i: self.busy.emit(
                    f"Start {i + 1} of {request.n_init}…", i, request.n_init))
            if starts is None:
                return False, None
            return starts.best, (starts.index, request.n_init)
        return make_run(request.data, request.model, dataset, init, n_clusters=n_clusters,
                        random_state=request.random_state, max_iter=request.max_iter,
                        tol=request.tol), None

    def _set_run(self, run: SteppedRun | None, cursor: int = 0) -> None:
        self._run = run
        self._states.clear()
        self._objective = [] if run is None else run.objectives()
        self._cursor = cursor
        self._emit()

    def _advance(self) -> bool:
        """Move the cursor one state forward, computing it if needed."""
        run = self._run
        if run is None:
            return False
        if self._cursor < len(run.history) - 1:
            self._cursor += 1
            return True
        if run.done:
            self._stop_timer()
            self.finished.emit()
            return False
        try:
            state = run.advance()
        except (ValueError, MemoryError) as exc:  # a mixture whose covariance collapsed
            self._stop_timer()
            self.failed.emit(_failure(exc))
            return False
        self._objective.append(state.objective)
        self._cursor = len(run.history) - 1
        return True

    @Slot()
    def _tick(self) -> None:
        if self._play_generation != self.latest_generation or not self._advance():
            self._stop_timer()
            return
        # Coalesce at the source: while the GUI has not painted the last snapshot,
        # keep iterating but build no new one (previews cost time and the GIL).
        if self.gui_ready or self._run.done:
            self._emit()

    def _stop_timer(self) -> None:
        if self._timer is not None and self._timer.isActive():
            self._timer.stop()
            self.playing_changed.emit(False)

    def _state(self, index: int) -> Iteration:
        # A few materialised states are kept: stepping back and forth does not expand
        # labels again, and memory stays bounded for big images.
        if index not in self._states:
            self._states[index] = self._run.history[index]
            while len(self._states) > 8:
                self._states.popitem(last=False)
        else:
            self._states.move_to_end(index)
        return self._states[index]

    def _emit(self) -> None:
        if self._dataset is None:
            return  # before the first data: the views have nothing to show
        run, i = self._run, self._cursor
        if run is None:
            snapshot = Snapshot(None, None, 0, 0, np.empty(0), np.empty((0, 0, 0)),
                                False, self._dataset, request=self._request)
        else:
            state = self._state(i)
            previous = self._state(i - 1) if i > 0 else None
            stretches = tuple(run.center_trails(i))
            for _, trail in stretches:
                trail.setflags(write=False)
            trail = stretches[-1][1]  # the stretch of state i
            objective = np.array(self._objective)
            objective.setflags(write=False)
            done = run.done and i == len(run.history) - 1
            derive = recipe_for(self._request.data).derive
            derived = None if derive is None else derive(self._dataset, state, done)
            snapshot = Snapshot(state, previous, i, len(run.history), objective, trail,
                                done, self._dataset, derived, self._start_info, self._request,
                                stretches)
        self.gui_ready = False
        self.snapshot_ready.emit(snapshot)


class RunController(QObject):
    """GUI-thread face of the worker: commands in, snapshots out (on the GUI thread).

    Signals
    -------
    iteration_done(Snapshot)
        A new state to show (coalesced to at most ~60 per second).
    data_changed(Dataset, RunRequest)
        New data were loaded (for that request).
    finished()
        The run reached its end (converged or at max_iter).
    failed(str)
        A request could not be carried out; the sentence says why.  The previous state
        is kept.
    warned(str)
        A request was carried out, but something in it deserves a sentence.
    refused(str)
        An edit of the centres was refused before anything changed (the last centre,
        a mixture's means); the sentence says why.
    busy(str, int, int)
        Long work under way (what, done, total; total 0 when unknown), or "" when the
        worker is idle again.  `cancel()` stops it.
    playing_changed(bool)
        Play started or stopped.
    synced()
        The worker has carried out every command sent before `sync()`.
    """

    iteration_done = Signal(object)
    data_changed = Signal(object, object)
    finished = Signal()
    failed = Signal(str)
    warned = Signal(str)
    refused = Signal(str)
    busy = Signal(str, int, int)
    playing_changed = Signal(bool)
    synced = Signal()

    # Commands to the worker: queued, because the worker lives in another thread.
    _start_requested = Signal(object, int)
    _centers_requested = Signal(object, int)
    _edit_requested = Signal(str, object, int, object)
    _step_requested = Signal()
    _back_requested = Signal()
    _seek_requested = Signal(int)
    _reset_requested = Signal()
    _play_requested = Signal(float, int)
    _rate_changed = Signal(float)
    _pause_requested = Signal()
    _run_to_end_requested = Signal(int)
    _shutdown_requested = Signal()
    _sync_requested = Signal()
    _warm_up_requested = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._generation = 0
        self._lock = threading.Lock()
        self.snapshot: Snapshot | None = None
        self.skipped = 0  # snapshots replaced by a newer one before being painted
        self.playing = False
        self.rate = 4.0
        self._pending: Snapshot | None = None
        self._since_paint = QElapsedTimer()
        self._paint_timer = QTimer(self)
        self._paint_timer.setSingleShot(True)
        self._paint_timer.timeout.connect(self._paint)
        self._centers_in_flight = False
        self._next_centers: np.ndarray | None = None
        self._edit_in_flight = False
        self._next_edits: list[tuple[str, np.ndarray, RunRequest]] = []

        self._thread = QThread()
        self._thread.setObjectName("kmeans-worker")
        self._worker = KMeansWorker()
        self._worker.moveToThread(self._thread)
        w = self._worker
        self._thread.started.connect(w.note_thread)
        self._start_requested.connect(w.start)
        self._centers_requested.connect(w.set_centers)
        self._edit_requested.connect(w.edit_centers)
        self._step_requested.connect(w.step_forward)
        self._back_requested.connect(w.step_back)
        self._seek_requested.connect(w.seek)
        self._reset_requested.connect(w.reset)
        self._play_requested.connect(w.play)
        self._rate_changed.connect(w.set_rate)
        self._pause_requested.connect(w.pause)
        self._run_to_end_requested.connect(w.run_to_end)
        self._shutdown_requested.connect(w.shutdown)
        self._sync_requested.connect(w.sync)
        self._warm_up_requested.connect(w.warm_up_once)
        w.synced.connect(self._on_synced)
        w.snapshot_ready.connect(self._on_snapshot)
        w.data_ready.connect(self._on_data)
        w.failed.connect(self._on_failed)
        w.warned.connect(self._on_warned)
        w.refused.connect(self._on_refused)
        w.edited.connect(self._on_edited)
        w.busy.connect(self._on_busy)
        w.finished.connect(self._on_finished)
        w.playing_changed.connect(self._on_playing)
        # The thread starts with the first command: a page never shown costs no thread
        # (the window has one controller per page, and starts on one of them).
        self._started = False
        self._stopped = self._joined = False

    # -- public commands
    def start(self, request: RunRequest) -> None:
        """Load data if needed and start a new run (cancels whatever runs now)."""
        self._start_requested.emit(request, self._bump(replaces_run=True))

    def set_centers(self, centers: np.ndarray) -> None:
        """Restart from hand-placed centres; while one is computing, only the newest
        of the next ones is sent (dragging stays fluid)."""
        centers = np.array(centers, dtype=float).reshape(len(centers), -1)
        if self._centers_in_flight:
            self._next_centers = centers
            return
        self._centers_in_flight = True
        self._centers_requested.emit(centers, self._bump(replaces_run=True))

    def add_center(self, point) -> None:
        """Mid-run, a centre at `point` added to the state shown; the run goes on from
        there (the states after the one shown are dropped)."""
        self._edit("add", point)

    def remove_center(self, point) -> None:
        """Mid-run, the centre of the state shown nearest `point` removed (never the
        last: `refused` says so); the run goes on from there."""
        self._edit("remove", point)

    def _edit(self, change: str, point) -> None:
        snapshot = self.snapshot
        if snapshot is None or snapshot.iteration is None or snapshot.request is None:
            return  # no centres shown: nothing to edit
        point = np.array(point, dtype=float).ravel()
        if self._edit_in_flight:  # after it, on the state it makes
            self._next_edits.append((change, point, snapshot.request))
            return
        refusal = _edit_refusal(change, snapshot.iteration.n_clusters)
        if refusal is not None:
            self.refused.emit(refusal)
            return
        self._send_edit(change, point, snapshot.index, snapshot.request)

    def _send_edit(self, change: str, point: np.ndarray, at: int,
                   request: RunRequest) -> None:
        self._edit_in_flight = True
        self._bump()  # (stops playing and running to the end)
        self._edit_requested.emit(change, point, at, request)

    def step(self) -> None:
        """One half-step forward (from the history when there, else computed)."""
        self._step_requested.emit()

    def step_back(self) -> None:
        """One half-step back, from the history (no recomputation)."""
        self._back_requested.emit()

    def seek(self, index: int) -> None:
        """Show the state at `index` of the history."""
        self._seek_requested.emit(index)

    def reset(self) -> None:
        """Back to the initial centres (the history is kept for stepping forward)."""
        self._reset_requested.emit()

    def play(self) -> None:
        self._play_requested.emit(self.rate, self._bump())

    def pause(self) -> None:
        self._bump()
        self._pause_requested.emit()

    def toggle_play(self) -> None:
        self.pause() if self.playing else self.play()

    def set_rate(self, rate: float) -> None:
        """Half-steps per second while playing (1 to 60)."""
        self.rate = float(min(60.0, max(1.0, rate)))
        self._rate_changed.emit(self.rate)

    def cancel(self) -> None:
        """Stop the long work under way (loading, starts, running to convergence);
        what was on screen before stays there."""
        self._bump(replaces_run=True)
        self._pause_requested.emit()

    def run_to_end(self) -> None:
        """Iterate until convergence (cancelled by any newer command)."""
        self._run_to_end_requested.emit(self._bump())

    def sync(self) -> None:
        """Ask the worker to say (`synced`) once it has carried out every command sent
        before, and the GUI has been given every state it made meanwhile: what a test
        waits for before it checks that nothing more happens."""
        self._run_thread()
        self._sync_requested.emit()

    def stop(self) -> None:
        """Tell the worker to stop everything and quit, without waiting (`shutdown`
        waits): a window with several runs tells them all first."""
        if self._stopped or not self._thread.isRunning():
            self._started = True
            return
        self._stopped = True
        self._bump(replaces_run=True)
        self._paint_timer.stop()
        self._shutdown_requested.emit()

    def shutdown(self) -> None:
        """Stop everything and join the worker thread (call before the app exits); a
        thread never started never starts after this.  A worker inside one long step
        (an E-step of a big mixture, a read that cannot be interrupted) is waited for
        `SHUTDOWN_WAIT_MS` at most, then abandoned: it ends by itself."""
        if self._joined:
            return
        self.stop()
        self._joined = True
        if self._thread.isRunning() and not self._thread.wait(SHUTDOWN_WAIT_MS):
            _abandon(self._thread, self._worker)
        # Results the worker sent before it stopped may still be queued for this
        # thread; the window is going away, so they are passed on to nobody.
        self.blockSignals(True)

    def _run_thread(self) -> None:
        """Start the worker's thread, once (commands sent before wait in its queue)."""
        if not self._started:
            self._started = True
            self._thread.start()

    # -- worker results (GUI thread)
    def _bump(self, replaces_run: bool = False) -> int:
        """A new generation: long loops of older ones stop between iterations; with
        `replaces_run`, starts not yet begun (or among their starts) are dropped too."""
        self._run_thread()
        with self._lock:
            self._generation += 1
            self._worker.latest_generation = self._generation
            if replaces_run:
                self._worker.latest_start = self._generation
            return self._generation

    @Slot(object)
    def _on_snapshot(self, snapshot: Snapshot) -> None:
        if self._pending is not None:
            self.skipped += 1
        self._pending = snapshot
        if self._centers_in_flight:
            self._centers_in_flight = False
            if self._next_centers is not None:
                centers, self._next_centers = self._next_centers, None
                self.set_centers(centers)
        # (Read once: read twice, the clock can pass the interval between the reads.)
        elapsed = self._since_paint.elapsed() if self._since_paint.isValid() else PAINT_INTERVAL_MS
        if elapsed >= PAINT_INTERVAL_MS:
            self._paint()
        elif not self._paint_timer.isActive():
            self._paint_timer.start(PAINT_INTERVAL_MS - elapsed)

    @Slot()
    def _paint(self) -> None:
        snapshot, self._pending = self._pending, None
        if snapshot is None:
            return
        self._since_paint.start()
        first = self.snapshot is None
        self.snapshot = snapshot
        self.iteration_done.emit(snapshot)
        self._worker.gui_ready = True  # a plain attribute: read by the worker's timer
        if first:  # once the views are drawn (see `KMeansWorker.warm_up_once`)
            QTimer.singleShot(0, self, self._warm_up_requested.emit)

    @Slot()
    def _on_synced(self) -> None:
        self._paint()  # a snapshot held back for the paint interval is shown first
        self.synced.emit()

    @Slot(object, object)
    def _on_data(self, dataset: Dataset, request: RunRequest) -> None:
        self.data_changed.emit(dataset, request)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._centers_in_flight = False
        self.failed.emit(message)

    @Slot(str)
    def _on_warned(self, message: str) -> None:
        self.warned.emit(message)

    @Slot(str)
    def _on_refused(self, message: str) -> None:
        self.refused.emit(message)

    @Slot()
    def _on_edited(self) -> None:
        self._edit_in_flight = False
        if self._next_edits:
            change, point, request = self._next_edits.pop(0)
            self._send_edit(change, point, -1, request)

    @Slot(str, int, int)
    def _on_busy(self, what: str, done: int, total: int) -> None:
        self.busy.emit(what, done, total)

    @Slot()
    def _on_finished(self) -> None:
        self.finished.emit()

    @Slot(bool)
    def _on_playing(self, playing: bool) -> None:
        self.playing = playing
        self.playing_changed.emit(playing)
