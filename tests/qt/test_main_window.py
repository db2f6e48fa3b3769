"""The studio window: start-up, stepping, playback, editing centres, shortcuts."""

import dataclasses

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, QPointF, QSignalBlocker, Qt
from PySide6.QtGui import QAction, QImage
from PySide6.QtTest import QTest

from kmeans_studio.core.data.sources import data_source

from .helpers import settle, wait_message, wait_state


def initial(snap):
    return snap.iteration is not None and snap.iteration.phase == "init"


def test_starts_on_the_seed_blobs_ready_to_step(window, qtbot):
    snap = wait_state(qtbot, window, initial)
    assert snap.dataset.n_samples == 300 and snap.dataset.n_features == 2
    assert snap.iteration.n_clusters == 4
    assert "make_blobs(300, centers=4, cluster_std=0.6, random_state=0)" in snap.dataset.description
    assert window.status.text().startswith("Iteration 0")


def test_a_page_left_before_its_data_loaded_does_not_come_back(window, qtbot):
    """The first page's sample loads after the user has moved to another page: the
    window stays where the user went."""
    blobs = window.pages["blobs"].controller
    qtbot.waitUntil(lambda: window.pages["blobs"].started)  # its data are on the way
    window.page_bar.setCurrentIndex(window.page_bar.findData("digits"))
    qtbot.waitUntil(lambda: blobs.snapshot is not None, timeout=60_000)
    settle(qtbot, blobs)
    assert window.page.key == "digits"


def test_steps_change_state_and_step_back_restores_it_exactly(window, qtbot):
    wait_state(qtbot, window, initial)
    seen = []
    for expected in (1, 2, 3):
        window.actions["step"].trigger()
        snap = wait_state(qtbot, window, lambda s, e=expected: s.index == e)
        seen.append(snap.iteration)
    assert [s.phase for s in seen] == ["assign", "update", "assign"]
    assert not np.array_equal(seen[0].centers, seen[1].centers)
    window.actions["step_back"].trigger()
    back = wait_state(qtbot, window, lambda s: s.index == 2).iteration
    np.testing.assert_array_equal(back.centers, seen[1].centers)
    np.testing.assert_array_equal(back.labels, seen[1].labels)
    assert back.inertia == seen[1].inertia


def test_play_then_pause(window, qtbot):
    wait_state(qtbot, window, initial)
    window.findChild(type(window.speed), "speed").setValue(60)
    with qtbot.waitSignal(window.controller.playing_changed, check_params_cb=lambda p: p):
        window.actions["play"].trigger()
    wait_state(qtbot, window, lambda s: s.index >= 2)
    with qtbot.waitSignal(window.controller.playing_changed, check_params_cb=lambda p: not p):
        window.actions["play"].trigger()
    settle(qtbot, window.controller)  # a state made before the pause is shown first
    index = window.controller.snapshot.index
    settle(qtbot, window.controller)
    assert window.controller.snapshot.index == index  # paused: nothing moves
    assert not window.actions["play"].isChecked()


def test_play_stops_by_itself_at_convergence(window, qtbot):
    wait_state(qtbot, window, initial)
    window.speed.setValue(60)
    with qtbot.waitSignal(window.controller.finished, timeout=10_000):
        window.actions["play"].trigger()
    qtbot.waitUntil(lambda: not window.controller.playing)
    # The final state may still be waiting for its paint slot (16 ms) when play stops.
    wait_state(qtbot, window, lambda s: s.done, timeout=2_000)


def test_run_to_convergence_and_reset(window, qtbot):
    wait_state(qtbot, window, initial)
    window.actions["run_to_end"].trigger()
    snap = wait_state(qtbot, window, lambda s: s.done)
    assert snap.iteration.converged
    assert "converged" in window.status.text()
    window.actions["reset"].trigger()
    snap = wait_state(qtbot, window, lambda s: s.index == 0)
    assert snap.iteration.phase == "init" and snap.n_states > 1  # history kept


def test_parameter_change_while_playing_starts_the_new_run(window, qtbot):
    wait_state(qtbot, window, initial)
    panel = window.pages["blobs"].panel
    panel.data.n_samples.setValue(50_000)  # slow enough to still be playing
    wait_state(qtbot, window, lambda s: s.dataset.n_samples == 50_000)
    with qtbot.waitSignal(window.controller.playing_changed, check_params_cb=lambda p: p):
        window.actions["play"].trigger()
    panel.run.n_clusters.setValue(7)
    snap = wait_state(qtbot, window, lambda s: s.iteration.n_clusters == 7)
    assert snap.index == 0  # the new run starts from its initial state
    qtbot.waitUntil(lambda: not window.controller.playing)


