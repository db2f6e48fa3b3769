"""KMeansRun's half-steps, history, hand-placed centres and memory bounds."""

import numpy as np
import pytest
from sklearn.datasets import make_blobs

from kmeans_studio.core import Iteration, KMeansRun


@pytest.fixture
def blobs():
    X, _ = make_blobs(300, centers=4, cluster_std=0.6, random_state=0)
    return X


def test_half_steps_alternate_and_states_are_frozen(blobs):
    run = KMeansRun(blobs, 4, random_state=0)
    init = run.state
    assert init.phase == "init" and init.labels is None and np.isnan(init.inertia)
    assigned = run.assign()
    assert assigned.phase == "assign" and assigned.n_iter == 1
    assert assigned.n_changed == len(blobs)
    with pytest.raises(RuntimeError, match="next half-step is update"):
        run.assign()
    updated = run.update()
    assert updated.phase == "update" and updated.n_iter == 1
    np.testing.assert_array_equal(updated.labels, assigned.labels)
    assert updated.inertia <= assigned.inertia
    assert updated.center_shift.shape == (4,) and (updated.center_shift > 0).any()
    for array in (updated.centers, updated.labels, updated.center_shift):
        assert not array.flags.writeable
    with pytest.raises(AttributeError):
        updated.n_iter = 5  # frozen


def test_inertia_matches_direct_computation(blobs):
    w = np.random.default_rng(1).random(len(blobs))
    run = KMeansRun(blobs, 4, random_state=0, sample_weight=w)
    for _ in range(6):
        state = run.advance()
        direct = (((blobs - state.centers[state.labels]) ** 2).sum(axis=1) * w).sum()
        assert state.inertia == pytest.approx(direct, rel=1e-10)


def test_history_keeps_every_half_step_and_step_back_is_exact(blobs):
    run = KMeansRun(blobs, 4, random_state=0)
    seen = [run.state]
    while not run.done:
        seen.append(run.advance())
    assert len(run.history) == len(seen)
    for old, again in zip(seen, run.history):
        assert isinstance(again, Iteration)
        assert (old.phase, old.n_iter) == (again.phase, again.n_iter)
        np.testing.assert_array_equal(old.centers, again.centers)
        if old.labels is not None:
            np.testing.assert_array_equal(old.labels, again.labels)
    assert run.state.converged
    assert run.step() is run.state  # a finished run stays where it is


def test_labels_are_compact(blobs):
    assert KMeansRun(blobs, 4, random_state=0).step().labels.dtype == np.uint8
    X = np.random.default_rng(0).random((600, 2))
    assert KMeansRun(X, 300, random_state=0).step().labels.dtype == np.uint16


def test_history_budget_drops_old_labels_but_recomputes_them(blobs):
    full = KMeansRun(blobs, 4, init="random", random_state=3)
    full.run()
    tight = KMeansRun(blobs, 4, init="random", random_state=3, history_bytes=600)
    tight.run()
    assert sum(r.labels is not None for r in tight._records) < len(tight._records) - 1
    for a, b in zip(full.history, tight.history):
        if a.labels is None:
            assert b.labels is None
        else:
            np.testing.assert_array_equal(a.labels, b.labels)


def test_set_centers_restarts_from_hand_placed_centres(blobs):
    run = KMeansRun(blobs, 4, random_state=0)
    run.run()
    hand = np.array([[0.0, 0.0], [2.0, 2.0], [-2.0, 6.0]])
    state = run.set_centers(hand)
    assert state.phase == "init" and state.n_clusters == 3 and len(run.history) == 1
    np.testing.assert_allclose(state.centers, hand)
    assigned = run.assign()
    expected = ((blobs[:, None, :] - hand[None]) ** 2).sum(axis=2).argmin(axis=1)
    np.testing.assert_array_equal(assigned.labels, expected)


def test_run_callback_can_stop_early(blobs):
    run = KMeansRun(blobs, 4, init="random", random_state=5)
    calls = []
    final = run.run(callback=lambda s: calls.append(s.phase) or len(calls) < 3)
    assert len(calls) == 3 and final.phase == calls[-1] and not run.done


def test_max_iter_ends_with_consistent_labels(blobs):
    run = KMeansRun(blobs, 4, init="random", random_state=2, max_iter=1, tol=0)
    final = run.run()
    assert final.phase == "assign" and final.n_iter == 1 and not final.converged
    np.testing.assert_array_equal(final.labels, run.predict(blobs))


def test_farthest_first_spreads_centres(blobs):
    C = KMeansRun(blobs, 4, init="farthest", random_state=0).state.centers
    gaps = np.sqrt(((C[:, None] - C[None]) ** 2).sum(-1))[np.triu_indices(4, 1)]
    assert gaps.min() > 2.0  # one centre per blob, far apart
    # every centre is a sample (up to the rounding of centring and un-centring)
    nearest = np.sqrt(((C[:, None] - blobs[None]) ** 2).sum(-1)).min(axis=1)
    assert nearest.max() < 1e-12


def test_predict_and_merged_duplicates_expand_labels():
    rng = np.random.default_rng(0)
    palette = rng.random((50, 3))
    X = palette[rng.integers(0, 50, 20_000)]
    run = KMeansRun(X, 5, random_state=0)
    assert run.n_distinct == 50 and run.n_samples == 20_000
    final = run.run()
    assert final.labels.shape == (20_000,)
    np.testing.assert_array_equal(final.labels, run.predict(X))


def test_float32_data_stay_float32_and_agree_between_paths():
    X = np.random.default_rng(0).random((3000, 40), dtype=np.float32)
    a = KMeansRun(X, 6, init=X[:6], use_compiled=True).run()
    b = KMeansRun(X, 6, init=X[:6], use_compiled=False).run()
    assert a.centers.dtype == np.float32
    assert (a.labels == b.labels).mean() > 0.999
    np.testing.assert_allclose(a.centers, b.centers, rtol=1e-4, atol=1e-5)


def test_same_clustering_counts_label_pairs_as_scikit_learn_does():
    from kmeans_studio.core.engine.kmeans import _same_clustering

    rng = np.random.default_rng(0)
    for _ in range(50):
        kept = rng.integers(0, 6, 200).astype(np.uint8)
        permuted = rng.permutation(6)[kept].astype(np.uint8)  # the same clustering
        other = kept.copy()
        other[rng.integers(0, 200)] = (other[0] + 1) % 6  # maybe one sample moved
        for labels in (permuted, other):
            pairs = np.unique(np.stack([labels, kept]).astype(np.int64), axis=1).shape[1]
            assert _same_clustering(labels, kept) == (pairs == len(np.unique(labels)))
        assert _same_clustering(permuted, kept)
