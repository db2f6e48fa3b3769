"""Help ▸ Tour of the notebook: every section's state on screen with the notebook's
figures, and the user's own pages given back as they were when it ends."""

import numpy as np
import pytest

from kmeans_studio.core.explore.metrics import match_labels
from kmeans_studio.qt.tour import STEPS

from .helpers import settle, wait_state


def _show(qtbot, window, dock, index):
    """Go to section `index` and press Show me; the page shown once its state is."""
    dock.go_to(index)
    assert dock.show_me.isEnabled()
    with qtbot.waitSignal(window.guide.step_shown, timeout=120_000,
                          check_params_cb=lambda shown: shown == index):
        dock.show_me.click()
    return window.page


def _final(page):
    snapshot = page.controller.snapshot
    return snapshot, snapshot.iteration


def test_the_tour_walks_the_notebook_and_gives_the_users_pages_back(window, qtbot):
    # The user's own state first: k = 3 on 500 blobs, stepped to iteration 2.
    blobs = window.page
    blobs.panel.data.n_samples.setValue(500)
    blobs.panel.run.n_clusters.setValue(3)
    wait_state(qtbot, window, lambda s: s.dataset is not None and s.dataset.n_samples == 500
               and s.iteration is not None and s.iteration.n_clusters == 3)
    for _ in range(3):
        window.actions["step"].trigger()
    mine = wait_state(qtbot, window, lambda s: s.index == 3)
    settle(qtbot, window.controller)
    mine = window.controller.snapshot

    window.actions["tour"].trigger()
    dock = window.guide.dock
    assert dock.isVisible() and dock.counter.text() == f"Section 1 of {len(STEPS)}"
    assert not dock.back.isEnabled()

    page = _show(qtbot, window, dock, 0)  # the blobs, k = 4, converged
    snapshot, state = _final(page)
    assert page.key == "blobs" and snapshot.dataset.n_samples == 300
    assert state.n_clusters == 4 and snapshot.done
    good = state.inertia
    assert good == pytest.approx(212.006, abs=1e-3)
    assert page.panel.run.n_clusters.value() == 4  # the panel says what runs
    plot = page.area.findChild(type(page.scatter.plot), "scatter_plot")
    qtbot.waitUntil(lambda: window.guide.highlight.target is plot)  # (once laid out)
    assert window.guide.highlight.isVisible()

    page = _show(qtbot, window, dock, 1)  # the EM loop from random points, at its start
    snapshot, state = _final(page)
    assert snapshot.index == 0 and snapshot.request.init == "random"
    assert window.pseudocode_dock.isVisible()
    window.actions["step"].trigger()
    wait_state(qtbot, window, lambda s: s.index == 1)

    page = _show(qtbot, window, dock, 2)  # a bad start: a local minimum
    snapshot, state = _final(page)
    assert snapshot.done and state.inertia > 2 * good  # 523.7 against 212.0
    assert window.explore.isVisible() and window.explore.tabs.currentWidget() is window.explore.race

    page = _show(qtbot, window, dock, 3)  # the wrong k
    snapshot, state = _final(page)
    assert state.n_clusters == 6 and snapshot.done and state.inertia < good
    assert window.explore.tabs.currentWidget() is window.explore.sweep

    page = _show(qtbot, window, dock, 4)  # moons: straight boundaries; spectral clustering
    snapshot, state = _final(page)
    assert "moons, noise 0.05" in snapshot.dataset.description and state.n_clusters == 2
    assert page.panel.data.cluster_std.value() == 0.6
    assert window.explore.tabs.currentWidget() is window.explore.algorithms
    # Framed once the other algorithms have run: their tiles, in view.
    qtbot.waitUntil(lambda: getattr(window.guide.highlight.target, "objectName", str)()
                    == "algorithm_grid" and window.guide.highlight.isVisible(),
                    timeout=120_000)
    tile = window.guide.highlight.target
    assert not tile.visibleRegion().isEmpty()
    assert not window.pseudocode_dock.isVisible()

    page = _show(qtbot, window, dock, 5)  # digits: accuracy about 0.79, most common digit
    snapshot, state = _final(page)
    assert page.key == "digits" and state.n_clusters == 10 and snapshot.done
    assert not window.explore.isVisible()
    expected = match_labels(snapshot.dataset.y, state.labels, "mode", n_clusters=10)
    assert page.matching.method == "mode"
    np.testing.assert_array_equal(page.matching.cluster_class, expected.cluster_class)
    assert page.matching.accuracy == expected.accuracy
    assert 0.75 < page.matching.accuracy < 0.83

    page = _show(qtbot, window, dock, 6)  # china.jpg in 64 colours
    snapshot, state = _final(page)
    assert page.key == "image" and "china" in snapshot.dataset.description
    assert len(page.result()[0]) == 64

    dock.go_to(len(STEPS) - 1)  # take it home: nothing to show
    assert not dock.show_me.isEnabled() and not dock.next.isEnabled()

    dock.end.click()  # the user's pages as they were
    assert not dock.isVisible()
    qtbot.waitUntil(lambda: window.page is blobs)
    back = wait_state(qtbot, window, lambda s: s.index == mine.index
                      and s.dataset is not None and s.dataset.n_samples == 500)
    np.testing.assert_array_equal(back.iteration.centers, mine.iteration.centers)
    np.testing.assert_array_equal(back.iteration.labels, mine.iteration.labels)
    assert blobs.panel.data.n_samples.value() == 500 and blobs.panel.run.n_clusters.value() == 3
    assert not window.pseudocode_dock.isVisible() and not window.explore.isVisible()
    digits = window.pages["digits"]
    assert digits.panel.matching == "hungarian" and not digits.started


def test_ending_a_tour_that_showed_nothing_changes_nothing(window, qtbot):
    wait_state(qtbot, window, lambda s: s.iteration is not None)
    settle(qtbot, window.controller)
    before = window.controller.snapshot
    window.actions["tour"].trigger()
    window.guide.dock.go_next()
    window.guide.dock.end.click()
    settle(qtbot, window.controller)
    assert window.controller.snapshot is before


def test_a_run_whose_centres_were_edited_comes_back_with_its_edits(window, qtbot):
    from .test_edit_centres import _click_at, _empty_spot

    page = window.pages["blobs"]
    wait_state(qtbot, window, lambda s: s.iteration is not None)
    window.actions["step"].trigger()
    before = wait_state(qtbot, window, lambda s: s.index == 1)
    from kmeans_studio.qt.scenes import settle_layout

    settle_layout()
    _click_at(qtbot, page.scatter, *_empty_spot(page.scatter, before.iteration.centers))
    wait_state(qtbot, window, lambda s: s.iteration.n_clusters == 5)
    window.actions["step"].trigger()
    mine = wait_state(qtbot, window, lambda s: s.index == 3)
    settle(qtbot, window.controller)

    window.actions["tour"].trigger()
    _show(qtbot, window, window.guide.dock, 3)  # k = 6 on the same blobs
    window.guide.dock.end.click()
    back = wait_state(qtbot, window, lambda s: s.index == 3 and s.edited)
    assert back.iteration.n_clusters == 5 and page.panel.run.n_clusters.value() == 5
    np.testing.assert_array_equal(back.iteration.centers, mine.iteration.centers)
    assert [state for state, _ in back.stretches] == [state for state, _ in mine.stretches]
