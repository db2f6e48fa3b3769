"""The run controller and the background-job API on their own, without a window."""

import dataclasses
import os
import sys
import threading

import numpy as np

from kmeans_studio.qt.contracts import RunRequest
from kmeans_studio.qt.controller import RunController
from kmeans_studio.qt.jobs import BackgroundJob

from .helpers import blobs_request, given_data, settle, with_model


def test_steps_back_and_forth_through_the_history(controller, qtbot):
    controller.start(blobs_request())
    qtbot.waitUntil(lambda: controller.snapshot is not None)
    for _ in range(4):
        controller.step()
    settle(qtbot, controller)
    assert controller.snapshot.index == 4
    controller.step_back()
    settle(qtbot, controller)
    assert controller.snapshot.index == 3 and controller.snapshot.n_states == 5


def test_the_newest_request_wins(controller, qtbot):
    for seed in range(5):
        controller.start(blobs_request(random_state=seed))
    settle(qtbot, controller)
    assert controller.snapshot.request.data.random_state == 4
    seeds = [s.request.data.random_state for s in controller.shown]
    assert seeds == sorted(seeds)  # never an older request's state after a newer one


def test_cancel_keeps_the_state_shown(controller, qtbot):
    controller.start(blobs_request(n_samples=200_000))
    qtbot.waitUntil(lambda: controller.snapshot is not None, timeout=60_000)
    before = controller.snapshot
    controller.run_to_end()
    controller.cancel()
    settle(qtbot, controller)
    assert controller.snapshot.request is before.request


def test_a_failing_request_says_why_and_keeps_the_run(controller, qtbot):
    controller.start(blobs_request())
    qtbot.waitUntil(lambda: controller.snapshot is not None)
    before = controller.snapshot
    with qtbot.waitSignal(controller.failed) as said:
        controller.start(blobs_request(shape="cubes"))
    assert said.args[0].startswith("Unknown shape 'cubes'")
    settle(qtbot, controller)
    assert controller.snapshot is before


def held_work(result):
    """Work that, like a quantizer that cannot be interrupted, stays inside until
    `release` is set: (work, inside, release, the native ids of its threads)."""
    inside, release, threads = threading.Event(), threading.Event(), []

    def work(cancelled, progress):
        threads.append(threading.get_native_id())
        inside.set()
        release.wait(30)
        return result
    return work, inside, release, threads


def test_a_newer_job_abandons_the_older_one_and_only_it_reports(qtbot):
    job = BackgroundJob("test")
    results = []
    job.succeeded.connect(results.append)
    stuck, inside, release, stuck_thread = held_work("old")
    job.start(stuck)
    assert inside.wait(30)
    with qtbot.waitSignal(job.succeeded):
        job.start(lambda cancelled, progress: "new")  # not waiting for the stuck one
    if sys.platform.startswith("linux"):  # the abandoned work yields the CPU to all
        assert os.getpriority(os.PRIO_PROCESS, stuck_thread[0]) == 19
        assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) < 19
    release.set()
    qtbot.waitUntil(lambda: not any(t.name == "test" and t.is_alive()
                                    for t in threading.enumerate()))
    assert results == ["new"]


def test_a_job_reports_progress_failure_and_cancel(qtbot):
    job = BackgroundJob("test")
    steps = []
    job.progressed.connect(lambda done, total: steps.append((done, total)))

    def counting(cancelled, progress):
        for i in range(3):
            progress(i + 1, 3)
        return "done"
    with qtbot.waitSignal(job.succeeded):
        job.start(counting)
    assert steps == [(1, 3), (2, 3), (3, 3)]
    with qtbot.waitSignal(job.failed) as said:
        job.start(lambda cancelled, progress: 1 / 0)
    assert said.args[0] == "This could not be done (ZeroDivisionError: division by zero)."
    go = threading.Event()

    def waiting(cancelled, progress):
        go.wait(30)
        return None if cancelled() else "finished"
    job.start(waiting)
    with qtbot.waitSignal(job.cancelled):
        job.cancel(wait=False)
        go.set()


