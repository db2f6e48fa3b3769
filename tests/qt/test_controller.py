"""The run controller and the background-job API on their own, without a window."""

import functools
import os
import sys
import threading

import pytest

from kmeans_studio.core.session import load_source
from kmeans_studio.qt.contracts import RunRequest
from kmeans_studio.qt.controller import RunController
from kmeans_studio.qt.jobs import BackgroundJob

from .helpers import settle

BLOBS = {"kind": "blobs", "shape": "blobs", "n_samples": 300, "n_centers": 4,
         "cluster_std": 0.6, "random_state": 0}


@pytest.fixture
def controller(qtbot):
    controller = RunController()
    shown = []
    controller.iteration_done.connect(shown.append)
    controller.shown = shown
    yield controller
    controller.shutdown()


def blobs_request(**changes):
    source = dict(BLOBS, **changes)
    return RunRequest(data_key=tuple(source.values()), source=source,
                      make_data=functools.partial(load_source, source))


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
    assert controller.snapshot.request.source["random_state"] == 4
    seeds = [s.request.source["random_state"] for s in controller.shown]
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