def test_run_to_end_right_after_a_new_request_runs_the_new_run(window, qtbot):
    wait_state(qtbot, window, initial)
    panel = window.pages["blobs"].panel
    with QSignalBlocker(panel.run):  # no debounced request to race with the one below
        panel.run.n_clusters.setValue(6)
        panel.run.n_init.setValue(5)  # the new run is chosen among 5 starts first
    window.controller.start(panel.request())
    window.actions["run_to_end"].trigger()  # queued behind the start: applies to it
    snap = wait_state(qtbot, window, lambda s: s.done and s.iteration.n_clusters == 6)
    assert snap.start == (snap.start[0], 5)
    assert "best of 5 starts" in window.status.text()


def test_close_while_playing_joins_the_thread(qtbot):
    from kmeans_studio.app import build_window

    win = build_window()
    try:
        win.show()
        wait_state(qtbot, win, initial)
        win.pages["blobs"].panel.data.n_samples.setValue(100_000)
        wait_state(qtbot, win, lambda s: s.dataset.n_samples == 100_000)
        with qtbot.waitSignal(win.controller.playing_changed, check_params_cb=lambda p: p):
            win.actions["play"].trigger()
        assert win.controller.playing
        thread = win.controller._thread
    finally:
        win.close()  # "QThread: Destroyed while thread is still running" would fail
    assert thread.isFinished()


def click_mode(window, qtbot):
    """Switch the blob page to click-to-place; return a function clicking at (x, y)."""
    wait_state(qtbot, window, initial)
    panel = window.pages["blobs"].panel
    panel.run.init.setCurrentIndex(panel.run.init.findData("click"))
    wait_state(qtbot, window, lambda s: s.iteration is None)
    scatter = window.pages["blobs"].scatter
    vb = scatter.plot.getViewBox()

    def click(x, y, button=Qt.MouseButton.LeftButton):
        pos = scatter.plot.mapFromScene(vb.mapViewToScene(QPointF(x, y)))
        QTest.mouseClick(scatter.plot.viewport(), button, pos=pos)
    return click


def test_click_to_place_four_centres_then_run(window, qtbot):
    click = click_mode(window, qtbot)
    targets = [(-1.5, 8.0), (1.0, 4.5), (2.0, 1.0), (-1.5, 3.0)]
    inertia = window.pages["blobs"].inertia
    assert not inertia.marker.isVisible()  # no centres: no iteration to point at
    assert inertia.placeholder.isVisible()
    k_box = window.pages["blobs"].panel.run.n_clusters
    for n, (x, y) in enumerate(targets, start=1):
        click(x, y)
        wait_state(qtbot, window, lambda s, n=n: s.iteration is not None
                   and s.iteration.n_clusters == n)
        assert k_box.value() == n and not k_box.isEnabled()  # k is what was placed
    snap = window.controller.snapshot
    np.testing.assert_allclose(snap.iteration.centers, targets, atol=0.1)
    assert snap.iteration.phase == "assign"  # the assignment follows the clicks
    window.actions["run_to_end"].trigger()
    final = wait_state(qtbot, window, lambda s: s.done)
    assert final.iteration.converged and final.iteration.n_clusters == 4


def test_the_assignment_after_convergence_is_named_and_placed_after_its_iteration(
        window, qtbot):
    """The stretched blobs converge by the tolerance: a last assignment follows the
    last update.  It adds no iteration (as in scikit-learn), so it is not "Iteration n
    · assign" (which sits at n - ½ on the inertia axis) but comes after iteration n."""
    wait_state(qtbot, window, initial)
    panel = window.pages["blobs"].panel
    with QSignalBlocker(panel.run):  # k-means++, seed 0: a run that stops by tolerance
        panel.run.init.setCurrentIndex(panel.run.init.findData("k-means++"))
        panel.run.random_state.setValue(0)
    shape = panel.data.shape
    shape.setCurrentIndex(shape.findData("anisotropic"))
    wait_state(qtbot, window, lambda s: s.request.data.shape == "anisotropic"
               and s.request.init == "k-means++" and s.request.random_state == 0)
    window.actions["run_to_end"].trigger()
    final = wait_state(qtbot, window, lambda s: s.done)
    n = final.iteration.n_iter
    assert final.iteration.phase == "assign" and final.index == 2 * n + 1
    assert window.status.text().startswith(f"After iteration {n} · final assignment")
    assert window.pages["blobs"].inertia.marker.value() == n + 0.5
    window.actions["step_back"].trigger()
    wait_state(qtbot, window, lambda s: s.index == 2 * n)
    window.actions["step_back"].trigger()
    wait_state(qtbot, window, lambda s: s.index == 2 * n - 1)
    assert window.status.text().startswith(f"Iteration {n} · assign")
    assert window.pages["blobs"].inertia.marker.value() == n - 0.5


