"""Other algorithms side by side: the gallery's lesson on the moons, refusals, cancel."""

import numpy as np
import pytest
from sklearn.datasets import make_moons

from kmeans_studio.core.explore.algorithms import NAMES, compare_algorithms, scored


@pytest.fixture(scope="module")
def moons():
    return make_moons(300, noise=0.05, random_state=0)


def test_density_and_graph_methods_get_the_moons_right_and_k_means_does_not(moons):
    X, y = moons
    done = []
    results = {r.name: r for r in compare_algorithms(
        X, 2, y=y, progress=lambda i, total: done.append((i, total)))}
    assert list(results) == list(NAMES) and done[-1] == (len(NAMES), len(NAMES))
    for name in ("single", "spectral", "hdbscan"):
        assert results[name].ari > 0.95, name
    assert results["dbscan"].ari > 0.9
    for name in ("minibatch", "bisecting", "gmm"):
        assert results[name].ari < 0.7, name
    for result in results.values():
        assert result.labels.shape == (300,) and result.seconds > 0
        assert result.n_clusters == len(set(result.labels[result.labels >= 0].tolist()))


def test_algorithms_too_slow_for_the_data_say_so_and_do_not_run():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(10_001, 2))
    (spectral,) = compare_algorithms(X, 3, names=("spectral",))
    assert spectral.labels is None and spectral.refused == (
        "Not run on 10,001 points: its eigenvectors take too long above 10,000 points.")


def test_noise_is_left_out_of_the_silhouette_and_counted_in_the_ari():
    X = np.array([[0, 0], [0, 1], [10, 10], [10, 11], [50, 50]], dtype=float)
    labels = np.array([0, 0, 1, 1, -1])
    result = scored("x", "X", X, labels, y=np.array([0, 0, 1, 1, 2]))
    assert result.n_clusters == 2 and result.n_noise == 1 and result.ari == 1.0
    assert result.silhouette == pytest.approx(scored("x", "X", X[:4], labels[:4]).silhouette)


def test_cancel_and_bad_input(moons):
    X, _ = moons
    asked = []
    assert compare_algorithms(X, 2, cancelled=lambda: asked.append(1) or len(asked) > 2) is None
    assert len(asked) == 3
    for bad, k in ((X[:1], 2), (X, 1), (X, 300), (np.full((5, 2), np.nan), 2)):
        with pytest.raises(ValueError, match="other algorithms need"):
            compare_algorithms(bad, k)


def test_a_setting_changes_its_algorithm_and_bad_values_are_refused(moons):
    from kmeans_studio.core.explore.algorithms import settings

    X, y = moons
    (wide,) = compare_algorithms(X, 2, y=y, names=("dbscan",), values={"dbscan": 5.0})
    (default,) = compare_algorithms(X, 2, y=y, names=("dbscan",))
    assert wide.n_clusters == 1 and default.n_clusters == 2
    assert set(settings()) == {"spectral", "dbscan", "hdbscan", "meanshift", "optics"}
    for value in (0.0, 11.0, float("nan")):
        with pytest.raises(ValueError, match="DBSCAN's eps must be from 0.01 to 10"):
            compare_algorithms(X, 2, names=("dbscan",), values={"dbscan": value})


def test_the_pages_k_means_runs_on_the_same_standardised_data_as_the_others(moons):
    """Its labels are scikit-learn's KMeans on the standardised data, from the page's
    initialisation and seed (or its centres, standardised as the data were)."""
    from sklearn.cluster import KMeans
    from sklearn.preprocessing import StandardScaler

    X, y = moons
    X = X * [1.0, 40.0]  # other units on each axis: the scaling matters
    scaler = StandardScaler().fit(X)
    scaled = scaler.transform(X)
    cases = [({"init": "random"}, KMeans(2, init="random", n_init=1, random_state=36)),
             ({"init": "k-means++", "n_init": 3},
              KMeans(2, init="k-means++", n_init=3, random_state=36)),
             ({"init": X[:2]}, KMeans(2, init=scaled[:2], n_init=1))]
    for options, theirs in cases:
        (kmeans,) = compare_algorithms(X, 2, y=y, random_state=36, names=(),
                                       kmeans=options)
        assert kmeans.name == "kmeans" and kmeans.about.startswith("Standardised")
        np.testing.assert_array_equal(kmeans.labels, theirs.fit_predict(scaled))


def test_every_tile_sees_the_data_in_the_same_units_whatever_they_were(moons):
    """Standardised first, all of them: the same points in other units (one axis
    stretched 1,000 times) give every tile, k-means included, the same clusters."""
    X, y = moons
    kmeans = {"init": "random"}
    names = ("minibatch", "gmm", "ward", "single", "spectral", "dbscan")
    mine = compare_algorithms(X, 2, y=y, names=names, kmeans=kmeans)
    stretched = compare_algorithms(X * [1.0, 1000.0], 2, y=y, names=names, kmeans=kmeans)
    assert [r.name for r in mine] == ["kmeans", *names]
    for a, b in zip(mine, stretched, strict=True):
        np.testing.assert_array_equal(a.labels, b.labels, err_msg=a.name)


def test_on_the_default_moons_k_means_cuts_them_where_graphs_follow_them():
    """The Blobs page's two moons at the default spread (the notebook's noise, 0.05)
    with its default run: spectral clustering and single linkage find them, k-means
    on the same standardised data does not."""
    from kmeans_studio.core.data.sources import data_source
    from kmeans_studio.core.parameters import BLOBS_RUN, BlobParameters

    data = data_source(BlobParameters(shape="moons").source()).load()
    run = BLOBS_RUN.request_values()
    results = {r.name: r for r in compare_algorithms(
        data.X, 2, y=data.y, random_state=run["random_state"],
        names=("single", "spectral"), kmeans={"init": run["init"]})}
    assert results["spectral"].ari > 0.95 and results["single"].ari > 0.95
    assert results["kmeans"].ari < 0.7
