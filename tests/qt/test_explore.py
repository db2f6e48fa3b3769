"""The Explore dock: k-sweep, silhouette plot and seed race, in the background."""

import numpy as np
import pytest
from sklearn.cluster import KMeans

from .helpers import settle, wait_state


def ready(snap):
    return snap.iteration is not None


def run_tab(qtbot, window, action, tab, timeout=60_000):
    window.actions[action].trigger()
    assert window.explore.isVisible() and window.explore.tabs.currentWidget() is tab
    qtbot.waitUntil(lambda: not tab.busy and (tab.view_has_result() or tab.error.text()),
                    timeout=timeout)


def test_sweep_on_the_seed_blobs_points_at_four_and_a_click_loads_that_k(window, qtbot):
    wait_state(qtbot, window, ready)
    tab = window.explore.sweep
    run_tab(qtbot, window, "choose_k", tab)
    sweep = tab.view.sweep
    assert list(sweep.ks) == list(range(2, 13))
    assert sweep.best_k("silhouette") == 4 and sweep.best_k("inertia") == 4
    assert "★ k = 4" in tab.view.plots["silhouette"].plotItem.titleLabel.text
    tab.view.k_chosen.emit(6)  # what clicking the point at k = 6 does
    snap = wait_state(qtbot, window, lambda s: s.iteration.n_clusters == 6)
    assert snap.index == 0 and window.pages["blobs"].panel.run.n_clusters.value() == 6
    np.testing.assert_array_equal(snap.iteration.centers, sweep.run_for(6).initial_centers)
    window.actions["run_to_end"].trigger()
    snap = wait_state(qtbot, window, lambda s: s.done)
    assert snap.iteration.inertia == sweep.run_for(6).inertia  # the same run, replayed


def test_cancel_mid_sweep_keeps_the_last_result(window, qtbot):
    wait_state(qtbot, window, ready)
    tab = window.explore.sweep
    run_tab(qtbot, window, "choose_k", tab)
    before, shown = tab.view.sweep, window.controller.snapshot
    panel = window.pages["blobs"].panel
    panel.data.n_samples.setValue(200_000)  # a long sweep
    shown = wait_state(qtbot, window, lambda s: s.dataset.n_samples == 200_000)
    tab.k_to.setValue(40)
    tab.start()
    assert tab.busy and window.actions["cancel"].isEnabled()
    window.actions["cancel"].trigger()  # Esc
    qtbot.waitUntil(lambda: not tab.busy and "Cancelled" in tab.error.text())
    assert tab.view.sweep is before  # the previous result stays
    assert window.controller.snapshot is shown  # the main view was not touched
    assert not window.actions["cancel"].isEnabled()


def test_a_sweep_from_old_data_does_not_load_into_new_data(window, qtbot):
    wait_state(qtbot, window, ready)
    tab = window.explore.sweep
    run_tab(qtbot, window, "choose_k", tab)
    window.pages["blobs"].panel.data.n_samples.setValue(400)
    shown = wait_state(qtbot, window, lambda s: s.dataset.n_samples == 400)
    tab.view.k_chosen.emit(5)
    assert "other data" in tab.error.text()
    settle(qtbot, window.controller)
    assert window.controller.snapshot is shown


def test_silhouette_plot_of_the_converged_run(window, qtbot):
    wait_state(qtbot, window, ready)
    window.actions["run_to_end"].trigger()
    snap = wait_state(qtbot, window, lambda s: s.done)
    tab = window.explore.silhouette
    run_tab(qtbot, window, "silhouette", tab)
    profile = tab.view.profile
    assert profile.n_scored == 300 and not profile.sampled
    from sklearn.metrics import silhouette_score

    assert profile.mean == silhouette_score(snap.dataset.X, snap.iteration.labels)
    assert f"{profile.mean:.3f}" in tab.view.note.text()


def test_silhouette_before_any_assignment_says_why(window, qtbot):
    wait_state(qtbot, window, ready)
    window.actions["silhouette"].trigger()
    assert "step once" in window.explore.silhouette.error.text()


def test_race_from_the_pages_random_samples_groups_minima_and_a_click_loads_a_run(
        window, qtbot):
    """The Blobs page starts from random samples, and so does its race: its starts are
    rows of the data, they fall into several minima, and the key lists each."""
    from scipy.spatial.distance import cdist

    snap = wait_state(qtbot, window, ready)
    assert snap.request.init == "random"
    tab = window.explore.race
    assert tab.init.currentData() is None  # as on the page
    assert [tab.init.itemText(i) for i in range(1, tab.init.count())] == [
        "k-means++", "Random samples", "Farthest point"]  # the page's names
    run_tab(qtbot, window, "seed_race", tab)
    race = tab.view.race
    assert race.init == "random" and len(race.runs) == 10 and race.n_minima > 1
    for run in race.runs:
        assert cdist(run.initial_centers, snap.dataset.X).min(axis=1).max() < 1e-12
    assert tab.view.table.rowCount() == 10
    summary = tab.view.summary.text()
    assert f"{race.n_minima} distinct minima" in summary and "(Random samples, k = 4)" in summary
    assert tab.view.key_entries == [f"minimum #{g + 1}" for g in range(race.n_minima)]
    assert all(entry in tab.view.key.text() for entry in tab.view.key_entries)
    worst = int(np.argmax([run.final_inertia for run in race.runs]))
    tab.view.table.cellClicked.emit(worst, 0)
    snap = wait_state(qtbot, window, lambda s: s.index == 0 and s.request.random_state
                      == race.runs[worst].seed)
    window.actions["run_to_end"].trigger()
    snap = wait_state(qtbot, window, lambda s: s.done)
    assert snap.iteration.inertia == race.runs[worst].final_inertia  # the stuck run
    theirs = KMeans(4, init="random", n_init=1, random_state=race.runs[worst].seed)
    assert snap.iteration.inertia == pytest.approx(theirs.fit(snap.dataset.X).inertia_,
                                                   rel=1e-9)