def test_right_click_removes_the_nearest_centre(window, qtbot):
    click = click_mode(window, qtbot)
    for x, y, button, k in [(0, 0, "Left", 1), (2, 2, "Left", 2), (2.1, 2.1, "Right", 1)]:
        click(x, y, getattr(Qt.MouseButton, button + "Button"))
        snap = wait_state(qtbot, window, lambda s, k=k: s.iteration is not None
                          and s.iteration.n_clusters == k)
    np.testing.assert_allclose(snap.iteration.centers, [[0, 0]], atol=0.1)


def test_dragging_a_centre_moves_it_and_the_assignment_follows(window, qtbot):
    snap = wait_state(qtbot, window, initial)
    scatter = window.pages["blobs"].scatter
    vb = scatter.plot.getViewBox()
    X = snap.dataset.X

    def fitted():  # the view's range fits the data once they are first painted
        (x0, x1), (y0, y1) = vb.viewRange()
        return bool(x0 <= X[:, 0].min() and x1 >= X[:, 0].max()
                    and y0 <= X[:, 1].min() and y1 >= X[:, 1].max())
    qtbot.waitUntil(fitted)
    start = snap.iteration.centers[0]
    target = np.array([0.0, 0.0])
    p0 = scatter.plot.mapFromScene(vb.mapViewToScene(QPointF(*start)))
    p1 = scatter.plot.mapFromScene(vb.mapViewToScene(QPointF(*target)))
    viewport = scatter.plot.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, pos=p0)
    for t in np.linspace(0, 1, 8)[1:]:
        QTest.mouseMove(viewport, pos=p0 + (p1 - p0) * t)
        QCoreApplication.processEvents()
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=p1)
    snap = wait_state(qtbot, window, lambda s: s.iteration.phase == "assign"
                      and np.allclose(s.iteration.centers[0], target, atol=0.15))
    labels = snap.iteration.labels
    X, C = snap.dataset.X, snap.iteration.centers
    np.testing.assert_array_equal(labels, ((X[:, None] - C[None]) ** 2).sum(-1).argmin(1))


@pytest.mark.parametrize("key, action", [(Qt.Key.Key_Right, "step"), (Qt.Key.Key_Space, "play"),
                                         (Qt.Key.Key_Home, "reset"), (Qt.Key.Key_Left, "step_back")])
def test_shortcuts_trigger_actions(window, qtbot, key, action):
    wait_state(qtbot, window, initial)
    window.pages["blobs"].scatter.plot.setFocus()
    with qtbot.waitSignal(window.actions[action].triggered, timeout=2000):
        QTest.keyClick(window.pages["blobs"].scatter.plot, key)


def test_actions_have_the_documented_names_and_shortcuts(window):
    expected = {"step": "Right", "step_back": "Left", "play": "Space", "run_to_end": "End",
                "reset": "Home", "open": "Ctrl+O", "save_result": "Ctrl+S",
                "export_view": "Ctrl+E", "quit": "Ctrl+Q"}
    for name, keys in expected.items():
        action = window.findChild(type(window.actions["step"]), name)
        assert action is not None and action.shortcut().toString() == keys
        assert action in window.actions.values() and action.toolTip()


def test_every_control_has_a_tooltip_and_an_accessible_name(window):
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractSpinBox,
        QComboBox,
        QSlider,
        QTabBar,
    )

    for index in range(len(window.pages)):  # views are built when first shown
        window._show_views(index)
    window.explore.show()
    missing = []
    for kind in (QAbstractButton, QAbstractSpinBox, QComboBox, QSlider):
        for widget in window.findChildren(kind):
            if widget.objectName().startswith("qt_") or isinstance(widget.parent(), QTabBar):
                continue  # Qt's own parts (dock title buttons, table corners, tab scrolling)
            if not widget.toolTip() or not widget.accessibleName():
                missing.append((type(widget).__name__, widget.objectName(),
                                getattr(widget, "text", str)()))
    assert not missing


