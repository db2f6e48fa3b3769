"""The blobs are drawn with numpy alone (`datasets.make_blobs`): the very numbers of
scikit-learn's `make_blobs`, so the window's first run needs no scikit-learn and the
exported scripts, which call scikit-learn, rebuild the same data."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import datasets as sklearn_datasets

from kmeans_studio.core.data.datasets import BLOB_SHAPES, TWO_GROUP_SHAPES, make_blobs
from kmeans_studio.core.data.sources import Blobs

seeds = st.integers(0, 2**32 - 1)
spreads = st.floats(0, 10)


def spreads_for(n_centers):
    """One spread for all, or one per centre."""
    return spreads | st.lists(spreads, min_size=n_centers, max_size=n_centers)


def assert_same(ours, theirs):
    for mine, scikit_learns in zip(ours, theirs, strict=True):
        assert mine.dtype == scikit_learns.dtype and mine.shape == scikit_learns.shape
        np.testing.assert_array_equal(mine, scikit_learns)


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 3000), centers=st.none() | st.integers(1, 25), data=st.data(),
       seed=seeds)
def test_blobs_of_a_count_are_scikit_learns(n, centers, data, seed):
    spread = data.draw(spreads_for(3 if centers is None else centers))
    assert_same(make_blobs(n, centers=centers, cluster_std=spread, random_state=seed),
                sklearn_datasets.make_blobs(n, centers=centers, cluster_std=spread,
                                            random_state=seed))


@settings(max_examples=100, deadline=None)
@given(sizes=st.lists(st.integers(0, 400), min_size=1, max_size=20), data=st.data(),
       seed=seeds)
def test_blobs_of_given_sizes_are_scikit_learns(sizes, data, seed):
    spread = data.draw(spreads_for(len(sizes)))
    assert_same(make_blobs(sizes, cluster_std=spread, random_state=seed),
                sklearn_datasets.make_blobs(sizes, cluster_std=spread, random_state=seed))


def test_sizes_and_a_number_of_centres_are_not_both_given():
    with pytest.raises(ValueError, match="not both"):
        make_blobs([3, 4], centers=2)


@settings(max_examples=40, deadline=None)
@given(shape=st.sampled_from([s for s in BLOB_SHAPES if s not in TWO_GROUP_SHAPES]),
       n=st.integers(2, 2000), centers=st.integers(1, 20), spread=st.floats(0, 10),
       seed=st.integers(0, 2**31 - 1))
def test_every_blob_shape_is_the_data_its_script_makes(shape, n, centers, spread, seed):
    """The page's data and the exported script's (scikit-learn's) are the same numbers."""
    source = Blobs(shape, n, centers, spread, seed)
    data = source.load()
    script = {"np": np}
    exec(source.script_lines(), script)
    np.testing.assert_array_equal(data.X, script["X"])
    np.testing.assert_array_equal(data.y, script["y"])


def test_the_playful_shapes_are_what_they_say():
    """Without spread: uniform noise fills the square with no classes; the smiley's
    face is a ring of radius 6, its eyes discs of radius 1 above the centre and its
    mouth an arc of radius 3.5 below; packed circles are discs of radius 2 whose
    centres are at least 4 apart (side by side, never overlapping)."""
    uniform = Blobs("uniform", 5000, 4, 0.0, 1).load()
    assert uniform.y is None and (np.abs(uniform.X) <= 10).all()
    assert (np.abs(uniform.X).max(axis=0) > 9.9).all()
    smiley = Blobs("smiley", 5000, 4, 0.0, 2).load()
    radius = np.hypot(*smiley.X.T)
    assert set(smiley.y) == {0, 1, 2, 3}
    np.testing.assert_allclose(radius[smiley.y == 0], 6)
    np.testing.assert_allclose(radius[smiley.y == 3], 3.5)
    assert (smiley.X[smiley.y == 3, 1] < -1).all()
    for eye, x in ((1, -2.2), (2, 2.2)):
        assert (np.hypot(smiley.X[smiley.y == eye, 0] - x,
                         smiley.X[smiley.y == eye, 1] - 2.2) <= 1).all()
    packed = Blobs("packed_circles", 5000, 7, 0.0, 3).load()
    centres = np.array([packed.X[packed.y == i].mean(axis=0) for i in range(7)])
    gaps = np.hypot(*(centres[:, None] - centres[None]).transpose(2, 0, 1))
    assert gaps[~np.eye(7, dtype=bool)].min() > 3.8
    nearest = np.argmin(np.hypot(*(packed.X[:, None] - centres[None]).transpose(2, 0, 1)),
                        axis=1)
    assert (nearest == packed.y).mean() > 0.99
