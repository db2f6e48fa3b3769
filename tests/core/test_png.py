"""The indexed PNG writer: read back exactly by Pillow, smaller than Pillow's own."""

import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from sklearn.datasets import load_sample_image

from kmeans_studio.core.color.images import palette_image
from kmeans_studio.core.color.png import bit_depth, indexed_png
from kmeans_studio.core.color.quantize import quantize


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 256), st.integers(1, 19), st.integers(1, 23), st.booleans(),
       st.integers(0, 2**32 - 1))
def test_pillow_reads_back_every_index_and_entry(k, h, w, alpha, seed):
    rng = np.random.default_rng(seed)
    palette = rng.integers(0, 256, (k, 4 if alpha else 3), dtype=np.uint8)
    indices = rng.integers(0, k, (h, w), dtype=np.uint8)
    with Image.open(io.BytesIO(indexed_png(palette, indices))) as png:
        assert png.mode == "P" and png.size == (w, h)
        np.testing.assert_array_equal(np.asarray(png), indices)
        back = np.asarray(png.convert("RGBA" if alpha else "RGB"))
    np.testing.assert_array_equal(back, palette[indices])


@pytest.mark.parametrize("k", [2, 4, 16, 256])
def test_rows_deflated_a_strip_at_a_time_read_back_whole(monkeypatch, k):
    from kmeans_studio.core.color import png

    monkeypatch.setattr(png, "_STRIP_PIXELS", 20)  # 2 rows of 13 at a time, one when wider
    rng = np.random.default_rng(k)
    for h, w in [(9, 13), (5, 41)]:
        indices = rng.integers(0, k, (h, w), dtype=np.uint8)
        with Image.open(io.BytesIO(indexed_png(np.zeros((k, 3), np.uint8), indices))) as back:
            np.testing.assert_array_equal(np.asarray(back), indices)


@pytest.mark.parametrize("k, bits", [(1, 1), (2, 1), (3, 2), (4, 2), (5, 4), (16, 4),
                                     (17, 8), (256, 8)])
def test_indices_are_packed_as_tightly_as_png_allows(k, bits):
    assert bit_depth(k) == bits
    data = indexed_png(np.zeros((k, 3), np.uint8), np.zeros((2, 3), np.uint8))
    assert data[24] == bits  # IHDR's bit depth


def test_trns_is_as_short_as_the_last_entry_that_is_not_opaque():
    palette = np.array([[0, 0, 0, 0], [9, 9, 9, 128], [1, 2, 3, 255], [4, 5, 6, 255]], np.uint8)
    data = indexed_png(palette, np.array([[0, 1, 2, 3]], np.uint8))
    at = data.index(b"tRNS")
    assert data[at - 4:at] == (2).to_bytes(4, "big") and data[at + 4:at + 6] == b"\x00\x80"
    opaque = indexed_png(np.array([[1, 2, 3, 255]], np.uint8), np.zeros((1, 1), np.uint8))
    assert b"tRNS" not in opaque


def test_a_quantized_photo_is_smaller_than_pillows_png():
    photo = load_sample_image("china.jpg")
    for k in (16, 256):
        result = quantize(photo, k)
        pillow = io.BytesIO()
        palette_image(result.palette, result.indices).save(pillow, format="PNG",
                                                           compress_level=9)
        assert len(indexed_png(result.palette, result.indices)) < len(pillow.getvalue())


@pytest.mark.parametrize("palette, indices", [
    (np.zeros((0, 3), np.uint8), np.zeros((2, 2), np.uint8)),
    (np.zeros((257, 3), np.uint8), np.zeros((2, 2), np.uint8)),
    (np.zeros((4, 2), np.uint8), np.zeros((2, 2), np.uint8)),
    (np.zeros((4, 3), np.uint8), np.zeros((0, 2), np.uint8)),
    (np.zeros((4, 3), np.uint8), np.zeros(4, np.uint8)),
])
def test_bad_palettes_and_shapes_are_refused(palette, indices):
    with pytest.raises(ValueError, match="palette|indices"):
        indexed_png(palette, indices)
