"""Each page owns its run: switching pages never restarts, recomputes or loses one;
the status bar, Cancel and the Explore dock describe the page shown; a photo's
comparison with Pillow never delays the next photo."""

import threading

import numpy as np
import pytest
from PIL import Image

from kmeans_studio.core.color import comparison
from kmeans_studio.qt.views.image_stats import _kib

from .helpers import wait_state
from .test_image_page import drop, image_ready


def ready(snap):
    return snap.iteration is not None


def show(window, qtbot, key):
    window.page_bar.setCurrentIndex(window.page_bar.findData(key))
    source = window.pages[key]
    return wait_state(qtbot, window, lambda s: ready(s) and source.accepts(s.dataset),
                      timeout=60_000)


def test_a_page_keeps_its_run_and_position_while_others_are_shown(window, qtbot):
    wait_state(qtbot, window, ready)
    for _ in range(3):
        window.actions["step"].trigger()
    stepped = wait_state(qtbot, window, lambda s: s.index == 3)
    starts = []
    window.pages["blobs"].controller.busy.connect(lambda what, *_: starts.append(what))
    show(window, qtbot, "digits")
    assert "best of 10 starts" in window.status.text()  # the Digits run, not the blobs'
    show(window, qtbot, "table")
    blobs = show(window, qtbot, "blobs")
    assert blobs is stepped  # the same state object: nothing was run again
    assert starts == [] and window.status.text().endswith("state 4/4")
    window.actions["step_back"].trigger()
    assert wait_state(qtbot, window, lambda s: s.index == 2).iteration is stepped.previous


def test_the_status_bar_and_cancel_describe_the_page_shown(window, qtbot, tmp_path,
                                                           monkeypatch):
    wait_state(qtbot, window, ready)
    release = threading.Event()
    original = window.pages["digits"].controller.start

    blocked = threading.Event()

    def slow_load(request):  # the Digits page's data take until released
        make = type(request.data).load

        def load(source, cancelled=None, progress=None):
            blocked.set()
            release.wait(60)
            return make(source, cancelled, progress)
        monkeypatch.setattr(type(request.data), "load", load)
        original(request)
    window.pages["digits"].controller.start = slow_load
    try:
        window.page_bar.setCurrentIndex(window.page_bar.findData("digits"))
        qtbot.waitUntil(lambda: blocked.is_set() and window.actions["cancel"].isEnabled())
        qtbot.waitUntil(lambda: window.progress.isVisible())
        assert "Loading" in window.progress.format()
        window.page_bar.setCurrentIndex(window.page_bar.findData("blobs"))
        assert not window.progress.isVisible() and not window.actions["cancel"].isEnabled()
        assert window.status.text().startswith("Iteration 0")  # the blobs' run
    finally:
        release.set()
    show(window, qtbot, "digits")
    assert not window.actions["cancel"].isEnabled()


@pytest.fixture
def photos(tmp_path):
    rng = np.random.default_rng(0)
    paths = []
    for name, (h, w) in (("first.png", (90, 120)), ("second.png", (60, 80))):
        path = tmp_path / name
        Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8)).save(path)
        paths.append(path)
    return paths


def test_a_photo_dropped_during_another_photos_comparison_is_not_kept_waiting(
        window, qtbot, photos, monkeypatch):
    """The comparison of the first photo is held inside a quantizer (as maximum coverage
    holds a 12 MP photo for 20 s); the second photo is shown and compared meanwhile, and
    the first photo's comparison never appears beside it."""
    inside, release, ended = threading.Event(), threading.Event(), threading.Event()
    compare = comparison.compare_methods
    calls = []

    def held(pixels, *args, **kwargs):
        calls.append(pixels.shape)
        if len(calls) > 1:
            return compare(pixels, *args, **kwargs)
        inside.set()
        release.wait(60)
        try:
            return compare(pixels, *args, **kwargs)
        finally:
            ended.set()
    monkeypatch.setattr(comparison, "compare_methods", held)
    wait_state(qtbot, window, ready)
    first, second = photos
    drop(window, first)
    wait_state(qtbot, window, lambda s: image_ready("first.png")(s) and s.done)
    qtbot.waitUntil(inside.is_set)
    stats = window.pages["image"].stats
    drop(window, second)
    try:
        wait_state(qtbot, window, lambda s: image_ready("second.png")(s) and s.done)
        qtbot.waitUntil(lambda: stats.table.rowCount() == 4)  # the second photo's
        assert not release.is_set() and calls[-1] == (60, 80, 3)
        report = stats.fields["size"].text()
        assert report.startswith("80 × 60")
    finally:
        release.set()
    # The first photo's comparison ends now; it is not shown beside the second.
    qtbot.waitUntil(ended.is_set, timeout=60_000)
    qtbot.waitUntil(lambda: not any(t.name == "comparison" and t.is_alive()
                                    for t in threading.enumerate()), timeout=60_000)
    assert stats.fields["size"].text().startswith("80 × 60")
    assert f"vs {_kib(second.stat().st_size)} file (" in stats.fields["file"].text()


def test_coming_back_to_a_photo_does_not_compare_it_again(window, qtbot, photos,
                                                           monkeypatch):
    compare = comparison.compare_methods
    calls = []
    monkeypatch.setattr(comparison, "compare_methods",
                        lambda *a, **k: calls.append(1) or compare(*a, **k))
    wait_state(qtbot, window, ready)
    drop(window, photos[1])
    wait_state(qtbot, window, lambda s: image_ready("second.png")(s) and s.done)
    stats = window.pages["image"].stats
    qtbot.waitUntil(lambda: stats.table.rowCount() == 4)
    show(window, qtbot, "blobs")
    window.page_bar.setCurrentIndex(window.page_bar.findData("image"))
    wait_state(qtbot, window, lambda s: image_ready("second.png")(s) and s.done)
    assert stats.table.rowCount() == 4 and calls == [1]


def test_the_explore_dock_says_which_data_its_results_are_for(window, qtbot):
    wait_state(qtbot, window, ready)
    window.show_explore("sweep")
    tab = window.explore.sweep
    qtbot.waitUntil(lambda: not tab.busy and tab.result_dataset is not None, timeout=60_000)
    assert tab.subject.text() == "Computed on Blobs."
    show(window, qtbot, "digits")
    assert "The page shown has other data" in tab.subject.text()
    show(window, qtbot, "blobs")
    assert tab.subject.text() == "Computed on Blobs."
