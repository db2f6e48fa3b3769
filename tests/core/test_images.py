"""load_image: every mode to RGB, EXIF orientation, and a sentence for every bad file."""

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFile

from kmeans_studio.core.color.images import ImageLoadError, load_image, save_image


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
    from kmeans_studio.core.color.images import STRONGEST_ZLIB_PIXELS, encoded

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


def _png_header(width: int, height: int) -> bytes:
    """A PNG that claims `width` × `height` RGB pixels and holds almost none."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                              0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


def test_a_picture_over_the_pixel_limit_is_refused_from_its_header(tmp_path, monkeypatch):
    from kmeans_studio.core import limits

    # 8000 × 8000 (below Pillow's own warning); the limit lowered to 50 MP so the
    # header alone decides: the file is truncated, so decoding would say otherwise.
    monkeypatch.setattr(limits, "MAX_PIXELS", 50_000_000)
    (tmp_path / "claims.png").write_bytes(_png_header(8000, 8000))
    decoded = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: decoded.append(self))
    with pytest.raises(ImageLoadError, match=r"“claims.png” has 8,000×8,000 = 64 megapixels"
                       ) as info:
        load_image(tmp_path / "claims.png")
    assert "\n" not in str(info.value) and not decoded


def test_only_regular_files_are_opened(tmp_path):
    import os

    os.mkfifo(tmp_path / "pipe.png")  # opening it would block for good
    (tmp_path / "zero.png").symlink_to("/dev/zero")  # reading it would never end
    for name, kind in (("pipe.png", "named pipe"), ("zero.png", "device")):
        with pytest.raises(ImageLoadError, match=f"“{name}”: it is a {kind}"):
            load_image(tmp_path / name)


def test_any_decoder_error_and_memory_error_become_one_sentence(tmp_path, rgb, monkeypatch):
    Image.fromarray(rgb).save(tmp_path / "fuzzed.tif")
    # A 908-byte fuzzed TIFF made Pillow raise TypeError while decoding.
    for error, words in ((TypeError("unsupported operand"), "is damaged and cannot be read "
                                                            r"\(unsupported operand\)"),
                         (MemoryError(), "needs more memory than is free")):
        def fail(self, error=error):
            raise error
        monkeypatch.setattr(ImageFile.ImageFile, "load", fail)
        with pytest.raises(ImageLoadError, match=f"“fuzzed.tif” {words}"):
            load_image(tmp_path / "fuzzed.tif")


def test_pixels_that_are_not_numbers_are_refused(tmp_path):
    for bad in (np.nan, np.inf):
        values = np.array([[bad, 1.0], [2.0, 3.0]], dtype=np.float32)
        Image.fromarray(values, "F").save(tmp_path / "float.tif")
        with pytest.raises(ImageLoadError, match="“float.tif” has pixels that are not numbers"):
            load_image(tmp_path / "float.tif")
    Image.fromarray(np.array([[0.0, 1.0], [2.0, 4.0]], dtype=np.float32), "F").save(
        tmp_path / "float.tif")
    assert load_image(tmp_path / "float.tif")[1, 1].tolist() == [255, 255, 255]


def test_a_fully_transparent_image_has_nothing_to_compress_in_the_window_too(tmp_path):
    from kmeans_studio.core.data.datasets import file_image_dataset

    Image.fromarray(np.zeros((4, 5, 4), np.uint8), "RGBA").save(tmp_path / "clear.png")
    message = "“clear.png” is fully transparent: it has no visible pixel to compress."
    with pytest.raises(ImageLoadError, match=message):
        load_image(tmp_path / "clear.png", keep_alpha=True)
    with pytest.raises(ImageLoadError, match=message):  # what the Image page opens
        file_image_dataset(str(tmp_path / "clear.png"))
    # Flattened on a background, it is a picture of one colour.
    assert load_image(tmp_path / "clear.png", (0, 0, 255)).reshape(-1, 3).tolist() == [
        [0, 0, 255]] * 20


def test_the_temporary_name_fits_wherever_the_name_fits(tmp_path):
    from kmeans_studio.core.color.images import atomic_write

    seen = []
    target = tmp_path / ("x" * 246 + ".png")  # 250 bytes: legal (255 at most)
    atomic_write(target, lambda temp: (seen.append(temp), Path(temp).write_bytes(b"ok")))
    assert target.read_bytes() == b"ok" and sorted(tmp_path.iterdir()) == [target]
    assert Path(seen[0]).name.startswith(".kms-") and seen[0].endswith(".png")
