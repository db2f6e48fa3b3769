"""Loading and saving images, with one-sentence errors.

`load_image` returns RGB uint8 of shape (H, W, 3): EXIF orientation applied,
transparency composited on a background (white by default) unless kept (RGBA, shape
(H, W, 4)), greyscale, palette, CMYK, 16-bit and bilevel images converted, the first
frame of an animation.  Only regular files are read (`limits.regular_file`), and
only pictures of at most `limits.MAX_PIXELS`, checked from the header before
decoding; Pillow's decompression-bomb limit stays on too.  Every failure is an `ImageLoadError` (a
ValueError) with a message for people.

Files are written atomically (a temporary file beside the target, then a rename) and
never over the source image.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from kmeans_studio.core import limits
from kmeans_studio.core.color.png import indexed_png

#: What file dialogs offer; anything else Pillow reads works too.
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff", ".gif")
#: Suffixes written as an indexed (palette) PNG / as RGB by Pillow.
PALETTE_SUFFIXES = (".png", ".gif")
#: What a compressed image can be saved as (each tested to write and read back).
#: Pillow knows more suffixes, but some it only reads (.psd, .xpm) and others need
#: modes or plug-ins a picture of colours does not have (.xbm, .pfm, .h5).
WRITABLE_SUFFIXES = (".png", ".gif", ".webp", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff",
                     ".ppm", ".tga", ".qoi")
#: Those that keep every level of transparency (a GIF keeps only one transparent colour).
ALPHA_SUFFIXES = (".png", ".webp", ".tif", ".tiff", ".tga", ".qoi")


class ImageLoadError(ValueError):
    """An image could not be read; the message says why, in one line."""


def quiet_pillow() -> None:
    """Pillow's warnings about a file are not said (in the window they reached the
    terminal, on the command line they printed a line of Pillow's source): a
    decompression bomb from 89 MP is refused in a sentence from its header (over
    `limits.MAX_PIXELS`), and damaged TIFF or EXIF tags are Pillow's to work round.
    (The filter is added once: `warnings` drops an identical filter first.)"""
    warnings.filterwarnings("ignore", module=r"PIL\.")


def load_image(path: str | os.PathLike, background: tuple[int, int, int] = (255, 255, 255),
               *, keep_alpha: bool = False) -> np.ndarray:
    """Read an image file as RGB uint8 (H, W, 3); with `keep_alpha`, an image with
    transparency (alpha, greyscale with alpha, a palette's transparent entries) as
    straight RGBA (H, W, 4) instead of composited on `background`.

    Raises
    ------
    ImageLoadError
        For missing, unreadable, empty, truncated, corrupt or non-image files, folders,
        FIFOs and devices, images over `limits.MAX_PIXELS`, pixels that are not numbers
        and (with `keep_alpha`) images with no visible pixel.
    """
    path = Path(path)
    name = path.name or str(path)
    quiet_pillow()
    try:
        # Before any open: a FIFO would block for good, /dev/zero never end.
        path = limits.regular_file(path, name)
    except ValueError as exc:
        raise ImageLoadError(str(exc)) from None
    try:
        if path.stat().st_size == 0:
            raise ImageLoadError(f"“{name}” is empty (0 bytes).")
        with Image.open(path) as image:  # reads the header only
            # A 482 KB PNG can claim 169 MP (4.8 GB decoded): refused from its header.
            try:
                limits.check_pixels(image.width, image.height, f"“{name}”")
            except ValueError as exc:
                raise ImageLoadError(str(exc)) from None
            image.seek(0)  # animated images: the first frame
            image.load()
            return to_rgb(image, background, keep_alpha=keep_alpha, name=f"“{name}”")
    except ImageLoadError:
        raise
    except PermissionError:
        raise ImageLoadError(f"“{name}” cannot be read: permission denied.") from None
    except Image.DecompressionBombError as exc:
        raise ImageLoadError(
            f"“{name}” is too large to open safely ({exc}); Pillow's decompression-bomb "
            "limit protects against files that would fill the memory."
        ) from None
    except UnidentifiedImageError:
        raise ImageLoadError(f"“{name}” is not an image K-Means Studio can read.") from None
    except MemoryError:
        raise ImageLoadError(f"“{name}” needs more memory than is free to be read.") from None
    except Exception as exc:  # noqa: BLE001 - a fuzzed file can make a decoder raise anything
        # (a 908-byte TIFF made Pillow raise TypeError); all of them mean a damaged file.
        detail = str(exc).rstrip(".") or type(exc).__name__
        if "truncated" in detail.lower():
            raise ImageLoadError(f"“{name}” is truncated: the file ends too early.") from None
        raise ImageLoadError(f"“{name}” is damaged and cannot be read ({detail}).") from None


def to_rgb(image: Image.Image, background: tuple[int, int, int] = (255, 255, 255), *,
           keep_alpha: bool = False, name: str = "The image") -> np.ndarray:
    """Convert any Pillow image to RGB uint8 (H, W, 3), transposed by its EXIF tag; with
    `keep_alpha`, one with any pixel not fully opaque to RGBA uint8 (H, W, 4).

    ImageLoadError (`name` in its sentence) for floating-point pixels that are not
    numbers (they would turn black unseen) and, with `keep_alpha`, for an image with
    no visible pixel (nothing to compress: the window and the command line alike)."""
    if image.getexif().get(ORIENTATION, 1) != 1:  # (Pillow copies even when it is 1)
        image = ImageOps.exif_transpose(image)
    mode = image.mode
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        values = np.asarray(image, dtype=np.float64)
        if not np.isfinite(values).all():
            raise ImageLoadError(f"{name} has pixels that are not numbers (NaN or "
                                 "infinite), so their colours are unknown.")
        if mode == "F" or values.max(initial=0) > 65535 or values.min(initial=0) < 0:
            low, high = values.min(initial=0), values.max(initial=1)
            values = (values - low) / max(high - low, 1e-12) * 255.0
        elif values.max(initial=0) > 255:
            values = values / 257.0  # 16-bit range onto 8 bits
        grey = np.clip(np.rint(values), 0, 255).astype(np.uint8)
        return np.ascontiguousarray(np.repeat(grey[..., None], 3, axis=2))
    if mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    elif mode == "P":
        image = image.convert("RGB")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        if keep_alpha and rgba.getextrema()[3][1] == 0:
            raise ImageLoadError(f"{name} is fully transparent: it has no visible pixel "
                                 "to compress.")
        if keep_alpha and rgba.getextrema()[3][0] < 255:
            return pixels_of(rgba)
        flat = Image.new("RGBA", rgba.size, (*background, 255))
        flat.alpha_composite(rgba)
        image = flat
    return pixels_of(image if image.mode == "RGB" else image.convert("RGB"))


#: The EXIF tag of a picture's orientation (1: as stored).
ORIENTATION = 0x0112
#: Pixels copied out of Pillow at once by `pixels_of`.
_COPY_PIXELS = 1 << 20


def pixels_of(image: Image.Image) -> np.ndarray:
    """An RGB or RGBA Pillow image as a uint8 array (H, W, channels), copied a strip
    of rows at a time: ``np.asarray(image)`` goes through ``tobytes()``, which joins
    the encoder's pieces, so a 12-megapixel photo briefly took three copies (+69 MiB
    beside Pillow's own 47) where this takes one (+36)."""
    width, height = image.size
    pixels = np.empty((height, width, len(image.mode)), dtype=np.uint8)
    rows = max(1, _COPY_PIXELS // max(width, 1))
    for top in range(0, height, rows):
        bottom = min(top + rows, height)
        pixels[top:bottom] = np.frombuffer(
            image.crop((0, top, width, bottom)).tobytes(), np.uint8).reshape(
                bottom - top, width, -1)
    return pixels


def atomic_write(path: str | os.PathLike, write: Callable[[str], None],
                 source: str | os.PathLike | None = None) -> Path:
    """Write through a temporary file in the target folder, then rename over `path`.

    `write` receives the temporary file's name.  Refuses to replace `source`.
    """
    path = Path(path)
    if source is not None and _same_file(path, Path(source)):
        raise ValueError(f"Will not overwrite the source image “{path.name}”.")
    folder = path.parent if str(path.parent) else Path(".")
    fd, temp = tempfile.mkstemp(prefix=".kms-", suffix=temporary_suffix(path), dir=folder)
    os.close(fd)
    try:
        os.chmod(temp, 0o666 & ~_umask())  # mkstemp makes 0600; use the usual mode
        write(temp)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path


def temporary_suffix(path: str | os.PathLike) -> str:
    """The suffix of a temporary file written for `path`: its own when short (some
    writers choose the format by it), else ".tmp".  With the prefix ".kms-" and eight
    random characters the temporary name stays short: one made from the target's name
    failed ("File name too long") for a legal 250-byte name."""
    suffix = Path(path).suffix
    return suffix if len(suffix.encode(errors="surrogateescape")) <= 16 else ".tmp"


def save_image(path: str | os.PathLike, palette: np.ndarray, indices: np.ndarray, *,
               source: str | os.PathLike | None = None, optimize: bool = False) -> Path:
    """Save a quantized image as `encoded` makes it, atomically."""
    data = encoded(path, palette, indices, optimize=optimize)
    return atomic_write(path, lambda temp: Path(temp).write_bytes(data), source)


#: zlib's strongest level (9) is kept for PNGs up to this many pixels.  Measured on
#: the benchmark corpus at 256 colours: level 9 against the default 6 saves 2% in
#: all (up to 20% on screenshots and gradients) but takes 2.5-4x as long: 12 ms against
#: 3 ms for a 0.66 MP screenshot, 604 ms against 239 ms for a 12 MP photo.
STRONGEST_ZLIB_PIXELS = 2_000_000


def encoded(path: str | os.PathLike, palette: np.ndarray, indices: np.ndarray, *,
            optimize: bool = False) -> bytes:
    """The bytes of a quantized image in the format of `path`'s suffix: an indexed
    PNG/GIF with at most len(palette) colours, or RGB(A) in any other format Pillow
    writes.  A PNG is compressed with zlib's level 9 when it is small or `optimize`
    asks for it, else with the default level 6 (`STRONGEST_ZLIB_PIXELS`)."""
    import io

    fmt = writable_format(path, transparent=np.shape(palette)[1] == 4)
    if fmt == "PNG":  # rows unfiltered, as palette images should be (`png`)

        strongest = optimize or np.size(indices) <= STRONGEST_ZLIB_PIXELS
        return indexed_png(palette, indices, 9 if strongest else 6)
    image = palette_image(palette, indices)
    if Path(path).suffix.lower() not in PALETTE_SUFFIXES:
        image = image.convert("RGBA" if np.shape(palette)[1] == 4 else "RGB")
    options = {}
    if fmt == "JPEG":
        options = {"quality": 95}
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def writable_format(path: str | os.PathLike, transparent: bool = False) -> str:
    """Pillow's format name for `path`'s suffix; ValueError with a sentence when a
    compressed image (with `transparent` pixels) cannot be saved under that suffix."""
    suffix = Path(path).suffix.lower()
    if suffix not in WRITABLE_SUFFIXES:
        raise ValueError(f"“{Path(path).name}”: K-Means Studio cannot write "
                         f"{'“' + suffix + '” files' if suffix else 'a file without a suffix'}"
                         f"; use {', '.join(WRITABLE_SUFFIXES)}.")
    if transparent and suffix not in ALPHA_SUFFIXES:
        raise ValueError(f"“{Path(path).name}” cannot keep the image's transparency; "
                         f"save it as {', '.join(ALPHA_SUFFIXES)}.")
    return Image.registered_extensions()[suffix]


def palette_image(palette: np.ndarray, indices: np.ndarray) -> Image.Image:
    """A Pillow 'P' image whose palette has exactly len(palette) entries, RGB or RGBA
    (a PNG then carries the entries' alpha in its tRNS chunk)."""
    palette = np.asarray(palette, dtype=np.uint8)
    if len(palette) > 256:
        raise ValueError("An indexed image holds at most 256 colours.")
    indices = np.ascontiguousarray(indices, dtype=np.uint8)
    image = Image.frombytes("P", (indices.shape[1], indices.shape[0]), indices.tobytes())
    image.putpalette(palette.tobytes(), rawmode="RGBA" if palette.shape[1] == 4 else "RGB")
    return image


def indexed_png_bytes(palette: np.ndarray, indices: np.ndarray) -> bytes:
    """The bytes of the optimised indexed PNG `save_image` would write."""
    return encoded("image.png", palette, indices)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False
