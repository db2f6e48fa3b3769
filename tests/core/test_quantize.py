"""quantize: exact k-means on merged colours, full resolution."""

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import load_sample_image

from kmeans_studio.core.color import comparison, search
from kmeans_studio.core.color import quantize as q
from kmeans_studio.core.color.color_tree import morton
from kmeans_studio.core.engine import _compiled


def test_three_colours_and_k64_returns_exactly_those():
    image = np.zeros((10, 12, 3), dtype=np.uint8)
    image[:, 4:8] = (200, 10, 10)
    image[:, 8:] = (5, 250, 90)
    result = q.quantize(image, 64)
    assert len(result.palette) == 3 and result.inertia == 0 and result.psnr == float("inf")
    np.testing.assert_array_equal(result.image(), image)


def test_merged_colours_give_the_pixel_objective():
    image = load_sample_image("flower.jpg")[::4, ::4]
    colors = q.ImageColors.from_image(image)
    assert colors.counts.sum() == image.shape[0] * image.shape[1]
    indices, rgb = colors.render(np.arange(colors.n_colors), colors.colors)
    assert indices.shape == image.shape[:2]
    np.testing.assert_array_equal(colors.colors[indices], image)
    np.testing.assert_array_equal(rgb, image)
    # Weighted k-means on distinct colours = k-means on every pixel (same start).
    run = q.engine_run(colors, q.initial_palette(colors, 8, 0), tol=0, max_iter=5)
    C0 = run.state.centers
    ours = run.run()
    pixels = image.reshape(-1, 3).astype(float)
    ref = KMeans(8, init=C0, n_init=1, max_iter=5, tol=0).fit(pixels)
    np.testing.assert_allclose(ours.centers, ref.cluster_centers_, rtol=1e-9)
    assert ours.inertia == pytest.approx(ref.inertia_, rel=1e-9)


def test_quantize_china_at_full_resolution_is_a_local_optimum():
    china = load_sample_image("china.jpg")
    result = q.quantize(china, 16, random_state=0)
    assert result.indices.shape == china.shape[:2] and result.palette.shape == (16, 3)
    out = result.image().reshape(-1, 3).astype(float)
    error = ((china.reshape(-1, 3) - out) ** 2).sum()
    assert result.inertia == pytest.approx(error)
    np.testing.assert_array_equal(result.counts, np.bincount(result.indices.ravel(), minlength=16))
    # Every pixel uses its nearest palette entry.
    pal = result.palette.astype(float)
    sample = china.reshape(-1, 3)[::97].astype(float)
    nearest = ((sample[:, None] - pal[None]) ** 2).sum(-1).min(1)
    used = ((sample - out[::97]) ** 2).sum(1)
    np.testing.assert_allclose(used, nearest)
    assert 25 < result.psnr < 40


@pytest.mark.skipif(not _compiled.available(), reason="numba not installed")
def test_compiled_colour_count_equals_numpys():
    image = load_sample_image("flower.jpg")[::3, ::3]
    a = q.ImageColors.from_image(image, use_compiled=True)
    b = q.ImageColors.from_image(image, use_compiled=False)
    for field in ("colors", "counts", "inverse"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    np.testing.assert_array_equal(a.colors[a.inverse].reshape(image.shape), image)
    codes = morton(a.colors)
    assert np.all(codes[1:] > codes[:-1])  # distinct, in octree order


def test_comparison_times_kmeans_and_pillow_alike():
    image = load_sample_image("flower.jpg")[::4, ::4]
    rows = comparison.compare_methods(image, 16, random_state=2)
    assert [r.method for r in rows] == ["k-means", *comparison.PILLOW_METHODS]
    assert rows[0].quality.psnr == q.quantize(image, 16, random_state=2).psnr
    assert all(r.n_colors <= 16 and r.seconds > 0 for r in rows)
    # k-means minimises the squared error; Pillow's quantizers do not.
    assert rows[0].quality.psnr > max(r.quality.psnr for r in rows[1:])
    asked = []
    assert comparison.compare_methods(image, 16, cancelled=lambda: asked.append(1) or len(asked) > 2) is None
    assert len(asked) == 3  # stopped before the third method


@pytest.mark.parametrize("k", [0, 257, 2.5, "64"])
def test_bad_k(k):
    with pytest.raises(ValueError, match="from 1 to 256"):
        q.quantize(np.zeros((2, 2, 3), np.uint8), k)


def test_bad_image():
    with pytest.raises(ValueError, match="RGB uint8"):
        q.quantize(np.zeros((2, 2), np.uint8), 4)


def _quantize_peak(tiles: int) -> tuple[float, int]:
    """Peak memory above the image of quantizing china.jpg tiled tiles x tiles times,
    in a fresh process (the same distinct colours at every size)."""
    import subprocess
    import sys

    probe = f"""
import resource
import numpy as np
from sklearn.datasets import load_sample_image
from kmeans_studio.core.color.quantize import quantize
quantize(load_sample_image("flower.jpg"), 4)  # kernels and imports loaded
image = np.tile(load_sample_image("china.jpg"), ({tiles}, {tiles}, 1))
with open("/proc/self/status") as f:
    base = next(int(l.split()[1]) for l in f if l.startswith("VmRSS")) * 1024
quantize(image, 64)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(peak - base, image.shape[0] * image.shape[1])
"""
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    peak, pixels = result.stdout.split()
    return float(peak), int(pixels)


def test_memory_grows_by_a_few_bytes_per_pixel():
    (small, small_pixels), (big, big_pixels) = _quantize_peak(2), _quantize_peak(6)
    # Per extra pixel: its colour's index (4 bytes), the output indices (1) and the
    # output image (3), about 9 bytes measured; a float copy of the pixels would be 24.
    assert (big - small) / (big_pixels - small_pixels) < 12


def test_pillow_rows_are_measured_like_the_float_formula():
    """The comparison's PSNR of a Pillow result equals the plain float64 formula."""
    from PIL import Image

    from kmeans_studio.core.color.comparison import compare_methods
    from kmeans_studio.core.color.image_quality import psnr

    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, (37, 53, 3), dtype=np.uint8)
    rows = {row.method: row for row in compare_methods(image, 16)}
    out = Image.fromarray(image).quantize(16, method=Image.Quantize.MEDIANCUT)
    rgb = np.asarray(out.convert("RGB"), dtype=np.float64)
    expected = psnr(float(((rgb - image) ** 2).mean()))
    median_cut = next(row for name, row in rows.items() if "median" in name.lower())
    assert median_cut.quality.psnr == pytest.approx(expected, rel=1e-12)
    assert median_cut.n_colors == len(np.unique(np.asarray(out)))


