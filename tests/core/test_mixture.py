"""EM stepped: every iteration equals scikit-learn's GaussianMixture."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import make_blobs
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

from kmeans_studio.core.engine.mixture import COVARIANCE_TYPES, INITS, MixtureRun


def sklearn_after(X, k, n_iter, **options):
    model = GaussianMixture(k, max_iter=n_iter, tol=0.0, **options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X)
    return model


@settings(max_examples=40, deadline=None)
@given(st.integers(30, 120), st.integers(1, 3), st.integers(1, 4),
       st.sampled_from(list(COVARIANCE_TYPES)), st.sampled_from(list(INITS)),
       st.integers(0, 2**31 - 1), st.integers(1, 4))
def test_every_iteration_equals_scikit_learns(n, d, k, covariance_type, init, seed, n_iter):
    X, _ = make_blobs(n, d, centers=3, random_state=seed % 1000)
    options = dict(covariance_type=covariance_type, init_params=init, random_state=seed)
    run = MixtureRun(X, k, tol=0.0, max_iter=n_iter, **options)
    while len(run.history) < 2 * n_iter + 1:
        run.step()
    ours = run.history[2 * n_iter]
    assert ours.phase == "maximization" and ours.n_iter == n_iter
    theirs = sklearn_after(X, k, n_iter, **options)
    np.testing.assert_allclose(ours.weights, theirs.weights_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours.means, theirs.means_, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(ours.covariances, theirs.covariances_, rtol=1e-8, atol=1e-9)
    assert ours.log_likelihood == pytest.approx(theirs.lower_bound_, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("covariance_type", list(COVARIANCE_TYPES))
def test_a_run_stops_where_scikit_learn_stops(covariance_type):
    X, _ = make_blobs(400, 2, centers=4, cluster_std=1.5, random_state=3)
    run = MixtureRun(X, 4, covariance_type=covariance_type, random_state=0)
    final = run.run()
    model = GaussianMixture(4, covariance_type=covariance_type, random_state=0).fit(X)
    assert final.converged and model.converged_ and final.n_iter == model.n_iter_
    np.testing.assert_allclose(final.means, model.means_, rtol=1e-9)
    # Half-steps alternate, E then M; the E-steps' log-likelihood never falls.
    phases = [s.phase for s in run.history]
    assert phases == ["init"] + ["expectation", "maximization"] * final.n_iter
    likelihoods = [s.log_likelihood for s in run.history if s.phase == "expectation"]
    assert all(b >= a - 1e-12 for a, b in zip(likelihoods, likelihoods[1:]))
    e_steps = [s for s in run.history if s.phase == "expectation"]
    assert e_steps[0].n_changed == 400 and e_steps[-1].resp.shape == (400, 4)
    np.testing.assert_allclose(e_steps[-1].resp.sum(axis=1), 1.0)


def test_means_given_start_there_with_their_nearest_points_covariances():
    X, _ = make_blobs(200, 2, centers=3, random_state=1)
    means = X[[0, 50, 100]]
    run = MixtureRun(X, 3, means_init=means)
    start = run.state
    np.testing.assert_array_equal(start.means, means)
    # Weights and covariances of the points nearest each mean (a click-placed start).
    nearest = ((X[:, None] - means) ** 2).sum(-1).argmin(1)
    for j in range(3):
        assert start.weights[j] == pytest.approx(np.mean(nearest == j))
        np.testing.assert_allclose(start.covariances[j],
                                   np.cov(X[nearest == j].T, bias=True) + 1e-6 * np.eye(2))
    # From there, EM is scikit-learn's given the same start.
    model = sklearn_after(X, 3, 2, weights_init=start.weights, means_init=means,
                          precisions_init=np.linalg.inv(start.covariances))
    for _ in range(4):
        run.step()
    np.testing.assert_allclose(run.state.means, model.means_, rtol=1e-7)


@pytest.mark.parametrize("options, message", [
    (dict(n_components=0), "number of components"),
    (dict(n_components=2.5), "number of components"),
    (dict(covariance_type="round"), "covariance type"),
    (dict(init_params="guess"), "initialisation"),
    (dict(tol=float("nan")), "tolerance"),
    (dict(reg_covar=-1.0), "regularisation"),
    (dict(max_iter=0), "max_iter"),
    (dict(means_init=[[0.0, 0.0]]), "initial means"),
])
def test_bad_parameters_are_refused_in_a_sentence(options, message):
    X, _ = make_blobs(50, 2, random_state=0)
    with pytest.raises(ValueError, match=message):
        MixtureRun(X, **{"n_components": 3, **options})


def test_a_collapsed_component_says_why():
    X = np.zeros((10, 2))
    X[5:] = 1.0
    with pytest.raises(ValueError, match="collapsed"):
        MixtureRun(X, 2, reg_covar=0.0, init_params="random_from_data", random_state=0)


@pytest.mark.parametrize("covariance_type", list(COVARIANCE_TYPES))
def test_ellipses_are_the_sigma_contours_of_each_component(covariance_type):
    from kmeans_studio.core.engine.mixture import ellipses, full_covariances

    X, _ = make_blobs(300, 2, centers=3, cluster_std=[0.5, 1.0, 2.0], random_state=2)
    run = MixtureRun(X, 3, covariance_type=covariance_type, random_state=0)
    state = run.run()
    outlines = ellipses(state, covariance_type)
    assert outlines.shape == (3, 2, 64, 2)
    for j, covariance in enumerate(full_covariances(state, covariance_type)):
        inverse = np.linalg.inv(covariance)
        for i, sigma in enumerate((1, 2)):
            offsets = outlines[j, i] - state.means[j]
            # Every outline point lies at Mahalanobis distance sigma from the mean.
            distance = np.sqrt(np.einsum("ni,ij,nj->n", offsets, inverse, offsets))
            np.testing.assert_allclose(distance, sigma, rtol=1e-9)
        np.testing.assert_allclose(outlines[j, 0, 0], outlines[j, 0, -1])


def test_each_half_step_is_narrated():
    from kmeans_studio.core.engine.mixture import narrate

    X, _ = make_blobs(300, 2, centers=3, random_state=4)
    run = MixtureRun(X, 3, random_state=1)
    run.run()
    lines = [narrate(s, run.history[i - 1] if i else None, "full")
             for i, s in enumerate(run.history)]
    assert lines[0].startswith("Start: 3 Gaussian components")
    assert lines[1].startswith("E: every point shared")
    assert lines[2].startswith("M: component ") and "moved most" in lines[2]
    assert lines[3].startswith("E: ") and "changed their most likely component" in lines[3]
    assert lines[-1].endswith(f"Converged after {run.state.n_iter} iterations.")


@pytest.mark.parametrize("covariance_type", list(COVARIANCE_TYPES))
def test_bic_and_aic_are_scikit_learns(covariance_type):
    X, _ = make_blobs(250, 3, centers=3, random_state=6)
    run = MixtureRun(X, 3, covariance_type=covariance_type, random_state=2)
    run.run()
    model = GaussianMixture(3, covariance_type=covariance_type, random_state=2).fit(X)
    bic, aic = run.information_criteria()
    assert bic == pytest.approx(model.bic(X), rel=1e-10)
    assert aic == pytest.approx(model.aic(X), rel=1e-10)
    assert run.n_parameters() == model._n_parameters()
