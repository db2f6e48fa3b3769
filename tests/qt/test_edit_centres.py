"""Classroom interactions on the Blobs page: a click on the plot adds a centre
mid-run, a right-click on a centre removes it; the run goes on and stepping back
crosses the edit.  Real mouse clicks on the scatter plot's viewport."""

import numpy as np
from PIL import Image
from PySide6.QtCore import QPointF, Qt

from kmeans_studio.qt.scenes import settle_layout
from kmeans_studio.qt.views.scatter import CENTER_PICK_PX

from .helpers import settle, wait_state


def _click_at(qtbot, scatter, x, y, button=Qt.MouseButton.LeftButton,
              modifier=Qt.KeyboardModifier.NoModifier):
    """A real click on the scatter plot at data coordinates (x, y)."""
    plot = scatter.plot
    scene = scatter.box.mapViewToScene(QPointF(x, y))
    qtbot.mouseClick(plot.viewport(), button, modifier, pos=plot.mapFromScene(scene))


def _empty_spot(scatter, centers):
    """A point of the plot well away (in screen pixels) from every centre."""
    (x0, x1), (y0, y1) = scatter.box.viewRange()
    for fx, fy in [(0.1, 0.1), (0.9, 0.9), (0.1, 0.9), (0.9, 0.1), (0.5, 0.1)]:
        x, y = x0 + fx * (x1 - x0), y0 + fy * (y1 - y0)
        here = scatter.box.mapViewToScene(QPointF(x, y))
        gaps = [np.hypot(p.x() - here.x(), p.y() - here.y()) for p in
                (scatter.box.mapViewToScene(QPointF(*c)) for c in centers)]
        if min(gaps) > 4 * CENTER_PICK_PX:
            return x, y
    raise AssertionError("no empty spot on the plot")


def _count_menus(scatter, monkeypatch):
    """The view box's menus raised from now on (recorded, not shown: a menu popping up
    offscreen makes Qt warn)."""
    raised = []
    monkeypatch.setattr(scatter.box, "raiseContextMenu", raised.append)
    return raised


def test_a_click_adds_a_centre_and_a_right_click_removes_it_mid_run(window, qtbot,
                                                                      monkeypatch):
    page = window.pages["blobs"]
    scatter, k_box = page.scatter, page.panel.run.n_clusters
    wait_state(qtbot, window, lambda s: s.iteration is not None)
    for _ in range(3):
        window.actions["step"].trigger()
    before = wait_state(qtbot, window, lambda s: s.index == 3)
    assert before.iteration.n_clusters == 4 and k_box.value() == 4
    settle_layout()
    assert "Click to add a centre, right-click a centre to remove it" in scatter.note.text()

    x, y = _empty_spot(scatter, before.iteration.centers)
    _click_at(qtbot, scatter, x, y)
    added = wait_state(qtbot, window, lambda s: s.iteration.n_clusters == 5)
    assert added.iteration.phase == "edit" and added.index == 4
    pixel = max(scatter.box.viewPixelSize())
    np.testing.assert_allclose(added.iteration.centers[-1], [x, y], atol=2 * pixel)
    assert page.inertia.narration.text().startswith("You added a centre at (")
    assert "k is now 5" in page.inertia.narration.text()
    assert "centres edited, k = 5" in window.status.text()
    assert window.pseudocode.marked() == ["init"]
    assert k_box.value() == 5  # the box says the run's k
    assert len(scatter.centers.data) == 5

    window.actions["step"].trigger()  # the run goes on: every point to its nearest
    assigned = wait_state(qtbot, window, lambda s: s.index == 5)
    assert assigned.iteration.phase == "assign" and assigned.iteration.labels.max() == 4

    # A right-click on the new centre removes it, and raises no menu.
    menus = _count_menus(scatter, monkeypatch)
    _click_at(qtbot, scatter, *added.iteration.centers[-1], Qt.MouseButton.RightButton)
    removed = wait_state(qtbot, window, lambda s: s.iteration.n_clusters == 4)
    assert removed.iteration.phase == "edit" and removed.index == 6
    assert menus == []
    assert page.inertia.narration.text().startswith("You removed centre 5 at (")
    assert k_box.value() == 4

    # Stepping back across the edits shows the states before them, with their k.
    window.actions["step_back"].trigger()
    wait_state(qtbot, window, lambda s: s.index == 5)
    assert k_box.value() == 5 and len(scatter.centers.data) == 5
    for _ in range(2):
        window.actions["step_back"].trigger()
    back = wait_state(qtbot, window, lambda s: s.index == 3)
    assert back.iteration is not None and back.iteration.n_clusters == 4
    np.testing.assert_array_equal(back.iteration.centers, before.iteration.centers)
    assert k_box.value() == 4


