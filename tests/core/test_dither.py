"""Dithering: the compiled kernel equals a plain reference; the map does what it says."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.datasets import load_sample_image

from kmeans_studio.core.color.dither import dither, dither_map
from kmeans_studio.core.color.image_quality import measure
from kmeans_studio.core.color.quantize import quantize


def reference(image, palette, amount):
    """Serpentine Floyd–Steinberg, written plainly: nearest entry by brute force."""
    h, w, _ = image.shape
    error = np.zeros((h + 1, w + 2, 3))
    out = np.zeros((h, w), dtype=np.intp)
    palette = palette.astype(np.float64)
    for y in range(h):
        forward = y % 2 == 0
        for x in (range(w) if forward else range(w - 1, -1, -1)):
            ahead = 1 if forward else -1
            want = np.clip(image[y, x] + error[y, x + 1], 0, 255)
            distances = ((want - palette) ** 2).sum(axis=1)
            j = int(np.argmin(distances))
            out[y, x] = j
            e = (want - palette[j]) * amount[y, x]
            error[y, x + 1 + ahead] += e * 7 / 16
            error[y + 1, x + 1 - ahead] += e * 3 / 16
            error[y + 1, x + 1] += e * 5 / 16
            error[y + 1, x + 1 + ahead] += e * 1 / 16
    return out


@settings(max_examples=30, deadline=None)
@given(arrays(np.uint8, st.tuples(st.integers(1, 9), st.integers(1, 11), st.just(3))),
       st.integers(1, 40), st.floats(0, 1), st.integers(0, 2**32 - 1))
def test_the_kernel_equals_the_reference(image, k, strength, seed):
    from kmeans_studio.core.color._dither_kernels import candidate_cells, diffuse

    rng = np.random.default_rng(seed)
    palette = rng.integers(0, 256, (k, 3)).astype(np.float64)
    palette[rng.integers(0, k)] = palette[0]  # ties: the first entry wins
    amount = strength * rng.random(image.shape[:2])
    out = np.empty(image.shape[:2], dtype=np.uint8)
    diffuse(image, palette, amount, *candidate_cells(palette), out)
    np.testing.assert_array_equal(out, reference(image, palette, amount))


def test_the_candidate_cells_find_the_nearest_entry_of_every_colour():
    from kmeans_studio.core.color._dither_kernels import _nearest, candidate_cells

    rng = np.random.default_rng(4)
    palette = rng.integers(0, 256, (256, 3)).astype(np.float64)
    starts, entries = candidate_cells(palette)
    colours = rng.uniform(0, 255, (3000, 3))
    brute = ((colours[:, None, :] - palette[None]) ** 2).sum(-1).argmin(1)
    found = [_nearest(*c, palette, starts, entries) for c in colours]
    np.testing.assert_array_equal(found, brute)
    assert np.diff(starts).mean() < 12  # a few candidates a cell, not 256


def test_no_strength_is_the_nearest_entry_everywhere():
    photo = load_sample_image("china.jpg")[::3, ::3]
    result = quantize(photo, 16)
    np.testing.assert_array_equal(dither(photo, result.palette, 0.0), result.indices)


def test_the_map_spares_edges_and_busy_texture_and_dithers_bands():
    image = np.zeros((40, 40, 3), dtype=np.uint8)
    image[:, 20:] = 255  # one sharp edge
    flat_indices = np.zeros((40, 40), dtype=np.uint8)
    flat_indices[:, 20:] = 1
    amount = dither_map(image, flat_indices)
    assert amount[20, 5] > 0.9 and amount[20, 19] < 0.4 and amount[20, 20] < 0.4
    busy = np.indices((40, 40)).sum(0).astype(np.uint8) % 2  # a checkerboard of entries
    assert dither_map(np.full((40, 40, 3), 128, np.uint8), busy)[20, 20] < 0.4


def test_dithering_a_gradient_hides_its_bands():
    ramp = np.repeat(np.linspace(0, 255, 256)[None, :, None], 64, axis=0)
    ramp = np.repeat(ramp, 3, axis=2).astype(np.uint8)
    palette = np.array([[0, 0, 0], [85, 85, 85], [170, 170, 170], [255, 255, 255]], np.uint8)
    plain = ((ramp[..., :1].astype(float) - palette[:, 0]) ** 2).argmin(-1).astype(np.uint8)
    dithered = dither(ramp, palette, 1.0, plain)
    # Averaged over a column, the dithered picture follows the ramp; the plain one steps.
    column_means = palette[dithered, 0].mean(axis=0)
    plain_means = palette[plain, 0].mean(axis=0)
    target = np.linspace(0, 255, 256)
    assert np.abs(column_means - target).mean() < 0.5 * np.abs(plain_means - target).mean()


def test_dithering_uses_only_the_palette():
    image = load_sample_image("flower.jpg")[::4, ::4]
    result = quantize(image, 8)
    indices = dither(image, result.palette)
    assert indices.shape == image.shape[:2] and indices.max() < 8
    assert not np.array_equal(indices, result.indices)  # dithering changed something


def test_gentle_dithering_keeps_ssim_above_pillows_full_floyd_steinberg():
    from PIL import Image

    photo = load_sample_image("china.jpg")
    result = quantize(photo, 64)
    ours = measure(photo, result.palette, dither(photo, result.palette, undithered=result.indices))
    holder = Image.new("P", (1, 1))
    holder.putpalette(np.concatenate([result.palette, np.repeat(result.palette[:1], 192, 0)])
                      .tobytes())
    pillow = np.asarray(Image.fromarray(photo).quantize(palette=holder,
                                                        dither=Image.Dither.FLOYDSTEINBERG))
    pillow = np.where(pillow < 64, pillow, 0)  # (the padding repeats entry 0)
    theirs = measure(photo, result.palette, pillow)
    assert ours.ssim > theirs.ssim and ours.psnr > theirs.psnr


@pytest.mark.parametrize("strength", [-0.1, 1.5, float("nan"), "1", True, None])
def test_bad_strengths_are_refused(strength):
    with pytest.raises(ValueError, match="strength"):
        dither(np.zeros((2, 2, 3), np.uint8), np.zeros((2, 3), np.uint8), strength)


def test_a_colour_between_a_cells_last_level_and_the_next_finds_its_nearest_entry():
    """Found by the property above: 71.44 lies in the cell of levels 64..71, and the
    entry nearest to it was dropped from that cell's candidates (they were chosen for
    the cell's integer levels only)."""
    from kmeans_studio.core.color._dither_kernels import candidate_cells, diffuse

    image = np.full((1, 2, 3), 69, dtype=np.uint8)
    rng = np.random.default_rng(1_634_765_309)
    palette = rng.integers(0, 256, (10, 3)).astype(np.float64)
    palette[rng.integers(0, 10)] = palette[0]
    amount = rng.random(image.shape[:2])
    out = np.empty(image.shape[:2], dtype=np.uint8)
    diffuse(image, palette, amount, *candidate_cells(palette), out)
    np.testing.assert_array_equal(out, reference(image, palette, amount))