def test_fewest_colors_reaching_a_quality():
    from kmeans_studio.core.color.quantize import ImageColors
    from kmeans_studio.core.color.search import fewest_colors

    colors = ImageColors.from_image(load_sample_image("china.jpg")[::2, ::2])
    search = fewest_colors(colors, 30, 33, 128)
    k = len(search.result.palette)
    tried = {n: result.psnr for n, result in search.tried.items()}
    assert search.result.psnr >= 33 and tried[k] == search.result.psnr
    assert k == 1 or tried[k - 1] < 33  # one colour fewer was tried and falls short
    assert len(search.tried) <= 8  # a bisection of 1..128, not a run per k
    # Out of reach: the most colours, when they reach the minimum ...
    search = fewest_colors(colors, 20, 60, 16)
    assert len(search.result.palette) == 16 and search.result.psnr < 60
    # ... and nothing when they do not.
    assert fewest_colors(colors, 59, 60, 16).result is None
    with pytest.raises(ValueError, match="0 ≤ MIN ≤ MAX"):
        fewest_colors(colors, 45, 40)
    with pytest.raises(ValueError, match="0 ≤ MIN ≤ MAX"):
        fewest_colors(colors, float("nan"), 40)


def test_most_colors_within_a_size():
    from kmeans_studio.core.color.quantize import ImageColors
    from kmeans_studio.core.color.search import most_colors_within

    colors = ImageColors.from_image(load_sample_image("china.jpg")[::4, ::4])
    by_colours = lambda result: 100 * len(result.palette)  # noqa: E731 - a size growing with k
    search = most_colors_within(colors, 1050, by_colours, 64)
    assert len(search.result.palette) == 10 and len(search.tried) <= 7
    assert len(most_colors_within(colors, 10**9, by_colours, 64).result.palette) == 64
    assert most_colors_within(colors, 99, by_colours, 64).result is None


def test_the_quality_curve_is_a_k_sweep_of_psnr_and_png_size():
    from kmeans_studio.core.color.images import indexed_png_bytes

    image = load_sample_image("china.jpg")[::4, ::4]
    colors = q.ImageColors.from_image(image)
    seen = []
    points = search.quality_curve(colors, (2, 8, 32), random_state=1, each=seen.append)
    assert seen == points and [p.n_colors for p in points] == [2, 8, 32]
    for point in points:
        result = colors.quantize(point.n_colors, random_state=1)
        assert point.psnr == result.psnr
        assert point.png_bytes == len(indexed_png_bytes(result.palette, result.indices))
    assert points[0].psnr < points[1].psnr < points[2].psnr
    asked = []
    assert search.quality_curve(colors, cancelled=lambda: asked.append(1) or len(asked) > 1) is None
    # A picture of five colours: exact from k = 8 on, and the sweep stops there.
    few = q.ImageColors.from_image(np.repeat(np.arange(5, dtype=np.uint8) * 50, 3)
                                   .reshape(1, 5, 3))
    assert [p.n_colors for p in search.quality_curve(few)] == [2, 4, 8]
    assert search.quality_curve(few)[-1].psnr == float("inf")


@pytest.mark.parametrize("channels", [3, 4])
def test_compiled_rendering_and_painting_equal_numpys(channels):
    from kmeans_studio.core.engine import _compiled

    image = load_sample_image("flower.jpg")[::8, ::8]
    colors = q.ImageColors.from_image(image)
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 200, colors.n_colors).astype(np.uint8)
    palette = rng.integers(0, 256, (200, channels)).astype(np.uint8)
    compiled = colors.render(labels, palette)
    _compiled.decline()
    try:
        plain = colors.render(labels, palette)
    finally:
        _compiled.decline(False)
    for ours, numpys in zip(compiled, plain):
        np.testing.assert_array_equal(ours, numpys)
    np.testing.assert_array_equal(plain[0], labels[colors.inverse].reshape(colors.shape))
    np.testing.assert_array_equal(plain[1], palette[plain[0]])
    assert not compiled[1].flags.writeable