def test_the_last_centre_stays_and_a_right_click_elsewhere_removes_none(window, qtbot,
                                                                         monkeypatch):
    page = window.pages["blobs"]
    scatter = page.scatter
    wait_state(qtbot, window, lambda s: s.iteration is not None)
    page.panel.run.n_clusters.setValue(1)
    one = wait_state(qtbot, window, lambda s: s.iteration.n_clusters == 1)
    settle_layout()
    x, y = _empty_spot(scatter, one.iteration.centers)
    menus = _count_menus(scatter, monkeypatch)
    with qtbot.assertNotEmitted(scatter.center_removed):
        _click_at(qtbot, scatter, x, y, Qt.MouseButton.RightButton)
    assert len(menus) == 1  # away from the centres, the plot's menu as ever
    with qtbot.waitSignal(page.controller.refused) as said:
        _click_at(qtbot, scatter, *one.iteration.centers[0], Qt.MouseButton.RightButton)
    assert len(menus) == 1
    assert said.args[0] == "A run needs at least one centre: the last one cannot be removed."
    assert window.statusBar().currentMessage() == said.args[0]
    settle(qtbot, page.controller)
    assert page.controller.snapshot is one


def test_placing_by_hand_still_restarts_from_the_centres_placed(window, qtbot):
    page = window.pages["blobs"]
    scatter, form = page.scatter, page.panel.run
    wait_state(qtbot, window, lambda s: s.iteration is not None)
    form.init.setCurrentIndex(form.init.findData("click"))
    wait_state(qtbot, window, lambda s: s.iteration is None)
    settle_layout()
    (x0, x1), (y0, y1) = scatter.box.viewRange()
    with qtbot.assertNotEmitted(scatter.center_added):
        for fx in (0.3, 0.7):
            _click_at(qtbot, scatter, x0 + fx * (x1 - x0), (y0 + y1) / 2)
    placed = wait_state(qtbot, window, lambda s: s.iteration is not None
                        and s.iteration.n_clusters == 2)
    assert not placed.edited and placed.stretches[0][0] == 0


def test_a_session_saved_after_an_edit_reopens_at_the_same_state(window, qtbot, tmp_path):
    page = window.pages["blobs"]
    scatter = page.scatter
    wait_state(qtbot, window, lambda s: s.iteration is not None)
    for _ in range(3):
        window.actions["step"].trigger()
    before = wait_state(qtbot, window, lambda s: s.index == 3)
    settle_layout()
    _click_at(qtbot, scatter, *_empty_spot(scatter, before.iteration.centers))
    wait_state(qtbot, window, lambda s: s.iteration.n_clusters == 5)
    for _ in range(3):
        window.actions["step"].trigger()
    saved = wait_state(qtbot, window, lambda s: s.index == 7)
    path = window.exporter.save_session(tmp_path / "edited.kmeans.json")
    script = window.exporter.export_text("script", tmp_path / "edited.py")
    assert "edited by hand mid-run (at state 4" in script.read_text()
    gif = tmp_path / "edited.gif"
    assert window.exporter.export_animation(gif, (160, 120), 4.0)
    qtbot.waitUntil(lambda: gif.exists() and not window.exporter._exports.running,
                    timeout=60_000)
    with Image.open(gif) as frames:  # the run from the edit on
        assert frames.n_frames == saved.index - 4 + 1

    seed = saved.request.random_state
    page.panel.run.random_state.setValue(seed + 1)  # another run meanwhile
    wait_state(qtbot, window, lambda s: s.request.random_state == seed + 1)
    assert window.opener.open_session(path)
    again = wait_state(qtbot, window, lambda s: s.request.random_state == seed
                       and s.index == 7)
    assert again.iteration.n_clusters == 5 and page.panel.run.n_clusters.value() == 5
    np.testing.assert_array_equal(again.iteration.centers, saved.iteration.centers)
    np.testing.assert_array_equal(again.iteration.labels, saved.iteration.labels)
    np.testing.assert_array_equal(again.objective, saved.objective)
    assert [s for s, _ in again.stretches] == [0, 4]
    window.controller.seek(3)  # back across the edit
    back = wait_state(qtbot, window, lambda s: s.index == 3)
    np.testing.assert_array_equal(back.iteration.centers, before.iteration.centers)
    assert page.panel.run.n_clusters.value() == 4
