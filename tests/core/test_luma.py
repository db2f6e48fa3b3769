"""k-means with brightness weighed more: the octree's metric, scikit-learn's k-means on
the stretched pixels, one rounding back."""

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import load_sample_image

from kmeans_studio.core.color.image_quality import measure
from kmeans_studio.core.color.luma import LUMA_WEIGHT, METRIC, LumaColors
from kmeans_studio.core.color.quantize import ImageColors
from kmeans_studio.core.color.spaces import colors_kind
from kmeans_studio.core.engine import _compiled

needs_kernels = pytest.mark.skipif(not _compiled.available(), reason="numba not installed")


@pytest.fixture(scope="module")
def crop():
    return load_sample_image("china.jpg")[100:180, 200:300]


def test_the_metric_stretches_luma_only():
    luma = np.array([0.299, 0.587, 0.114])
    np.testing.assert_allclose(METRIC @ luma, LUMA_WEIGHT * luma)
    across = np.cross(luma, [1.0, 0.0, 0.0])
    np.testing.assert_allclose(METRIC @ across, across, atol=1e-12)
    np.testing.assert_allclose(METRIC, METRIC.T)


def full_scan(colors, C, M):
    """Nearest centre by |M (x - c)|^2, the first on ties, and how clear each win is."""
    d = ((((colors[:, None, :] - C[None]) @ M.T)) ** 2).sum(-1)
    order = np.sort(d, axis=1)
    gap = order[:, 1] - order[:, 0] if C.shape[0] > 1 else np.full(len(d), np.inf)
    return d.argmin(1), gap


@needs_kernels
@pytest.mark.parametrize("k", [2, 9, 64])
def test_the_octree_assigns_by_the_metric_as_a_full_scan(crop, k):
    colors = ImageColors.from_image(crop)
    rng = np.random.default_rng(k)
    C = colors.colors[rng.choice(colors.n_colors, k, replace=False)].astype(float)
    C += rng.normal(size=C.shape)
    labels = np.empty(colors.n_colors, dtype=np.int64)
    weight, sums = colors.tree.assign(C, labels, METRIC)
    expected, gap = full_scan(colors.colors.astype(float), C, METRIC)
    clear = gap > 1e-6  # (a tie within rounding may go either way)
    np.testing.assert_array_equal(labels[clear], expected[clear])
    np.testing.assert_allclose(weight, np.bincount(labels, weights=colors.counts,
                                                   minlength=k))
    inertia = colors.tree.inertia(C, weight, sums, METRIC)
    d = ((((colors.colors - C[labels]) @ METRIC.T)) ** 2).sum(1)
    assert inertia == pytest.approx(float(d @ colors.counts), rel=1e-9)
    # A metric that is the identity gives plain RGB's labels, bit for bit.
    plain = np.empty_like(labels)
    colors.tree.assign(C, plain)
    again = np.empty_like(labels)
    colors.tree.assign(C, again, np.eye(3))
    np.testing.assert_array_equal(plain, again)


def test_the_run_is_scikit_learns_kmeans_on_the_stretched_pixels(crop):
    colors = LumaColors.from_image(crop)
    init = colors.initial_palette(12, random_state=3)
    final = colors.engine_run(init, tol=0.0).run()
    pixels = crop.reshape(-1, 3).astype(float) @ METRIC
    reference = KMeans(12, init=init, n_init=1, tol=0.0, algorithm="lloyd").fit(pixels)
    np.testing.assert_allclose(final.centers, reference.cluster_centers_, atol=1e-8)
    assert final.n_iter == reference.n_iter_


@needs_kernels
def test_quantize_ends_where_the_engine_ends_and_rounds_once(crop):
    colors = LumaColors.from_image(crop)
    result = colors.quantize(16, random_state=2)
    init = colors.initial_palette(16, random_state=2)
    centers = colors.engine_run(init).run().centers
    np.testing.assert_array_equal(result.palette, colors.palette_of(centers))
    # Each colour takes the entry nearest in the stretched space.
    per_color = np.empty(colors.n_colors, dtype=np.intp)
    per_color[colors.inverse] = result.indices.ravel()
    expected, gap = full_scan(colors.colors.astype(float), result.palette.astype(float),
                              METRIC)
    np.testing.assert_array_equal(per_color[gap > 1e-6], expected[gap > 1e-6])
    assert result.psnr == pytest.approx(measure(crop, result.palette, result.indices).psnr)


def test_brightness_weighted_palettes_raise_ssim_on_a_photo():
    photo = load_sample_image("flower.jpg")[::2, ::2]
    plain = ImageColors.from_image(photo).quantize(32)
    luma = colors_kind("luma").from_image(photo).quantize(32)
    a = measure(photo, plain.palette, plain.indices)
    b = measure(photo, luma.palette, luma.indices)
    assert b.ssim > a.ssim and b.psnr > a.psnr - 1.0


def test_a_luma_session_script_ends_at_the_same_centres(tmp_path):
    import subprocess
    import sys

    from kmeans_studio.core.data.sources import data_source
    from kmeans_studio.core.export.script import python_script
    from kmeans_studio.core.export.session import Session

    source = {"kind": "sample_image", "name": "flower.jpg", "space": "luma"}
    colors = data_source(source).load().image.colors
    assert isinstance(colors, LumaColors)
    run = colors.engine_run(colors.initial_palette(6, random_state=0))
    final = run.run()
    position = len(run.history) - 1
    session = Session(source, {"n_clusters": 6, "init": "k-means++ on a pixel sample",
                               "n_init": 1, "random_state": 0, "max_iter": 300,
                               "tol": 1e-4},
                      run.center_trail(position), np.array(run.objectives()), position)
    script = tmp_path / "luma.py"
    script.write_text(python_script(session, "luma.py"))
    out = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    printed = out.stdout.split("Centres:")[1].split("Saved")[0]
    centres = np.array(printed.replace("[", " ").replace("]", " ").split(), dtype=float)
    np.testing.assert_allclose(centres.reshape(6, 3), final.centers, rtol=1e-6)
    assert f"Iterations: {final.n_iter}\n" in out.stdout  # it stops where the app stops
    assert (tmp_path / "compressed.png").exists()
