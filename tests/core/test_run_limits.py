"""Runs too big for the machine are refused in one sentence before anything is
allocated, whichever way they come (window, session, animate, command line): the
check is in the constructors of the runs themselves."""

import numpy as np
import pytest

from kmeans_studio.core import limits
from kmeans_studio.core.engine import kmeans, mixture
from kmeans_studio.core.engine.kmeans import KMeansRun
from kmeans_studio.core.engine.mixture import MixtureRun
from kmeans_studio.core.engine.mixture_steps import MixtureSteps, replay
from kmeans_studio.core.engine.prepared import prepare


@pytest.fixture
def little_memory(monkeypatch):
    """A machine with 16 KiB free: too little even for the seed's 300 points."""
    monkeypatch.setattr(limits, "available_memory", lambda: 16 << 10)


@pytest.fixture
def no_work(monkeypatch):
    """Fail the test if a mixture starts its work (the (n, k) responsibilities, the
    k-means that places them)."""
    def started(*args, **kwargs):
        raise AssertionError("the run started before it was checked")
    monkeypatch.setattr(MixtureRun, "_initial_resp", started)


def blobs(n=300, d=2):
    return np.random.default_rng(0).normal(size=(n, d))


def one_sentence(text: str) -> bool:
    return text.endswith(".") and text.count(". ") == 0 and "\n" not in text


@pytest.mark.parametrize("covariance_type", ["full", "tied"])
def test_a_full_or_tied_mixture_on_too_many_columns_is_refused_first(no_work,
                                                                     covariance_type):
    X = blobs(5, limits.MAX_COVARIANCE_FEATURES + 1)
    with pytest.raises(ValueError, match=f"{covariance_type} covariance on 1,001") as info:
        MixtureRun(X, 2, covariance_type=covariance_type)
    assert one_sentence(str(info.value))
    with pytest.raises(ValueError, match="1,001 features"):
        MixtureSteps(X, 2, covariance_type=covariance_type, init="kmeans")


def test_diagonal_mixtures_on_many_columns_are_not_refused_for_their_width():
    run = MixtureRun(blobs(20, limits.MAX_COVARIANCE_FEATURES + 1), 2,
                     covariance_type="diag", init_params="random", random_state=0)
    assert run.state.means.shape == (2, 1001)


def test_a_mixture_that_does_not_fit_in_memory_is_refused_before_its_work(little_memory,
                                                                          no_work):
    with pytest.raises(ValueError, match="This run .*300 points.*k = 4.*memory") as info:
        MixtureRun(blobs(), 4)
    assert one_sentence(str(info.value))


def test_a_session_replayed_as_a_mixture_is_checked_the_same_way(little_memory, no_work):
    run = {"model": "full", "init": "kmeans", "random_state": 0, "tol": 1e-3,
           "max_iter": 100}
    with pytest.raises(ValueError, match="would need about"):
        replay(blobs(), run, np.zeros((4, 2)))


def test_mixture_means_placed_again_are_checked_again(monkeypatch):
    steps = MixtureSteps(blobs(), 2, covariance_type="full", init="random_from_data",
                         random_state=0)
    monkeypatch.setattr(limits, "available_memory", lambda: 16 << 10)
    with pytest.raises(ValueError, match="would need about"):
        steps.set_centers(np.zeros((3, 2)))
    assert steps.n_clusters == 2 and len(steps.history) == 1  # the old run kept


def test_a_k_means_run_that_does_not_fit_is_refused_before_the_data_are_prepared(
        little_memory, monkeypatch):
    def prepared(*args, **kwargs):
        raise AssertionError("the data were centred before the run was checked")
    monkeypatch.setattr(kmeans, "prepare", prepared)
    with pytest.raises(ValueError, match="This run .*300 points × 2 features, k = 3") as info:
        KMeansRun(blobs(), 3)
    assert one_sentence(str(info.value))


def test_prepared_data_are_checked_for_every_run(monkeypatch):
    data = prepare(blobs())
    KMeansRun(data, 3, random_state=0)
    monkeypatch.setattr(limits, "available_memory", lambda: 16 << 10)
    with pytest.raises(ValueError, match="would need about"):
        KMeansRun(data, 3, random_state=0)


def test_the_seed_runs_fit_on_an_ordinary_machine():
    """The checks refuse nothing the pages start with (300 blobs, the digits' size)."""
    KMeansRun(blobs(), 3, random_state=0).run()
    MixtureRun(blobs(), 3, random_state=0).run()
    limits.check_run(1797, 10, 64, "full", 100, available=1 << 30)
    limits.check_run(1797, 10, 64, "kmeans", 300, available=1 << 30)


def test_the_estimates_count_what_the_runs_keep():
    """The labels of a k-means history count up to their budget; a mixture's (n, k)
    arrays and its covariances for every state count."""
    n, k, d = 1_000_000, 8, 10
    assert kmeans.DEFAULT_HISTORY_BYTES == limits.HISTORY_BYTES
    small = limits.kmeans_bytes(n, k, d, max_iter=1)
    assert limits.kmeans_bytes(n, k, d) - small >= limits.HISTORY_BYTES - 2 * n
    assert limits.kmeans_bytes(n, k, d, history_bytes=0) < small
    full = limits.mixture_bytes(n, 256, d, "full")
    assert full >= 5 * n * 256 * 8
    assert limits.mixture_bytes(100, 4, 500, "full") > 100 * 4 * 500 * 500 * 8


def test_the_e_step_worked_in_place_matches_scipys_logsumexp():
    from scipy.special import logsumexp

    for covariance_type in mixture.COVARIANCE_TYPES:
        run = MixtureRun(blobs(200, 3), 3, covariance_type=covariance_type,
                         init_params="random", random_state=1)
        state = run.state
        resp, mean_log = run._expectation(state, run._prec_chol)
        weighted = (mixture.log_gaussian(run.X, state.means, run._prec_chol,
                                         covariance_type) + np.log(state.weights))
        log_norm = logsumexp(weighted, axis=1)
        np.testing.assert_allclose(resp, np.exp(weighted - log_norm[:, None]),
                                   rtol=1e-12, atol=1e-15)
        assert mean_log == pytest.approx(log_norm.mean(), rel=1e-14)
