"""A mixture driven as a k-means run: the controller's members, exact states."""

import numpy as np
import pytest
from sklearn.datasets import make_blobs

from kmeans_studio.core.engine.mixture import MixtureRun
from kmeans_studio.core.engine.mixture_steps import MixtureIteration, MixtureSteps
from kmeans_studio.core.engine.narration import narrate


def blobs():
    return make_blobs(300, 2, centers=3, cluster_std=[0.4, 1.0, 1.8], random_state=5)[0]


def test_states_are_the_mixtures_read_as_k_means_states():
    X = blobs()
    steps = MixtureSteps(X, 3, covariance_type="diag", init="kmeans", random_state=2)
    while not steps.done:
        steps.advance()
    reference = MixtureRun(X, 3, covariance_type="diag", random_state=2)
    reference.run()
    assert len(steps.history) == len(reference.history)
    assert steps.objectives()[1:] == [s.log_likelihood for s in reference.history][1:]
    for index, (ours, theirs) in enumerate(zip(steps.history, reference.history)):
        assert isinstance(ours, MixtureIteration)
        assert ours.phase == {"init": "init", "expectation": "assign",
                              "maximization": "update"}[theirs.phase]
        np.testing.assert_array_equal(ours.centers, theirs.means)
        np.testing.assert_array_equal(ours.covariances, theirs.covariances)
        assert ours.n_iter == theirs.n_iter and ours.n_changed == theirs.n_changed
        assert np.isnan(ours.inertia)
        assert ours.objective == theirs.log_likelihood or ours.phase == "init"
        if ours.phase == "init":
            assert ours.labels is None and ours.resp is None
        else:  # older states' responsibilities were let go and are made again, equal
            np.testing.assert_array_equal(ours.resp, reference.responsibilities(index))
            np.testing.assert_array_equal(ours.labels, ours.resp.argmax(axis=1))
            assert not ours.labels.flags.writeable
    # The trail holds the means at the start and after each M-step.
    trail = steps.center_trail()
    assert trail.shape == (1 + steps.state.n_iter, 3, 2)
    np.testing.assert_array_equal(trail[-1], steps.state.centers)
    assert steps.state.converged


def test_only_the_newest_states_hold_responsibilities():
    run = MixtureRun(blobs(), 3, tol=0.0, max_iter=8, random_state=0)
    run.run()
    held = [i for i, s in enumerate(run.history) if s.resp is not None]
    assert held == [len(run.history) - 2, len(run.history) - 1]
    # Made again on request: equal to what the E-step made at the time.
    again = MixtureRun(blobs(), 3, tol=0.0, max_iter=8, random_state=0)
    for _ in range(5):
        again.step()
    np.testing.assert_array_equal(run.responsibilities(5), again.state.resp)


def test_means_placed_by_hand_restart_the_history():
    X = blobs()
    steps = MixtureSteps(X, 3, covariance_type="spherical", init="k-means++",
                         random_state=0)
    for _ in range(4):
        steps.advance()
    placed = X[[0, 100]]
    steps.set_centers(placed)
    assert len(steps.history) == 1 and steps.n_clusters == 2
    np.testing.assert_array_equal(steps.state.centers, placed)
    state = steps.assign()  # the E-step follows at once, as k-means' assignment
    assert state.phase == "assign" and state.labels.shape == (300,)
    assert steps.assign() is not None and len(steps.history) == 2  # not twice
    with pytest.raises(ValueError, match="mean"):
        steps.set_centers(np.empty((0, 2)))


def test_a_mixtures_half_steps_are_narrated_as_em():
    steps = MixtureSteps(blobs(), 3, covariance_type="full", init="kmeans", random_state=0)
    steps.advance()
    steps.advance()
    steps.advance()
    history = steps.history
    assert narrate(history[0]).startswith("Start: 3 Gaussian components")
    assert narrate(history[1], history[0]).startswith("E: every point shared")
    assert narrate(history[2], history[1]).startswith("M: component ")
    assert "most likely component" in narrate(history[3], history[2])


@pytest.mark.parametrize("model, init", [("full", "kmeans"), ("spherical", "random"),
                                         ("tied", "given"), ("diag", "given")])
def test_a_mixture_session_round_trips_and_its_script_ends_at_the_same_means(
        tmp_path, model, init):
    import subprocess
    import sys

    from kmeans_studio.core.data.sources import data_source
    from kmeans_studio.core.export.script import python_script
    from kmeans_studio.core.export.session import Session

    source = {"kind": "blobs", "shape": "anisotropic", "n_samples": 200, "n_centers": 3,
              "cluster_std": 0.6, "random_state": 1}
    X = data_source(source).load().X
    start = X[[0, 70, 140]] if init == "given" else init
    steps = MixtureSteps(X, 3, covariance_type=model, init=start, random_state=4, tol=1e-4)
    while not steps.done:
        steps.advance()
    position = len(steps.history) - 1
    run = {"model": model, "n_clusters": 3, "init": "given centres" if init == "given"
           else init, "n_init": 1, "random_state": 4, "max_iter": 100, "tol": 1e-4}
    session = Session(source, run, steps.center_trail(), np.array(steps.objectives()),
                      position, "stretched blobs")
    text = session.to_json()
    assert '"log_likelihood"' in text and '"inertia"' not in text
    again = Session.from_json(text)
    assert again.run["model"] == model
    np.testing.assert_array_equal(again.objective, session.objective)
    script = tmp_path / "mixture.py"
    script.write_text(python_script(again, "mixture.py"))
    out = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    printed = out.stdout.split("Means:")[1].replace("[", " ").replace("]", " ")
    means = np.array(printed.split(), dtype=float).reshape(3, 2)
    np.testing.assert_allclose(means, steps.state.centers, rtol=1e-6, atol=1e-6)
    iterations = int(out.stdout.split("Iterations:")[1].split()[0])
    assert iterations == steps.state.n_iter


def test_a_mixture_session_with_a_bad_model_or_likelihood_is_refused():
    from kmeans_studio.core.export.session import Session

    source = {"kind": "blobs", "shape": "blobs", "n_samples": 300, "n_centers": 4,
              "cluster_std": 0.6, "random_state": 0}
    run = {"model": "kmeans", "n_clusters": 1, "init": "k-means++", "n_init": 1,
           "random_state": 0, "max_iter": 300, "tol": 1e-4}
    good = Session(source, run, np.zeros((1, 1, 2)), np.array([np.nan]), 0)
    for model in ("gaussian", ["full"], 3, "KMEANS", "", 0):
        with pytest.raises(ValueError, match="model"):
            Session.from_json(good.to_json().replace('"kmeans"', json_text(model)))
    # A mixture's log-likelihood may be negative; k-means' inertia may not.
    Session(source, dict(run, model="full"), np.zeros((2, 1, 2)),
            np.array([np.nan, -3.0, -3.0]), 2)
    with pytest.raises(ValueError, match="inertia"):
        Session(source, run, np.zeros((2, 1, 2)), np.array([np.nan, -3.0, -3.0]), 2)
    # An old session (no model) is a k-means one.
    text = good.to_json().replace('"model": "kmeans",', "")
    assert '"model"' not in text and Session.from_json(text).run["model"] == "kmeans"


def json_text(value):
    import json

    return json.dumps(value)