def test_a_job_is_running_from_its_start_to_its_end_and_cancel_waits_for_it(qtbot):
    """`running` holds from `start` (its thread is launched without waiting) until the
    work has ended; `cancel()` returns only then."""
    job = BackgroundJob("test")
    inside, ended = threading.Event(), []

    def slow(cancelled, progress):
        inside.set()
        while not cancelled():
            threading.Event().wait(0.001)
        ended.append(True)
        return None
    job.start(slow)
    assert job.running
    assert inside.wait(30)
    job.cancel()
    assert ended == [True] and not job.running


def test_a_job_outliving_its_window_reports_into_nothing(qtbot):
    """The window (receiver) is deleted while the work runs; the late result goes
    nowhere and nothing crashes (a job that was the window's Qt child had been deleted
    with it while its helper thread emitted into it)."""
    from PySide6.QtWidgets import QWidget

    class Receiver(QWidget):
        got: list = []

        def take(self, result):
            Receiver.got.append(result)

    receiver = Receiver()
    job = BackgroundJob("test")
    job.succeeded.connect(receiver.take)
    late, inside, release, _ = held_work("late")
    job.start(late)
    assert inside.wait(30)
    with qtbot.waitSignal(receiver.destroyed):
        receiver.deleteLater()
    del receiver
    with qtbot.waitSignal(job.succeeded):
        release.set()
    qtbot.waitUntil(lambda: not job.running)
    assert Receiver.got == []


class EndlessRun:
    """A run that never ends by itself: each half-step calls `step()` first (a step
    of a big mixture that takes minutes, made controllable)."""

    def __init__(self, step=lambda: None):
        self.history, self.done, self._step = [None], False, step

    def advance(self):
        self._step()
        self.history.append(None)


def replay_request(run, monkeypatch, **changes):
    """A session's replay (to a state it never reaches) of `run` on 80 blobs."""
    with_model(monkeypatch, "endless", lambda *args, **options: run)
    return dataclasses.replace(blobs_request(n_samples=80), model="endless",
                               init=np.zeros((4, 2)), advance_to=10**9, **changes)


def replaying(what, *args):
    return what == "Replaying the session…"


def test_a_long_replay_is_cancelled_or_superseded_between_half_steps(controller, qtbot,
                                                                     monkeypatch):
    """A replay that would take for ever (a 9 MB mixture session took 37 minutes) stops
    at Cancel or a newer request, and none of it is shown."""
    controller.start(blobs_request())
    qtbot.waitUntil(lambda: controller.snapshot is not None)
    before, loaded = controller.snapshot, []
    controller.data_changed.connect(lambda data, request: loaded.append(request))
    cancelled = EndlessRun()
    with qtbot.waitSignal(controller.busy, check_params_cb=replaying, timeout=60_000):
        controller.start(replay_request(cancelled, monkeypatch))
    controller.cancel()
    settle(qtbot, controller)  # the worker took the command after the replay
    assert controller.snapshot is before and loaded == []
    steps = len(cancelled.history)
    settle(qtbot, controller)
    assert len(cancelled.history) == steps  # it stopped, not merely went unshown

    superseded = EndlessRun()
    with qtbot.waitSignal(controller.busy, check_params_cb=replaying, timeout=60_000):
        controller.start(replay_request(superseded, monkeypatch))
    controller.start(blobs_request(random_state=3))
    qtbot.waitUntil(lambda: controller.snapshot.request.data.random_state == 3,
                    timeout=60_000)
    steps = len(superseded.history)
    settle(qtbot, controller)
    assert len(superseded.history) == steps
    assert [r.data.random_state for r in loaded] == [3]


