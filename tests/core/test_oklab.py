"""k-means in Oklab: scikit-learn's k-means on the Oklab colours, one rounding back."""

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import load_sample_image

from kmeans_studio.core.color.conversions import oklab_from_srgb, srgb_from_oklab
from kmeans_studio.core.color.image_quality import measure
from kmeans_studio.core.color.oklab import OklabColors
from kmeans_studio.core.color.quantize import ImageColors


@pytest.fixture(scope="module")
def crop():
    return load_sample_image("china.jpg")[100:160, 200:280]


def test_the_run_is_scikit_learns_kmeans_on_the_oklab_pixels(crop):
    colors = OklabColors.from_image(crop)
    init = colors.initial_palette(12, random_state=3)
    run = colors.engine_run(init, tol=0.0)
    final = run.run()
    # Every pixel, not the distinct colours: the counts as weights change nothing.
    pixels = oklab_from_srgb(crop.reshape(-1, 3))
    reference = KMeans(12, init=init, n_init=1, tol=0.0, algorithm="lloyd").fit(pixels)
    np.testing.assert_allclose(final.centers, reference.cluster_centers_, atol=1e-9)
    assert final.n_iter == reference.n_iter_


def test_the_palette_is_the_centres_rounded_once_and_each_colour_takes_its_nearest(crop):
    colors = OklabColors.from_image(crop)
    result = colors.quantize(8, random_state=1)
    features = colors.features()
    # Each distinct colour's entry is the one nearest to it in Oklab.
    per_color = np.empty(colors.n_colors, dtype=np.intp)
    per_color[colors.inverse] = result.indices.ravel()
    lab = oklab_from_srgb(result.palette)
    distances = ((features[:, None, :] - lab[None]) ** 2).sum(-1)
    np.testing.assert_array_equal(per_color, distances.argmin(1))
    # The palette is what the converged centres round to.
    init = colors.initial_palette(8, random_state=1)
    centers = colors.engine_run(init).run().centers
    np.testing.assert_array_equal(
        result.palette, np.clip(np.rint(srgb_from_oklab(centers)), 0, 255).astype(np.uint8))
    # The reported error is sRGB's, as for the default space.
    assert result.psnr == pytest.approx(measure(crop, result.palette, result.indices).psnr)


def test_few_colours_come_back_exactly():
    image = np.array([[[0, 0, 0], [255, 255, 255], [200, 10, 30]]], dtype=np.uint8)
    result = OklabColors.from_image(image).quantize(5)
    np.testing.assert_array_equal(result.image(), image)
    assert result.psnr == float("inf")


def test_oklab_trades_psnr_for_what_the_eye_sees():
    photo = load_sample_image("china.jpg")
    srgb = ImageColors.from_image(photo).quantize(64)
    oklab = OklabColors.from_image(photo).quantize(64)
    a = measure(photo, srgb.palette, srgb.indices)
    b = measure(photo, oklab.palette, oklab.indices)
    assert b.ssim > a.ssim and b.delta_e < a.delta_e
    assert b.psnr < a.psnr  # sRGB's k-means minimises exactly that error


def test_a_callback_returning_false_stops_the_run(crop):
    seen = []
    result = OklabColors.from_image(crop).quantize(
        10, callback=lambda state: seen.append(state.n_iter) or len(seen) < 2)
    assert seen == [1, 2] and result.n_iter == 2


@pytest.mark.parametrize("k", [0, 257, 2.5, True])
def test_bad_numbers_of_colours_are_refused(crop, k):
    with pytest.raises(ValueError, match="number of colours"):
        OklabColors.from_image(crop).quantize(k)
