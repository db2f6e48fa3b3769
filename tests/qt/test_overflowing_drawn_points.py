"""A session of drawn points near ±1e308 opens to one sentence; the page keeps what
it showed (before, the centres became ±inf with overflow warnings)."""

import numpy as np

from kmeans_studio.core.data.drawing import Drawing
from kmeans_studio.core.export.session import Session

from .helpers import settle, wait_message, wait_state


def test_a_session_of_overflowing_drawn_points_is_refused_and_the_page_kept(window, qtbot,
                                                                            tmp_path):
    before = wait_state(qtbot, window, lambda s: s.iteration is not None)
    points = np.random.default_rng(0).uniform(-1, 1, size=(30, 2)) * 1.7e308
    source = Drawing(points, np.full(30, -1, np.int8)).source()
    run = {"model": "kmeans", "n_clusters": 3, "init": "k-means++", "n_init": 1,
           "random_state": 0, "max_iter": 300, "tol": 1e-4}
    path = Session(source, run, np.zeros((1, 3, 2)), np.array([np.nan]), 0).save(
        tmp_path / "far.kmeans.json")
    window.open_path(path)
    wait_message(qtbot, window, "too large to cluster")
    settle(qtbot, window.controller)
    assert window.controller.snapshot is before
    panel = window.pages["blobs"].panel
    assert not panel.drawing  # the page still shows its blobs, not the session's sketch
