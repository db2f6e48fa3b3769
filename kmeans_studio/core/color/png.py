"""Indexed PNG files, written directly: smaller than Pillow's for a quantized image.

Pillow filters every row of an indexed image (its adaptive choice of sub, up, average
or Paeth), which the PNG specification advises against for palette images: the
differences of palette indices mean nothing, and they hide the repeats zlib finds.
Rows left unfiltered (as libpng and pngquant write them) gave files 14-23% smaller at
16 colours and 1-2% smaller at 64-256 colours on scikit-learn's photos (upscaled to
2.4 MP too), and compressed up to twice as fast.  Indices are packed 1, 2 or 4 to a
byte when the palette is that small, as Pillow packs them.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def bit_depth(n_colors: int) -> int:
    """The fewest bits per index PNG allows for `n_colors` palette entries."""
    return next(bits for bits in (1, 2, 4, 8) if n_colors <= 1 << bits)


def indexed_png(palette: np.ndarray, indices: np.ndarray, level: int = 9) -> bytes:
    """An indexed PNG of `indices` (H, W) into `palette` (k ≤ 256 entries, RGB or
    straight RGBA: then a tRNS chunk, as short as the last entry that is not opaque),
    rows unfiltered, zlib `level`."""
    palette = np.asarray(palette, dtype=np.uint8)
    indices = np.asarray(indices)
    if not (palette.ndim == 2 and palette.shape[1] in (3, 4) and 1 <= len(palette) <= 256):
        raise ValueError("The palette must have 1 to 256 RGB or RGBA entries.")
    if indices.ndim != 2 or 0 in indices.shape:
        raise ValueError("The indices must be a non-empty (height, width) array.")
    h, w = indices.shape
    bits = bit_depth(len(palette))
    chunks = [_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, bits, 3, 0, 0, 0)),
              _chunk(b"PLTE", palette[:, :3].tobytes())]
    if palette.shape[1] == 4:
        translucent = np.flatnonzero(palette[:, 3] < 255)
        if len(translucent):
            chunks.append(_chunk(b"tRNS", palette[:translucent[-1] + 1, 3].tobytes()))
    chunks.append(_chunk(b"IDAT", _deflated(indices, bits, level)))
    chunks.append(_chunk(b"IEND", b""))
    return SIGNATURE + b"".join(chunks)


#: Indices packed and compressed at once: the rows are made a strip at a time, so a
#: 12-megapixel picture never has its 12 MiB of rows in memory twice.
_STRIP_PIXELS = 1 << 20


def _deflated(indices: np.ndarray, bits: int, level: int) -> bytes:
    """The zlib stream of the image data (`_rows`), made a strip of rows at a time."""
    h, w = indices.shape
    rows = max(1, _STRIP_PIXELS // w)
    deflate = zlib.compressobj(level)
    pieces = [deflate.compress(_rows(indices[top:top + rows].astype(np.uint8, copy=False),
                                     bits)) for top in range(0, h, rows)]
    return b"".join([*pieces, deflate.flush()])


def _rows(indices: np.ndarray, bits: int) -> bytes:
    """The image data: each row's filter byte (0, none), then its indices packed."""
    h, w = indices.shape
    per_byte = 8 // bits
    row_bytes = -(-w // per_byte)
    out = np.zeros((h, 1 + row_bytes), dtype=np.uint8)
    if per_byte == 1:
        out[:, 1:] = indices
    else:
        padded = np.zeros((h, row_bytes * per_byte), dtype=np.uint8)
        padded[:, :w] = indices
        groups = padded.reshape(h, row_bytes, per_byte)
        packed = out[:, 1:]
        for i in range(per_byte):  # the first pixel in the highest bits
            packed |= groups[:, :, i] << (8 - bits * (i + 1))
    return out.tobytes()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(
        ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
