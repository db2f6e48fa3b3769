"""The Pseudocode dock: Lloyd's loop, the lines of the half-step shown marked."""

from kmeans_studio.qt.views.pseudocode import LINES, step_lines

from .helpers import wait_state


def test_the_lines_follow_every_half_step_to_the_end(window, qtbot):
    view = window.pseudocode
    action = window.pseudocode_dock.toggleViewAction()
    view_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    assert not window.pseudocode_dock.isVisible() and action in view_menu.actions()
    action.trigger()
    assert window.pseudocode_dock.isVisible()
    snap = wait_state(qtbot, window, lambda s: s.iteration is not None and s.index == 0)
    assert view.marked() == ["init"] and "centres placed" in view.note.text()
    seen = []
    while not snap.done:
        index = snap.index
        window.actions["step"].trigger()
        snap = wait_state(qtbot, window, lambda s: s.index > index)
        assert view.marked() == list(step_lines(snap))
        seen.append(tuple(view.marked()))
    assert ("assign",) in seen and ("update",) in seen
    assert seen[-1] in (("final", "return"), ("update", "until", "return"))
    assert "Stopped after" in view.note.text()
    # Stepping back marks the state shown, not the newest.
    window.actions["step_back"].trigger()
    back = wait_state(qtbot, window, lambda s: s.index == snap.index - 1)
    assert view.marked() == list(step_lines(back))


def test_every_line_is_shown_and_none_is_marked_before_a_run(qtbot):
    from kmeans_studio.qt.views.pseudocode import PseudocodeView

    view = PseudocodeView()
    qtbot.addWidget(view)
    assert view.code.count() == len(LINES)
    view.set_snapshot(None)
    assert view.marked() == [] and "Step the run" in view.note.text()