def test_a_replay_that_fails_keeps_the_data_and_the_run(controller, qtbot):
    """A session's mixture that collapses during its replay: one sentence, and the data
    and run shown before stay (the new data are not shown with the old run)."""
    from kmeans_studio.core.data.datasets import Dataset

    controller.start(blobs_request())
    qtbot.waitUntil(lambda: controller.snapshot is not None)
    before, loaded = controller.snapshot, []
    controller.data_changed.connect(lambda data, request: loaded.append(request))
    x = np.arange(80.0) * 1e4  # on a line: a covariance turns singular at state 8
    line = Dataset("line", np.column_stack([x, x + 1.0]))
    means = np.array([[0.0, 1.0], [3e5, 3e5 + 1], [6e5, 6e5 + 1]])
    with qtbot.waitSignal(controller.failed, timeout=60_000) as failed:
        controller.start(RunRequest(given_data(line, "line"), model="full",
                                    n_clusters=3, init=means, advance_to=10))
    assert "collapsed" in failed.args[0]
    settle(qtbot, controller)
    assert controller.snapshot is before and loaded == []
    controller.step()  # the old run goes on, on the old data
    settle(qtbot, controller)
    assert controller.snapshot.dataset is before.dataset
    assert controller.snapshot.index == before.index + 1


def test_a_run_too_big_for_the_memory_is_refused_and_keeps_the_run(controller, qtbot,
                                                                    monkeypatch):
    from kmeans_studio.core import limits
    from kmeans_studio.core.engine.kmeans import KMeansRun

    controller.start(blobs_request())
    qtbot.waitUntil(lambda: controller.snapshot is not None)
    before = controller.snapshot
    with monkeypatch.context() as patch:
        patch.setattr(limits, "available_memory", lambda: 1000)
        with qtbot.waitSignal(controller.failed, timeout=60_000) as said:
            controller.start(blobs_request(random_state=5))
    assert said.args[0].startswith("This run (300 points × 2 features, k = 4) would need")
    settle(qtbot, controller)
    assert controller.snapshot is before

    def out_of_memory(self):
        raise MemoryError
    monkeypatch.setattr(KMeansRun, "advance", out_of_memory)
    with qtbot.waitSignal(controller.failed, timeout=60_000) as said:
        controller.step()
    assert said.args[0] == ("This run does not fit in the memory free now; ask for fewer "
                            "points, clusters or features.")
    settle(qtbot, controller)
    assert controller.snapshot is before


def test_shutdown_abandons_a_worker_stuck_in_one_step(qtbot, monkeypatch):
    """Closing never waits for a step that takes minutes: `shutdown` returns while the
    step is still inside, and the thread ends by itself once the step does."""
    from kmeans_studio.qt import controller as controllers

    monkeypatch.setattr(controllers, "SHUTDOWN_WAIT_MS", 50)
    inside, release = threading.Event(), threading.Event()

    def stuck():
        inside.set()
        release.wait(60)
    controller = RunController()
    try:
        controller.start(replay_request(EndlessRun(stuck), monkeypatch))
        assert inside.wait(60)
        controller.shutdown()
        assert not release.is_set() and controllers.abandoned_running() >= 1
    finally:
        release.set()
        qtbot.waitUntil(lambda: controllers.abandoned_running() == 0, timeout=60_000)
        controller.shutdown()  # again: nothing more to do


def test_cancel_abandons_work_stuck_in_a_call_that_cannot_be_interrupted(qtbot,
                                                                          monkeypatch):
    """After opening a named pipe, closing hung in `cancel`: it waits a moment at most,
    then leaves the work, which reports only that it was cancelled."""
    from kmeans_studio.qt import jobs

    monkeypatch.setattr(jobs, "CANCEL_WAIT_S", 0.05)
    job = BackgroundJob("test")
    results = []
    job.succeeded.connect(results.append)
    stuck, inside, release, threads = held_work("late")
    job.start(stuck)
    assert inside.wait(30)
    job.cancel()
    assert job.running and not release.is_set()
    if sys.platform.startswith("linux"):  # the abandoned work yields the CPU to all
        assert os.getpriority(os.PRIO_PROCESS, threads[0]) == 19
    with qtbot.waitSignal(job.cancelled):
        release.set()
    qtbot.waitUntil(lambda: not job.running)
    assert results == []


