"""The engine agrees with scikit-learn's Lloyd k-means, iteration by iteration."""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.cluster import KMeans
from sklearn.datasets import load_digits, load_sample_image, make_blobs

from kmeans_studio.core import KMeansRun


def sklearn_fit(X, C, w, max_iter, tol):
    with warnings.catch_warnings():
        # "Number of distinct clusters found smaller than n_clusters" is expected for
        # initial centres that leave clusters empty.
        warnings.simplefilter("ignore")
        return KMeans(
            len(C), init=C, n_init=1, max_iter=max_iter, tol=tol, algorithm="lloyd"
        ).fit(X, sample_weight=w)


def assert_same_as_sklearn(X, C, w, max_iter, tol, use_compiled=None):
    run = KMeansRun(X, len(C), init=C, sample_weight=w, tol=tol, max_iter=max_iter,
                    use_compiled=use_compiled)
    final = run.run()
    ref = sklearn_fit(X, C, w, max_iter, tol)
    scale = np.abs(X).max() + 1.0
    np.testing.assert_allclose(final.centers, ref.cluster_centers_, rtol=1e-6, atol=1e-9 * scale)
    np.testing.assert_array_equal(final.labels, ref.labels_)
    assert final.n_iter == ref.n_iter_
    total = float(((X - X.mean(0)) ** 2).sum(axis=1) @ (np.ones(len(X)) if w is None else w))
    assert final.inertia == pytest.approx(ref.inertia_, rel=1e-6, abs=1e-9 * total + 1e-12)
    # Every intermediate iteration: the centres after m updates equal scikit-learn's
    # fit with max_iter=m (when it had not stopped before m).
    updates = [s for s in run.history if s.phase == "update"]
    for state in updates[: min(len(updates), 4)]:
        m = state.n_iter
        ref_m = sklearn_fit(X, C, w, m, tol)
        if ref_m.n_iter_ == m:
            np.testing.assert_allclose(state.centers, ref_m.cluster_centers_,
                                       rtol=1e-6, atol=1e-9 * scale)
    return run


@st.composite
def kmeans_cases(draw):
    n = draw(st.integers(1, 40))
    d = draw(st.integers(1, 4))
    if draw(st.booleans()):
        # A small integer grid: duplicates, collinear points and exact ties abound.
        elements = st.integers(-4, 4).map(float)
    else:
        elements = st.floats(-100, 100, allow_nan=False, allow_subnormal=False)
    X = draw(arrays(np.float64, (n, d), elements=elements))
    if draw(st.booleans()):  # duplicate some rows
        repeat = draw(st.lists(st.integers(0, n - 1), max_size=n))
        X = np.vstack([X, X[repeat]]) if repeat else X
    if draw(st.booleans()):  # collinear points
        t = draw(arrays(np.float64, (len(X), 1), elements=st.integers(-5, 5).map(float)))
        X = t * X[:1]
    n = len(X)
    w = None
    if draw(st.booleans()):
        w = draw(arrays(np.float64, (n,), elements=st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0])))
        if not (w > 0).any():
            w[draw(st.integers(0, n - 1))] = 1.0
    positive = X if w is None else X[w > 0]
    distinct = len(np.unique(positive + 0.0, axis=0))
    k = draw(st.integers(1, min(distinct, 8)))
    how = draw(st.sampled_from(["rows", "repeated_rows", "anywhere"]))
    if how == "rows":
        C = X[draw(st.lists(st.integers(0, n - 1), min_size=k, max_size=k, unique=True))
              if n >= k else [0] * k]
    elif how == "repeated_rows":  # identical initial centres leave clusters empty
        C = X[draw(st.lists(st.integers(0, n - 1), min_size=k, max_size=k))]
    else:  # centres far away from the data also leave clusters empty
        C = draw(arrays(np.float64, (k, X.shape[1]), elements=st.floats(-300, 300)))
    max_iter = draw(st.integers(1, 12))
    tol = draw(st.sampled_from([0.0, 1e-4, 1e-2]))
    return X, np.array(C, dtype=float), w, max_iter, tol


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kmeans_cases())
def test_agrees_with_sklearn_on_generated_cases(case):
    X, C, w, max_iter, tol = case
    assert_same_as_sklearn(X, C, w, max_iter, tol)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kmeans_cases(), st.sampled_from([0, 20]))
def test_compiled_whole_run_loop_agrees_with_sklearn_on_generated_cases(case, padding):
    # The compiled loop, with Hamerly's test and BLAS for the rows it leaves (k = 1:
    # every distance by BLAS), on narrow rows and on rows that zero columns make wide
    # without changing a distance.
    X, C, w, max_iter, tol = case
    X = np.hstack([X, np.zeros((len(X), padding))])
    C = np.hstack([C, np.zeros((len(C), padding))])
    run = assert_same_as_sklearn(X, C, w, max_iter, tol, use_compiled=True)
    assert run._runs_in_one_call() and run._bounded() == (len(C) > 1)


@pytest.mark.parametrize("random_state", [0, 1, 2])
def test_blobs_kmeanspp_matches_sklearn_seed_for_seed(random_state):
    X, _ = make_blobs(300, centers=4, cluster_std=0.6, random_state=0)
    ours = KMeansRun(X, 4, random_state=random_state).run()
    theirs = KMeans(4, random_state=random_state, n_init=1).fit(X)
    np.testing.assert_allclose(ours.centers, theirs.cluster_centers_, rtol=1e-9)
    np.testing.assert_array_equal(ours.labels, theirs.labels_)


def test_random_init_matches_sklearn_seed_for_seed():
    X, _ = make_blobs(200, centers=5, random_state=3)
    ours = KMeansRun(X, 5, init="random", random_state=7).run()
    theirs = KMeans(5, init="random", random_state=7, n_init=1).fit(X)
    np.testing.assert_allclose(ours.centers, theirs.cluster_centers_, rtol=1e-9)


def test_digits_agree_with_both_paths():
    X = load_digits().data
    C = X[:10]
    for use_compiled in (True, False):
        assert_same_as_sklearn(X, C, None, 300, 1e-4, use_compiled=use_compiled)


def test_china_pixels_agree_for_ten_iterations():
    # Merged duplicate colours, Hamerly bounds and the compiled kernel on real data:
    # pixels and initial centres share the 1/255 grid, so exact ties are frequent.
    X = (load_sample_image("china.jpg")[::2, ::2] / 255.0).reshape(-1, 3)
    C = X[np.random.default_rng(0).choice(len(X), 32, replace=False)]
    run = KMeansRun(X, 32, init=C, tol=0, max_iter=10)
    assert run.n_distinct < run.n_samples
    final = run.run()
    ref = sklearn_fit(X, C, None, 10, 0)
    np.testing.assert_array_equal(final.labels, ref.labels_)
    np.testing.assert_allclose(final.centers, ref.cluster_centers_, rtol=1e-6)
