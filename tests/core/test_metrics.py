"""Label matching and scores against brute force and scikit-learn."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn import metrics as skm

from kmeans_studio.core.engine import _compiled
from kmeans_studio.core.explore.metrics import (
    cluster_scores,
    contingency,
    evaluate,
    match_labels,
    match_table,
    silhouette_from_distances,
)

tables = st.integers(1, 5).flatmap(
    lambda c: st.integers(1, 5).flatmap(
        lambda k: arrays(np.int64, (c, k), elements=st.integers(0, 30))))


def _best_accuracy(table, injective):
    """Brute force over every map from clusters to classes."""
    c, k = table.shape
    best = 0
    for mapping in itertools.product(range(c), repeat=k):
        if injective and len(set(mapping)) < k:
            continue
        best = max(best, sum(table[m, j] for j, m in enumerate(mapping)))
    return best / max(1, table.sum())


@settings(max_examples=150, deadline=None)
@given(tables)
def test_mode_is_the_best_many_to_one_matching(table):
    classes = np.arange(table.shape[0])
    assert match_table(classes, table, "mode").accuracy == pytest.approx(
        _best_accuracy(table, injective=False))


@settings(max_examples=150, deadline=None)
@given(tables)
def test_hungarian_is_the_best_one_to_one_matching(table):
    c, k = table.shape
    classes = np.arange(c)
    hungarian = match_table(classes, table, "hungarian")
    mode = match_table(classes, table, "mode")
    if k <= c:  # every cluster its own class: brute force over injective maps
        assert len(set(hungarian.cluster_class)) == k
        assert hungarian.accuracy == pytest.approx(_best_accuracy(table, injective=True))
    # Many-to-one can only do better; equal when the mode map is one-to-one.
    assert hungarian.accuracy <= mode.accuracy + 1e-12
    if len(set(mode.cluster_class)) == k and k <= c:
        assert hungarian.accuracy == pytest.approx(mode.accuracy)


def test_a_relabelled_clustering_is_matched_back_exactly():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 6, 500)
    permutation = rng.permutation(6)
    labels = permutation[y]
    for method in ("hungarian", "mode"):
        matching = match_labels(y, labels, method)
        assert matching.accuracy == 1.0
        np.testing.assert_array_equal(matching.predict(labels), y)
        assert matching.collisions == {}


def test_mode_collisions_are_reported_and_hungarian_avoids_them():
    # Clusters 0 and 1 both hold mostly 7s (cluster 1 also the 5s); cluster 2 the 3s.
    y = np.array([7] * 10 + [7] * 6 + [5] * 4 + [3] * 8)
    labels = np.array([0] * 10 + [1] * 6 + [1] * 4 + [2] * 8)
    mode = match_labels(y, labels, "mode")
    assert mode.collisions == {7: [0, 1]}
    hungarian = match_labels(y, labels, "hungarian")
    assert hungarian.collisions == {}
    assert hungarian.accuracy < mode.accuracy


def test_extra_clusters_take_their_most_common_class():
    y = np.array([0, 0, 0, 1, 1, 1])
    labels = np.array([0, 0, 2, 1, 1, 1])  # cluster 2 is a second cluster of 0s
    matching = match_labels(y, labels, "hungarian")
    np.testing.assert_array_equal(matching.cluster_class, [0, 1, 0])
    assert matching.accuracy == 1.0


def test_contingency_keeps_empty_clusters_and_text_labels():
    y = np.array(["b", "a", "b", "c"])
    classes, table = contingency(y, np.array([0, 0, 3, 3]), n_clusters=5)
    np.testing.assert_array_equal(classes, ["a", "b", "c"])
    assert table.shape == (3, 5) and table.sum() == 4
    assert table[:, [1, 2, 4]].sum() == 0
    with pytest.raises(ValueError, match="true labels"):
        contingency(y[:3], np.array([0, 0, 3, 3]), 5)


def test_unknown_matching_method_is_a_sentence():
    with pytest.raises(ValueError, match="hungarian"):
        match_labels([0, 1], [0, 1], "greedy")


def test_scores_are_scikit_learns():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 3))
    y = rng.integers(0, 3, 400)
    labels = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0)
    scores = cluster_scores(X, y, labels)
    assert scores["ARI"] == pytest.approx(skm.adjusted_rand_score(y, labels))
    assert scores["AMI"] == pytest.approx(skm.adjusted_mutual_info_score(y, labels))
    assert scores["V-measure"] == pytest.approx(skm.v_measure_score(y, labels))
    assert scores["Silhouette"] == pytest.approx(skm.silhouette_score(X, labels))


def test_silhouette_is_sampled_and_stable_above_the_sample_size():
    from sklearn.datasets import make_blobs

    X, y = make_blobs(3000, centers=3, random_state=0)
    full = skm.silhouette_score(X, y)
    first = cluster_scores(X, y, y, sample_size=500)["Silhouette"]
    again = cluster_scores(X, y, y, sample_size=500)["Silhouette"]
    assert first == again  # the same subset every time
    assert first != full and abs(first - full) < 0.05


def test_silhouette_is_nan_when_undefined():
    X = np.arange(10.0).reshape(5, 2)
    assert np.isnan(cluster_scores(X, np.zeros(5), np.zeros(5, int))["Silhouette"])


def test_evaluation_switches_matching_without_recomputing():
    y = np.array([7] * 16 + [3] * 12)
    labels = np.array([0] * 10 + [1] * 6 + [1] * 4 + [2] * 8)
    X = np.arange(len(y), dtype=float)[:, None]
    evaluation = evaluate(X, y, labels, 4)  # cluster 3 is empty
    assert evaluation.table.shape == (2, 4)
    assert evaluation.matching("mode").accuracy >= evaluation.matching("hungarian").accuracy


def test_silhouette_profile_is_scikit_learns_per_point_silhouette():
    from sklearn.datasets import make_blobs

    from kmeans_studio.core.explore.metrics import silhouette_profile

    X, y = make_blobs(400, centers=3, random_state=2)
    profile = silhouette_profile(X, y)
    np.testing.assert_allclose(profile.values, skm.silhouette_samples(X, y))
    assert profile.mean == pytest.approx(skm.silhouette_score(X, y))
    assert not profile.sampled and profile.n_points == 400


def test_silhouette_profile_of_weighted_colours_samples_pixels():
    from kmeans_studio.core.explore.metrics import silhouette_profile

    rng = np.random.RandomState(1)
    colours, counts = rng.rand(30, 3), rng.randint(200, 400, 30).astype(float)
    labels = (colours[:, 0] > 0.5).astype(int)
    profile = silhouette_profile(colours, labels, counts, sample_size=1000)
    assert profile.sampled and profile.n_scored == 1000 and profile.n_points == counts.sum()
    assert len(profile.values) == 1000 and -1 <= profile.values.min() <= profile.mean <= 1
    few = silhouette_profile(colours, labels, np.full(30, 2.0), sample_size=1000)
    assert few.n_scored == 60 and not few.sampled  # every pixel, each colour twice


@pytest.mark.parametrize("compiled", [True, False])
@pytest.mark.parametrize("k", [2, 5, 40])
def test_silhouette_from_distances_is_scikit_learns(monkeypatch, compiled, k):
    if not compiled:
        monkeypatch.setattr(_compiled, "available", lambda: False)
    rng = np.random.default_rng(k)
    X = rng.normal(size=(600, 3))
    distances = np.sqrt(((X[:, None] - X[None]) ** 2).sum(-1)).astype(np.float32)
    labels = rng.integers(0, k, len(X)) * 3  # not 0..k-1
    labels[7] = -1  # a lone point scores 0
    expected = skm.silhouette_score(distances, labels, metric="precomputed")
    assert silhouette_from_distances(distances, labels) == pytest.approx(expected, rel=1e-6)


def test_silhouette_from_distances_is_nan_when_undefined():
    distances = np.ones((4, 4), dtype=np.float32) - np.eye(4, dtype=np.float32)
    assert np.isnan(silhouette_from_distances(distances, np.zeros(4)))
    assert np.isnan(silhouette_from_distances(distances, np.arange(4)))
