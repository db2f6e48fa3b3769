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
