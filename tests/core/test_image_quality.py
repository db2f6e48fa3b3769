"""PSNR, SSIM and ΔE (Oklab): against references and by their definitions."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.datasets import load_sample_image

from kmeans_studio.core.color.conversions import oklab_from_srgb, srgb_from_oklab
from kmeans_studio.core.color.image_quality import compare_images, measure
from kmeans_studio.core.color.quantize import quantize

LUMA = np.array([0.299, 0.587, 0.114])


def test_oklab_matches_the_published_values():
    # CSS Color 4's sRGB primaries in Oklab (and Ottosson's: white is L = 1, a = b = 0).
    expected = {(255, 0, 0): (0.62796, 0.22486, 0.12585),
                (0, 255, 0): (0.86644, -0.23389, 0.17950),
                (0, 0, 255): (0.45201, -0.03246, -0.31153),
                (255, 255, 255): (1.0, 0.0, 0.0), (0, 0, 0): (0.0, 0.0, 0.0)}
    for rgb, lab in expected.items():
        np.testing.assert_allclose(oklab_from_srgb(np.array(rgb, dtype=np.uint8)), lab,
                                   atol=5e-5)
        # Integers and floats take the same curve.
        np.testing.assert_allclose(oklab_from_srgb(np.array(rgb, dtype=np.uint8)),
                                   oklab_from_srgb(np.array(rgb, dtype=np.float64)), atol=1e-12)


def test_oklab_round_trips_every_grid_colour():
    grid = np.stack(np.meshgrid(*[np.arange(0, 256, 5)] * 3, indexing="ij"), -1).reshape(-1, 3)
    back = srgb_from_oklab(oklab_from_srgb(grid.astype(np.uint8)))
    np.testing.assert_allclose(back, grid, atol=1e-7)


def _skimage_ssim(a, b):
    from skimage.metrics import structural_similarity

    return structural_similarity(a.astype(float) @ LUMA, b.astype(float) @ LUMA,
                                 gaussian_weights=True, sigma=1.5,
                                 use_sample_covariance=False, data_range=255)


def test_ssim_and_psnr_of_a_compressed_photo_match_the_references():
    photo = load_sample_image("china.jpg")  # 427 rows: more than one strip
    result = quantize(photo, 16)
    quality = measure(photo, result.palette, result.indices)
    assert quality.ssim == pytest.approx(_skimage_ssim(photo, result.image()), abs=1e-6)
    assert quality.psnr == pytest.approx(result.psnr, rel=1e-12)
    assert quality == compare_images(photo, result.image())
    assert 0 < quality.delta_e < 10


@settings(max_examples=25, deadline=None)
@given(arrays(np.uint8, st.tuples(st.integers(11, 40), st.integers(11, 40), st.just(3))),
       arrays(np.uint8, 3))
def test_ssim_matches_scikit_image_on_any_image(image, shift):
    other = image ^ shift  # some colours changed, others not
    assert compare_images(image, other).ssim == pytest.approx(
        _skimage_ssim(image, other), abs=1e-5)


def test_delta_e_is_the_mean_oklab_distance_times_100():
    image = np.zeros((20, 30, 3), dtype=np.uint8)
    image[:, :15] = (200, 30, 40)
    palette = np.array([[0, 0, 0], [190, 40, 40]], dtype=np.uint8)
    distance = np.linalg.norm(oklab_from_srgb(palette[1]) - oklab_from_srgb(image[0, 0]))
    # The left half off by `distance`, the right half (black) exact.
    indices = np.where(np.arange(30) < 15, 1, 0).astype(np.uint8)[None].repeat(20, 0)
    assert measure(image, palette, indices).delta_e == pytest.approx(100 * distance / 2)
    assert measure(image[:, 15:], palette, indices[:, 15:]).delta_e == 0


def test_an_exact_copy_is_perfect_and_transparent_pixels_count_for_nothing():
    rgba = np.random.default_rng(1).integers(0, 256, (40, 50, 4), dtype=np.uint8)
    rgba[:20, :, 3] = 0  # the top half invisible, whatever its colour channels say
    other = rgba.copy()
    other[:20, :, :3] = 255 - other[:20, :, :3]
    quality = compare_images(rgba, other)
    assert quality.psnr == float("inf") and quality.ssim == pytest.approx(1.0)
    assert quality.delta_e == 0


def test_images_smaller_than_the_window_are_measured_whole():
    tiny = np.random.default_rng(2).integers(0, 256, (4, 7, 3), dtype=np.uint8)
    quality = compare_images(tiny, tiny // 2)
    assert 0 < quality.ssim < 1 and np.isfinite(quality.psnr)


@pytest.mark.parametrize("args", [
    (np.zeros((4, 4, 3), np.uint8), np.zeros((2, 3), np.uint8), np.zeros((4, 5), np.uint8)),
    (np.zeros((4, 4, 3), np.uint8), np.zeros((2, 4), np.uint8), np.zeros((4, 4), np.uint8)),
    (np.zeros((4, 4), np.uint8), np.zeros((2, 3), np.uint8), np.zeros((4, 4), np.uint8)),
])
def test_mismatched_shapes_are_refused(args):
    with pytest.raises(ValueError, match="shape"):
        measure(*args)
    with pytest.raises(ValueError, match="same shape"):
        compare_images(args[0], args[2])


def test_the_psnr_alone_is_the_full_measures_psnr():
    china = load_sample_image("china.jpg")[::3, ::2]
    result = quantize(china, 24)
    alone, full = (measure(china, result.palette, result.indices, structure=s)
                   for s in (False, True))
    assert alone.psnr == pytest.approx(full.psnr, rel=1e-12) == pytest.approx(result.psnr)
    assert alone.ssim is None and alone.delta_e is None and full.ssim < 1
