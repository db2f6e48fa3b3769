"""The GUI thread never blocks on compute: a 10 ms heartbeat keeps ticking."""

import gc
import time

from PySide6.QtCore import QTimer

from .helpers import wait_state


def heartbeat_gaps(qtbot, seconds):
    # Garbage left by earlier tests (closed windows, plots) would make the collector
    # pause here; this measures the app, not the test session's leftovers.
    gc.collect()
    stamps = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: stamps.append(time.perf_counter()))
    timer.start()
    qtbot.wait(int(seconds * 1000))
    timer.stop()
    # The first 200 ms process what queued up while the collector ran.
    stamps = [t for t in stamps if t > stamps[0] + 0.2]
    return [b - a for a, b in zip(stamps, stamps[1:])]


def test_heartbeat_while_playing_273280_points_with_k64(window, qtbot):
    panel = window.sources["blobs"].panel
    wait_state(qtbot, window, lambda s: s.iteration is not None)
    panel.run.init.setCurrentIndex(panel.run.init.findData("random"))
    panel.n_centers.setValue(20)
    panel.run.k.setValue(64)
    panel.n_samples.setValue(273_280)
    wait_state(qtbot, window, lambda s: s.dataset.n_samples == 273_280
               and s.iteration.n_clusters == 64, timeout=60_000)
    window.speed.setValue(60)
    window.actions["play"].trigger()
    qtbot.waitUntil(lambda: window.controller.playing)
    qtbot.wait(300)  # past the start-up of play
    gaps = heartbeat_gaps(qtbot, 3.0)
    painted = window.controller.snapshot.index
    window.actions["play"].trigger()
    assert painted > 5
    assert max(gaps) < 0.050, f"longest gap {max(gaps) * 1000:.0f} ms"
    note = window.sources["blobs"].scatter.note.text()
    assert "Showing 20,000 of 273,280 points" in note

