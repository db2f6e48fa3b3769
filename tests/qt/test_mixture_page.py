"""A Gaussian mixture on the Blobs and Table pages: stepped, drawn, narrated."""

import numpy as np
from sklearn.mixture import GaussianMixture

from kmeans_studio.core.engine.mixture_steps import MixtureIteration
from kmeans_studio.qt.views.pseudocode import EM_LINES

from .helpers import wait_message, wait_state


def choose_model(window, model):
    box = window.pages["blobs"].panel.run.model
    box.setCurrentIndex(box.findData(model))


def mixture_shown(window, qtbot, model):
    """The Blobs page's first run shown, then the mixture `model`'s."""
    wait_state(qtbot, window, lambda s: s.iteration is not None)
    choose_model(window, model)
    return wait_state(qtbot, window, lambda s: s.request.model == model)


def test_a_mixture_steps_like_k_means_and_ends_where_scikit_learn_does(window, qtbot):
    wait_state(qtbot, window, lambda s: s.iteration is not None)
    form = window.pages["blobs"].panel.run
    assert form.init.currentData() == "random" and form.n_init.isEnabled()
    choose_model(window, "full")
    # The initialisations become the mixture's, starting at scikit-learn's default.
    assert form.init.currentData() == "kmeans" and not form.n_init.isEnabled()
    assert "Random responsibilities" in [form.init.itemText(i) for i in range(form.init.count())]
    snap = wait_state(qtbot, window, lambda s: s.request.model == "full")
    assert isinstance(snap.iteration, MixtureIteration) and snap.index == 0
    window.pseudocode_dock.show()
    source = window.pages["blobs"]
    window.actions["step"].trigger()
    snap = wait_state(qtbot, window, lambda s: s.request.model == "full" and s.index == 1)
    assert snap.iteration.resp.shape == (300, 4)
    assert source.inertia.narration.text().startswith("E: every point shared")
    assert window.pseudocode.marked() == ["assign"]
    assert window.pseudocode.code.item(0).text() == EM_LINES[0][1]
    assert "E-step" in window.status.text()
    # Points are shaded by their responsibilities; each component has two ellipses.
    drawn = [item for item in source.scatter.mixture._items if item.xData is not None]
    assert len(drawn) == 8
    window.actions["run_to_end"].trigger()
    snap = wait_state(qtbot, window, lambda s: s.request.model == "full" and s.done)
    X = snap.dataset.X
    model = GaussianMixture(4, random_state=snap.request.random_state, tol=1e-4).fit(X)
    np.testing.assert_allclose(snap.iteration.centers, model.means_, rtol=1e-8)
    assert snap.iteration.n_iter == model.n_iter_
    curve = source.inertia.curve.getData()[1]
    np.testing.assert_allclose(curve[-1], model.lower_bound_, rtol=1e-9)
    assert "log-likelihood" in window.status.text()
    # Back to k-means: its own initialisations and inertia again, from the page's own
    # start (random samples, as the notebook's demonstration).
    choose_model(window, "kmeans")
    snap = wait_state(qtbot, window, lambda s: s.request.model == "kmeans")
    assert form.init.currentData() == "random" == snap.request.init
    assert not isinstance(snap.iteration, MixtureIteration)
    assert not any(item.xData is not None and len(item.xData)
                   for item in source.scatter.mixture._items)


def test_placed_means_start_a_mixture(window, qtbot):
    wait_state(qtbot, window, lambda s: s.iteration is not None)
    choose_model(window, "tied")
    form = window.pages["blobs"].panel.run
    form.init.setCurrentIndex(form.init.findData("click"))
    wait_state(qtbot, window, lambda s: s.iteration is None)
    means = np.array([[0.0, 2.0], [2.0, 1.0], [-1.0, 7.0]])
    window.pages["blobs"].scatter.centers_edited.emit(means)
    snap = wait_state(qtbot, window, lambda s: s.iteration is not None
                      and s.iteration.phase == "assign")
    assert isinstance(snap.iteration, MixtureIteration)
    np.testing.assert_array_equal(snap.trail[0], means)
    assert form.n_clusters.value() == 3


def test_a_mixture_session_reopens_at_its_state(window, qtbot, tmp_path):
    mixture_shown(window, qtbot, "diag")
    for _ in range(3):
        window.actions["step"].trigger()
    saved = wait_state(qtbot, window, lambda s: s.request.model == "diag" and s.index == 3)
    path = window.exporter.save_session(tmp_path / "mixture.kmeans.json")
    assert '"log_likelihood"' in path.read_text()
    choose_model(window, "kmeans")
    wait_state(qtbot, window, lambda s: s.request.model == "kmeans")
    assert window.opener.open_session(path)
    again = wait_state(qtbot, window, lambda s: s.request.model == "diag" and s.index == 3)
    assert window.pages["blobs"].panel.run.model.currentData() == "diag"
    np.testing.assert_array_equal(again.iteration.centers, saved.iteration.centers)
    np.testing.assert_array_equal(again.objective, saved.objective)


