"""The whole-run loop (`run()` in one compiled call) makes the states half-steps make."""

import numpy as np
import pytest
from sklearn.datasets import load_digits

from kmeans_studio.core import KMeansRun
from kmeans_studio.core.engine import _compiled, kmeans

pytestmark = pytest.mark.skipif(not _compiled.available(), reason="numba not installed")


def grid(n, d, seed, step=0.25):
    """Points on a grid: duplicates and exact ties abound."""
    return np.round(np.random.default_rng(seed).normal(size=(n, d)) * 4) * step


def cases():
    digits = load_digits().data
    wide32 = grid(2000, 100, 1).astype(np.float32)
    return {
        # name: (X, k, options)
        "digits, Hamerly then BLAS": (digits, 10, {}),
        "float32, 100 columns": (wide32, 7, {}),
        "scan, BLAS first pass": (grid(6000, 2, 2), 24, {}),
        "scan, nearest-first first pass": (grid(6000, 3, 3), 100, {}),
        "no bounds (few rows, many centres)": (grid(1500, 3, 4), 50, {}),
        "merged duplicates": (grid(12_000, 2, 5), 6, {"use_compiled": True}),
        "merged duplicates, bounds": (grid(30_000, 3, 6), 8, {}),
        "max_iter reached": (digits, 10, {"max_iter": 3, "tol": 0}),
        "tolerance": (digits, 10, {"tol": 1e-2}),
        "empty clusters relocated": (digits, 10, {"init": np.repeat(digits[:2], 5, axis=0)}),
        "one cluster": (digits, 1, {}),
        "weighted": (digits, 6, {"sample_weight": np.arange(len(digits)) % 4}),
    }


def assert_same_history(a, b):
    assert len(a.history) == len(b.history)
    for x, y in zip(a.history, b.history):
        assert (x.phase, x.n_iter, x.n_changed, x.converged) == \
               (y.phase, y.n_iter, y.n_changed, y.converged)
        np.testing.assert_array_equal(x.centers, y.centers)
        np.testing.assert_array_equal(x.center_shift, y.center_shift)
        if x.labels is None:
            assert y.labels is None
        else:
            np.testing.assert_array_equal(x.labels, y.labels)
        assert x.inertia == y.inertia or (np.isnan(x.inertia) and np.isnan(y.inertia))


@pytest.mark.parametrize("name", list(cases()))
def test_one_call_run_equals_half_steps(name):
    X, k, options = cases()[name]
    distinct = np.unique(X, axis=0)
    options = {"init": distinct[:: len(distinct) // k][:k], **options}
    whole = KMeansRun(X, k, **options)
    assert whole._runs_in_one_call()
    assert whole._bounded() == ("no bounds" not in name and k > 1)
    whole.run()
    stepped = KMeansRun(X, k, **options)
    while not stepped.done:
        stepped.advance()
    assert whole.done
    assert_same_history(whole, stepped)


def test_empty_clusters_are_relocated_between_calls():
    X = load_digits().data
    run = KMeansRun(X, 10, init=np.repeat(X[:2], 5, axis=0))
    run.run()
    first_update = run.history[2]
    assert first_update.phase == "update"
    # Eight of the ten identical centres had no points: each moved to a far point.
    assert np.count_nonzero(first_update.center_shift) >= 8


@pytest.mark.parametrize("work, stop_at", [(1, 6), (1, 7), (10**7, 6)])
def test_a_run_is_cancelled_between_calls_of_the_loop(monkeypatch, work, stop_at):
    # Work for one half-step a call: cancelled between half-steps, as stepping is;
    # about ten iterations a call: between calls.
    monkeypatch.setattr(kmeans, "_LOOP_WORK", work)
    X = load_digits().data
    run = KMeansRun(X, 10, init=X[:10])
    state = run.run(cancelled=lambda: len(run.history) >= stop_at)
    assert not run.done
    if work == 1:
        assert len(run.history) == stop_at
        assert (state.n_iter, state.phase) == (run.history[-1].n_iter, run.history[-1].phase)
    finished = run.run()
    reference = KMeansRun(X, 10, init=X[:10])
    reference.run()
    assert finished.n_iter == reference.state.n_iter
    assert_same_history(run, reference)


def test_stepping_after_a_run_continues_from_where_the_loop_stopped(monkeypatch):
    monkeypatch.setattr(kmeans, "_LOOP_WORK", 1)
    X = load_digits().data
    run = KMeansRun(X, 10, init=X[:10])
    run.run(cancelled=lambda: len(run.history) > 4)
    while not run.done:
        run.advance()
    stepped = KMeansRun(X, 10, init=X[:10])
    while not stepped.done:
        stepped.advance()
    assert_same_history(run, stepped)
