"""Drawing points on the Blobs page: strokes, erasing, classes, undo, sessions."""

import numpy as np
from PySide6.QtCore import QPointF, Qt

from kmeans_studio.core.data.drawing import NAME

from .helpers import wait_state


def draw_mode(window, qtbot):
    wait_state(qtbot, window, lambda s: s.iteration is not None)
    panel = window.pages["blobs"].panel
    panel.data.shape.setCurrentIndex(panel.data.shape.findData("drawn"))
    wait_state(qtbot, window, lambda s: s.dataset.name == NAME)
    return panel, window.pages["blobs"].scatter


def stroke(scatter, points, erasing=False):
    """A stroke through `points` (data coordinates), as the plot's view box reports a
    drag: the events' own delivery is tested once, in `test_the_mouse_draws_and_erases`."""
    box = scatter.box
    box.stroke_started.emit()
    for x, y in points:
        box.stroke_moved.emit(x, y, erasing)
    box.stroke_finished.emit()


def mouse_drag(qtbot, scatter, points, button):
    """Press, move through `points` (data coordinates) and release, with the mouse."""
    view = scatter.plot

    def at(x, y):
        return view.mapFromScene(scatter.box.mapViewToScene(QPointF(x, y)))
    qtbot.mousePress(view.viewport(), button, pos=at(*points[0]))
    for x, y in points[1:]:
        qtbot.mouseMove(view.viewport(), at(x, y))
    qtbot.mouseRelease(view.viewport(), button, pos=at(*points[-1]))


def test_the_mouse_draws_and_erases(window, qtbot):
    """However many of the moves the platform delivers, a left press-drag-release adds
    points where it went, and a right one takes them away."""
    panel, scatter = draw_mode(window, qtbot)
    line = [(-2 + 0.25 * i, 1.0) for i in range(17)]
    mouse_drag(qtbot, scatter, line, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(panel.sketch.drawing) > 0)
    drawn = panel.sketch.drawing
    assert (np.abs(drawn.points[:, 1] - 1.0) < 2).all()  # near the line, not elsewhere
    mouse_drag(qtbot, scatter, line, Qt.MouseButton.RightButton)
    qtbot.waitUntil(lambda: len(panel.sketch.drawing) < len(drawn))
    assert panel.undo_button.isEnabled()


def test_strokes_add_and_erase_points_and_the_run_follows(window, qtbot):
    panel, scatter = draw_mode(window, qtbot)
    snap = window.controller.snapshot
    assert snap.dataset.n_samples == 0 and panel.brush.isVisible()
    assert not panel.data.n_samples.isVisible() and scatter.painting
    assert "Draw at least 4 points" in panel.error.text()
    # Two blobs, one stroke each, in classes 1 and 2.
    panel.brush.cls.setCurrentIndex(panel.brush.cls.findData(0))
    stroke(scatter, [(-3 + 0.1 * i, 0.0) for i in range(20)])
    panel.brush.cls.setCurrentIndex(panel.brush.cls.findData(1))
    stroke(scatter, [(3 + 0.1 * i, 0.0) for i in range(20)])
    wait_state(qtbot, window, lambda s: s.dataset.n_samples == len(panel.sketch.drawing)
               and s.iteration is not None)
    assert panel.error.text() == ""
    drawing = panel.sketch.drawing
    assert len(drawing) > 8 and set(drawing.classes) == {0, 1}
    assert (drawing.points[drawing.classes == 0, 0] < 0).all()
    # Labelled data: the clusters are scored against the classes.
    panel.run.n_clusters.setValue(2)
    wait_state(qtbot, window, lambda s: s.request.n_clusters == 2)
    window.actions["run_to_end"].trigger()
    snap = wait_state(qtbot, window, lambda s: s.done and s.iteration.n_clusters == 2
                      and s.dataset.n_samples == len(panel.sketch.drawing))
    source = window.pages["blobs"]
    assert snap.derived is not None and "accuracy 1.000" in source.scores.text()
    # Erasing the left blob with the right button, then undo and redo.
    before = len(panel.sketch.drawing)
    stroke(scatter, [(-3 + 0.1 * i, 0.0) for i in range(20)], erasing=True)
    assert len(panel.sketch.drawing) < before
    wait_state(qtbot, window, lambda s: s.dataset.n_samples == len(panel.sketch.drawing))
    panel.undo_button.click()
    wait_state(qtbot, window, lambda s: s.dataset.n_samples == before)
    assert panel.redo_button.isEnabled()
    panel.redo_button.click()
    wait_state(qtbot, window, lambda s: s.dataset.n_samples < before)
    # Clear leaves an empty canvas (Undo brings the points back).
    [button for button in panel.brush.findChildren(type(panel.undo_button))
     if button.text() == "Clear"][0].click()
    wait_state(qtbot, window, lambda s: s.dataset.n_samples == 0)
    panel.undo_button.click()
    wait_state(qtbot, window, lambda s: s.dataset.n_samples > 0)


def test_drawn_points_go_into_sessions_and_scripts(window, qtbot, tmp_path):
    import subprocess
    import sys

    panel, scatter = draw_mode(window, qtbot)
    stroke(scatter, [(0.2 * i, 0.1 * i) for i in range(25)])
    wait_state(qtbot, window, lambda s: s.dataset.n_samples == len(panel.sketch.drawing)
               and s.iteration is not None)
    window.actions["run_to_end"].trigger()
    snap = wait_state(qtbot, window, lambda s: s.done)
    path = window.exporter.save_session(tmp_path / "drawn.kmeans.json")
    script = window.exporter.export_text("script", tmp_path / "drawn.py")
    drawn = panel.sketch.drawing
    # Back to generated blobs, then the session brings the drawing back.
    panel.data.shape.setCurrentIndex(panel.data.shape.findData("blobs"))
    wait_state(qtbot, window, lambda s: s.dataset.name != NAME)
    assert not scatter.painting
    assert window.opener.open_session(path)
    again = wait_state(qtbot, window, lambda s: s.dataset.name == NAME and s.done)
    np.testing.assert_array_equal(again.dataset.X, drawn.points)
    np.testing.assert_array_equal(again.iteration.centers, snap.iteration.centers)
    assert panel.drawing and scatter.painting
    out = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert f"Inertia: {snap.iteration.inertia!r}"[:16] in out.stdout