def test_race_follows_the_pages_initialisation_unless_told_otherwise(window, qtbot):
    wait_state(qtbot, window, ready)
    form, tab = window.pages["blobs"].panel.run, window.explore.race
    form.init.setCurrentIndex(form.init.findData("k-means++"))
    wait_state(qtbot, window, lambda s: s.request.init == "k-means++")
    run_tab(qtbot, window, "seed_race", tab)
    race = tab.view.race
    assert race.init == "k-means++" and race.n_minima == 1  # the same seeds, one minimum
    assert "(k-means++, k = 4) reached 1 minimum" in tab.view.summary.text()
    assert tab.view.key_entries == ["minimum #1"]
    tab.init.setCurrentIndex(tab.init.findData("random"))  # compared with random samples
    tab.start()
    qtbot.waitUntil(lambda: not tab.busy and tab.view.race is not race, timeout=60_000)
    assert tab.view.race.init == "random" and tab.view.race.n_minima > 1
    # Centres placed by hand would start every run alike: said, not raced.
    tab.init.setCurrentIndex(0)
    form.init.setCurrentIndex(form.init.findData("click"))
    wait_state(qtbot, window, lambda s: s.request.init is None)
    shown = tab.view.race
    tab.start()
    assert "placed by hand" in tab.error.text() and not tab.busy and tab.view.race is shown


def test_the_race_key_lists_every_minimum_however_many(qtbot):
    """Beside the plot, never inside it (a short plot cut a legend's last entries):
    one entry per minimum, in its curves' colour, even past those the summary names."""
    from kmeans_studio.core.explore.race import Race, RaceRun
    from kmeans_studio.qt.views.race_plot import MAX_LEGEND, RacePlot

    n = MAX_LEGEND + 2
    runs = tuple(RaceRun(seed, np.array([10.0 + seed, 5.0 + seed]), 1, True,
                         np.zeros((2, 2)), np.full((2, 2), float(seed))) for seed in range(n))
    plot = RacePlot()
    qtbot.addWidget(plot)
    plot.resize(700, 160)
    plot.set_race(Race(runs, np.arange(n), "farthest", 2))
    assert plot.key_entries == [f"minimum #{g + 1}" for g in range(n)]
    assert all(entry in plot.key.text() for entry in plot.key_entries)
    assert "(Farthest point, k = 2)" in plot.summary.text()
    assert plot.key.parent() is plot and plot.plot.plotItem.legend is None


def test_closing_the_window_mid_sweep_stops_the_sweep(qtbot):
    from kmeans_studio.app import build_window

    win = build_window()
    try:
        win.show()
        wait_state(qtbot, win, ready)
        win.pages["blobs"].panel.data.n_samples.setValue(200_000)
        wait_state(qtbot, win, lambda s: s.dataset.n_samples == 200_000)
        tab = win.explore.sweep
        tab.k_to.setValue(40)
        tab.start()
        assert tab.busy
        job = tab.job
    finally:
        win.close()
    # Told to stop and abandoned (closing waits for no helper thread): it stops at its
    # next k, long before the 39 runs on 200,000 points would end.
    # Its thread ends first; the report it sends is then delivered on the GUI thread.
    qtbot.waitUntil(lambda: not job.running, timeout=60_000)
    qtbot.waitUntil(lambda: not tab.busy)  # it reported that it was cancelled


def test_a_sweep_on_a_photo_loads_runs_that_stop_where_the_sweep_stopped(window, qtbot,
                                                                          tmp_path):
    from PIL import Image
    from sklearn.datasets import load_sample_image

    path = tmp_path / "flower.png"
    Image.fromarray(load_sample_image("flower.jpg")[::3, ::3]).save(path)
    window.open_path(path)
    wait_state(qtbot, window, lambda s: s.dataset.name == "flower.png" and s.done)
    tab = window.explore.sweep
    tab.k_from.setValue(3)
    tab.k_to.setValue(6)
    run_tab(qtbot, window, "choose_k", tab)
    sweep = tab.view.sweep
    tab.view.k_chosen.emit(3)
    # Loaded from its start to step through, not run on by itself as a new photo is.
    snap = wait_state(qtbot, window, lambda s: s.iteration.n_clusters == 3)
    assert snap.index == 0
    window.actions["run_to_end"].trigger()
    snap = wait_state(qtbot, window, lambda s: s.done and s.iteration.n_clusters == 3)
    # The sweep and the page's run both stop as k-means on every pixel would (at k = 3
    # on this photo, the distinct colours' tolerance would stop two iterations earlier).
    assert snap.iteration.n_iter == sweep.run_for(3).n_iter
    assert snap.iteration.inertia == pytest.approx(sweep.run_for(3).inertia, rel=1e-9)
    # The sweep seeded each k as the page seeds it: the page's own run of k = 3.
    colors = snap.dataset.image.colors
    np.testing.assert_array_equal(sweep.run_for(3).initial_centers,
                                  colors.initial_palette(3, 0))
    np.testing.assert_allclose(snap.iteration.centers, sweep.run_for(3).centers, rtol=1e-12)


