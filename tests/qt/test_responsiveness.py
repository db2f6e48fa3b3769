"""Playing a big cloud shows the newest states (how long the GUI thread stalls is
measured in benchmarks/bench_heartbeat.py, not asserted here)."""

from .helpers import wait_state


def _big_cloud(window, qtbot, n_init=1):
    panel = window.pages["blobs"].panel
    wait_state(qtbot, window, lambda s: s.iteration is not None)
    panel.run.init.setCurrentIndex(panel.run.init.findData("random"))
    panel.data.n_centers.setValue(20)
    panel.run.n_clusters.setValue(64)
    panel.data.n_samples.setValue(273_280)
    wait_state(qtbot, window, lambda s: s.dataset.n_samples == 273_280
               and s.iteration.n_clusters == 64, timeout=60_000)
    return panel


def test_playing_273280_points_with_k64_shows_the_newest_states(window, qtbot):
    """Painting 20,000 shown points in 64 clusters takes the GUI thread 80-110 ms a
    state on this machine (pyqtgraph), so play skips states rather than queueing them:
    the views show the newest state, and the scatter says it shows a subsample."""
    _big_cloud(window, qtbot)
    window.speed.setValue(60)
    window.actions["play"].trigger()
    qtbot.waitUntil(lambda: window.controller.playing)
    qtbot.waitUntil(lambda: window.controller.snapshot.index > 5, timeout=20_000)
    window.actions["play"].trigger()
    note = window.pages["blobs"].scatter.note.text()
    assert "Showing 20,000 of 273,280 points" in note