def test_the_pages_are_tabs_with_ctrl_and_their_number(window, qtbot):
    """The pages are tabs at the top of the window, each with its Ctrl+number (also in
    the View menu); the dock beside them holds the page's parameters."""
    bar = window.page_bar
    assert [bar.tabText(i) for i in range(bar.count())] == ["Blobs", "Digits", "Image",
                                                            "Table"]
    assert window.data_dock.windowTitle() == "Parameters"
    assert bar.window() is window and not window.data_dock.isAncestorOf(bar)
    for number, key in ((2, "digits"), (4, "table"), (1, "blobs"), (3, "image")):
        QTest.keyClick(window, Qt.Key(Qt.Key.Key_0 + number),
                       Qt.KeyboardModifier.ControlModifier)
        assert bar.currentData() == key and window.page.key == key
        assert window.findChild(QAction, f"page_{key}").isChecked()
        assert f"Ctrl+{number}" in bar.tabToolTip(number - 1)
    bar.setCurrentIndex(bar.findData("digits"))  # a click on a tab
    assert window.views.currentWidget() is window.pages["digits"].area
    assert window.panel_stack.currentWidget().widget() is window.pages["digits"].panel


def test_shortcuts_dialog_lists_every_shortcut(window, qtbot):
    dialog = window.show_shortcuts()
    qtbot.addWidget(dialog)
    from PySide6.QtWidgets import QTableWidget

    table = dialog.findChild(QTableWidget)
    listed = {table.item(r, 1).text() for r in range(table.rowCount())}
    with_keys = {a.shortcut().toString() for a in window.actions.values()
                 if not a.shortcut().isEmpty()}
    assert with_keys <= listed
    assert "Esc" in listed and "Ctrl+Shift+S" in listed and "Ctrl+4" in listed
    dialog.close()


def test_screenshot_after_three_steps_is_not_blank(window, qtbot, tmp_path):
    wait_state(qtbot, window, initial)
    for _ in range(3):
        window.actions["step"].trigger()
    wait_state(qtbot, window, lambda s: s.index == 3)
    settle(qtbot, window.controller)
    path = tmp_path / "after-three-steps.png"
    assert window.grab().save(str(path))
    image = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB32)
    arr = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.width(), 4)
    assert len(np.unique(arr[..., :3].reshape(-1, 3), axis=0)) > 50  # many colours drawn
    assert "Assign" in window.pages["blobs"].inertia.narration.text()


def test_bad_parameters_show_a_message_and_keep_the_run(window, qtbot):
    wait_state(qtbot, window, initial)
    panel = window.pages["blobs"].panel
    panel.data.n_samples.setValue(3)
    panel.run.n_clusters.setValue(9)
    qtbot.waitUntil(lambda: panel.error.isVisible())
    assert "k = 9" in panel.error.text()
    assert window.controller.snapshot.iteration is not None


def test_open_path_explains_what_it_cannot_open(window, qtbot, tmp_path):
    assert not window.open_path(tmp_path / "missing.png")
    assert "does not exist" in window.last_message.text()
    # A folder is a table's files (read on a cluster): looked through off the GUI thread.
    assert window.open_path(tmp_path)
    wait_message(qtbot, window, "folder", "holds no Parquet or CSV file")


def test_about_names_the_version_the_notebook_and_the_libraries(window, qtbot):
    from kmeans_studio import __version__

    box = window.show_about()
    text = box.text()
    assert f"K-Means Studio {__version__}" in text
    # Names with hyphens are not broken across lines (non-breaking hyphens).
    assert "K\u2011Means In\u2011Depth" in text and "scikit\u2011learn" in text
    assert "Qt " in text
    box.close()


