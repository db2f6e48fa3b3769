"""The k-sweep: agreement with scikit-learn, the best k of each score, sampling,
cancelling and memory."""

import tracemalloc

import numpy as np
import pytest
from sklearn import metrics as skm
from sklearn.cluster import KMeans
from sklearn.datasets import load_digits, make_blobs

from kmeans_studio.core import KMeansRun
from kmeans_studio.core.explore.sweep import elbow, sweep


@pytest.fixture(scope="module")
def blobs():
    return make_blobs(300, centers=4, cluster_std=0.6, random_state=0)[0]


def test_silhouette_and_elbow_point_at_the_four_true_centres(blobs):
    result = sweep(blobs, range(2, 13))
    assert list(result.ks) == list(range(2, 13))
    assert result.best_k("silhouette") == 4
    assert result.best_k("inertia") == 4


@pytest.mark.parametrize("init", ["k-means++", "random"])
def test_every_k_ends_where_scikit_learn_ends_with_the_same_seed(init):
    X = load_digits().data
    result = sweep(X, range(2, 8), init=init, random_state=3)
    for run in result.runs:
        theirs = KMeans(run.k, init=init, n_init=1, random_state=3).fit(X)
        assert run.inertia == pytest.approx(theirs.inertia_, rel=1e-9)
        np.testing.assert_allclose(run.centers, theirs.cluster_centers_, atol=1e-9)


def test_scores_are_scikit_learns_on_all_points_when_there_are_few(blobs):
    result = sweep(blobs, [3, 5])
    assert not result.sampled and result.scored_points == 300
    for run in result.runs:
        labels = KMeansRun(blobs, run.k, init=run.initial_centers).run().labels
        assert run.silhouette == pytest.approx(skm.silhouette_score(blobs, labels))
        assert run.calinski_harabasz == pytest.approx(
            skm.calinski_harabasz_score(blobs, labels))
        assert run.davies_bouldin == pytest.approx(skm.davies_bouldin_score(blobs, labels))


def test_a_runs_initial_centres_replay_it(blobs):
    run = sweep(blobs, [6], random_state=5).runs[0]
    again = KMeansRun(blobs, 6, init=run.initial_centers).run()
    np.testing.assert_array_equal(again.centers, run.centers)
    assert again.n_iter == run.n_iter


def test_above_5000_points_scores_use_one_fixed_sample():
    X = make_blobs(8000, centers=3, random_state=1)[0]
    first, second = sweep(X, [2, 3]), sweep(X, [2, 3])
    assert first.sampled and first.scored_points == 5000 and first.n_points == 8000
    np.testing.assert_array_equal(first.values("silhouette"), second.values("silhouette"))


def test_weighted_colours_are_scored_on_a_sample_of_pixels():
    rng = np.random.RandomState(0)
    colours = rng.rand(50, 3)
    counts = rng.randint(100, 1000, 50).astype(float)
    result = sweep(colours, [2, 3], sample_weight=counts)
    assert result.n_points == counts.sum() and result.scored_points == 5000
    pixels = np.repeat(colours, counts.astype(int), axis=0)
    theirs = KMeans(3, n_init=1, random_state=0).fit(colours, sample_weight=counts)
    assert result.runs[1].inertia == pytest.approx(
        ((pixels - theirs.cluster_centers_[theirs.predict(pixels)]) ** 2).sum())


def test_cancelling_stops_within_one_half_step(blobs, monkeypatch):
    state = {"cancel": False, "after": 0}
    for name in ("_assign_step", "_update_step"):
        original = getattr(KMeansRun, name)

        def counted(self, original=original):
            state["after"] += state["cancel"]
            return original(self)

        monkeypatch.setattr(KMeansRun, name, counted)

    def progress(done, total):
        state["cancel"] = True  # once the first k is done

    result = sweep(blobs, range(2, 13), cancelled=lambda: state["cancel"],
                   on_progress=progress)
    assert result is None
    # At most the half-step each other run was in when it was told (one per core).
    assert state["after"] <= 2


