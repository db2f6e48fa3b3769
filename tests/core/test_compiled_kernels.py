"""The compiled kernels give exactly what the numpy/BLAS path gives."""

import numpy as np
import pytest
from sklearn.datasets import load_sample_image

from kmeans_studio.core import KMeansRun
from kmeans_studio.core.engine import _compiled, platform
from kmeans_studio.core.engine.kmeans import _cluster_sums, _nearest

pytestmark = pytest.mark.skipif(not _compiled.available(), reason="numba not installed")


@pytest.mark.parametrize("d", [1, 2, 3, 5, 16])
@pytest.mark.parametrize("k", [24, 100])  # Hamerly and BLAS; the nearest-first scan
def test_bounded_path_equals_numpy_path_every_half_step(d, k):
    assert _compiled.scans(np.zeros((1, d)), k) == (k == 100)
    if d == 1 and k == 100:
        pytest.skip("the one-dimensional grid has fewer than 100 distinct values")
    rng = np.random.default_rng(d)
    X = np.round(rng.normal(size=(12_000, d)) * 4) / 4  # a grid: many exact ties
    a = KMeansRun(X, k, init=X[:k], use_compiled=True, merge_duplicates=False)
    b = KMeansRun(X, k, init=X[:k], use_compiled=False, merge_duplicates=False)
    assert a._use_bounds and not b._use_bounds
    while not a.done:
        sa, sb = a.advance(), b.advance()
        np.testing.assert_array_equal(sa.labels, sb.labels)
        np.testing.assert_allclose(sa.centers, sb.centers, rtol=1e-12, atol=1e-12)
    assert b.done


@pytest.mark.parametrize("dtype, d", [(np.float64, 17), (np.float64, 64),
                                      (np.float32, 3), (np.float32, 100)])
@pytest.mark.parametrize("k", [10, 100])
def test_filtered_path_equals_full_passes_every_half_step(dtype, d, k):
    # Hamerly's test, then BLAS for the rows it leaves (wide or float32 data), against
    # every distance by BLAS in every pass: the same labels (the full passes add the
    # sums in two blocks, one per core, hence a relative tolerance on the centres).
    rng = np.random.default_rng(d)
    X = (np.round(rng.normal(size=(3000, d)) * 4) / 4).astype(dtype)
    a = KMeansRun(X, k, init=X[:k], use_compiled=True, merge_duplicates=False)
    b = KMeansRun(X, k, init=X[:k], use_compiled=True, merge_duplicates=False)
    b._use_bounds = False
    assert a._use_bounds and not _compiled.scans(a._X, k)
    while not a.done:
        sa, sb = a.advance(), b.advance()
        np.testing.assert_array_equal(sa.labels, sb.labels)
        np.testing.assert_allclose(sa.centers, sb.centers, rtol=1e-5, atol=1e-6)
    assert b.done


def test_full_kernel_equals_blas_path_on_high_dimensional_data():
    rng = np.random.default_rng(0)
    X = np.round(rng.random((2000, 64)) * 16)  # integer pixel values, as in digits
    C = X[:10]
    labels, best, weight, sums = _compiled.assign_full(X, C, np.ones(len(X)))
    ref_labels, ref_best = _nearest(X, C)
    np.testing.assert_array_equal(labels, ref_labels)
    np.testing.assert_array_equal(best, ref_best)
    ref_weight, ref_sums = _cluster_sums(X, np.ones(len(X)), ref_labels, 10)
    np.testing.assert_array_equal(weight, ref_weight)
    np.testing.assert_array_equal(sums, ref_sums)


def test_parallel_blocks_give_the_same_labels():
    X = (load_sample_image("flower.jpg") / 255.0).reshape(-1, 3)[:150_000]
    C = X[::5000][:30]
    labels = _compiled.assign_full(X, C, np.ones(len(X)))[0]
    np.testing.assert_array_equal(labels, _nearest(X, C)[0])


def test_fma_detection_matches_blas():
    # The kernels round dot products as BLAS does; the probe must give a bool.
    assert isinstance(platform.blas_fuses_multiply_add(), bool)
