"""The parameters declared once: defaults, ranges, what settings and sessions bring."""

import dataclasses

import pytest

from kmeans_studio.core import parameters as p
from kmeans_studio.core.data.sources import data_source
from kmeans_studio.core.export.session import check_run

ALL = [p.BlobParameters(), p.BLOBS_RUN, p.DIGITS_RUN, p.TABLE_RUN, p.ImageParameters()]


@pytest.mark.parametrize("params", ALL, ids=lambda params: type(params).__name__)
def test_every_default_is_in_its_declared_range(params):
    assert p.checked(params) is params
    for name, spec in p.specs(params).items():
        assert spec.label and spec.tip, name


@pytest.mark.parametrize("name, value", [
    ("n_clusters", 0), ("n_clusters", 257), ("n_clusters", 2.5), ("n_clusters", "4"),
    ("init", "spiral"), ("tol", 0.5), ("random_state", 2**31), ("max_iter", float("nan")),
])
def test_values_outside_the_declaration_are_refused_in_a_sentence(name, value):
    with pytest.raises(ValueError, match=r"^.+ must be .+, not .+\.$"):
        p.checked(dataclasses.replace(p.RunParameters(), **{name: value}))


def test_stored_values_that_do_not_fit_fall_back_to_the_default():
    stored = {"n_clusters": "7", "init": "spiral", "n_init": 1e9, "random_state": -3,
              "max_iter": "many", "tol": 1e-5, "unknown": 1}
    got = p.from_values(p.DIGITS_RUN, stored)
    assert got == dataclasses.replace(p.DIGITS_RUN, n_clusters=7, tol=1e-5)


def test_a_session_run_is_taken_within_the_choices():
    run = {"n_clusters": 5, "init": "given centres", "n_init": 1, "random_state": None,
           "max_iter": 50, "tol": 2e-4}
    check_run(run)
    got = p.TABLE_RUN.with_session(run)
    assert (got.n_clusters, got.init, got.random_state, got.max_iter, got.tol) == (
        5, p.TABLE_RUN.init, 0, 50, 1e-4)


def test_placing_by_hand_asks_for_no_initial_centres():
    assert p.RunParameters(init="click").request_values()["init"] is None
    assert p.RunParameters().request_values()["init"] == "k-means++"


def test_blob_parameters_make_a_session_source_the_checks_accept():
    source = p.BlobParameters(cluster_std=0.1 + 0.2).source()
    assert source["cluster_std"] == 0.3 and data_source(source).to_dict() == source
    with pytest.raises(ValueError, match="n_samples must be a whole number from 2"):
        data_source(dict(source, n_samples=1)).to_dict()


def test_the_seed_wraps_instead_of_overflowing():
    low, high = p.SEED_RANGE
    assert p.next_seed(high) == low and p.next_seed(5) == 6


def test_stored_values_of_any_type_or_depth_fall_back_to_the_default():
    deep: list = []
    for _ in range(100_000):  # str() of it raises RecursionError
        deep = [deep]
    for value in (deep, float("nan"), float("inf"), 10**400, True, 2.5, None, {"a": 1}, b"4"):
        got = p.from_values(p.BLOBS_RUN, {"n_clusters": value, "tol": value, "init": value})
        assert got == p.BLOBS_RUN, value
    assert p.from_values(p.BLOBS_RUN, {"n_clusters": 5.0}).n_clusters == 5


def test_the_blobs_page_starts_as_the_notebooks_em_demonstration():
    """Random points of the default blobs as first centres, one start: the walk is
    seen (several iterations, every centre travelling) and ends at the four blobs,
    where k-means++ gets in fewer steps."""
    import numpy as np
    from sklearn.metrics import adjusted_rand_score

    from kmeans_studio.core.engine.kmeans import KMeansRun

    values = p.BLOBS_RUN.request_values()
    assert (values["init"], values["n_init"]) == ("random", 1)
    data = data_source(p.BlobParameters().source()).load()
    run = KMeansRun(data.X, values["n_clusters"], init=values["init"],
                    random_state=values["random_state"], tol=values["tol"])
    first = run.state.centers.copy()
    from scipy.spatial.distance import cdist

    assert cdist(first, data.X).min(axis=1).max() < 1e-12  # rows of X
    final = run.run()
    assert final.converged and final.n_iter >= 5
    assert (np.linalg.norm(final.centers - first, axis=1) > 1.0).all()
    assert adjusted_rand_score(data.y, final.labels) == 1.0
    plusplus = KMeansRun(data.X, 4, random_state=values["random_state"]).run()
    assert plusplus.n_iter < final.n_iter
    assert final.inertia == pytest.approx(plusplus.inertia, rel=1e-9)