def test_a_k_larger_than_the_data_allow_is_refused_before_any_work():
    X = np.repeat([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0]], 10, axis=0)
    seen = []
    with pytest.raises(ValueError, match="distinct"):
        sweep(X, [2, 3, 4], on_progress=lambda done, total: seen.append(done))
    assert seen == []


def test_no_k_to_try_is_refused():
    with pytest.raises(ValueError, match="at least one k"):
        sweep(np.eye(3), [])


def test_elbow_of_a_curve_with_a_clear_knee_and_of_a_straight_line():
    ks = np.arange(1, 9)
    assert elbow(ks, [100, 40, 12, 10, 9, 8, 7, 6]) == 3
    assert elbow(ks[:2], [10, 5]) is None


def _sweep_peak_bytes(n):
    X = make_blobs(n, centers=5, random_state=0)[0]
    tracemalloc.start()
    try:
        result = sweep(X, range(2, 6))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.sampled and result.scored_points == 5000
    return peak, X.nbytes


def test_memory_stays_bounded_for_200000_points():
    small, small_bytes = _sweep_peak_bytes(50_000)
    peak, data_bytes = _sweep_peak_bytes(200_000)
    # The silhouette on all points would need 320 GB; the sample's distances come in
    # chunks of 64 MiB per thread, and the rest grows like the data.
    assert peak < 256 << 20
    assert peak - small < 20 * (data_bytes - small_bytes)


def test_a_photo_sweep_makes_the_runs_of_its_page():
    """Seeded on a pixel sample and assigned by the colour octree: each k's run is
    the one the Image page makes for that k (same start, same end)."""
    from sklearn.datasets import load_sample_image

    from kmeans_studio.core.data.datasets import image_dataset

    data = image_dataset(load_sample_image("china.jpg")[::4, ::4], "china")
    colors = data.image.colors
    result = sweep(data.X, [3, 9], sample_weight=data.sample_weight, random_state=2,
                   tol=1e-4 * data.tolerance_scale, seeding=colors.initial_palette,
                   assigner=colors.assigner())
    for run in result.runs:
        start = colors.initial_palette(run.k, 2)
        np.testing.assert_array_equal(run.initial_centers, start)
        page = colors.engine_run(start).run()
        np.testing.assert_allclose(run.centers, page.centers, rtol=1e-12)
        assert run.n_iter == page.n_iter
    # Without the octree (the engine's rounding of |c|² - 2x·c may break a near tie
    # the other way), the same clustering to a fraction of a colour level.
    plain = sweep(data.X, [3, 9], sample_weight=data.sample_weight, random_state=2,
                  tol=1e-4 * data.tolerance_scale, seeding=colors.initial_palette)
    for a, b in zip(result.runs, plain.runs):
        np.testing.assert_allclose(a.centers, b.centers, atol=0.1)
        assert a.inertia == pytest.approx(b.inertia, rel=1e-4)


@pytest.mark.parametrize("model", ["full", "spherical"])
def test_a_mixture_sweep_has_scikit_learns_bic_and_aic_and_no_inertia(blobs, model):
    from sklearn.mixture import GaussianMixture

    X = blobs
    result = sweep(X, range(1, 7), model=model, init="kmeans", random_state=3, tol=1e-3,
                   max_iter=100)
    assert result.model == model and np.isnan(result.values("inertia")).all()
    for run in result.runs:
        gm = GaussianMixture(run.k, covariance_type=model, random_state=3).fit(X)
        assert run.bic == pytest.approx(gm.bic(X), rel=1e-9)
        assert run.aic == pytest.approx(gm.aic(X), rel=1e-9)
        np.testing.assert_allclose(run.centers, gm.means_, rtol=1e-8)
    assert result.best_k("bic") == 4


def test_a_k_means_sweep_has_no_bic_and_a_weighted_mixture_is_refused(blobs):
    result = sweep(blobs, [2, 3], with_scores=False)
    assert np.isnan(result.values("bic")).all() and result.model == "kmeans"
    with pytest.raises(ValueError, match="sample weights"):
        sweep(blobs, [2], model="full", init="kmeans", sample_weight=np.ones(len(blobs)))