def test_the_controller_drives_any_stepped_run(controller, qtbot, monkeypatch):
    """The controller asks of a run only what `SteppedRun` promises: a fake made by the
    model registry is started, stepped, stepped back and run to its end."""
    from unittest.mock import MagicMock

    from kmeans_studio.core.engine.history import Iteration
    from kmeans_studio.core.engine.stepped import SteppedRun

    def state(i):
        centers = np.full((4, 2), float(i // 2))
        return Iteration(i // 2, "init" if i == 0 else ("assign", "update")[(i + 1) % 2],
                         centers, None if i == 0 else np.zeros(80, np.uint8),
                         float("nan") if i == 0 else 100.0 - i, np.zeros(4), 0, i == 4)

    history = [state(0)]
    run = MagicMock(spec=SteppedRun)
    run.history, run.done, run.n_clusters = history, False, 4

    def advance():
        history.append(state(len(history)))
        run.done = len(history) == 5
        return history[-1]

    run.advance.side_effect = advance
    run.objectives.side_effect = lambda: [s.objective for s in history]
    run.center_trail.side_effect = lambda index=None: np.array(
        [s.centers for i, s in enumerate(history[: (index if index is not None
                                                    else len(history) - 1) + 1])
         if s.phase != "assign"])
    run.center_trails.side_effect = lambda index=None: [(0, run.center_trail(index))]
    assert isinstance(run, SteppedRun)
    made = []
    with_model(monkeypatch, "fake", lambda X, k, **options: made.append(options) or run)

    request = dataclasses.replace(blobs_request(n_samples=80), model="fake",
                                  init=np.zeros((4, 2)))
    controller.start(request)
    qtbot.waitUntil(lambda: controller.snapshot is not None and controller.snapshot.n_states)
    assert made[0]["max_iter"] == 300 and controller.snapshot.request == request
    controller.step()
    qtbot.waitUntil(lambda: controller.snapshot.index == 1)
    controller.step_back()
    qtbot.waitUntil(lambda: controller.snapshot.index == 0)
    with qtbot.waitSignal(controller.finished, timeout=20_000):
        controller.run_to_end()
    qtbot.waitUntil(lambda: controller.snapshot.done)
    assert controller.snapshot.index == 4 and run.advance.call_count == 4
    assert list(controller.snapshot.objective[1:]) == [99.0, 98.0, 97.0, 96.0]


def test_a_request_is_plain_data_that_compares_equal():
    from kmeans_studio.core.data.sources import Blobs

    request = RunRequest(Blobs(n_samples=80), n_clusters=3, init=np.zeros((3, 2)))
    assert request == RunRequest(Blobs(n_samples=80), n_clusters=3, init=np.zeros((3, 2)))
    assert request != dataclasses.replace(request, init=np.ones((3, 2)))
    assert request != dataclasses.replace(request, init="k-means++")
    assert request.data_key == Blobs(n_samples=80) and not request.reads_in_chunks
    assert all(not callable(getattr(request, f.name))
               for f in dataclasses.fields(request))


def test_centres_added_and_removed_mid_run_go_into_the_history(controller, qtbot):
    """A centre added to the state shown (a past one: the states after it go), then
    one removed; stepping back crosses the edits, with the old k."""
    controller.start(blobs_request())
    qtbot.waitUntil(lambda: controller.snapshot is not None)
    for _ in range(4):
        controller.step()
    controller.step_back()
    settle(qtbot, controller)
    assert (controller.snapshot.index, controller.snapshot.n_states) == (3, 5)
    with qtbot.waitSignal(controller.iteration_done,
                          check_params_cb=lambda s: s.iteration.phase == "edit"):
        controller.add_center((0.5, 2.0))
    added = controller.snapshot
    assert (added.index, added.n_states, added.iteration.n_clusters) == (4, 5, 5)
    np.testing.assert_allclose(added.iteration.centers[-1], [0.5, 2.0])
    assert added.edited and [start for start, _ in added.stretches] == [0, 4]
    assert added.trail.shape == (1, 5, 2) and np.isnan(added.objective[4])
    controller.step()
    settle(qtbot, controller)
    assert controller.snapshot.iteration.phase == "assign"
    assert controller.snapshot.iteration.labels.max() == 4
    with qtbot.waitSignal(controller.iteration_done,
                          check_params_cb=lambda s: s.iteration.phase == "edit"):
        controller.remove_center((0.4, 2.1))  # the one just added is nearest
    removed = controller.snapshot
    assert removed.iteration.n_clusters == 4 and removed.index == 6
    np.testing.assert_allclose(removed.iteration.centers, added.iteration.centers[:4])
    controller.seek(3)
    settle(qtbot, controller)
    back = controller.snapshot
    assert back.iteration.n_clusters == 4 and not back.edited
    np.testing.assert_array_equal(back.iteration.centers, added.previous.centers)
    controller.seek(5)
    settle(qtbot, controller)
    assert controller.snapshot.iteration.n_clusters == 5  # forward again: the edit's


def test_the_last_centre_is_never_removed_and_quick_clicks_all_count(controller, qtbot):
    controller.start(dataclasses.replace(blobs_request(), n_clusters=1))
    qtbot.waitUntil(lambda: controller.snapshot is not None)
    before = controller.snapshot
    with qtbot.waitSignal(controller.refused) as said:
        controller.remove_center((0.0, 0.0))
    assert said.args[0] == "A run needs at least one centre: the last one cannot be removed."
    settle(qtbot, controller)
    assert controller.snapshot is before
    # Three clicks before the worker answers the first: each adds its centre.
    for x in (1.0, 2.0, 3.0):
        controller.add_center((x, 0.0))
    qtbot.waitUntil(lambda: controller.snapshot.iteration.n_clusters == 4)
    settle(qtbot, controller)
    snapshot = controller.snapshot
    np.testing.assert_allclose(snapshot.iteration.centers[1:, 0], [1.0, 2.0, 3.0])
    assert [s for s, _ in snapshot.stretches] == [0, 1, 2, 3]


def test_a_mixture_refuses_an_edit_and_keeps_its_run(controller, qtbot):
    controller.start(dataclasses.replace(blobs_request(), model="full", init="kmeans"))
    qtbot.waitUntil(lambda: controller.snapshot is not None)
    before = controller.snapshot
    with qtbot.waitSignal(controller.refused) as said:
        controller.add_center((0.0, 0.0))
    assert "cannot be changed mid-run" in said.args[0]
    settle(qtbot, controller)
    assert controller.snapshot is before


def test_an_edit_meant_for_a_replaced_run_is_dropped(controller, qtbot):
    controller.start(blobs_request())
    qtbot.waitUntil(lambda: controller.snapshot is not None)
    controller.start(blobs_request(random_state=5))
    controller.add_center((0.0, 0.0))  # clicked on the old run's plot
    settle(qtbot, controller)
    snapshot = controller.snapshot
    assert snapshot.request.data.random_state == 5 and snapshot.iteration.n_clusters == 4
    assert not snapshot.edited


def test_a_session_replay_makes_its_edits_again(controller, qtbot):
    """A request with edits (a reopened session's) ends at the same state, and a run
    that no longer follows the saved centres is said to."""
    from kmeans_studio.core import KMeansRun
    from kmeans_studio.core.data.sources import Blobs

    source = blobs_request().data
    X = source.load().X
    run = KMeansRun(X, 4, random_state=0)
    for _ in range(3):
        run.advance()
    run.edit_centers(np.vstack([run.state.centers, [[0.5, 2.0]]]))
    for _ in range(3):
        run.advance()
    (_, first), (at, since) = run.center_trails()
    position = len(run.history) - 1
    request = RunRequest(source, init=first[0], advance_to=position, expected_trail=first,
                         edits=((at, since),))
    with qtbot.waitSignal(controller.iteration_done):
        controller.start(request)
    snapshot = controller.snapshot
    assert snapshot.index == position and snapshot.iteration.n_clusters == 5
    np.testing.assert_array_equal(snapshot.iteration.centers, run.state.centers)
    np.testing.assert_array_equal(snapshot.objective, run.objectives())
    other = dataclasses.replace(request, data=Blobs(**{**vars(source), "random_state": 1}))
    with qtbot.waitSignal(controller.warned) as said:
        controller.start(other)
    assert "does not follow the saved session" in said.args[0]