def test_other_algorithms_side_by_side_on_the_moons(window, qtbot):
    """A teacher's path: the moons, k-means cuts them wrongly, the grid shows which
    algorithms get them right; a tile opens large; a photo is refused in a sentence."""
    panel = window.pages["blobs"].panel.data
    panel.shape.setCurrentIndex(panel.shape.findData("moons"))  # at the default spread
    snap = wait_state(qtbot, window, lambda s: s.request.data.shape == "moons"
                      and s.iteration is not None)
    assert snap.dataset.description == "two moons, noise 0.05"  # the notebook's moons
    window.actions["run_to_end"].trigger()
    wait_state(qtbot, window, lambda s: s.done and s.request.data.shape == "moons")
    tab = window.explore.algorithms
    run_tab(qtbot, window, "other_algorithms", tab)
    grid = tab.view
    results = grid.results
    assert list(results)[0] == "kmeans" and len(results) == 11
    assert results["kmeans"].ari < 0.7
    assert results["spectral"].ari > 0.95 and results["single"].ari > 0.95
    # Every tile on the same standardised points, the page's k-means too (its k,
    # initialisation and seed), and the grid says so.
    from sklearn.preprocessing import StandardScaler

    request = window.controller.snapshot.request
    theirs = KMeans(2, init=request.init, n_init=1, random_state=request.random_state)
    scaled = StandardScaler().fit_transform(window.controller.snapshot.dataset.X)
    np.testing.assert_array_equal(results["kmeans"].labels, theirs.fit_predict(scaled))
    assert results["kmeans"].title == "k-means (this page's start)"
    kmeans_caption = grid.findChild(type(tab.view.note), "algorithm_kmeans_caption")
    assert kmeans_caption.text().startswith(
        "Standardised, with this page's k, initialisation and seed · ")
    assert grid.note.text().startswith("All on the standardised data")
    caption = grid.findChild(type(tab.view.note), "algorithm_spectral_caption")
    assert caption.text().startswith(f"{results['spectral'].seconds * 1000:,.0f} ms")
    assert "ARI 1.00" in caption.text()
    dialog = grid.open_large("dbscan")
    assert dialog.isVisible() and dialog.windowTitle() == "DBSCAN"
    dialog.close()
    # A tile's setting: that algorithm alone runs again (eps as wide as the data: one
    # cluster), the other tiles stay as they were.
    spectral = results["spectral"]
    grid.setting_boxes["dbscan"].setValue(5.0)
    qtbot.waitUntil(lambda: not tab.busy and grid.results["dbscan"].n_clusters == 1,
                    timeout=60_000)
    assert grid.results["spectral"] is spectral and len(grid.results) == 11
    # On a photo: one sentence, the grid kept.
    window.page_bar.setCurrentIndex(window.page_bar.findData("image"))
    wait_state(qtbot, window, lambda s: s.dataset.image is not None)
    tab.start()
    assert "not a photo's colours" in tab.error.text() and grid.results is results


def test_the_grids_k_means_is_the_pages_start_or_says_which_it_is():
    """The page's initialisation and starts; centres placed by hand as placed; on a
    mixture's page (no k-means start there) k-means++, and the tile says so."""
    from types import SimpleNamespace

    from kmeans_studio.core.data.sources import Blobs
    from kmeans_studio.qt.contracts import RunRequest
    from kmeans_studio.qt.explore import _page_kmeans

    placed = np.array([[0.0, 1.0], [2.0, 3.0]])
    with_trail = SimpleNamespace(trail=placed[None])
    none_yet = SimpleNamespace(trail=np.empty((0, 2, 2)))
    ten_starts = RunRequest(Blobs(), init="k-means++", n_init=10)
    assert _page_kmeans(none_yet, ten_starts) == {"init": "k-means++", "n_init": 10,
                                                  "max_iter": 300, "tol": 1e-4}
    by_hand = _page_kmeans(with_trail, RunRequest(Blobs(), init=None))
    np.testing.assert_array_equal(by_hand["init"], placed)
    assert "placed" in by_hand["about"]
    assert _page_kmeans(none_yet, RunRequest(Blobs(), init=None)) is None
    mixture = _page_kmeans(none_yet, RunRequest(Blobs(), model="full", init="kmeans"))
    assert (mixture["init"], mixture["title"]) == ("k-means++", "k-means++")
