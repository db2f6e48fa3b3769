"""load_image: every mode to RGB, EXIF orientation, and a sentence for every bad file."""

import io

import numpy as np
import pytest
from PIL import Image

from kmeans_studio.core.images import ImageLoadError, load_image, save_image


@pytest.fixture
def rgb():
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (20, 30, 3), dtype=np.uint8)


def test_rgb_png_round_trip(tmp_path, rgb):
    Image.fromarray(rgb).save(tmp_path / "a.png")
    np.testing.assert_array_equal(load_image(tmp_path / "a.png"), rgb)


@pytest.mark.parametrize("mode", ["L", "1", "CMYK", "P"])
def test_modes_convert_to_rgb(tmp_path, rgb, mode):
    image = Image.fromarray(rgb).convert(mode)
    suffix = ".tif" if mode == "CMYK" else ".png"
    image.save(tmp_path / f"a{suffix}")
    out = load_image(tmp_path / f"a{suffix}")
    assert out.shape == (20, 30, 3) and out.dtype == np.uint8
    np.testing.assert_array_equal(out, np.asarray(image.convert("RGB")))


def test_alpha_is_composited_on_white(tmp_path):
    rgba = np.zeros((4, 4, 4), dtype=np.uint8)
    rgba[..., 0] = 255  # red ...
    rgba[:2, :, 3] = 255  # ... opaque on top, transparent below
    Image.fromarray(rgba, "RGBA").save(tmp_path / "a.png")
    out = load_image(tmp_path / "a.png")
    assert (out[:2] == [255, 0, 0]).all() and (out[2:] == [255, 255, 255]).all()
    Image.fromarray(rgba, "RGBA").convert("LA").save(tmp_path / "la.png")
    assert (load_image(tmp_path / "la.png")[2:] == 255).all()


def test_palette_with_transparency(tmp_path):
    image = Image.new("P", (4, 4), 0)
    image.putpalette([0, 0, 255, 255, 0, 0] + [0] * 762)
    image.putpixel((0, 0), 1)
    image.info["transparency"] = 0
    image.save(tmp_path / "p.png", transparency=0)
    out = load_image(tmp_path / "p.png")
    assert tuple(out[0, 0]) == (255, 0, 0) and tuple(out[1, 1]) == (255, 255, 255)


def test_sixteen_bit_greyscale_keeps_its_range(tmp_path):
    grey = (np.arange(16, dtype=np.uint16).reshape(4, 4) * 4369)  # 0 .. 65535
    image = Image.fromarray(grey)
    assert image.mode == "I;16"
    image.save(tmp_path / "g.png")
    out = load_image(tmp_path / "g.png")
    assert out[0, 0, 0] == 0 and out[-1, -1, 0] == 255
    assert (np.diff(out[..., 0].ravel().astype(int)) > 0).all()


def test_exif_orientation_is_applied(tmp_path):
    tall = np.zeros((10, 4, 3), dtype=np.uint8)
    tall[0, 0] = 255
    image = Image.fromarray(tall)
    exif = image.getexif()
    exif[0x0112] = 6  # rotate 90° clockwise when shown
    image.save(tmp_path / "r.jpg", exif=exif, quality=100)
    assert load_image(tmp_path / "r.jpg").shape == (4, 10, 3)


def test_animated_gif_gives_first_frame(tmp_path):
    frames = [Image.new("RGB", (5, 5), c) for c in ((255, 0, 0), (0, 255, 0))]
    frames[0].save(tmp_path / "a.gif", save_all=True, append_images=frames[1:])
    assert tuple(load_image(tmp_path / "a.gif")[2, 2]) == (255, 0, 0)


def test_bad_files_raise_one_line_errors(tmp_path, bad_image_files):
    for name, message in bad_image_files.items():
        with pytest.raises(ImageLoadError, match=message) as info:
            load_image(tmp_path / name)
        assert "\n" not in str(info.value) and name in str(info.value)
        assert isinstance(info.value, ValueError)


def test_unreadable_file(tmp_path, rgb, monkeypatch):
    Image.fromarray(rgb).save(tmp_path / "locked.png")

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(Image, "open", denied)
    with pytest.raises(ImageLoadError, match="permission denied"):
        load_image(tmp_path / "locked.png")


def test_decompression_bomb_limit_stays_on(tmp_path, rgb, monkeypatch):
    Image.fromarray(rgb).save(tmp_path / "big.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)  # 600 pixels > 2 x 100
    with pytest.raises(ImageLoadError, match="too large to open safely"):
        load_image(tmp_path / "big.png")


def test_save_is_atomic_indexed_and_never_over_the_source(tmp_path, rgb):
    source = tmp_path / "photo.png"
    Image.fromarray(rgb).save(source)
    before = source.read_bytes()
    palette = np.array([[0, 0, 0], [255, 255, 255], [255, 0, 0]], dtype=np.uint8)
    indices = np.random.default_rng(1).integers(0, 3, (20, 30)).astype(np.uint8)
    with pytest.raises(ValueError, match="source image"):
        save_image(source, palette, indices, source=source)
    assert source.read_bytes() == before
    out = save_image(tmp_path / "out.png", palette, indices, source=source)
    with Image.open(out) as saved:
        assert saved.mode == "P" and len(saved.getpalette()) // 3 == 3
        np.testing.assert_array_equal(np.asarray(saved), indices)
    save_image(tmp_path / "out.jpg", palette, indices)
    assert load_image(tmp_path / "out.jpg").shape == (20, 30, 3)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp left
    with pytest.raises(ValueError, match="cannot write “.xyz” files"):
        save_image(tmp_path / "out.xyz", palette, indices)


def test_pngs_take_zlibs_strongest_level_when_small_or_asked():
    """Up to 2 megapixels the strongest level always; above, the default level unless
    `optimize` (a little smaller, much slower)."""
    from kmeans_studio.core.images import STRONGEST_ZLIB_PIXELS, encoded

    rng = np.random.default_rng(0)
    palette = rng.integers(0, 256, (16, 3), dtype=np.uint8)
    small = (np.add.outer(np.arange(300), np.arange(400)) // 7 % 16).astype(np.uint8)
    assert encoded("a.png", palette, small) == encoded("a.png", palette, small, optimize=True)
    side = int(np.sqrt(STRONGEST_ZLIB_PIXELS)) + 10
    big = (np.add.outer(np.arange(side), np.arange(side) // 3) // 5 % 16).astype(np.uint8)
    big[rng.random(big.shape) < 0.02] = 3  # some noise, so the levels differ
    default, strongest = encoded("a.png", palette, big), encoded("a.png", palette, big,
                                                                 optimize=True)
    assert len(strongest) < len(default)
    for data in (default, strongest):
        with Image.open(io.BytesIO(data)) as png:
            np.testing.assert_array_equal(np.asarray(png), big)