def test_a_frame_says_where_dragged_files_go(window, qtbot, tmp_path):
    from PySide6.QtCore import QMimeData, QPoint, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDropEvent

    def drag(mime):
        return QDragEnterEvent(QPoint(50, 50), Qt.DropAction.CopyAction, mime,
                               Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    files = QMimeData()
    files.setUrls([QUrl.fromLocalFile(str(tmp_path / "notes.txt"))])
    window.dragEnterEvent(drag(files))
    hint = window.drop_hint
    assert hint.isVisible() and "“notes.txt”" in hint.text()
    assert hint.geometry().width() > window.width() - 40  # over the whole window
    window.dragLeaveEvent(QDragLeaveEvent())
    assert not hint.isVisible()
    text = QMimeData()
    text.setText("not a file")
    window.dragEnterEvent(drag(text))
    assert not hint.isVisible()
    window.dragEnterEvent(drag(files))
    window.dropEvent(QDropEvent(QPoint(50, 50).toPointF(), Qt.DropAction.CopyAction, files,
                                Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))
    assert not hint.isVisible()


def test_enter_in_a_number_field_gives_the_keys_back_to_the_run(window, qtbot):
    """Right edits a field that has the focus; after Enter the field has taken its
    value and Right steps the run again."""
    window.activateWindow()
    field = window.pages["blobs"].panel.run.max_iter
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    field.selectAll()
    QTest.keyClicks(field, "250")
    QTest.keyClick(field, Qt.Key.Key_Return)
    assert field.value() == 250 and not field.hasFocus()
    state = wait_state(qtbot, window, lambda s: s.request.max_iter == 250)
    QTest.keyClick(window, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: window.controller.snapshot.index > state.index)
    dialog = window.show_shortcuts()
    qtbot.addWidget(dialog)
    from PySide6.QtWidgets import QTableWidget

    table = dialog.findChild(QTableWidget)
    assert "Enter" in {table.item(r, 1).text() for r in range(table.rowCount())}
    dialog.close()


def test_a_shape_starts_k_at_its_number_of_groups(window, qtbot):
    """Moons and circles are two groups: k follows the shape (the user can still
    change it) and "True blobs", meaningless there, is hidden."""
    panel = window.pages["blobs"].panel
    shape, k = panel.data.shape, panel.run.n_clusters
    shape.setCurrentIndex(shape.findData("moons"))
    assert k.value() == 2 and panel.data.n_centers.isHidden()
    snap = wait_state(qtbot, window, lambda s: s.dataset.name == "Two moons")
    assert snap.request.n_clusters == 2
    k.setValue(3)  # still the user's to change
    wait_state(qtbot, window, lambda s: s.request.n_clusters == 3)
    panel.data.n_centers.setValue(5)
    shape.setCurrentIndex(shape.findData("anisotropic"))
    assert k.value() == 5 and not panel.data.n_centers.isHidden()
    # A session's shape and k are shown as they were saved, k not reset.
    source = dataclasses.replace(data_source(panel.data.values().source()), shape="circles")
    panel.restore(source, {"n_clusters": 6})
    assert k.value() == 6 and panel.data.n_centers.isHidden()


def test_the_playful_shapes_show_only_the_fields_that_change_them(window, qtbot):
    """A smiley is four groups (k follows); uniform noise has none: k stays the
    user's and neither "True blobs" nor the spread is shown; packed circles are as
    many discs as "True blobs" says.  Each runs, uniform noise with no classes."""
    panel = window.pages["blobs"].panel
    shape, k = panel.data.shape, panel.run.n_clusters
    shape.setCurrentIndex(shape.findData("smiley"))
    assert k.value() == 4 and panel.data.n_centers.isHidden()
    assert not panel.data.cluster_std.isHidden()
    wait_state(qtbot, window, lambda s: s.dataset.name == "Smiley" and s.iteration is not None)
    k.setValue(6)
    shape.setCurrentIndex(shape.findData("uniform"))
    assert k.value() == 6 and panel.data.n_centers.isHidden()
    assert panel.data.cluster_std.isHidden()
    snap = wait_state(qtbot, window, lambda s: s.dataset.name.startswith("Uniform")
                      and s.iteration is not None)
    assert snap.dataset.y is None and snap.request.n_clusters == 6
    panel.data.n_centers.setValue(3)
    shape.setCurrentIndex(shape.findData("packed_circles"))
    assert k.value() == 3 and not panel.data.n_centers.isHidden()
    snap = wait_state(qtbot, window, lambda s: s.dataset.name == "Packed circles"
                      and s.iteration is not None)
    assert sorted(set(snap.dataset.y)) == [0, 1, 2]


def test_lines_join_each_point_to_its_centre_when_asked(window, qtbot):
    """View ▸ Lines to centres (L): off by default; on, one segment from each point
    to the centre it is assigned to, none before the first assignment; remembered."""
    action = window.actions["show_links"]
    scatter = window.pages["blobs"].scatter
    assert not action.isChecked() and scatter.links.xData is None
    action.trigger()
    window.controller.reset()
    snap = wait_state(qtbot, window, lambda s: s.iteration is not None and s.index == 0)
    assert scatter.links.xData is None or len(scatter.links.xData) == 0  # not assigned
    window.controller.step()
    snap = wait_state(qtbot, window, lambda s: s.iteration.labels is not None)
    x, y = scatter.links.getData()
    points, ends = np.column_stack([x[0::2], y[0::2]]), np.column_stack([x[1::2], y[1::2]])
    np.testing.assert_array_equal(points, snap.dataset.X)
    np.testing.assert_array_equal(ends, snap.iteration.centers[snap.iteration.labels])
    action.trigger()
    assert scatter.links.xData is None or len(scatter.links.xData) == 0
    action.trigger()
    window.close()
    assert window.settings["view/links"] is True
