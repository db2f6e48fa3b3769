"""A mixture driven as a k-means run: the controller's members, exact states."""

import numpy as np
import pytest
from sklearn.datasets import make_blobs

from kmeans_studio.core.mixture import MixtureRun
from kmeans_studio.core.mixture_steps import MixtureIteration, MixtureSteps
from kmeans_studio.core.narration import narrate


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
