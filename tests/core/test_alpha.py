"""Images with transparency: clustered with their alpha, transparent pixels exact, the
palette's alpha written to the PNG's tRNS chunk and read back by Pillow."""

import io

import numpy as np
import pytest
from PIL import Image

from kmeans_studio.core.color.alpha import AlphaColors, palette_from_premultiplied
from kmeans_studio.core.color.conversions import premultiplied
from kmeans_studio.core.color.images import encoded, load_image, writable_format


def gradient_with_hole(levels: int = 96) -> np.ndarray:
    """A colour ramp under an alpha ramp of `levels` steps, with a transparent hole
    whose (hidden) colours are noise."""
    h, w = 64, levels
    image = np.zeros((h, w, 4), np.uint8)
    x = np.linspace(0, 1, w)
    image[..., 0] = (255 * x)[None, :]
    image[..., 1] = (255 * np.linspace(0, 1, h))[:, None]
    image[..., 2] = 128
    image[..., 3] = np.rint(1 + 254 * x)[None, :]  # 1..255: every column visible
    hole = (slice(20, 40), slice(w // 3, 2 * w // 3))
    image[hole + (3,)] = 0
    image[hole + (slice(0, 3),)] = np.random.default_rng(0).integers(
        0, 256, (20, 2 * w // 3 - w // 3, 3))
    return image


def shown(result) -> np.ndarray:
    """The quantized image as Pillow reads it back from the PNG, RGBA."""
    data = encoded("out.png", result.palette, result.indices)
    with Image.open(io.BytesIO(data)) as png:
        assert png.mode == "P" and "transparency" in png.info  # an indexed PNG with tRNS
        return np.asarray(png.convert("RGBA"))


@pytest.mark.parametrize("k", [2, 16, 64, 256])
def test_transparent_pixels_stay_exactly_transparent(k):
    image = gradient_with_hole()
    result = AlphaColors.from_image(image).quantize(k)
    assert len(result.palette) <= k and result.palette.shape[1] == 4
    assert tuple(result.palette[0]) == (0, 0, 0, 0)  # one transparent entry, first
    back = shown(result)
    np.testing.assert_array_equal(back, result.palette[result.indices])  # round trip
    hole = image[..., 3] == 0
    assert np.all(back[hole][:, 3] == 0)
    assert np.all(back[~hole][:, 3] > 0)  # and no visible pixel became transparent
    assert np.all(result.indices[hole] == 0)


def test_alpha_levels_are_kept_when_the_palette_has_room_for_them():
    """One colour under 40 alpha levels, 48 entries: every level exactly; under 96
    levels and 16 entries, each level within the step of 16 levels."""
    image = gradient_with_hole(40)
    image[..., :3] = (200, 40, 90)
    result = AlphaColors.from_image(image).quantize(48)
    np.testing.assert_array_equal(shown(result)[..., 3], image[..., 3])
    image = gradient_with_hole(96)
    image[..., :3] = (200, 40, 90)
    result = AlphaColors.from_image(image).quantize(16)
    error = np.abs(shown(result)[..., 3].astype(int) - image[..., 3])
    assert error.max() <= 255 / 15  # within one step of 15 visible levels


def test_error_is_measured_in_premultiplied_rgba():
    image = gradient_with_hole()
    result = AlphaColors.from_image(image).quantize(16)
    diff = premultiplied(image) - premultiplied(result.image())
    hole = image[..., 3] == 0
    assert np.all(diff[hole] == 0)  # hidden colours under alpha 0 cost nothing
    assert result.mse == pytest.approx(np.mean(diff * diff))
    assert 20 < result.psnr < 60


def test_cutouts_on_a_transparent_ground_use_the_colour_tree():
    """Every visible pixel opaque: the photo path; entries opaque but the one
    transparent; as many colours as asked when there are that many."""
    rng = np.random.default_rng(1)
    image = np.zeros((50, 80, 4), np.uint8)
    image[10:40, 10:70, :3] = rng.integers(0, 256, (30, 60, 3))
    image[10:40, 10:70, 3] = 255
    result = AlphaColors.from_image(image).quantize(32)
    assert len(result.palette) == 32
    assert (result.palette[0] == 0).all() and (result.palette[1:, 3] == 255).all()
    back = shown(result)
    assert np.all(back[image[..., 3] == 0][:, 3] == 0)
    assert result.n_iter > 0


def test_few_colours_come_back_exactly():
    image = np.zeros((4, 6, 4), np.uint8)
    image[:, :2] = (255, 0, 0, 255)
    image[:, 2:4] = (0, 0, 255, 100)
    result = AlphaColors.from_image(image).quantize(8)
    np.testing.assert_array_equal(shown(result), np.where(image[..., 3:] > 0, image, 0))


def test_edge_cases_fully_transparent_and_one_colour():
    empty = np.zeros((3, 3, 4), np.uint8)
    result = AlphaColors.from_image(empty).quantize(4)
    assert result.palette.tolist() == [[0, 0, 0, 0]] and result.psnr == float("inf")
    one = gradient_with_hole()
    result = AlphaColors.from_image(one).quantize(1)  # the one entry: transparent
    assert result.palette.tolist() == [[0, 0, 0, 0]]
    with pytest.raises(ValueError, match="whole number from 1 to 256"):
        AlphaColors.from_image(one).quantize(0)
    with pytest.raises(ValueError, match="RGBA uint8"):
        AlphaColors.from_image(one[..., :3])


def test_palette_rounding_divides_by_the_rounded_alpha():
    centres = premultiplied(np.array([[200, 100, 50, 128], [10, 20, 30, 255],
                                      [90, 90, 90, 0]], dtype=np.uint8))
    np.testing.assert_array_equal(palette_from_premultiplied(centres),
                                  [[200, 100, 50, 128], [10, 20, 30, 255], [0, 0, 0, 0]])


@pytest.mark.parametrize("mode", ["RGBA", "LA", "PA"])
def test_transparency_is_read_from_every_kind_of_image(tmp_path, mode):
    image = gradient_with_hole()
    pil = Image.fromarray(image, "RGBA")
    pil = pil.convert(mode) if mode != "PA" else pil.convert("RGB").quantize(32)
    if mode == "PA":  # a palette image with one transparent entry
        pil.info["transparency"] = int(np.asarray(pil)[25, 40])
    path = tmp_path / f"in-{mode}.png"
    pil.save(path, **({"transparency": pil.info["transparency"]} if mode == "PA" else {}))
    kept = load_image(path, keep_alpha=True)
    flat = load_image(path)
    assert kept.shape[2] == 4 and flat.shape[2] == 3
    assert kept[25, 40, 3] == 0  # the hole (or the transparent palette entry)
    assert (flat[25, 40] == 255).all() or mode == "PA"  # composited on white


def test_formats_that_cannot_keep_transparency_are_refused():
    assert writable_format("a.png", transparent=True) == "PNG"
    assert writable_format("a.webp", transparent=True) == "WEBP"
    for name in ("a.jpg", "a.gif", "a.bmp", "a.ppm"):
        with pytest.raises(ValueError, match="cannot keep the image's transparency"):
            writable_format(name, transparent=True)