def test_a_mixture_session_for_a_k_means_only_page_is_refused(window, qtbot, tmp_path):
    from kmeans_studio.core.export.session import Session

    wait_state(qtbot, window, lambda s: s.iteration is not None)
    run = {"model": "full", "n_clusters": 1, "init": "kmeans", "n_init": 1,
           "random_state": 0, "max_iter": 100, "tol": 1e-3}
    path = Session({"kind": "digits"}, run, np.zeros((1, 1, 64)), np.array([np.nan]),
                   0).save(tmp_path / "digits.kmeans.json")
    before = window.controller.snapshot
    window.opener.open_session(path)  # parsed off the GUI thread
    wait_message(qtbot, window, "runs k-means only")
    assert window.controller.snapshot is before


def test_the_sweep_of_a_mixture_shows_bic_and_aic_and_loads_its_run(window, qtbot):
    mixture_shown(window, qtbot, "full")
    tab = window.explore.sweep
    window.actions["choose_k"].trigger()
    qtbot.waitUntil(lambda: not tab.busy and tab.view_has_result(), timeout=60_000)
    sweep = tab.view.sweep
    assert sweep.model == "full" and sweep.best_k("bic") == 4
    plots = tab.view.plots
    assert plots["bic"].isVisible() and plots["aic"].isVisible()
    assert not plots["inertia"].isVisible()
    assert "Gaussian mixture, full (from k-means" in tab.view.note.text()
    tab.view.k_chosen.emit(5)
    snap = wait_state(qtbot, window, lambda s: s.iteration.n_clusters == 5)
    assert isinstance(snap.iteration, MixtureIteration) and snap.index == 0
    window.actions["run_to_end"].trigger()
    snap = wait_state(qtbot, window, lambda s: s.done and s.iteration.n_clusters == 5)
    np.testing.assert_array_equal(snap.iteration.centers, sweep.run_for(5).centers)


def test_the_seed_race_says_it_races_k_means_only(window, qtbot):
    mixture_shown(window, qtbot, "spherical")
    tab = window.explore.race
    window.actions["seed_race"].trigger()
    qtbot.waitUntil(lambda: "choose k-means" in tab.error.text())
    assert not tab.busy and not tab.view_has_result()


def test_a_mixture_from_placed_means_exports_as_an_animation(window, qtbot, tmp_path):
    from PIL import Image

    wait_state(qtbot, window, lambda s: s.iteration is not None)
    choose_model(window, "full")
    form = window.pages["blobs"].panel.run
    form.init.setCurrentIndex(form.init.findData("click"))
    wait_state(qtbot, window, lambda s: s.iteration is None)
    window.pages["blobs"].scatter.centers_edited.emit(
        np.array([[0.0, 2.0], [2.0, 1.0], [-1.0, 7.0], [-1.5, 3.0]]))
    wait_state(qtbot, window, lambda s: s.iteration is not None)
    window.actions["run_to_end"].trigger()
    snap = wait_state(qtbot, window, lambda s: s.done)
    path = tmp_path / "mixture.gif"
    assert window.exporter.export_animation(path, (200, 150), 5, "plot_curve")
    qtbot.waitUntil(lambda: path.exists() and not window.exporter._exports.running,
                    timeout=60_000)
    with Image.open(path) as gif:
        assert gif.n_frames == snap.index + 1


def test_a_mixture_that_collapses_on_the_way_says_why_and_keeps_its_states(qtbot):
    """Perfectly correlated, widely spread columns: a covariance turns singular in EM
    (not at the start); the run stops with a sentence, its states kept."""
    from kmeans_studio.core.data.datasets import Dataset
    from kmeans_studio.qt.contracts import RunRequest
    from kmeans_studio.qt.controller import RunController

    from .helpers import given_data

    x = np.arange(300.0) * 1e4
    data = Dataset("line", np.column_stack([x, x + 1.0]))
    controller = RunController()
    try:
        request = RunRequest(given_data(data, "line"), model="full",
                             n_clusters=3, init=np.array([[0.0, 1.0], [1e6, 1e6 + 1],
                                                          [2e6, 2e6 + 1]]))
        with qtbot.waitSignal(controller.failed, timeout=20_000) as failed:
            controller.start(request)
            controller.run_to_end()
        assert "collapsed" in failed.args[0]
        controller.sync()
        qtbot.waitUntil(lambda: controller.snapshot is not None)
        assert controller.snapshot.iteration is not None
    finally:
        controller.shutdown()
